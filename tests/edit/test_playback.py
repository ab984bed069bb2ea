"""The timeline as a render programme, rendered: frames, cut points and titles where it says."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import opentimelineio as otio
import pytest

from storyreel.edit.playback import program_from_timeline
from storyreel.edit.timeline import build_timeline, media_lengths, picture_clips
from storyreel.errors import StoryreelError
from storyreel.model import Transition, TransitionKind
from tests.edit.edit_helpers import make_config, make_shotlist

COLORS = {"1A": (200, 40, 40), "1B": (40, 190, 60), "2A": (40, 60, 210), "2B": (220, 200, 40)}


class Solid:
    """A flat-colour clip with handles; frame i carries i in its first pixel's blue value."""

    def __init__(self, color, n_frames, size, fps):
        self.color, self.n_frames, self.size, self.fps = color, n_frames, size, fps
        self.key = f"solid:{color}:{n_frames}"

    def frame(self, index):
        f = np.empty((self.size[1], self.size[0], 3), np.uint8)
        f[:] = self.color
        f[0, 0] = (0, 0, index % 256)
        return f


def _program(config, shotlist=None, **kw):
    tl = build_timeline(shotlist or make_shotlist(), config)
    fps = config.film.fps
    sources = {
        k: Solid(COLORS[k], n, config.picture_size, fps) for k, n in media_lengths(tl).items()
    }
    return tl, program_from_timeline(tl, sources, config, **kw)


def test_events_follow_v1_with_the_dissolve_overlapping(config):
    tl, program = _program(config)
    v1 = tl.video_tracks()[0]
    assert program.n_frames == v1.duration().to_frames()
    assert program.fps == config.film.fps and program.frame_size == (256, 144)
    clips = [c for c in v1 if isinstance(c, otio.schema.Clip)]
    assert [e.record_in for e in program.events] == [
        v1.range_of_child(c).start_time.to_frames() for c in clips
    ]
    shot = {c.name: e for c, e in zip(clips, program.events, strict=True) if c.name in COLORS}
    clip_1b = picture_clips(tl)[1]
    assert shot["1A"].src_in == picture_clips(tl)[0].source_range.start_time.to_frames()
    # 1B runs on for the 12-frame dissolve into 2A, which starts at its cut
    assert shot["1B"].length == clip_1b.source_range.duration.to_frames() + 12
    assert shot["2A"].transition.kind == "dissolve" and shot["2A"].transition.frames == 12
    assert shot["2A"].record_in == shot["1B"].record_in + clip_1b.source_range.duration.to_frames()


def test_frames_show_the_right_shot_and_titles(config):
    from storyreel.render.program import frame_at

    tl, program = _program(config)
    v1 = tl.video_tracks()[0]
    ranges = {c.name: v1.range_of_child(c) for c in picture_clips(tl)}
    top = (144 - config.picture_size[1]) // 2
    for name, r in ranges.items():
        mid = r.start_time.to_frames() + r.duration.to_frames() // 2
        frame = frame_at(program, mid)
        assert tuple(frame[top + 20, 128]) == pytest.approx(COLORS[name], abs=3), name
    # mid-dissolve: a mix of 1B and 2A
    cut = ranges["2A"].start_time.to_frames()
    blend = frame_at(program, cut + 6)[top + 20, 128].astype(int)
    assert 60 < blend[1] < 180 and 60 < blend[2] < 200
    # the title card is text over black; the super is over 1A, low in the frame
    title = frame_at(program, 48)
    assert title.max() > 150 and np.median(title) < 10
    sup_at = ranges["1A"].start_time.to_frames() + 20
    bottom = frame_at(program, sup_at)[
        top + int(config.picture_size[1] * 0.7) : top + config.picture_size[1]
    ]
    assert (bottom[..., 1] > 120).sum() > 10  # light lettering over the red shot


def test_the_ending_takes_the_last_shot_down_to_black():
    from storyreel.render.program import frame_at

    config = make_config("24")
    fading = make_shotlist().model_copy(
        update={"ending": Transition(kind=TransitionKind.FADE_OUT), "cards": []}
    )
    tl, program = _program(config, fading)
    assert program.n_frames == tl.video_tracks()[0].duration().to_frames()
    r = tl.video_tracks()[0].range_of_child(picture_clips(tl)[-1])
    top = (144 - config.picture_size[1]) // 2
    level = [
        int(frame_at(program, r.end_time_exclusive().to_frames() - k)[top + 20, 128, 0])
        for k in (30, 12, 1)
    ]  # 2B is yellow: its red channel fades
    assert level[0] == pytest.approx(COLORS["2B"][0], abs=3) and level[0] > level[1] > level[2]
    assert level[2] < 15 and frame_at(program, program.n_frames - 1).max() < 5


def test_burned_subtitles_add_overlays(config):
    _, plain = _program(config)
    _, burned = _program(config, burn_subtitles=True)
    assert len(burned.overlays) == len(plain.overlays) + 3


def test_a_shot_without_picture_is_an_error(config):
    tl = build_timeline(make_shotlist(), config)
    with pytest.raises(StoryreelError, match="no picture for shot 1A"):
        program_from_timeline(tl, {}, config)


def test_rendered_cuts_are_where_the_timeline_says(tmp_path):
    """Render the cut, decode it, and find every hard cut with PySceneDetect."""
    from scenedetect import ContentDetector, detect

    from storyreel.render.encode import Encoder
    from storyreel.render.program import render_program

    config = make_config("24")
    tl, program = _program(config)
    path = tmp_path / "cut.mp4"
    with Encoder(path, program.frame_size, program.fps, crf=23, preset="ultrafast") as enc:
        render_program(program, enc)
    with av.open(str(path)) as c:
        n = sum(1 for _ in c.decode(video=0))
    assert n == tl.video_tracks()[0].duration().to_frames()

    v1 = tl.video_tracks()[0]
    hard, soft = set(), set()
    prev = None
    for item in v1:
        if isinstance(item, otio.schema.Transition):
            prev = "dissolve"
            continue
        start = v1.range_of_child(item).start_time.to_frames()
        if start:
            (soft if prev == "dissolve" else hard).add(start)
        prev = None
    scenes = detect(str(path), ContentDetector(threshold=20, min_scene_len=6))
    found = [s.frame_num for s, _ in scenes[1:]]
    assert len(hard) == 4 and len(found) >= len(hard)
    for cut in hard:
        assert any(abs(f - cut) <= 1 for f in found), (cut, found)
    for f in found:  # nothing else is a cut, but the dissolve may read as one
        assert any(abs(f - c) <= 1 for c in hard) or any(0 <= f - c <= 12 for c in soft), f
    assert Fraction(program.fps) == 24
