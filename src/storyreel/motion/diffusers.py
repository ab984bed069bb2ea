"""`diffusers:MODEL` clips: LTX-Video, Wan 2.1/2.2, Stable Video Diffusion, CogVideoX (local).

The shot's still is the first frame. The clip is generated at the model's native frame rate,
with the frame count its VAE allows (8k+1 for LTX, 4k+1 for Wan and CogVideoX, fixed for SVD
and CogVideoX 1.0) and capped at what the model handles in one call, at the native area in the
picture's aspect. The generated frames are written once, losslessly (FFV1), under
`.storyreel/diffusion/` and conformed to the shot by `motion.folder.conform_video`: the picture
size, the shot's rate and exactly its frame count (trim, or retime by frame blending).

A clip asked to arrive at a picture (`ClipRequest.end_still`, the next shot's still across a
match cut) is generated to cover frames 0..landing and conditioned on that picture as its last
frame, where the model takes one: Wan 2.2's `last_image`, LTX's keyframe conditions
(`LTXConditionPipeline` over the already loaded weights). The conform lands the last generated
frame on the landing frame and holds it. Wan 2.1 I2V (its image tokens are one picture's), SVD
and CogVideoX take no last frame: their clips ignore it and say so in the provenance.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import tempfile
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

import av
import numpy as np
from PIL import Image

from storyreel.backends import Landing, Option
from storyreel.diffusion.backend import MOTION, DiffusersBackend
from storyreel.diffusion.registry import family_for, known_family
from storyreel.diffusion.runtime import Loaded, model_index, require, to_uint8
from storyreel.errors import StoryreelError
from storyreel.look import NEGATIVE, compile_prompt
from storyreel.motion.base import ClipRequest, MotionBackend
from storyreel.motion.folder import ConformedClip, conform_video
from storyreel.stills.folder import fit_cover


def write_lossless(path: Path, frames: np.ndarray, fps: Fraction) -> None:
    """(F, H, W, 3) uint8 frames as an FFV1 Matroska file, written under a temporary name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    with av.open(str(tmp), "w", format="matroska") as out:
        stream = out.add_stream("ffv1", rate=fps)
        stream.width, stream.height, stream.pix_fmt = frames.shape[2], frames.shape[1], "bgr0"
        for rgb in frames:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        out.mux(stream.encode(None))
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def digest(image: np.ndarray) -> str:
    return hashlib.sha256(image.tobytes()).hexdigest()


class DiffusersMotion(DiffusersBackend, MotionBackend):
    kind: ClassVar[str] = "i2v"
    landing: ClassVar[Landing] = Landing.SOME_MODELS
    options: ClassVar[Mapping[str, Option]] = MOTION

    @property
    def lands(self) -> bool:
        """Whether the model takes a last frame, so a clip can arrive at the next shot's still.
        Read from the registry (a local folder's model_index.json), without loading the model."""
        try:
            known = known_family(self.spec.model) is not None
            class_name = (
                "" if known else str(model_index(self.spec.model)[1].get("_class_name", ""))
            )
            return bool(family_for(self.spec, class_name, self.kind).last_frame)
        except StoryreelError:
            return False

    def animate(self, request: ClipRequest) -> ConformedClip:
        loaded = self.loaded(request.project_root)
        fam = loaded.family
        land = request.landing if fam.last_frame else None
        w, h = loaded.picture_size(request.size[0] / request.size[1])
        n = loaded.frame_count((request.n_frames if land is None else land + 1) / request.fps)
        fps = fam.fps or Fraction(24)
        prompt = (
            None
            if fam.prompt_free
            else compile_prompt(
                request.shot, request.scene, request.config, fam.idiom, max_chars=fam.max_chars
            )
        )
        negative = NEGATIVE if prompt and fam.negative and fam.guidance > 1 else None
        params = {
            "model": self.spec.model,
            "family": fam.name,
            "steps": fam.steps,
            "guidance": fam.guidance,
            "generated_size": [w, h],
            "generated_frames": n,
            "native_fps": str(fps),
            "device": loaded.device,
        }
        if land is not None:
            params.update(end_frame=land, end_still=digest(request.end_still.image))
        key = hashlib.sha256(
            json.dumps(
                {
                    "token": self.cache_token(request.shot, None),
                    "params": params,
                    "seed": request.seed,
                    "prompt": prompt.prompt if prompt else None,
                    "negative": negative,
                    "still": digest(request.still.image),
                    "still_size": request.still.size,
                },
                sort_keys=True,
            ).encode()
        ).hexdigest()
        folder = (
            request.project_root / ".storyreel"
            if request.project_root
            else Path(tempfile.gettempdir()) / "storyreel"
        ) / "diffusion"
        path = folder / f"{key[:32]}.mkv"
        if not path.is_file():
            with loaded.lock:
                frames = self._generate(
                    loaded,
                    request,
                    prompt.prompt if prompt else None,
                    negative,
                    (w, h),
                    n,
                    land is not None,
                )
            write_lossless(path, frames, fps)
        if request.end_still is not None and land is None:
            params["end_frame"] = "ignored"
        meta = {
            "prompt": prompt.prompt if prompt else None,
            "negative_prompt": negative,
            "params": params,
            "source": str(path),
        }
        clip = conform_video(path, request.n_frames, request.fps, request.size, meta, land=land)
        params["retimed"] = clip.retimed
        return clip

    def _generate(
        self,
        loaded: Loaded,
        request: ClipRequest,
        prompt: str | None,
        negative: str | None,
        size: tuple[int, int],
        n: int,
        lands: bool,
    ) -> np.ndarray:
        fam = loaded.family
        pipe = loaded.pipe
        image = Image.fromarray(fit_cover(request.still.image, size))
        kwargs: dict[str, Any] = dict(fam.extra)
        last = Image.fromarray(fit_cover(request.end_still.image, size)) if lands else None
        if last is not None and fam.last_frame == "conditions":  # keyframes: first and last frame
            condition = require("diffusers.pipelines.ltx.pipeline_ltx_condition").LTXVideoCondition
            pipe = loaded.variant("LTXConditionPipeline")
            kwargs["conditions"] = [
                condition(image=image, frame_index=0),
                condition(image=last, frame_index=n - 1),
            ]
        else:
            kwargs["image"] = image
            if last is not None:
                kwargs["last_image"] = last
        if fam.prompt_free:  # SVD: image-only; guidance is the max of its per-frame ramp
            kwargs.update(
                max_guidance_scale=fam.guidance, fps=int(round(fam.fps or 7)), decode_chunk_size=8
            )
        else:
            kwargs.update(prompt=prompt, guidance_scale=fam.guidance)
            if negative:
                kwargs["negative_prompt"] = negative
        kwargs["num_frames"] = n
        if "frame_rate" in inspect.signature(pipe.__call__).parameters:  # LTX conditions on it
            kwargs["frame_rate"] = float(fam.fps or 24)
        out = pipe(
            width=size[0],
            height=size[1],
            num_inference_steps=fam.steps,
            generator=loaded.generators([request.seed])[0],
            output_type="np",
            **kwargs,
        )
        return to_uint8(out.frames[0])
