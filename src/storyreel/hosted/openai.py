"""OpenAI Images (`openai:MODEL`, default gpt-image-1) through the official `openai` SDK.

Image generation answers in one call with the picture inline (base64), so there is no task to
resume: the ledger keeps the finished download, and the same cache key never pays twice. When
the shot's characters have reference images (`[characters.NAME] refs`), the still is made with
`images.edit` from those references, which keeps faces and costumes from shot to shot.
`OPENAI_BASE_URL` (or `base_url`) points it elsewhere.
"""

from __future__ import annotations

import base64
from typing import ClassVar

from storyreel.hosted.common import (
    HostedBackend,
    Poll,
    nearest_ratio,
    require_key,
    require_module,
)
from storyreel.look import character_refs, compile_prompt
from storyreel.model import Still
from storyreel.stills.base import StillRequest, StillsBackend
from storyreel.store.keys import digest

SIZES = ("1024x1024", "1536x1024", "1024x1536")


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

        refs = character_refs(request.shot, request.config.characters, request.project_root)

        def submit() -> Poll:
            if refs:
                images = [(p.name, p.read_bytes()) for p in refs]
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
            "refs": [digest(p.read_bytes()) for p in refs],
        }
        file, remote_id = self._run("still", request.project_root, ".png", inputs, submit, None)
        meta = self._meta(prompt, remote_id, size=size, refs=[p.name for p in refs])
        return self._still(file, request.size, meta)
