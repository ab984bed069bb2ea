"""Music backends: the user's own file (`music.file:score.wav`, today's bed) and MusicGen run
locally through `transformers` (`music.musicgen[:MODEL]`, the `diffusion` extra; on a CUDA GPU
when there is one).

MusicGen writes at most about 30 s at a time; a longer scene loops its cue (the mix loops and
crossfades it), so a long film does not cost minutes of generation a scene.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import soundfile

from storyreel.backends import Argument, Option
from storyreel.errors import StoryreelError
from storyreel.sound.cues import Cue, CueRequest, MusicBackend
from storyreel.sound.mix import decode
from storyreel.store.objects import file_digest

MUSICGEN_MAX_S = 30.0


def _seconds(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError(text)
    return value


def readable_audio(path: Path) -> Path:
    """`path`, once its first block decodes as audio; a `StoryreelError` naming it otherwise."""
    if not path.is_file():
        raise StoryreelError("no such music file", path)
    blocks = decode(path)
    try:
        next(blocks, None)
    finally:
        blocks.close()
    return path


class FileMusic(MusicBackend):
    """The user's music file, one bed for the film from its start; cuts may snap to its beats."""

    name: ClassVar[str] = "file"
    version: ClassVar[str] = "1"
    per_scene: ClassVar[bool] = False
    argument: ClassVar[Argument | None] = Argument(
        "file", "an audio file in the project", "music/score.wav", required=True
    )

    def __init__(self, file: str):
        self.file = Path(file)

    def path(self, root: Path | None) -> Path:
        return (root / self.file) if root is not None else self.file

    def cache_token(self, shot: Any, root: Path | None) -> str | None:
        path = self.path(root)
        return file_digest(path) if path.is_file() else None

    def score(self, request: CueRequest) -> Cue:
        path = readable_audio(self.path(request.project_root))
        return Cue(path, {"file": str(self.file)})


class MusicGen(MusicBackend):
    """MusicGen (`facebook/musicgen-small` by default, or a local folder) on CPU or GPU."""

    name: ClassVar[str] = "musicgen"
    version: ClassVar[str] = "1"
    extra: ClassVar[str | None] = "diffusion"
    packages: ClassVar[tuple[str, ...]] = ("transformers", "torch")
    argument: ClassVar[Argument | None] = Argument(
        "model", "a MusicGen model id or folder", "facebook/musicgen-small"
    )
    options: ClassVar[Mapping[str, Option]] = {
        "seconds": Option(
            "seconds > 0", "the longest cue generated (a longer scene loops it)", "30", _seconds
        )
    }

    def __init__(self, model: str | None = None):
        value, options = self.check(model)
        self.model_id = value or "facebook/musicgen-small"
        self.max_seconds = options.get("seconds", MUSICGEN_MAX_S)
        self._loaded: tuple[Any, Any] | None = None
        self._lock = threading.Lock()  # one model: loaded once, one cue generated at a time

    def cache_token(self, shot: Any, root: Path | None) -> str | None:
        return f"{self.model_id}?seconds={self.max_seconds:g}"

    def _load(self, root: Path | None) -> tuple[Any, Any]:
        """The tokenizer and model, once: a folder in the project, or a model id."""
        if self._loaded is None:
            local = root / self.model_id if root is not None else None
            source = str(local) if local is not None and local.is_dir() else self.model_id
            try:
                from transformers import AutoTokenizer, MusicgenForConditionalGeneration
            except ImportError:
                raise StoryreelError(
                    "musicgen needs transformers and torch; pip install 'storyreel[diffusion]'"
                ) from None
            try:
                tokenizer = AutoTokenizer.from_pretrained(source)
                model = MusicgenForConditionalGeneration.from_pretrained(source)
            except OSError as e:
                raise StoryreelError(f"musicgen: cannot load {self.model_id!r}: {e}") from None
            import torch

            device = "cuda" if torch.cuda.is_available() else "cpu"
            self._loaded = tokenizer, model.eval().to(device)
        return self._loaded

    def score(self, request: CueRequest) -> Cue:
        import torch

        with self._lock:
            tokenizer, model = self._load(request.project_root)
            audio = model.config.audio_encoder
            seconds = min(request.seconds, self.max_seconds)
            tokens = max(4, round(seconds * audio.frame_rate))
            inputs = tokenizer([request.prompt], return_tensors="pt", padding=True).to(model.device)
            torch.manual_seed(request.seed)
            with torch.no_grad():
                values = model.generate(**inputs, do_sample=True, max_new_tokens=tokens)
        wave = values[0].float().cpu().numpy().T  # (samples, channels)
        peak = float(np.abs(wave).max()) or 1.0
        folder = (request.project_root or Path(".")) / ".storyreel" / "music"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{request.scene_id}-{request.seed}.wav"
        soundfile.write(str(path), wave / max(1.0, peak), audio.sampling_rate, "FLOAT")
        return Cue(
            path,
            {
                "model": self.model_id,
                "prompt": request.prompt,
                "seconds": seconds,
                "seed": request.seed,
                "sampling_rate": audio.sampling_rate,
            },
        )
