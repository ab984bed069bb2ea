"""The sound stages: the music's beats, the scratch mix of the timeline, and the mix as AAC.

The mix hears only the timeline's audio tracks and the programme's length, not the picture, so
re-cutting a shot without touching its lines or length reuses the mix; the AAC is encoded once
per mix and length, so a cut whose picture changed is assembled without encoding sound again.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from storyreel.edit.audio import scratch_audio
from storyreel.edit.rhythm import beat_times
from storyreel.model import ShotList
from storyreel.render.segments import encode_audio
from storyreel.run.pipeline import Pipeline
from storyreel.run.stage import Stage, Stored
from storyreel.store.keys import digest, stage_key


@dataclass(frozen=True)
class Mix:
    """The scratch mix of a timeline (dialogue and music)."""

    timeline: Any
    shotlist: ShotList
    music: str | None  # the music file's digest


@dataclass(frozen=True)
class Sound:
    """The stored mix: its key and WAV (None for a silent cut)."""

    key: str
    wav: Path | None


class MixStage(Stage[Mix, Path | None]):
    name = kind = "audio"

    def __init__(self, p: Pipeline):
        self.p = p

    def key(self, item: Mix) -> str:
        tracks = [digest(t.to_json_string().encode()) for t in item.timeline.audio_tracks()]
        return stage_key(
            "audio",
            tracks=tracks,
            frames=item.timeline.duration().to_frames(),
            characters=self.p.config.characters,
            fps=self.p.config.film.fps,
            music=item.music,
        )

    def label(self, item: Mix) -> str:
        return "scratch audio"

    def compute(self, item: Mix) -> Path | None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            wav = scratch_audio(item.timeline, item.shotlist, self.p.config, self.p.work_dir)
        for w in caught:
            self.p.warn(str(w.message))
        return wav

    def save(self, item: Mix, value: Path | None) -> Stored:
        if value is None:
            return Stored()
        tmp = self.p.store.temp_path(".wav")
        Path(value).replace(tmp)
        return Stored({"wav": self.p.store.put_file(tmp)})


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


def mix(p: Pipeline, timeline: Any, shotlist: ShotList, music: str | None) -> Sound:
    """The scratch mix of `timeline`, from the store or made now."""
    with p.runner.stage("audio"):
        outcome = p.runner.one(MixStage(p), Mix(timeline, shotlist, music))
    wav = outcome.stored.blobs.get("wav") if outcome.stored else None
    return Sound(outcome.key, p.store.path(wav) if wav else None)


def aac(p: Pipeline, sound: Sound, seconds: Fraction) -> tuple[str, Path | None]:
    """(key, file) of the mix encoded to AAC for `seconds`; ("", None) for a silent cut."""
    if sound.wav is None:
        return "", None
    stage, item = AacStage(p), Aac(sound, seconds)
    return stage.key(item), p.runner.load(stage, item)


def beats(p: Pipeline, music: Music) -> list[float]:
    return p.runner.load(BeatsStage(p), music)
