"""Independent meters for the tests: FFmpeg's `ebur128` filter through PyAV, and a tone's level."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from av.filter import Graph


@dataclass(frozen=True)
class Measured:
    integrated: float  # LUFS
    true_peak: float  # dBTP


def ebur128(path: Path) -> Measured:
    """Integrated loudness and true peak of a file, as FFmpeg's EBU R128 meter reads them."""
    import math

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        graph = Graph()
        src = graph.add_abuffer(template=stream)
        meter = graph.add("ebur128", "metadata=1:peak=true")
        sink = graph.add("abuffersink")
        src.link_to(meter)
        meter.link_to(sink)
        graph.configure()
        last = None

        def drain() -> None:
            nonlocal last
            while True:
                try:
                    frame = graph.pull()
                except (av.BlockingIOError, av.EOFError):
                    return
                if "lavfi.r128.I" in frame.metadata:
                    last = frame

        for frame in container.decode(stream):
            graph.push(frame)
            drain()
        graph.push(None)
        drain()
    assert last is not None, f"{path} has no audio"
    meta = last.metadata
    peak = float(meta["lavfi.r128.true_peak"])
    return Measured(float(meta["lavfi.r128.I"]), 20 * math.log10(peak))


def tone_level(x, freq: float, rate: int = 48_000) -> float:
    """The amplitude of the `freq` Hz sine in the samples `x` (its Fourier coefficient)."""
    t = np.arange(len(x)) / rate
    return 2 * float(
        np.hypot(
            (x * np.sin(2 * np.pi * freq * t)).mean(), (x * np.cos(2 * np.pi * freq * t)).mean()
        )
    )
