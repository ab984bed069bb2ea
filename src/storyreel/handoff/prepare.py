"""The timeline as the NLE formats see it: every clip on a file, reel names, markers on clips.

Shots point at `media/<shot>.mov`, dialogue lines at `media/<shot>-<line>.wav` (the media stage
writes them when asked: `render --media`), title cards and supers at PNGs rendered here, in the
same folder; the music bed at a copy of its file there, and the mix's stems at theirs
(`with_stems`). Paths are absolute `file:` URLs in the copy (the FCP formats need URLs) and
relative (`media/1A.mov`) in the OTIO file, so a handoff folder can be moved whole. A reel
name is one per media file (`reels`), the same in every format.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio

from storyreel.edit import titles
from storyreel.edit.timeline import SLUG, SMPTE_WIPE, timeline_fps
from storyreel.files import atomic_write, png_bytes
from storyreel.handoff import media
from storyreel.handoff.aaf import transition_metadata

MEDIA_DIR = "media"  # beside the exports: out/media/


def cut_list(
    timeline: otio.schema.Timeline, fps: Fraction | None = None
) -> list[tuple[str, int, int]]:
    """(clip name, record in, record out) of the picture track, in frames from its start."""
    rate = float(fps) if fps is not None else float(timeline_fps(timeline))
    v1 = timeline.video_tracks()[0]
    out = []
    for item in v1:
        if isinstance(item, otio.schema.Clip):
            r = v1.range_of_child(item)
            out.append(
                (
                    item.name,
                    round(r.start_time.rescaled_to(rate).value),
                    round(r.end_time_exclusive().rescaled_to(rate).value),
                )
            )
    return out


def reels(names: Iterable[str]) -> dict[str, str]:
    """CMX 3600 reel names (at most 8 characters of A-Z 0-9 _), one per media file (named by
    its stem: the shot id), distinct within a film and stable: a name that fits (`1A`, `sh12`)
    is itself in upper case; a longer one (`harbour-city-cf32a`) keeps its first three
    characters and gets five of a hash of the whole name, so no other shot's id changes it.
    Two names that still meet (`sh1` and `SH1`, or a hash shared, one in 60 million a pair)
    are told apart in sorted order, whatever order the cut puts them in."""
    distinct = set(names)
    fits = sorted(n for n in distinct if _FITS.fullmatch(n))
    hashed = sorted(n for n in distinct if not _FITS.fullmatch(n))
    out: dict[str, str] = {}
    used = {"BL", "AX"}  # black and an auxiliary source, to CMX 3600
    for name in fits + hashed:
        reel, salt = name.upper() if name in fits else _hashed(name, 0), 0
        while reel in used:
            salt += 1
            reel = _hashed(name, salt)
        used.add(reel)
        out[name] = reel
    return out


_FITS = re.compile(r"[A-Za-z0-9_]{1,8}")
_BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _hashed(name: str, salt: int) -> str:
    head = re.sub(r"[^A-Z0-9]", "", name.upper())[:3]
    n = int.from_bytes(hashlib.sha256(f"{name}\0{salt}".encode()).digest()[:8], "big")
    tail = ""
    for _ in range(8 - len(head)):
        n, d = divmod(n, 36)
        tail += _BASE36[d]
    return head + tail


def media_name(clip: otio.schema.Clip) -> str | None:
    """The file name a shot, dialogue or music clip's media has in the media folder (None: a
    title). The music bed keeps its file's name; the media stage copies it there."""
    info = clip.metadata.get("storyreel", {})
    if isinstance(clip.media_reference, otio.schema.GeneratorReference):
        return None
    if info.get("kind") == "music":
        return Path(otio.url_utils.filepath_from_url(clip.media_reference.target_url)).name
    if info.get("kind") == "dialogue":
        return f"{info['shot_id']}-{info['line']}.wav"
    return f"{info.get('shot_id') or clip.name}.mov"


def stem_name(bus: str) -> str:
    """A stem's file in the media folder: `stem-dialogue.wav`, `stem-music.wav`..."""
    return f"stem-{bus}.wav"


def clips(timeline: otio.schema.Timeline) -> Iterator[otio.schema.Clip]:
    for track in timeline.tracks:
        for item in track:
            if isinstance(item, otio.schema.Clip):
                yield item


_EDGE_WIPE = {
    "effectid": "Edge Wipe",
    "effectcategory": "Wipe",
    "effecttype": "transition",
    "mediatype": "video",
}


