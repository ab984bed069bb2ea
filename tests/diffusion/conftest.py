"""Tiny, randomly initialised models of the real architectures, saved as diffusers folders.

Each is built once per session from configs (no download), with a tokenizer made offline by the
`tokenizers` library, and saved with `save_pretrained`; the backends load them back through the
same `from_pretrained` call a user's run makes with a hub id. Folder names follow the hub ids'
last part, so the registry gives each the real model's family.
"""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="the diffusion extra is not installed")
diffusers = pytest.importorskip("diffusers")
transformers = pytest.importorskip("transformers")

torch.set_num_threads(2)

WORDS = tuple(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "and",
        "with",
        "from",
        "by",
        "camera",
        "shot",
        "wide",
        "medium",
        "close",
        "up",
        "extreme",
        "full",
        "eye",
        "level",
        "low",
        "high",
        "angle",
        "overhead",
        "dutch",
        "woman",
        "man",
        "person",
        "grey",
        "coat",
        "rail",
        "pier",
        "waves",
        "night",
        "day",
        "interior",
        "exterior",
        "archive",
        "film",
        "can",
        "desk",
        "lights",
        "stands",
        "looks",
        "reel",
        "cinematic",
        "still",
        "highly",
        "detailed",
        "style",
        "dollies",
        "toward",
        "locked",
        "off",
        "tripod",
        "does",
        "not",
        "move",
        "pans",
        "left",
        "right",
        "zooms",
        "lens",
        "stays",
        "place",
        "smoothly",
        "slowly",
        "gently",
        "blurry",
        "quality",
        "deformed",
        "text",
        "watermark",
    ]
)


def clip_tokenizer():
    """CLIP's byte-pair model with a character vocabulary and no merges."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    chars = "abcdefghijklmnopqrstuvwxyz0123456789.,:;!?'-"
    vocab = {
        t: i
        for i, t in enumerate(
            ["<|startoftext|>", "<|endoftext|>", "<unk>", *chars, *(c + "</w>" for c in chars)]
        )
    }
    tok = Tokenizer(
        models.BPE(vocab=vocab, merges=[], unk_token="<unk>", end_of_word_suffix="</w>")
    )
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    return transformers.CLIPTokenizerFast(
        tokenizer_object=tok,
        bos_token="<|startoftext|>",
        eos_token="<|endoftext|>",
        unk_token="<unk>",
        pad_token="<|endoftext|>",
        model_max_length=77,
    )


def unigram(specials: list[str]):
    """A unigram model over the words above and single characters (so any text encodes)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    pieces = [(t, 0.0) for t in specials]
    pieces += [("\u2581" + w, -1.0) for w in dict.fromkeys(WORDS)]
    pieces += [(c, -5.0) for c in "\u2581abcdefghijklmnopqrstuvwxyz0123456789.,:;!?'-"]
    tok = Tokenizer(models.Unigram(pieces, unk_id=2, byte_fallback=False))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    return tok


def t5_tokenizer():
    return transformers.T5TokenizerFast(
        tokenizer_object=unigram(["<pad>", "</s>", "<unk>"]),
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        extra_ids=0,
        model_max_length=512,
    )


def gemma_tokenizer():
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=unigram(["<pad>", "<eos>", "<bos>", "<unk>"]),
        pad_token="<pad>",
        eos_token="<eos>",
        bos_token="<bos>",
        unk_token="<unk>",
        model_max_length=8192,
    )


def clip_text(projection: bool = False):
    torch.manual_seed(0)
    cls = transformers.CLIPTextModelWithProjection if projection else transformers.CLIPTextModel
    return cls(
        transformers.CLIPTextConfig(
            bos_token_id=0,
            eos_token_id=1,
            pad_token_id=1,
            hidden_size=32,
            intermediate_size=37,
            num_attention_heads=4,
            num_hidden_layers=2,
            vocab_size=256,
            projection_dim=32,
        )
    )


def t5(umt5: bool = False):
    torch.manual_seed(0)
    kw = dict(
        vocab_size=256,
        d_model=32,
        d_kv=8,
        d_ff=37,
        num_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        decoder_start_token_id=0,
        pad_token_id=0,
        eos_token_id=1,
    )
    if umt5:
        return transformers.UMT5EncoderModel(transformers.UMT5Config(**kw))
    return transformers.T5EncoderModel(transformers.T5Config(**kw))


def clip_vision(hidden: int = 32, image_size: int = 32, projection: bool = True):
    torch.manual_seed(0)
    cls = transformers.CLIPVisionModelWithProjection if projection else transformers.CLIPVisionModel
    return cls(
        transformers.CLIPVisionConfig(
            hidden_size=hidden,
            projection_dim=hidden,
            num_hidden_layers=2,
            num_attention_heads=2,
            image_size=image_size,
            intermediate_size=16,
            patch_size=image_size // 8,
        )
    )


