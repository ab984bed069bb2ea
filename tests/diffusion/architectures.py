"""The diffusion architectures storyreel runs, built from their configs with random weights.

One function a model family returns its diffusers pipeline: the denoiser, VAE and image
encoder at the real model's size (what `benchmarks/gpu_generation.py` times on CUDA) or
`small`, a few thousand weights (what the tests save as diffusers folders and the benchmark's
`--smoke` runs on the CPU). Text encoders come tiny, or not at all with `text=False` (the
caller passes prompt embeddings of the right shape). Nothing is downloaded, and every model is
drawn after the same seed, so a folder saved twice holds the same weights. Families only the
tests use come small only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import diffusers
import torch
import transformers

from tests.diffusion.text_encoders import (
    clip_text,
    clip_tokenizer,
    gemma,
    gemma_tokenizer,
    t5,
    t5_tokenizer,
)

M = TypeVar("M")

clip_text_projected = partial(clip_text, projection=True)
umt5 = partial(t5, umt5=True)


def _random(cls: Callable[..., M], seed: int = 0, **config: Any) -> M:
    """`cls(**config)` with the weights torch draws after `seed`."""
    torch.manual_seed(seed)
    return cls(**config)


def _text(text: bool, **parts: Callable[[], Any]) -> dict[str, Any]:
    """A pipeline's text encoders and tokenizers, tiny, or None each (prompt embeddings instead)."""
    return {name: build() if text else None for name, build in parts.items()}


def _euler_trailing() -> diffusers.EulerDiscreteScheduler:
    """The turbo models' one-step sampler."""
    return diffusers.EulerDiscreteScheduler(timestep_spacing="trailing", steps_offset=1)


