"""Final Cut Pro X / Resolve FCPXML 1.8, written here with ElementTree.

Written by hand because OTIO's FCPX adapter writes no `library`/`event` wrapper (Resolve needs
one), no `tcStart`, no frame size, no transitions, and places connected clips in time quadratic
in their number (a feature's dialogue would take it minutes). Here: the picture is the spine
(title cards on their black slug as clips, shots as asset-clips), dissolves and wipes are
spine transitions starting at their cut (the outgoing shot's tail handle under them, as in the
EDL and the XML), title cards and supers are connected clips above (lane 1), dialogue lines,
the music bed and the mix's stems below (lanes -1, -2..., a stem over the whole film), each
asset with its sound's channels and rate and a shot's with its reel; markers (scenes,
sections, notes) sit on the shot they fall in.
Offsets count from the sequence's `tcStart` (the film's start timecode), as FCP writes them.

OTIO's FCPX reader is still what `import-edit` reads an FCPXML with; `exact_reader` fixes two
of its quirks at NTSC rates and `as_written` puts its
lanes and `tcStart` right.
"""

from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from storyreel.edit.timeline import SMPTE_WIPE, TITLES_TRACK, timeline_fps
from storyreel.handoff.edl import drop_frame
from storyreel.handoff.media import audio_of, reel_of
from storyreel.handoff.prepare import markers

VERSION = "1.8"
CROSS_DISSOLVE = "FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265"
WIPE = ".../Transitions.localized/Wipes.localized/Wipe.localized/Wipe.motr"
REEL_KEY = "com.apple.proapps.studio.reel"
_NAMED = {(1920, 1080): "1080p", (1280, 720): "720p", (3840, 2160): "2160p"}


def _time(frames: int, fps: Fraction) -> str:
    t = Fraction(frames) / fps
    return f"{t.numerator}s" if t.denominator == 1 else f"{t.numerator}/{t.denominator}s"


def _format_name(size: tuple[int, int], fps: Fraction) -> str | None:
    kind = _NAMED.get(size)
    if kind is None:
        return None
    rate = (
        f"{fps.numerator // fps.denominator}"
        if fps.denominator == 1
        else f"{round(float(fps) * 100):d}".rstrip("0")
    )
    return f"FFVideoFormat{kind}{rate}"


