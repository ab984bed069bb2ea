"""The voice stage: every take of every line of dialogue, and the take each line's mix uses.

It runs before the timeline is built, because a line's spoken length decides how long its shot
holds. A line's take is keyed by what decides its sound — the backend and voice, the text, the
parenthetical and extension, the seed and take — so editing one line re-voices that line alone.
Take i of a line has the seed `line_seed(shot, line, i)`; `[backends] voice_takes` sets how many
takes a line has, `storyreel select SHOT N --sound --line L` which one the mix uses.

A refusal (a hosted vendor's content policy, a network given up on) fails that line alone: the
build warns, and the mix gets a silent gap of the line's estimated length in its place.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storyreel.backends import available, backend_class, load_backend, split_spec
from storyreel.config import _line_of
from storyreel.edit.timeline import estimate_line_seconds, line_key
from storyreel.errors import StoryreelError
from storyreel.files import atomic_write
from storyreel.hosted.speech import HostedVoice
from storyreel.model import DialogueLine, Provenance, Shot, ShotList, SpokenLine
from storyreel.run.pipeline import Pipeline
from storyreel.run.sound import Line, space_of
from storyreel.run.stage import Stage, Stored
from storyreel.run.takes import take_id
from storyreel.sound.voices.base import LineRequest, Speech, VoiceBackend, silence
from storyreel.sound.voices.cast import voice_spec
from storyreel.sound.voices.delivery import offscreen
from storyreel.sound.voices.espeak import EspeakVoice, tts_engine
from storyreel.store.keys import canonical, digest, stage_key

SILENT_RATE = 48_000


def line_seed(shot: Shot, line: int, take: int) -> int:
    """The seed of take `take` of a shot's line: stable across runs and machines."""
    h = hashlib.sha256(f"{shot.id}:{line}:{take}".encode()).digest()
    return int.from_bytes(h[:4], "big")


def line_text_hash(line: DialogueLine) -> str:
    """What a line says and how (its place in the script left out)."""
    return digest(canonical(line.model_dump(mode="python", exclude={"lines", "dual"})))[:16]


@dataclass(frozen=True)
class LineTake:
    """One take of one line: the shot, the line's index in it, the take, its key, its backend
    and the request it sends."""

    shot: Shot
    line: int
    take: int
    key: str
    backend: VoiceBackend
    request: LineRequest

    @property
    def line_key(self) -> str:
        return line_key(self.shot.id, self.line)

    @property
    def id(self) -> str:
        return take_id(self.shot.id, "voice", self.key)


class VoiceStage(Stage[LineTake, Speech]):
    name = kind = "voice"

    def __init__(self, p: Pipeline):
        self.p = p

    def key(self, item: LineTake) -> str:
        return item.key

    def label(self, item: LineTake) -> str:
        return (
            f"voice of shot {item.shot.id}, line {item.line + 1} ({item.request.character}), "
            f"take {item.take + 1}"
        )

    def shot(self, item: LineTake) -> str:
        return item.shot.id

    def item_id(self, item: LineTake, key: str) -> str:
        return item.id

    def refusal(self, item: LineTake, error: StoryreelError) -> tuple[str, bool]:
        said = str(error)
        said = said if said.startswith(item.backend.name) else f"{item.backend.name}: {said}"
        return (
            f"shot {item.shot.id}, line {item.line + 1} ({item.request.character}), take "
            f"{item.take + 1}: {said}; the line is a silent gap in the mix",
            False,
        )

    def compute(self, item: LineTake) -> Speech:
        speech = item.backend.speak(item.request)
        pause = item.request.delivery.pause
        if pause:
            samples = np.concatenate([silence(pause, speech.rate), speech.samples])
            speech = Speech(samples, speech.rate, {**speech.meta, "pause": pause})
        return speech

    def save(self, item: LineTake, value: Speech) -> Stored:
        meta = {"seconds": value.seconds, "voice": item.request.voice, "meta": value.meta}
        return Stored({"wav": self.p.store.put_bytes(value.wav())}, meta)

    def load(self, item: LineTake, stored: Stored) -> Path:
        self.p.store.read_bytes(stored.blobs["wav"])  # verified (raises CorruptObject)
        return self.p.store.path(stored.blobs["wav"])


