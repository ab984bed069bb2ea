"""The cut to NLEs and back: .otio, CMX 3600 .edl, FCP7/Premiere .xml, Final Cut .fcpxml.

Exports go through OpenTimelineIO's adapters. What they need is prepared on a copy:
every clip gets a file reference (title cards and supers as PNGs written beside the exports;
shots without a take file point at `<stem>_media/<shot>.mov`, offline media an editor relinks);
the EDL carries only V1 (CMX 3600 has one picture track) with reel names made from shot ids;
the FCPXML carries the picture and titles (the adapter places connected clips in time quadratic
in the number of clips, and a feature's dialogue clips would take it minutes; the scratch
dialogue is in the FCP7 XML and the OTIO).

Transitions: a dissolve (and a fade or match cut) goes out as a dissolve, a wipe (typed
`SMPTE_Wipe`, as OTIO's CMX reader types one) as a wipe. The CMX adapter writes every
transition as `D` (its reader knows `W###`, its writer does not), so `_edl_wipes` turns a
wipe's event into `W001`, the SMPTE horizontal wipe the render draws. The FCP7 adapter writes
"Cross Dissolve" unless a transition carries its own effect, so a wipe carries an "Edge Wipe"
(its reader keeps the effect's name, `wipe`, but types every transition a dissolve). The FCPX
adapter writes no transitions at all: the FCPXML has hard cuts.
`import_edit` reads an edited timeline back and maps its clips to shots (metadata first,
clip names second) as `EditOverrides`.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import math
import re
from collections import Counter
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from storyreel.edit import titles
from storyreel.edit.overrides import EditOverrides, OverrideEntry
from storyreel.edit.timeline import (
    MAX_SHOT_SECONDS,
    SLUG,
    SMPTE_WIPE,
    handle_frames,
    picture_clips,
    timeline_fps,
)
from storyreel.errors import StoryreelError
from storyreel.files import atomic_write as write_atomic
from storyreel.model import ShotList, frames_for

ADAPTERS = {".otio": "otio_json", ".edl": "cmx_3600", ".xml": "fcp_xml", ".fcpxml": "fcpx_xml"}


def cut_list(timeline: otio.schema.Timeline, fps: Fraction | None = None) -> list[tuple[str, int, int]]:
    """(clip name, record in, record out) of the picture track, in frames from its start."""
    rate = float(fps) if fps is not None else float(timeline_fps(timeline))
    v1 = timeline.video_tracks()[0]
    out = []
    for item in v1:
        if isinstance(item, otio.schema.Clip):
            r = v1.range_of_child(item)
            out.append((item.name, round(r.start_time.rescaled_to(rate).value),
                        round(r.end_time_exclusive().rescaled_to(rate).value)))
    return out


def _reels(names: list[str]) -> dict[str, str]:
    """CMX 3600 reel names (8 characters, A-Z 0-9 _), one per distinct clip name. Ids such as
    `harbour-city-cf32a` keep their distinctive end; collisions get a counter."""
    reels: dict[str, str] = {}
    used: set[str] = set()
    for name in dict.fromkeys(names):
        base = re.sub(r"[^A-Z0-9]", "", name.upper())[-8:] or "AX"
        reel, n = base, 1
        while reel in used:
            n += 1
            reel = f"{base[:8 - len(str(n))]}{n}"
        used.add(reel)
        reels[name] = reel
    return reels


_EDGE_WIPE = {"effectid": "Edge Wipe", "effectcategory": "Wipe", "effecttype": "transition",
              "mediatype": "video"}


def _clips(timeline: otio.schema.Timeline) -> Iterator[otio.schema.Clip]:
    for track in timeline.tracks:
        for item in track:
            if isinstance(item, otio.schema.Clip):
                yield item


def _interchange_copy(timeline: otio.schema.Timeline, media: Path) -> otio.schema.Timeline:
    """A copy where every clip points at a file; title PNGs are rendered into `media`."""
    meta = timeline.metadata["storyreel"]
    frame, picture = tuple(meta["frame_size"]), tuple(meta["picture_size"])
    out = copy.deepcopy(timeline)
    rendered: dict[tuple[str, str], Path] = {}
    for clip in _clips(out):
        ref = clip.media_reference
        info = clip.metadata.get("storyreel", {})
        if isinstance(ref, otio.schema.ExternalReference):
            continue
        if isinstance(ref, otio.schema.GeneratorReference):
            text = ref.parameters.get("text", "")
            style = ref.parameters.get("style", "")
            key = (style, text)
            if key not in rendered:
                media.mkdir(parents=True, exist_ok=True)
                slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]
                path = media / (f"{style}-{slug}.png" if text else "black.png")
                rgba = (titles.render_text(text, style, frame, picture) if text
                        else _black(frame))
                rendered[key] = titles.write_png(rgba, path)
            target = rendered[key]
        elif info.get("kind") == "dialogue":
            target = media / f"{ref.name.replace(':', '-')}.wav"
        else:
            target = media / f"{info.get('shot_id') or clip.name}.mov"
        clip.media_reference = otio.schema.ExternalReference(
            target_url=target.resolve().as_uri(), available_range=ref.available_range)
        clip.media_reference.name = target.name
    picture = [c for c in out.video_tracks()[0] if isinstance(c, otio.schema.Clip)]
    reels = _reels([c.name for c in picture if c.name != SLUG])
    for clip in picture:
        clip.metadata["cmx_3600"] = {"reel": "BL" if clip.name == SLUG else reels[clip.name]}
    for t in out.find_children(descended_from_type=otio.schema.Transition):
        if t.transition_type == SMPTE_WIPE:
            t.metadata["fcp_xml"] = {"effect": {"name": t.name, **_EDGE_WIPE}}
    return out


def _black(frame: tuple[int, int]):
    import numpy as np

    img = np.zeros((frame[1], frame[0], 4), np.uint8)
    img[..., 3] = 255
    return img


@contextlib.contextmanager
def _fcpx_exact_rates(fps: Fraction | None) -> Iterator[None]:
    """Work around two quirks of the FCPX adapter at NTSC rates: its writer looks frame
    durations up in a table with no exact entry for 24000/1001, and its reader truncates rates
    and times to integers (23 fps, floored frames), which shifts every clip. Both are patched,
    only while we call it.
    """
    module = otio.adapters.from_name("fcpx_xml").module()
    table = module.FRAMERATE_FRAMEDURATION
    reader, to_time = module.FcpxXml._format_frame_rate, module.to_rational_time
    added = fps is not None and int(fps) not in table and float(fps) not in table
    if added:
        table[float(fps)] = f"{fps.denominator}/{fps.numerator}s"

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
        if added:
            del table[float(fps)]


def _within_picture(timeline: otio.schema.Timeline) -> None:
    """FCPX connects titles to the picture clip under them: drop what runs past V1's end."""
    v1, *others = timeline.video_tracks()
    end = v1.duration()
    for track in others:
        while len(track) and track.duration() > end:
            last = track[-1]
            over = track.duration() - end
            if last.duration() <= over:
                del track[-1]
            else:
                r = last.source_range
                last.source_range = otio.opentime.TimeRange(r.start_time, r.duration - over)


