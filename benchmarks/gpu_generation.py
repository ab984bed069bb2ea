"""Local generation speed at real sizes: stills per second and seconds per clip, bf16 on CUDA.

Each model's denoiser and VAE are built from the real architecture's config with random
weights (nothing is downloaded; `tests/diffusion/architectures.py`, which also builds the tests'
tiny models) and run through its diffusers pipeline at the model's native size, frame count and
step count, with and without `torch.compile` on the denoiser. Text encoders are left out (prompt
embeddings of the right shape are passed in): they run once per prompt and are a small share of
a take. Prints a table; one row per model and compile setting.

    python benchmarks/gpu_generation.py                      # every model, on CUDA
    python benchmarks/gpu_generation.py --only sd-turbo ltx --steps 4
    python benchmarks/gpu_generation.py --smoke              # the tests' tiny models on the CPU

Without CUDA (and without --smoke) it says so and exits 0.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the architectures, in tests/


@dataclass
class Case:
    name: str
    kind: str  # "still" | "clip"
    size: tuple[int, int]  # (width, height) at full size
    frames: int
    steps: int
    guidance: float
    build: Callable[[bool], tuple[Any, dict[str, Any]]]  # small → (pipeline, call kwargs)


def build_cases(torch: Any, device: str, dtype: Any) -> list[Case]:
    from PIL import Image
    from tests.diffusion import architectures as arch

    def ready(pipe: Any) -> Any:
        pipe.to(device, dtype)
        pipe.set_progress_bar_config(disable=True)
        return pipe

    def embeds(*shapes: tuple[int, ...]) -> list[Any]:
        return [torch.randn(*s, dtype=dtype, device=device) for s in shapes]

    def sd_turbo(small: bool):
        pipe = ready(arch.sd_turbo(small, text=False))
        (emb,) = embeds((1, 77, pipe.unet.config.cross_attention_dim))
        return pipe, {"prompt_embeds": emb}

    def sdxl_turbo(small: bool):
        pipe = ready(arch.sdxl_turbo(small, text=False))
        unet = pipe.unet.config  # the pooled text embedding and 6 size numbers make its input
        pooled = unet.projection_class_embeddings_input_dim - 6 * unet.addition_time_embed_dim
        emb, pool = embeds((1, 77, unet.cross_attention_dim), (1, pooled))
        return pipe, {"prompt_embeds": emb, "pooled_prompt_embeds": pool}

    def flux_schnell(small: bool):
        pipe = ready(arch.flux_schnell(small, text=False))
        t = pipe.transformer.config
        emb, pool = embeds((1, 256, t.joint_attention_dim), (1, t.pooled_projection_dim))
        return pipe, {"prompt_embeds": emb, "pooled_prompt_embeds": pool}

    def sd35_medium(small: bool):
        pipe = ready(arch.sd35_medium(small, text=False))
        t = pipe.transformer.config
        e, p, ne, npool = embeds(
            *[(1, 333, t.joint_attention_dim), (1, t.pooled_projection_dim)] * 2
        )
        return pipe, {
            "prompt_embeds": e,
            "pooled_prompt_embeds": p,
            "negative_prompt_embeds": ne,
            "negative_pooled_prompt_embeds": npool,
        }

    def ltx(small: bool, land: bool = False):
        pipe = ready(arch.ltx(small, text=False, keyframes=land))
        e, ne = embeds(*[(1, 128, pipe.transformer.config.caption_channels)] * 2)
        mask = torch.ones(1, 128, dtype=torch.long, device=device)
        kwargs = {
            "prompt_embeds": e,
            "negative_prompt_embeds": ne,
            "prompt_attention_mask": mask,
            "negative_prompt_attention_mask": mask,
        }
        if land:  # a match cut's clip: keyframes on the first and the last frame
            from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

            last = 8 if small else 120
            kwargs["conditions"] = [
                LTXVideoCondition(image=Image.new("RGB", (64, 32), c), frame_index=i)
                for c, i in (((90, 110, 130), 0), ((150, 90, 60), last))
            ]
        return pipe, kwargs

    def wan_i2v(small: bool):  # the image encoder is part of every call
        pipe = ready(arch.wan21(small, text=False))
        e, ne = embeds(*[(1, 512, pipe.transformer.config.text_dim)] * 2)
        return pipe, {"prompt_embeds": e, "negative_prompt_embeds": ne}

    def svd(small: bool):
        return ready(arch.svd(small)), {"decode_chunk_size": 8}

    def cogvideox_i2v(small: bool):
        pipe = ready(arch.cogvideox(small, text=False))
        e, ne = embeds(*[(1, 226, pipe.transformer.config.text_embed_dim)] * 2)
        return pipe, {"prompt_embeds": e, "negative_prompt_embeds": ne}

    return [
        Case("sd-turbo", "still", (512, 512), 1, 1, 0.0, sd_turbo),
        Case("sdxl-turbo", "still", (512, 512), 1, 1, 0.0, sdxl_turbo),
        Case("flux-schnell", "still", (1024, 1024), 1, 4, 0.0, flux_schnell),
        Case("sd3.5-medium", "still", (1024, 1024), 1, 40, 4.5, sd35_medium),
        Case("ltx-video", "clip", (768, 512), 121, 40, 3.0, ltx),
        Case(
            "ltx-video-land", "clip", (768, 512), 121, 40, 3.0, lambda small: ltx(small, land=True)
        ),
        Case("wan2.1-i2v-14b", "clip", (832, 480), 81, 40, 5.0, wan_i2v),
        Case("svd-xt", "clip", (1024, 576), 25, 25, 3.0, svd),
        Case("cogvideox-5b-i2v", "clip", (720, 480), 49, 50, 6.0, cogvideox_i2v),
    ]


def run_case(
    case: Case,
    *,
    small: bool,
    compiled: bool,
    steps: int | None,
    repeats: int,
    batch: int,
    torch: Any,
    device: str,
) -> dict[str, Any]:
    from PIL import Image

    pipe, kwargs = case.build(small)
    w, h = (64, 32) if small else case.size
    frames = 9 if small else case.frames
    if case.name.startswith("cogvideox") and small:
        w, h = 32, 16
    denoiser = "unet" if getattr(pipe, "unet", None) is not None else "transformer"
    if compiled:
        setattr(pipe, denoiser, torch.compile(getattr(pipe, denoiser)))
    n_steps = steps or (min(case.steps, 2) if small else case.steps)
    call: dict[str, Any] = {
        "width": w,
        "height": h,
        "num_inference_steps": n_steps,
        "output_type": "np",
        **kwargs,
    }
    if case.kind == "still":
        call.update(
            guidance_scale=case.guidance,
            num_images_per_prompt=batch,
            generator=[torch.Generator("cpu").manual_seed(i) for i in range(batch)],
        )
    else:
        call.update(num_frames=frames, generator=torch.Generator("cpu").manual_seed(0))
        if "conditions" not in call:  # the first frame; a landing clip has keyframes instead
            call["image"] = Image.new("RGB", (w, h), (90, 110, 130))
        if case.name.startswith("svd"):
            call["max_guidance_scale"] = case.guidance
        else:
            call["guidance_scale"] = case.guidance

    def once(run: Any) -> float:
        if device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        run(**call)
        if device == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start

    warm = once(pipe)  # includes compilation when compiled
    times = [once(pipe) for _ in range(repeats)]
    best = min(times)
    peak = torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else 0.0
    del pipe
    gc.collect()
    if device == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    size = f"{w}x{h}" + (f"x{frames}" if case.kind == "clip" else "")
    rate = f"{batch / best:.2f} stills/s" if case.kind == "still" else f"{best:.1f} s/clip"
    return {
        "model": case.name,
        "compile": "yes" if compiled else "no",
        "size": size,
        "steps": n_steps,
        "first": f"{warm:.1f} s",
        "speed": rate,
        "peak": f"{peak:.1f} GiB",
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--smoke", action="store_true", help="tiny configs on the CPU (checks the script)"
    )
    ap.add_argument("--only", nargs="*", help="model names to run")
    ap.add_argument("--steps", type=int, help="override each model's step count")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--batch", type=int, default=1, help="stills per call")
    ap.add_argument("--no-compile", action="store_true", help="skip the torch.compile rows")
    args = ap.parse_args(argv)
    try:
        import diffusers
        import torch
        import transformers  # noqa: F401 (the architectures' text and image encoders)
    except ImportError:
        print("the diffusion extra is not installed: pip install 'storyreel[diffusion]'")
        return 0
    if not torch.cuda.is_available() and not args.smoke:
        print(
            "no CUDA device: nothing to time at real sizes (run with --smoke for a tiny CPU check)"
        )
        return 0
    device = "cuda" if torch.cuda.is_available() and not args.smoke else "cpu"
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    diffusers.utils.logging.set_verbosity_error()
    diffusers.utils.logging.disable_progress_bar()
    cases = build_cases(torch, device, dtype)
    if args.only:
        cases = [c for c in cases if c.name in args.only]
    rows = []
    for case in cases:
        for compiled in (False,) if args.no_compile or args.smoke else (False, True):
            torch.manual_seed(0)
            try:
                rows.append(
                    run_case(
                        case,
                        small=args.smoke,
                        compiled=compiled,
                        steps=args.steps,
                        repeats=args.repeats,
                        batch=args.batch,
                        torch=torch,
                        device=device,
                    )
                )
            except Exception as e:  # one model's failure (memory, a changed config) is a row
                rows.append(
                    {
                        "model": case.name,
                        "compile": "yes" if compiled else "no",
                        "size": "",
                        "steps": "",
                        "first": "",
                        "speed": f"error: {type(e).__name__}: "
                        f"{str(e).splitlines()[0][:80] if str(e) else ''}",
                        "peak": "",
                    }
                )
            print(rows[-1], file=sys.stderr, flush=True)
    name = torch.cuda.get_device_name() if device == "cuda" else "CPU (smoke sizes)"
    print(
        f"device: {name}, dtype: {str(dtype).removeprefix('torch.')}, torch {torch.__version__}, "
        f"diffusers {diffusers.__version__}; random weights, text encoders excluded"
    )
    cols = ["model", "compile", "size", "steps", "first", "speed", "peak"]
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols))
    for r in rows:
        print("  ".join(str(r[c]).ljust(widths[c]) for c in cols))
    return 0


if __name__ == "__main__":
    sys.exit(main())
