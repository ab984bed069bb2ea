"""The cut as an OTIO timeline: tracks, rational timing, transitions, dialogue, overrides, beats."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from storyreel.config import ProjectConfig, load_config
from storyreel.edit import rhythm
from storyreel.edit.timeline import (
    SLUG,
    build_timeline,
    handle_frames,
    line_key,
    media_lengths,
    picture_clips,
)
from storyreel.model import (
    EditOverrides,
    OverrideEntry,
    Provenance,
    Take,
    Transition,
    TransitionKind,
    frames_for,
)
from storyreel.script.breakdown import breakdown_script
from tests.edit.edit_helpers import make_config, make_shotlist

EXAMPLE = Path(__file__).parents[2] / "examples" / "footage"


def _ranges(track):
    return [
        (
            item.name,
            track.range_of_child(item).start_time.to_frames(),
            track.range_of_child(item).duration.to_frames(),
        )
        for item in track
        if isinstance(item, otio.schema.Clip)
    ]


def test_tracks_clips_and_rational_timing(shotlist, config):
    fps = config.film.fps
    tl = build_timeline(shotlist, config)
    assert [t.name for t in tl.tracks] == ["V1", "Titles", "A1"]
    assert tl.global_start_time.rate == pytest.approx(float(fps))
    assert otio.opentime.to_timecode(tl.global_start_time, float(fps)) == "01:00:00:00"
    v1 = tl.video_tracks()[0]
    names = [name for name, _, _ in _ranges(v1)]
    assert names == [SLUG, "1A", "1B", "2A", "2B", SLUG]  # title card slug ... THE END slug
    clips = picture_clips(tl)
    # shots without dialogue run exactly their breakdown length, in integer frames
    assert clips[0].source_range.duration.to_frames() == frames_for(2.0, fps)
    assert clips[2].source_range.duration.to_frames() == frames_for(2.0, fps)
    for clip in tl.find_clips():
        for t in (clip.source_range.start_time, clip.source_range.duration):
            assert t.rate == pytest.approx(float(fps)) and t.value == int(t.value)
    # the programme is the sum of its parts (a transition does not change the duration)
    total = (
        frames_for(4.0, fps)
        + sum(c.source_range.duration.to_frames() for c in clips)
        + frames_for(1.0, fps)
    )
    assert v1.duration().to_frames() == total
    meta = clips[1].metadata["storyreel"]
    assert meta["shot_id"] == "1B" and meta["take_id"] is None and meta["provenance"] is None


def test_takes_give_media_references_with_handles(shotlist, tmp_path):
    config = make_config("24000/1001")
    take = Take(
        id="t1",
        shot_id="1A",
        kind="clip",
        seed=7,
        path="takes/1A.mp4",
        provenance=Provenance(backend="motion.camera", version="1", seed=7),
    )
    tl = build_timeline(shotlist, config, takes={"1A": take}, project_root=tmp_path)
    clip = picture_clips(tl)[0]
    ref = clip.media_reference
    assert isinstance(ref, otio.schema.ExternalReference)
    assert ref.target_url == (tmp_path / "takes/1A.mp4").as_uri()
    handle = handle_frames(config.film.fps)
    assert clip.source_range.start_time.to_frames() == handle
    assert (
        ref.available_range.duration.to_frames()
        == clip.source_range.duration.to_frames() + 2 * handle
    )
    assert clip.metadata["storyreel"]["take_id"] == "t1"
    assert clip.metadata["storyreel"]["provenance"]["backend"] == "motion.camera"
    other = picture_clips(tl)[1].media_reference
    assert isinstance(other, otio.schema.MissingReference)
    assert media_lengths(tl)["1A"] == ref.available_range.duration.to_frames()


def test_dissolve_is_a_transition_backed_by_handles(shotlist, config):
    tl = build_timeline(shotlist, config)
    v1 = tl.video_tracks()[0]
    transitions = [t for t in v1 if isinstance(t, otio.schema.Transition)]
    assert len(transitions) == 1
    t = transitions[0]
    assert t.transition_type == otio.schema.TransitionTypes.SMPTE_Dissolve
    assert (t.in_offset.to_frames(), t.out_offset.to_frames()) == (0, 12)
    outgoing, incoming = v1.neighbors_of(t)
    assert (outgoing.name, incoming.name) == ("1B", "2A")
    # the outgoing shot has media for the 12 frames it shows under the dissolve
    tail = (
        outgoing.media_reference.available_range.end_time_exclusive()
        - outgoing.source_range.end_time_exclusive()
    )
    assert tail.to_frames() >= 12


def test_otiotool_verifies_ranges(shotlist, config, tmp_path):
    path = tmp_path / "cut.otio"
    otio.adapters.write_to_file(build_timeline(shotlist, config), str(path))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "opentimelineio.console.otiotool",
            "-i",
            str(path),
            "--verify-ranges",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "OUT OF BOUNDS" not in run.stdout and run.stdout.count("IN BOUNDS") >= 6


def ending(frames: int = 0, cards: bool = True):
    """The helper's shot list ending on a FADE OUT. (`frames` 0: the default length)."""
    sl = make_shotlist().model_copy(
        update={"ending": Transition(kind=TransitionKind.FADE_OUT, frames=frames)}
    )
    return sl if cards else sl.model_copy(update={"cards": []})


