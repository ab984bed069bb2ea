"""ByteDance Seedance (`seedance:MODEL`) through BytePlus ModelArk's content generation tasks.

Of the documented routes (ModelArk, fal, Replicate) this takes ByteDance's own: its API reference
(https://docs.byteplus.com/en/docs/ModelArk/1520757, "Video Generation API") is public and
complete (auth, fields, task states, errors), it is where new Seedance models arrive first, and
it takes every image role the models have (first frame, last frame, reference images), where
the resellers expose a subset. It ships no Python SDK we depend on, so this speaks the REST API
with httpx: `POST /api/v3/contents/generations/tasks` with a Bearer `ARK_API_KEY` creates a task
from a `content` list (the prompt as a `text` item, images as `image_url` items with a `role`),
`GET /api/v3/contents/generations/tasks/{id}` is polled until `succeeded` (its
`content.video_url`) or `failed`/`expired`/`cancelled` (its `error.message`); `queued` and
`running` are running. Errors are HTTP statuses with an `error` object (429 is retried).

Last frame: the models that take `role: last_frame` (1.0 Pro, 1.0 Lite I2V, 1.5 Pro, 2.0) get
the end still when a clip is asked to arrive at one. References (`?input=refs`): 1.0 Lite I2V
(up to 4) and 2.0 (up to 9) make the video from the shot's references (`role:
reference_image`, its characters then the look) and the prompt instead of the still.
An account's endpoint id (`seedance:ep-...`) is taken in place of a model id, without a last
frame or references (storyreel cannot tell its model). `ARK_BASE_URL` (or `base_url`) points it
elsewhere (another region's host).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar

from storyreel.backends import Landing, Option, choice
from storyreel.errors import StoryreelError
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
from storyreel.references import required, shot_references
from storyreel.store.keys import digest

BASE_URL = "https://ark.ap-southeast.bytepluses.com/api/v3"
TASKS = "/contents/generations/tasks"
RUNNING = ("queued", "running")
RATIOS = ("21:9", "16:9", "4:3", "1:1", "3:4", "9:16")
LITE, PRO, PRO_FAST, PRO15 = (
    "seedance-1-0-lite-i2v-250428",
    "seedance-1-0-pro-250528",
    "seedance-1-0-pro-fast-251015",
    "seedance-1-5-pro-251215",
)
V2, V2_FAST = "dreamina-seedance-2-0-260128", "dreamina-seedance-2-0-fast-260128"
LAST_FRAME = frozenset({LITE, PRO, PRO15, V2, V2_FAST})
MAX_REFS = {LITE: 4, V2: 9, V2_FAST: 9}  # reference_image limits per model
DURATIONS = {PRO15: tuple(range(4, 13)), V2: tuple(range(4, 16)), V2_FAST: tuple(range(4, 16))}


class SeedanceMotion(HostedBackend, MotionBackend):
    vendor: ClassVar[str] = "seedance"
    name: ClassVar[str] = "seedance"
    default_model: ClassVar[str] = PRO
    models: ClassVar[tuple[str, ...]] = (PRO, PRO_FAST, LITE, PRO15, V2, V2_FAST)
    env: ClassVar[tuple[tuple[str, ...], ...]] = (("ARK_API_KEY",),)
    packages: ClassVar[tuple[str, ...]] = ("httpx",)
    landing: ClassVar[Landing] = Landing.SOME_MODELS
    options: ClassVar[Mapping[str, Option]] = {
        "resolution": choice("the video's resolution", "720p", "480p", "1080p"),
        "input": choice(
            "image: from the shot's still; refs: from the shot's reference images (Lite I2V, 2.0)",
            "image",
            "refs",
        ),
    }

    @classmethod
    def known(cls, model: str) -> bool:
        """A model id, or one of the account's endpoint ids (`ep-...`), which ModelArk takes in
        its place (storyreel cannot tell an endpoint's model: it gets no last frame)."""
        return super().known(model) or model.startswith("ep-")

    @classmethod
    def check(cls, argument: str | None) -> tuple[str | None, dict[str, Any]]:
        model, options = super().check(argument)
        if options.get("input") == "refs" and (model or cls.default_model) not in MAX_REFS:
            raise StoryreelError(
                f"seedance: {model or cls.default_model} takes no reference images; input=refs "
                "needs one of " + ", ".join(MAX_REFS)
            )
        return model, options

    def __init__(self, model: str | None = None, **kw: Any):
        super().__init__(model, **kw)
        self.from_refs = self.settings.get("input") == "refs"

    @property
    def lands(self) -> bool:
        return not self.from_refs and self.model in LAST_FRAME

    def _api(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        httpx = require_module("httpx", self.vendor)
        base = (self.base_url or os.environ.get("ARK_BASE_URL") or BASE_URL).rstrip("/")
        key = require_key(self.vendor, "ARK_API_KEY")
        r = httpx.request(
            method, base + path, json=body, timeout=60, headers={"Authorization": f"Bearer {key}"}
        )
        r.raise_for_status()
        return r.json()

    def animate(self, request: ClipRequest) -> ConformedClip:
        prompt = compile_prompt(request.shot, request.scene, request.config, "motion")
        duration = self._seconds(request, DURATIONS.get(self.model, (5, 10)))
        options = {
            "ratio": nearest_ratio(request.size, RATIOS),
            "duration": duration,
            "resolution": self.settings.get("resolution", "720p"),
            "seed": request.seed % 4294967296,
            "watermark": False,
        }
        content: list[dict[str, Any]] = [{"type": "text", "text": prompt.prompt}]
        references = []
        if self.from_refs:
            chosen = shot_references(
                request.shot, request.config, request.project_root, MAX_REFS[self.model]
            )
            references = required(chosen, "seedance")
            for ref in references:
                image, mime = ref.sendable()
                content.append(_image(data_uri(image, mime), "reference_image"))
            sent: dict[str, Any] = {"refs": [r.sha256 for r in references]}
        else:
            png = png_bytes(request.still.image)
            content.append(_image(data_uri(png), "first_frame"))
            sent = {"image": digest(png)}
        end, ending = self._ending(request)
        if end is not None:
            content.append(_image(data_uri(end), "last_frame"))
        body = {"model": self.model, "content": content} | options

        def submit() -> str:
            return str(self._api("POST", TASKS, body)["id"])

        def check(task_id: str) -> Poll:
            task = self._api("GET", f"{TASKS}/{task_id}")
            status = task.get("status")
            if status in RUNNING:
                return Poll("running")
            if status != "succeeded":
                error = task.get("error") or {}
                reason = error.get("message") or f"task {status}"
                return Poll(
                    "failed", message=f"{reason} ({error['code']})" if error.get("code") else reason
                )
            return Poll("done", url=task["content"]["video_url"])

        inputs = {"prompt": prompt.prompt} | options | sent | ending
        file, remote_id = self._run("clip", request.project_root, ".mp4", inputs, submit, check)
        meta = self._meta(
            prompt,
            remote_id,
            **options,
            references=[r.record("reference_image") for r in references],
            **ending,
        )
        return self._clip(file, request, meta)


def _image(url: str, role: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url}, "role": role}
