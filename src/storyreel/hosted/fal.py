"""fal (`fal:APP_ID`) through the official `fal-client` SDK and fal's queue.

A request is submitted to the queue once; its status is polled until COMPLETED, then the result
is fetched (a failed request answers the result fetch with an error, which fails the shot).
fal reads its hosts from `FAL_RUN_HOST` / `FAL_QUEUE_RUN_HOST`. On the Kling endpoints that take a
tail image (the pro tiers, not the default v2.1 standard), a clip asked to arrive at a still sends
it as `tail_image_url`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from storyreel.backends import Landing
from storyreel.errors import StoryreelError
from storyreel.files import png_bytes
from storyreel.hosted.common import (
    HostedBackend,
    Poll,
    data_uri,
    require_key,
    require_module,
)
from storyreel.look import compile_prompt
from storyreel.model import Still
from storyreel.motion.base import ClipRequest, MotionBackend
from storyreel.motion.folder import ConformedClip
from storyreel.stills.base import StillRequest, StillsBackend
from storyreel.store.keys import digest

# the image-to-video apps whose input takes `tail_image_url`
TAIL_IMAGE = frozenset(
    {
        "fal-ai/kling-video/v1.6/pro/image-to-video",
        "fal-ai/kling-video/v2.1/pro/image-to-video",
        "fal-ai/kling-video/v2.5-turbo/pro/image-to-video",
    }
)


def _output_url(result: dict[str, Any]) -> str | None:
    for key in ("video", "image"):
        if isinstance(result.get(key), dict):
            return result[key].get("url")
    images = result.get("images") or []
    return images[0].get("url") if images else None


class _Fal(HostedBackend):
    vendor: ClassVar[str] = "fal"
    name: ClassVar[str] = "fal"
    env: ClassVar[tuple[tuple[str, ...], ...]] = (("FAL_KEY",),)
    packages: ClassVar[tuple[str, ...]] = ("fal_client",)

    def _queue(
        self, root: Any, kind: str, suffix: str, arguments: dict[str, Any], keyed: dict[str, Any]
    ) -> tuple[Any, str]:
        sdk = require_module("fal_client", self.vendor)
        client = sdk.SyncClient(key=require_key(self.vendor, "FAL_KEY"), default_timeout=60)

        def submit() -> str:
            return client.submit(self.model, arguments).request_id

        def check(request_id: str) -> Poll:
            status = client.status(self.model, request_id)
            if not isinstance(status, sdk.Completed):
                return Poll("running")
            if status.error:
                return Poll("failed", message=status.error)
            try:
                result = client.result(self.model, request_id)
            except StoryreelError:
                raise
            except Exception as e:  # the queue reports a failed request on its result
                code = getattr(e, "status_code", None)
                if code is not None and 400 <= code < 500 and code != 429:
                    return Poll("failed", message=str(e))
                raise
            url = _output_url(result)
            return Poll("done", url=url) if url else Poll("failed", message="no output")

        return self._run(kind, root, suffix, keyed, submit, check)


class FalStills(_Fal, StillsBackend):
    default_model: ClassVar[str] = "fal-ai/flux/schnell"

    def generate(self, request: StillRequest) -> Still:
        prompt = compile_prompt(request.shot, request.scene, request.config, "natural")
        w, h = request.size
        args = {
            "prompt": prompt.prompt,
            "image_size": {"width": w, "height": h},
            "seed": request.seed % 2**31,
            "num_images": 1,
            "output_format": "png",
        }
        file, remote_id = self._queue(request.project_root, "still", ".png", args, args)
        return self._still(file, request.size, self._meta(prompt, remote_id, image_size=[w, h]))


class FalMotion(_Fal, MotionBackend):
    default_model: ClassVar[str] = "fal-ai/kling-video/v2.1/standard/image-to-video"
    landing: ClassVar[Landing] = Landing.SOME_MODELS

    @property
    def lands(self) -> bool:
        return self.model in TAIL_IMAGE

    def animate(self, request: ClipRequest) -> ConformedClip:
        prompt = compile_prompt(
            request.shot, request.scene, request.config, "motion", max_chars=2500
        )
        png = png_bytes(request.still.image)
        args = {"prompt": prompt.prompt, "duration": str(self._seconds(request, (5, 10)))}
        end, ending = self._ending(request)
        sent = args | {"image_url": data_uri(png)}
        if end is not None:
            sent["tail_image_url"] = data_uri(end)
        file, remote_id = self._queue(
            request.project_root, "clip", ".mp4", sent, args | {"image": digest(png)} | ending
        )
        meta = self._meta(prompt, remote_id, duration=args["duration"], **ending)
        return self._clip(file, request, meta)
