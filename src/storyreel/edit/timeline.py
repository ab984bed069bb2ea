"""ShotList + selected takes → the cut, as an OpenTimelineIO Timeline.

Tracks: V1 picture (one clip per shot, black slugs under title cards), "Titles" (card text and
lower-third supers), A1 dialogue (one clip per line, with J- and L-cuts), A2 music when given.
Markers on V1 mark scenes and sections. Every clip carries `metadata["storyreel"]`.

Time is rational at the film's rate with integer frame counts; the programme starts at
`config.film.start_timecode`. A transition starts at its cut and runs `out_offset` frames into
the incoming shot over the outgoing shot's tail handle: the CMX 3600 convention, so that EDL
and XML exports keep exactly the same cut points. The script's ending (FADE OUT.) is a
fade-out from the last shot into black: the slug of the card that follows it, or a black slug
of the fade's length that ends the film.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from storyreel.config import ProjectConfig
from storyreel.edit import rhythm
from storyreel.errors import StoryreelError
from storyreel.model import EditOverrides, Shot, ShotList, Take, TransitionKind, frames_for

HANDLE_SECONDS = 1.0  # media kept beyond each end of a shot, for transitions and trims
# the longest media an edit may reach into: far past any take, far short of a range that
# would make a render's sound mix or frame count overflow
MAX_SHOT_SECONDS = 600
LINE_GAP_SECONDS = 0.3  # silence between two lines of a shot
HEAD_SECONDS = 0.5  # picture before the first line when the sound does not lead
TAIL_SECONDS = 0.6  # picture after the last line
WORDS_PER_SECOND = 2.6  # reading speed when a line's real length is unknown
SUPER_SECONDS = 4.0
SLUG = "BLACK"
TITLES_TRACK = "Titles"
SMPTE_WIPE = "SMPTE_Wipe"  # OTIO has no constant for a wipe; its CMX 3600 reader names one so

_DISSOLVES = {
    TransitionKind.DISSOLVE,
    TransitionKind.MATCH_CUT,
    TransitionKind.FADE_IN,
    TransitionKind.FADE_OUT,
}


def line_key(shot_id: str, index: int) -> str:
    """The key of a dialogue line in `dialogue_lengths`: `"<shot id>:<index in the shot>"`."""
    return f"{shot_id}:{index}"


def estimate_line_seconds(text: str) -> float:
    words = len(re.findall(r"[\w']+", text))
    return round(0.4 + words / WORDS_PER_SECOND, 3)


def rt(frames: int, fps: Fraction) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, float(fps))


def tr(start: int, length: int, fps: Fraction) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(rt(start, fps), rt(length, fps))


def timeline_fps(timeline: otio.schema.Timeline) -> Fraction:
    """The exact frame rate `build_timeline` wrote into the timeline from the config, for code
    given only a timeline (its exports, a cut read back from its file); code given the config
    reads `config.film.fps` instead, never a second copy of it."""
    return Fraction(timeline.metadata["storyreel"]["fps"])


def handle_frames(fps: Fraction) -> int:
    return frames_for(HANDLE_SECONDS, fps)


@dataclass
class _Entry:
    shot: Shot
    src_in: int
    length: int
    fixed: bool
    dialogue: bool  # lay its lines here (a duplicated shot speaks once)
    media: int = 0  # at least this many frames of media: a trim keeps the clip it was cut from


def _line_frames(shot: Shot, fps: Fraction, lengths: Mapping[str, float] | None) -> list[int]:
    out = []
    for i, line in enumerate(shot.dialogue):
        seconds = (lengths or {}).get(line_key(shot.id, i)) or estimate_line_seconds(line.text)
        out.append(frames_for(seconds, fps))
    return out


def _script_entries(shotlist: ShotList, fps: Fraction, lines: dict[str, list[int]]) -> list[_Entry]:
    handle, gap = handle_frames(fps), frames_for(LINE_GAP_SECONDS, fps)
    head, tail = frames_for(HEAD_SECONDS, fps), frames_for(TAIL_SECONDS, fps)
    entries = []
    for shot in shotlist.shots:
        length = frames_for(shot.duration, fps)
        if lines[shot.id] and not shot.duration_fixed:
            spoken = sum(lines[shot.id]) + gap * (len(lines[shot.id]) - 1)
            length = max(length, head + spoken + tail)
        entries.append(_Entry(shot, handle, length, shot.duration_fixed, True))
    return entries


def _override_entries(
    shotlist: ShotList, overrides: EditOverrides, fps: Fraction, script: list[_Entry]
) -> list[_Entry]:
    """The editor's order and trims; shots added to the script since then go after their
    predecessor in the script; shots no longer in the script drop out."""
    ratio = fps / Fraction(overrides.fps)
    by_id = {s.id: s for s in shotlist.shots}
    media = {e.shot.id: 2 * handle_frames(fps) + e.length for e in script}  # the script cut's
    entries: list[_Entry] = []
    spoken: set[str] = set()
    cap = frames_for(MAX_SHOT_SECONDS, Fraction(overrides.fps))
    for e in overrides.entries:
        if e.src_in + e.length > cap:  # stored before import-edit bounded its ranges
            raise StoryreelError(
                f"the stored edit has shot {e.shot_id} reach frame "
                f"{e.src_in + e.length} of its media (at most "
                f"{MAX_SHOT_SECONDS // 60} minutes); import the edit again, "
                f"or `storyreel import-edit --clear`",
                overrides.source,
            )
        if e.shot_id in by_id:
            entries.append(
                _Entry(
                    by_id[e.shot_id],
                    round(e.src_in * ratio),
                    max(1, round(e.length * ratio)),
                    True,
                    e.shot_id not in spoken,
                    media[e.shot_id],
                )
            )
            spoken.add(e.shot_id)
    known = set(overrides.known_shots)
    for i, entry in enumerate(script):
        if entry.shot.id in known:
            continue
        placed = [p.shot.id for p in entries]
        prev = next((s.shot.id for s in reversed(script[:i]) if s.shot.id in placed), None)
        entries.insert(placed.index(prev) + 1 if prev else 0, entry)
    return entries


def _media_reference(
    entry: _Entry, take: Take | None, fps: Fraction, project_root: Path | None, available: int
) -> otio.core.MediaReference:
    available_range = tr(0, available, fps)
    if take is not None and take.path:
        path = Path(take.path)
        if not path.is_absolute() and project_root is not None:
            path = (project_root / path).resolve()
        url = path.as_uri() if path.is_absolute() else take.path
        return otio.schema.ExternalReference(target_url=url, available_range=available_range)
    ref = otio.schema.MissingReference(name=entry.shot.id, available_range=available_range)
    ref.metadata["storyreel"] = {"shot_id": entry.shot.id}
    return ref


def _card_texts(shotlist: ShotList) -> list[tuple[str | None, str, float, str]]:
    """(after shot, text, seconds, kind) for the title page and the script's cards."""
    cards = []
    page = shotlist.title_page
    title = (page.get("Title") or page.get("title") or shotlist.title or "").strip()
    if title:
        title = re.sub(r"[*_]", "", title)
        credit = [
            v.strip() for k, v in page.items() if k.lower() in ("credit", "author", "authors")
        ]
        text = "\n".join(t for t in (title, *credit) if t)
        cards.append((None, text, 4.0, "title"))
    for card in shotlist.cards:
        if title and card.after_shot is None and card.text.strip().upper() == title.upper():
            continue  # the title page already made this card
        cards.append((card.after_shot, card.text, card.duration, "card"))
    return cards