class _Writer:
    def __init__(self, nle: otio.schema.Timeline):
        self.nle, self.fps = nle, timeline_fps(nle)
        self.root = ET.Element("fcpxml", version=VERSION)
        self.resources = ET.SubElement(self.root, "resources")
        w, h = nle.metadata["storyreel"]["frame_size"]
        fmt = {
            "id": "r1",
            "frameDuration": _time(1, self.fps),
            "width": str(w),
            "height": str(h),
            "colorSpace": "1-1-1 (Rec. 709)",
        }
        if name := _format_name((w, h), self.fps):
            fmt["name"] = name
        ET.SubElement(self.resources, "format", fmt)
        ET.SubElement(self.resources, "effect", id="r2", name="Cross Dissolve", uid=CROSS_DISSOLVE)
        ET.SubElement(self.resources, "effect", id="r3", name="Wipe", uid=WIPE)
        self.assets: dict[str, str] = {}
        self.start = nle.global_start_time.to_frames() if nle.global_start_time else 0

    def asset(self, clip: otio.schema.Clip, audio: bool) -> str:
        ref = clip.media_reference
        url = ref.target_url
        if url not in self.assets:
            rid = f"r{len(self.assets) + 4}"
            self.assets[url] = rid
            attrs = {
                "id": rid,
                "name": Path(ref.name or url).stem,
                "src": url,
                "start": "0s",
                "duration": _time(ref.available_range.duration.to_frames(), self.fps),
            }
            if audio:
                attrs.update(hasAudio="1", hasVideo="0", audioSources="1")
                if sound := audio_of(ref):  # unknown: a music file that could not be read
                    attrs.update(audioChannels=str(sound.channels), audioRate=str(sound.rate))
            else:
                attrs.update(hasVideo="1", hasAudio="0", format="r1")
            asset = ET.SubElement(self.resources, "asset", attrs)
            if reel := reel_of(ref):  # FCP's Reel column, and what Resolve conforms by
                ET.SubElement(ET.SubElement(asset, "metadata"), "md", key=REEL_KEY, value=reel)
        return self.assets[url]

    def write(self) -> str:
        nle, fps = self.nle, self.fps
        event = ET.SubElement(ET.SubElement(self.root, "library"), "event", name=nle.name)
        project = ET.SubElement(event, "project", name=nle.name)
        sequence = ET.SubElement(
            project,
            "sequence",
            {
                "format": "r1",
                "duration": _time(nle.duration().to_frames(), fps),
                "tcStart": _time(self.start, fps),
                "tcFormat": "DF" if drop_frame(fps) else "NDF",
                "audioLayout": "stereo",
                "audioRate": "48k",
            },
        )
        spine = ET.SubElement(sequence, "spine")
        v1 = nle.video_tracks()[0]
        placed: list[tuple[int, int, int, ET.Element]] = []  # record in, out, source in, element
        for item in v1:
            r = v1.range_of_child(item)
            rec, n = r.start_time.to_frames(), r.duration.to_frames()
            if isinstance(item, otio.schema.Transition):
                wipe = item.transition_type == SMPTE_WIPE
                t = ET.SubElement(
                    spine,
                    "transition",
                    name="Wipe" if wipe else "Cross Dissolve",
                    offset=_time(self.start + rec, fps),
                    duration=_time(item.out_offset.to_frames(), fps),
                )
                ET.SubElement(
                    t,
                    "filter-video",
                    ref="r3" if wipe else "r2",
                    name="Wipe" if wipe else "Cross Dissolve",
                )
            elif isinstance(item, otio.schema.Clip):
                src = item.source_range.start_time.to_frames()
                common = {
                    "name": item.name,
                    "offset": _time(self.start + rec, fps),
                    "start": _time(src, fps),
                    "duration": _time(n, fps),
                }
                if item.metadata.get("storyreel", {}).get("kind") == "shot":
                    el = ET.SubElement(
                        spine,
                        "asset-clip",
                        ref=self.asset(item, False),
                        format="r1",
                        tcFormat="NDF",
                        **common,
                    )
                else:  # a slug under a card: a still
                    el = ET.SubElement(spine, "clip", **common)
                    ET.SubElement(
                        el,
                        "video",
                        ref=self.asset(item, False),
                        offset=common["start"],
                        start=common["start"],
                        duration=common["duration"],
                    )
                placed.append((rec, rec + n, src, el))
            elif n:
                placed.append(
                    (
                        rec,
                        rec + n,
                        0,
                        ET.SubElement(
                            spine,
                            "gap",
                            name="Gap",
                            offset=_time(self.start + rec, fps),
                            start="0s",
                            duration=_time(n, fps),
                        ),
                    )
                )
        marks = markers(nle)
        sounds = nle.audio_tracks()
        for track in nle.tracks:
            if track is v1:
                continue
            audio = track.kind == otio.schema.TrackKind.Audio
            lane = -1 - sounds.index(track) if audio else 1 if track.name == TITLES_TRACK else 2
            for item in track:
                if isinstance(item, otio.schema.Clip):
                    r = track.range_of_child(item)
                    self.connect(
                        placed, item, r.start_time.to_frames(), r.duration.to_frames(), lane, audio
                    )
        for item in v1:  # the clips' own markers (notes on a shot), in their source time
            if isinstance(item, otio.schema.Clip):
                r = v1.range_of_child(item)
                rec = r.start_time.to_frames() - item.source_range.start_time.to_frames()
                marks.extend((rec + m.marked_range.start_time.to_frames(), m) for m in item.markers)
        for frame, marker in sorted(marks, key=lambda f: f[0]):
            rec, _, src, el = _under(placed, frame)
            ET.SubElement(
                el,
                "marker",
                start=_time(src + frame - rec, fps),
                duration=_time(1, fps),
                value=marker.name,
            )
        ET.indent(self.root, "    ")
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n\n'
            + ET.tostring(self.root, encoding="unicode")
            + "\n"
        )

    def connect(
        self, placed: list, clip: otio.schema.Clip, rec: int, n: int, lane: int, audio: bool
    ) -> None:
        """`clip` anchored to the spine item under its first frame, in that item's own time."""
        prec, _, psrc, parent = _under(placed, rec)
        fps, src = self.fps, clip.source_range.start_time.to_frames()
        at = _time(psrc + rec - prec, fps)
        if audio:
            el = ET.Element(
                "asset-clip",
                name=clip.name,
                ref=self.asset(clip, True),
                lane=str(lane),
                offset=at,
                start=_time(src, fps),
                duration=_time(n, fps),
                audioRole=_role(clip),
            )
        else:
            el = ET.Element(
                "clip",
                name=clip.name,
                lane=str(lane),
                offset=at,
                start=_time(src, fps),
                duration=_time(n, fps),
            )
            ET.SubElement(
                el,
                "video",
                ref=self.asset(clip, False),
                offset=_time(src, fps),
                start=_time(src, fps),
                duration=_time(n, fps),
            )
        markers_at = next((i for i, c in enumerate(parent) if c.tag == "marker"), len(parent))
        parent.insert(markers_at, el)  # the DTD puts anchored items before markers