_EVENT = re.compile(r"^(\d{3,}\s.*?)(\d\d:\d\d:\d\d[:;]\d\d) (\d\d:\d\d:\d\d[:;]\d\d)$")


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


_DISSOLVE = re.compile(r"^(\d{3,}\s+\S+\s+\S+\s+)D (\d{3,}) {4}")


def _edl_wipes(edl: str, track: otio.schema.Track) -> str:
    """The adapter's `D nnn` events of `track`'s wipes as `W001 nnn`, same columns. It writes
    one `D` event for each transition with frames, in order, and none for anything else."""
    wipes = iter([t.transition_type == SMPTE_WIPE for t in track
                  if isinstance(t, otio.schema.Transition) and (t.in_offset + t.out_offset).value])
    lines = []
    for line in edl.splitlines():
        m = _DISSOLVE.match(line)
        lines.append(f"{m.group(1)}W001 {m.group(2)} {line[m.end():]}" if m and next(wipes) else line)
    return "\n".join(lines) + "\n"


def export_all(timeline: otio.schema.Timeline, out_dir: Path, stem: str = "cut") -> list[Path]:
    """Write `<stem>.otio .edl .xml .fcpxml` (and the title PNGs they reference) atomically."""
    out_dir = Path(out_dir)
    fps = timeline_fps(timeline)
    written = [write_atomic(out_dir / f"{stem}.otio",
                            otio.adapters.write_to_string(timeline, "otio_json"))]
    nle = _interchange_copy(timeline, out_dir / f"{stem}_media")
    edl = copy.deepcopy(nle)
    edl.tracks[:] = [edl.video_tracks()[0]]
    text = otio.adapters.write_to_string(edl, "cmx_3600", rate=float(fps), style="avid")
    text = _edl_wipes(text, edl.video_tracks()[0])
    written.append(write_atomic(out_dir / f"{stem}.edl",
                                _record_from(text, timeline.global_start_time, fps)))
    written.append(write_atomic(out_dir / f"{stem}.xml", otio.adapters.write_to_string(nle, "fcp_xml")))
    fcpx = copy.deepcopy(nle)
    fcpx.tracks[:] = list(fcpx.video_tracks())
    _within_picture(fcpx)
    with _fcpx_exact_rates(fps):
        fcpxml = otio.adapters.write_to_string(fcpx, "fcpx_xml")
    written.append(write_atomic(out_dir / f"{stem}.fcpxml", fcpxml))
    return written


