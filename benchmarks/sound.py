"""The mix at scale: a 10-minute film's mix with its stems, its speed and its peak memory.

    python benchmarks/sound.py [--minutes 10]

Takes the first `--minutes` of a generated feature, speaks its lines with espeak-ng (when it is
installed; otherwise the lines are a tone of each line's length), lays a music bed under them
and an ambience bed per scene crossfading at each scene change, and mixes it all through
`storyreel.sound.mix` to the broadcast target with its three stems, as a render does. Prints the
mix's speed (× real time, one process), its peak traced memory beside what the whole mix would
take in memory at once (float32 stereo, mix and stems), and what the mix measured.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import soundfile

from storyreel.config import ProjectConfig
from storyreel.edit.timeline import build_timeline
from storyreel.run.sound import Line, dialogue, scene_spans
from storyreel.script.breakdown import breakdown
from storyreel.script.fountain import parse
from storyreel.script.sample import feature_script
from storyreel.sound.mix import RATE, Placed, mix
from storyreel.sound.voices.base import LineRequest
from storyreel.sound.voices.espeak import EspeakVoice, tts_engine


def _bed(path: Path, seconds: float, freqs: tuple[float, ...], rate: int = RATE) -> Path:
    """A quiet chord with a little noise, written a second at a time."""
    rng = np.random.default_rng(0)
    with soundfile.SoundFile(str(path), "w", rate, 1, "PCM_16") as f:
        for s in range(int(seconds) + 1):
            t = np.arange(s * rate, (s + 1) * rate) / rate
            y = sum(np.sin(2 * np.pi * q * t) for q in freqs) / len(freqs)
            f.write(0.2 * y + 0.02 * rng.standard_normal(rate))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10.0)
    args = ap.parse_args()
    config = ProjectConfig.model_validate({"film": {"fps": "24000/1001"}})
    film = breakdown(parse(feature_script(120), "feature.fountain"), config)
    budget, shots = args.minutes * 60, []
    for shot in film.shots:
        if sum(s.duration for s in shots) >= budget:
            break
        shots.append(shot)
    part = film.model_copy(update={"shots": shots, "cards": [], "title_page": {}, "title": ""})
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t0 = time.perf_counter()
        espeak, spoken = EspeakVoice(), None
        if tts_engine():
            (out / "work").mkdir()
            spoken = {}
            for shot in part.shots:
                for i, ln in enumerate(shot.dialogue):
                    who = ln.character.strip().upper()
                    ask = LineRequest(ln.text, who, espeak.cast(who, "", None))
                    speech = espeak.speak(ask)
                    key = f"{shot.id}:{i}"
                    (out / "work" / f"{key}.wav").write_bytes(speech.wav())
                    spoken[key] = speech.seconds
        t1 = time.perf_counter()
        timeline = build_timeline(part, config, dialogue_lengths=spoken)
        seconds = timeline.duration().to_seconds()
        tone = _bed(out / "line.wav", 2.0, (220.0,))
        lines = {
            f"{shot.id}:{i}": Line(out / "work" / f"{shot.id}:{i}.wav" if spoken else tone)
            for shot in part.shots
            for i, _ in enumerate(shot.dialogue)
        }
        music = _bed(out / "bed.wav", seconds + 2, (110.0, 164.8, 220.0))
        rain = _bed(out / "rain.wav", 10.0, (70.0,))
        room = _bed(out / "room.wav", 10.0, (60.0,))
        fade = RATE
        beds = [
            Placed(
                "effects",
                max(0, s.start - fade // 2),
                (rain, room)[i % 2],
                0.35,
                "on",
                s.end - s.start + fade,
                fade,
            )
            for i, s in enumerate(scene_spans(timeline, part))
        ]
        placed = [*dialogue(timeline, lines), *beds]
        total = round(seconds * RATE)
        tracemalloc.start()
        t2 = time.perf_counter()
        mixed = mix(placed, music, total, out / "mix", -23.0)
        t3 = time.perf_counter()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        whole = total * 2 * 4 * 4  # float32 stereo: the mix and three stems
        heard = mixed.loudness
        print(
            f"film: {seconds / 60:.1f} min, {len(lines)} lines "
            f"({'espeak-ng, spoken in %.1f s' % (t1 - t0) if spoken else 'tones: no espeak-ng'}), "
            f"{len(beds)} ambience beds, a music bed"
        )
        print(
            f"mix + 3 stems: {t3 - t2:.1f} s ({seconds / (t3 - t2):.1f}x real time); "
            f"peak memory {peak / 2**20:.1f} MiB traced vs {whole / 2**20:.0f} MiB for the mix and "
            f"stems held whole ({whole / peak:.0f}x less)"
        )
        print(
            f"measured: {heard.integrated:.2f} LUFS (target {heard.target:g}), "
            f"true peak {heard.true_peak:.2f} dBTP"
        )


if __name__ == "__main__":
    main()
