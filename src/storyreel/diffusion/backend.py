"""What the diffusers stills and motion backends share: the model spec, its options and loading."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from storyreel.backends import Argument, Backend, Option
from storyreel.diffusion.registry import PARSE, ModelSpec
from storyreel.diffusion.runtime import Loaded, load
from storyreel.model import Shot


def _option(key: str, type: str, help: str, example: str) -> Option:
    return Option(type, help, example, PARSE[key])


SHARED = {
    "steps": _option("steps", "whole number > 0", "denoising steps (default: the model's)", "2"),
    "guidance": _option("guidance", "number >= 0", "classifier-free guidance scale", "1.5"),
    "size": _option("size", "WxH", "the generated area (the picture's aspect is kept)", "512x512"),
}
STILLS = SHARED | {
    "batch": _option("batch", "whole number > 0", "takes of a shot generated in one call", "2"),
    "ip_adapter": _option(
        "ip_adapter",
        ".bin or .safetensors file",
        "IP-Adapter weights: the principal subject's reference image guides the still",
        "h94/IP-Adapter/models/ip-adapter_sd15.bin",
    ),
    "ip_scale": _option(
        "ip_scale", "number >= 0", "the IP-Adapter's strength (default 0.6)", "0.6"
    ),
}
MOTION = SHARED | {
    "frames": _option(
        "frames", "whole number > 0", "the most frames the model makes in one call", "49"
    ),
    "fps": _option("fps", "ratio > 0", "the model's native frame rate", "24"),
}


class DiffusersBackend(Backend):
    """`diffusers:MODEL[?key=value&...]`: the options are the stage class's `options`."""

    name: ClassVar[str] = "diffusers"
    version: ClassVar[str] = "1"
    kind: ClassVar[str]
    extra: ClassVar[str | None] = "diffusion"
    packages: ClassVar[tuple[str, ...]] = ("torch", "diffusers", "transformers")
    gpu: ClassVar[bool] = True  # runs on the CPU too, slowly
    argument: ClassVar[Argument | None] = Argument(
        "model", "a hub id or a local diffusers folder", "stabilityai/sd-turbo", required=True
    )

    def __init__(self, model: str | None = None):
        self.check(model)
        self.spec = ModelSpec.parse(model or "")
        self._memo: dict[tuple, object] = {}

    def cache_token(self, shot: Shot, root: Path | None) -> str:
        return self.spec.model + "?" + "&".join(f"{k}={v}" for k, v in self.spec.options)

    def loaded(self, root: Path | None = None) -> Loaded:
        """The pipeline; a relative model folder or adapter file is read from the project `root`."""
        return load(self.spec.under(root), self.kind)
