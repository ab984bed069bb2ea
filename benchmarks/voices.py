"""Voices: the time to say a line, on one core, for espeak and the local neural voices.

    python benchmarks/voices.py [--lines 40] [--kokoro DIR] [--piper MODEL.onnx]

Says the first `--lines` lines of the sample feature with espeak-ng, Kokoro (kokoro-onnx) and
Piper (piper-tts), pinned to one core, and prints each voice's median seconds a line and its
real-time factor (seconds of work per second of speech). `--kokoro DIR` (holding
kokoro-v1.0.onnx and voices-v1.0.bin) and `--piper MODEL.onnx` time the real models; without
them the neural voices run the tests' tiny randomly initialised graphs, which time the
libraries' text front ends (espeak phonemisation, tokens, the ONNX session) and nothing of the
models' own cost. The models' published figures, for that: kokoro-onnx gives "near real-time
on macOS M1" for the 82M-parameter model (~300 MB, ~80 MB quantised); Piper is built to run
faster than real time on a Raspberry Pi 4 (its medium voices are ~60 MB).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before onnxruntime is imported
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' tiny models

from storyreel.config import ProjectConfig  # noqa: E402
from storyreel.script.breakdown import breakdown  # noqa: E402
from storyreel.script.fountain import parse  # noqa: E402
from storyreel.script.sample import feature_script  # noqa: E402
from storyreel.sound.voices.base import LineRequest, VoiceBackend  # noqa: E402
from storyreel.sound.voices.espeak import EspeakVoice, tts_engine  # noqa: E402
from storyreel.sound.voices.kokoro import KokoroVoice  # noqa: E402
from storyreel.sound.voices.piper import PiperVoiceBackend  # noqa: E402


def lines(n: int) -> list[tuple[str, str]]:
    """(character, text) of the sample feature's first `n` lines."""
    shotlist = breakdown(parse(feature_script(10.0), "feature.fountain"), ProjectConfig())
    said = [(d.character, d.text) for s in shotlist.shots for d in s.dialogue]
    return said[:n]


def time_voice(label: str, voice: VoiceBackend, name: str, root: Path, said: list) -> None:
    voice.speak(LineRequest("Warm up.", "MAYA", name, project_root=root))  # loads the model
    spent, spoken = [], 0.0
    for character, text in said:
        start = time.perf_counter()
        speech = voice.speak(LineRequest(text, character, name, project_root=root))
        spent.append(time.perf_counter() - start)
        spoken += speech.seconds
    print(
        f"{label:<34} {statistics.median(spent) * 1000:7.1f} ms a line (median), "
        f"real-time factor {sum(spent) / spoken:.3f} over {spoken:.0f} s of speech"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--kokoro", type=Path, help="folder of kokoro-v1.0.onnx, voices-v1.0.bin")
    parser.add_argument("--piper", type=Path, help="a Piper voice's .onnx (its .json beside it)")
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    said = lines(args.lines)
    print(
        f"{len(said)} lines of the sample feature, one core (espeak-ng runs as a child process there too), wall time a line"
    )
    if tts_engine() is not None:
        time_voice("espeak-ng", EspeakVoice(), "en-gb+f3", Path.cwd(), said)
    else:
        print("espeak-ng: not installed")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.kokoro:
            (root / "models").symlink_to(args.kokoro.resolve())
            kokoro = "Kokoro-82M"
        else:
            from tests.sound.conftest import kokoro_model

            kokoro_model(root / "models")
            kokoro = "Kokoro front end (tiny graph)"
        time_voice(kokoro, KokoroVoice("af_heart"), "af_heart", root, said)
        if args.piper:
            model, label = args.piper.resolve(), f"Piper {args.piper.stem}"
        else:
            from tests.sound.conftest import piper_voice

            model, label = piper_voice(root / "piper"), "Piper front end (tiny graph)"
        piper = PiperVoiceBackend(f"{model.stem}?model={model}")
        time_voice(label, piper, model.stem, root, said)
    print(
        "published: kokoro-onnx 'near real-time on macOS M1' (82M parameters); Piper faster "
        "than real time on a Raspberry Pi 4 (medium voices)"
    )


if __name__ == "__main__":
    main()
