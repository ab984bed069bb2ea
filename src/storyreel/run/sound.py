"""The sound stages: music cues and effects (takes with provenance), the music's beats, the mix
of the timeline with its stems, and the mix as AAC.

The mix hears only the timeline's audio tracks, the cues and effects and the programme's length,
not the picture, so re-cutting a shot without touching its lines or length reuses the mix; the
AAC is encoded once per mix and length, so a cut whose picture changed is assembled without
encoding sound again. The cues and effects are placed here, where the cut's scenes are known:
an ambience bed and a music cue per scene, each crossfading into the next at the scene change,
and spot effects at the shots whose action names them.

The dialogue reaches the mix as a mapping `line key → Line` (its WAV, where it is heard, its
delivery gain), made here from the scratch voices until the voice stage gives its takes.

A draft's sound is mixed a piece at a time between the picture's cuts (`storyreel.sound.pieces`),
each piece measured, then mixed at the draft's gain and encoded as FLAC, all in the store by
what sounds in it from its own start: a new length remixes the shot's piece, not the film.
"""

from __future__ import annotations

import math
import os
import shutil
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from storyreel.backends import load_backend
from storyreel.config import _line_of
from storyreel.edit.rhythm import beat_times
from storyreel.edit.timeline import line_key
from storyreel.errors import StoryreelError
from storyreel.model import ShotList
from storyreel.render.encode import FLAC_OPTIONS, flac_frames
from storyreel.render.segments import FlacSound, encode_audio
from storyreel.run.events import LoudnessMeasured
from storyreel.run.pipeline import Pipeline
from storyreel.run.sound_takes import Slot, chosen, mark_current, record, take_seed
from storyreel.run.stage import Outcome, Stage, Stored
from storyreel.sound import pieces, words
from storyreel.sound.cues import Cue, CueRequest, EffectRequest
from storyreel.sound.loudness import Loudness, dbfs, integrated
from storyreel.sound.mix import BUSES, CEILING_DB, RATE, TOLERANCE_LU, Placed, mix
from storyreel.sound.music import FileMusic, readable_audio
from storyreel.store.keys import digest, stage_key
from storyreel.store.objects import file_digest

CROSSFADE_S = 1.0  # beds and cues overlap by this at a scene change
SPOT_DELAY_S = 0.3  # a spot effect after its shot's cut
SPOT_S = 2.0
SPOT_GAIN = 0.8
AMBIENCE_GAIN = 0.35
MAX_CUE_S = 300.0  # what a cue is asked for at most; a longer scene loops it
AMBIENCE_S = 10.0  # an ambience bed of a folder's files; generated ones are as long as the scene


@dataclass(frozen=True)
class Line:
    """A dialogue line as the mix takes it: its WAV, where it is heard ("on" screen, "vo",
    "os"), its delivery gain."""

    wav: Path
    space: str = "on"
    gain: float = 1.0


def space_of(extension: str | None) -> str:
    """Where a line with this extension (V.O., O.S., O.C.) is heard."""
    ext = (extension or "").upper().replace(".", "").replace(" ", "")
    if ext in ("VO", "VOICEOVER"):
        return "vo"
    if ext in ("OS", "OC", "OFF"):
        return "os"
    return "on"


# --- cues and effects: takes ------------------------------------------------------------------


@dataclass(frozen=True)
class CueItem:
    """One music cue (a scene's) or effect (a bed or a spot) to make with `backend`."""

    stage: str  # "music" | "effects"
    spec: str
    request: CueRequest | EffectRequest
    backend: Any = field(compare=False, repr=False)


class CueStage(Stage[CueItem, Path]):
    """A music cue or an effect as a take: stored, keyed by its backend and request."""

    name = kind = "cues"

    def __init__(self, p: Pipeline):
        self.p = p

    def key(self, item: CueItem) -> str:
        b = item.backend
        req = vars(item.request) | {"project_root": None}
        return stage_key(
            item.stage,
            backend=(b.name, b.version),
            token=b.cache_token(None, self.p.root),
            request=req,
        )

    def label(self, item: CueItem) -> str:
        r = item.request
        if isinstance(r, CueRequest):
            return f"music cue of scene {r.scene_id}"
        return f"{'ambience' if r.ambience else 'effect'} {r.word!r}"

    def refusal(self, item: CueItem, error: StoryreelError) -> tuple[str, bool]:
        return f"{item.spec}: {self.label(item)} left silent: {error}", False

    def compute(self, item: CueItem) -> Cue:
        r = item.request
        return item.backend.score(r) if isinstance(r, CueRequest) else item.backend.sound(r)

    def save(self, item: CueItem, value: Cue) -> Stored:
        tmp = self.p.store.temp_path(value.path.suffix)
        shutil.copyfile(value.path, tmp)
        provenance = {"backend": item.spec, **value.meta, "request": self.key_request(item)}
        return Stored({"audio": self.p.store.put_file(tmp)}, {"provenance": provenance})

    def key_request(self, item: CueItem) -> dict[str, Any]:
        return {k: v for k, v in vars(item.request).items() if k != "project_root"}

    def load(self, item: CueItem, stored: Stored) -> Path:
        return self.p.store.verified_path(stored.blobs["audio"])