def test_the_example_film_fades_out_into_the_end_card():
    config = load_config(EXAMPLE / "storyreel.toml")
    film = breakdown_script(EXAMPLE / "script.fountain", config)
    items = list(build_timeline(film, config).video_tracks()[0])
    last, fade, slug = items[-3:]
    assert last.name == film.shots[-1].id and slug.name == SLUG  # FADE OUT. then > THE END <
    assert (fade.name, fade.in_offset.to_frames(), fade.out_offset.to_frames()) == (
        "fade-out",
        0,
        frames_for(1.0, config.film.fps),
    )


def test_the_ending_fades_the_last_shot_to_black(config):
    second = frames_for(1.0, config.film.fps)
    plain = build_timeline(make_shotlist(), config).video_tracks()[0]
    v1 = build_timeline(ending(), config).video_tracks()[0]
    *_, last, fade, slug = list(v1)
    assert (last.name, fade.name, slug.name) == ("2B", "fade-out", SLUG)
    assert fade.out_offset.to_frames() == second
    assert v1.duration() == plain.duration()  # into THE END card's black: no frame added
    # with no card after it the film ends in black of the fade's length
    no_card = build_timeline(make_shotlist().model_copy(update={"cards": []}), config)
    v1 = build_timeline(ending(cards=False), config).video_tracks()[0]
    assert [i.name for i in list(v1)[-3:]] == ["2B", "fade-out", SLUG]
    assert v1.duration().to_frames() == no_card.video_tracks()[0].duration().to_frames() + second
    assert list(v1)[-1].source_range.duration.to_frames() == second


@pytest.mark.parametrize(("frames", "look_seconds", "expected"), [(40, 0.0, 40), (30, 2.0, 48)])
def test_the_ending_and_the_looks_fade_out_make_one_fade(frames, look_seconds, expected):
    config = ProjectConfig.model_validate(
        {"film": {"fps": "24", "width": 256, "height": 144}, "look": {"fade_out": look_seconds}}
    )
    v1 = build_timeline(ending(frames, cards=False), config).video_tracks()[0]
    last, fade, slug = list(v1)[-3:]
    assert fade.out_offset.to_frames() == slug.source_range.duration.to_frames() == expected
    # the last shot has media for the frames it shows under the fade
    tail = (
        last.media_reference.available_range.end_time_exclusive()
        - last.source_range.end_time_exclusive()
    )
    assert tail.to_frames() >= expected


