"""Paths in a project stay inside it unless `[project] allow_outside` names their folder."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.config import load_config
from storyreel.errors import StoryreelError
from storyreel.render.lut import parse_cube
from storyreel.stills.folder import find_takes

OUTSIDE = [
    (
        '[characters.MAYA]\ndescription = "a woman"\nrefs = ["refs/maya.png", "{path}"]\n',
        3,
        "characters.MAYA.refs",
    ),
    ('[look]\nstyle = "noir"\nlut = "{path}"\n', 3, "look.lut"),
    ('[backends]\ntakes = 2\nstills = "folder:{path}"\n', 3, "backends.stills"),
    ('[backends.shots.sh1]\nmotion = "folder:{path}"\n', 2, "backends.shots.sh1.motion"),
    # a local voice's or MusicGen's model files
    ('[backends]\nvoice = "kokoro:af_heart?model={path}"\n', 2, "backends.voice"),
    ('[backends]\nvoice = "kokoro:af_heart?voices={path}"\n', 2, "backends.voice"),
    ('[characters.MAYA]\ndescription = "a woman"\nvoice = "piper:x?model={path}"\n', 3, "characters.MAYA.voice"),
    ('[backends]\ntakes = 1\nmusic = "musicgen:{path}"\n', 3, "backends.music"),
]  # fmt: skip


@pytest.mark.parametrize(("toml", "line", "where"), OUTSIDE)
@pytest.mark.parametrize("path", ["/etc/passwd", "../elsewhere/x.png", "refs/../../x", "~/m"])
def test_a_path_outside_the_project_is_refused_at_its_line(tmp_path, toml, line, where, path):
    root = tmp_path / "film"
    root.mkdir()
    (root / "storyreel.toml").write_text(toml.format(path=path))
    with pytest.raises(StoryreelError) as err:
        load_config(root / "storyreel.toml")
    assert (err.value.path, err.value.line) == (str(root / "storyreel.toml"), line)
    assert err.value.message.startswith(f"{where}: {path!r} is outside the project")
    assert "allow_outside" in err.value.message


def test_allow_outside_opens_the_folders_it_names_and_no_other(tmp_path):
    root = tmp_path / "film"
    (root / "refs").mkdir(parents=True)
    (tmp_path / "shared").mkdir()
    toml = root / "storyreel.toml"
    toml.write_text(
        '[project]\nallow_outside = ["../shared", "/mnt/refs"]\n'
        '[characters.MAYA]\nrefs = ["refs/maya.png", "../shared/maya.png", "/mnt/refs/m.png"]\n'
        '[look]\nlut = "../shared/night.cube"\n'
        '[backends]\nstills = "folder:../shared/exports"\n'
    )
    config = load_config(toml)
    assert config.project.allow_outside == ["../shared", "/mnt/refs"]
    toml.write_text(toml.read_text().replace("/mnt/refs/m.png", "/mnt/refsx/m.png"))
    with pytest.raises(StoryreelError, match="'/mnt/refsx/m.png' is outside the project") as err:
        load_config(toml)
    assert err.value.line == 4


def test_the_cli_says_where_and_shows_no_traceback(tmp_path):
    (tmp_path / "script.fountain").write_text("EXT. PIER - NIGHT\n\n[[shot: WS #sh1 1s]]\nWaves.\n")
    (tmp_path / "storyreel.toml").write_text('[look]\nlut = "/etc/passwd"\n')
    result = CliRunner().invoke(app, ["render", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "storyreel.toml:2: look.lut: '/etc/passwd' is outside the project" in result.output
    assert "root:" not in result.output


@pytest.mark.parametrize("manifest", ["toml", "csv"])
@pytest.mark.parametrize("name", ["/etc/passwd", "../secret.png", "sub/../../secret.png"])
def test_a_manifest_names_files_in_its_folder_only(tmp_path, manifest, name):
    folder = tmp_path / "exports"
    folder.mkdir()
    (tmp_path / "secret.png").write_bytes(b"\x89PNG")
    if manifest == "toml":
        path = folder / "manifest.toml"
        path.write_text(f'[shots]\nsh2 = "ok.png"\nsh1 = ["a.png", "{name}"]\n')
    else:
        path = folder / "manifest.csv"
        path.write_text(f"file,shot\nok.png,sh2\n{name},sh1\n")
    with pytest.raises(StoryreelError) as err:
        find_takes(folder, "sh1", (".png",))
    assert (err.value.path, err.value.line) == (str(path), 3)
    assert f"{name!r} is outside the folder" in err.value.message


def test_a_file_that_is_not_a_lut_is_named_without_its_contents(tmp_path):
    path = tmp_path / "passwd.cube"
    path.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n")
    with pytest.raises(StoryreelError) as err:
        parse_cube(path)
    assert (err.value.path, err.value.line) == (str(path), 1)
    assert "/bin/bash" not in str(err.value) and "root:x:0:0" not in str(err.value)
    path.write_text("LUT_3D_SIZE 2\n0 0 0.5secretsecretsecretsecret\n")
    with pytest.raises(StoryreelError) as err:
        parse_cube(path)
    assert err.value.line == 2 and "secretsecretsecret" not in str(err.value)


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