@dataclass(frozen=True)
class Span:
    """A scene's place in the cut, in samples."""

    scene_id: str
    start: int
    end: int


def scene_spans(timeline: otio.schema.Timeline, shotlist: ShotList) -> list[Span]:
    """Where each scene sits on the picture track."""
    scene_of = {s.id: s.scene_id for s in shotlist.shots}
    v1 = timeline.video_tracks()[0]
    spans: dict[str, list[int]] = {}
    for item in v1:
        if not isinstance(item, otio.schema.Clip):
            continue
        sid = item.metadata.get("storyreel", {}).get("shot_id")
        if sid not in scene_of:
            continue
        r = v1.range_of_child(item)
        a, b = _samples(r.start_time), _samples(r.end_time_exclusive())
        span = spans.setdefault(scene_of[sid], [a, b])
        span[0], span[1] = min(span[0], a), max(span[1], b)
    return sorted((Span(k, a, b) for k, (a, b) in spans.items()), key=lambda s: s.start)


def _samples(t: otio.opentime.RationalTime) -> int:
    return round(Fraction(round(t.value)) / Fraction(t.rate).limit_denominator(1001) * RATE)


def _backend(p: Pipeline, stage: str, spec: str) -> Any:
    try:
        return load_backend(stage, spec)
    except StoryreelError as e:
        raise _at_config(p, stage, e) from None


def _at_config(p: Pipeline, stage: str, error: StoryreelError) -> StoryreelError:
    """`error` named at the project file's `[backends] <stage>` line."""
    path = p.project.config_path
    if path is None or not path.is_file():
        return error
    line = _line_of(path.read_text(encoding="utf-8"), ("backends", stage))
    said = error.message + (f" ({error.path})" if error.path else "")
    return StoryreelError(said, path, line)


@dataclass(frozen=True)
class Sounds:
    """The cues and effects placed in the cut, and the keys of their takes in the same order
    (the mix's upstream: choosing another take of one of them makes the mix again)."""

    placed: list[Placed]
    keys: list[str]


@dataclass(frozen=True)
class Wanted:
    """A slot's takes to make, and where its selected take plays (its path to come)."""

    slot: Slot
    items: list[CueItem]
    where: Placed


