"""The edit room at scale: a feature's timeline and exports, and a long scratch mix's memory.

    python benchmarks/edit.py [--pages 120] [--mix-minutes 10]

Prints the time to build a generated feature's timeline, export it to the four NLE formats and
write its subtitles; then mixes `--mix-minutes` of the film (espeak-ng dialogue over a music
bed) and prints the mix's peak traced memory beside the size the whole mix would take held in
memory at once (float32 stereo at 48 kHz) — the ratio shows what streaming saves.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
import wave
from pathlib import Path

import numpy as np

from storyreel.config import ProjectConfig
from storyreel.edit.audio import RATE, dialogue_lengths, scratch_audio, tts_engine
from storyreel.edit.subtitles import write_subtitles
from storyreel.edit.timeline import build_timeline
from storyreel.handoff.exports import export_all
from storyreel.script.breakdown import breakdown
from storyreel.script.fountain import parse
from storyreel.script.sample import feature_script


def _music(path: Path, seconds: float) -> Path:
    """A quiet chord as a 48 kHz mono WAV, written a second at a time."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        for s in range(int(seconds) + 1):
            t = np.arange(s * RATE, (s + 1) * RATE) / RATE
            y = 0.2 * sum(np.sin(2 * np.pi * f * t) for f in (110.0, 164.8, 220.0))
            w.writeframes((y * 32767 / 3).astype("<i2").tobytes())
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=float, default=120.0)
    ap.add_argument("--mix-minutes", type=float, default=10.0)
    args = ap.parse_args()
    config = ProjectConfig.model_validate({"film": {"fps": "24000/1001"}})
    shotlist = breakdown(parse(feature_script(args.pages), "feature.fountain"), config)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t0 = time.perf_counter()
        tl = build_timeline(shotlist, config)
        t1 = time.perf_counter()
        export_all(tl, out / "out")
        t2 = time.perf_counter()
        write_subtitles(tl, out / "out")
        t3 = time.perf_counter()
        lines = sum(len(s.dialogue) for s in shotlist.shots)
        print(
            f"feature: {len(shotlist.shots)} shots, {lines} lines, "
            f"{tl.duration().to_seconds() / 60:.0f} min at 24000/1001"
        )
        print(
            f"build_timeline: {t1 - t0:.2f} s   export_all (4 formats): {t2 - t1:.2f} s   "
            f"subtitles: {t3 - t2:.2f} s"
        )

        if tts_engine() is None:
            print("mix: skipped (no espeak-ng)")
            return
        budget, shots = args.mix_minutes * 60, []
        for shot in shotlist.shots:
            if sum(s.duration for s in shots) >= budget:
                break
            shots.append(shot)
        part = shotlist.model_copy(
            update={"shots": shots, "cards": [], "title_page": {}, "title": ""}
        )
        t4 = time.perf_counter()
        spoken = dialogue_lengths(part, config, out / "work")
        t5 = time.perf_counter()
        music = _music(out / "bed.wav", budget + 60)
        part_tl = build_timeline(part, config, dialogue_lengths=spoken, music=music)
        seconds = part_tl.duration().to_seconds()
        tracemalloc.start()
        t6 = time.perf_counter()
        scratch_audio(part_tl, part, config, out / "work")
        t7 = time.perf_counter()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        whole = seconds * RATE * 2 * 4
        print(
            f"mix: {seconds / 60:.1f} min, {len(spoken)} lines spoken in {t5 - t4:.1f} s; "
            f"mixed in {t7 - t6:.1f} s ({seconds / (t7 - t6):.0f}x real time)"
        )
        print(
            f"mix memory: peak {peak / 2**20:.1f} MiB traced vs {whole / 2**20:.0f} MiB for the "
            f"whole mix in memory ({whole / peak:.0f}x less)"
        )


if __name__ == "__main__":
    main()
