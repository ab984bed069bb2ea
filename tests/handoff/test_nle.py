"""The handoff as an editor opens it: a small film rendered with `--media`, its exports read by
independent parsers and rendered by a real NLE (Kdenlive's engine, `melt`), frame by frame
against the cut."""

from __future__ import annotations

import collections
import collections.abc
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import aaf2
import av
import numpy as np
import opentimelineio as otio
import pycmx
import pytest
import soundfile
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.handoff.prepare import cut_list, reels
from tests.run.conftest import decode, make_project

RT = otio.opentime.RationalTime


def render(root: Path, *args: str):
    return CliRunner().invoke(app, ["render", str(root), "--quiet", *args])


@pytest.fixture(scope="module")
def film(tmp_path_factory) -> Path:
    """The small film rendered with its media; no grain, no fade, so that a frame of a shot
    looks the same in the cut and in its media file."""
    root = make_project(tmp_path_factory.mktemp("nle") / "film")
    toml = root / "storyreel.toml"
    toml.write_text(
        toml.read_text()
        .replace("grain = 0.2", "grain = 0")
        .replace("fade_in = 0.25", "fade_in = 0")
    )
    result = render(root, "--media")
    assert result.exit_code == 0, result.output
    return root


def _otio(root: Path) -> otio.schema.Timeline:
    return otio.adapters.read_from_file(str(root / "out" / "cut.otio"))


def _shots(tl: otio.schema.Timeline) -> list[tuple[str, int, int, int, int]]:
    """(name, record in, record out, source in, dissolve frames into it) of V1's clips."""
    v1, out, into = tl.video_tracks()[0], [], 0
    for item in v1:
        if isinstance(item, otio.schema.Transition):
            into = item.out_offset.to_frames()
        elif isinstance(item, otio.schema.Clip):
            r = v1.range_of_child(item)
            out.append(
                (
                    item.name,
                    r.start_time.to_frames(),
                    r.end_time_exclusive().to_frames(),
                    item.source_range.start_time.to_frames(),
                    into,
                )
            )
            into = 0
    return out


def test_every_shot_and_line_has_its_media_with_timecode_and_reel(film):
    tl = _otio(film)
    media = film / "out" / "media"
    names = reels([n for n, *_ in _shots(tl) if n != "BLACK"])
    for clip in tl.video_tracks()[0].find_clips():
        path = film / "out" / clip.media_reference.target_url
        assert path.is_file(), path  # relative to the OTIO file: media/<shot>.mov
        if clip.name == "BLACK":
            continue
        with av.open(str(path)) as c:
            video, tmcd = c.streams.video[0], c.streams.data[0]
            assert video.codec_context.name == "prores"
            assert (video.width, video.height) == (320, 180)
            assert tmcd.metadata["timecode"] == "00:00:00:00"
            assert tmcd.metadata["reel_name"] == names[clip.name]
            frames = sum(1 for _ in c.decode(video=0))
        assert frames == clip.media_reference.available_range.duration.to_frames()
    lines = [c for c in tl.audio_tracks()[0].find_clips()]
    assert lines
    for clip in lines:
        path = film / "out" / clip.media_reference.target_url
        with av.open(str(path)) as c:
            assert c.metadata["time_reference"] == "0"  # Broadcast WAV, at its source start
            assert c.streams.audio[0].codec_context.name == "pcm_s16le"
    assert [p.suffix for p in media.iterdir()].count(".mov") == len(names)


