"""Exports an NLE opens, read back by OTIO's own adapters; edits brought back as overrides."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
from pathlib import Path

import opentimelineio as otio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from storyreel.edit.timeline import build_timeline, picture_clips
from storyreel.errors import StoryreelError
from storyreel.handoff.exports import export_all
from storyreel.handoff.import_edit import ADAPTERS, import_edit, read_edit
from storyreel.handoff.prepare import cut_list
from tests.edit.edit_helpers import make_config, make_shotlist

RT = otio.opentime.RationalTime


def readable(paths: list[Path]) -> list[Path]:
    """The exports import-edit reads (the AAF and the OTIOZ are read in test_nle.py)."""
    return [p for p in paths if p.suffix in ADAPTERS]


def test_every_export_reads_back_with_the_same_cut_list(shotlist, config, tmp_path):
    tl = build_timeline(shotlist, config)
    paths = export_all(tl, tmp_path)
    assert sorted(p.name for p in paths) == [
        "cut.aaf",
        "cut.edl",
        "cut.fcpxml",
        "cut.otio",
        "cut.otioz",
        "cut.xml",
    ]
    native = cut_list(read_edit(tmp_path / "cut.otio"))
    assert native == cut_list(tl)
    assert [n for n, _, _ in native] == ["BLACK", "1A", "1B", "2A", "2B", "BLACK"]
    for path in readable(paths):
        back = read_edit(path, config.film.fps)
        assert cut_list(back, config.film.fps) == native, path.suffix
    # the dissolve survives in the EDL and the FCP7 XML
    for suffix in (".edl", ".xml"):
        v1 = read_edit(tmp_path / f"cut{suffix}", config.film.fps).video_tracks()[0]
        assert sum(isinstance(i, otio.schema.Transition) for i in v1) == 1
    # title cards and supers are PNGs beside the exports, referenced by the XML
    media = sorted(p.name for p in (tmp_path / "media").iterdir())
    assert "card-the-end.png" in media and "super-genoa-now.png" in media
    xml = (tmp_path / "cut.xml").read_text()
    assert "super-genoa-now.png" in xml and "<name>1A</name>" in xml


def test_the_ending_fade_survives_the_exports(tmp_path):
    from storyreel.model import Transition, TransitionKind

    config = make_config("24000/1001")
    fading = make_shotlist().model_copy(update={"ending": Transition(kind=TransitionKind.FADE_OUT)})
    tl = build_timeline(fading, config)
    native = cut_list(tl)
    for path in readable(export_all(tl, tmp_path)):
        assert cut_list(read_edit(path, config.film.fps), config.film.fps) == native, path.suffix
    for suffix in (".edl", ".xml"):  # a dissolve from the last shot into black
        v1 = read_edit(tmp_path / f"cut{suffix}", config.film.fps).video_tracks()[0]
        fade = [i for i in v1 if isinstance(i, otio.schema.Transition)][-1]
        assert [n.name for n in v1.neighbors_of(fade)] == ["2B", "BLACK"], suffix
        assert fade.out_offset.to_frames() == 24


def test_reel_names_are_short_distinct_and_stable():
    from storyreel.handoff.prepare import reels as _reels

    # the first two end in the same 8 characters, the next two differ only in case
    names = ["dock-night-0001abcd", "pier-day-0001abcd", "sh1", "SH1", "1A", "bl", "x" * 20]
    reels = _reels(names)
    assert reels["1A"] == "1A" and reels["SH1"] == "SH1"  # a name that fits is itself
    assert len(set(reels.values())) == len(names)
    assert all(re.fullmatch(r"[A-Z0-9_]{1,8}", r) for r in reels.values())
    assert not {"BL", "AX"} & set(reels.values())  # black and aux mean something else
    assert _reels(reversed(names)) == reels  # the order of the cut does not matter
    for name in ("dock-night-0001abcd", "1A"):  # nor does another shot's coming or going
        assert _reels([name, "pier-day-0001abcd"])[name] == reels[name]
        assert _reels([name])[name] == reels[name]
    assert reels["dock-night-0001abcd"].startswith("DOC")


def _colliding(fps: str = "24"):
    """The test film with its shots renamed so that their ids end in the same 8 characters."""
    shotlist = make_shotlist()
    ids = {"1A": "harbour-night-0001abcd", "1B": "station-day-0001abcd"}
    shots = [s.model_copy(update={"id": ids.get(s.id, s.id)}) for s in shotlist.shots]
    return build_timeline(shotlist.model_copy(update={"shots": shots}), make_config(fps))


def test_a_film_whose_shot_ids_collide_has_one_reel_a_media_file_in_every_format(tmp_path):
    import xml.etree.ElementTree as ET

    import aaf2
    import pycmx

    from storyreel.handoff.fcpxml import REEL_KEY
    from storyreel.handoff.prepare import reels

    tl = _colliding()
    export_all(tl, tmp_path)
    names = [c.name for c in picture_clips(tl)]
    expected = reels(names)
    assert len(set(expected.values())) == len(names) == 4
    with open(tmp_path / "cut.edl") as f:
        edits = [e for ev in pycmx.parse_cmx3600(f).events for e in ev.edits if not e.black]
    # every event names its reel, its clip and its file, as Premiere and Resolve read them
    assert {(e.clip_name, e.source, e.source_file) for e in edits} == {
        (n, expected[n], f"{n}.mov") for n in names
    }
    xml = ET.parse(tmp_path / "cut.xml").getroot()
    in_xml = {
        f.findtext("name"): f.findtext("timecode/reel/name")
        for f in xml.iter("file")
        if f.findtext("timecode/reel/name")
    }
    assert in_xml == {f"{n}.mov": expected[n] for n in names}
    fcpxml = ET.parse(tmp_path / "cut.fcpxml").getroot()
    in_fcpxml = {
        a.get("name"): a.find(f"metadata/md[@key='{REEL_KEY}']").get("value")
        for a in fcpxml.iter("asset")
        if a.find("metadata") is not None
    }
    assert in_fcpxml == expected
    with aaf2.open(str(tmp_path / "cut.aaf"), "r") as f:
        tapes = {
            m.name
            for m in f.content.sourcemobs()
            if isinstance(m.descriptor, aaf2.essence.TapeDescriptor)
        }
    assert set(expected.values()) <= tapes
    assert not {n for n in names if expected[n] != n} & tapes  # none named by its clip


def test_edl_uses_reel_names_and_keeps_clip_names(shotlist, tmp_path):
    config = make_config("24")
    export_all(build_timeline(shotlist, config), tmp_path)
    edl = (tmp_path / "cut.edl").read_text()
    events = [line.split() for line in edl.splitlines() if line[:3].isdigit()]
    assert {e[1] for e in events} >= {"BL", "1A", "1B", "2A", "2B"}
    assert "* FROM CLIP NAME:  2B" in edl
    # record timecode starts with the programme at 01:00:00:00; 1A follows the 4 s title card
    assert events[0][-2] == "01:00:00:00"
    first = next(e for e in events if e[1] == "1A")
    assert first[-2] == "01:00:04:00"


def test_wipes_leave_as_wipes_and_dissolves_as_dissolves(shotlist, tmp_path):
    import xml.etree.ElementTree as ET

    from storyreel.model import Transition, TransitionKind

    config = make_config("24")
    shots = list(shotlist.shots)  # 1A, wipe to 1B, dissolve to 2A (12 frames each), cut to 2B
    shots[1] = shots[1].model_copy(
        update={"transition_in": Transition(kind=TransitionKind.WIPE, frames=12)}
    )
    shotlist = shotlist.model_copy(update={"shots": shots})
    tl = build_timeline(shotlist, config)
    export_all(tl, tmp_path)
    edl = (tmp_path / "cut.edl").read_text()
    events = [line.split() for line in edl.splitlines() if line[:3].isdigit()]
    assert events[1:6] == [
        ["002", "1A", "V", "C", "00:00:01:00", "00:00:03:00", "01:00:04:00", "01:00:06:00"],
        ["003", "1A", "V", "C", "00:00:03:00", "00:00:03:00", "01:00:06:00", "01:00:06:00"],
        [
            "003",
            "1B",
            "V",
            "W001",
            "012",
            "00:00:01:00",
            "00:00:03:15",
            "01:00:06:00",
            "01:00:08:15",
        ],
        ["004", "1B", "V", "C", "00:00:03:15", "00:00:03:15", "01:00:08:15", "01:00:08:15"],
        ["004", "2A", "V", "D", "012", "00:00:01:00", "00:00:03:00", "01:00:08:15", "01:00:10:15"],
    ]
    assert events[6][:4] == ["005", "2B", "V", "C"]
    # the columns stay where the adapter put them
    assert len({len(line) for line in edl.splitlines() if line[:3].isdigit()}) == 1
    # FCP7 XML: the wipe is an Edge Wipe, the dissolve a Cross Dissolve
    effects = [
        (t.findtext("effect/name"), t.findtext("effect/effectid"))
        for t in ET.parse(tmp_path / "cut.xml").iter("transitionitem")
    ]
    assert effects == [("wipe", "Edge Wipe"), ("dissolve", "Cross Dissolve")]

    # OTIO's readers: same cut points, the wipe still a wipe
    for suffix, kinds in [
        (".otio", [("wipe", "SMPTE_Wipe"), ("dissolve", "SMPTE_Dissolve")]),
        (
            ".edl",
            [
                ("SMPTE_Wipe from 1A to 1B", "SMPTE_Wipe"),
                ("SMPTE_Dissolve from 1B to 2A", "SMPTE_Dissolve"),
            ],
        ),
        (".xml", [("wipe", "SMPTE_Dissolve"), ("dissolve", "SMPTE_Dissolve")]),
    ]:
        back = read_edit(tmp_path / f"cut{suffix}", config.film.fps)
        assert cut_list(back, config.film.fps) == cut_list(tl), suffix
        v1 = back.video_tracks()[0]
        got = [t for t in v1 if isinstance(t, otio.schema.Transition)]
        assert [(t.name, t.transition_type) for t in got] == kinds, suffix
        assert [[c.name for c in v1.neighbors_of(t)] for t in got] == [["1A", "1B"], ["1B", "2A"]]
        assert [t.out_offset.to_frames() for t in got] == [12, 12]
        # import-edit reads the same shots and trims: nothing changed
        ov = import_edit(tmp_path / f"cut{suffix}", shotlist, fps=config.film.fps, reference=tl)
        assert [(e.shot_id, e.src_in, e.length) for e in ov.entries] == [
            (c.name, c.source_range.start_time.to_frames(), c.source_range.duration.to_frames())
            for c in picture_clips(tl)
        ]
        assert ov.changes == [], suffix


def _nle_edit(tl: otio.schema.Timeline) -> otio.schema.Timeline:
    """What an editor does: move 2B to the front, trim 1A's head by 6 frames and its tail by
    4, drop 2A, and use 1B twice."""
    tl = tl.deepcopy()
    v1 = tl.video_tracks()[0]
    for t in [i for i in v1 if isinstance(i, otio.schema.Transition)]:
        v1.remove(t)
    clips = {c.name: c for c in v1 if isinstance(c, otio.schema.Clip) and c.name != "BLACK"}
    rate = clips["1A"].source_range.start_time.rate
    a = clips["1A"]
    a.source_range = otio.opentime.TimeRange(
        a.source_range.start_time + RT(6, rate), a.source_range.duration - RT(10, rate)
    )
    v1.remove(clips["2A"])
    v1.remove(clips["2B"])
    v1.insert(1, clips["2B"])
    v1.append(clips["1B"].deepcopy())
    return tl


@pytest.mark.parametrize("suffix", [".otio", ".edl", ".xml", ".fcpxml"])
def test_round_trip_edit_import_and_rebuild(shotlist, config, tmp_path, suffix):
    fps = config.film.fps
    tl = build_timeline(shotlist, config)
    edited = _nle_edit(tl)
    out = tmp_path / "edited"
    export_all(edited, out)
    overrides = import_edit(out / f"cut{suffix}", shotlist, fps=fps, reference=tl)
    before = {c.name: c.source_range for c in picture_clips(tl)}
    assert [(e.shot_id, e.length) for e in overrides.entries] == [
        ("2B", before["2B"].duration.to_frames()),
        ("1A", before["1A"].duration.to_frames() - 10),
        ("1B", before["1B"].duration.to_frames()),
        ("1B", before["1B"].duration.to_frames()),
    ]
    assert overrides.entries[1].src_in == before["1A"].start_time.to_frames() + 6
    report = "\n".join(overrides.changes)
    assert "removed: 2A" in report and "duplicated: 1B ×2" in report
    assert "reordered: 2B now first" in report and "trimmed: 1A head +6 tail -4" in report

    rebuilt = build_timeline(shotlist, config, overrides=overrides)
    got = [
        (c.name, c.source_range.start_time.to_frames(), c.source_range.duration.to_frames())
        for c in picture_clips(rebuilt)
    ]
    assert got == [(e.shot_id, e.src_in, e.length) for e in overrides.entries]
    # 1B speaks once, where it first appears
    speakers = [
        c.metadata["storyreel"]["shot_id"]
        for c in rebuilt.audio_tracks()[0]
        if isinstance(c, otio.schema.Clip)
    ]
    assert speakers == ["2B", "2B", "1B"]


def test_clips_renamed_after_their_media_still_map_to_shots(shotlist, tmp_path):
    config = make_config("24")
    tl = build_timeline(shotlist, config)
    clips = picture_clips(tl)
    for clip in clips:
        clip.metadata.clear()
        clip.name = f"{clip.name}.mov"  # as Premiere names a clip after its file
    last = clips[-1]
    last.name = "Nested Sequence 01"  # renamed, but still on its media
    last.media_reference = otio.schema.ExternalReference(
        target_url=(tmp_path / "media" / "2B.mov").as_uri(),
        available_range=last.media_reference.available_range,
    )
    otio.adapters.write_to_file(tl, str(tmp_path / "renamed.otio"))
    ov = import_edit(tmp_path / "renamed.otio", shotlist, fps=config.film.fps)
    assert [e.shot_id for e in ov.entries] == ["1A", "1B", "2A", "2B"]


def test_an_edl_without_clip_names_maps_by_reel(shotlist, tmp_path):
    config = make_config("24")
    export_all(build_timeline(shotlist, config), tmp_path)
    bare = tmp_path / "bare.edl"
    bare.write_text(
        "".join(
            line + "\n"
            for line in (tmp_path / "cut.edl").read_text().splitlines()
            if not line.startswith("*")
        )
    )
    ov = import_edit(bare, shotlist, fps=config.film.fps)
    assert [e.shot_id for e in ov.entries] == ["1A", "1B", "2A", "2B"]


def test_titles_past_a_shortened_picture_still_export(shotlist, tmp_path):
    config = make_config("24")
    tl = build_timeline(shotlist, config)
    v1 = tl.video_tracks()[0]
    v1.remove(picture_clips(tl)[-1])  # the titles track now runs past the picture
    paths = export_all(tl, tmp_path)
    fcpxml = next(p for p in paths if p.suffix == ".fcpxml")
    assert cut_list(read_edit(fcpxml, config.film.fps), config.film.fps) == cut_list(tl)


def test_import_without_reference_compares_with_the_script(shotlist, tmp_path):
    config = make_config("24")
    export_all(build_timeline(shotlist, config), tmp_path)
    ov = import_edit(tmp_path / "cut.edl", shotlist, fps=config.film.fps)
    assert [e.shot_id for e in ov.entries] == ["1A", "1B", "2A", "2B"]
    assert not any(c.startswith(("removed", "reordered", "duplicated")) for c in ov.changes)


def test_an_edl_from_another_project_is_refused_with_its_line(shotlist, tmp_path):
    edl = tmp_path / "other.edl"
    edl.write_text(
        "TITLE: SOMETHING ELSE\n\n"
        "001  AX       V     C        00:00:00:00 00:00:02:00 01:00:00:00 01:00:02:00\n"
        "* FROM CLIP NAME:  beach_sunset_v3\n"
    )
    with pytest.raises(StoryreelError) as err:
        import_edit(edl, shotlist)
    e = err.value
    assert e.path == str(edl) and e.line == 4
    assert "no clip maps to a shot" in e.message and "beach_sunset_v3" in e.message


def test_truncated_xml_and_garbled_files_name_the_file(shotlist, config, tmp_path):
    export_all(build_timeline(shotlist, config), tmp_path)
    text = (tmp_path / "cut.xml").read_text()
    cut = tmp_path / "truncated.xml"
    cut.write_text(text[: len(text) // 2])
    with pytest.raises(StoryreelError) as err:
        import_edit(cut, shotlist)
    assert err.value.path == str(cut) and err.value.line is not None and err.value.line > 1
    bad = tmp_path / "bad.otio"
    bad.write_text('{"OTIO_SCHEMA": "Timeline.1", "tracks": ')
    with pytest.raises(StoryreelError) as err:
        import_edit(bad, shotlist)
    assert err.value.path == str(bad)
    with pytest.raises(StoryreelError, match="cannot read .mov"):
        import_edit(tmp_path / "cut.mov", shotlist)


def test_cli_import_edit_stores_overrides_and_reports(tmp_path):
    from storyreel.cli import app
    from storyreel.store.project import Project, load_overrides

    root = tmp_path / "film"
    shutil.copytree(Path(__file__).parents[2] / "examples" / "footage", root)
    project = Project.open(root)
    from storyreel.script.breakdown import breakdown_script

    shotlist = breakdown_script(project.script, project.config)
    tl = build_timeline(shotlist, project.config)
    export_all(tl, project.out_dir)
    v1 = tl.video_tracks()[0]
    first = picture_clips(tl)[0]
    v1.remove(first)
    v1.append(first)
    otio.adapters.write_to_file(tl, str(tmp_path / "moved.otio"))

    runner = CliRunner()
    bad = tmp_path / "other.edl"
    bad.write_text(
        "TITLE: X\n\n001  AX       V     C        00:00:00:00 00:00:01:00 "
        "00:00:00:00 00:00:01:00\n* FROM CLIP NAME:  someone_elses_shot\n"
    )
    result = runner.invoke(app, ["import-edit", str(root), str(bad)])
    assert result.exit_code == 2 and "someone_elses_shot" in result.output
    assert "Traceback" not in result.output
    assert load_overrides(project) is None  # nothing changed

    result = runner.invoke(
        app, ["import-edit", str(root), str(tmp_path / "moved.otio"), "--dry-run"]
    )
    assert result.exit_code == 0 and "reordered" in result.output and "--dry-run" in result.output
    assert load_overrides(project) is None

    result = runner.invoke(app, ["import-edit", str(root), str(tmp_path / "moved.otio")])
    assert result.exit_code == 0, result.output
    assert "reordered" in result.output
    stored = load_overrides(project)
    assert stored is not None and stored.entries[-1].shot_id == first.name
    rebuilt = build_timeline(shotlist, project.config, overrides=stored)
    assert picture_clips(rebuilt)[-1].name == first.name

    result = runner.invoke(app, ["import-edit", str(root), "--clear"])
    assert result.exit_code == 0 and "follows the script" in result.output
    assert load_overrides(project) is None


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    fps=st.sampled_from(["24", "25", "24000/1001", "30000/1001"]),
    seconds=st.lists(st.floats(0.3, 9.0), min_size=2, max_size=6),
    dissolves=st.lists(st.integers(0, 20), min_size=6, max_size=6),
)
def test_cut_lists_survive_every_format_at_any_rate(tmp_path_factory, fps, seconds, dissolves):
    from storyreel.model import Shot, ShotSize, SourceSpan, Transition, TransitionKind

    base = make_shotlist()
    span = SourceSpan(start=1, end=1)
    shots = [
        Shot(
            id=f"S{i}",
            scene_id="sc1",
            size=ShotSize.MS,
            lines=span,
            duration=d,
            transition_in=Transition(
                kind=(TransitionKind.WIPE, TransitionKind.DISSOLVE)[f % 2]
                if f
                else TransitionKind.CUT,
                frames=f,
            ),
        )
        for i, (d, f) in enumerate(zip(seconds, dissolves, strict=False))
    ]
    shotlist = base.model_copy(update={"shots": shots, "cards": []})
    config = make_config(fps)
    tl = build_timeline(shotlist, config)
    out = tmp_path_factory.mktemp("rates")
    expected = cut_list(tl)
    for path in readable(export_all(tl, out)):
        assert cut_list(read_edit(path, config.film.fps), config.film.fps) == expected, path.suffix


def test_the_music_bed_points_at_its_copy_in_the_media_folder(shotlist, tmp_path):
    import xml.etree.ElementTree as ET

    from tests.edit.edit_helpers import write_wav

    music = write_wav(tmp_path / "bed.wav", seconds=30.0, freq=50.0)
    out = tmp_path / "out"
    paths = export_all(build_timeline(shotlist, make_config("24"), music=music), out)
    fcpxml = ET.parse(out / "cut.fcpxml").getroot()
    [bed] = [c for c in fcpxml.iter("asset-clip") if c.get("lane") == "-2"]
    asset = fcpxml.find(f"resources/asset[@id='{bed.get('ref')}']")
    copy = (out / "media" / "bed.wav").resolve().as_uri()  # the media stage copies it there
    assert asset.get("src") == copy and asset.get("hasVideo") == "0"
    assert copy in (out / "cut.xml").read_text()
    aaf = otio.adapters.read_from_file(str(next(p for p in paths if p.suffix == ".aaf")))
    assert len(aaf.audio_tracks()) == 2  # dialogue and music


FCPX_PATCHED_FOR = "1.0.0"  # the otio-fcpx-xml-adapter that handoff.fcpxml.exact_reader patches


def test_the_fcpx_adapter_is_the_one_its_patch_was_written_for():
    installed = importlib.metadata.version("otio-fcpx-xml-adapter")
    assert installed == FCPX_PATCHED_FOR, (
        f"otio-fcpx-xml-adapter {installed} is installed: re-check the patch in "
        "storyreel.handoff.fcpxml.exact_reader (OpenTimelineIO issue #903) and remove it if "
        "the adapter now reads 24000/1001 exactly"
    )
    module = otio.adapters.from_name("fcpx_xml").module()
    assert (
        module.to_rational_time("1001/24000s", 24000 / 1001).rate == 23
    )  # the quirk it works around


def _stems(media: Path, frames: int, fps: int = 24) -> dict[str, Path]:
    """The mix's stems in `media`, as the media stage copies them: 48 kHz stereo 24-bit."""
    import numpy as np
    import soundfile

    media.mkdir(parents=True, exist_ok=True)
    n = frames * 48000 // fps
    out = {}
    for k, bus in enumerate(("dialogue", "music", "effects")):
        tone = 0.1 * np.sin(2 * np.pi * (200 + 100 * k) * np.arange(n) / 48000)
        path = media / f"stem-{bus}.wav"
        soundfile.write(str(path), np.stack([tone, -tone], axis=1), 48000, subtype="PCM_24")
        out[bus] = path
    return out


