"""CMX 3600 EDL: V1 only (CMX 3600 has one picture track), through OTIO's CMX adapter, then
put right where the adapter strays from the layout strict readers (pycmx) and NLEs expect:

- an `FCM:` line after the title (NON-DROP FRAME, or DROP FRAME at 29.97/59.94 with `;`);
- a transition's type and duration in their own columns: `D    012`, `W001 012` (the adapter
  writes `D 012    `, which a column reader takes for `D 01`; and it writes every transition
  as `D`, its reader knows `W###`, so a wipe's event becomes `W001`, the SMPTE horizontal
  wipe the render draws);
- record timecode from the programme's start (the adapter counts from zero);
- each source's file as `* SOURCE FILE: sh1.mov` (Premiere and Resolve read it; the
  adapter's `* FROM CLIP: file:///...` makes Premiere name every clip UNKNOWN), after its
  `* FROM CLIP NAME:` or `* TO CLIP NAME:`;
- markers (scenes, sections, review notes) as Avid locators (`* LOC: 01:00:04:00 GREEN   1 EXT. PIER`) on the
  event they fall in, at record timecode.
"""

from __future__ import annotations

import copy
import re
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from storyreel.edit.timeline import SMPTE_WIPE
from storyreel.handoff.prepare import markers

_TC = r"\d\d:\d\d:\d\d[:;]\d\d"
_EVENT = re.compile(rf"^(\d{{3,}}\s.*?)({_TC}) ({_TC})$")
_FROM_URL = re.compile(r"^\* (?:FROM|TO) CLIP: (.+)$", re.MULTILINE)
_TRANSITION = re.compile(rf"^(\d{{3,}}\s+\S+\s+\S+\s+)(D|W\d{{3}}) ?(\d{{3}})?\s+({_TC} .*)$")


def write_edl(nle: otio.schema.Timeline, fps: Fraction) -> str:
    """The EDL text of `nle` (an `interchange_copy`) at `fps`."""
    edl = copy.deepcopy(nle)
    edl.tracks[:] = [edl.video_tracks()[0]]
    start = nle.global_start_time
    _locators(edl, start)
    text = otio.adapters.write_to_string(edl, "cmx_3600", rate=float(fps), style="avid")
    text = _record_from(text, start, fps)
    text = _transition_columns(text, edl.video_tracks()[0])
    return _fcm(_source_files(text), fps)


def drop_frame(fps: Fraction) -> bool:
    return fps.denominator == 1001 and fps.numerator % 30000 == 0


def _fcm(edl: str, fps: Fraction) -> str:
    lines = edl.splitlines()
    at = 1 if lines and lines[0].startswith("TITLE:") else 0
    lines.insert(at, f"FCM: {'DROP FRAME' if drop_frame(fps) else 'NON-DROP FRAME'}")
    return "\n".join(lines) + "\n"


def _locators(edl: otio.schema.Timeline, start: otio.opentime.RationalTime | None) -> None:
    """Every marker at record time (what `* LOC` carries) on the clip it falls in: V1's
    (scenes, sections, notes at a timecode) and the clips' own (notes on a shot, in its
    source time)."""
    v1 = edl.video_tracks()[0]
    found = markers(edl)
    v1.markers.clear()
    placed = [(v1.range_of_child(c), c) for c in v1 if isinstance(c, otio.schema.Clip)]
    for r, clip in placed:
        rec = r.start_time.to_frames() - clip.source_range.start_time.to_frames()
        found.extend((rec + m.marked_range.start_time.to_frames(), m) for m in clip.markers)
        clip.markers.clear()
    for frame, marker in sorted(found, key=lambda f: f[0]):
        for r, clip in placed:
            if r.start_time.to_frames() <= frame < r.end_time_exclusive().to_frames():
                at = otio.opentime.RationalTime(frame, r.start_time.rate)
                at = at + start if start is not None else at
                clip.markers.append(
                    otio.schema.Marker(
                        name=marker.name,
                        color=marker.color,
                        marked_range=otio.opentime.TimeRange(
                            at, otio.opentime.RationalTime(0, at.rate)
                        ),
                    )
                )
                break


def _source_files(edl: str) -> str:
    """`* FROM CLIP: <url>` and `* TO CLIP: <url>` as `* SOURCE FILE: <file name>`."""
    return _FROM_URL.sub(lambda m: f"* SOURCE FILE: {_file_name(m[1])}", edl)


def _file_name(url: str) -> str:
    return Path(otio.url_utils.filepath_from_url(url)).name


def _record_from(edl: str, start: otio.opentime.RationalTime | None, fps: Fraction) -> str:
    """The CMX adapter counts record timecode from zero; a programme starts at its start
    timecode (01:00:00:00), so the record columns are moved there."""
    if start is None or not start.value:
        return edl
    rate = float(fps)

    def shift(tc: str) -> str:
        return otio.opentime.to_timecode(otio.opentime.from_timecode(tc, rate) + start, rate)

    lines = []
    for line in edl.splitlines():
        m = _EVENT.match(line)
        lines.append(f"{m.group(1)}{shift(m.group(2))} {shift(m.group(3))}" if m else line)
    return "\n".join(lines) + "\n"


def _transition_columns(edl: str, track: otio.schema.Track) -> str:
    """Each transition event's type and duration in the CMX 3600 columns; wipes as `W001`.
    The adapter writes one transition event for each transition with frames, in order."""
    wipes = iter(
        [
            t.transition_type == SMPTE_WIPE
            for t in track
            if isinstance(t, otio.schema.Transition) and (t.in_offset + t.out_offset).value
        ]
    )
    lines = []
    for line in edl.splitlines():
        m = _TRANSITION.match(line)
        if m and m.group(3):
            kind = "W001" if next(wipes) else "D"
            line = f"{m.group(1)}{kind:<4} {m.group(3)} {m.group(4)}"
        lines.append(line)
    return "\n".join(lines) + "\n"
