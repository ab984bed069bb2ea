"""Luma Dream Machine (`luma:MODEL`) through the official `lumaai` SDK: ray-2 video, photon images.

Video starts from the shot's still as keyframe `frame0`; a clip asked to arrive at a still sends
it as keyframe `frame1`. Luma's API documents image keyframes as URLs; stills are sent inline as
data URIs, so a Luma account that only accepts hosted URLs
reports that as the shot's error. `LUMAAI_BASE_URL` (or `base_url`) points it elsewhere.
"""

from __future__ import annotations

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
from storyreel.stills.base import StillRequest, StillsBackend
from storyreel.store.keys import digest

RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21")


class _Luma(HostedBackend):
    vendor: ClassVar[str] = "luma"
    name: ClassVar[str] = "luma"
    env: ClassVar[tuple[tuple[str, ...], ...]] = (("LUMAAI_API_KEY",),)
    packages: ClassVar[tuple[str, ...]] = ("lumaai",)

    def _client(self) -> Any:
        sdk = require_module("lumaai", self.vendor)
        key = require_key(self.vendor, "LUMAAI_API_KEY")
        return sdk.LumaAI(auth_token=key, base_url=self.base_url, max_retries=0, timeout=60)

    @staticmethod
    def _check(client: Any, asset: str) -> Any:
        def check(generation_id: str) -> Poll:
            g = client.generations.get(generation_id)
            if g.state == "completed":
                url = getattr(g.assets, asset, None) if g.assets else None
                return Poll("done", url=url) if url else Poll("failed", message="no output")
            if g.state == "failed":
                return Poll("failed", message=g.failure_reason or "failed")
            return Poll("running")

        return check


class LumaMotion(_Luma, MotionBackend):
    default_model: ClassVar[str] = "ray-2"
    landing: ClassVar[Landing] = Landing.ALWAYS

    def animate(self, request: ClipRequest) -> ConformedClip:
        prompt = compile_prompt(request.shot, request.scene, request.config, "motion")
        png = png_bytes(request.still.image)
        ratio = nearest_ratio(request.size, RATIOS)
        duration = f"{self._seconds(request, (5, 9))}s"
        end, ending = self._ending(request)
        keyframes = {"frame0": {"type": "image", "url": data_uri(png)}}
        if end is not None:
            keyframes["frame1"] = {"type": "image", "url": data_uri(end)}
        client = self._client()

        def submit() -> str:
            return client.generations.create(
                model=self.model,
                prompt=prompt.prompt,
                aspect_ratio=ratio,
                duration=duration,
                resolution="720p",
                keyframes=keyframes,
            ).id

        inputs = {
            "prompt": prompt.prompt,
            "image": digest(png),
            "ratio": ratio,
            "duration": duration,
        } | ending
        file, remote_id = self._run(
            "clip", request.project_root, ".mp4", inputs, submit, self._check(client, "video")
        )
        meta = self._meta(prompt, remote_id, aspect_ratio=ratio, duration=duration, **ending)
        return self._clip(file, request, meta)


class LumaStills(_Luma, StillsBackend):
    default_model: ClassVar[str] = "photon-1"

    def generate(self, request: StillRequest) -> Still:
        prompt = compile_prompt(request.shot, request.scene, request.config, "natural")
        ratio = nearest_ratio(request.size, RATIOS)
        client = self._client()

        def submit() -> str:
            return client.generations.image.create(
                model=self.model, prompt=prompt.prompt, aspect_ratio=ratio, format="png"
            ).id

        inputs = {"prompt": prompt.prompt, "ratio": ratio, "seed": request.seed}
        file, remote_id = self._run(
            "still", request.project_root, ".png", inputs, submit, self._check(client, "image")
        )
        return self._still(file, request.size, self._meta(prompt, remote_id, aspect_ratio=ratio))
