"""What the diffusers stills and motion backends share: the model spec, readiness and loading."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from storyreel.diffusion.registry import ModelSpec
from storyreel.diffusion.runtime import Loaded, load
from storyreel.model import Shot


class DiffusersBackend:
    """`diffusers:MODEL[?steps=N&guidance=G&size=WxH&frames=N&fps=F&batch=N]`."""

    name: ClassVar[str] = "diffusers"
    version: ClassVar[str] = "1"
    kind: ClassVar[str]
    extra: ClassVar[str | None] = "diffusion"
    packages: ClassVar[tuple[str, ...]] = ("torch", "diffusers", "transformers")
    env: ClassVar[tuple[tuple[str, ...], ...]] = ()
    gpu: ClassVar[bool] = True  # runs on the CPU too, slowly

    def __init__(self, model: str | None = None, **_: Any):
        self.spec = ModelSpec.parse(model)
        self._memo: dict[tuple, Any] = {}

    def cache_token(self, shot: Shot, root: Path | None) -> str:
        return self.spec.model + "?" + "&".join(f"{k}={v}" for k, v in self.spec.options)

    def loaded(self, root: Path | None = None) -> Loaded:
        """The pipeline; a relative model folder or adapter file is read from the project `root`."""
        return load(self.spec.under(root), self.kind)