@dataclass(frozen=True)
class Voices:
    """What the voice stage made: each line's selected take as the mix hears it."""

    lines: dict[str, SpokenLine]  # line key → its spoken line

    @property
    def lengths(self) -> dict[str, float]:
        """Each line's length in seconds, for `build_timeline(dialogue_lengths=...)`."""
        return {k: v.seconds for k, v in self.lines.items()}


class _Casting:
    """The backends and voices of one build: one instance a spec, each checked once."""

    def __init__(self, p: Pipeline):
        self.p = p
        self.names = list(available("voice"))
        self.backends: dict[str, VoiceBackend] = {}
        self.voices: dict[str, tuple[VoiceBackend, str]] = {}

    def _where(self, character: str) -> tuple[Path | None, int | None]:
        path = self.p.project.config_path
        if path is None:
            return None, None
        text = path.read_text(encoding="utf-8")
        mine = self.p.config.characters.get(character)
        names = [n for n in _toml_names(text) if n.upper() == character]
        if mine is not None and mine.voice and names:
            return path, _line_of(text, ("characters", names[0], "voice"))
        return path, _line_of(text, ("backends", "voice"))

    def voice(self, character: str) -> tuple[VoiceBackend, str]:
        """The character's backend and voice; a bad spec, voice or missing model file raises at
        its line of `storyreel.toml`."""
        if character in self.voices:
            return self.voices[character]
        try:
            spec = voice_spec(self.p.config, character, self.names)
            if spec not in self.backends:
                backend = load_backend("voice", spec, **self._settings(spec))
                backend.prepare(self.p.root)
                self.backends[spec] = backend
            backend = self.backends[spec]
            description = self.p.stills_config.characters.get(character)
            voice = backend.cast(
                character, description.description if description else "", self.p.root
            )
            backend.check_voice(voice, self.p.root)
        except StoryreelError as e:
            path, line = self._where(character)
            raise StoryreelError(e.message, path, line) from None
        self.voices[character] = backend, voice
        return backend, voice

    def _settings(self, spec: str) -> dict[str, object]:
        """A hosted voice's constructor keywords: the project's ledger."""
        cls = backend_class("voice", split_spec(spec)[0])
        return {"ledger": self.p.db} if issubclass(cls, HostedVoice) else {}


def _toml_names(text: str) -> list[str]:
    return list((tomllib.loads(text).get("characters") or {}).keys())


def plan_voices(p: Pipeline, shotlist: ShotList) -> list[LineTake]:
    """Every take of every line (lines of a character espeak would speak, without espeak-ng
    installed, are left out with a warning: the dialogue is silent, as before voices had
    backends)."""
    casting, takes, silent = _Casting(p), [], False
    n = p.config.backends.voice_takes
    for shot in shotlist.shots:
        for i, line in enumerate(shot.dialogue):
            backend, voice = casting.voice(line.character.strip().upper())
            if isinstance(backend, EspeakVoice) and tts_engine() is None:
                silent = True
                continue
            for t in range(n):
                request = LineRequest(
                    text=line.text,
                    character=line.character.strip().upper(),
                    voice=voice,
                    parenthetical=line.parenthetical,
                    extension=offscreen(line.extension),
                    seed=line_seed(shot, i, t),
                    take=t,
                    project_root=p.root,
                )
                key = stage_key(
                    "voice",
                    backend=(backend.name, str(backend.version)),
                    options=backend.settings,
                    voice=voice,
                    character=request.character,
                    text=request.text,
                    parenthetical=request.parenthetical,
                    extension=request.extension,
                    seed=request.seed,
                    take=t,
                    token=backend.token(voice, p.root),
                )
                takes.append(LineTake(shot, i, t, key, backend, request))
    if silent:
        p.warn("no text-to-speech engine (espeak-ng): the scratch dialogue is silent")
    return takes


