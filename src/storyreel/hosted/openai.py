"""OpenAI Images (`openai:MODEL`, default gpt-image-1) through the official `openai` SDK.

Image generation answers in one call with the picture inline (base64), so there is no task to
resume: the ledger keeps the finished download, and the same cache key never pays twice. When
the shot has reference images (its characters' `refs`, then the look's), the still is made with
`images.edit` from up to 16 of them (the API reference's limit for GPT image models), as
`image[]` parts in that order, which keeps faces and costumes from shot to shot.
`OPENAI_BASE_URL` (or `base_url`) points it elsewhere.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import ClassVar

from storyreel.hosted.common import (
    HostedBackend,
    Poll,
    nearest_ratio,
    require_key,
    require_module,
)
from storyreel.look import compile_prompt
from storyreel.model import Still
from storyreel.references import shot_references
from storyreel.stills.base import StillRequest, StillsBackend

SIZES = ("1024x1024", "1536x1024", "1024x1536")
MAX_REFS = 16


class OpenAIStills(HostedBackend, StillsBackend):
    vendor: ClassVar[str] = "openai"
    name: ClassVar[str] = "openai"
    default_model: ClassVar[str] = "gpt-image-1"
    env: ClassVar[tuple[tuple[str, ...], ...]] = (("OPENAI_API_KEY",),)
    packages: ClassVar[tuple[str, ...]] = ("openai",)

    def generate(self, request: StillRequest) -> Still:
        sdk = require_module("openai", self.vendor)
        client = sdk.OpenAI(
            api_key=require_key(self.vendor, "OPENAI_API_KEY"),
            base_url=self.base_url,
            max_retries=0,
            timeout=300,
        )
        prompt = compile_prompt(
            request.shot, request.scene, request.config, "natural", max_chars=32000
        )
        size = nearest_ratio(request.size, SIZES, sep="x")

        refs = shot_references(request.shot, request.config, request.project_root, MAX_REFS)

        def submit() -> Poll:
            if refs:
                images = [
                    (Path(r.name).name, *r.sendable()) for r in refs
                ]  # (file name, bytes, media type)
                reply = client.images.edit(
                    model=self.model, image=images, prompt=prompt.prompt, size=size, n=1
                )
            else:
                reply = client.images.generate(
                    model=self.model, prompt=prompt.prompt, size=size, n=1
                )
            image = reply.data[0]
            return Poll(
                "done", data=base64.b64decode(image.b64_json), remote_id=f"created-{reply.created}"
            )

        inputs = {
            "prompt": prompt.prompt,
            "size": size,
            "seed": request.seed,
            "refs": [r.sha256 for r in refs],
        }
        file, remote_id = self._run("still", request.project_root, ".png", inputs, submit, None)
        meta = self._meta(
            prompt, remote_id, size=size, references=[r.record("image[]") for r in refs]
        )
        return self._still(file, request.size, meta)
