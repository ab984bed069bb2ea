"""Piper on the CPU through `piper-tts`, from the user's downloaded voice files.

`piper:en_US-lessac-medium` loads `models/en_US-lessac-medium.onnx` and its `.onnx.json` from
the project (`?model=` names another .onnx; `?speaker=N` picks a speaker of a multi-speaker
voice). The delivery's speed becomes Piper's length scale, its volume is the mix's. A voice is
loaded once per process and file.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from storyreel.backends import Argument, Option
from storyreel.errors import StoryreelError
from storyreel.sound.voices.base import LineRequest, Speech, VoiceBackend, identity, model_files

FOLDER = "models"


def _whole(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


@functools.cache
def load(model: Path, stamp: tuple[int, int]) -> Any:
    """A `piper.PiperVoice` for the files (`stamp`, their mtimes, reloads a replaced one)."""
    try:
        from piper import PiperVoice
    except ImportError:
        raise StoryreelError(
            "piper: the Python package 'piper-tts' is missing; pip install 'storyreel[voices]'"
        ) from None
    try:
        return PiperVoice.load(model, config_path=f"{model}.json")
    except Exception as e:  # onnxruntime's and the config's errors for files that are not a voice
        raise StoryreelError(f"piper: cannot load {model.name} ({type(e).__name__}: {e})") from None


class PiperVoiceBackend(VoiceBackend):
    name: ClassVar[str] = "piper"
    version: ClassVar[str] = "1"
    extra: ClassVar[str | None] = "voices"
    packages: ClassVar[tuple[str, ...]] = ("piper",)
    argument: ClassVar[Argument | None] = Argument(
        "voice", f"a Piper voice whose files are in {FOLDER}/", "en_US-lessac-medium"
    )
    options = {
        "model": Option("a path in the project", "the voice's .onnx file", "models/voice.onnx"),
        "speaker": Option("whole number >= 0", "the speaker of a multi-speaker voice", "0", _whole),
    }

    def _paths(self, voice: str) -> list[str]:
        model = self.options.get("model") or f"{FOLDER}/{voice}.onnx"
        return [model, f"{model}.json"]

    def _files(self, voice: str, root: Path | None) -> list[Path]:
        get = f"python -m piper.download_voices {voice} --download-dir {FOLDER}"
        return model_files(self.name, root, self._paths(voice), get)

    def _voice(self, voice: str, root: Path | None) -> Any:
        model, config = self._files(voice, root)
        return load(model, (model.stat().st_mtime_ns, config.stat().st_mtime_ns))

    def known_voices(self, root: Path | None) -> list[str] | None:
        if self.options.get("model"):
            return None  # the file is the voice
        folder = (root or Path.cwd()) / FOLDER
        return sorted(p.name[: -len(".onnx")] for p in folder.glob("*.onnx")) or None

    def prepare(self, root: Path | None) -> None:
        if self.voice or self.options.get("model"):
            self._voice(self.voice or "voice", root)
        elif not self.known_voices(root):
            self._files("en_US-lessac-medium", root)  # says where a voice goes and how to get one

    def token(self, voice: str, root: Path | None) -> str:
        return ",".join(identity(p) for p in self._files(voice, root))

    def speak(self, request: LineRequest) -> Speech:
        from piper import SynthesisConfig

        piper = self._voice(request.voice, request.project_root)
        how = request.delivery
        scale = piper.config.length_scale / max(0.25, how.speed)
        config = SynthesisConfig(speaker_id=self.options.get("speaker"), length_scale=scale)
        try:
            chunks = [c.audio_float_array for c in piper.synthesize(request.text, config)]
        except Exception as e:  # the model's own errors name what went wrong
            raise StoryreelError(f"piper: {type(e).__name__}: {e}") from None
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        meta = {"length_scale": round(scale, 4), "speaker": self.options.get("speaker")}
        return Speech(samples.astype(np.float32), piper.config.sample_rate, meta)
