"""Subtitles timed to the dialogue, and title typography placed inside the safe areas."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import opentimelineio as otio
import pytest
import srt
import webvtt

from storyreel.edit.subtitles import subtitle_overlays, wrap, write_subtitles
from storyreel.edit.timeline import build_timeline
from storyreel.edit.titles import render_text


def _lines(tl):
    a1 = tl.audio_tracks()[0]
    fps = Fraction(tl.metadata["storyreel"]["fps"])
    return [
        (
            c.metadata["storyreel"]["text"],
            Fraction(a1.range_of_child(c).start_time.to_frames()) / fps,
            Fraction(a1.range_of_child(c).end_time_exclusive().to_frames()) / fps,
        )
        for c in a1
        if isinstance(c, otio.schema.Clip)
    ]


def test_srt_and_vtt_are_timed_to_the_lines(shotlist, config, tmp_path):
    tl = build_timeline(shotlist, config)
    paths = write_subtitles(tl, tmp_path)
    assert [p.name for p in paths] == ["cut.srt", "cut.vtt"]
    subs = list(srt.parse(paths[0].read_text()))
    lines = _lines(tl)
    assert [s.content for s in subs] == [text for text, _, _ in lines]
    for sub, (_, start, end) in zip(subs, lines, strict=True):
        assert abs(sub.start.total_seconds() - float(start)) < 0.001
        # a short line stays up at least a second, never over the next cue
        assert sub.end.total_seconds() >= float(end) - 0.001
    for a, b in zip(subs, subs[1:], strict=False):
        assert a.end <= b.start
    captions = webvtt.read(str(paths[1]))
    assert [c.text for c in captions] == [s.content for s in subs]

    def seconds(stamp: str) -> float:
        h, m, sec = stamp.split(":")
        return int(h) * 3600 + int(m) * 60 + float(sec)

    assert [round(seconds(c.start), 3) for c in captions] == [
        round(s.start.total_seconds(), 3) for s in subs
    ]


def test_subtitles_start_at_the_first_frame_not_the_record_timecode(shotlist, config, tmp_path):
    tl = build_timeline(shotlist, config)
    first = next(srt.parse(write_subtitles(tl, tmp_path)[0].read_text()))
    assert first.start.total_seconds() < 60


def test_long_lines_wrap_into_two_balanced_lines():
    text = "Nobody filmed that day, and nobody could have filmed it from the water."
    two = wrap(text).split("\n")
    assert len(two) == 2 and all(len(line) <= 42 for line in two)
    assert abs(len(two[0]) - len(two[1])) < 12
    assert wrap("You came.") == "You came."


def _box(rgba):
    ys, xs = np.nonzero(rgba[..., 3])
    return xs.min(), ys.min(), xs.max() + 1, ys.max() + 1


FRAME, PICTURE = (640, 360), (640, 268)


@pytest.mark.parametrize("style", ["title", "card", "super", "subtitle"])
def test_text_stays_inside_title_safe(style):
    rgba = render_text(
        "NEGATIVE SPACE\nwritten by\nThe storyreel team"
        if style == "title"
        else "Where did you find it? It was never exposed.",
        style,
        FRAME,
        PICTURE,
    )
    assert rgba.shape == (360, 640, 4) and rgba.dtype == np.uint8
    x0, y0, x1, y1 = _box(rgba)
    w, h = FRAME
    assert x0 >= 0.05 * w and x1 <= 0.95 * w and y0 >= 0.05 * h and y1 <= 0.95 * h


def test_super_and_subtitle_sit_low_inside_the_picture():
    top = (FRAME[1] - PICTURE[1]) // 2
    bottom = top + PICTURE[1]
    for style in ("super", "subtitle"):
        x0, y0, x1, y1 = _box(render_text("Genoa, now", style, FRAME, PICTURE))
        assert y0 > top + PICTURE[1] * 0.6 and y1 <= bottom, style
    sx0, _, _, _ = _box(render_text("Genoa, now", "super", FRAME, PICTURE))
    assert sx0 < FRAME[0] * 0.2  # a lower third sits left
    cx0, _, cx1, _ = _box(render_text("Genoa, now", "subtitle", FRAME, PICTURE))
    assert abs((cx0 + cx1) / 2 - FRAME[0] / 2) < 4  # subtitles are centred


def test_subtitles_are_outlined_so_they_read_on_white():
    rgba = render_text("That's not possible.", "subtitle", FRAME, PICTURE)
    opaque = rgba[..., 3] > 200
    dark = opaque & (rgba[..., :3].max(axis=2) < 60)
    light = opaque & (rgba[..., :3].min(axis=2) > 220)
    assert dark.sum() > 0.3 * light.sum() > 0


def test_sizes_follow_the_frame():
    small = _box(render_text("THE END", "card", (320, 180)))
    large = _box(render_text("THE END", "card", (1280, 720)))
    ratio = (large[2] - large[0]) / (small[2] - small[0])
    assert 3.5 < ratio < 4.5


def test_title_is_tracked_wider_than_plain_text():
    from storyreel.assets import pil_font

    rgba = render_text("NEGATIVE SPACE", "title", (1280, 720))
    x0, _, x1, _ = _box(rgba)
    font = pil_font(round(720 * 0.075), "Light")
    assert (x1 - x0) > 1.3 * font.getlength("NEGATIVE SPACE")


def test_burned_subtitles_are_overlays_over_their_lines(shotlist, config):
    tl = build_timeline(shotlist, config)
    overlays = subtitle_overlays(tl)
    a1 = tl.audio_tracks()[0]
    starts = [
        a1.range_of_child(c).start_time.to_frames() for c in a1 if isinstance(c, otio.schema.Clip)
    ]
    assert [o.record_in for o in overlays] == starts
    assert all(o.rgba.shape == (144, 256, 4) and 0 < o.fade < o.length for o in overlays)