def _role(clip: otio.schema.Clip) -> str:
    """A line's role is Dialogue, the bed's Music; a stem's is a subrole of its bus's
    (`dialogue.dialogue-stem`), so that an editor can solo the lines or the stems."""
    info = clip.metadata.get("storyreel", {})
    if info.get("kind") == "stem":
        return f"{info['bus']}.{info['bus']}-stem"
    return "dialogue" if info.get("kind") == "dialogue" else "music"


def _under(placed: list, frame: int) -> tuple[int, int, int, ET.Element]:
    for entry in placed:
        if entry[0] <= frame < entry[1] and entry[3].tag != "gap":
            return entry
    return next(e for e in reversed(placed) if e[3].tag != "gap")


def write_fcpxml(nle: otio.schema.Timeline) -> str:
    """The FCPXML text of `nle` (an `interchange_copy`)."""
    return _Writer(nle).write()


@contextlib.contextmanager
def exact_reader() -> Iterator[None]:
    """Work around a quirk of the FCPX adapter's reader: it truncates rates and times to
    integers (23 fps, floored frames) at NTSC rates, which shifts every clip (OpenTimelineIO
    issue #903, still so in otio-fcpx-xml-adapter, see #1661). Patched only while we call it.
    Written for otio-fcpx-xml-adapter 1.0.0: a test says to re-check this patch on another."""
    module = otio.adapters.from_name("fcpx_xml").module()
    reader, to_time = module.FcpxXml._format_frame_rate, module.to_rational_time

    def exact_rate(self, format_id):
        total, rate = self._format_frame_duration(format_id)
        return float(Fraction(rate) / Fraction(total))

    def exact_time(value, rate):
        seconds = Fraction(value.rstrip("s")) if value and value != "0s" else Fraction(0)
        return otio.opentime.RationalTime(round(seconds * Fraction(rate)), float(rate))

    module.FcpxXml._format_frame_rate, module.to_rational_time = exact_rate, exact_time
    try:
        yield
    finally:
        module.FcpxXml._format_frame_rate, module.to_rational_time = reader, to_time


def as_written(timeline: otio.schema.Timeline, path: Path) -> None:
    """Put right what the reader makes of an FCPXML: lanes below the spine (negative) are
    audio tracks, whatever their clips; and the sequence's `tcStart` comes off the front of
    each track (the reader counts offsets from zero) to be the timeline's start."""
    for track in timeline.tracks:
        if track.name.startswith("-"):
            track.kind = otio.schema.TrackKind.Audio
    seq = ET.parse(path).find(".//sequence")
    start = seq.get("tcStart") if seq is not None else None
    if not start or start == "0s":
        return
    for track in timeline.tracks:
        if not len(track) or not isinstance(track[0], otio.schema.Gap):
            continue
        rate = track[0].source_range.duration.rate
        head = otio.opentime.RationalTime(round(Fraction(start.rstrip("s")) * Fraction(rate)), rate)
        gap = track[0]
        left = gap.source_range.duration - head
        if left.value <= 0:
            del track[0]
        else:
            gap.source_range = otio.opentime.TimeRange(gap.source_range.start_time, left)
        timeline.global_start_time = head
