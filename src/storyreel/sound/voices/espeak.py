"""espeak-ng: the scratch voices that work everywhere, the default.

Each character gets a voice derived from their name (accent, variant, pitch, speed) unless its
spec names an espeak-ng voice (`en-gb+f3`). A whisper swaps the variant for espeak's `whisper`;
the delivery's speed scales the words per minute.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from storyreel.backends import Argument
from storyreel.errors import StoryreelError, did_you_mean
from storyreel.sound.voices.base import LineRequest, Speech, VoiceBackend, decoded

ACCENTS = ("en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-029")
MALE, FEMALE = ("m1", "m2", "m3", "m4", "m5", "m7"), ("f1", "f2", "f3", "f4", "f5")


@dataclass(frozen=True)
class Voice:
    name: str  # espeak-ng voice, e.g. "en-gb+f3"
    pitch: int  # 0-99
    speed: int  # words per minute

    def args(self) -> list[str]:
        return ["-v", self.name, "-p", str(self.pitch), "-s", str(self.speed)]


def tts_engine() -> str | None:
    return shutil.which("espeak-ng") or shutil.which("espeak")


def voice_for(character: str, name: str) -> Voice:
    """The espeak voice `name` at the character's own pitch and speed (from their name)."""
    h = hashlib.sha256(character.strip().upper().encode()).digest()
    return Voice(name, 30 + h[2] % 45, 150 + h[3] % 31)


@functools.cache
def _languages(engine: str) -> tuple[str, ...]:
    """The voices (languages) this espeak-ng has, from `--voices`."""
    run = subprocess.run([engine, "--voices"], capture_output=True, text=True, timeout=30)
    return tuple(line.split()[1] for line in run.stdout.splitlines()[1:] if len(line.split()) > 1)


class EspeakVoice(VoiceBackend):
    name: ClassVar[str] = "espeak"
    version: ClassVar[str] = "1"
    argument: ClassVar[Argument | None] = Argument(
        "voice", "an espeak-ng voice, with a variant after +", "en-gb+f3"
    )
    # a character is cast by name as ever: accent from one byte of its hash, variant from another
    female: ClassVar[tuple[str, ...]] = FEMALE
    male: ClassVar[tuple[str, ...]] = MALE

    def cast(self, character: str, description: str, root: Path | None) -> str:
        if self.voice:
            return self.voice
        h = hashlib.sha256(character.strip().upper().encode()).digest()
        return f"{ACCENTS[h[0] % len(ACCENTS)]}+{super().cast(character, description, root)}"

    def known_voices(self, root: Path | None) -> list[str] | None:
        return None  # a voice is a language and a variant: `check_voice` asks espeak

    def check_voice(self, voice: str, root: Path | None) -> None:
        engine = tts_engine()
        if engine is None:
            return  # the voice stage leaves espeak's lines silent, with a warning
        language = voice.partition("+")[0]
        known = _languages(engine)
        if known and language not in known:
            raise StoryreelError(
                f"espeak: no voice {language!r}{did_you_mean(language, list(known))} "
                f"(`{Path(engine).name} --voices` lists them)"
            )

    def speak(self, request: LineRequest) -> Speech:
        engine, how = _engine(), request.delivery
        name = request.voice
        if how.whisper:
            name = f"{name.partition('+')[0]}+whisper"
        voice = voice_for(request.character, name)
        voice = Voice(voice.name, voice.pitch, round(voice.speed * how.speed))
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "line.wav"
            run = subprocess.run(
                [engine, *voice.args(), "-w", str(out), "--", request.text],
                capture_output=True,
                text=True,
                timeout=120,
            )
            if run.returncode != 0 or not out.is_file():
                raise StoryreelError(
                    f"espeak-ng failed on voice {voice.name}: {run.stderr.strip()[:200]}"
                )
            samples, rate = decoded(out.read_bytes(), "espeak")
        return Speech(samples, rate, {"pitch": voice.pitch, "wpm": voice.speed})


def _engine() -> str:
    engine = tts_engine()
    if engine is None:
        raise StoryreelError("espeak: no text-to-speech engine (install espeak-ng)")
    return engine
