"""The voice stage's protocol: a `LineRequest` in, a `Speech` (samples at a rate) out.

A voice spec names a backend and, after `:`, a voice: `kokoro:af_heart`, `openai:coral`,
`espeak:en-gb+f3`; options follow `?` (`piper:en_US-lessac-medium?speaker=3`). A spec without a
voice (`[backends] voice = "kokoro"`) casts each character from the backend's own voices by
their name and description (`VoiceBackend.cast`), so a character keeps one voice across the film.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import urllib.parse
import wave
from abc import abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from storyreel.backends import Argument, Backend
from storyreel.errors import StoryreelError, did_you_mean
from storyreel.sound.voices.delivery import Delivery, delivery
from storyreel.store.objects import file_digest

_FEMALE_WORDS = re.compile(r"\b(woman|women|girl|she|her|mother|wife|daughter|sister|lady)\b", re.I)
_MALE_WORDS = re.compile(r"\b(man|men|boy|he|his|father|husband|son|brother|gentleman)\b", re.I)


@dataclass(frozen=True)
class LineRequest:
    """One take of one line.

    Args:
        text: what is said.
        character: who says it (upper case, as the script names them).
        voice: the voice the character is cast in (a name the backend knows).
        parenthetical: the line's parenthetical, e.g. "(whispering)", if any.
        extension: "V.O.", "O.S." or None.
        seed: the take's seed (backends with sampling use it).
        take: which take of the line (0-based).
        project_root: the project folder (model files are found relative to it).
    """

    text: str
    character: str
    voice: str
    parenthetical: str | None = None
    extension: str | None = None
    seed: int = 0
    take: int = 0
    project_root: Path | None = None

    @property
    def delivery(self) -> Delivery:
        return delivery(self.parenthetical)


@dataclass(frozen=True)
class Speech:
    """A spoken take: mono float32 samples in [-1, 1] at `rate`, and what made it."""

    samples: np.ndarray
    rate: int
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

    def wav(self) -> bytes:
        """The take as a 16-bit mono WAV file."""
        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.rate)
            w.writeframes((np.clip(self.samples, -1, 1) * 32767).astype("<i2").tobytes())
        return out.getvalue()


def silence(seconds: float, rate: int) -> np.ndarray:
    return np.zeros(max(0, round(seconds * rate)), np.float32)


def decoded(data: bytes, what: str) -> tuple[np.ndarray, int]:
    """Any audio file's bytes (WAV, MP3 ...) as mono float32 samples and their rate."""
    import av

    try:
        with av.open(io.BytesIO(data)) as container:
            stream = container.streams.audio[0]
            rate = stream.rate
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
            parts = [
                out.to_ndarray().reshape(-1)
                for frame in container.decode(stream)
                for out in resampler.resample(frame)
            ]
            parts += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    except (av.error.FFmpegError, IndexError, OSError):
        raise StoryreelError(f"{what}: the audio returned is not readable") from None
    return (np.concatenate(parts) if parts else np.zeros(0, np.float32)), rate


class VoiceBackend(Backend):
    """A voice backend: declares its fields (`storyreel.backends.Backend`) and speaks lines.

    Class attributes (beyond `Backend`'s):
        female, male: the voices it casts characters in by their description; empty where
            the user's files or account decide (then `known_voices` answers).
    """

    stage: ClassVar[str] = "voice"
    argument: ClassVar[Argument | None] = Argument("voice", "the voice to cast", "")
    female: ClassVar[tuple[str, ...]] = ()
    male: ClassVar[tuple[str, ...]] = ()

    def __init__(self, argument: str | None = None):
        voice, self.options = self.check(argument)
        self.voice = voice
        self.settings = dict(urllib.parse.parse_qsl((argument or "").partition("?")[2]))

    def known_voices(self, root: Path | None) -> list[str] | None:
        """The voices this backend can speak in, or None when it cannot tell."""
        return [*self.female, *self.male] or None

    def prepare(self, root: Path | None) -> None:
        """Check, before any line is spoken, that what the backend needs is there (model files);
        raises a `StoryreelError` saying what is missing and how to get it."""

    def check_voice(self, voice: str, root: Path | None) -> None:
        """Raise a `StoryreelError` with a did-you-mean when `voice` is not one it knows."""
        known = self.known_voices(root)
        if known is not None and voice not in known:
            raise StoryreelError(
                f"{self.name}: no voice {voice!r}{did_you_mean(voice, known)}; "
                f"known: {', '.join(known[:12])}{' ...' if len(known) > 12 else ''}"
            )

    def pools(self, root: Path | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The (female, male) voices characters are cast in; by default the declared ones, else
        every known voice in both."""
        if self.female or self.male:
            return self.female, self.male
        known = tuple(self.known_voices(root) or ())
        return known, known

    def cast(self, character: str, description: str, root: Path | None) -> str:
        """The voice of a character: the spec's own, else one of `pools` picked by the
        character's name (female or male by its description), the same in every build."""
        if self.voice:
            return self.voice
        female, male = self.pools(root)
        if not female and not male:
            raise StoryreelError(f"{self.name}: name a voice, e.g. {self.name}:VOICE")
        h = hashlib.sha256(character.strip().upper().encode()).digest()
        she, he = len(_FEMALE_WORDS.findall(description)), len(_MALE_WORDS.findall(description))
        pool = (female if she > he else male if he > she else male + female) or female or male
        return pool[h[1] % len(pool)]

    def token(self, voice: str, root: Path | None) -> str | None:
        """What else decides a take of `voice` (its model files' identity), for the take's key;
        None when the request says it all."""
        return None

    @abstractmethod
    def speak(self, request: LineRequest) -> Speech:
        """The line spoken in `request.voice`, its delivery shaped by `request.parenthetical`
        where the backend can (the pause before it is the voice stage's).

        Returns:
            A `Speech`; a `StoryreelError` is a refusal of this line alone.
        """


def model_files(backend: str, root: Path | None, paths: list[str], download: str) -> list[Path]:
    """The user's downloaded model files (relative to the project), or an error naming each
    missing file and the command that downloads it."""
    base = root or Path.cwd()
    found = [base / p for p in paths]
    missing = [str(p) for p, f in zip(paths, found, strict=True) if not f.is_file()]
    if missing:
        raise StoryreelError(
            f"{backend}: model file{'s' * (len(missing) > 1)} {', '.join(missing)} not found "
            f"in {base}; download with: {download}"
        )
    return found


def identity(path: Path) -> str:
    """A model file's digest, hashed once per process while its size and mtime hold."""
    st = path.stat()
    return _digest(path, st.st_size, st.st_mtime_ns)


@functools.cache
def _digest(path: Path, size: int, mtime: int) -> str:
    return file_digest(path)[:16]
