"""A project whose storyreel.toml names the diffusers backends renders a cut of the right length."""

from __future__ import annotations

import av
import pytest

from storyreel.model import Provenance, frames_for
from storyreel.run.build import build
from storyreel.store.db import Database
from storyreel.store.project import Project

SCRIPT = """EXT. PIER - NIGHT

[[shot: WS, push-in, 0.5s, #sh1]]
Waves under the pier lights.

[[shot: MS MAYA, static, 0.75s, #sh2]]
MAYA stands at the rail.
"""


@pytest.fixture
def project(tmp_path, sd_turbo, ltx):
    root = tmp_path / "film"
    (root / "models").mkdir(parents=True)  # model folders named relative to the project
    for model in (sd_turbo, ltx):
        (root / "models" / model.name).symlink_to(model, target_is_directory=True)
    (root / "script.fountain").write_text(SCRIPT)
    (root / "storyreel.toml").write_text(f"""
[film]
fps = "24"
width = 160
height = 90

[look]
aspect = "16:9"

[characters.MAYA]
description = "a woman in a grey coat"

[backends]
stills = "diffusers:models/{sd_turbo.name}?size=64x32"
motion = "diffusers:models/{ltx.name}?size=64x32&steps=2"
""")
    return root


def test_a_cut_renders_through_the_diffusers_backends(project):
    report = build(Project.open(project))
    assert report.output and report.output.is_file()
    with av.open(str(report.output)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    fps = 24
    assert len(frames) == frames_for(0.5, fps) + frames_for(0.75, fps)
    assert frames[0].shape == (90, 160, 3)
    with Database(project / ".storyreel" / "project.db") as db:
        stills = {
            row["shot_id"]: Provenance.model_validate_json(row["provenance"])
            for row in db.takes(kind="still")
        }
        clips = {
            row["shot_id"]: Provenance.model_validate_json(row["provenance"])
            for row in db.takes(kind="clip")
        }
    assert set(stills) == set(clips) == {"sh1", "sh2"}
    assert stills["sh2"].backend == "diffusers" and "medium shot" in stills["sh2"].prompt
    assert stills["sh2"].params["family"] == "sd-turbo"
    assert clips["sh1"].backend == "diffusers" and clips["sh1"].inputs
    assert len(list((project / ".storyreel" / "diffusion").glob("*.mkv"))) == 2
