"""Runway (`runway:MODEL`, default gen4_turbo) image-to-video through the official `runwayml` SDK.

The still goes up inline as a data URI as the first frame; on a model that takes a last frame
(`veo3.1`, the Kling and Seedance models, not gen4_turbo), a clip asked to arrive at a still sends
it with `position: "last"`. The task is polled with `tasks.retrieve` until SUCCEEDED or FAILED. `RUNWAYML_BASE_URL` (or `base_url`) points it elsewhere.
"""

from __future__ import annotations

from typing import Any, ClassVar

from storyreel.hosted.common import (
    HostedBackend,
    Poll,
    data_uri,
    digest,
    nearest_ratio,
    png_bytes,
    require_key,
    require_module,
)
from storyreel.look import compile_prompt
from storyreel.motion.base import ClipRequest
from storyreel.motion.folder import ConformedClip

RATIOS = ("1280:720", "720:1280", "1104:832", "832:1104", "960:960", "1584:672")
# the image-to-video models whose prompt images take `position: "last"`
LAST_FRAME = frozenset({
    "veo3.1", "veo3.1_fast", "kling2.5_turbo_pro", "kling3.0_standard", "kling3.0_pro", "kling3.0_4k",
    "klingO3_standard", "klingO3_pro", "klingO3_4k", "seedance2", "seedance2_fast", "seedance2_mini",
    "seedance2_5", "gemini_omni_flash_1.1", "h3_max",
})


class RunwayMotion(HostedBackend):
    vendor: ClassVar[str] = "runway"
    name: ClassVar[str] = "runway"
    default_model: ClassVar[str] = "gen4_turbo"
    env: ClassVar[tuple[tuple[str, ...], ...]] = (("RUNWAYML_API_SECRET",),)
    packages: ClassVar[tuple[str, ...]] = ("runwayml",)

    @property
    def lands(self) -> bool:
        return self.model in LAST_FRAME

    def _client(self) -> Any:
        sdk = require_module("runwayml", self.vendor)
        key = require_key(self.vendor, "RUNWAYML_API_SECRET")
        return sdk.RunwayML(api_key=key, base_url=self.base_url, max_retries=0, timeout=60)

    def animate(self, request: ClipRequest) -> ConformedClip:
        prompt = compile_prompt(request.shot, request.scene, request.config, "motion", max_chars=1000)
        png = png_bytes(request.still.image)
        ratio = nearest_ratio(request.size, RATIOS)
        duration = self._seconds(request, (5, 10))
        seed = request.seed % 4294967296
        end, ending = self._ending(request)
        images = [{"uri": data_uri(png), "position": "first"}]
        if end is not None:
            images.append({"uri": data_uri(end), "position": "last"})
        client = self._client()

        def submit() -> str:
            task = client.image_to_video.create(
                model=self.model, prompt_image=images, prompt_text=prompt.prompt, ratio=ratio,
                duration=duration, seed=seed,
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

        inputs = {"prompt": prompt.prompt, "image": digest(png), "ratio": ratio, "duration": duration,
                  "seed": seed} | ending
        file, remote_id = self._run("clip", request.project_root, ".mp4", inputs, submit, check)
        meta = self._meta(prompt, remote_id, ratio=ratio, duration=duration, **ending)
        return self._clip(file, request, meta, landed=end is not None)
