"""Loudness (ITU-R BS.1770-4 / EBU R128) and true peak, measured a block at a time.

`pyloudnorm` gives the K-weighting filters (its `IIRfilter`, with BS.1770's parameters), but its `integrated_loudness` wants the whole
programme in memory at once, and a feature's mix must not be held whole. So the filters run here
block by block with their state carried over (`scipy.signal.lfilter`'s `zi`), the mean square of
each 100 ms step is kept (a 10-minute film keeps 6,000 numbers), and the gating of BS.1770 — 400
ms blocks overlapping by 75 %, an absolute gate at -70 LUFS, a relative one 10 LU below — is
done on those at the end. The filters are fed the signal plus a constant of 1e-20 (-400 dBFS,
removed by the high pass): on silence their state would otherwise decay into subnormal numbers,
which the CPU handles some twenty times slower (a film of dialogue is mostly silence, and its
meter took most of the mix's time). True peak is the sample peak of the signal oversampled four
times (BS.1770-4 annex 2), with a few samples of the block before for the interpolation filter.
No oversampled point can exceed the largest nearby sample by more than the filter's largest
phase gain (`PEAK_BOUND`, the sum of its taps' magnitudes), so the oversampling is skipped where
that bound already settles the answer: under the limiter's ceiling, or under the peak the meter
has already found.

`TruePeakLimiter` keeps a programme below a ceiling: the gain each sample needs, held for a
lookahead window either side and then averaged over a window no longer than the hold, so the
gain is smooth and never above what any sample within reach needs (an average of values each at
most the need). The blocks it is handed carry that window of context on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyloudnorm.iirfilter import IIRfilter
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import firwin, lfilter, resample_poly

STEP_S = 0.1  # a gating block is four steps (400 ms, 75 % overlap)
ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
OVERSAMPLE = 4
_CONTEXT = 16  # samples before a block that the oversampling filter sees
_QUIET = 1e-20  # added before the K-weighting: keeps the filters' state out of subnormals


def _peak_bound() -> float:
    """The largest gain of any phase of `resample_poly`'s interpolation filter for OVERSAMPLE
    (the same design: `firwin` over 10 taps a phase either side, a Kaiser window of beta 5):
    an oversampled point is at most this many times the largest sample within its reach (with
    a margin for the float32 arithmetic the oversampling is done in)."""
    taps = firwin(2 * 10 * OVERSAMPLE + 1, 1 / OVERSAMPLE, window=("kaiser", 5.0)) * OVERSAMPLE
    return float(max(np.abs(taps[k::OVERSAMPLE]).sum() for k in range(OVERSAMPLE))) * (1 + 1e-5)


PEAK_BOUND = _peak_bound()


def lufs(mean_square: float) -> float:
    return -0.691 + 10 * np.log10(mean_square) if mean_square > 0 else float("-inf")


def dbfs(peak: float) -> float:
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def true_peaks(x: np.ndarray, before: np.ndarray | None = None) -> np.ndarray:
    """Each sample's true peak (the largest magnitude among its oversampled points, any
    channel) for a block (n, channels); `before` is the block's preceding samples."""
    ctx = 0 if before is None else min(_CONTEXT, len(before))
    data = x if ctx == 0 else np.concatenate([before[-ctx:], x])
    up = np.abs(resample_poly(data.astype(np.float32), OVERSAMPLE, 1, axis=0))
    up = np.maximum.reduce([up[:, c] for c in range(up.shape[1])])  # the loudest channel
    per = np.maximum.reduce([up[k::OVERSAMPLE] for k in range(OVERSAMPLE)])[: len(data)]
    return np.maximum(per[ctx:], np.maximum.reduce([np.abs(x[:, c]) for c in range(x.shape[1])]))


