"""Local generation speed at real sizes: stills per second and seconds per clip, bf16 on CUDA.

Each model's denoiser and VAE are built from the real architecture's config with random
weights (nothing is downloaded) and run through its diffusers pipeline at the model's native
size, frame count and step count, with and without `torch.compile` on the denoiser. Text
encoders are left out (prompt embeddings of the right shape are passed in): they run once per
prompt and are a small share of a take. Prints a table; one row per model and compile setting.

    python benchmarks/gpu_generation.py                      # every model, on CUDA
    python benchmarks/gpu_generation.py --only sd-turbo ltx --steps 4
    python benchmarks/gpu_generation.py --smoke              # tiny configs on the CPU: checks the script

Without CUDA (and without --smoke) it says so and exits 0.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Case:
    name: str
    kind: str  # "still" | "clip"
    size: tuple[int, int]  # (width, height) at full size
    frames: int
    steps: int
    guidance: float
    build: Callable[[bool], tuple[Any, dict[str, Any]]]  # small → (pipeline, call kwargs)


def _embeds(torch: Any, dtype: Any, device: str, *shapes: tuple[int, ...]) -> list[Any]:
    return [torch.randn(*s, dtype=dtype, device=device) for s in shapes]


def build_cases(
    torch: Any, diffusers: Any, transformers: Any, device: str, dtype: Any
) -> list[Case]:
    from PIL import Image

    d = diffusers

    def ready(pipe: Any) -> Any:
        pipe.to(device, dtype)
        pipe.set_progress_bar_config(disable=True)
        return pipe

    def sd_vae(small: bool) -> Any:
        return d.AutoencoderKL(
            block_out_channels=(32, 64) if small else (128, 256, 512, 512),
            down_block_types=("DownEncoderBlock2D",) * (2 if small else 4),
            up_block_types=("UpDecoderBlock2D",) * (2 if small else 4),
            latent_channels=4,
            norm_num_groups=32,
            layers_per_block=1 if small else 2,
            sample_size=64 if small else 768,
        )

    def sd_turbo(small: bool):
        unet = d.UNet2DConditionModel(
            sample_size=32 if small else 96,
            cross_attention_dim=32 if small else 1024,
            block_out_channels=(32, 64) if small else (320, 640, 1280, 1280),
            down_block_types=(
                ("DownBlock2D", "CrossAttnDownBlock2D")
                if small
                else ("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",)
            ),
            up_block_types=(
                ("CrossAttnUpBlock2D", "UpBlock2D")
                if small
                else ("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3
            ),
            attention_head_dim=(2, 4) if small else (5, 10, 20, 20),
            use_linear_projection=True,
            layers_per_block=1 if small else 2,
        )
        pipe = d.StableDiffusionPipeline(
            unet=unet,
            vae=sd_vae(small),
            text_encoder=None,
            tokenizer=None,
            scheduler=d.EulerDiscreteScheduler(timestep_spacing="trailing"),
            safety_checker=None,
            feature_extractor=None,
            requires_safety_checker=False,
        )
        (emb,) = _embeds(torch, dtype, device, (1, 77, unet.config.cross_attention_dim))
        return ready(pipe), {"prompt_embeds": emb}

    def sdxl_turbo(small: bool):
        unet = d.UNet2DConditionModel(
            sample_size=32 if small else 128,
            cross_attention_dim=64 if small else 2048,
            block_out_channels=(32, 64) if small else (320, 640, 1280),
            down_block_types=(
                ("DownBlock2D", "CrossAttnDownBlock2D")
                if small
                else ("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D")
            ),
            up_block_types=(
                ("CrossAttnUpBlock2D", "UpBlock2D")
                if small
                else ("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D")
            ),
            attention_head_dim=(2, 4) if small else (5, 10, 20),
            use_linear_projection=True,
            transformer_layers_per_block=(1, 2) if small else (1, 2, 10),
            addition_embed_type="text_time",
            addition_time_embed_dim=8 if small else 256,
            projection_class_embeddings_input_dim=80 if small else 2816,
            layers_per_block=1 if small else 2,
        )
        pipe = d.StableDiffusionXLPipeline(
            unet=unet,
            vae=sd_vae(small),
            text_encoder=None,
            tokenizer=None,
            text_encoder_2=None,
            tokenizer_2=None,
            scheduler=d.EulerDiscreteScheduler(timestep_spacing="trailing"),
        )
        pooled = 32 if small else 1280
        emb, pool = _embeds(
            torch, dtype, device, (1, 77, unet.config.cross_attention_dim), (1, pooled)
        )
        return ready(pipe), {"prompt_embeds": emb, "pooled_prompt_embeds": pool}

    def flux_vae(small: bool) -> Any:
        if small:
            return d.AutoencoderKL(
                block_out_channels=(4,),
                layers_per_block=1,
                latent_channels=1,
                norm_num_groups=1,
                use_quant_conv=False,
                use_post_quant_conv=False,
                shift_factor=0.0609,
                scaling_factor=1.5035,
            )
        return d.AutoencoderKL(
            block_out_channels=(128, 256, 512, 512),
            latent_channels=16,
            down_block_types=("DownEncoderBlock2D",) * 4,
            up_block_types=("UpDecoderBlock2D",) * 4,
            layers_per_block=2,
            use_quant_conv=False,
            use_post_quant_conv=False,
            shift_factor=0.1159,
            scaling_factor=0.3611,
        )

    def flux_schnell(small: bool):
        t = (
            d.FluxTransformer2DModel(
                in_channels=4,
                num_layers=1,
                num_single_layers=1,
                attention_head_dim=16,
                num_attention_heads=2,
                joint_attention_dim=32,
                pooled_projection_dim=32,
                axes_dims_rope=[4, 4, 8],
            )
            if small
            else d.FluxTransformer2DModel()
        )  # the defaults are FLUX.1's
        pipe = d.FluxPipeline(
            transformer=t,
            vae=flux_vae(small),
            text_encoder=None,
            tokenizer=None,
            text_encoder_2=None,
            tokenizer_2=None,
            scheduler=d.FlowMatchEulerDiscreteScheduler(),
        )
        emb, pool = _embeds(
            torch,
            dtype,
            device,
            (1, 256, t.config.joint_attention_dim),
            (1, t.config.pooled_projection_dim),
        )
        return ready(pipe), {"prompt_embeds": emb, "pooled_prompt_embeds": pool}

    def sd35_medium(small: bool):
        t = (
            d.SD3Transformer2DModel(
                sample_size=32,
                patch_size=1,
                in_channels=4,
                num_layers=1,
                attention_head_dim=8,
                num_attention_heads=4,
                caption_projection_dim=32,
                joint_attention_dim=32,
                pooled_projection_dim=64,
                out_channels=4,
            )
            if small
            else d.SD3Transformer2DModel(
                sample_size=128,
                patch_size=2,
                in_channels=16,
                num_layers=24,
                attention_head_dim=64,
                num_attention_heads=24,
                joint_attention_dim=4096,
                caption_projection_dim=1536,
                pooled_projection_dim=2048,
                out_channels=16,
                pos_embed_max_size=384,
                dual_attention_layers=tuple(range(13)),
                qk_norm="rms_norm",
            )
        )
        vae = flux_vae(False)
        if small:
            vae = d.AutoencoderKL(
                block_out_channels=(4,),
                layers_per_block=1,
                latent_channels=4,
                norm_num_groups=1,
                use_quant_conv=False,
                use_post_quant_conv=False,
                shift_factor=0.0609,
                scaling_factor=1.5035,
            )
        pipe = d.StableDiffusion3Pipeline(
            transformer=t,
            vae=vae,
            text_encoder=None,
            tokenizer=None,
            text_encoder_2=None,
            tokenizer_2=None,
            text_encoder_3=None,
            tokenizer_3=None,
            scheduler=d.FlowMatchEulerDiscreteScheduler(shift=3.0),
        )
        e, p, ne, npool = _embeds(
            torch,
            dtype,
            device,
            (1, 333, t.config.joint_attention_dim),
            (1, t.config.pooled_projection_dim),
            (1, 333, t.config.joint_attention_dim),
            (1, t.config.pooled_projection_dim),
        )
        return ready(pipe), {
            "prompt_embeds": e,
            "pooled_prompt_embeds": p,
            "negative_prompt_embeds": ne,
            "negative_pooled_prompt_embeds": npool,
        }

    def ltx(small: bool, land: bool = False):
        t = (
            d.LTXVideoTransformer3DModel(
                in_channels=8,
                out_channels=8,
                num_attention_heads=4,
                attention_head_dim=8,
                cross_attention_dim=32,
                num_layers=1,
                caption_channels=32,
            )
            if small
            else d.LTXVideoTransformer3DModel()
        )  # the defaults are LTX-Video 0.9's
        vae = (
            d.AutoencoderKLLTXVideo(
                latent_channels=8,
                block_out_channels=(8, 8, 8, 8),
                decoder_block_out_channels=(8, 8, 8, 8),
                layers_per_block=(1, 1, 1, 1, 1),
                decoder_layers_per_block=(1, 1, 1, 1, 1),
                spatio_temporal_scaling=(True, True, False, False),
                decoder_spatio_temporal_scaling=(True, True, False, False),
                decoder_inject_noise=(False,) * 5,
                upsample_residual=(False,) * 4,
                upsample_factor=(1,) * 4,
                timestep_conditioning=False,
                patch_size=1,
                patch_size_t=1,
            )
            if small
            else d.AutoencoderKLLTXVideo()
        )
        cls = d.LTXConditionPipeline if land else d.LTXImageToVideoPipeline
        pipe = cls(
            transformer=t,
            vae=vae,
            text_encoder=None,
            tokenizer=None,
            scheduler=d.FlowMatchEulerDiscreteScheduler(),
        )
        e, ne = _embeds(
            torch,
            dtype,
            device,
            (1, 128, t.config.caption_channels),
            (1, 128, t.config.caption_channels),
        )
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
        return ready(pipe), kwargs

    def wan_i2v(small: bool):
        t = (
            d.WanTransformer3DModel(
                patch_size=(1, 2, 2),
                num_attention_heads=2,
                attention_head_dim=12,
                in_channels=36,
                out_channels=16,
                text_dim=32,
                freq_dim=256,
                ffn_dim=32,
                num_layers=2,
                cross_attn_norm=True,
                qk_norm="rms_norm_across_heads",
                rope_max_seq_len=32,
                image_dim=4,
            )
            if small
            else d.WanTransformer3DModel(
                patch_size=(1, 2, 2),
                num_attention_heads=40,
                attention_head_dim=128,
                in_channels=36,
                out_channels=16,
                text_dim=4096,
                freq_dim=256,
                ffn_dim=13824,
                num_layers=40,
                cross_attn_norm=True,
                qk_norm="rms_norm_across_heads",
                eps=1e-6,
                image_dim=1280,
            )
        )
        vae = (
            d.AutoencoderKLWan(
                base_dim=3,
                z_dim=16,
                dim_mult=[1, 1, 1, 1],
                num_res_blocks=1,
                temperal_downsample=[False, True, True],
            )
            if small
            else d.AutoencoderKLWan()
        )
        vision = (
            transformers.CLIPVisionConfig(  # the image encoder is part of every call
                hidden_size=4,
                num_hidden_layers=2,
                num_attention_heads=2,
                image_size=32,
                intermediate_size=16,
                patch_size=1,
            )
            if small
            else transformers.CLIPVisionConfig(
                hidden_size=1280,
                num_hidden_layers=32,
                num_attention_heads=16,
                image_size=224,
                intermediate_size=5120,
                patch_size=14,
            )
        )
        crop = 32 if small else 224
        pipe = d.WanImageToVideoPipeline(
            transformer=t,
            vae=vae,
            text_encoder=None,
            tokenizer=None,
            image_encoder=transformers.CLIPVisionModel(vision),
            image_processor=transformers.CLIPImageProcessor(crop_size=crop, size=crop),
            scheduler=d.FlowMatchEulerDiscreteScheduler(shift=3.0),
        )
        e, ne = _embeds(
            torch, dtype, device, (1, 512, t.config.text_dim), (1, 512, t.config.text_dim)
        )
        return ready(pipe), {"prompt_embeds": e, "negative_prompt_embeds": ne}

    def svd(small: bool):
        unet = (
            d.UNetSpatioTemporalConditionModel(
                block_out_channels=(32, 64),
                layers_per_block=1,
                sample_size=32,
                in_channels=8,
                out_channels=4,
                down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
                up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"),
                cross_attention_dim=32,
                num_attention_heads=8,
                projection_class_embeddings_input_dim=96,
                addition_time_embed_dim=32,
            )
            if small
            else d.UNetSpatioTemporalConditionModel()
        )
        vae = (
            d.AutoencoderKLTemporalDecoder(
                block_out_channels=(32, 64),
                latent_channels=4,
                down_block_types=("DownEncoderBlock2D",) * 2,
            )
            if small
            else d.AutoencoderKLTemporalDecoder()
        )
        vision = (
            transformers.CLIPVisionConfig(
                hidden_size=32,
                projection_dim=32,
                num_hidden_layers=2,
                num_attention_heads=2,
                image_size=224,
                intermediate_size=16,
                patch_size=28,
            )
            if small
            else transformers.CLIPVisionConfig(
                hidden_size=1280,
                projection_dim=1024,
                num_hidden_layers=32,
                num_attention_heads=16,
                image_size=224,
                intermediate_size=5120,
                patch_size=14,
            )
        )
        pipe = d.StableVideoDiffusionPipeline(
            vae=vae,
            image_encoder=transformers.CLIPVisionModelWithProjection(vision),
            unet=unet,
            scheduler=d.EulerDiscreteScheduler(
                prediction_type="v_prediction",
                sigma_max=700.0,
                sigma_min=0.002,
                timestep_spacing="leading",
                timestep_type="continuous",
                use_karras_sigmas=True,
                interpolation_type="linear",
                steps_offset=1,
            ),
            feature_extractor=transformers.CLIPImageProcessor(crop_size=224, size=224),
        )
        return ready(pipe), {"decode_chunk_size": 8}

    def cogvideox_i2v(small: bool):
        t = (
            d.CogVideoXTransformer3DModel(
                num_attention_heads=2,
                attention_head_dim=16,
                in_channels=8,
                out_channels=4,
                time_embed_dim=2,
                text_embed_dim=32,
                num_layers=1,
                sample_width=4,
                sample_height=2,
                sample_frames=9,
                patch_size=2,
                temporal_compression_ratio=4,
                max_text_seq_length=226,
                use_rotary_positional_embeddings=True,
                use_learned_positional_embeddings=True,
            )
            if small
            else d.CogVideoXTransformer3DModel(
                num_attention_heads=48,
                attention_head_dim=64,
                in_channels=32,
                out_channels=16,
                time_embed_dim=512,
                text_embed_dim=4096,
                num_layers=42,
                sample_width=90,
                sample_height=60,
                sample_frames=49,
                patch_size=2,
                temporal_compression_ratio=4,
                max_text_seq_length=226,
                use_rotary_positional_embeddings=True,
                use_learned_positional_embeddings=True,
            )
        )
        vae = (
            d.AutoencoderKLCogVideoX(
                down_block_types=("CogVideoXDownBlock3D",) * 4,
                up_block_types=("CogVideoXUpBlock3D",) * 4,
                block_out_channels=(8, 8, 8, 8),
                latent_channels=4,
                layers_per_block=1,
                norm_num_groups=2,
                temporal_compression_ratio=4,
            )
            if small
            else d.AutoencoderKLCogVideoX()
        )
        pipe = d.CogVideoXImageToVideoPipeline(
            transformer=t,
            vae=vae,
            text_encoder=None,
            tokenizer=None,
            scheduler=d.CogVideoXDPMScheduler(),
        )
        e, ne = _embeds(
            torch,
            dtype,
            device,
            (1, 226, t.config.text_embed_dim),
            (1, 226, t.config.text_embed_dim),
        )
        return ready(pipe), {"prompt_embeds": e, "negative_prompt_embeds": ne}

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
        import transformers
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
    cases = build_cases(torch, diffusers, transformers, device, dtype)
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
