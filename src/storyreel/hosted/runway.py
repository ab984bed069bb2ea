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

Stills (`stills.runway`, default gen4_image) come from `text_to_image.create` with the shot's
reference images (its characters', then the look's; up to three, the SDK's limit) as
`referenceImages`, each with a tag named after its owner (`maya`, `maya2`, `look`) that the
prompt calls by `@tag`, as Runway's gen4 references take them.
"""

from __future__ import annotations

import functools
import importlib
import math
import re
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
from storyreel.model import Still
from storyreel.motion.base import ClipRequest, MotionBackend
from storyreel.motion.folder import ConformedClip
from storyreel.references import Reference, shot_references
from storyreel.stills.base import StillRequest, StillsBackend
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


def _poll(client: Any, task_id: str) -> Poll:
    """A Runway task's state, from `tasks.retrieve`."""
    task = client.tasks.retrieve(task_id)
    if task.status == "SUCCEEDED":
        return Poll("done", url=task.output[0])
    if task.status in ("FAILED", "CANCELLED"):
        reason = getattr(task, "failure", None) or task.status.lower()
        code = getattr(task, "failure_code", None)
        return Poll("failed", message=f"{reason} ({code})" if code else reason)
    return Poll("running")


class _Runway(HostedBackend):
    vendor: ClassVar[str] = "runway"
    name: ClassVar[str] = "runway"
    env: ClassVar[tuple[tuple[str, ...], ...]] = (("RUNWAYML_API_SECRET",),)
    packages: ClassVar[tuple[str, ...]] = ("runwayml",)

    def _client(self) -> Any:
        sdk = require_module("runwayml", self.vendor)
        key = require_key(self.vendor, "RUNWAYML_API_SECRET")
        return sdk.RunwayML(api_key=key, base_url=self.base_url, max_retries=0, timeout=60)


class RunwayMotion(_Runway, MotionBackend):
    default_model: ClassVar[str] = "gen4_turbo"
    landing: ClassVar[Landing] = Landing.SOME_MODELS

    @property
    def lands(self) -> bool:
        return self.model in LAST_FRAME

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
            return _poll(client, task_id)

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


IMAGE_RATIOS = ("1920:1080", "1080:1920", "1024:1024", "1360:768", "1168:880", "1808:768")
MAX_REFS = 3


def tags(references: list[Reference]) -> list[str]:
    """Each reference's tag: its owner's name in lower case (`maya`, then `maya2`...), made to
    Runway's rule (3-16 letters, digits or underscores, starting with a letter)."""
    seen: dict[str, int] = {}
    out = []
    for ref in references:
        base = re.sub(r"\W", "_", ref.owner.lower()).strip("_") or "ref"
        base = (base if base[0].isalpha() else "r" + base).ljust(3, "_")[:14]
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base}{seen[base]}")
    return out


class RunwayStills(_Runway, StillsBackend):
    """gen4 image generation, guided by the shot's reference images (`referenceImages`, tagged)."""

    default_model: ClassVar[str] = "gen4_image"
    models: ClassVar[tuple[str, ...]] = ("gen4_image", "gen4_image_turbo")

    def generate(self, request: StillRequest) -> Still:
        references = shot_references(request.shot, request.config, request.project_root, MAX_REFS)
        named = tags(references)
        called = " ".join(
            f"@{tag} is {'the look' if r.owner == 'look' else r.owner.title()}."
            for tag, r in zip(named, references, strict=True)
        )
        prompt = compile_prompt(
            request.shot,
            request.scene,
            request.config,
            "natural",
            max_chars=1000 - len(called) - 1,
        )
        text = f"{prompt.prompt} {called}".strip()
        ratio = nearest_ratio(request.size, IMAGE_RATIOS)
        seed = request.seed % 4294967296
        images = [
            {"uri": data_uri(*r.sendable()), "tag": tag}
            for tag, r in zip(named, references, strict=True)
        ]
        client = self._client()

        def submit() -> str:
            options = {"reference_images": images} if images else {}
            task = client.text_to_image.create(
                model=self.model, prompt_text=text, ratio=ratio, seed=seed, **options
            )
            return task.id

        inputs = {"prompt": text, "ratio": ratio, "seed": seed}
        inputs["refs"] = [[tag, r.sha256] for tag, r in zip(named, references, strict=True)]
        file, remote_id = self._run(
            "still", request.project_root, ".png", inputs, submit, lambda t: _poll(client, t)
        )
        meta = self._meta(
            prompt,
            remote_id,
            ratio=ratio,
            references=[
                r.record(f"referenceImages @{tag}")
                for tag, r in zip(named, references, strict=True)
            ],
        )
        meta["prompt"] = text
        return self._still(file, request.size, meta)
