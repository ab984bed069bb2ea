"""Scratch audio: dialogue read by espeak-ng, a music bed ducked under it, mixed to a WAV.

Each character gets a voice derived from their name (accent, voice variant, pitch, speed),
unless `CharacterConfig.voice` names an espeak-ng voice. Lines are rendered once into
`work_dir/tts/` under a key of everything that shapes them. The mix is 48 kHz stereo 16-bit,
written one second at a time: the music is decoded as a stream and only the lines sounding in
the current block are held, so a long film never needs its whole mix in memory. The ducking
is a sidechain-style gain envelope computed from where the lines sit on A1.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import warnings
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio

from storyreel.config import ProjectConfig
from storyreel.edit.subtitles import cues
from storyreel.edit.timeline import line_key
from storyreel.errors import StoryreelError
from storyreel.model import ShotList

RATE = 48_000
BLOCK = RATE  # samples mixed and written at a time
DIALOGUE_GAIN = 0.9
MUSIC_GAIN = 0.5
DUCK_DB = -14.0  # music level under dialogue
ATTACK_S, RELEASE_S = 0.12, 0.45  # the duck starts before a line and recovers after it

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


def decode(path: Path, rate: int = RATE) -> Iterator[np.ndarray]:
    """Any audio file PyAV reads, as float32 stereo blocks (n, 2) at `rate`."""
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise StoryreelError("not an audio file (no audio stream)", path)
            resampler = av.AudioResampler(format="flt", layout="stereo", rate=rate)
            for frame in container.decode(container.streams.audio[0]):
                for out in resampler.resample(frame):
                    yield out.to_ndarray().reshape(-1, 2)
            for out in resampler.resample(None):
                yield out.to_ndarray().reshape(-1, 2)
    except StoryreelError:
        raise
    except (av.error.FFmpegError, OSError) as e:
        raise StoryreelError(f"cannot decode audio ({e.__class__.__name__})", path) from None


class _Stream:
    """Reads exactly n samples at a time from `decode` (zeros after the end)."""

    def __init__(self, blocks: Iterator[np.ndarray]):
        self.blocks, self.rest = blocks, np.zeros((0, 2), np.float32)

    def read(self, n: int) -> np.ndarray:
        parts, have = [self.rest], len(self.rest)
        while have < n:
            block = next(self.blocks, None)
            if block is None:
                parts.append(np.zeros((n - have, 2), np.float32))
                break
            parts.append(block)
            have += len(block)
        data = np.concatenate(parts)
        self.rest = data[n:]
        return data[:n]


@dataclass
class _Line:
    start: int  # sample
    end: int
    path: Path
    samples: np.ndarray | None = None


def duck_envelope(
    start: int, n: int, spans: list[tuple[int, int]], rate: int = RATE, duck_db: float = DUCK_DB
) -> np.ndarray:
    """Music gain for samples [start, start+n): 1 in the clear, `duck_db` under dialogue, with
    linear attack before each line and release after it."""
    t = np.arange(start, start + n, dtype=np.float64)
    attack, release = max(1, round(ATTACK_S * rate)), max(1, round(RELEASE_S * rate))
    depth = np.zeros(n)
    for s, e in spans:
        if e + release < start or s - attack > start + n:
            continue
        rise = np.clip((t - (s - attack)) / attack, 0, 1)
        fall = np.clip(1 - (t - e) / release, 0, 1)
        depth = np.maximum(depth, np.minimum(rise, fall))
    low = 10 ** (duck_db / 20)
    return (1 - (1 - low) * depth).astype(np.float32)


def _music_path(timeline: otio.schema.Timeline) -> Path | None:
    for track in timeline.audio_tracks():
        for item in track.find_clips(shallow_search=True):
            if item.metadata.get("storyreel", {}).get("kind") == "music":
                return Path(otio.url_utils.filepath_from_url(item.media_reference.target_url))
    return None


def scratch_audio(
    timeline: otio.schema.Timeline, shotlist: ShotList, config: ProjectConfig, work_dir: Path
) -> Path | None:
    """The programme's scratch mix as `work_dir/scratch.wav` (48 kHz stereo), as long as the
    picture. Without espeak-ng the dialogue is left out with a warning; with neither dialogue
    engine nor music it returns None."""
    work_dir = Path(work_dir)
    fps = config.film.fps
    music = _music_path(timeline)
    engine = tts_engine()
    if engine is None:
        _warn_silent()
        if music is None:
            return None
    lines: list[_Line] = []
    if engine is not None:
        for cue in cues(timeline):
            start = _samples(cue.start, fps)
            path = speak(cue.text, voice_for(cue.character, config), work_dir)
            lines.append(_Line(start, start + round(wav_seconds(path) * RATE), path))
    lines.sort(key=lambda x: x.start)
    total = _samples(timeline.tracks.duration().rescaled_to(float(fps)).value, fps)
    spans = [(x.start, x.end) for x in lines]
    stream = _Stream(decode(music)) if music is not None else None

    out = work_dir / "scratch.wav"
    tmp = work_dir / ".scratch.wav.partial"
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        with wave.open(str(tmp), "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(RATE)
            for a in range(0, total, BLOCK):
                n = min(BLOCK, total - a)
                mix = np.zeros((n, 2), np.float32)
                if stream is not None:
                    mix += stream.read(n) * (MUSIC_GAIN * duck_envelope(a, n, spans))[:, None]
                for line in lines:
                    if line.end <= a or line.start >= a + n:
                        continue
                    if line.samples is None:
                        line.samples = np.concatenate(list(decode(line.path)))
                    lo, hi = max(a, line.start), min(a + n, line.start + len(line.samples))
                    mix[lo - a : hi - a] += (
                        line.samples[lo - line.start : hi - line.start] * DIALOGUE_GAIN
                    )
                for line in lines:  # let go of lines that are over
                    if line.end <= a + n:
                        line.samples = None
                w.writeframes((np.clip(mix, -1, 1) * 32767).astype("<i2").tobytes())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def _samples(frames: float, fps: Fraction) -> int:
    return round(Fraction(round(frames)) / fps * RATE)