def build_sd_turbo(path: Path) -> Path:
    torch.manual_seed(0)
    unet = diffusers.UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=1,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        norm_num_groups=16,
    )
    torch.manual_seed(0)
    vae = diffusers.AutoencoderKL(
        block_out_channels=(16, 32),
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        down_block_types=("DownEncoderBlock2D",) * 2,
        up_block_types=("UpDecoderBlock2D",) * 2,
        norm_num_groups=16,
    )
    pipe = diffusers.StableDiffusionPipeline(
        unet=unet,
        vae=vae,
        text_encoder=clip_text(),
        tokenizer=clip_tokenizer(),
        scheduler=diffusers.EulerDiscreteScheduler(timestep_spacing="trailing", steps_offset=1),
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(path)
    return path


def build_ltx(path: Path) -> Path:
    torch.manual_seed(0)
    transformer = diffusers.LTXVideoTransformer3DModel(
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
    torch.manual_seed(0)
    vae = diffusers.AutoencoderKLLTXVideo(
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
    pipe = diffusers.LTXImageToVideoPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(),
        text_encoder=t5(),
        tokenizer=t5_tokenizer(),
    )
    pipe.save_pretrained(path)
    return path


def build_svd(path: Path) -> Path:
    torch.manual_seed(0)
    unet = diffusers.UNetSpatioTemporalConditionModel(
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
    torch.manual_seed(0)
    vae = diffusers.AutoencoderKLTemporalDecoder(
        block_out_channels=(32, 64),
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        down_block_types=("DownEncoderBlock2D",) * 2,
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
    pipe = diffusers.StableVideoDiffusionPipeline(
        vae=vae,
        image_encoder=clip_vision(32, 224),
        unet=unet,
        scheduler=scheduler,  # SVD feeds it 224 px
        feature_extractor=transformers.CLIPImageProcessor(crop_size=224, size=224),
    )
    pipe.save_pretrained(path)
    return path


def wan_vae():
    torch.manual_seed(0)
    return diffusers.AutoencoderKLWan(
        base_dim=3,
        z_dim=16,
        dim_mult=[1, 1, 1, 1],
        num_res_blocks=1,
        temperal_downsample=[False, True, True],
    )


def wan_transformer(seed: int = 0, image_dim: int | None = None):
    torch.manual_seed(seed)
    return diffusers.WanTransformer3DModel(
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
        image_dim=image_dim,
    )


def build_wan(path: Path) -> Path:
    """Wan 2.1 I2V: one transformer that also reads the first frame's CLIP image tokens."""
    pipe = diffusers.WanImageToVideoPipeline(
        transformer=wan_transformer(image_dim=4),
        vae=wan_vae(),
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(shift=7.0),
        text_encoder=t5(umt5=True),
        tokenizer=t5_tokenizer(),
        image_encoder=clip_vision(4, projection=False),
        image_processor=transformers.CLIPImageProcessor(crop_size=32, size=32),
    )
    pipe.save_pretrained(path)
    return path


def build_wan22(path: Path) -> Path:
    """Wan 2.2 A14B: two experts (high noise, then low noise past `boundary_ratio`), no image encoder."""
    pipe = diffusers.WanImageToVideoPipeline(
        transformer=wan_transformer(0),
        transformer_2=wan_transformer(1),
        vae=wan_vae(),
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(shift=7.0),
        text_encoder=t5(umt5=True),
        tokenizer=t5_tokenizer(),
        boundary_ratio=0.9,
    )
    pipe.save_pretrained(path)
    return path


def build_cogvideox(path: Path) -> Path:
    torch.manual_seed(0)
    transformer = diffusers.CogVideoXTransformer3DModel(
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
    torch.manual_seed(0)
    vae = diffusers.AutoencoderKLCogVideoX(
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
    pipe = diffusers.CogVideoXImageToVideoPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=diffusers.DDIMScheduler(),
        text_encoder=t5(),
        tokenizer=t5_tokenizer(),
    )
    pipe.save_pretrained(path)
    return path


def small_vae(latent_channels: int):
    torch.manual_seed(0)
    return diffusers.AutoencoderKL(
        sample_size=32,
        in_channels=3,
        out_channels=3,
        block_out_channels=(4,),
        layers_per_block=1,
        latent_channels=latent_channels,
        norm_num_groups=1,
        use_quant_conv=False,
        use_post_quant_conv=False,
        shift_factor=0.0609,
        scaling_factor=1.5035,
    )


def build_sdxl_turbo(path: Path) -> Path:
    torch.manual_seed(0)
    unet = diffusers.UNet2DConditionModel(
        block_out_channels=(32, 64),
        layers_per_block=1,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4),
        use_linear_projection=True,
        addition_embed_type="text_time",
        addition_time_embed_dim=8,
        transformer_layers_per_block=(1, 2),
        projection_class_embeddings_input_dim=80,
        cross_attention_dim=64,
        norm_num_groups=16,
    )
    torch.manual_seed(0)
    vae = diffusers.AutoencoderKL(
        block_out_channels=(16, 32),
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        down_block_types=("DownEncoderBlock2D",) * 2,
        up_block_types=("UpDecoderBlock2D",) * 2,
        norm_num_groups=16,
    )
    pipe = diffusers.StableDiffusionXLPipeline(
        unet=unet,
        vae=vae,
        text_encoder=clip_text(),
        tokenizer=clip_tokenizer(),
        text_encoder_2=clip_text(projection=True),
        tokenizer_2=clip_tokenizer(),
        scheduler=diffusers.EulerDiscreteScheduler(timestep_spacing="trailing", steps_offset=1),
    )
    pipe.save_pretrained(path)
    return path


def build_flux_schnell(path: Path) -> Path:
    torch.manual_seed(0)
    transformer = diffusers.FluxTransformer2DModel(
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
    pipe = diffusers.FluxPipeline(
        transformer=transformer,
        vae=small_vae(1),
        text_encoder=clip_text(),
        tokenizer=clip_tokenizer(),
        text_encoder_2=t5(),
        tokenizer_2=t5_tokenizer(),
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(),
    )
    pipe.save_pretrained(path)
    return path


def build_sd35(path: Path) -> Path:
    torch.manual_seed(0)
    transformer = diffusers.SD3Transformer2DModel(
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
    pipe = diffusers.StableDiffusion3Pipeline(
        transformer=transformer,
        vae=small_vae(4),
        text_encoder=clip_text(projection=True),
        tokenizer=clip_tokenizer(),
        text_encoder_2=clip_text(projection=True),
        tokenizer_2=clip_tokenizer(),
        text_encoder_3=t5(),
        tokenizer_3=t5_tokenizer(),
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(),
    )
    pipe.save_pretrained(path)
    return path


def build_sd35_large(path: Path) -> Path:
    """SD 3.5 Large (and Large Turbo): the MMDiT with RMS-normed queries and keys, no dual attention."""
    torch.manual_seed(0)
    transformer = diffusers.SD3Transformer2DModel(
        sample_size=32,
        patch_size=2,
        in_channels=4,
        num_layers=2,
        attention_head_dim=16,
        num_attention_heads=2,
        caption_projection_dim=32,
        joint_attention_dim=32,
        pooled_projection_dim=64,
        out_channels=4,
        pos_embed_max_size=32,
        qk_norm="rms_norm",
    )
    pipe = diffusers.StableDiffusion3Pipeline(
        transformer=transformer,
        vae=small_vae(4),
        text_encoder=clip_text(projection=True),
        tokenizer=clip_tokenizer(),
        text_encoder_2=clip_text(projection=True),
        tokenizer_2=clip_tokenizer(),
        text_encoder_3=t5(),
        tokenizer_3=t5_tokenizer(),
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(shift=3.0),
    )
    pipe.save_pretrained(path)
    return path


def build_sana_sprint(path: Path) -> Path:
    torch.manual_seed(0)
    transformer = diffusers.SanaTransformer2DModel(
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
    torch.manual_seed(0)
    vae = diffusers.AutoencoderDC(
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
    torch.manual_seed(0)
    gemma = transformers.Gemma2Model(
        transformers.Gemma2Config(
            head_dim=16,
            hidden_size=8,
            intermediate_size=64,
            num_attention_heads=2,
            num_hidden_layers=1,
            num_key_value_heads=2,
            vocab_size=256,
            attn_implementation="eager",
        )
    )
    pipe = diffusers.SanaSprintPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=diffusers.SCMScheduler(),
        text_encoder=gemma,
        tokenizer=gemma_tokenizer(),
    )
    pipe.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def models(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def sd_turbo(models) -> Path:
    return build_sd_turbo(models / "sd-turbo")


@pytest.fixture(scope="session")
def ltx(models) -> Path:
    return build_ltx(models / "LTX-Video")


@pytest.fixture(scope="session")
def svd(models) -> Path:
    return build_svd(models / "stable-video-diffusion-img2vid-xt")


@pytest.fixture(scope="session")
def wan(models) -> Path:
    return build_wan(models / "Wan2.1-I2V-14B-480P-Diffusers")


@pytest.fixture(scope="session")
def wan22(models) -> Path:
    return build_wan22(models / "Wan2.2-I2V-A14B-Diffusers")


@pytest.fixture(scope="session")
def cogvideox(models) -> Path:
    return build_cogvideox(models / "CogVideoX-5b-I2V")


STILL_MODELS = {  # fixture name → builder and the hub id's last part
    "sdxl_turbo": (build_sdxl_turbo, "sdxl-turbo"),
    "flux_schnell": (build_flux_schnell, "FLUX.1-schnell"),
    "sd35": (build_sd35, "stable-diffusion-3.5-medium"),
    "sd35_large": (build_sd35_large, "stable-diffusion-3.5-large"),
    "sd35_large_turbo": (build_sd35_large, "stable-diffusion-3.5-large-turbo"),
    "sana_sprint": (build_sana_sprint, "Sana_Sprint_0.6B_1024px_diffusers"),
}


@pytest.fixture(scope="session")
def still_model(models, request) -> Path:
    build, folder = STILL_MODELS[request.param]
    return build(models / folder)