def _clip(
    name: str, src_in: int, length: int, ref: otio.core.MediaReference, fps: Fraction, meta: dict
) -> otio.schema.Clip:
    clip = otio.schema.Clip(name=name, media_reference=ref, source_range=tr(src_in, length, fps))
    clip.metadata["storyreel"] = meta
    return clip


def _generator(
    kind: str, length: int, fps: Fraction, **params: object
) -> otio.schema.GeneratorReference:
    return otio.schema.GeneratorReference(
        generator_kind=kind, parameters=params, available_range=tr(0, length, fps)
    )


class _Cut:
    """Lays the tracks out left to right: picture, titles, dialogue; `pos` is V1's end."""

    def __init__(
        self,
        shotlist: ShotList,
        fps: Fraction,
        takes: Mapping[str, Take],
        lines: dict[str, list[int]],
        project_root: Path | None,
    ):
        self.fps, self.takes, self.lines, self.project_root = fps, takes, lines, project_root
        self.scenes = {s.id: s for s in shotlist.scenes}
        self.v1 = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
        self.titles = otio.schema.Track(name=TITLES_TRACK, kind=otio.schema.TrackKind.Video)
        self.a1 = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
        self.handle = handle_frames(fps)
        self.pos = self.prev_len = self.a1_end = 0
        self.after_shot = False  # V1 ends with a shot (not a card): sound may lead the cut
        self.scene_id: str | None = None
        self.section: str | None = None

    def _place(self, track: otio.schema.Track, start: int, clip: otio.schema.Clip) -> int:
        """Append `clip` at frame `start` (after a gap if needed); returns the track's end."""
        end = track.duration().to_frames() if len(track) else 0
        if start > end:
            track.append(otio.schema.Gap(source_range=tr(0, start - end, self.fps)))
        track.append(clip)
        return track.duration().to_frames()

    def slug(self, n: int) -> None:
        """`n` frames of black on V1."""
        self.v1.append(
            _clip(SLUG, 0, n, _generator("black", n, self.fps), self.fps, {"kind": "slug"})
        )
        self.pos += n
        self.prev_len = n
        self.after_shot = False

    def card(self, text: str, seconds: float, style: str) -> None:
        """A black slug on V1 with the card's text above it on the titles track."""
        fps, n = self.fps, frames_for(seconds, self.fps)
        self._place(
            self.titles,
            self.pos,
            _clip(
                style.upper(),
                0,
                n,
                _generator("storyreel.title", n, fps, text=text, style=style),
                fps,
                {"kind": style, "text": text},
            ),
        )
        self.slug(n)

    def fade_out(self, frames: int) -> None:
        """A fade-out of `frames` from the shot just laid into the black slug laid next."""
        self.v1.append(
            otio.schema.Transition(
                name=str(TransitionKind.FADE_OUT),
                transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                in_offset=rt(0, self.fps),
                out_offset=rt(frames, self.fps),
            )
        )

    def shot(self, e: _Entry, tail: int = 0) -> None:
        """Lay shot `e`, its super and its lines; its media runs `tail` frames (at least a
        handle) past its out point."""
        fps, shot = self.fps, e.shot
        opening = not len(self.v1)
        kind = shot.transition_in.kind
        wanted = rhythm.transition_frames(shot.transition_in, fps)
        frames = min(wanted, self.handle, e.length, self.prev_len)
        if frames and (kind in _DISSOLVES or kind == TransitionKind.WIPE):
            ttype = otio.schema.TransitionTypes.SMPTE_Dissolve if kind in _DISSOLVES else SMPTE_WIPE
            self.v1.append(
                otio.schema.Transition(
                    name=str(kind),
                    transition_type=ttype,
                    in_offset=rt(0, fps),
                    out_offset=rt(frames, fps),
                )
            )
        take = self.takes.get(shot.id)
        available = max(
            e.src_in + e.length + max(tail, self.handle), 2 * self.handle + e.length, e.media
        )
        meta = {
            "kind": "shot",
            "shot_id": shot.id,
            "scene_id": shot.scene_id,
            "take_id": take.id if take else None,
            "provenance": take.provenance.model_dump(mode="json") if take else None,
            "transition_in": {"kind": str(kind), "frames": wanted if opening else frames},
        }
        self.v1.append(
            _clip(
                shot.id,
                e.src_in,
                e.length,
                _media_reference(e, take, fps, self.project_root, available),
                fps,
                meta,
            )
        )
        self._markers(shot)
        if shot.super:
            start = self.pos + min(frames_for(0.5, fps), e.length - 1)
            n = max(1, min(frames_for(SUPER_SECONDS, fps), self.pos + e.length - start))
            self._place(
                self.titles,
                start,
                _clip(
                    "SUPER",
                    0,
                    n,
                    _generator("storyreel.title", n, fps, text=shot.super, style="super"),
                    fps,
                    {"kind": "super", "text": shot.super, "shot_id": shot.id},
                ),
            )
        if e.dialogue and shot.dialogue:
            self._dialogue(shot, lead=self.after_shot)
        self.pos += e.length
        self.prev_len = e.length
        self.after_shot = True

    def _markers(self, shot: Shot) -> None:
        scene = self.scenes.get(shot.scene_id)
        if scene is None or scene.id == self.scene_id:
            return
        self.scene_id = scene.id
        _marker(
            self.v1,
            f"{scene.number} {scene.heading}",
            self.pos,
            self.fps,
            "GREEN",
            {"scene_id": scene.id, "synopsis": scene.synopsis},
        )
        if scene.section and scene.section != self.section:
            self.section = scene.section
            _marker(
                self.v1, scene.section, self.pos, self.fps, "PURPLE", {"section": scene.section}
            )

    def _dialogue(self, shot: Shot, lead: bool) -> None:
        """The shot's lines one after another. The first leads the picture cut by a few
        frames (J-cut) when A1 has room; a line that outlasts its shot trails on (L-cut)."""
        fps = self.fps
        gap = frames_for(LINE_GAP_SECONDS, fps)
        if lead:
            start = max(self.pos - rhythm.j_cut_frames(fps), self.a1_end + gap, 0)
        else:
            start = self.pos + frames_for(HEAD_SECONDS, fps)
        for k, (line, n) in enumerate(zip(shot.dialogue, self.lines[shot.id], strict=True)):
            start = max(start, self.a1_end + (gap if self.a1_end else 0))
            ref = otio.schema.MissingReference(
                name=line_key(shot.id, k), available_range=tr(0, n, fps)
            )
            self.a1_end = self._place(
                self.a1,
                start,
                _clip(
                    f"{shot.id} {line.character}",
                    0,
                    n,
                    ref,
                    fps,
                    {
                        "kind": "dialogue",
                        "shot_id": shot.id,
                        "line": k,
                        "character": line.character,
                        "text": line.text,
                    },
                ),
            )
            start = self.a1_end + gap


