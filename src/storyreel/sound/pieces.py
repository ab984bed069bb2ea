"""The draft's sound a piece at a time, so that a length edit remixes only what it changed.

The studio rebuilds the draft after every save, and a new length moves every later line: the
whole-film mix (`storyreel.sound.mix`: two passes, three stems) and its AAC would be made again
for the change of one shot. Here the programme's sound is cut into pieces at the picture's cuts,
and each piece is mixed from the sounds in it placed from its own start, so a piece whose sound
only moved is the same piece, found in the store.

- Loudness: each piece is measured alone (BS.1770's 100 ms steps from the piece's start, the
  K-weighting run in over the sound before it), and the film's integrated loudness is the
  gating of all the pieces' steps: the steps fall a little differently than over the whole
  programme, a few hundredths of a LU on the example film. The draft's gain is that measure's,
  rounded to `GAIN_STEP_DB`, so that a small change of the programme leaves the gain, and every
  piece it did not touch, as they were (the loudness stays within a quarter of a LU of the
  target for it).
- True peak: the mix's limiter, run over each piece with its reach of the neighbours' sound on
  either side, gives each sample the gain a pass over the whole film gives it.
- The render's mix keeps its exact measure over the whole programme, its stems and its passes.

The pieces are encoded as FLAC by the render room, not AAC: see `storyreel.render.encode`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import soundfile

from storyreel.sound.loudness import Meter, TruePeakLimiter, true_peaks
from storyreel.sound.mix import (
    ATTACK_S,
    BLOCK,
    CEILING_DB,
    MUSIC_GAIN,
    RATE,
    RELEASE_S,
    Placed,
    Stream,
    _length,
    _samples,
    decode,
    duck_envelope,
)

GAIN_STEP_DB = 0.5  # the draft's gain moves in steps of this


def reach(rate: int = RATE) -> int:
    """Samples of the neighbours' sound a piece is mixed with on either side: the limiter's."""
    return TruePeakLimiter(rate, CEILING_DB).reach


@dataclass(frozen=True)
class Piece:
    """The stretch [start, start + length) of the programme (samples) and what sounds in it or
    within `reach` of it, each sound placed from the piece's start (one that began before the
    piece has a negative start); `spans` are the dialogue lines that duck the music, placed the
    same way. `music` says that the film's music bed plays under it (from the film's start)."""

    start: int
    length: int
    sounds: tuple[Placed, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    music: bool = False


@dataclass(frozen=True)
class Mixed:
    """A piece mixed: its samples (length, 2) and the mean squares of their 100 ms steps, the
    true peak (linear) of the piece."""

    samples: np.ndarray
    steps: list[float]
    peak: float


def cut(
    placed: Sequence[Placed], music: bool, total: int, cuts: Sequence[int], rate: int = RATE
) -> list[Piece]:
    """The programme of `total` samples cut into pieces at `cuts` (the picture's cuts)."""
    pad = reach(rate)
    attack, release = max(1, round(ATTACK_S * rate)), max(1, round(RELEASE_S * rate))
    ends = [s.start + _length(s, rate) for s in placed]
    spans = [(s.start, e) for s, e in zip(placed, ends, strict=True) if s.bus == "dialogue"]
    bounds = sorted({0, total, *(c for c in cuts if 0 < c < total)})
    pieces = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        lo, hi = a - pad, b + pad
        sounds = tuple(
            replace(s, start=s.start - a)
            for s, e in zip(placed, ends, strict=True)
            if s.start < hi and e > lo
        )
        ducked = tuple((s - a, e - a) for s, e in spans if e + release >= lo and s - attack <= hi)
        pieces.append(Piece(a, b - a, sounds, ducked if music else (), music))
    return pieces


_EXACT = {"PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"}  # read alike by libsndfile and PyAV


def _music(path: Path, start: int, n: int, rate: int) -> np.ndarray:
    """Samples [start, start + n) of the music bed (zeros before its start and after its end).
    A stereo PCM file at the mix's rate is entered at the sample (libsndfile reads the samples
    PyAV decodes); any other is decoded from the top: a compressed file, or one resampled, cannot
    be entered at an exact sample."""
    head = np.zeros((min(n, max(0, -start)), 2), np.float32)
    try:
        info = soundfile.info(str(path))
    except RuntimeError:
        info = None
    if (
        info is not None
        and (info.samplerate, info.channels) == (rate, 2)
        and info.subtype in _EXACT
    ):
        with soundfile.SoundFile(str(path)) as f:
            f.seek(min(max(0, start), f.frames))
            data = f.read(n - len(head), dtype="float32", always_2d=True)
        tail = np.zeros((n - len(head) - len(data), 2), np.float32)
        return np.concatenate([head, data, tail])
    stream = Stream(decode(path, rate))
    skip = max(0, start)
    while skip:
        skip -= len(stream.read(min(BLOCK, skip)))
    return np.concatenate([head, stream.read(n - len(head))])


def summed(piece: Piece, music: Path | None, rate: int = RATE) -> np.ndarray:
    """The piece's buses summed at unity, with `reach` samples either side:
    (length + 2 · reach, 2)."""
    pad = reach(rate)
    n = piece.length + 2 * pad
    out = np.zeros((n, 2), np.float32)
    if piece.music and music is not None:
        duck = duck_envelope(-pad, n, list(piece.spans), rate)
        out += _music(music, piece.start - pad, n, rate) * (MUSIC_GAIN * duck)[:, None]
    for sound in piece.sounds:
        samples = _samples(sound, rate)
        lo, hi = max(-pad, sound.start), min(piece.length + pad, sound.start + len(samples))
        if hi > lo:
            out[lo + pad : hi + pad] += samples[lo - sound.start : hi - sound.start]
    return out


def steps(padded: np.ndarray, length: int, rate: int = RATE) -> list[float]:
    """The mean squares of the 100 ms steps of the piece's own samples (the last one shorter),
    K-weighted from its `reach` of sound before."""
    pad = (len(padded) - length) // 2
    meter = Meter(rate, peaks=False)
    meter.warm(padded[:pad])
    meter.feed(padded[pad : pad + length])
    return meter.all_steps()


def gain_db(target: float, measured: float) -> float:
    """The draft's gain towards `target` from what the pieces measured, in `GAIN_STEP_DB`s."""
    if not np.isfinite(measured):
        return 0.0
    return round((target - measured) / GAIN_STEP_DB) * GAIN_STEP_DB


def finish(padded: np.ndarray, length: int, gain: float, rate: int = RATE) -> Mixed:
    """The piece at `gain` dB, true peak limited with its neighbours' sound in reach."""
    pad = (len(padded) - length) // 2
    limiter = TruePeakLimiter(rate, CEILING_DB)
    g = np.float32(10 ** (gain / 20))
    scaled = padded * g
    out = padded[pad : pad + length] * (limiter.gain(scaled, pad, length) * g)[:, None]
    meter = Meter(rate, peaks=False)
    meter.warm(scaled[:pad])
    meter.feed(out)
    peak = float(true_peaks(out, scaled[:pad]).max()) if length else 0.0
    return Mixed(out, meter.all_steps(), peak)