def clip_vision(
    hidden: int = 32, image_size: int = 32, projection: bool = True, small: bool = True
) -> transformers.CLIPVisionModel:
    """CLIP's image encoder: `hidden` wide in two layers, or the ViT-H/14 of SVD and Wan 2.1."""
    cls = transformers.CLIPVisionModelWithProjection if projection else transformers.CLIPVisionModel
    config = (
        transformers.CLIPVisionConfig(
            hidden_size=hidden,
            projection_dim=hidden,
            num_hidden_layers=2,
            num_attention_heads=2,
            image_size=image_size,
            intermediate_size=16,
            patch_size=image_size // 8,
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
    return _random(cls, config=config)


# --- stills -----------------------------------------------------------------------------------

_SMALL_UNET = dict(  # two levels, the second with cross-attention
    block_out_channels=(32, 64),
    layers_per_block=1,
    sample_size=32,
    in_channels=4,
    out_channels=4,
    down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
    up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
    norm_num_groups=16,
)


def sd_vae(small: bool = True) -> diffusers.AutoencoderKL:
    """The VAE of SD 2.1 and SDXL: 4 latent channels, 8x smaller (2x at `small`)."""
    levels = 2 if small else 4
    return _random(
        diffusers.AutoencoderKL,
        block_out_channels=(16, 32) if small else (128, 256, 512, 512),
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        down_block_types=("DownEncoderBlock2D",) * levels,
        up_block_types=("UpDecoderBlock2D",) * levels,
        norm_num_groups=16 if small else 32,
        layers_per_block=1 if small else 2,
        sample_size=32 if small else 768,
    )


def dit_vae(small: bool = True, small_latents: int = 4) -> diffusers.AutoencoderKL:
    """The 16-channel VAE of FLUX and SD3; at `small`, one level and `small_latents` channels."""
    if small:
        return _random(
            diffusers.AutoencoderKL,
            sample_size=32,
            in_channels=3,
            out_channels=3,
            block_out_channels=(4,),
            layers_per_block=1,
            latent_channels=small_latents,
            norm_num_groups=1,
            use_quant_conv=False,
            use_post_quant_conv=False,
            shift_factor=0.0609,
            scaling_factor=1.5035,
        )
    return _random(
        diffusers.AutoencoderKL,
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


def sd_turbo(small: bool = True, text: bool = True) -> diffusers.StableDiffusionPipeline:
    """SD-Turbo: SD 2.1's UNet, distilled to one step."""
    unet = (
        {**_SMALL_UNET, "cross_attention_dim": 32}
        if small
        else dict(
            sample_size=96,
            cross_attention_dim=1024,
            block_out_channels=(320, 640, 1280, 1280),
            down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
            up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3,
            attention_head_dim=(5, 10, 20, 20),
            use_linear_projection=True,
            layers_per_block=2,
        )
    )
    return diffusers.StableDiffusionPipeline(
        unet=_random(diffusers.UNet2DConditionModel, **unet),
        vae=sd_vae(small),
        **_text(text, text_encoder=clip_text, tokenizer=clip_tokenizer),
        scheduler=_euler_trailing(),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )


def sdxl_turbo(small: bool = True, text: bool = True) -> diffusers.StableDiffusionXLPipeline:
    """SDXL-Turbo: SDXL's UNet (two text encoders, size and crop conditioning), one step."""
    unet = (
        {
            **_SMALL_UNET,
            "attention_head_dim": (2, 4),
            "use_linear_projection": True,
            "addition_embed_type": "text_time",
            "addition_time_embed_dim": 8,
            "transformer_layers_per_block": (1, 2),
            "projection_class_embeddings_input_dim": 80,
            "cross_attention_dim": 64,
        }
        if small
        else dict(
            sample_size=128,
            cross_attention_dim=2048,
            block_out_channels=(320, 640, 1280),
            down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
            up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
            attention_head_dim=(5, 10, 20),
            use_linear_projection=True,
            transformer_layers_per_block=(1, 2, 10),
            addition_embed_type="text_time",
            addition_time_embed_dim=256,
            projection_class_embeddings_input_dim=2816,
            layers_per_block=2,
        )
    )
    return diffusers.StableDiffusionXLPipeline(
        unet=_random(diffusers.UNet2DConditionModel, **unet),
        vae=sd_vae(small),
        **_text(
            text,
            text_encoder=clip_text,
            tokenizer=clip_tokenizer,
            text_encoder_2=clip_text_projected,
            tokenizer_2=clip_tokenizer,
        ),
        scheduler=_euler_trailing(),
    )


def flux_schnell(small: bool = True, text: bool = True) -> diffusers.FluxPipeline:
    """FLUX.1 [schnell]: double- then single-stream MMDiT blocks over a 16-channel VAE."""
    transformer = (
        dict(
            patch_size=1,
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
        else {}  # the defaults are FLUX.1's
    )
    return diffusers.FluxPipeline(
        transformer=_random(diffusers.FluxTransformer2DModel, **transformer),
        vae=dit_vae(small, small_latents=1),
        **_text(
            text,
            text_encoder=clip_text,
            tokenizer=clip_tokenizer,
            text_encoder_2=t5,
            tokenizer_2=t5_tokenizer,
        ),
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(),
    )


def _sd3(
    transformer: diffusers.SD3Transformer2DModel, small: bool, text: bool, shift: float
) -> diffusers.StableDiffusion3Pipeline:
    return diffusers.StableDiffusion3Pipeline(
        transformer=transformer,
        vae=dit_vae(small),
        **_text(
            text,
            text_encoder=clip_text_projected,
            tokenizer=clip_tokenizer,
            text_encoder_2=clip_text_projected,
            tokenizer_2=clip_tokenizer,
            text_encoder_3=t5,
            tokenizer_3=t5_tokenizer,
        ),
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(shift=shift),
    )


_SMALL_SD3 = dict(
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


def sd35_medium(small: bool = True, text: bool = True) -> diffusers.StableDiffusion3Pipeline:
    """SD 3.5 Medium: the MMDiT-X, dual attention in its first 13 layers."""
    transformer = (
        _SMALL_SD3
        if small
        else dict(
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
    return _sd3(_random(diffusers.SD3Transformer2DModel, **transformer), small, text, 1.0)


def sd35_large() -> diffusers.StableDiffusion3Pipeline:
    """SD 3.5 Large (and Large Turbo): RMS-normed queries and keys, no dual attention."""
    transformer = _random(
        diffusers.SD3Transformer2DModel,
        **{
            **_SMALL_SD3,
            "patch_size": 2,
            "num_layers": 2,
            "attention_head_dim": 16,
            "num_attention_heads": 2,
            "pos_embed_max_size": 32,
            "qk_norm": "rms_norm",
        },
    )
    return _sd3(transformer, small=True, text=True, shift=3.0)


def sana_sprint() -> diffusers.SanaSprintPipeline:
    """Sana Sprint: a linear-attention DiT over the deep-compression VAE, Gemma 2 for text."""
    transformer = _random(
        diffusers.SanaTransformer2DModel,
        patch_size=1,
        in_channels=4,
        out_channels=4,
        num_layers=1,
        num_attention_heads=2,
        attention_head_dim=4,
        num_cross_attention_heads=2,
        cross_attention_head_dim=4,
        cross_attention_dim=8,
        caption_channels=8,
        sample_size=32,
        qk_norm="rms_norm_across_heads",
        guidance_embeds=True,
    )
    vae = _random(
        diffusers.AutoencoderDC,
        in_channels=3,
        latent_channels=4,
        attention_head_dim=2,
        encoder_block_types=("ResBlock", "EfficientViTBlock"),
        decoder_block_types=("ResBlock", "EfficientViTBlock"),
        encoder_block_out_channels=(8, 8),
        decoder_block_out_channels=(8, 8),
        encoder_qkv_multiscales=((), (5,)),
        decoder_qkv_multiscales=((), (5,)),
        encoder_layers_per_block=(1, 1),
        decoder_layers_per_block=(1, 1),
        downsample_block_type="conv",
        upsample_block_type="interpolate",
        decoder_norm_types="rms_norm",
        decoder_act_fns="silu",
        scaling_factor=0.41407,
    )
    return diffusers.SanaSprintPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=diffusers.SCMScheduler(),
        text_encoder=gemma(),
        tokenizer=gemma_tokenizer(),
    )


# --- image to video ---------------------------------------------------------------------------


def ltx(
    small: bool = True, text: bool = True, keyframes: bool = False
) -> diffusers.LTXImageToVideoPipeline:
    """LTX-Video 0.9; with `keyframes`, the condition pipeline that also lands on a last frame."""
    transformer = (
        dict(
            in_channels=8,
            out_channels=8,
            patch_size=1,
            patch_size_t=1,
            num_attention_heads=4,
            attention_head_dim=8,
            cross_attention_dim=32,
            num_layers=1,
            caption_channels=32,
        )
        if small
        else {}  # the defaults are LTX-Video 0.9's
    )
    vae = (
        dict(
            in_channels=3,
            out_channels=3,
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
            encoder_causal=True,
            decoder_causal=False,
        )
        if small
        else {}
    )
    cls = diffusers.LTXConditionPipeline if keyframes else diffusers.LTXImageToVideoPipeline
    return cls(
        transformer=_random(diffusers.LTXVideoTransformer3DModel, **transformer),
        vae=_random(diffusers.AutoencoderKLLTXVideo, **vae),
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(),
        **_text(text, text_encoder=t5, tokenizer=t5_tokenizer),
    )


def svd(small: bool = True) -> diffusers.StableVideoDiffusionPipeline:
    """Stable Video Diffusion XT: a spatio-temporal UNet conditioned on the first frame only."""
    unet = (
        dict(
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
            num_frames=9,
        )
        if small
        else {}  # the defaults are SVD-XT's
    )
    vae = (
        dict(
            block_out_channels=(32, 64),
            in_channels=3,
            out_channels=3,
            latent_channels=4,
            down_block_types=("DownEncoderBlock2D",) * 2,
        )
        if small
        else {}
    )
    scheduler = diffusers.EulerDiscreteScheduler(
        beta_start=0.00085,
        beta_end=0.012,
        beta_schedule="scaled_linear",
        interpolation_type="linear",
        prediction_type="v_prediction",
        sigma_max=700.0,
        sigma_min=0.002,
        steps_offset=1,
        timestep_spacing="leading",
        timestep_type="continuous",
        use_karras_sigmas=True,
    )
    return diffusers.StableVideoDiffusionPipeline(
        vae=_random(diffusers.AutoencoderKLTemporalDecoder, **vae),
        image_encoder=clip_vision(32, 224, small=small),  # SVD feeds it 224 px
        unet=_random(diffusers.UNetSpatioTemporalConditionModel, **unet),
        scheduler=scheduler,
        feature_extractor=transformers.CLIPImageProcessor(crop_size=224, size=224),
    )


def _wan_vae(small: bool) -> diffusers.AutoencoderKLWan:
    tiny = dict(
        base_dim=3,
        z_dim=16,
        dim_mult=[1, 1, 1, 1],
        num_res_blocks=1,
        temperal_downsample=[False, True, True],
    )
    return _random(diffusers.AutoencoderKLWan, **(tiny if small else {}))


def _wan_transformer(small: bool, image: bool, seed: int = 0) -> diffusers.WanTransformer3DModel:
    """Wan's DiT; with `image`, it also reads the first frame's CLIP image tokens (2.1)."""
    common = dict(
        patch_size=(1, 2, 2),
        in_channels=36,
        out_channels=16,
        freq_dim=256,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
    )
    size = (
        dict(
            num_attention_heads=2,
            attention_head_dim=12,
            text_dim=32,
            ffn_dim=32,
            num_layers=2,
            rope_max_seq_len=32,
            image_dim=4 if image else None,
        )
        if small
        else dict(
            num_attention_heads=40,
            attention_head_dim=128,
            text_dim=4096,
            ffn_dim=13824,
            num_layers=40,
            eps=1e-6,
            image_dim=1280 if image else None,
        )
    )
    return _random(diffusers.WanTransformer3DModel, seed, **common, **size)


def _wan(small: bool, text: bool, **parts: Any) -> diffusers.WanImageToVideoPipeline:
    return diffusers.WanImageToVideoPipeline(
        vae=_wan_vae(small),
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(shift=7.0),
        **_text(text, text_encoder=umt5, tokenizer=t5_tokenizer),
        **parts,
    )


def wan21(small: bool = True, text: bool = True) -> diffusers.WanImageToVideoPipeline:
    """Wan 2.1 I2V 14B: one transformer that also reads the first frame's CLIP image tokens."""
    crop = 32 if small else 224
    return _wan(
        small,
        text,
        transformer=_wan_transformer(small, image=True),
        image_encoder=clip_vision(4, projection=False, small=small),
        image_processor=transformers.CLIPImageProcessor(crop_size=crop, size=crop),
    )


def wan22() -> diffusers.WanImageToVideoPipeline:
    """Wan 2.2 A14B: two experts (high noise, then low noise past `boundary_ratio`), no image encoder."""
    return _wan(
        True,
        True,
        transformer=_wan_transformer(True, image=False, seed=0),
        transformer_2=_wan_transformer(True, image=False, seed=1),
        boundary_ratio=0.9,
    )


def cogvideox(small: bool = True, text: bool = True) -> diffusers.CogVideoXImageToVideoPipeline:
    """CogVideoX 5B I2V: a full-attention 3D transformer with rotary and learned positions."""
    transformer = dict(
        patch_size=2,
        temporal_compression_ratio=4,
        max_text_seq_length=226,
        use_rotary_positional_embeddings=True,
        use_learned_positional_embeddings=True,
    )
    transformer |= (
        dict(
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
        )
        if small
        else dict(
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
        )
    )
    vae = (
        dict(
            in_channels=3,
            out_channels=3,
            down_block_types=("CogVideoXDownBlock3D",) * 4,
            up_block_types=("CogVideoXUpBlock3D",) * 4,
            block_out_channels=(8, 8, 8, 8),
            latent_channels=4,
            layers_per_block=1,
            norm_num_groups=2,
            temporal_compression_ratio=4,
        )
        if small
        else {}  # the defaults are CogVideoX's
    )
    return diffusers.CogVideoXImageToVideoPipeline(
        transformer=_random(diffusers.CogVideoXTransformer3DModel, **transformer),
        vae=_random(diffusers.AutoencoderKLCogVideoX, **vae),
        scheduler=diffusers.DDIMScheduler(),
        **_text(text, text_encoder=t5, tokenizer=t5_tokenizer),
    )
