"""Luma Dream Machine (`luma:MODEL`) through the official `lumaai` SDK: ray-2 video, photon images.

Video starts from the shot's still as keyframe `frame0`; a clip asked to arrive at a still sends
it as keyframe `frame1`. Luma's API documents image keyframes as URLs; stills are sent inline as
data URIs, so a Luma account that only accepts hosted URLs
reports that as the shot's error. `LUMAAI_BASE_URL` (or `base_url`) points it elsewhere.

Photon images keep a cast consistent through Luma's image references
(https://docs.lumalabs.ai/docs/python-image-generation, "Character Reference" and "Style
Reference"): the shot's first character's images (up to 4, one identity) go as
`character_ref.identity0.images`, and the look's first image as a `style_ref`.
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
from storyreel.references import shot_references
from storyreel.stills.base import StillRequest, StillsBackend
from storyreel.store.keys import digest

RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21")
MAX_IDENTITY = 4  # images of one character reference
STYLE_WEIGHT = 0.8  # the weight Luma's guide gives a style reference


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
        principal = request.shot.model_copy(update={"subjects": request.shot.subjects[:1]})
        chosen = shot_references(principal, request.config, request.project_root)
        identity = [r for r in chosen if r.owner != "look"][:MAX_IDENTITY]
        style = [r for r in chosen if r.owner == "look"][:1]
        options: dict[str, Any] = {}
        if identity:
            images = [data_uri(*r.sendable()) for r in identity]
            options["character_ref"] = {"identity0": {"images": images}}
        if style:
            options["style_ref"] = [{"url": data_uri(*style[0].sendable()), "weight": STYLE_WEIGHT}]

        def submit() -> str:
            return client.generations.image.create(
                model=self.model, prompt=prompt.prompt, aspect_ratio=ratio, format="png", **options
            ).id

        inputs = {"prompt": prompt.prompt, "ratio": ratio, "seed": request.seed}
        if identity or style:  # a project without references keeps the keys it had
            inputs["refs"] = [r.sha256 for r in (*identity, *style)]
        file, remote_id = self._run(
            "still", request.project_root, ".png", inputs, submit, self._check(client, "image")
        )
        records = [r.record("character_ref.identity0") for r in identity]
        records += [r.record("style_ref") for r in style]
        meta = self._meta(prompt, remote_id, aspect_ratio=ratio, references=records)
        return self._still(file, request.size, meta)
