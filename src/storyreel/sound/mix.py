"""The mix: dialogue, music and effects buses, ducked, normalised to a loudness target, true
peak limited, written as the mix and its three stems (48 kHz stereo, 24-bit WAV).

It knows sounds placed in samples, not timelines: the run room turns the cut's tracks into
`Placed` sounds. It streams, one block at a time, in two passes: the first sums each bus into a
float stem on disk and measures the sum (BS.1770, `storyreel.sound.loudness`); the second reads
the stems back, applies the gain that brings the mix to its target and the limiter's, and
writes the mix and the stems with the same gain, so the stems still sum to the mix. Only the
sounds playing in the block being mixed are held, and the music is decoded as a stream, so a
long film never holds its whole mix. When the limiter has to take much (a loud target over
speech), the second pass is run again with the gain corrected by what the mix measured.

The music is ducked under dialogue by a sidechain-style envelope computed from where the lines
sit. Lines on screen get the room (a short early-reflection tail); V.O. is dry; O.S. is the
room through a low pass, a little further away.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import butter, oaconvolve, sosfilt

from storyreel.errors import StoryreelError
from storyreel.sound.loudness import Loudness, Meter, TruePeakLimiter

RATE = 48_000
BLOCK = RATE  # samples mixed and written at a time
BUSES = ("dialogue", "music", "effects")
DIALOGUE_GAIN = 0.9
MUSIC_GAIN = 0.5
EFFECTS_GAIN = 0.5
DUCK_DB = -14.0  # music level under dialogue
ATTACK_S, RELEASE_S = 0.12, 0.45  # the duck starts before a line and recovers after it
CEILING_DB = -1.5  # true peak ceiling: under the -1 dBTP of EBU R128 with room for the meters
TOLERANCE_LU = 0.5  # the second pass runs again when the mix lands further from its target
OFFSCREEN_HZ, OFFSCREEN_DB = 1800.0, -4.0
ROOM_S, ROOM_DB = 0.06, -16.0  # the early reflections' length and level


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


def decode_all(path: Path, rate: int = RATE) -> np.ndarray:
    """A short sound (a line, an effect) decoded whole, (n, 2)."""
    blocks = list(decode(path, rate))
    return np.concatenate(blocks) if blocks else np.zeros((0, 2), np.float32)


class Stream:
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


@dataclass(frozen=True)
class Placed:
    """A sound on a bus from sample `start`: a dialogue line, an effect, an ambience bed.

    `space` is where a line is heard: "on" (in the scene's room), "vo" (dry), "os" (off
    screen). `length` (samples) loops the sound to fill it (an ambience bed), faded in and out
    over `fade` samples, so beds that overlap by `fade` crossfade.
    """

    bus: str
    start: int
    path: Path
    gain: float = 1.0
    space: str = "on"
    length: int | None = None
    fade: int = 0


@dataclass
class _Playing:
    sound: Placed
    end: int
    samples: np.ndarray | None = None


@dataclass(frozen=True)
class Mixed:
    """The mix and its stems (bus → WAV), and what the mix measured."""

    mix: Path
    stems: dict[str, Path] = field(default_factory=dict)
    loudness: Loudness | None = None


@functools.cache
def _room(rate: int) -> np.ndarray:
    """The early reflections of a small room: a short decaying burst (fixed seed: a mix is
    deterministic), the direct sound first."""
    n = round(ROOM_S * rate)
    rng = np.random.default_rng(1770)
    tail = rng.standard_normal(n) * np.exp(-np.arange(n) / (n / 5)) * 10 ** (ROOM_DB / 20)
    tail[0] = 1.0
    return tail.astype(np.float32)


def _heard(samples: np.ndarray, space: str, rate: int) -> np.ndarray:
    if space == "vo":
        return samples
    wet = oaconvolve(samples, _room(rate)[:, None], axes=0)[: len(samples)]
    if space == "os":
        sos = butter(2, OFFSCREEN_HZ, "low", fs=rate, output="sos")
        wet = sosfilt(sos, wet, axis=0) * 10 ** (OFFSCREEN_DB / 20)
    return wet.astype(np.float32)


def _samples(sound: Placed, rate: int) -> np.ndarray:
    data = decode_all(sound.path, rate)
    if sound.bus == "dialogue":
        data = _heard(data, sound.space, rate)
    if sound.length is not None and len(data):
        data = np.tile(data, (-(-sound.length // len(data)), 1))[: sound.length]
    if sound.fade and len(data):
        k = min(sound.fade, len(data) // 2)
        ramp = np.linspace(0, 1, k, dtype=np.float32)[:, None]
        data = data.copy()
        data[:k] *= ramp
        data[len(data) - k :] *= ramp[::-1]
    return data * np.float32(sound.gain)


def _length(sound: Placed, rate: int) -> int:
    if sound.length is not None:
        return sound.length
    try:
        info = soundfile.info(str(sound.path))
        return round(info.frames * rate / info.samplerate)
    except RuntimeError:  # a format libsndfile does not read (MP3 on old builds): decode it
        return len(decode_all(sound.path, rate))


def _first_pass(
    placed: Sequence[Placed],
    music: Path | None,
    total: int,
    temps: dict[str, Path],
    rate: int,
) -> float:
    """Each bus summed into its float stem; the integrated loudness of their sum."""
    playing = sorted(
        (_Playing(s, s.start + _length(s, rate)) for s in placed), key=lambda p: p.sound.start
    )
    spans = [(p.sound.start, p.end) for p in playing if p.sound.bus == "dialogue"]
    stream = Stream(decode(music, rate)) if music is not None else None
    meter = Meter(rate, peaks=False)
    files = {
        bus: soundfile.SoundFile(str(path), "w", rate, 2, "FLOAT", format="WAV")
        for bus, path in temps.items()
    }
    try:
        for a in range(0, total, BLOCK):
            n = min(BLOCK, total - a)
            buses = {bus: np.zeros((n, 2), np.float32) for bus in BUSES}
            if stream is not None:
                buses["music"] += (
                    stream.read(n) * (MUSIC_GAIN * duck_envelope(a, n, spans))[:, None]
                )
            for p in playing:
                if p.end <= a or p.sound.start >= a + n:
                    continue
                if p.samples is None:
                    p.samples = _samples(p.sound, rate)
                lo, hi = max(a, p.sound.start), min(a + n, p.sound.start + len(p.samples))
                if hi > lo:
                    buses[p.sound.bus][lo - a : hi - a] += p.samples[
                        lo - p.sound.start : hi - p.sound.start
                    ]
                if p.end <= a + n:
                    p.samples = None  # over: let it go
            for bus, f in files.items():
                f.write(buses[bus])
            meter.feed(sum(buses.values()))
    finally:
        for f in files.values():
            f.close()
    return meter.integrated


def _read(f: soundfile.SoundFile, start: int, n: int, total: int) -> np.ndarray:
    """Samples [start, start+n) of a stem, zeros outside it."""
    out = np.zeros((n, 2), np.float32)
    lo, hi = max(0, start), min(total, start + n)
    if hi > lo:
        f.seek(lo)
        out[lo - start : hi - start] = f.read(hi - lo, dtype="float32", always_2d=True)
    return out


def _second_pass(
    temps: dict[str, Path], outs: dict[str, Path], total: int, gain: float, rate: int
) -> Meter:
    """The stems read back, gained and limited, written as the mix and the final stems."""
    limiter = TruePeakLimiter(rate, CEILING_DB)
    reach = limiter.reach
    meter = Meter(rate)
    ins = {bus: soundfile.SoundFile(str(p)) for bus, p in temps.items()}
    files = {
        name: soundfile.SoundFile(str(p), "w", rate, 2, "PCM_24", format="WAV")
        for name, p in outs.items()
    }
    try:
        for a in range(0, total, BLOCK):
            n = min(BLOCK, total - a)
            padded = {bus: _read(f, a - reach, n + 2 * reach, total) for bus, f in ins.items()}
            summed = sum(padded.values())
            g = (limiter.gain(summed * np.float32(gain), reach, n) * np.float32(gain))[:, None]
            body = slice(reach, reach + n)
            out = summed[body] * g
            files["mix"].write(out)
            for bus in ins:
                files[bus].write(padded[bus][body] * g)
            meter.feed(out)
    finally:
        for f in (*ins.values(), *files.values()):
            f.close()
    return meter


def mix(
    placed: Sequence[Placed],
    music: Path | None,
    total: int,
    folder: Path,
    target: float,
    rate: int = RATE,
) -> Mixed:
    """The mix of `placed` sounds and a `music` bed (ducked under the dialogue), `total`
    samples long, at `target` LUFS integrated with its true peak under -1 dBTP, and its
    stems: `folder`/mix.wav, dialogue.wav, music.wav, effects.wav.

    Args:
        placed: the dialogue lines, effects and ambience beds, each on its bus.
        music: a music file decoded as a stream from the programme's start, or None.
        total: the programme's length in samples.
        target: the integrated loudness to reach (-23 broadcast, -14 streaming).
    Returns:
        The files and the loudness and true peak the written mix measures.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tag = os.getpid()
    temps = {bus: folder / f".{bus}.{tag}.f32.wav" for bus in BUSES}
    partial = {name: folder / f".{name}.{tag}.partial.wav" for name in ("mix", *BUSES)}
    try:
        measured = _first_pass(placed, music, total, temps, rate)
        gain = 10 ** ((target - measured) / 20) if np.isfinite(measured) else 1.0
        for _ in range(3):
            meter = _second_pass(temps, partial, total, gain, rate)
            off = target - meter.integrated
            if not np.isfinite(off) or abs(off) <= TOLERANCE_LU:
                break
            gain *= 10 ** (off / 20)
        done = {name: folder / f"{name}.wav" for name in partial}
        for name, path in partial.items():
            os.replace(path, done[name])
    finally:
        for path in (*temps.values(), *partial.values()):
            path.unlink(missing_ok=True)
    heard = np.isfinite(meter.integrated)
    loudness = (
        Loudness(round(float(meter.integrated), 2), round(float(meter.true_peak), 2), target)
        if heard
        else None
    )
    return Mixed(done["mix"], {bus: done[bus] for bus in BUSES}, loudness)
