"""`diffusers:MODEL` stills: SD-Turbo, SDXL-Turbo, FLUX.1-schnell, SANA-Sprint, SD 3.5 (local).

The shot's prompt is compiled in the model's idiom (tags for CLIP-conditioned models, sentences
for T5/Gemma ones) and recorded, with the negative prompt, in the take's provenance. A still is
generated at the model's native area in the picture's aspect, on the model's size grid, then
fitted to the picture. Takes of a shot are batched: asking for take i generates takes
i..n-1 in one call (one generator per seed) and hands the rest out as they are asked for.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from storyreel.diffusion.backend import DiffusersBackend
from storyreel.diffusion.runtime import Loaded, to_uint8
from storyreel.look import NEGATIVE, ShotPrompt, compile_prompt
from storyreel.model import Still
from storyreel.stills.base import StillRequest
from storyreel.stills.folder import fit_cover
from storyreel.stills.takes import take_seed


class DiffusersStills(DiffusersBackend):
    kind: ClassVar[str] = "still"

    def generate(self, request: StillRequest) -> Still:
        loaded = self.loaded()
        with loaded.lock:
            prompt = self._prompt(request, loaded)
            if (prompt, request.seed, request.size) in self._memo:
                return self._memo.pop((prompt, request.seed, request.size))
            batch = int(self.spec.get("batch") or 4)
            later = range(request.take + 1, min(request.config.backends.takes, request.take + batch))
            requests = [request] + [replace(request, take=i, seed=take_seed(request.shot, i)) for i in later]
            stills = self.generate_batch(requests, loaded)
            for r, s in zip(requests[1:], stills[1:], strict=True):
                self._memo[prompt, r.seed, r.size] = s
            return stills[0]

    @staticmethod
    def _prompt(request: StillRequest, loaded: Loaded) -> ShotPrompt:
        fam = loaded.family
        return compile_prompt(request.shot, request.scene, request.config, fam.idiom, max_chars=fam.max_chars)

    def generate_batch(self, requests: list[StillRequest], loaded: Loaded | None = None) -> list[Still]:
        """Stills of one shot for several seeds in one pipeline call."""
        loaded = loaded or self.loaded()
        fam = loaded.family
        first = requests[0]
        prompt = self._prompt(first, loaded)
        negative = (prompt.negative or NEGATIVE) if fam.negative and fam.guidance > 1 else None
        w, h = loaded.picture_size(first.size[0] / first.size[1])
        seeds = [r.seed for r in requests]
        kwargs: dict[str, Any] = dict(fam.extra)
        if negative:
            kwargs["negative_prompt"] = negative
        out = loaded.pipe(prompt=prompt.prompt, num_images_per_prompt=len(seeds), width=w, height=h,
                          num_inference_steps=fam.steps, guidance_scale=fam.guidance,
                          generator=loaded.generators(seeds), output_type="np", **kwargs)
        params = {"model": self.spec.model, "family": fam.name, "pipeline": type(loaded.pipe).__name__,
                  "steps": fam.steps, "guidance": fam.guidance, "generated_size": [w, h],
                  "device": loaded.device}
        return [Still(image=fit_cover(img, r.size),
                      meta={"prompt": prompt.prompt, "negative_prompt": negative, "params": params})
                for img, r in zip(to_uint8(out.images), requests, strict=True)]