# --- import ------------------------------------------------------------------------------


def _error_line(exc: BaseException) -> int | None:
    seen = exc
    while seen is not None:
        pos = getattr(seen, "position", None)
        if pos:
            return pos[0]
        if getattr(seen, "lineno", None):
            return seen.lineno
        m = re.search(r"line (\d+)", str(seen))
        if m:
            return int(m.group(1))
        seen = seen.__cause__ or seen.__context__
    return None


def read_edit(path: Path, fps: Fraction | None = None) -> otio.schema.Timeline:
    """An edited timeline through OTIO's adapters; a bad file raises StoryreelError (with line)."""
    path = Path(path)
    adapter = ADAPTERS.get(path.suffix.lower())
    if adapter is None:
        raise StoryreelError(f"cannot read {path.suffix or 'this'} files; "
                             f"use one of {', '.join(ADAPTERS)}", path)
    if not path.is_file():
        raise StoryreelError("no such file", path)
    kwargs = {"rate": float(fps or 24)} if adapter == "cmx_3600" else {}
    if adapter == "otio_json":
        _old_clips_whole(path)
    try:
        with _fcpx_exact_rates(None):
            result = otio.adapters.read_from_file(str(path), adapter_name=adapter, **kwargs)
    except Exception as e:  # adapters raise parser errors of every kind
        msg = str(e).splitlines()[0] if str(e) else e.__class__.__name__
        raise StoryreelError(f"not a readable {path.suffix} timeline: {msg}", path,
                             _error_line(e)) from None
    if isinstance(result, otio.schema.SerializableCollection):
        found = [t for t in result.find_children(descended_from_type=otio.schema.Timeline)] or [
            t for t in result if isinstance(t, otio.schema.Timeline)]
        result = found[0] if found else None
    if not isinstance(result, otio.schema.Timeline) or not result.video_tracks():
        raise StoryreelError("no picture track in this timeline", path)
    return result


_OLD_CLIP = re.compile(r'"OTIO_SCHEMA"\s*:\s*"Clip\.[01]"')