def plan_cues(
    p: Pipeline, timeline: otio.schema.Timeline, shotlist: ShotList, per_scene_music: bool
) -> list[Wanted]:
    """Every take of the scenes' music cues (when the music backend scores scenes), ambience
    beds and spot effects, with where each slot plays in `timeline`; nothing is made."""
    spans = scene_spans(timeline, shotlist)
    scenes = {s.id: s for s in shotlist.scenes}
    shots_of = {sid: tuple(s.id for s in shotlist.shots if s.scene_id == sid) for sid in scenes}
    fade = round(CROSSFADE_S * RATE)
    n_cue, n_fx = p.config.backends.cue_takes, p.config.backends.effect_takes
    wanted: list[Wanted] = []

    def bed(span: Span, bus: str, gain: float) -> Placed:  # under a scene, crossfading
        start = max(0, span.start - fade // 2)
        return Placed(bus, start, Path(), gain, length=span.end - span.start + fade, fade=fade)

    music_spec = p.config.backends.music
    if per_scene_music and music_spec:
        music = _backend(p, "music", music_spec)
        for span in spans:
            scene = scenes[span.scene_id]
            text = " ".join([scene.synopsis or "", *_actions(shotlist, scene.id)])
            prompt = words.cue_prompt(scene.heading, text, p.config.look.style)
            seconds = round(min(MAX_CUE_S, (span.end - span.start + fade) / RATE), 2)
            items = [
                CueItem(
                    "music",
                    music_spec,
                    CueRequest(scene.id, prompt, seconds, take_seed(scene.id, t), p.root),
                    music,
                )
                for t in range(n_cue)
            ]
            slot = Slot("cue", "music", "music", scene.id, shots_of[scene.id])
            wanted.append(Wanted(slot, items, bed(span, "music", 1.0)))
    effects_spec = p.config.backends.effects
    if effects_spec:
        effects = _backend(p, "effects", effects_spec)

        def takes(word: str, seconds: float, ambience: bool, n: int) -> list[CueItem]:
            return [
                CueItem(
                    "effects",
                    effects_spec,
                    EffectRequest(
                        word, words.describe(word), seconds, ambience, take_seed(word, t), p.root
                    ),
                    effects,
                )
                for t in range(n)
            ]

        for span in spans:
            scene = scenes[span.scene_id]
            action = " ".join(_actions(shotlist, scene.id))
            for word in words.ambience_words(
                scene.heading, action, scene.int_ext.startswith("INT")
            ):
                slot = Slot("cue", "ambience", word, scene.id, shots_of[scene.id])
                where = bed(span, "effects", AMBIENCE_GAIN)
                seconds = _bed_seconds(effects, where.length / RATE)
                wanted.append(Wanted(slot, takes(word, seconds, True, n_cue), where))
        starts = _shot_starts(timeline)
        for shot in shotlist.shots:
            for word in (
                words.spot_words(shot.action or shot.description) if shot.id in starts else []
            ):
                at = starts[shot.id] + round(SPOT_DELAY_S * RATE)
                slot = Slot("effect", "effect", word, shot.scene_id, (shot.id,))
                where = Placed("effects", at, Path(), SPOT_GAIN)
                wanted.append(Wanted(slot, takes(word, SPOT_S, False, n_fx), where))
    return wanted


def make_cues(
    p: Pipeline, timeline: otio.schema.Timeline, shotlist: ShotList, per_scene_music: bool
) -> Sounds:
    """The scenes' music cues (when the music backend scores scenes) and effects, every take
    made or found and recorded, the selected take of each placed where the cut puts its scene
    or shot (`storyreel.run.sound_takes`)."""
    wanted = plan_cues(p, timeline, shotlist, per_scene_music)
    stage = CueStage(p)
    planned = [(w, [stage.key(item) for item in w.items]) for w in wanted]
    mark_current(p, [s.id for s in shotlist.shots], [(w.slot, k) for w, k in planned])
    if not wanted:
        return Sounds([], [])
    # a door in two shots: one take
    unique = {key: item for w, k in planned for key, item in zip(k, w.items, strict=True)}
    made: dict[str, Stored] = {}
    with p.runner.stage("cues", len(unique)) as tick:
        for _, outcome in p.runner.ensure(stage, list(unique.values()), tick):
            if outcome.error is None and outcome.stored is not None:
                made[outcome.key] = outcome.stored
            # a refusal is a silent gap, said as a warning by the runner
    placed: list[tuple[Placed, str]] = []
    for w, k in planned:
        for t, (key, item) in enumerate(zip(k, w.items, strict=True)):
            if key in made:
                record(p, w.slot, t, key, item.backend, item.request, made[key])
        key = chosen(p.db, w.slot.choice, dict(enumerate(k)))
        if key in made:
            placed.append((replace(w.where, path=stage.load(unique[key], made[key])), key))
    placed.sort(key=lambda pk: (pk[0].start, pk[0].bus, pk[1]))
    return Sounds([pl for pl, _ in placed], [key for _, key in placed])


def _bed_seconds(backend: Any, scene_s: float) -> float:
    """What an ambience bed is asked for: its scene's length in whole seconds, within what the
    backend makes (a longer scene loops it); `AMBIENCE_S` from a backend of files."""
    if backend.lengths is None:
        return AMBIENCE_S
    shortest, longest = backend.lengths
    return float(min(max(math.ceil(scene_s), shortest), longest))


def _actions(shotlist: ShotList, scene_id: str) -> list[str]:
    return [s.action or s.description for s in shotlist.shots if s.scene_id == scene_id]


def _shot_starts(timeline: otio.schema.Timeline) -> dict[str, int]:
    v1 = timeline.video_tracks()[0]
    out: dict[str, int] = {}
    for item in v1:
        if isinstance(item, otio.schema.Clip):
            sid = item.metadata.get("storyreel", {}).get("shot_id")
            if sid and sid not in out:
                out[sid] = _samples(v1.range_of_child(item).start_time)
    return out


def music_file(p: Pipeline, given: Path | None) -> Path | None:
    """The film's music bed from a file: `--music`, or `[backends] music = "file:..."`, checked
    to be audio (a file that is not is named at its line in `storyreel.toml`)."""
    if given is not None:
        return readable_audio(given)
    spec = p.config.backends.music
    if not spec:
        return None
    backend = _backend(p, "music", spec)
    if not isinstance(backend, FileMusic):
        return None
    try:
        return readable_audio(backend.path(p.root))
    except StoryreelError as e:
        raise _at_config(p, "music", e) from None


def per_scene_music(p: Pipeline, given: Path | None) -> bool:
    spec = p.config.backends.music
    return given is None and bool(spec) and not spec.startswith("file")


# --- the mix ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mix:
    """The mix of a timeline: its dialogue, music bed, cues and effects."""

    timeline: Any
    shotlist: ShotList
    music: str | None  # the music file's digest
    lines: Mapping[str, Line] = field(default_factory=dict)
    sounds: Sounds = field(default_factory=lambda: Sounds([], []))


@dataclass(frozen=True)
class StoredPiece:
    """A stored piece of a draft's sound: its output's key, its FLAC frames' object and each
    frame's size in bytes and in samples."""

    key: str
    flac: str
    sizes: tuple[int, ...]
    lengths: tuple[int, ...]


@dataclass(frozen=True)
class Sound:
    """The stored mix: its key, WAV (None for a silent cut or a draft), stems and loudness; a
    draft's, its pieces instead of a WAV."""

    key: str
    wav: Path | None
    stems: dict[str, Path] = field(default_factory=dict)
    loudness: Loudness | None = None
    pieces: tuple[StoredPiece, ...] = ()


class MixStage(Stage[Mix, Any]):
    name, kind = "audio", "audio"

    def __init__(self, p: Pipeline):
        self.p = p

    def key(self, item: Mix) -> str:
        tracks = [digest(t.to_json_string().encode()) for t in item.timeline.audio_tracks()]
        return stage_key(
            "mix",
            upstream=item.sounds.keys,
            tracks=tracks,
            frames=item.timeline.duration().to_frames(),
            lines={k: [file_digest(v.wav), v.space, v.gain] for k, v in item.lines.items()},
            fps=self.p.config.film.fps,
            music=item.music,
            target=self.p.config.sound.target,
        )

    def label(self, item: Mix) -> str:
        return "the mix"

    def compute(self, item: Mix) -> Any:
        timeline = item.timeline
        placed = [*dialogue(timeline, item.lines), *item.sounds.placed]
        music = _music_path(timeline)
        if not placed and music is None:
            return None
        total = _total(self.p, timeline)
        folder = self.p.store.temp_path()
        folder.unlink()
        return mix(placed, music, total, folder, self.p.config.sound.target)

    def save(self, item: Mix, value: Any) -> Stored:
        if value is None:
            return Stored()
        blobs = {"wav": self.p.store.put_file(value.mix)}
        blobs |= {bus: self.p.store.put_file(path) for bus, path in value.stems.items()}
        shutil.rmtree(value.mix.parent, ignore_errors=True)
        heard = value.loudness
        return Stored(blobs, {"loudness": vars(heard) if heard else None})


def _total(p: Pipeline, timeline: otio.schema.Timeline) -> int:
    """The programme's length in samples."""
    fps = p.config.film.fps
    return round(Fraction(timeline.tracks.duration().rescaled_to(float(fps)).value) / fps * RATE)


@dataclass(frozen=True)
class PieceItem:
    """A piece of a draft's sound to measure (`gain` None) or to mix at `gain` dB and encode."""

    piece: pieces.Piece
    music: Path | None
    gain: float | None = None


class PieceStage(Stage[PieceItem, Any]):
    """A piece of a draft's sound: measured (the mean squares of its steps), or mixed at the
    draft's gain and encoded as FLAC; keyed by what sounds in it, from the piece's start."""

    name, kind = "audio", "sound-piece"

    def __init__(self, p: Pipeline):
        self.p = p
        self._digests: dict[Path, str] = {}  # each sound's file hashed once a build

    def _digest(self, path: Path) -> str:
        if path not in self._digests:
            self._digests[path] = file_digest(path)
        return self._digests[path]

    def key(self, item: PieceItem) -> str:
        piece = item.piece
        return stage_key(
            "draft-sound" if item.gain is not None else "draft-loudness",
            length=piece.length,
            sounds=[
                [s.bus, self._digest(s.path), s.start, s.gain, s.space, s.length, s.fade]
                for s in piece.sounds
            ],
            spans=piece.spans,
            music=[self._digest(item.music), piece.start] if piece.music and item.music else None,
            gain=item.gain,
            ceiling=CEILING_DB,
            reach=pieces.reach(),
            flac=FLAC_OPTIONS if item.gain is not None else None,
        )

    def label(self, item: PieceItem) -> str:
        return f"sound at sample {item.piece.start}"

    def compute(self, item: PieceItem) -> Any:
        padded = pieces.summed(item.piece, item.music)
        if item.gain is None:
            return pieces.steps(padded, item.piece.length)
        mixed = pieces.finish(padded, item.piece.length, item.gain)
        return mixed, flac_frames(mixed.samples)

    def save(self, item: PieceItem, value: Any) -> Stored:
        if item.gain is None:
            return Stored({}, {"steps": value})
        mixed, frames = value
        tmp = self.p.store.temp_path(".flac")
        tmp.write_bytes(b"".join(data for data, _ in frames))
        return Stored(
            {"flac": self.p.store.put_file(tmp)},
            {
                "sizes": [len(data) for data, _ in frames],
                "lengths": [n for _, n in frames],
                "steps": mixed.steps,
                "peak": mixed.peak,
            },
        )


def _draft_sound(p: Pipeline, item: Mix) -> Sound:
    """A draft's sound, piece by piece: measured, its gain found, mixed at that gain."""
    timeline = item.timeline
    placed = [*dialogue(timeline, item.lines), *item.sounds.placed]
    music = _music_path(timeline)
    if not placed and music is None:
        return Sound("", None)
    cuts = sorted(set(_shot_starts(timeline).values()))
    parts = pieces.cut(placed, music is not None, _total(p, timeline), cuts)
    stage, target = PieceStage(p), p.config.sound.target

    def each(gain: float | None, tick: Any) -> list[Outcome]:
        items = [PieceItem(piece, music, gain) for piece in parts]
        done = {}
        for one, outcome in p.runner.ensure(stage, items, tick):
            if outcome.error is not None:
                raise outcome.error
            done[one.piece.start] = outcome
        return [done[piece.start] for piece in parts]

    def heard(outcomes: list[Outcome]) -> float:
        return integrated([v for o in outcomes for v in o.stored.meta["steps"]])

    with p.runner.stage("audio", 2 * len(parts)) as tick:
        gain = pieces.gain_db(target, heard(each(None, tick)))
        for _ in range(3):  # as the mix: again when the limiter took too much
            mixed = each(gain, tick)
            off = target - heard(mixed)
            if not math.isfinite(off) or abs(off) <= TOLERANCE_LU:
                break
            gain = pieces.gain_db(target, heard(mixed) - gain)
    loud = heard(mixed)
    peak = max(o.stored.meta["peak"] for o in mixed)
    loudness = (
        Loudness(round(loud, 2), round(float(dbfs(peak)), 2), target)
        if math.isfinite(loud)
        else None
    )
    kept = tuple(
        StoredPiece(
            o.key,
            o.stored.blobs["flac"],
            tuple(o.stored.meta["sizes"]),
            tuple(o.stored.meta["lengths"]),
        )
        for o in mixed
    )
    return Sound(stage_key("draft-mix", pieces=[k.key for k in kept]), None, {}, loudness, kept)


def dialogue(timeline: otio.schema.Timeline, lines: Mapping[str, Line]) -> list[Placed]:
    """The lines where A1 places them."""
    out = []
    for track in timeline.audio_tracks():
        for clip in track.find_clips(shallow_search=True):
            info = clip.metadata.get("storyreel", {})
            key = (
                line_key(info["shot_id"], info["line"]) if info.get("kind") == "dialogue" else None
            )
            if key in lines:
                line = lines[key]
                start = _samples(track.range_of_child(clip).start_time)
                out.append(Placed("dialogue", start, line.wav, line.gain, line.space))
    return out


def _music_path(timeline: otio.schema.Timeline) -> Path | None:
    for track in timeline.audio_tracks():
        for item in track.find_clips(shallow_search=True):
            if item.metadata.get("storyreel", {}).get("kind") == "music":
                return Path(otio.url_utils.filepath_from_url(item.media_reference.target_url))
    return None


def mix_sound(
    p: Pipeline,
    timeline: Any,
    shotlist: ShotList,
    music: str | None,
    lines: Mapping[str, Line],
    sounds: Sounds | None = None,
) -> Sound:
    """The mix of `timeline` and its stems, from the store or made now; its loudness is
    published (and so in the build report)."""
    item = Mix(timeline, shotlist, music, lines, sounds or Sounds([], []))
    if p.draft:  # a piece at a time, without stems: a new length remixes one shot's sound
        sound = _draft_sound(p, item)
    else:
        with p.runner.stage("audio"):
            outcome = p.runner.one(MixStage(p), item)
        blobs = outcome.stored.blobs if outcome.stored else {}
        if "wav" not in blobs:
            return Sound(outcome.key, None)
        heard = outcome.stored.meta.get("loudness")
        stems = {bus: p.store.path(blobs[bus]) for bus in BUSES if bus in blobs}
        sound = Sound(
            outcome.key, p.store.path(blobs["wav"]), stems, Loudness(**heard) if heard else None
        )
    if sound.loudness is not None:
        heard = sound.loudness
        p.events.publish(LoudnessMeasured(heard.integrated, heard.true_peak, heard.target))
    return sound


def write_stems(p: Pipeline, sound: Sound, output: Path) -> list[Path]:
    """The stems beside the cut: `cut-dialogue.wav`, `cut-music.wav`, `cut-effects.wav`."""
    written = []
    for bus, path in sound.stems.items():
        dest = output.with_name(f"{output.stem}-{bus}.wav")
        tmp = dest.with_name(f".{dest.name}.partial")
        shutil.copyfile(path, tmp)
        os.replace(tmp, dest)
        written.append(dest)
    return written


@dataclass(frozen=True)
class Aac:
    mix: Sound
    seconds: Fraction


class AacStage(Stage[Aac, Path]):
    name = kind = "aac"

    def __init__(self, p: Pipeline):
        self.p = p

    def key(self, item: Aac) -> str:
        return stage_key("aac", upstream=[item.mix.key], seconds=item.seconds)

    def label(self, item: Aac) -> str:
        return "AAC sound"

    def compute(self, item: Aac) -> Path:
        tmp = self.p.store.temp_path(".m4a")
        encode_audio(item.mix.wav, item.seconds, tmp)
        return tmp

    def save(self, item: Aac, value: Path) -> Stored:
        return Stored({"m4a": self.p.store.put_file(value)})

    def load(self, item: Aac, stored: Stored) -> Path:
        return self.p.store.path(stored.blobs["m4a"])


@dataclass(frozen=True)
class Music:
    path: Path
    digest: str


class BeatsStage(Stage[Music, list[float]]):
    name = kind = "beats"

    def __init__(self, p: Pipeline):
        self.p = p

    def key(self, item: Music) -> str:
        return stage_key("beats", music=item.digest)

    def label(self, item: Music) -> str:
        return f"beats of {item.path.name}"

    def compute(self, item: Music) -> list[float]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            beats = beat_times(item.path)
        for w in caught:
            self.p.warn(str(w.message))
        return beats

    def save(self, item: Music, value: list[float]) -> Stored:
        return Stored({}, {"beats": value})

    def load(self, item: Music, stored: Stored) -> list[float]:
        return stored.meta["beats"]


def aac(p: Pipeline, sound: Sound, seconds: Fraction) -> tuple[str, Path | None]:
    """(key, file) of the mix encoded to AAC for `seconds`; ("", None) for a silent cut."""
    if sound.wav is None:
        return "", None
    stage, item = AacStage(p), Aac(sound, seconds)
    return stage.key(item), p.runner.load(stage, item)


def cut_audio(p: Pipeline, sound: Sound, seconds: Fraction) -> tuple[list[str], Any]:
    """(the outputs' keys, what the remux muxes) of the cut's sound: a render's mix as AAC for
    `seconds` (`aac`), a draft's pieces as FLAC frames, each piece verified as it is read."""
    if not sound.pieces:
        key, path = aac(p, sound, seconds)
        return [key] if key else [], path
    return [piece.key for piece in sound.pieces], FlacSound(_frames(p, sound.pieces))


def _frames(p: Pipeline, kept: tuple[StoredPiece, ...]) -> Any:
    for piece in kept:
        data = p.store.verified_path(piece.flac).read_bytes()
        at = 0
        for size, n in zip(piece.sizes, piece.lengths, strict=True):
            yield data[at : at + size], n
            at += size


def beats(p: Pipeline, music: Music) -> list[float]:
    return p.runner.load(BeatsStage(p), music)
