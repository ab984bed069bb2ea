"""Replicate (`replicate:OWNER/NAME[:VERSION]`) through the official `replicate` SDK.

A prediction is created once, then polled with `predictions.get` until `succeeded`, `failed` or
`canceled`. Inputs follow the defaults' schemas (FLUX schnell for stills, Wan 2.2 image-to-video
for motion): `prompt`, `aspect_ratio`, `seed`, and `image` for motion, with `last_image` when a clip
is asked to arrive at a still (Wan 2.2 takes a last frame). `base_url` points it elsewhere.
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

RATIOS = ("1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21")


class _Replicate(HostedBackend):
    vendor: ClassVar[str] = "replicate"
    name: ClassVar[str] = "replicate"
    env: ClassVar[tuple[tuple[str, ...], ...]] = (("REPLICATE_API_TOKEN",),)
    packages: ClassVar[tuple[str, ...]] = ("replicate",)

    def _predict(
        self, root: Any, kind: str, suffix: str, inputs: dict[str, Any], keyed: dict[str, Any]
    ) -> tuple[Any, str]:
        sdk = require_module("replicate", self.vendor)
        client = sdk.Client(
            api_token=require_key(self.vendor, "REPLICATE_API_TOKEN"), base_url=self.base_url
        )

        def submit() -> str:
            model, _, version = self.model.partition(":")
            if version:
                return client.predictions.create(version=version, input=inputs).id
            return client.predictions.create(model=model, input=inputs).id

        def check(prediction_id: str) -> Poll:
            p = client.predictions.get(prediction_id)
            if p.status == "succeeded":
                out = p.output[0] if isinstance(p.output, list) else p.output
                return Poll("done", url=str(out)) if out else Poll("failed", message="no output")
            if p.status in ("failed", "canceled"):
                return Poll("failed", message=str(p.error or p.status))
            return Poll("running")

        return self._run(kind, root, suffix, keyed, submit, check)


class ReplicateStills(_Replicate, StillsBackend):
    default_model: ClassVar[str] = "black-forest-labs/flux-schnell"

    def generate(self, request: StillRequest) -> Still:
        prompt = compile_prompt(request.shot, request.scene, request.config, "natural")
        inputs = {
            "prompt": prompt.prompt,
            "aspect_ratio": nearest_ratio(request.size, RATIOS),
            "seed": request.seed % 2**31,
            "output_format": "png",
            "num_outputs": 1,
        }
        file, remote_id = self._predict(request.project_root, "still", ".png", inputs, inputs)
        params = {k: v for k, v in inputs.items() if k != "prompt"}
        return self._still(file, request.size, self._meta(prompt, remote_id, **params))


class ReplicateMotion(_Replicate, MotionBackend):
    default_model: ClassVar[str] = "wan-video/wan-2.2-i2v-fast"
    landing: ClassVar[Landing] = Landing.SOME_MODELS

    @property
    def lands(self) -> bool:
        return self.model.partition(":")[0] == self.default_model

    def animate(self, request: ClipRequest) -> ConformedClip:
        prompt = compile_prompt(request.shot, request.scene, request.config, "motion")
        png = png_bytes(request.still.image)
        params = {"seed": request.seed % 2**31}  # the still sets the frame
        inputs = params | {"prompt": prompt.prompt}
        end, ending = self._ending(request)
        sent = inputs | {"image": data_uri(png)}
        if end is not None:
            sent["last_image"] = data_uri(end)
        file, remote_id = self._predict(
            request.project_root, "clip", ".mp4", sent, inputs | {"image": digest(png)} | ending
        )
        return self._clip(file, request, self._meta(prompt, remote_id, **params, **ending))