def interchange_copy(timeline: otio.schema.Timeline, folder: Path) -> otio.schema.Timeline:
    """A copy where every clip points at a file in `folder` (title PNGs are rendered there)."""
    meta = timeline.metadata["storyreel"]
    frame, picture = tuple(meta["frame_size"]), tuple(meta["picture_size"])
    out = copy.deepcopy(timeline)
    rendered: dict[tuple[str, str], Path] = {}
    for clip in clips(out):
        ref = clip.media_reference
        if isinstance(ref, otio.schema.GeneratorReference):
            text = ref.parameters.get("text", "")
            style = ref.parameters.get("style", "")
            key = (style, text)
            if key not in rendered:
                folder.mkdir(parents=True, exist_ok=True)
                slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]
                path = folder / (f"{style}-{slug}.png" if text else "black.png")
                rgba = titles.render_text(text, style, frame, picture) if text else _black(frame)
                rendered[key] = atomic_write(path, png_bytes(rgba, compress_level=1))
            target = rendered[key]
        else:
            target = folder / (media_name(clip) or clip.name)
        sound = _sound_of(clip)
        clip.media_reference = otio.schema.ExternalReference(
            target_url=target.resolve().as_uri(), available_range=ref.available_range
        )
        clip.media_reference.name = target.name
        if sound is not None:
            media.set_audio(clip.media_reference, sound)
    v1 = out.video_tracks()[0]
    picture_clips = [c for c in v1 if isinstance(c, otio.schema.Clip)]
    names = reels([c.name for c in picture_clips if c.name != SLUG])
    for clip in picture_clips:
        if clip.name == SLUG:
            clip.metadata["cmx_3600"] = {"reel": "BL"}
        else:
            clip.metadata["cmx_3600"] = {"reel": names[clip.name]}
            clip.media_reference.metadata["storyreel"] = {"reel": names[clip.name]}
    for t in out.find_children(descended_from_type=otio.schema.Transition):
        t.metadata["AAF"] = transition_metadata(t)
        if t.transition_type == SMPTE_WIPE:
            t.metadata["fcp_xml"] = {"effect": {"name": t.name, **_EDGE_WIPE}}
    return out


def _sound_of(clip: otio.schema.Clip) -> media.AudioFormat | None:
    """The sound format of a line (as the media stage writes it) or the music bed (its file)."""
    kind = clip.metadata.get("storyreel", {}).get("kind")
    if kind == "dialogue":
        return media.LINE
    if kind == "music":
        url = clip.media_reference.target_url
        return media.audio_format(Path(otio.url_utils.filepath_from_url(url)))
    return None


STEMS = ("dialogue", "music", "effects")
STEM_TRACK = " stem"  # a stem's track is named "Dialogue stem", "Music stem"...


def with_stems(timeline: otio.schema.Timeline, folder: Path) -> otio.schema.Timeline:
    """`timeline` (an `interchange_copy`) with a track for each stem `folder` (the media folder) holds,
    the programme's length from its start: the mix's buses, for an editor who wants them."""
    found = [bus for bus in STEMS if (folder / stem_name(bus)).is_file()]
    if not found:
        return timeline
    out = copy.deepcopy(timeline)
    length = out.tracks.duration()
    for bus in found:
        path = folder / stem_name(bus)
        track = otio.schema.Track(
            name=f"{bus.title()}{STEM_TRACK}", kind=otio.schema.TrackKind.Audio
        )
        ref = otio.schema.ExternalReference(
            target_url=path.resolve().as_uri(),
            available_range=otio.opentime.TimeRange(
                otio.opentime.RationalTime(0, length.rate), length
            ),
        )
        ref.name = path.name
        if (sound := media.audio_format(path)) is not None:
            media.set_audio(ref, sound)
        clip = otio.schema.Clip(
            name=path.stem, media_reference=ref, source_range=ref.available_range
        )
        clip.metadata["storyreel"] = {"kind": "stem", "bus": bus}
        track.append(clip)
        out.tracks.append(track)
    return out


def relative_copy(timeline: otio.schema.Timeline, out_dir: Path) -> otio.schema.Timeline:
    """`timeline` (an `interchange_copy`) with its file URLs relative to `out_dir`."""
    out = copy.deepcopy(timeline)
    root = out_dir.resolve()
    for clip in clips(out):
        ref = clip.media_reference
        if isinstance(ref, otio.schema.ExternalReference):
            path = Path(otio.url_utils.filepath_from_url(ref.target_url))
            if path.is_relative_to(root):
                ref.target_url = path.relative_to(root).as_posix()
    return out


def markers(timeline: otio.schema.Timeline) -> list[tuple[int, otio.schema.Marker]]:
    """The picture track's markers (scenes, sections) with their record frame from its start."""
    return [(m.marked_range.start_time.to_frames(), m) for m in timeline.video_tracks()[0].markers]


def _black(frame: tuple[int, int]) -> np.ndarray:
    img = np.zeros((frame[1], frame[0], 4), np.uint8)
    img[..., 3] = 255
    return img
