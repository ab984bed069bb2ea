"""Edits back from the NLE: `read_edit` reads an edited timeline through OTIO's adapters and
`import_edit` maps its clips to shots (metadata first, clip names second) as `EditOverrides`."""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from storyreel.edit.timeline import (
    MAX_SHOT_SECONDS,
    SLUG,
    handle_frames,
    picture_clips,
    timeline_fps,
)
from storyreel.errors import StoryreelError
from storyreel.handoff.fcpxml import as_written, exact_reader
from storyreel.handoff.prepare import reels as _reels
from storyreel.model import EditOverrides, OverrideEntry, ShotList, frames_for

ADAPTERS = {".otio": "otio_json", ".edl": "cmx_3600", ".xml": "fcp_xml", ".fcpxml": "fcpx_xml"}


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
        raise StoryreelError(
            f"cannot read {path.suffix or 'this'} files; use one of {', '.join(ADAPTERS)}", path
        )
    if not path.is_file():
        raise StoryreelError("no such file", path)
    kwargs = {"rate": float(fps or 24)} if adapter == "cmx_3600" else {}
    if adapter == "otio_json":
        _old_clips_whole(path)
    try:
        with exact_reader():
            result = otio.adapters.read_from_file(str(path), adapter_name=adapter, **kwargs)
    except Exception as e:  # adapters raise parser errors of every kind
        msg = str(e).splitlines()[0] if str(e) else e.__class__.__name__
        raise StoryreelError(
            f"not a readable {path.suffix} timeline: {msg}", path, _error_line(e)
        ) from None
    if isinstance(result, otio.schema.SerializableCollection):
        found = [t for t in result.find_children(descended_from_type=otio.schema.Timeline)] or [
            t for t in result if isinstance(t, otio.schema.Timeline)
        ]
        result = found[0] if found else None
    if adapter == "fcpx_xml" and isinstance(result, otio.schema.Timeline):
        as_written(result, path)
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
        raise StoryreelError(
            f"not a readable .otio timeline: {e.msg} (column {e.colno})", path, e.lineno
        ) from None
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if (
                str(item.get("OTIO_SCHEMA")) in ("Clip.0", "Clip.1")
                and "media_reference" not in item
            ):
                m = _OLD_CLIP.search(text)
                raise StoryreelError(
                    f"a {item['OTIO_SCHEMA']} clip ({item.get('name')!r}) without "
                    "its media_reference",
                    path,
                    text.count("\n", 0, m.start()) + 1 if m else None,
                )
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _line_of(path: Path, needle: str) -> int | None:
    try:
        for n, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), 1
        ):
            if needle in line:
                return n
    except OSError:
        pass
    return None


def import_edit(
    path: Path,
    shotlist: ShotList,
    fps: Fraction | None = None,
    reference: otio.schema.Timeline | None = None,
) -> EditOverrides:
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
        if (
            info.get("kind") == "slug"
            or (not info and clip.name == SLUG)
            or (isinstance(ref, otio.schema.GeneratorReference) and ref.generator_kind == "black")
        ):
            continue  # black under title cards (BL in an EDL)
        shot_id = _shot_of(clip, info, ids, reels)
        if shot_id is None:
            unknown.append(clip.name or "(unnamed)")
            continue
        entries.append(_entry(clip, shot_id, fps, path))
    if unknown:
        what = (
            "no clip maps to a shot of this script (is it another project's edit?)"
            if not entries
            else f"{len(unknown)} clip(s) map to no shot of this script"
        )
        names = ", ".join(dict.fromkeys(unknown))
        raise StoryreelError(f"{what}: {names[:200]}", path, _line_of(path, unknown[0]))
    if not entries:
        raise StoryreelError("the picture track has no shots", path)
    return EditOverrides(
        source=str(path),
        fps=str(fps),
        entries=entries,
        known_shots=[s.id for s in shotlist.shots],
        changes=_changes(_before(shotlist, fps, reference), entries),
    )


def _entry(clip: otio.schema.Clip, shot_id: str, fps: Fraction, path: Path) -> OverrideEntry:
    """The frames of its media a clip uses; a range no render could show is refused."""
    r = clip.trimmed_range()
    start, duration = (t.rescaled_to(float(fps)).value for t in (r.start_time, r.duration))
    cap = frames_for(MAX_SHOT_SECONDS, fps)
    name = clip.name or shot_id
    problem = None
    if not (math.isfinite(start) and math.isfinite(duration)):
        rate = r.duration.rate
        raise StoryreelError(
            f"clip {name!r} (shot {shot_id}) is timed at {rate:g} frames a "
            f"second, not a frame rate; nothing was stored",
            path,
            _line_of(path, name),
        )
    src_in, length = round(start), round(duration)
    if length < 1:
        problem = f"uses {length} frames; a clip needs at least one"
    elif src_in < 0:
        problem = f"starts {-src_in} frames before its media does"
    elif src_in + length > cap:
        problem = (
            f"reaches frame {src_in + length} of its media ({float((src_in + length) / fps):.0f} s); "
            f"a shot's media is at most {MAX_SHOT_SECONDS // 60} minutes"
        )
    if problem is not None:
        raise StoryreelError(
            f"clip {name!r} (shot {shot_id}) {problem}; nothing was stored",
            path,
            _line_of(path, name),
        )
    return OverrideEntry(shot_id=shot_id, src_in=src_in, length=length)


def _shot_of(
    clip: otio.schema.Clip, info: dict, ids: set[str], reels: dict[str, str]
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


def _before(
    shotlist: ShotList, fps: Fraction, reference: otio.schema.Timeline | None
) -> list[OverrideEntry]:
    if reference is not None:
        ratio = fps / timeline_fps(reference)
        return [
            OverrideEntry(
                shot_id=c.metadata["storyreel"]["shot_id"],
                src_in=round(c.source_range.start_time.to_frames() * ratio),
                length=round(c.source_range.duration.to_frames() * ratio),
            )
            for c in picture_clips(reference)
        ]
    handle = handle_frames(fps)
    return [
        OverrideEntry(shot_id=s.id, src_in=handle, length=frames_for(s.duration, fps))
        for s in shotlist.shots
    ]


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
        stayed = {
            s
            for block in matcher.get_matching_blocks()
            for s in kept_new[block.b : block.b + block.size]
        }
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
        changes.append(
            f"trimmed: {e.shot_id} {' '.join(p for p in parts if p)} frames "
            f"({old.length} → {e.length})"
        )
        first[e.shot_id] = e  # report each shot's trim once
    return changes