def build_timeline(
    shotlist: ShotList,
    config: ProjectConfig,
    takes: Mapping[str, Take] | None = None,
    dialogue_lengths: Mapping[str, float] | None = None,
    overrides: EditOverrides | None = None,
    music: Path | None = None,
    beats: Sequence[float] | None = None,
    project_root: Path | None = None,
) -> otio.schema.Timeline:
    """The cut of `shotlist` with the selected `takes` (by shot id).

    `dialogue_lengths` (seconds, keyed by `line_key`) lengthens shots to hold their lines;
    `overrides` (from `import_edit`) sets order and trims; `music` adds A2, and `beats`
    (seconds, e.g. `rhythm.beat_times(music)`) snaps cuts to them.
    """
    fps = config.film.fps
    takes = takes or {}
    handle = handle_frames(fps)
    lines = {s.id: _line_frames(s, fps, dialogue_lengths) for s in shotlist.shots}
    entries = _script_entries(shotlist, fps, lines)
    if overrides is not None:
        entries = _override_entries(shotlist, overrides, fps, entries)

    cards = _card_texts(shotlist)
    head_cards = [c for c in cards if c[0] is None]
    if beats and overrides is None:
        offset = sum(frames_for(c[2], fps) for c in head_cards)
        snapped = rhythm.snap_lengths(
            [e.length for e in entries], [e.fixed for e in entries], beats, fps, offset=offset
        )
        for e, n in zip(entries, snapped, strict=True):
            e.length = n

    rate = float(fps)
    timeline = otio.schema.Timeline(
        name=shotlist.title or Path(shotlist.source).stem,
        global_start_time=otio.opentime.from_timecode(config.film.start_timecode, rate),
    )
    timeline.metadata["storyreel"] = {
        "fps": str(fps),
        "frame_size": [config.film.width, config.film.height],
        "picture_size": list(config.picture_size),
        "handle": handle,
        "source": shotlist.source,
    }
    cut = _Cut(shotlist, fps, takes, lines, project_root)
    timeline.tracks.extend([cut.v1, cut.titles, cut.a1])

    last_of = {e.shot.id: i for i, e in enumerate(entries)}
    cards_after: dict[int, list] = {}
    for card in cards:
        if card[0] is not None:
            cards_after.setdefault(last_of.get(card[0], len(entries) - 1), []).append(card)
    for _, text, seconds, style in head_cards:
        cut.card(text, seconds, style)
    last = len(entries) - 1
    fade, black = _ending(
        shotlist, config, entries[-1].length if entries else 0, cards_after.get(last, [])
    )
    for i, e in enumerate(entries):
        cut.shot(e, tail=fade if i == last else 0)
        if i == last and fade:
            cut.fade_out(fade)
            if black:
                cut.slug(black)
        for _, text, seconds, style in cards_after.get(i, []):
            cut.card(text, seconds, style)
    pos = cut.pos

    if music is not None:
        seconds = rhythm.audio_duration(music)
        n = min(pos, frames_for(seconds, fps))
        a2 = otio.schema.Track(name="A2", kind=otio.schema.TrackKind.Audio)
        ref = otio.schema.ExternalReference(
            target_url=Path(music).resolve().as_uri(),
            available_range=tr(0, frames_for(seconds, fps), fps),
        )
        a2.append(_clip(Path(music).stem, 0, n, ref, fps, {"kind": "music"}))
        timeline.tracks.append(a2)
    return timeline