def make_voices(p: Pipeline, shotlist: ShotList, takes: list[LineTake] | None = None) -> Voices:
    """Make (or find) every take of every line (`takes`, when already planned); each line's
    selected take for the mix."""
    takes = plan_voices(p, shotlist) if takes is None else takes
    stage, made = VoiceStage(p), {}
    with p.runner.stage("voice", len(takes)) as tick:
        for take, outcome in p.runner.ensure(stage, takes, tick):
            made[take.key] = outcome
            if outcome.error is None:
                _record(p, take)
    current: dict[str, list[str]] = {}
    for take in takes:
        current.setdefault(take.shot.id, []).append(take.key)
    p.db.mark_current("voice", current)
    by_line: dict[str, list[LineTake]] = {}
    for take in takes:
        by_line.setdefault(take.line_key, []).append(take)
    lines = {}
    for key, mine in by_line.items():
        chosen = p.db.selected_take(key)
        pick = next((t for t in mine if t.id == chosen), None)
        pick = pick or mine[min(p.db.selection(key), len(mine) - 1)]
        how, outcome = pick.request.delivery, made[pick.key]
        if outcome.error is None and outcome.stored is not None:
            wav = p.store.path(outcome.stored.blobs["wav"])
            seconds = float(outcome.stored.meta["seconds"])
        else:
            seconds = estimate_line_seconds(pick.request.text)
            wav = _silent(p, seconds)
        lines[key] = SpokenLine(wav, seconds, pick.request.extension, how.volume)
    return Voices(lines)


def planned_lengths(
    p: Pipeline, shotlist: ShotList, takes: list[LineTake] | None = None
) -> dict[str, float]:
    """Each line's length as the next render will cut it, paying nothing (for an estimate):
    the voices themselves when none is hosted (they cost nothing, and the render reuses them),
    else each line's first take from the store, or its reading estimate when it is not made
    (`takes`, when already planned)."""
    takes = plan_voices(p, shotlist) if takes is None else takes
    if not any(isinstance(t.backend, HostedVoice) for t in takes):
        return make_voices(p, shotlist, takes).lengths
    lengths: dict[str, float] = {}
    for take in takes:
        if take.take != 0:
            continue
        stored = p.runner.lookup(take.key, f"voice of shot {take.shot.id}")
        seconds = stored.meta.get("seconds") if stored is not None else None
        lengths[take.line_key] = (
            float(seconds) if seconds else estimate_line_seconds(take.request.text)
        )
    return lengths


def heard(voices: Voices) -> dict[str, Line]:
    """The lines as the mix takes them: each WAV, where it is heard, its delivery's gain."""
    return {k: Line(v.wav, space_of(v.offscreen), v.volume) for k, v in voices.lines.items()}


def _silent(p: Pipeline, seconds: float) -> Path:
    """A silent WAV of `seconds`, standing in for a refused line."""
    path = p.work_dir / "silence" / f"{round(seconds * 1000)}ms.wav"
    if not path.is_file():
        atomic_write(path, Speech(silence(seconds, SILENT_RATE), SILENT_RATE).wav())
    return path


def _record(p: Pipeline, take: LineTake) -> None:
    """The take's row in the database, with its provenance (once)."""
    if p.db.take(take.id) is not None:
        return
    out = p.db.output_get(take.key) or {"blobs": {}, "meta": {}}
    r = take.request
    prov = Provenance(
        backend=take.backend.name,
        version=str(take.backend.version),
        seed=r.seed,
        prompt=r.text,
        params={
            "line": take.line_key,
            "character": r.character,
            "voice": r.voice,
            "parenthetical": r.parenthetical,
            "extension": r.extension,
            "options": take.backend.settings,
            "seconds": out["meta"].get("seconds"),
            **out["meta"].get("meta", {}),
        },
        remote_id=out["meta"].get("meta", {}).get("remote_id"),
    )
    wav = out["blobs"].get("wav")
    path = str(p.store.path(wav[0]).relative_to(p.root)) if wav else None
    line = take.shot.dialogue[take.line]
    p.db.take_put(
        take.id,
        take.shot.id,
        "voice",
        take.take,
        r.seed,
        line_text_hash(line),
        prov.model_dump_json(),
        take.key,
        path,
    )
