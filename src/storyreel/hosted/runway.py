"""Runway (`runway:MODEL`, default gen4_turbo) image-to-video through the official `runwayml` SDK.

The still goes up inline as a data URI as the first frame; on a model that takes a last frame
(`veo3.1`, the Kling and Seedance models, not gen4_turbo), a clip asked to arrive at a still sends
it with `position: "last"`. The task is polled with `tasks.retrieve` until SUCCEEDED or FAILED. `RUNWAYML_BASE_URL` (or `base_url`) points it elsewhere.

Each model's ratios, fixed durations and whether it takes a seed are read from the installed SDK's
`image_to_video.create` types: the ratio nearest the picture's aspect is sent (a model offering
`auto_720p` gets it: its video keeps the still's framing; a model without a ratio gets none), and
the shortest duration that covers the clip (where neither the types nor `SPANS` give a range,
5 or 10 s with a warning in the take's provenance). A model the SDK does not list is sent
gen4_turbo's values, with a warning.
"""

from __future__ import annotations

import functools
import importlib
import math
import typing
from dataclasses import dataclass
from typing import Any, ClassVar

from storyreel.backends import Landing
from storyreel.files import png_bytes
from storyreel.hosted.common import (
    HostedBackend,
    Poll,
    data_uri,
    nearest_ratio,
    require_key,
    require_module,
)
from storyreel.look import compile_prompt
from storyreel.motion.base import ClipRequest, MotionBackend
from storyreel.motion.folder import ConformedClip
from storyreel.store.keys import digest

RATIOS = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672")
AUTO = "auto_720p"  # the video follows the still's framing, at 720p
# the image-to-video models whose prompt images take `position: "last"`
LAST_FRAME = frozenset(
    {
        "veo3.1",
        "veo3.1_fast",
        "kling2.5_turbo_pro",
        "kling3.0_standard",
        "kling3.0_pro",
        "kling3.0_4k",
        "klingO3_standard",
        "klingO3_pro",
        "klingO3_4k",
        "seedance2",
        "seedance2_fast",
        "seedance2_mini",
        "seedance2_5",
        "gemini_omni_flash_1.1",
        "h3_max",
    }
)
# Durations the SDK types leave a bare `int`: the ranges their docstrings state (runwayml 5.24.0; the
# Kling 3.0 and O3 models: the 3-15 s of their multi-shot prompts). gen4_turbo keeps the 5 and 10 s
# it has always been sent, so the jobs already on record keep their keys.
KLING3 = (
    "kling3.0_standard",
    "kling3.0_pro",
    "kling3.0_4k",
    "klingO3_standard",
    "klingO3_pro",
    "klingO3_4k",
)
SPANS: dict[str, tuple[int, ...]] = {
    "gen4_turbo": (5, 10),
    "gen4.5": tuple(range(2, 11)),
    "gemini_omni_flash": tuple(range(3, 11)),
    "gemini_omni_flash_1.1": tuple(range(3, 11)),
} | dict.fromkeys(KLING3, tuple(range(3, 16)))


@dataclass(frozen=True)
class Choices:
    """What one model accepts: its `ratio` values (empty: it takes none), durations, a seed."""

    ratios: tuple[str, ...]
    durations: tuple[int, ...]
    seed: bool = True
    warning: str | None = None

    def ratio(self, size: tuple[int, int]) -> str | None:
        """`auto_720p` where offered, else the `W:H` nearest the picture's aspect (of equal aspects,
        the size nearest 720p), else None."""
        if AUTO in self.ratios:
            return AUTO
        sizes = sorted((r for r in self.ratios if _is_size(r)), key=_off_720p)
        return nearest_ratio(size, sizes) if sizes else None


def _is_size(ratio: str) -> bool:
    parts = ratio.split(":")
    return len(parts) == 2 and all(p.isdigit() for p in parts)


def _off_720p(ratio: str) -> float:
    w, h = (int(x) for x in ratio.split(":"))
    return abs(math.log(w * h / (1280 * 720)))