def _ending(
    shotlist: ShotList, config: ProjectConfig, last_length: int, cards: list
) -> tuple[int, int]:
    """(fade-out frames, black slug frames) after the last shot for the script's FADE OUT.

    The fade goes into the slug of a card that follows the last shot; when the film ends
    there it goes into a slug of its own, and the look's global fade-out (`look.fade_out`),
    which then falls on the same picture, sets its length if it is longer, never a second fade.
    """
    ending, fps = shotlist.ending, config.film.fps
    if ending is None or ending.kind is not TransitionKind.FADE_OUT or not last_length:
        return 0, 0
    frames = rhythm.transition_frames(ending, fps)
    if cards:
        return min(frames, last_length, frames_for(cards[0][2], fps)), 0
    if config.look.fade_out > 0:
        frames = max(frames, frames_for(config.look.fade_out, fps))
    frames = min(frames, last_length)
    return frames, frames


def _marker(
    track: otio.schema.Track, name: str, at: int, fps: Fraction, color: str, meta: dict
) -> None:
    marker = otio.schema.Marker(name=name, marked_range=tr(at, 0, fps), color=color)
    marker.metadata["storyreel"] = meta
    track.markers.append(marker)


def media_lengths(timeline: otio.schema.Timeline) -> dict[str, int]:
    """Frames of media each shot needs (handles included): the length to generate its clip at.
    Frame 0 of a shot's clip is the first frame of its head handle."""
    need: dict[str, int] = {}
    for clip in picture_clips(timeline):
        meta = clip.metadata["storyreel"]
        end = clip.media_reference.available_range.end_time_exclusive().to_frames()
        need[meta["shot_id"]] = max(need.get(meta["shot_id"], 0), end)
    return need


def out_points(timeline: otio.schema.Timeline) -> dict[str, int]:
    """The media frame of each shot's last frame in the cut (its first use on V1)."""
    out: dict[str, int] = {}
    for clip in picture_clips(timeline):
        out.setdefault(
            clip.metadata["storyreel"]["shot_id"],
            clip.source_range.end_time_exclusive().to_frames() - 1,
        )
    return out


def picture_clips(timeline: otio.schema.Timeline) -> list[otio.schema.Clip]:
    """The shot clips of V1 in order (slugs left out)."""
    return [
        c
        for c in timeline.video_tracks()[0].find_clips(shallow_search=True)
        if c.metadata.get("storyreel", {}).get("kind") == "shot"
    ]
