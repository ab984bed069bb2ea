from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
from PIL import Image
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.edit.timeline import picture_clips
from storyreel.review.strip import frame_strip, open_cut, pick_moments, thumbnail
from storyreel.run.build import build
from storyreel.store.project import Project
from tests.run.conftest import decode, make_project


@pytest.fixture(scope="module")
def cut(tmp_path_factory) -> Path:
    """The tiny film's cut: a title card, then five one-second-ish shots at 24 fps. Its master
    grain changes every frame, so the frame a cell shows is told from its neighbours."""
    root = make_project(tmp_path_factory.mktemp("strip") / "film")
    build(Project.open(root), profile="master")
    return root / "out" / "cut.mp4"


def record_ranges(video: Path) -> list[tuple[str, int, int]]:
    """(shot id, record in, length) of each shot on the cut's picture track."""
    timeline = otio.adapters.read_from_file(str(video.with_suffix(".otio")))
    return [
        (
            c.metadata["storyreel"]["shot_id"],
            c.range_in_parent().start_time.to_frames(),
            c.range_in_parent().duration.to_frames(),
        )
        for c in picture_clips(timeline)
    ]


def strip_cli(*args: str):
    return CliRunner().invoke(app, ["strip", *map(str, args)])


def test_a_cell_per_shot_showing_the_middle_frame_of_its_clip(cut):
    shots = record_ranges(cut)
    opened = open_cut(cut)
    moments, _ = pick_moments(opened)
    strip = frame_strip(opened, moments)
    assert [m.label for m, _ in strip.cells] == [sid for sid, _, _ in shots]
    page = np.asarray(strip.image, dtype=np.int16)
    frames = [np.asarray(thumbnail(f, opened.box, 320), dtype=np.int16) for f in decode(cut)]
    for (_, start, length), (_, (x0, y0, x1, y1)) in zip(shots, strip.cells, strict=True):
        cell = page[y0:y1, x0:x1]
        diffs = [np.abs(cell - f).mean() for f in frames]
        assert int(np.argmin(diffs)) == start + length // 2
        assert diffs[start + length // 2] < 0.5  # the same frame, decoded after a seek


def test_cli_writes_a_strip_and_a_gif_of_the_shots(cut, tmp_path):
    png, gif = tmp_path / "strip.png", tmp_path / "reel.gif"
    result = strip_cli(cut, "-o", png, "-o", gif, "--columns", "3")
    assert result.exit_code == 0, result.output
    shots = record_ranges(cut)
    with Image.open(png) as image:  # three columns of 320×180 frames, two rows
        assert 3 * 320 < image.width < 4 * 320 and 2 * 180 < image.height < 3 * 180
    with Image.open(gif) as image:
        # 8 fps, up to 2.5 s of each shot: as much of each as its length allows
        expected = sum(min(20, length // 3) for _, _, length in shots)
        assert image.n_frames == expected
        durations = []
        for k in range(image.n_frames):
            image.seek(k)
            durations.append(image.info["duration"])
        assert abs(sum(durations) - 125 * expected) <= 10 and set(durations) <= {120, 130}
        assert image.width == 480


def test_without_a_timeline_frames_are_evenly_spaced_with_a_note(cut, tmp_path):
    alone = tmp_path / "alone.mp4"
    shutil.copy(cut, alone)
    result = strip_cli(alone, "-o", tmp_path / "s.png")
    assert result.exit_code == 0, result.output
    assert "no alone.otio beside the video" in result.output
    moments, _ = pick_moments(open_cut(alone))
    assert len(moments) == 12 and moments[0].label == "0:00"
    steps = {b.frame - a.frame for a, b in zip(moments, moments[1:], strict=False)}
    assert max(steps) - min(steps) <= 1


def test_every_seconds_labels_each_frame_with_its_shot(cut):
    opened = open_cut(cut)
    moments, _ = pick_moments(opened, every=1.0)
    assert len(moments) == opened.frames // 24
    assert [m.frame for m in moments[:2]] == [12, 36]
    by_frame = {f: sid for sid, start, n in record_ranges(cut) for f in range(start, start + n)}
    assert [m.label for m in moments] == [
        by_frame.get(m.frame, f"0:0{m.frame // 24}") for m in moments
    ]
    assert moments[0].label == "0:00" and moments[4].label == "sh1"  # after the title card


@pytest.mark.parametrize(
    "make, args, message",
    [
        (lambda d: d / "missing.mp4", [], "no such file"),
        (
            lambda d: (d / "notes.mp4").write_text("not a film") and d / "notes.mp4",
            [],
            "not a video",
        ),
        (
            lambda d: Image.new("RGB", (8, 8)).save(d / "still.png") or d / "still.png",
            [],
            "not a video",
        ),
        (None, ["-o", "strip.jpg"], "must be a .png"),
        (None, ["--columns", "0"], "--columns must be 1 or more"),
        (None, ["--every", "0"], "--every must be more than 0"),
    ],
)
def test_bad_input_is_a_clear_error(cut, tmp_path, make, args, message):
    video = make(tmp_path) if make else cut
    result = strip_cli(video, *[tmp_path / a if a.endswith(".jpg") else a for a in args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_a_timeline_that_does_not_match_the_video_is_not_trusted(cut, tmp_path):
    video = tmp_path / "old.mp4"
    shutil.copy(cut, video)
    timeline = otio.adapters.read_from_file(str(cut.with_suffix(".otio")))
    del timeline.video_tracks()[0][-1]  # an older cut, one shot shorter
    otio.adapters.write_to_file(timeline, str(video.with_suffix(".otio")))
    result = strip_cli(video, "-o", tmp_path / "s.png")
    assert result.exit_code == 0 and "old.otio does not match the video" in result.output
    video.with_suffix(".otio").write_text("{ not json")
    result = strip_cli(video, "-o", tmp_path / "s.png")
    assert result.exit_code == 2 and "old.otio: not a storyreel timeline" in result.output
