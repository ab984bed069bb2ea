"""Render profiles: the review reel (the default) and the master share the cut, stills and clips."""

from __future__ import annotations

import av
import numpy as np
import opentimelineio as otio
import pytest
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.errors import StoryreelError
from storyreel.render.encode import x264_settings
from storyreel.run import picture
from storyreel.run.build import build
from storyreel.run.events import FileWritten, StageStarted
from storyreel.store.project import Project
from tests.run.conftest import decode, json_report


def sound(path) -> np.ndarray:
    with av.open(str(path)) as c:
        return np.concatenate([f.to_ndarray() for f in c.decode(audio=0)], axis=1)


def cut_points(path) -> list[tuple[str, int, int]]:
    """(name, record in, length) of every clip on the cut's picture track (its .otio)."""
    timeline = otio.adapters.read_from_file(str(path.with_suffix(".otio")))
    out = []
    for clip in timeline.video_tracks()[0].find_clips():
        rng = clip.trimmed_range_in_parent()
        out.append((clip.name, rng.start_time.to_frames(), rng.duration.to_frames()))
    return out


def test_review_and_master_give_the_same_frames_cut_points_and_sound(project):
    out = project / "out"
    review = build(Project.open(project))
    master = build(Project.open(project), output=out / "master.mp4", profile="master")
    assert review.output == out / "cut.mp4" and master.output == out / "master.mp4"
    a, b = decode(review.output), decode(master.output)
    assert len(a) == len(b) == review.frames == master.frames > 100
    points = cut_points(review.output)
    assert points == cut_points(master.output) and len(points) >= 4
    assert np.array_equal(sound(review.output), sound(master.output))
    # the same picture on every frame (a frame's shift would show at every cut); the grain differs
    diffs = [np.abs(x.astype(int) - y.astype(int)).mean() for x, y in zip(a, b, strict=True)]
    assert max(diffs) < 3.0 and np.mean(diffs) > 0
    # a lighter grain: the review's frames are the smaller file
    assert review.output.stat().st_size < master.output.stat().st_size
    # each file says what its encoder used: the review's threads and CRF reached x264
    said = x264_settings(review.output)
    assert said["threads"] == picture.REVIEW_OPTIONS["threads"]
    assert (
        float(said["crf"])
        == picture.REVIEW_ENCODER["crf"]
        != float(x264_settings(master.output)["crf"])
    )


def test_a_master_render_after_a_review_one_recomputes_no_still_and_no_clip(project):
    review = build(Project.open(project))
    master = build(Project.open(project), profile="master")
    assert master.computed["stills"] == [] and master.computed["clips"] == []
    assert master.reused["stills"] == len(review.computed["stills"]) > 0
    assert master.reused["clips"] == len(review.computed["clips"]) > 0
    assert len(master.computed["segments"]) == len(review.computed["segments"]) > 0
    assert master.computed["cut"]
    # each profile's segments stay in the store: going back is a remux
    again = build(Project.open(project))
    assert again.computed["segments"] == [] and again.frames == 0 and again.computed["cut"]


def test_the_project_file_chooses_the_master_and_render_master_says_where_time_went(project):
    runner = CliRunner()
    first = runner.invoke(app, ["render", str(project), "--master"])
    assert first.exit_code == 0, first.output
    assert "time: " in first.output and "segments " in first.output
    toml = project / "storyreel.toml"
    toml.write_text(toml.read_text() + '\n[render]\nprofile = "master"\n')
    report = json_report(runner.invoke(app, ["render", str(project), "--json"]).output)
    assert report["computed"]["segments"] == [] and report["frames"] == 0


def test_an_unknown_profile_names_the_file_and_line(project):
    toml = project / "storyreel.toml"
    toml.write_text(toml.read_text() + '\n[render]\nprofile = "mastr"\n')
    with pytest.raises(StoryreelError) as err:
        Project.open(project)
    assert "unknown profile 'mastr'" in str(err.value) and "master" in str(err.value)
    assert str(err.value.path) == str(toml) and err.value.line == toml.read_text().count("\n")


def test_the_contact_sheet_and_the_first_minute_come_before_the_cut(project, monkeypatch):
    monkeypatch.setattr(picture, "HEAD_SECONDS", 1)  # the tiny film's first second
    seen: list[object] = []
    report = build(Project.open(project), subscribers=(seen.append,))
    out = project / "out"
    written = [e.path for e in seen if isinstance(e, FileWritten)]
    sheet, head = str(out / "contact-sheet.png"), str(out / "cut-head.mp4")
    assert written[:3] == [sheet, head, str(out / "cut.mp4")]
    started = [e.stage for e in seen if isinstance(e, StageStarted)]
    assert seen.index(next(e for e in seen if isinstance(e, FileWritten))) < seen.index(
        next(e for e in seen if isinstance(e, StageStarted) and e.stage == "segments")
    )
    assert "segments" in started
    first, whole = decode(out / "cut-head.mp4"), decode(report.output)
    assert 24 <= len(first) < len(whole)
    assert all(np.array_equal(x, y) for x, y in zip(first, whole, strict=False))

    nothing: list[object] = []  # nothing to make: neither the sheet nor the first minute again
    build(Project.open(project), subscribers=(nothing.append,))
    again = [e.path for e in nothing if isinstance(e, FileWritten)]
    assert again[0] == str(report.output) and sheet not in again and head not in again