def _old_clips_whole(path: Path) -> None:
    """Work around OpenTimelineIO 0.18's Clip.1 → Clip.2 upgrade, which dereferences a missing
    `media_reference` and kills the process (SIGSEGV; the crash of issue #765's file): such a
    clip is refused first. The file is read as JSON here too, so a syntax error has its line."""
    import json

    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except UnicodeDecodeError as e:
        raise StoryreelError(f"not UTF-8 text (byte {e.start})", path) from None
    except json.JSONDecodeError as e:
        raise StoryreelError(f"not a readable .otio timeline: {e.msg} (column {e.colno})", path,
                             e.lineno) from None
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if str(item.get("OTIO_SCHEMA")) in ("Clip.0", "Clip.1") and "media_reference" not in item:
                m = _OLD_CLIP.search(text)
                raise StoryreelError(f"a {item['OTIO_SCHEMA']} clip ({item.get('name')!r}) without "
                                     "its media_reference", path,
                                     text.count("\n", 0, m.start()) + 1 if m else None)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _line_of(path: Path, needle: str) -> int | None:
    try:
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if needle in line:
                return n
    except OSError:
        pass
    return None


def import_edit(path: Path, shotlist: ShotList, fps: Fraction | None = None,
                reference: otio.schema.Timeline | None = None) -> EditOverrides:
    """The shots, order and trims of an edited timeline, as overrides; nothing is written.

    `fps` is the project's rate (EDLs carry none); `reference` is the cut the editor started
    from (for the report), else the script's own order and lengths.
    """
    path = Path(path)
    edited = read_edit(path, fps)
    if fps is None:
        fps = timeline_fps(reference) if reference is not None else Fraction(24)
    ids = {s.id for s in shotlist.shots}
    reels = {reel: shot for shot, reel in _reels([s.id for s in shotlist.shots]).items()}
    v1 = edited.video_tracks()[0]
    entries: list[OverrideEntry] = []
    unknown: list[str] = []
    for clip in v1:
        if not isinstance(clip, otio.schema.Clip):
            continue
        info = clip.metadata.get("storyreel", {})
        ref = clip.media_reference
        if info.get("kind") == "slug" or (not info and clip.name == SLUG) or (
                isinstance(ref, otio.schema.GeneratorReference) and ref.generator_kind == "black"):
            continue  # black under title cards (BL in an EDL)
        shot_id = _shot_of(clip, info, ids, reels)
        if shot_id is None:
            unknown.append(clip.name or "(unnamed)")
            continue
        entries.append(_entry(clip, shot_id, fps, path))
    if unknown:
        what = "no clip maps to a shot of this script (is it another project's edit?)" if not entries \
            else f"{len(unknown)} clip(s) map to no shot of this script"
        names = ", ".join(dict.fromkeys(unknown))
        raise StoryreelError(f"{what}: {names[:200]}", path, _line_of(path, unknown[0]))
    if not entries:
        raise StoryreelError("the picture track has no shots", path)
    return EditOverrides(source=str(path), fps=str(fps), entries=entries,
                         known_shots=[s.id for s in shotlist.shots],
                         changes=_changes(_before(shotlist, fps, reference), entries))


def _entry(clip: otio.schema.Clip, shot_id: str, fps: Fraction, path: Path) -> OverrideEntry:
    """The frames of its media a clip uses; a range no render could show is refused."""
    r = clip.trimmed_range()
    start, duration = (t.rescaled_to(float(fps)).value for t in (r.start_time, r.duration))
    cap = frames_for(MAX_SHOT_SECONDS, fps)
    name = clip.name or shot_id
    problem = None
    if not (math.isfinite(start) and math.isfinite(duration)):
        rate = r.duration.rate
        raise StoryreelError(f"clip {name!r} (shot {shot_id}) is timed at {rate:g} frames a "
                             f"second, not a frame rate; nothing was stored", path,
                             _line_of(path, name))
    src_in, length = round(start), round(duration)
    if length < 1:
        problem = f"uses {length} frames; a clip needs at least one"
    elif src_in < 0:
        problem = f"starts {-src_in} frames before its media does"
    elif src_in + length > cap:
        problem = (f"reaches frame {src_in + length} of its media ({float((src_in + length) / fps):.0f} s); "
                   f"a shot's media is at most {MAX_SHOT_SECONDS // 60} minutes")
    if problem is not None:
        raise StoryreelError(f"clip {name!r} (shot {shot_id}) {problem}; nothing was stored",
                             path, _line_of(path, name))
    return OverrideEntry(shot_id=shot_id, src_in=src_in, length=length)


