"""OpenAI Sora 2 (`sora:MODEL`, `sora-2` or `sora-2-pro`) through the official `openai` SDK.

The Videos API (https://developers.openai.com/api/docs/guides/video-generation, and the API
reference's Videos section): `videos.create` starts a job from the prompt with the shot's still as
`input_reference` (uploaded as a file; it becomes the video's first frame and must have the
video's resolution, so the still is cropped to the chosen `size`), `videos.retrieve` is polled
until `completed` or `failed` (`queued` and `in_progress` are running), and
`videos.download_content` fetches the MP4. A refusal (content policy, a bad key, a quota) comes
back as the SDK's HTTP error, and a job that fails carries its `error.message`.

Sora takes one image only, the first frame: it has no last frame, and a character's reference
images cannot go with it (OpenAI's Sora characters are made from a video, not stills). The
durations and sizes are read from the installed SDK's `VideoSeconds` and `VideoSize` types; the
sizes for `sora-2` are its documented 720p ones, `sora-2-pro` adds the larger ones.
`OPENAI_BASE_URL` (or `base_url`) points it elsewhere.
"""

from __future__ import annotations

import typing
from typing import Any, ClassVar

from storyreel.backends import Landing
from storyreel.hosted.common import (
    HostedBackend,
    Poll,
    fitted_png,
    nearest_ratio,
    require_key,
    require_module,
)
from storyreel.look import compile_prompt
from storyreel.motion.base import ClipRequest, MotionBackend
from storyreel.motion.folder import ConformedClip
from storyreel.store.keys import digest

SMALL = ("1280x720", "720x1280")  # what sora-2 renders; sora-2-pro takes every size the SDK lists
RUNNING = ("queued", "in_progress")


def _literals(name: str) -> tuple[str, ...]:
    """The values of one of the SDK's `Literal` types (`openai.types.VideoSeconds`)."""
    return typing.get_args(getattr(require_module("openai.types", "sora"), name))


class SoraMotion(HostedBackend, MotionBackend):
    vendor: ClassVar[str] = "sora"
    name: ClassVar[str] = "sora"
    default_model: ClassVar[str] = "sora-2"
    models: ClassVar[tuple[str, ...]] = (
        "sora-2",
        "sora-2-pro",
        "sora-2-2025-10-06",
        "sora-2-2025-12-08",
        "sora-2-pro-2025-10-06",
    )
    env: ClassVar[tuple[tuple[str, ...], ...]] = (("OPENAI_API_KEY",),)
    packages: ClassVar[tuple[str, ...]] = ("openai",)
    landing: ClassVar[Landing] = Landing.NEVER

    def sizes(self) -> tuple[str, ...]:
        offered = _literals("VideoSize")
        return offered if self.model.startswith("sora-2-pro") else SMALL

    def animate(self, request: ClipRequest) -> ConformedClip:
        sdk = require_module("openai", self.vendor)
        client = sdk.OpenAI(
            api_key=require_key(self.vendor, "OPENAI_API_KEY"),
            base_url=self.base_url,
            max_retries=0,
            timeout=300,
        )
        prompt = compile_prompt(request.shot, request.scene, request.config, "motion")
        size = nearest_ratio(request.size, self.sizes(), sep="x")
        seconds = self._seconds(request, tuple(int(s) for s in _literals("VideoSeconds")))
        width, height = (int(x) for x in size.split("x"))
        png = fitted_png(request.still.image, (width, height))

        def submit() -> str:
            video = client.videos.create(
                model=self.model,
                prompt=prompt.prompt,
                seconds=str(seconds),
                size=size,
                input_reference=("still.png", png, "image/png"),
            )
            return video.id

        def check(video_id: str) -> Poll:
            video: Any = client.videos.retrieve(video_id)
            if video.status in RUNNING:
                return Poll("running")
            if video.status != "completed":
                error = video.error
                return Poll("failed", message=error.message if error else f"job {video.status}")
            content = client.videos.download_content(video_id, variant="video")
            return Poll("done", data=content.read())

        inputs = {"prompt": prompt.prompt, "image": digest(png), "size": size, "seconds": seconds}
        file, remote_id = self._run("clip", request.project_root, ".mp4", inputs, submit, check)
        meta = self._meta(prompt, remote_id, size=size, seconds=seconds)
        return self._clip(file, request, meta)
