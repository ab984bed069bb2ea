"""Scratch dialogue read by espeak-ng (the mix is `storyreel.sound.mix`).

Each character gets a voice derived from their name (accent, voice variant, pitch, speed),
unless `CharacterConfig.voice` names an espeak-ng voice. Lines are rendered once into
`work_dir/tts/` under a key of everything that shapes them.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import warnings
import wave
from dataclasses import dataclass
from pathlib import Path

from storyreel.config import ProjectConfig
from storyreel.edit.timeline import line_key
from storyreel.errors import StoryreelError
from storyreel.model import ShotList

ACCENTS = ("en-us", "en-gb", "en-gb-x-rp", "en-gb-scotland", "en-029")
MALE, FEMALE = ("m1", "m2", "m3", "m4", "m5", "m7"), ("f1", "f2", "f3", "f4", "f5")
_FEMALE_WORDS = re.compile(r"\b(woman|women|girl|she|her|mother|wife|daughter|sister|lady)\b", re.I)
_MALE_WORDS = re.compile(r"\b(man|men|boy|he|his|father|husband|son|brother|gentleman)\b", re.I)


@dataclass(frozen=True)
class Voice:
    name: str  # espeak-ng voice, e.g. "en-gb+f3"
    pitch: int  # 0-99
    speed: int  # words per minute

    def args(self) -> list[str]:
        return ["-v", self.name, "-p", str(self.pitch), "-s", str(self.speed)]


def voice_for(character: str, config: ProjectConfig) -> Voice:
    """A stable voice per character, from its name: accent, variant, pitch and speed. A
    character described as a woman or a man in `storyreel.toml` gets a voice to match;
    `characters.NAME.voice` names an espeak-ng voice outright."""
    h = hashlib.sha256(character.strip().upper().encode()).digest()
    pitch, speed = 30 + h[2] % 45, 150 + h[3] % 31
    chosen = config.characters.get(character.strip().upper())
    if chosen is not None and chosen.voice:
        return Voice(chosen.voice, pitch, speed)
    description = chosen.description if chosen is not None else ""
    female, male = len(_FEMALE_WORDS.findall(description)), len(_MALE_WORDS.findall(description))
    variants = FEMALE if female > male else MALE if male > female else MALE + FEMALE
    return Voice(f"{ACCENTS[h[0] % len(ACCENTS)]}+{variants[h[1] % len(variants)]}", pitch, speed)


def tts_engine() -> str | None:
    return shutil.which("espeak-ng") or shutil.which("espeak")


def speak(text: str, voice: Voice, work_dir: Path) -> Path:
    """The line as a WAV (rendered once, then reused); raises StoryreelError if espeak fails."""
    engine = tts_engine()
    if engine is None:
        raise StoryreelError("no text-to-speech engine (install espeak-ng)")
    key = hashlib.sha256("\0".join([engine, *voice.args(), text]).encode()).hexdigest()[:24]
    path = Path(work_dir) / "tts" / f"{key}.wav"
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    run = subprocess.run(
        [engine, *voice.args(), "-w", str(tmp), "--", text],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if run.returncode != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        raise StoryreelError(f"espeak-ng failed on voice {voice.name}: {run.stderr.strip()[:200]}")
    os.replace(tmp, path)
    return path


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def _warn_silent() -> None:
    warnings.warn(
        "no text-to-speech engine (espeak-ng): the scratch dialogue is silent", stacklevel=3
    )


def dialogue_lengths(
    shotlist: ShotList, config: ProjectConfig, work_dir: Path
) -> dict[str, float] | None:
    """Each line's spoken length in seconds, keyed by `line_key`; None without a TTS engine.
    Pass it to `build_timeline(dialogue_lengths=...)` so shots hold their lines."""
    if tts_engine() is None:
        _warn_silent()
        return None
    return {
        line_key(shot.id, i): wav_seconds(
            speak(line.text, voice_for(line.character, config), work_dir)
        )
        for shot in shotlist.shots
        for i, line in enumerate(shot.dialogue)
    }
