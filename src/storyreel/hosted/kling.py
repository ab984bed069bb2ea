"""Kling (`kling:MODEL`): image-to-video, text-to-video and image generation.

Kling ships no Python SDK, so this speaks its REST API with httpx: every request carries a
short-lived JWT (HS256, `iss` = access key, `exp`/`nbf` around now) signed with the secret key,
tasks are created with POST and polled with GET until `succeed` or `failed`.

References: `?input=refs` makes the clip from the shot's reference images (its characters', then
the look's) with Kling's multi-image-to-video (`/v1/videos/multi-image2video`, kling-v1-6 only,
`image_list` of up to 4 `{"image": base64}`; Kling's API reference, "Multi-Image to Video") instead
of from the still. Image generation is guided by the first of them (`image`; on kling-v1-5 with
`image_reference: subject`).
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from storyreel.backends import Landing, Option, choice
from storyreel.errors import StoryreelError
from storyreel.files import png_bytes
from storyreel.hosted.common import (
    HostedBackend,
    Poll,
    minted,
    nearest_ratio,
    redact,
    require_key,
    require_module,
)
from storyreel.look import compile_prompt
from storyreel.model import Still
from storyreel.motion.base import ClipRequest, MotionBackend
from storyreel.motion.folder import ConformedClip
from storyreel.references import required, shot_references
from storyreel.stills.base import StillRequest, StillsBackend
from storyreel.store.keys import digest

BASE_URL = "https://api-singapore.klingai.com"
RUNNING = ("submitted", "processing")
# (model, mode) pairs whose image-to-video takes `image_tail`, per Kling's capability map
TAIL = frozenset(
    {
        ("kling-v1", "std"),
        ("kling-v1", "pro"),
        ("kling-v1-5", "pro"),
        ("kling-v1-6", "pro"),
        ("kling-v2-1", "pro"),
        ("kling-v2-5-turbo", "pro"),
    }
)
MULTI_IMAGE = "kling-v1-6"  # the one model of multi-image-to-video
MAX_REFS = 4


class _Kling(HostedBackend):
    vendor: ClassVar[str] = "kling"
    name: ClassVar[str] = "kling"
    env: ClassVar[tuple[tuple[str, ...], ...]] = (("KLING_ACCESS_KEY",), ("KLING_SECRET_KEY",))
    packages: ClassVar[tuple[str, ...]] = ("httpx", "jwt")

    def _token(self) -> str:
        jwt = require_module("jwt", self.vendor)
        access = require_key(self.vendor, "KLING_ACCESS_KEY")
        secret = require_key(self.vendor, "KLING_SECRET_KEY")
        now = int(time.time())
        return minted(
            jwt.encode(
                {"iss": access, "exp": now + 1800, "nbf": now - 5},
                secret,
                algorithm="HS256",
                headers={"typ": "JWT"},
            )
        )

    def _api(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        httpx = require_module("httpx", self.vendor)
        base = (self.base_url or os.environ.get("KLING_BASE_URL") or BASE_URL).rstrip("/")
        r = httpx.request(
            method,
            base + path,
            json=body,
            timeout=60,
            headers={"Authorization": f"Bearer {self._token()}"},
        )
        r.raise_for_status()
        reply = r.json()
        if reply.get("code", 0) != 0:
            raise StoryreelError(
                f"kling refused the request: {redact(str(reply.get('message')))} "
                f"(code {reply.get('code')})"
            )
        return reply["data"]

    def _task(self, path: str, body: dict[str, Any]) -> tuple[Any, Any]:
        def submit() -> str:
            return str(self._api("POST", path, body)["task_id"])

        def check(task_id: str) -> Poll:
            data = self._api("GET", f"{path}/{task_id}")
            status = data.get("task_status")
            if status in RUNNING:
                return Poll("running")
            if status != "succeed":
                return Poll("failed", message=data.get("task_status_msg") or f"task {status}")
            result = data.get("task_result") or {}
            items = result.get("videos") or result.get("images") or []
            return (
                Poll("done", url=items[0]["url"]) if items else Poll("failed", message="no output")
            )

        return submit, check


class KlingMotion(_Kling, MotionBackend):
    """Image-to-video from the shot's still; `?input=text` for text-to-video, `?input=refs` for
    multi-image-to-video from the shot's references (kling-v1-6), `?mode=pro` for pro.

    Where the model and mode take a tail image (`kling-v2-1?mode=pro`, not the default standard
    mode), a clip asked to arrive at a still sends it as `image_tail`.
    """

    default_model: ClassVar[str] = "kling-v2-1"
    landing: ClassVar[Landing] = Landing.SOME_MODELS
    options: ClassVar[Mapping[str, Option]] = {
        "mode": choice(
            "standard or professional generation (pro takes a tail image)", "std", "pro"
        ),
        "input": choice(
            "image: from the shot's still; text: from the prompt alone; refs: from the shot's "
            f"reference images ({MULTI_IMAGE})",
            "image",
            "text",
            "refs",
        ),
    }

    @classmethod
    def check(cls, argument: str | None) -> tuple[str | None, dict[str, Any]]:
        model, options = super().check(argument)
        if options.get("input") == "refs" and (model or cls.default_model) != MULTI_IMAGE:
            raise StoryreelError(
                f"kling: input=refs (multi-image-to-video) is made by {MULTI_IMAGE} only; "
                f"name it: kling:{MULTI_IMAGE}?input=refs"
            )
        return model, options

    def __init__(self, model: str | None = None, **kw: Any):
        super().__init__(model, **kw)
        self.mode = self.settings.get("mode", "std")
        self.input = self.settings.get("input", "image")

    @property
    def lands(self) -> bool:
        return self.input == "image" and (self.model, self.mode) in TAIL

    def animate(self, request: ClipRequest) -> ConformedClip:
        prompt = compile_prompt(
            request.shot, request.scene, request.config, "motion", max_chars=2500, negative=True
        )
        duration = str(self._seconds(request, (5, 10)))
        body: dict[str, Any] = {
            "model_name": self.model,
            "prompt": prompt.prompt,
            "mode": self.mode,
            "duration": duration,
            "negative_prompt": prompt.negative,
        }
        references = []
        keyed: dict[str, Any] = {"image": None}
        if self.input == "refs":
            path = "/v1/videos/multi-image2video"
            chosen = shot_references(request.shot, request.config, request.project_root, MAX_REFS)
            references = required(chosen, "kling")
            body["aspect_ratio"] = nearest_ratio(request.size, ("16:9", "9:16", "1:1"))
            body["image_list"] = [{"image": _b64(r.sendable()[0])} for r in references]
            keyed["refs"] = [r.sha256 for r in references]
        elif self.input == "text":
            path = "/v1/videos/text2video"
            body["aspect_ratio"] = nearest_ratio(request.size, ("16:9", "9:16", "1:1"))
        else:
            path = "/v1/videos/image2video"
            png = png_bytes(request.still.image)
            body["image"] = _b64(png)
            keyed["image"] = digest(png)
        end, ending = self._ending(request)
        if end is not None:
            body["image_tail"] = _b64(end)
        submit, check = self._task(path, body)
        images = ("image", "image_tail", "image_list")
        inputs = {k: v for k, v in body.items() if k not in images} | keyed | ending
        file, remote_id = self._run("clip", request.project_root, ".mp4", inputs, submit, check)
        meta = self._meta(
            prompt,
            remote_id,
            duration=int(duration),
            mode=self.mode,
            endpoint=path.rsplit("/", 1)[1],
            references=[r.record("image_list") for r in references],
            **ending,
        )
        return self._clip(file, request, meta)


class KlingStills(_Kling, StillsBackend):
    """Image generation (`/v1/images/generations`), from a character's reference image if any."""

    default_model: ClassVar[str] = "kling-v2"

    def generate(self, request: StillRequest) -> Still:
        prompt = compile_prompt(
            request.shot, request.scene, request.config, "natural", max_chars=2500, negative=True
        )
        ratio = nearest_ratio(
            request.size, ("16:9", "9:16", "1:1", "4:3", "3:4", "3:2", "2:3", "21:9")
        )
        body: dict[str, Any] = {
            "model_name": self.model,
            "prompt": prompt.prompt,
            "negative_prompt": prompt.negative,
            "n": 1,
            "aspect_ratio": ratio,
        }
        keyed = body | {"seed": request.seed}
        refs = shot_references(request.shot, request.config, request.project_root, 1)
        if refs:  # the first character's first reference (else the look's) guides the picture
            body["image"] = _b64(refs[0].sendable()[0])
            if self.model == "kling-v1-5":
                body["image_reference"] = "subject"
            keyed["image"] = digest(refs[0].data)
        submit, check = self._task("/v1/images/generations", body)
        file, remote_id = self._run("still", request.project_root, ".png", keyed, submit, check)
        meta = self._meta(
            prompt, remote_id, aspect_ratio=ratio, references=[r.record("image") for r in refs]
        )
        return self._still(file, request.size, meta)


def _b64(data: bytes) -> str:
    """Raw base64, no `data:` prefix, as Kling takes images."""
    return base64.b64encode(data).decode("ascii")