class Meter:
    """Integrated loudness and true peak of a stereo programme fed in blocks."""

    def __init__(self, rate: int, channels: int = 2, peaks: bool = True):
        filters = (  # BS.1770's K-weighting: a high shelf (the head), then a high pass (RLB)
            IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, rate, "high_shelf"),
            IIRfilter(0.0, 0.5, 38.0, rate, "high_pass"),
        )
        self.stages = [(f.b, f.a) for f in filters]
        self.state = [np.zeros((max(len(a), len(b)) - 1, channels)) for b, a in self.stages]
        self.step = round(STEP_S * rate)
        self.pending = np.zeros((0, channels))
        self.steps: list[float] = []  # mean square a step, summed over the channels
        self.peak, self.peaks = 0.0, peaks
        self.last: np.ndarray | None = None

    def feed(self, block: np.ndarray) -> None:
        x = block.astype(np.float64)
        if len(x) == 0:
            return
        if self.peaks:
            near = np.abs(x if self.last is None else np.concatenate([self.last, x])).max()
            if near * PEAK_BOUND > self.peak:  # else no point of this block can be louder
                self.peak = max(self.peak, float(true_peaks(x, self.last).max()))
            self.last = x[-_CONTEXT:]
        x = x + _QUIET
        for i, (b, a) in enumerate(self.stages):
            x, self.state[i] = lfilter(b, a, x, axis=0, zi=self.state[i])
        data = np.concatenate([self.pending, x])
        whole = len(data) // self.step * self.step
        if whole:
            squares = (data[:whole] ** 2).reshape(-1, self.step, data.shape[1]).mean(axis=1)
            self.steps.extend(squares.sum(axis=1))  # channel weights are 1 for L and R
        self.pending = data[whole:]

    def warm(self, block: np.ndarray) -> None:
        """Run the filters over `block`, the sound just before the programme, unmeasured."""
        x = block.astype(np.float64) + _QUIET
        for i, (b, a) in enumerate(self.stages):
            x, self.state[i] = lfilter(b, a, x, axis=0, zi=self.state[i])

    def all_steps(self) -> list[float]:
        """The mean square of every step, the last one even if it is shorter than a step."""
        rest = [float((self.pending**2).mean(axis=0).sum())] if len(self.pending) else []
        return [float(v) for v in self.steps] + rest

    @property
    def integrated(self) -> float:
        """The programme's integrated loudness in LUFS (-inf for silence or under 400 ms)."""
        return integrated(self.steps)

    @property
    def true_peak(self) -> float:
        """The programme's true peak in dBTP."""
        return dbfs(self.peak)


def integrated(steps: list[float] | np.ndarray) -> float:
    """BS.1770's gated loudness (LUFS) of a programme from the mean squares of its 100 ms steps
    (-inf for silence or under 400 ms)."""
    steps = np.asarray(steps, dtype=np.float64)
    if len(steps) < 4:
        return float("-inf")
    blocks = np.convolve(steps, np.ones(4) / 4, mode="valid")
    loud = blocks[blocks > 10 ** ((ABSOLUTE_GATE + 0.691) / 10)]
    if len(loud) == 0:
        return float("-inf")
    relative = lufs(float(loud.mean())) + RELATIVE_GATE
    gated = loud[loud > 10 ** ((relative + 0.691) / 10)]
    return lufs(float(gated.mean()))


@dataclass(frozen=True)
class Loudness:
    """What a mix measured: integrated loudness (LUFS), true peak (dBTP), and the target."""

    integrated: float
    true_peak: float
    target: float


class TruePeakLimiter:
    """Gain that keeps a signal's true peak under `ceiling_db`, for blocks with `reach` samples
    of context either side (`gain` returns it for the block's own samples)."""

    def __init__(self, rate: int, ceiling_db: float, lookahead_s: float = 0.005):
        self.ceiling = 10 ** (ceiling_db / 20)
        self.hold = max(2, round(lookahead_s * rate))
        self.reach = 2 * self.hold + _CONTEXT

    def gain(self, padded: np.ndarray, before: int, n: int) -> np.ndarray:
        """The gain of samples [before, before+n) of `padded`, the block with its context."""
        if np.abs(padded).max() * PEAK_BOUND <= self.ceiling:  # no point can reach the ceiling
            return np.ones(n, np.float32)
        peaks = true_peaks(padded)
        need = np.minimum(1.0, self.ceiling / np.maximum(peaks, 1e-12))
        held = minimum_filter1d(need, 2 * self.hold + 1, mode="nearest")
        smooth = uniform_filter1d(held, 2 * (self.hold // 2) + 1, mode="nearest")
        return smooth[before : before + n].astype(np.float32)