def _choices(params: type) -> tuple[str, Choices]:
    """A model's id and choices from its `ImageToVideoCreateParams` TypedDict."""
    hints = typing.get_type_hints(params)
    (model,) = typing.get_args(hints["model"])

    def values(name: str, kind: type) -> tuple[Any, ...]:
        """The literal values of type `kind` in the field's hint (through a Union)."""
        hint = hints.get(name)
        flat = [a for arg in typing.get_args(hint) for a in (typing.get_args(arg) or (arg,))]
        return tuple(a for a in flat if type(a) is kind)

    fixed = tuple(sorted(values("duration", int)))
    warning = None
    if not fixed and model not in SPANS:
        warning = f"runway: the SDK gives no duration range for {model!r}; sent 5 or 10 s"
    durations = fixed or SPANS.get(model, SPANS["gen4_turbo"])
    return model, Choices(values("ratio", str), durations, "seed" in hints, warning)


@functools.cache
def models() -> dict[str, Choices]:
    """Every image-to-video model of the installed SDK, by id ({} where its types cannot be read)."""
    try:
        sdk = importlib.import_module("runwayml.types.image_to_video_create_params")
        return dict(_choices(params) for params in typing.get_args(sdk.ImageToVideoCreateParams))
    except (ImportError, AttributeError, KeyError, ValueError, TypeError):
        return {}


def choices(model: str) -> Choices:
    """What `model` accepts; gen4_turbo's values, with a warning, for a model the SDK does not list."""
    known = models().get(model)
    if known is not None:
        return known
    return Choices(
        RATIOS,
        SPANS["gen4_turbo"],
        warning=(
            f"runway: {model!r} is not an image-to-video model of the installed runwayml SDK; "
            "sent gen4_turbo's ratios and durations"
        ),
    )


class RunwayMotion(HostedBackend, MotionBackend):
    vendor: ClassVar[str] = "runway"
    name: ClassVar[str] = "runway"
    default_model: ClassVar[str] = "gen4_turbo"
    env: ClassVar[tuple[tuple[str, ...], ...]] = (("RUNWAYML_API_SECRET",),)
    packages: ClassVar[tuple[str, ...]] = ("runwayml",)
    landing: ClassVar[Landing] = Landing.SOME_MODELS

    @property
    def lands(self) -> bool:
        return self.model in LAST_FRAME

    def _client(self) -> Any:
        sdk = require_module("runwayml", self.vendor)
        key = require_key(self.vendor, "RUNWAYML_API_SECRET")
        return sdk.RunwayML(api_key=key, base_url=self.base_url, max_retries=0, timeout=60)

    def animate(self, request: ClipRequest) -> ConformedClip:
        prompt = compile_prompt(
            request.shot, request.scene, request.config, "motion", max_chars=1000
        )
        png = png_bytes(request.still.image)
        client = self._client()
        model = choices(self.model)
        ratio = model.ratio(request.size)
        duration = self._seconds(request, model.durations)
        seed = request.seed % 4294967296
        end, ending = self._ending(request)
        images = [{"uri": data_uri(png), "position": "first"}]
        if end is not None:
            images.append({"uri": data_uri(end), "position": "last"})
        options: dict[str, Any] = {"duration": duration}
        if ratio is not None:
            options["ratio"] = ratio
        if model.seed:
            options["seed"] = seed

        def submit() -> str:
            task = client.image_to_video.create(
                model=self.model,
                prompt_image=images,
                prompt_text=prompt.prompt,
                **options,
            )
            return task.id

        def check(task_id: str) -> Poll:
            task = client.tasks.retrieve(task_id)
            if task.status == "SUCCEEDED":
                return Poll("done", url=task.output[0])
            if task.status in ("FAILED", "CANCELLED"):
                reason = getattr(task, "failure", None) or task.status.lower()
                code = getattr(task, "failure_code", None)
                return Poll("failed", message=f"{reason} ({code})" if code else reason)
            return Poll("running")

        inputs = {
            "prompt": prompt.prompt,
            "image": digest(png),
            "ratio": ratio,
            "duration": duration,
            "seed": seed,
        } | ending
        file, remote_id = self._run("clip", request.project_root, ".mp4", inputs, submit, check)
        warning = {"warning": model.warning} if model.warning else {}
        meta = self._meta(prompt, remote_id, ratio=ratio, duration=duration, **ending, **warning)
        return self._clip(file, request, meta)
