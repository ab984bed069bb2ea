"""Kokoro-82M on the CPU through `kokoro-onnx`, from the user's downloaded model files.

`kokoro:af_heart` speaks in one of the voices of the voices file (`?model=` and `?voices=` name
the files, by default `models/kokoro-v1.0.onnx` and `models/voices-v1.0.bin` in the project).
The delivery's speed is Kokoro's own `speed`. A model is loaded once per process and file.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from storyreel.backends import Argument, Option
from storyreel.errors import StoryreelError
from storyreel.sound.voices.base import LineRequest, Speech, VoiceBackend, identity, model_files

MODEL, VOICES = "models/kokoro-v1.0.onnx", "models/voices-v1.0.bin"
RELEASE = "https://github.com/thewh1teagle/kokoro-onnx/releases/download/model-files-v1.0"
LANGS = {"a": "en-us", "b": "en-gb"}  # a voice's first letter: American, British English


@functools.cache
def load(model: Path, voices: Path, stamp: tuple[int, int]) -> Any:
    """A `kokoro_onnx.Kokoro` for the files (`stamp`, their mtimes, reloads a replaced one)."""
    try:
        from kokoro_onnx import Kokoro
    except ImportError:
        raise StoryreelError(
            "kokoro: the Python package 'kokoro-onnx' is missing; pip install 'storyreel[voices]'"
        ) from None
    try:
        return Kokoro(str(model), str(voices))
    except Exception as e:  # onnxruntime's and numpy's errors for a file that is not a model
        raise StoryreelError(
            f"kokoro: cannot load {model.name} ({type(e).__name__}: {e})"
        ) from None


class KokoroVoice(VoiceBackend):
    name: ClassVar[str] = "kokoro"
    version: ClassVar[str] = "1"
    extra: ClassVar[str | None] = "voices"
    packages: ClassVar[tuple[str, ...]] = ("kokoro_onnx",)
    argument: ClassVar[Argument | None] = Argument(
        "voice", "a voice of the voices file", "af_heart"
    )
    options = {
        "model": Option("a path in the project", "the .onnx model file", MODEL),
        "voices": Option("a path in the project", "the voices file", VOICES),
    }
    female: ClassVar[tuple[str, ...]] = ("af_heart", "af_bella", "af_nicole", "bf_emma")
    male: ClassVar[tuple[str, ...]] = ("am_michael", "am_fenrir", "am_puck", "bm_george")

    def _files(self, root: Path | None) -> list[Path]:
        paths = [self.options.get("model", MODEL), self.options.get("voices", VOICES)]
        get = " && ".join(f"curl -L --create-dirs -o {p} {RELEASE}/{Path(p).name}" for p in paths)
        return model_files(self.name, root, paths, get)

    def _model(self, root: Path | None) -> Any:
        model, voices = self._files(root)
        return load(model, voices, (model.stat().st_mtime_ns, voices.stat().st_mtime_ns))

    def prepare(self, root: Path | None) -> None:
        self._model(root)

    def known_voices(self, root: Path | None) -> list[str] | None:
        return sorted(self._model(root).get_voices())

    def pools(self, root: Path | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The stock voices the voices file has (all of its voices when it has none of them)."""
        known = tuple(self.known_voices(root) or ())
        female = tuple(v for v in self.female if v in known)
        male = tuple(v for v in self.male if v in known)
        return (female, male) if female or male else (known, known)

    def token(self, voice: str, root: Path | None) -> str:
        return ",".join(identity(p) for p in self._files(root))

    def speak(self, request: LineRequest) -> Speech:
        kokoro = self._model(request.project_root)
        speed = float(np.clip(request.delivery.speed, 0.5, 2.0))
        lang = LANGS.get(request.voice[:1], "en-us")
        try:
            samples, rate = kokoro.create(request.text, voice=request.voice, speed=speed, lang=lang)
        except Exception as e:  # the model's own errors name what went wrong
            raise StoryreelError(f"kokoro: {type(e).__name__}: {e}") from None
        samples = np.clip(np.asarray(samples, np.float32), -1, 1)  # its float rounding past 1
        return Speech(samples, int(rate), {"speed": speed, "lang": lang})