def test_kdenlive_renders_the_handoff_frame_for_frame_as_the_cut(film, tmp_path):
    """Kdenlive's project file made from cut.otio by the otio-kdenlive adapter, rendered by
    melt at the film's size: every frame of every shot is the cut's (dissolves aside: the
    adapter cuts them), no clip offline, no shot shifted in its source."""
    out = film / "out"
    project = ET.fromstring(otio.adapters.write_to_string(_otio(film), "kdenlive"))
    assert not [p for p in project.iter("producer") if p.get("id") == "unsupported"]
    for producer in project.iter("producer"):
        resource = next(
            (p.text for p in producer.iter("property") if p.get("name") == "resource"), None
        )
        if resource and resource != "black":
            assert (out / resource).is_file(), resource  # nothing offline
    profile = project.find("profile")
    profile.set("width", "320")
    profile.set("height", "180")
    kdenlive = out / "cut.kdenlive"
    kdenlive.write_text(ET.tostring(project, encoding="unicode"))
    cut = decode(out / "cut.mp4")
    rendered = tmp_path / "melt.mkv"
    run = subprocess.run(
        [
            "melt",
            "-quiet",
            str(kdenlive),
            f"out={len(cut) - 1}",
            "-consumer",
            f"avformat:{rendered}",
            "vcodec=ffv1",
            "an=1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=out,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    nle = decode(rendered)
    assert len(nle) == len(cut)
    for name, rec_in, rec_out, src_in, dissolve in _shots(_otio(film)):
        own = decode(out / "media" / f"{name}.mov") if name != "BLACK" else []
        for t in range(rec_in + dissolve, rec_out):
            diff = np.abs(nle[t].astype(int) - cut[t]).mean()
            assert diff < 3, (name, t, diff)
            if name != "BLACK":  # the frame the NLE shows is the media's frame at the EDL's in
                k = src_in + t - rec_in
                assert np.abs(own[k].astype(int) - nle[t]).mean() < 3, (name, t)


def _edl_expected(tl: otio.schema.Timeline) -> list[tuple]:
    """(reel, transition, frames, source in, source out, record in, record out) per event."""
    start = tl.global_start_time
    rate = start.rate
    names = reels([n for n, *_ in _shots(tl) if n != "BLACK"])
    out = []
    for name, rec_in, rec_out, src_in, dissolve in _shots(tl):

        def tc(frames: int) -> str:
            return otio.opentime.to_timecode(RT(frames, rate), rate)

        out.append(
            (
                "BL" if name == "BLACK" else names[name],
                "D" if dissolve else "C",
                dissolve,
                tc(src_in),
                tc(src_in + rec_out - rec_in),
                tc(start.to_frames() + rec_in),
                tc(start.to_frames() + rec_out),
            )
        )
    return out


def test_the_edl_reads_back_the_same_through_two_parsers(film, monkeypatch):
    text = (film / "out" / "cut.edl").read_text()
    assert text.splitlines()[1] == "FCM: NON-DROP FRAME"
    expected = _edl_expected(_otio(film))
    assert any(e[1] == "D" for e in expected)
    with open(film / "out" / "cut.edl") as f:  # pycmx, strict columns
        edits = [e for ev in pycmx.parse_cmx3600(f).events for e in ev.edits]
    got = [
        (
            e.source,
            e.transition.kind,
            int(e.transition.effect_duration or 0) if e.transition.kind == "D" else 0,
            e.source_in,
            e.source_out,
            e.record_in,
            e.record_out,
        )
        for e in edits
        if e.record_in != e.record_out
    ]
    assert got == expected
    # edl 0.1.11, its latest release, still uses collections.Iterable, gone since Python 3.10
    monkeypatch.setattr(collections, "Iterable", collections.abc.Iterable, raising=False)
    import edl

    assert edl.__version__ == "0.1.11"
    events = edl.Parser("24").parse(text).events
    got = [
        (
            e.reel,
            e.tr_code,
            int(e.aux or 0),
            e.src_start_tc.__str__(),
            e.src_end_tc.__str__(),
            e.rec_start_tc.__str__(),
            e.rec_end_tc.__str__(),
        )
        for e in events
        if str(e.rec_start_tc) != str(e.rec_end_tc)
    ]
    assert got == expected
    # scene markers as locators, at the record timecode of the shot they open
    locs = [line for line in text.splitlines() if line.startswith("* LOC:")]
    assert locs == [
        "* LOC: 01:00:04:00 GREEN   1 EXT. PIER - NIGHT",
        f"* LOC: {expected[-2][5]} GREEN   2 INT. ARCHIVE - NIGHT",
    ]


def test_the_aaf_reads_back_with_the_same_cut_list(film):
    tl = _otio(film)
    back = otio.adapters.read_from_file(str(film / "out" / "cut.aaf"), adapter_name="AAF")
    assert cut_list(back, 24) == cut_list(tl)
    assert sum(isinstance(i, otio.schema.Transition) for i in back.video_tracks()[0]) == 1
    spoken = [c.name for t in back.audio_tracks() for c in t.find_clips()]
    lines = [c.name for c in tl.audio_tracks()[0].find_clips()]
    assert spoken == [*lines, "stem-dialogue", "stem-music", "stem-effects"]


def test_the_stems_run_the_length_of_the_cut_in_every_export(film):
    """The mix's stems, copied into media/, are on their own tracks from the cut's first
    frame to its last in cut.otio, cut.xml, cut.fcpxml and cut.aaf."""
    out = film / "out"
    frames = len(decode(out / "cut.mp4"))
    stems = [out / "media" / f"stem-{bus}.wav" for bus in ("dialogue", "music", "effects")]
    for path in stems:
        with av.open(str(path)) as c:
            audio = c.streams.audio[0]
            assert (audio.channels, audio.sample_rate) == (2, 48000)
            assert c.duration * 24 == frames * 1_000_000  # microseconds, at 24 fps
    local = _otio(film)
    clips = {c.name: c for t in local.audio_tracks() for c in t.find_clips()}
    for path in stems:
        assert (out / clips[path.stem].media_reference.target_url).resolve() == path.resolve()
        assert clips[path.stem].duration().to_frames() == frames
    xml = ET.parse(out / "cut.xml").getroot()
    urls = {f.findtext("name"): f.findtext("pathurl") for f in xml.iter("file")}
    ends = {
        (c.findtext("name"), c.findtext("sourcetrack/trackindex")): int(c.findtext("end"))
        for c in xml.findall(".//sequence/media/audio/track/clipitem")
    }
    for path in stems:
        assert urls[path.name] == path.resolve().as_uri()
        assert ends[(path.stem, "1")] == ends[(path.stem, "2")] == frames
    fcpxml = ET.parse(out / "cut.fcpxml").getroot()
    srcs = {a.get("name"): a for a in fcpxml.iter("asset")}
    for path in stems:
        assert srcs[path.stem].get("src") == path.resolve().as_uri()
        assert srcs[path.stem].get("audioChannels") == "2"
    aaf = otio.adapters.read_from_file(str(out / "cut.aaf"), adapter_name="AAF")
    back = {c.name: c for t in aaf.audio_tracks() for c in t.find_clips()}
    assert all(back[p.stem].duration().to_frames() == frames for p in stems)


def test_kdenlive_plays_the_stems_as_the_cut_sounds(film, tmp_path):
    """Kdenlive's project from cut.otio with its stem tracks alone, rendered by melt: the
    sound is the cut's mix (its AAC) at the same samples, not shifted by a single block."""
    out = film / "out"
    tl = _otio(film)
    for track in [t for t in tl.audio_tracks() if not t.name.endswith(" stem")]:
        tl.tracks.remove(track)  # the lines are in the dialogue stem
    project = ET.fromstring(otio.adapters.write_to_string(tl, "kdenlive"))
    main = list(project.iter("tractor"))[-1]
    for b in range(1, len(main.findall("track"))):  # Kdenlive's own mix of its tracks
        mix = ET.SubElement(main, "transition")
        for name, value in (("a_track", 0), ("b_track", b), ("mlt_service", "mix")):
            ET.SubElement(mix, "property", name=name).text = str(value)
        ET.SubElement(mix, "property", name="always_active").text = "1"
        ET.SubElement(mix, "property", name="sum").text = "1"
    kdenlive = out / "stems.kdenlive"
    kdenlive.write_text(ET.tostring(project, encoding="unicode"))
    frames = len(decode(out / "cut.mp4"))
    rendered = tmp_path / "melt.wav"
    run = subprocess.run(
        [
            "melt",
            "-quiet",
            str(kdenlive),
            f"out={frames - 1}",
            "-consumer",
            f"avformat:{rendered}",
            "vn=1",
            "acodec=pcm_s16le",
            "frequency=48000",
            "channels=2",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=out,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    nle, _ = soundfile.read(str(rendered), dtype="float32")
    with av.open(str(out / "cut.mp4")) as c:
        mix = np.concatenate([f.to_ndarray() for f in c.decode(audio=0)], axis=1).T
    assert len(nle) == frames * 2000  # 48 kHz at 24 fps

    def off(lag: int) -> float:
        """How far the NLE's sound is from the mix `lag` samples later, relative to the mix."""
        lo, hi = max(0, -lag), min(len(nle), len(mix) - lag)
        a, b = nle[lo:hi], mix[lo + lag : hi + lag]
        return float(np.sqrt(((a - b) ** 2).mean() / (b**2).mean()))

    assert off(0) < 0.05  # AAC's loss
    assert min(off(lag) for lag in (-480, -48, 48, 480)) > 10 * off(0)  # 1 ms or 10 ms late


def test_the_fcpxml_has_its_wrapper_timecode_size_audio_dissolve_and_markers(film):
    root = ET.parse(film / "out" / "cut.fcpxml").getroot()
    assert root.get("version") == "1.8"
    sequence = root.find("library/event/project/sequence")
    assert sequence.get("tcStart") == "3600s"
    fmt = root.find(f"resources/format[@id='{sequence.get('format')}']")
    assert (fmt.get("width"), fmt.get("height"), fmt.get("frameDuration")) == (
        "320",
        "180",
        "1/24s",
    )
    spine = sequence.find("spine")
    assert spine[0].get("offset") == "3600s"
    assert [t.get("name") for t in spine.iter("transition")] == ["Cross Dissolve"]
    lines = [c for c in spine.iter("asset-clip") if c.get("lane") == "-1"]
    assert [c.get("name") for c in lines] == [
        c.name for c in _otio(film).audio_tracks()[0].find_clips()
    ]
    assert [m.get("value") for m in spine.iter("marker")] == [
        "1 EXT. PIER - NIGHT",
        "2 INT. ARCHIVE - NIGHT",
    ]


def test_the_xml_has_its_frame_size_and_cross_dissolves(film):
    root = ET.parse(film / "out" / "cut.xml").getroot()
    chars = root.find(".//sequence/media/video/format/samplecharacteristics")
    assert (chars.findtext("width"), chars.findtext("height")) == ("320", "180")
    assert [t.findtext("alignment") for t in root.iter("transitionitem")] == ["start"]
    assert not [c for c in root.iter("clipitem") if c.findtext("start") == "-1"]
    assert [m.findtext("name") for m in root.find(".//sequence").findall("marker")] == [
        "1 EXT. PIER - NIGHT",
        "2 INT. ARCHIVE - NIGHT",
    ]


def _stamps(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if p.suffix in (".mov", ".wav")}


def test_changing_one_shot_rewrites_only_its_media(film, tmp_path):
    root = tmp_path / "film"
    shutil.copytree(film, root)
    media = root / "out" / "media"
    before = _stamps(media)
    script = root / "script.fountain"
    script.write_text(
        script.read_text().replace(
            "[[shot: INSERT, zoom-in, 1s, #sh4]]", "[[shot: INSERT, zoom-out, 1s, #sh4]]"
        )
    )
    result = render(root, "--media")
    assert result.exit_code == 0, result.output
    after = _stamps(media)
    assert [n for n in after if after[n] != before.get(n)] == ["sh4.mov"]


def test_a_media_folder_that_cannot_be_written_is_named_and_the_cut_is_still_written(tmp_path):
    root = make_project(tmp_path / "film")
    (root / "out").mkdir()
    (root / "out" / "media").write_text("not a folder")
    result = render(root, "--media")
    assert result.exit_code != 0
    assert "cannot write the media folder" in result.output and "media" in result.output
    assert "Traceback" not in result.output
    assert len(decode(root / "out" / "cut.mp4")) > 0


def test_a_codec_this_pyav_build_lacks_is_refused_and_the_cut_is_still_written(
    tmp_path, monkeypatch
):
    root = make_project(tmp_path / "film")
    toml = root / "storyreel.toml"
    toml.write_text(toml.read_text() + '\n[render]\nmedia = true\nmedia_codec = "dnxhr"\n')
    monkeypatch.setattr(av, "codecs_available", av.codecs_available - {"dnxhd"})
    result = render(root)
    assert result.exit_code != 0
    assert "has no dnxhd encoder, needed for dnxhr media" in result.output
    assert "Traceback" not in result.output
    assert (root / "out" / "cut.mp4").is_file()
    assert not (root / "out" / "media").exists() or not any(
        p.suffix == ".mov" for p in (root / "out" / "media").iterdir()
    )


def test_media_is_only_written_when_asked(project):
    assert render(project).exit_code == 0
    media = project / "out" / "media"
    assert not [p for p in media.iterdir() if p.suffix in (".mov", ".wav")]  # titles only
    assert os.path.isfile(project / "out" / "cut.otioz")


def test_shots_whose_ids_end_alike_get_their_own_reel_in_the_media_and_every_export(tmp_path):
    """Two shot ids with the same last 8 characters: each media file carries its own reel in
    its timecode track, and the EDL, the XML, the FCPXML and the AAF say the same one."""
    from storyreel.handoff.fcpxml import REEL_KEY
    from tests.run.conftest import SCRIPT

    script = SCRIPT.replace("#sh1", "#dock-night-0001abcd").replace("#sh3", "#pier-day-0001abcd")
    root = make_project(tmp_path / "film", script=script)
    result = render(root, "--media")
    assert result.exit_code == 0, result.output
    out = root / "out"
    in_media = {}
    for mov in (out / "media").glob("*.mov"):
        with av.open(str(mov)) as c:
            in_media[mov.stem] = c.streams.data[0].metadata["reel_name"]
    assert in_media["dock-night-0001abcd"] != in_media["pier-day-0001abcd"]
    assert len(set(in_media.values())) == len(in_media)
    with open(out / "cut.edl") as f:
        edits = [e for ev in pycmx.parse_cmx3600(f).events for e in ev.edits if not e.black]
    assert {(e.clip_name, e.source) for e in edits} == set(in_media.items())
    assert {e.source_file for e in edits} == {f"{n}.mov" for n in in_media}
    xml = ET.parse(out / "cut.xml").getroot()
    assert {
        f.findtext("name"): f.findtext("timecode/reel/name")
        for f in xml.iter("file")
        if f.findtext("timecode/reel/name")
    } == {f"{n}.mov": r for n, r in in_media.items()}
    fcpxml = ET.parse(out / "cut.fcpxml").getroot()
    assert {
        a.get("name"): a.find(f"metadata/md[@key='{REEL_KEY}']").get("value")
        for a in fcpxml.iter("asset")
        if a.find("metadata") is not None
    } == in_media
    with aaf2.open(str(out / "cut.aaf"), "r") as f:
        tapes = {
            m.name
            for m in f.content.sourcemobs()
            if isinstance(m.descriptor, aaf2.essence.TapeDescriptor)
        }
    assert set(in_media.values()) <= tapes


@pytest.mark.parametrize("suffix", [".xml", ".fcpxml", ".aaf", ".kdenlive", ".edl"])
def test_stock_otioconvert_converts_cut_otio_as_the_docs_say(film, tmp_path, suffix):
    """docs/editors.md: every adapter format but the EDL, which refuses two video tracks."""
    out = tmp_path / f"stock{suffix}"
    args = ["-A", "use_empty_mob_ids=True"] if suffix == ".aaf" else []
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "opentimelineio.console.otioconvert",
            "-i",
            str(film / "out" / "cut.otio"),
            "-o",
            str(out),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=film / "out",
    )
    if suffix == ".edl":
        assert run.returncode != 0 and "Only a single video track is supported" in run.stderr
        return
    assert run.returncode == 0, run.stderr[-2000:]
    if suffix in (".xml", ".aaf"):
        back = otio.adapters.read_from_file(str(out))
        assert cut_list(back, 24) == cut_list(_otio(film))
        assert len(back.audio_tracks()) >= 4  # the lines and the three stems
