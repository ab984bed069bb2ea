"""Kling (`kling:MODEL`): image-to-video, text-to-video and image generation.

Kling ships no Python SDK, so this speaks its REST API with httpx: every request carries a
short-lived JWT (HS256, `iss` = access key, `exp`/`nbf` around now) signed with the secret key,
tasks are created with POST and polled with GET until `succeed` or `failed`.
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
from storyreel.look import character_refs, compile_prompt
from storyreel.model import Still
from storyreel.motion.base import ClipRequest, MotionBackend
from storyreel.motion.folder import ConformedClip
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
    """Image-to-video from the shot's still; `?input=text` for text-to-video, `?mode=pro` for pro.

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
            "image: from the shot's still; text: from the prompt alone", "image", "text"
        ),
    }

    def __init__(self, model: str | None = None, **kw: Any):
        super().__init__(model, **kw)
        self.mode = self.settings.get("mode", "std")
        self.text_only = self.settings.get("input") == "text"

    @property
    def lands(self) -> bool:
        return not self.text_only and (self.model, self.mode) in TAIL

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
        if self.text_only:
            path = "/v1/videos/text2video"
            body["aspect_ratio"] = nearest_ratio(request.size, ("16:9", "9:16", "1:1"))
            image_digest = None
        else:
            path = "/v1/videos/image2video"
            png = png_bytes(request.still.image)
            body["image"] = base64.b64encode(png).decode("ascii")  # raw base64, no data: prefix
            image_digest = digest(png)
        end, ending = self._ending(request)
        if end is not None:
            body["image_tail"] = base64.b64encode(end).decode("ascii")
        submit, check = self._task(path, body)
        inputs = {k: v for k, v in body.items() if k not in ("image", "image_tail")}
        inputs |= {"image": image_digest} | ending
        file, remote_id = self._run("clip", request.project_root, ".mp4", inputs, submit, check)
        meta = self._meta(
            prompt,
            remote_id,
            duration=int(duration),
            mode=self.mode,
            endpoint=path.rsplit("/", 1)[1],
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
        refs = character_refs(request.shot, request.config.characters, request.project_root)
        if refs:  # the first character's first reference guides the picture
            ref = refs[0].read_bytes()
            body["image"] = base64.b64encode(ref).decode("ascii")
            if self.model == "kling-v1-5":
                body["image_reference"] = "subject"
            keyed["image"] = digest(ref)
        submit, check = self._task("/v1/images/generations", body)
        file, remote_id = self._run("still", request.project_root, ".png", keyed, submit, check)
        meta = self._meta(prompt, remote_id, aspect_ratio=ratio, refs=[p.name for p in refs[:1]])
        return self._still(file, request.size, meta)
