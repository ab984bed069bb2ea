"""The lens in the project: `[look] lens` validation, and cache keys of shots without a lens."""

from __future__ import annotations

import pytest

from storyreel.config import ProjectConfig, load_config
from storyreel.errors import StoryreelError
from storyreel.model import Scene, Shot, SourceSpan
from storyreel.run.takes import clip_key, shot_text_hash, still_key
from storyreel.stills.base import StillsBackend


class Backend(StillsBackend):
    name, version = "previz", "7"

    def generate(self, request):
        raise NotImplementedError


SHOT = Shot(
    id="1A",
    scene_id="s1",
    size="CU",
    move="push-in",
    subjects=["MAYA"],
    description="Maya turns.",
    lines=SourceSpan(path="film.fountain", start=7, end=7),
    duration=2.0,
)
SCENE = Scene(
    id="s1",
    number="1",
    heading="EXT. ROOF - NIGHT",
    int_ext="EXT",
    location="ROOF",
    time_of_day="NIGHT",
    lines=SourceSpan(path="film.fountain", start=1, end=1),
)


def key(shot: Shot = SHOT, config: ProjectConfig | None = None) -> str:
    return still_key(shot, SCENE, config or ProjectConfig(), Backend(), 0, 1, (64, 36), None)


def test_a_project_without_lenses_keeps_its_still_and_clip_keys():
    # computed for the same shot and defaults before shots and looks had a lens
    before = "4206bd8d3d81a8bbb4a76d9512d7105a0196e1d848be836fbd7a69afa44be14c"
    assert key() == before
    assert clip_key(key(), SHOT, ProjectConfig(), Backend(), 0, 1, 48, (64, 36), None) == (
        "9e3cabf1ab06987230a819fad94d9fc11c86363b4868e176d76617d213648386"
    )
    assert shot_text_hash(SHOT) == "3ce0e253e0b2f262"
    assert "lens" not in SHOT.model_dump() and "lens" not in ProjectConfig().look.model_dump()


def test_a_lens_on_the_shot_or_the_look_makes_a_new_still():
    lens85 = SHOT.model_copy(update={"lens": 85.0})
    look85 = ProjectConfig.model_validate({"look": {"lens": 85}})
    keys = {key(), key(lens85), key(config=look85), key(SHOT.model_copy(update={"lens": 24.0}))}
    assert len(keys) == 4
    assert SHOT.model_validate(lens85.model_dump()).lens == 85.0  # round-trips


@pytest.mark.parametrize("value", ["5", "601", "0", '"85mm"'])
def test_a_bad_look_lens_names_storyreel_toml_and_the_line(tmp_path, value):
    path = tmp_path / "storyreel.toml"
    path.write_text(
        f'[film]\nfps = 24\n\n[look]\naspect = "16:9"\nlens = {value}\n', encoding="utf-8"
    )
    with pytest.raises(StoryreelError) as e:
        load_config(path)
    assert str(e.value).startswith(f"{path}:6: look.lens")
    if value in ("5", "601", "0"):
        assert "out of range (8 to 600 mm" in e.value.message


def test_the_look_lens_reads_back(tmp_path):
    path = tmp_path / "storyreel.toml"
    path.write_text("[look]\nlens = 35\n", encoding="utf-8")
    assert load_config(path).look.lens == 35.0
    assert ProjectConfig().look.lens is None
