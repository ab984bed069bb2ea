"""`storyreel clip`: script → previz still → camera move → encoded clip."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.config import load_config
from storyreel.script.breakdown import breakdown_script

SCRIPT = """Title: TEST REEL

EXT. ROOFTOP - NIGHT

[[shot: MS MAYA, push-in, 1s]]
MAYA looks over the city.
"""
TOML = """[film]
fps = "24000/1001"
width = 256
height = 144

[look]
aspect = "2.39:1"
grain = 0.2

[characters.MAYA]
description = "a woman in a grey coat"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "script.fountain").write_text(SCRIPT)
    (tmp_path / "storyreel.toml").write_text(TOML)
    return tmp_path


def shot_id(project: Path) -> str:
    return (
        breakdown_script(project / "script.fountain", load_config(project / "storyreel.toml"))
        .shots[0]
        .id
    )


def run(*args: str) -> object:
    return CliRunner().invoke(app, ["clip", *map(str, args)])


def test_clip_renders_the_shot(project: Path) -> None:
    out = project / "shot.mp4"
    result = run(project, "--shot", shot_id(project), "-o", out, "-q")
    assert result.exit_code == 0, result.output
    with av.open(str(out)) as c:
        s = c.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
        assert (s.width, s.height, s.average_rate) == (256, 144, Fraction(24000, 1001))
    assert len(frames) == 24  # 1 s at 23.976 fps
    assert frames[0][:16].max() < 20 and frames[0][40:100].std() > 5  # letterboxed picture


def test_clip_prores_and_move_override(project: Path) -> None:
    out = project / "shot.mov"
    result = run(
        project / "script.fountain",
        "--shot",
        shot_id(project),
        "-o",
        out,
        "--codec",
        "prores",
        "--move",
        "truck-left",
        "--intensity",
        "2",
        "-q",
    )
    assert result.exit_code == 0, result.output
    assert "truck-left, intensity 2.0" in result.output
    with av.open(str(out)) as c:
        assert c.streams.video[0].codec_context.name == "prores"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--move", "push-inn"], "unknown move 'push-inn' (did you mean push-in?)"),
        (["--intensity", "3.5"], "move intensity 3.5 is out of range (0 to 3)"),
        (["--codec", "h265"], "unknown codec 'h265'"),
        (["-o", "missing/shot.mp4"], "does not exist"),
    ],
)
def test_clip_bad_input(project: Path, args: list[str], message: str) -> None:
    out = ["-o", str(project / "shot.mp4")] if "-o" not in args else []
    args = [a if a != "missing/shot.mp4" else str(project / a) for a in args]
    result = run(project, "--shot", shot_id(project), *out, *args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert sorted(p.name for p in project.iterdir()) == ["script.fountain", "storyreel.toml"]


def test_clip_unknown_shot(project: Path) -> None:
    result = run(project, "--shot", shot_id(project) + "x", "-o", project / "a.mp4")
    assert result.exit_code == 2 and "did you mean" in result.output


def test_clip_uses_the_projects_motion_backend(project: Path) -> None:
    """A folder of clips configured as the motion backend is what `clip` shows, not the camera."""
    sid = shot_id(project)
    (project / "kling").mkdir()
    with av.open(str(project / "kling" / f"{sid}.mp4"), "w") as c:  # a blue clip, 2 s at 24 fps
        stream = c.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 128, 54, "yuv420p"
        for _ in range(48):
            frame = av.VideoFrame.from_ndarray(
                np.full((54, 128, 3), (20, 40, 220), np.uint8), "rgb24"
            )
            c.mux(stream.encode(frame))
        c.mux(stream.encode())
    with open(project / "storyreel.toml", "a") as f:
        f.write('\n[backends]\nmotion = "folder:kling"\n')
    out = project / "shot.mp4"
    result = run(project, "--shot", sid, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    with av.open(str(out)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(frames) == 24
    middle = frames[12][60:84, 100:156].reshape(-1, 3).mean(axis=0)  # inside the letterbox
    assert middle[2] > 150 and middle[0] < 80  # the folder's blue clip, graded, not a previz still