def test_titles_track_holds_title_card_super_and_end_card(shotlist, config):
    tl = build_timeline(shotlist, config)
    titles = tl.video_tracks()[1]
    fps = config.film.fps
    found = {
        c.media_reference.parameters["style"]: (c, titles.range_of_child(c))
        for c in titles
        if isinstance(c, otio.schema.Clip)
    }
    assert found["title"][0].media_reference.parameters["text"].splitlines() == [
        "NEGATIVE SPACE",
        "written by",
        "The storyreel team",
    ]
    assert found["title"][1].start_time.to_frames() == 0
    v1 = tl.video_tracks()[0]
    shot_1a = picture_clips(tl)[0]
    r1a = v1.range_of_child(shot_1a)
    sup = found["super"][1]
    assert found["super"][0].media_reference.parameters["text"] == "Genoa, now"
    assert r1a.start_time <= sup.start_time and sup.end_time_exclusive() <= r1a.end_time_exclusive()
    end = found["card"][1]
    assert found["card"][0].media_reference.parameters["text"] == "THE END"
    assert end.end_time_exclusive().to_frames() == v1.duration().to_frames()
    assert end.duration.to_frames() == frames_for(1.0, fps)


def test_scene_and_section_markers(shotlist, config):
    tl = build_timeline(shotlist, config)
    v1 = tl.video_tracks()[0]
    marks = {m.name: m.marked_range.start_time.to_frames() for m in v1.markers}
    starts = {n: s for n, s, _ in _ranges(v1)}
    assert marks["1 EXT. STREET - NIGHT"] == starts["1A"]
    assert marks["2 INT. BAR - NIGHT"] == starts["2A"]
    assert marks["ONE"] == starts["1A"]


def _dialogue(tl):
    a1 = tl.audio_tracks()[0]
    return [
        (c.metadata["storyreel"], a1.range_of_child(c))
        for c in a1
        if isinstance(c, otio.schema.Clip)
    ]


def test_dialogue_lines_and_j_cut(shotlist, config):
    fps = config.film.fps
    tl = build_timeline(shotlist, config)
    v1 = tl.video_tracks()[0]
    starts = {n: (s, s + d) for n, s, d in _ranges(v1)}
    lines = _dialogue(tl)
    assert [(m["shot_id"], m["character"]) for m, _ in lines] == [
        ("1B", "MAYA"),
        ("2B", "ELIAS"),
        ("2B", "MAYA"),
    ]
    # ELIAS's first line in 2B leads the picture cut: a J-cut of a few frames
    elias = lines[1][1]
    lead = starts["2B"][0] - elias.start_time.to_frames()
    assert lead == rhythm.j_cut_frames(fps) and 0 < lead <= round(fps / 2)
    # lines follow one another without overlapping
    for (_, a), (_, b) in zip(lines, lines[1:], strict=False):
        assert a.end_time_exclusive() <= b.start_time


def test_dialogue_lengths_drive_shot_durations(shotlist, config):
    fps = config.film.fps
    base = {
        c.name: c.source_range.duration.to_frames()
        for c in picture_clips(build_timeline(shotlist, config))
    }
    long = {line_key("2B", 0): 3.0, line_key("2B", 1): 4.0, line_key("1B", 0): 0.5}
    tl = build_timeline(shotlist, config, dialogue_lengths=long)
    got = {c.name: c.source_range.duration.to_frames() for c in picture_clips(tl)}
    assert got["2B"] > base["2B"] and got["2B"] >= frames_for(7.0, fps)
    lines = _dialogue(tl)
    assert lines[1][1].duration.to_frames() == frames_for(3.0, fps)
    assert lines[2][1].duration.to_frames() == frames_for(4.0, fps)
    assert got["1A"] == base["1A"]  # no dialogue, no change


def test_fixed_duration_is_kept_and_the_line_trails_as_an_l_cut(config):
    shotlist = make_shotlist()
    shotlist.shots[1] = shotlist.shots[1].model_copy(update={"duration_fixed": True})
    tl = build_timeline(shotlist, config, dialogue_lengths={line_key("1B", 0): 3.0})
    clip = picture_clips(tl)[1]
    assert clip.source_range.duration.to_frames() == frames_for(1.5, config.film.fps)
    v1 = tl.video_tracks()[0]
    shot_end = v1.range_of_child(clip).end_time_exclusive()
    line_end = _dialogue(tl)[0][1].end_time_exclusive()
    assert line_end > shot_end  # the sound runs on over the next shot


