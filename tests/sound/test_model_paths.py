"""A local voice's or MusicGen's model files stay inside the project unless `[project]
allow_outside` names their folder, as reference images do; model ids pass as they are."""

from __future__ import annotations

import pytest

from storyreel.config import load_config
from storyreel.errors import StoryreelError

SPECS = [
    ('[backends]\nvoice = "kokoro:af_heart?model={path}"\n', 2, "backends.voice"),
    ('[backends]\nvoice = "kokoro:af_heart?voices={path}"\n', 2, "backends.voice"),
    ('[characters.MAYA]\ndescription = "a woman"\nvoice = "piper:x?model={path}"\n', 3, "characters.MAYA.voice"),
    ('[backends]\ntakes = 1\nmusic = "musicgen:{path}"\n', 3, "backends.music"),
]  # fmt: skip


@pytest.mark.parametrize(("toml", "line", "where"), SPECS)
@pytest.mark.parametrize("path", ["/opt/models/voice.onnx", "../models/voice.onnx", "~/m"])
def test_a_model_file_outside_the_project_is_refused_at_its_line(tmp_path, toml, line, where, path):
    root = tmp_path / "film"
    root.mkdir()
    (root / "storyreel.toml").write_text(toml.format(path=path))
    with pytest.raises(StoryreelError) as err:
        load_config(root / "storyreel.toml")
    assert (err.value.path, err.value.line) == (str(root / "storyreel.toml"), line)
    assert err.value.message.startswith(f"{where}: {path!r} is outside the project")


def test_allow_outside_opens_a_models_folder_and_model_ids_are_no_paths(tmp_path):
    root = tmp_path / "film"
    root.mkdir()
    toml = root / "storyreel.toml"
    toml.write_text(
        '[project]\nallow_outside = ["/opt/models"]\n'
        '[characters.MAYA]\nvoice = "openai:coral?model=gpt-4o-mini-tts"\n'
        '[backends]\nvoice = "kokoro:af_heart?model=/opt/models/kokoro.onnx&voices=models/v.bin"\n'
        'music = "musicgen:facebook/musicgen-small"\n'
    )
    config = load_config(toml)
    assert config.backends.music == "musicgen:facebook/musicgen-small"
    toml.write_text(toml.read_text().replace("/opt/models/kokoro", "/opt/other/kokoro"))
    with pytest.raises(StoryreelError, match="'/opt/other/kokoro.onnx' is outside the project"):
        load_config(toml)
