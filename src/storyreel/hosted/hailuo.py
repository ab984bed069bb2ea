"""MiniMax Hailuo (`hailuo:MODEL`, default MiniMax-Hailuo-2.3) image-to-video over MiniMax's REST API.

MiniMax ships no Python SDK for video, so this speaks the documented API with httpx
(https://platform.minimax.io/docs/guides/video-generation, the API reference's "Video
Generation", "Query Video Generation Task Status" and "Retrieve file" pages, and
https://platform.minimax.io/docs/api-reference/errorcode): `POST /v1/video_generation` with a
Bearer `MINIMAX_API_KEY` creates a task from the prompt and the still (`first_frame_image`, a
data URL); `GET /v1/query/video_generation?task_id=` is polled until `Success` (with a `file_id`)
or `Fail` (`Preparing`, `Queueing` and `Processing` are running); `GET /v1/files/retrieve?file_id=`
gives the download URL.

MiniMax answers errors with HTTP 200 and a non-zero `base_resp.status_code`: 1002 (rate limit)
and 1000/1001/1024 (unknown, timeout, internal) are retried like a 429 or a 5xx; 1004 (not
authorized), 1008 (insufficient balance), 1026/1027 (sensitive content) and the rest are
refusals that fail the shot with MiniMax's message.

Last frame: MiniMax-Hailuo-02 takes `last_frame_image` (first-and-last-frame video). References:
S2V-01 makes the video from the shot's principal character (`subject_reference`, one image of
`type: character`) and the prompt, not from the still. `MINIMAX_BASE_URL` (or `base_url`)
points it elsewhere (`https://api.minimaxi.com` in mainland China).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar

from storyreel.backends import Landing, Option, choice
from storyreel.errors import StoryreelError
from storyreel.files import png_bytes
from storyreel.hosted.common import HostedBackend, Poll, data_uri, require_key, require_module
from storyreel.look import compile_prompt
from storyreel.motion.base import ClipRequest, MotionBackend
from storyreel.motion.folder import ConformedClip
from storyreel.references import shot_references
from storyreel.store.keys import digest

BASE_URL = "https://api.minimax.io"
RUNNING = ("Preparing", "Queueing", "Processing")
RETRIED = {1000: 500, 1001: 504, 1002: 429, 1024: 500}  # MiniMax's code → the HTTP status it means
REFUSED = {1004: 401, 1008: 402}
LAST_FRAME = frozenset({"MiniMax-Hailuo-02"})
SUBJECT = "S2V-01"  # the subject-reference model: a character's face instead of the still
# The durations each model offers at 768P (1080P is 6 s only); the 01 models are 6 s.
DURATIONS = {
    "MiniMax-Hailuo-2.3": (6, 10),
    "MiniMax-Hailuo-2.3-Fast": (6, 10),
    "MiniMax-Hailuo-02": (6, 10),
}


class MiniMaxError(Exception):
    """A MiniMax `base_resp` error, carrying the HTTP status it stands for (for the retries)."""

    def __init__(self, message: str, status_code: int):
        super().__init__(message)
        self.status_code = status_code


class HailuoMotion(HostedBackend, MotionBackend):
    vendor: ClassVar[str] = "hailuo"
    name: ClassVar[str] = "hailuo"
    default_model: ClassVar[str] = "MiniMax-Hailuo-2.3"
    models: ClassVar[tuple[str, ...]] = (
        "MiniMax-Hailuo-2.3",
        "MiniMax-Hailuo-2.3-Fast",
        "MiniMax-Hailuo-02",
        "I2V-01",
        "I2V-01-live",
        "I2V-01-Director",
        SUBJECT,
    )
    env: ClassVar[tuple[tuple[str, ...], ...]] = (("MINIMAX_API_KEY",),)
    packages: ClassVar[tuple[str, ...]] = ("httpx",)
    landing: ClassVar[Landing] = Landing.SOME_MODELS
    options: ClassVar[Mapping[str, Option]] = {
        "resolution": choice("the video's resolution (1080P: 6 s only)", "768P", "1080P", "512P"),
    }

    @property
    def lands(self) -> bool:
        return self.model in LAST_FRAME

    def _api(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        """MiniMax's reply; a non-zero `base_resp.status_code` raises, unless the reply reports a
        task's status (a failed task's reason is its `status_msg`)."""
        httpx = require_module("httpx", self.vendor)
        base = (self.base_url or os.environ.get("MINIMAX_BASE_URL") or BASE_URL).rstrip("/")
        key = require_key(self.vendor, "MINIMAX_API_KEY")
        r = httpx.request(
            method, base + path, timeout=60, headers={"Authorization": f"Bearer {key}"}, **kw
        )
        r.raise_for_status()
        reply = r.json()
        base_resp = reply.get("base_resp") or {}
        code = base_resp.get("status_code", 0)
        if code and "status" not in reply:
            message = f"{base_resp.get('status_msg') or 'error'} (code {code})"
            raise MiniMaxError(message, RETRIED.get(code) or REFUSED.get(code) or 400)
        return reply

    def animate(self, request: ClipRequest) -> ConformedClip:
        prompt = compile_prompt(
            request.shot, request.scene, request.config, "motion", max_chars=2000
        )
        resolution = self.settings.get("resolution", "768P")
        durations = DURATIONS.get(self.model, (6,)) if resolution != "1080P" else (6,)
        duration = self._seconds(request, durations)
        body: dict[str, Any] = {"model": self.model, "prompt": prompt.prompt, "duration": duration}
        if self.model in DURATIONS:
            body["resolution"] = resolution
        sent: dict[str, Any]
        references = []
        if self.model == SUBJECT:
            principal = request.shot.model_copy(update={"subjects": request.shot.subjects[:1]})
            references = shot_references(principal, request.config, request.project_root, 1)
            if not references or references[0].owner == "look":
                raise StoryreelError(
                    f"hailuo: {SUBJECT} makes the video from a character's face; give the shot's "
                    f"first character (of {', '.join(request.shot.subjects) or 'none'}) a "
                    "reference image in [characters.NAME] refs"
                )
            image, mime = references[0].sendable()
            body["subject_reference"] = [{"type": "character", "image": [data_uri(image, mime)]}]
            sent = {"refs": [references[0].sha256]}
        else:
            png = png_bytes(request.still.image)
            body["first_frame_image"] = data_uri(png)
            sent = {"image": digest(png)}
        end, ending = self._ending(request)
        if end is not None:
            body["last_frame_image"] = data_uri(end)

        def submit() -> str:
            return str(self._api("POST", "/v1/video_generation", json=body)["task_id"])

        def check(task_id: str) -> Poll:
            task = self._api("GET", "/v1/query/video_generation", params={"task_id": task_id})
            status = task.get("status")
            if status in RUNNING:
                return Poll("running")
            if status != "Success":  # a failed task's reason, where MiniMax gives one
                base_resp = task.get("base_resp") or {}
                reason = base_resp.get("status_msg") if base_resp.get("status_code") else None
                return Poll("failed", message=reason or f"task {status}")
            found = self._api("GET", "/v1/files/retrieve", params={"file_id": task["file_id"]})
            return Poll("done", url=found["file"]["download_url"])

        unkeyed = ("model", "first_frame_image", "last_frame_image", "subject_reference")
        keyed = {k: v for k, v in body.items() if k not in unkeyed} | sent | ending
        file, remote_id = self._run("clip", request.project_root, ".mp4", keyed, submit, check)
        meta = self._meta(
            prompt,
            remote_id,
            duration=duration,
            resolution=body.get("resolution"),
            references=[r.record("subject_reference") for r in references],
            **ending,
        )
        return self._clip(file, request, meta)