def test_overrides_set_order_trims_and_duplicates(shotlist, config):
    fps = config.film.fps
    h = handle_frames(fps)
    ov = EditOverrides(
        source="edit.otio",
        fps=str(fps),
        known_shots=["1A", "1B", "2A", "2B"],
        entries=[
            OverrideEntry(shot_id="2A", src_in=h + 3, length=20),
            OverrideEntry(shot_id="1A", src_in=h, length=30),
            OverrideEntry(shot_id="2A", src_in=h, length=10),
        ],
    )
    tl = build_timeline(shotlist, config, overrides=ov)
    clips = picture_clips(tl)
    assert [
        (c.name, c.source_range.start_time.to_frames(), c.source_range.duration.to_frames())
        for c in clips
    ] == [("2A", h + 3, 20), ("1A", h, 30), ("2A", h, 10)]
    # a shot added to the script after the edit goes in after its predecessor
    ov2 = ov.model_copy(update={"known_shots": ["1A", "1B", "2A"]})
    names = [c.name for c in picture_clips(build_timeline(shotlist, config, overrides=ov2))]
    assert names == ["2A", "2B", "1A", "2A"]


def test_overrides_at_another_rate_are_rescaled(shotlist):
    ov = EditOverrides(
        source="e.edl",
        fps="24",
        known_shots=["1A", "1B", "2A", "2B"],
        entries=[OverrideEntry(shot_id="1A", src_in=24, length=48)],
    )
    tl = build_timeline(shotlist, make_config("48"), overrides=ov)
    clip = picture_clips(tl)[0]
    assert (clip.source_range.start_time.to_frames(), clip.source_range.duration.to_frames()) == (
        48,
        96,
    )


def test_snap_lengths_moves_cuts_to_beats_within_tolerance():
    fps = Fraction(24)
    beats = [i * 0.5 for i in range(1, 40)]  # a beat every 12 frames
    lengths = [50, 32, 13, 40]
    fixed = [False, False, False, True]
    out = rhythm.snap_lengths(lengths, fixed, beats, fps)
    cuts = [sum(out[: i + 1]) for i in range(len(out))]
    assert cuts[:2] == [48, 84]  # 50 → 48, then 48 + 32 = 80 → 84 (within 0.35 s = 8 frames)
    # 84 + 13 = 97 is a frame past a beat, but snapping would make a short shot shorter
    assert out[2] == 13 and out[3] == 40  # and a fixed shot keeps its length
    assert rhythm.snap_lengths(lengths, fixed, [], fps) == lengths


def test_snap_never_goes_below_the_minimum_shot_length():
    fps = Fraction(24)
    out = rhythm.snap_lengths([30, 30], [False, False], [0.9, 1.25, 2.0], fps)
    assert all(n >= 24 for n in out)


def test_build_with_beats_puts_cuts_on_beats(shotlist):
    config = make_config("24")
    beats = [i * 0.5 for i in range(1, 60)]
    tl = build_timeline(shotlist, config, beats=beats)
    v1 = tl.video_tracks()[0]
    beat_frames = {frames_for(b, Fraction(24)) for b in beats}
    cuts = [v1.range_of_child(c).end_time_exclusive().to_frames() for c in picture_clips(tl)]
    assert all(c in beat_frames for c in cuts)


def test_music_track_and_a_music_file_that_is_not_audio(shotlist, config, tmp_path, wav_file):
    music = wav_file(tmp_path / "bed.wav", seconds=30.0)
    tl = build_timeline(shotlist, config, music=music)
    a2 = tl.audio_tracks()[-1]
    assert a2.name == "A2" and a2.duration() == tl.video_tracks()[0].duration()
    bogus = tmp_path / "notes.mp3"
    bogus.write_text("this is not audio\n")
    from storyreel.errors import StoryreelError

    with pytest.raises(StoryreelError) as err:
        build_timeline(shotlist, config, music=bogus)
    assert "notes.mp3" in str(err.value) and "audio" in str(err.value)