def test_the_stems_are_audio_tracks_over_the_whole_film_in_every_format(shotlist, tmp_path):
    import xml.etree.ElementTree as ET

    import aaf2

    tl = build_timeline(shotlist, make_config("24"))
    frames = tl.duration().to_frames()
    stems = _stems(tmp_path / "media", frames)
    export_all(tl, tmp_path)
    files = {p.name for p in stems.values()}

    # cut.otio: one track a stem, its path relative to the export
    local = otio.adapters.read_from_file(str(tmp_path / "cut.otio"))
    tracks = [t for t in local.audio_tracks() if t.name.endswith(" stem")]
    assert [t.name for t in tracks] == ["Dialogue stem", "Music stem", "Effects stem"]
    for track in tracks:
        [clip] = track.find_clips()
        assert (tmp_path / clip.media_reference.target_url).is_file()
        assert track.range_of_child(clip).start_time.to_frames() == 0
        assert clip.duration().to_frames() == frames

    # FCP7 XML: a stereo stem is two tracks, one channel each, of one 2-channel file
    xml = ET.parse(tmp_path / "cut.xml").getroot()
    described = {
        f.findtext("name"): (
            f.findtext("media/audio/channelcount"),
            f.findtext("media/audio/samplecharacteristics/samplerate"),
            f.findtext("media/audio/samplecharacteristics/depth"),
            Path(otio.url_utils.filepath_from_url(f.findtext("pathurl"))),
        )
        for f in xml.iter("file")
        if f.findtext("pathurl")
    }
    for name in files:
        channels, rate, depth, path = described[name]
        assert (channels, rate, depth) == ("2", "48000", "24") and path.is_file()
        assert path.parent == (tmp_path / "media").resolve()
    ids = {f.get("id"): f.findtext("name") for f in xml.iter("file") if f.findtext("name")}
    on_tracks = [
        (ids[c.find("file").get("id")], c.findtext("sourcetrack/trackindex"), c)
        for track in xml.findall(".//sequence/media/audio/track")
        for c in track.findall("clipitem")
    ]
    stem_items = [(n, ch) for n, ch, _ in on_tracks if n in files]
    assert stem_items == [(n, ch) for n in _stems_order(stems) for ch in ("1", "2")]
    for name, _, item in on_tracks:
        if name in files:
            assert (item.findtext("start"), item.findtext("end")) == ("0", str(frames))
    outputs = [
        (ids[t.find("clipitem/file").get("id")], t.findtext("outputchannelindex"))
        for t in xml.findall(".//sequence/media/audio/track")
    ]
    assert [o for n, o in outputs if n in files] == ["1", "2"] * 3  # left, right
    assert [o for n, o in outputs if n not in files] == [None]  # the mono lines: as they were
    audio = xml.find(".//sequence/media/audio")
    assert audio.findtext("numOutputChannels") == "2"
    assert audio.findtext("format/samplecharacteristics/samplerate") == "48000"
    # the shots' files are pictures: no sound claimed, their frame size said
    shot = _file_media(xml, "1A.mov")
    assert shot.find("audio") is None and shot.findtext("video/samplecharacteristics/width")
    back = read_edit(tmp_path / "cut.xml", 24)
    assert cut_list(back, 24) == cut_list(tl)

    # FCPXML: each stem a connected clip below the spine, from the first frame to the last
    fcpxml = ET.parse(tmp_path / "cut.fcpxml").getroot()
    sequence = fcpxml.find("library/event/project/sequence")
    assets = {a.get("id"): a for a in fcpxml.iter("asset")}
    connected = [c for c in sequence.iter("asset-clip") if c.get("name", "").startswith("stem-")]
    assert [c.get("audioRole") for c in connected] == [
        "dialogue.dialogue-stem",
        "music.music-stem",
        "effects.effects-stem",
    ]
    first = sequence.find("spine")[0]
    for clip in connected:
        asset = assets[clip.get("ref")]
        assert clip in list(first) and int(clip.get("lane")) < 0
        assert (clip.get("offset"), clip.get("start")) == ("0s", "0s")
        assert clip.get("duration") == sequence.get("duration") == asset.get("duration")
        assert (asset.get("hasAudio"), asset.get("hasVideo")) == ("1", "0")
        assert (asset.get("audioChannels"), asset.get("audioRate")) == ("2", "48000")
        assert Path(otio.url_utils.filepath_from_url(asset.get("src"))).is_file()

    # AAF: a track a stem, read back by the adapter, its PCM descriptor stereo 24-bit
    aaf = otio.adapters.read_from_file(str(tmp_path / "cut.aaf"), adapter_name="AAF")
    back = {c.name: c for t in aaf.audio_tracks() for c in t.find_clips()}
    for path in stems.values():
        clip = back[path.stem]
        assert clip.duration().to_frames() == frames
        assert clip.range_in_parent().start_time.to_frames() == 0
    with aaf2.open(str(tmp_path / "cut.aaf"), "r") as f:
        pcm = [
            (m.descriptor["Channels"].value, m.descriptor["QuantizationBits"].value)
            for m in f.content.sourcemobs()
            if isinstance(m.descriptor, aaf2.essence.PCMDescriptor)
        ]
    assert pcm.count((2, 24)) == 3


def _stems_order(stems: dict[str, Path]) -> list[str]:
    return [stems[bus].name for bus in ("dialogue", "music", "effects")]


def _file_media(xml, name: str):
    return next(f.find("media") for f in xml.iter("file") if f.findtext("name") == name)
