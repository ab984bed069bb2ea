"""`diffusers:MODEL` stills: SD-Turbo, SDXL-Turbo, FLUX.1-schnell, SANA-Sprint, SD 3.5 (local).

The shot's prompt is compiled in the model's idiom (tags for CLIP-conditioned models, sentences
for T5/Gemma ones) and recorded, with the negative prompt, in the take's provenance. A still is
generated at the model's native area in the picture's aspect, on the model's size grid, then
fitted to the picture. Takes of a shot are batched: asking for take i generates takes
i..n-1 in one call (one generator per seed) and hands the rest out as they are asked for.

Characters. With `ip_adapter=` (SD and SDXL pipelines) the first reference image of the shot's
principal subject (`[characters.NAME] refs`; without one, the look's first, `[look] refs`)
conditions the still through the IP-Adapter at
`ip_scale` (default 0.6); a shot without one gets a neutral image at scale 0, so it renders as if
no adapter were loaded. When the principal subject has a `seed`, a take's starting noise comes
from it and the take's number, so take i of every shot of that character starts from the same
noise; a shot that names its own seed (`[[take: seed N]]`) keeps it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np

from storyreel.backends import Option
from storyreel.diffusion.backend import STILLS, DiffusersBackend
from storyreel.diffusion.runtime import Loaded, to_uint8
from storyreel.look import NEGATIVE, ShotPrompt, compile_prompt
from storyreel.model import Still
from storyreel.references import shot_references
from storyreel.stills.base import StillRequest, StillsBackend
from storyreel.stills.folder import fit_cover, read_image
from storyreel.stills.takes import take_seed

IP_SCALE = 0.6


def noise_seed(request: StillRequest) -> int:
    """The seed of a take's starting noise: from the principal subject's `seed` if it has one."""
    shot = request.shot
    character = request.config.characters.get(shot.subjects[0].upper()) if shot.subjects else None
    if shot.seed is not None or character is None or character.seed is None:
        return request.seed
    if request.take == 0:
        return character.seed
    derived = hashlib.blake2b(f"{character.seed}/{request.take}".encode(), digest_size=4).digest()
    return int.from_bytes(derived, "big") & 0x7FFFFFFF


def _reference(request: StillRequest) -> tuple[np.ndarray, dict[str, str]] | None:
    """The principal subject's first reference image (else the look's), and what provenance
    records of it."""
    shot = request.shot
    principal = shot.model_copy(update={"subjects": shot.subjects[:1]})
    refs = shot_references(principal, request.config, request.project_root, 1)
    if not refs:
        return None
    return read_image(refs[0].path)[0], {"file": refs[0].name, "sha256": refs[0].sha256}


class DiffusersStills(DiffusersBackend, StillsBackend):
    kind: ClassVar[str] = "still"
    options: ClassVar[Mapping[str, Option]] = STILLS

    def generate(self, request: StillRequest) -> Still:
        loaded = self.loaded(request.project_root)
        with loaded.lock:
            prompt = self._prompt(request, loaded)
            if (prompt, request.seed, request.size) in self._memo:
                return self._memo.pop((prompt, request.seed, request.size))
            batch = int(self.spec.get("batch") or 4)
            later = range(
                request.take + 1, min(request.config.backends.takes, request.take + batch)
            )
            requests = [request] + [
                replace(request, take=i, seed=take_seed(request.shot, i)) for i in later
            ]
            stills = self.generate_batch(requests, loaded)
            for r, s in zip(requests[1:], stills[1:], strict=True):
                self._memo[prompt, r.seed, r.size] = s
            return stills[0]

    @staticmethod
    def _prompt(request: StillRequest, loaded: Loaded) -> ShotPrompt:
        fam = loaded.family
        return compile_prompt(
            request.shot, request.scene, request.config, fam.idiom, max_chars=fam.max_chars
        )

    def generate_batch(
        self, requests: list[StillRequest], loaded: Loaded | None = None
    ) -> list[Still]:
        """Stills of one shot for several seeds in one pipeline call."""
        loaded = loaded or self.loaded(requests[0].project_root)
        fam = loaded.family
        first = requests[0]
        prompt = self._prompt(first, loaded)
        negative = (prompt.negative or NEGATIVE) if fam.negative and fam.guidance > 1 else None
        w, h = loaded.picture_size(first.size[0] / first.size[1])
        seeds = [noise_seed(r) for r in requests]
        kwargs: dict[str, Any] = dict(fam.extra)
        if negative:
            kwargs["negative_prompt"] = negative
        params = {
            "model": self.spec.model,
            "family": fam.name,
            "pipeline": type(loaded.pipe).__name__,
            "steps": fam.steps,
            "guidance": fam.guidance,
            "generated_size": [w, h],
            "device": loaded.device,
        }
        adapter = self.spec.get("ip_adapter")
        if adapter:
            ref = _reference(first)
            scale = float(self.spec.get("ip_scale") or IP_SCALE) if ref else 0.0
            loaded.pipe.set_ip_adapter_scale(scale)
            kwargs["ip_adapter_image"] = ref[0] if ref else np.full((64, 64, 3), 128, np.uint8)
            params.update(ip_adapter=adapter, ip_scale=scale, reference=ref[1] if ref else None)
        out = loaded.pipe(
            prompt=prompt.prompt,
            num_images_per_prompt=len(seeds),
            width=w,
            height=h,
            num_inference_steps=fam.steps,
            guidance_scale=fam.guidance,
            generator=loaded.generators(seeds),
            output_type="np",
            **kwargs,
        )
        return [
            Still(
                image=fit_cover(img, r.size),
                meta={
                    "prompt": prompt.prompt,
                    "negative_prompt": negative,
                    "params": {**params, "noise_seed": seed},
                },
            )
            for img, r, seed in zip(to_uint8(out.images), requests, seeds, strict=True)
        ]
