"""Google Veo (`veo:MODEL`) through the official `google-genai` SDK, keyed by an API key.

The SDK runs Veo on Vertex AI (express mode takes an API key, sent as `x-goog-api-key`).
`generate_videos` starts a long-running operation from the shot's still; its name is the remote
id, polled with `operations.get` until done; the video comes back inline, or as a URI fetched
with the key. On Veo 2 and Veo 3.1 (not Veo 3.0), a clip asked to arrive at a still sends it as
the config's `last_frame`. `base_url` points the SDK elsewhere.
"""

from __future__ import annotations

from typing import Any, ClassVar

from storyreel.hosted.common import (
    HostedBackend,
    Poll,
    digest,
    nearest_ratio,
    png_bytes,
    require_key,
    require_module,
)
from storyreel.look import compile_prompt
from storyreel.motion.base import ClipRequest
from storyreel.motion.folder import ConformedClip


class VeoMotion(HostedBackend):
    vendor: ClassVar[str] = "veo"
    name: ClassVar[str] = "veo"
    default_model: ClassVar[str] = "veo-2.0-generate-001"
    env: ClassVar[tuple[tuple[str, ...], ...]] = (("GEMINI_API_KEY", "GOOGLE_API_KEY"),)
    packages: ClassVar[tuple[str, ...]] = ("google.genai",)

    @property
    def lands(self) -> bool:
        return self.model.startswith(("veo-2.0-", "veo-3.1-"))

    def animate(self, request: ClipRequest) -> ConformedClip:
        genai = require_module("google.genai", self.vendor)
        types = require_module("google.genai.types", self.vendor)
        key = require_key(self.vendor, "GEMINI_API_KEY", "GOOGLE_API_KEY")
        options = types.HttpOptions(base_url=self.base_url) if self.base_url else None
        client = genai.Client(vertexai=True, api_key=key, http_options=options)
        prompt = compile_prompt(request.shot, request.scene, request.config, "motion", negative=True)
        png = png_bytes(request.still.image)
        ratio = nearest_ratio(request.size, ("16:9", "9:16"))
        seconds = self._seconds(request, (5, 6, 7, 8))
        end, ending = self._ending(request)
        last = types.Image(image_bytes=end, mime_type="image/png") if end is not None else None

        def submit() -> str:
            op = client.models.generate_videos(
                model=self.model,
                source=types.GenerateVideosSource(
                    prompt=prompt.prompt, image=types.Image(image_bytes=png, mime_type="image/png")),
                config=types.GenerateVideosConfig(number_of_videos=1, duration_seconds=seconds,
                                                  aspect_ratio=ratio, negative_prompt=prompt.negative,
                                                  last_frame=last),
            )
            return op.name

        def check(name: str) -> Poll:
            op: Any = client.operations.get(types.GenerateVideosOperation(name=name))
            if not op.done:
                return Poll("running")
            if op.error:
                return Poll("failed", message=str(op.error.get("message") or op.error))
            videos = (op.response.generated_videos or []) if op.response else []
            video = videos[0].video if videos else None
            if video and video.video_bytes:
                return Poll("done", data=video.video_bytes)
            if video and video.uri and video.uri.startswith("http"):
                return Poll("done", url=video.uri, headers={"x-goog-api-key": key})
            reasons = getattr(op.response, "rai_media_filtered_reasons", None) if op.response else None
            return Poll("failed", message="; ".join(reasons or []) or "no video returned")

        inputs = {"prompt": prompt.prompt, "image": digest(png), "ratio": ratio, "seconds": seconds} | ending
        file, remote_id = self._run("clip", request.project_root, ".mp4", inputs, submit, check)
        meta = self._meta(prompt, remote_id, aspect_ratio=ratio, duration_seconds=seconds, **ending)
        return self._clip(file, request, meta, landed=end is not None)
