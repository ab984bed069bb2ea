"""Work a stage hands to another machine: a picklable `Task` and what it needs to run.

A task carries everything its item's compute reads (the request, the stills it starts from, the
part of the programme a segment shows), never the store or the database: its result comes back to
the driver, which saves it (`Stage.accept`). A task whose backend wants a GPU is served by an
actor that keeps that backend, and so its loaded pipeline, for the life of the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storyreel.backends import Backend
from storyreel.diffusion.backend import DiffusersBackend
from storyreel.diffusion.registry import known_family
from storyreel.hosted.common import HostedBackend

GB = 10**9
# host memory a worker claims to load a family's pipeline: its weights in half precision, text
# encoders included, from the model cards' parameter counts (SD 1.5 ~1B, SDXL 3.5B, FLUX.1 12B +
# T5-XXL 4.7B, SD3 medium 2B + T5, LTX-Video 2B + T5, Wan 2.1 I2V 14B, Wan 2.2 A14B two 14B experts,
# SVD 1.5B, CogVideoX 5B, Sana 1.6B + Gemma 2B); a model of no known family claims `WEIGHTS_UNKNOWN`
WEIGHTS = {
    "sd": 3 * GB,
    "sd-turbo": 4 * GB,
    "sdxl": 8 * GB,
    "sdxl-turbo": 8 * GB,
    "flux-schnell": 34 * GB,
    "flux": 34 * GB,
    "sana-sprint": 8 * GB,
    "sana": 8 * GB,
    "sd3": 16 * GB,
    "sd3-turbo": 16 * GB,
    "ltx": 16 * GB,
    "wan-i2v": 40 * GB,
    "wan2.2-i2v": 64 * GB,
    "svd": 5 * GB,
    "cogvideox-i2v": 20 * GB,
}
WEIGHTS_UNKNOWN = 16 * GB


@dataclass(frozen=True)
class Needs:
    """What one task asks of a worker: CPU cores, GPUs and memory (bytes, 0: no claim)."""

    cpus: float = 1.0
    gpus: float = 0.0
    memory: int = 0


class Task:
    """One item's compute, made away from the driver. Subclasses are frozen dataclasses."""

    needs: Needs
    backend: Backend | None  # served by an actor that keeps it, when `needs.gpus`

    def run(self, backend: Backend | None) -> Any:
        """The item's result, made with `backend` (the task's own, or the actor's copy)."""
        raise NotImplementedError

    def route(self) -> str | None:
        """Tasks of one route go to the same GPU actor (which may keep what they share)."""
        return None


def remote(backend: Backend | None) -> bool:
    """Whether a backend's work may leave the driver: not a hosted one (its ledger lives there)."""
    return backend is not None and not isinstance(backend, HostedBackend)


def needs_of(backend: Backend | None) -> Needs:
    """What a task of `backend` asks: a GPU when it declares `gpu` (and, for a diffusers model,
    its weights in memory), else one core."""
    if backend is None or not backend.gpu:
        return Needs()
    if not isinstance(backend, DiffusersBackend):
        return Needs(1.0, 1.0)  # a plugin's model: its size is not known here
    family = known_family(backend.spec.model)
    return Needs(1.0, 1.0, WEIGHTS.get(family.name, WEIGHTS_UNKNOWN) if family else WEIGHTS_UNKNOWN)


@dataclass(frozen=True)
class Refusal:
    """A `StoryreelError` raised by a task, carried back to the driver as a value."""

    message: str
    path: str | None = None
    line: int | None = None
