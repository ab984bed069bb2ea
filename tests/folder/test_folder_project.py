"""Midjourney stills + Kling clips from a folder, through `storyreel render`, into a cut."""

from __future__ import annotations

import json

import av
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.model import frames_for
from tests.folder.test_folder import JOB, PROMPT, midjourney_png
from tests.hosted.film import make_mp4

SCRIPT = """EXT. ROOFTOP - NIGHT

[[shot: WS static #sc01_sh010 2s]]
Maya stands at the edge.

[[shot: MCU push-in #sc01_sh020 3s]]
She looks down at the city.
"""


def project(tmp_path, stills="folder:exports", motion="folder:exports"):
    (tmp_path / "script.fountain").write_text(SCRIPT)
    (tmp_path / "storyreel.toml").write_text(
        f'[film]\nwidth = 256\nheight = 144\nfps = "24"\n[backends]\nstills = "{stills}"\nmotion = "{motion}"\n'
    )
    exports = tmp_path / "exports"
    exports.mkdir()
    midjourney_png(exports / "sc01_sh010.png")
    midjourney_png(exports / "sc01_sh020_u1.png", color=(200, 100, 50), how="plain")
    (exports / "sc01_sh010.mp4").write_bytes(make_mp4())
    (exports / "SC01_SH020-kling.mp4").write_bytes(make_mp4())
    return tmp_path


def test_exports_render_into_a_cut_with_their_provenance(tmp_path):
    root = project(tmp_path)
    runner = CliRunner()
    result = runner.invoke(app, ["render", str(root)])
    assert result.exit_code == 0, result.output
    with av.open(str(root / "out" / "cut.mp4")) as c:
        frames = sum(1 for _ in c.decode(video=0))
    shots = json.loads(runner.invoke(app, ["breakdown", str(root), "-f", "json"]).stdout)["shots"]
    assert frames == sum(frames_for(s["duration"], 24) for s in shots)
    takes = json.loads(runner.invoke(app, ["provenance", str(root)]).stdout)["takes"]
    still = next(t for t in takes if t["shot_id"] == "sc01_sh010" and t["kind"] == "still")
    assert still["provenance"]["backend"] == "folder"
    assert still["provenance"]["prompt"] == PROMPT and still["provenance"]["remote_id"] == JOB
    assert still["provenance"]["params"]["file"] == "sc01_sh010.png"


def test_a_misspelt_backend_in_the_project_suggests_the_right_one(tmp_path):
    root = project(tmp_path, motion="foldr:exports")
    result = CliRunner().invoke(app, ["render", str(root)])
    assert result.exit_code == 2
    assert "unknown motion backend 'foldr' (did you mean folder?)" in result.output