def _shot_of(clip: otio.schema.Clip, info: dict, ids: set[str], reels: dict[str, str]
             ) -> str | None:
    """Metadata first; then the clip's name, as is or without a file extension (NLEs name
    clips after their media); then the name of its media file; then its EDL reel name (an
    EDL without clip-name comments)."""
    candidates = [info.get("shot_id"), clip.name, Path(clip.name or "").stem]
    ref = clip.media_reference
    if isinstance(ref, otio.schema.ExternalReference) and ref.target_url:
        candidates.append(Path(otio.url_utils.filepath_from_url(ref.target_url)).stem)
    candidates.append(reels.get(clip.metadata.get("cmx_3600", {}).get("reel", "")))
    return next((c for c in candidates if c in ids), None)


def _before(shotlist: ShotList, fps: Fraction, reference: otio.schema.Timeline | None
            ) -> list[OverrideEntry]:
    if reference is not None:
        ratio = fps / timeline_fps(reference)
        return [OverrideEntry(shot_id=c.metadata["storyreel"]["shot_id"],
                              src_in=round(c.source_range.start_time.to_frames() * ratio),
                              length=round(c.source_range.duration.to_frames() * ratio))
                for c in picture_clips(reference)]
    handle = handle_frames(fps)
    return [OverrideEntry(shot_id=s.id, src_in=handle, length=frames_for(s.duration, fps))
            for s in shotlist.shots]


def _changes(before: list[OverrideEntry], after: list[OverrideEntry]) -> list[str]:
    """What an editor did, in words: removed, duplicated, reordered, trimmed."""
    changes = []
    old_ids = [e.shot_id for e in before]
    new_ids = [e.shot_id for e in after]
    removed = [s for s in dict.fromkeys(old_ids) if s not in new_ids]
    if removed:
        changes.append(f"removed: {', '.join(removed)}")
    added = [s for s in dict.fromkeys(new_ids) if s not in old_ids]
    if added:
        changes.append(f"put back from the script: {', '.join(added)}")
    counts = Counter(new_ids)
    dup = [f"{s} ×{n}" for s, n in counts.items() if n > 1 and Counter(old_ids)[s] < n]
    if dup:
        changes.append(f"duplicated: {', '.join(dup)}")
    kept_old = [s for s in dict.fromkeys(old_ids) if s in counts]
    kept_new = [s for s in dict.fromkeys(new_ids) if s in old_ids]
    if kept_old != kept_new:
        # the shots outside the longest run kept in order are the ones the editor moved
        matcher = difflib.SequenceMatcher(a=kept_old, b=kept_new, autojunk=False)
        stayed = {s for block in matcher.get_matching_blocks()
                  for s in kept_new[block.b:block.b + block.size]}
        moves = []
        for i, s in enumerate(kept_new):
            if s not in stayed:
                moves.append(f"{s} now {'first' if i == 0 else 'after ' + kept_new[i - 1]}")
        changes.append(f"reordered: {'; '.join(moves)}")
    first = {e.shot_id: e for e in reversed(before)}
    for e in after:
        old = first.get(e.shot_id)
        if old is None or (old.src_in, old.length) == (e.src_in, e.length):
            continue
        head = e.src_in - old.src_in
        tail = (e.src_in + e.length) - (old.src_in + old.length)
        parts = [f"head {head:+d}" if head else "", f"tail {tail:+d}" if tail else ""]
        changes.append(f"trimmed: {e.shot_id} {' '.join(p for p in parts if p)} frames "
                       f"({old.length} → {e.length})")
        first[e.shot_id] = e  # report each shot's trim once
    return changes
