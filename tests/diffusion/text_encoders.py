"""Tiny text encoders and their tokenizers, made offline (no download) with `tokenizers`.

The tokenizers know the words of the test prompts and every single character, so any prompt
encodes; the encoders are two small random layers of the real classes. Only `transformers` is
needed, so the sound tests' MusicGen shares them without importing diffusers.
"""

from __future__ import annotations

import torch
import transformers
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

_PROMPT_WORDS = """
a an the of in on at to and with from by camera shot wide medium close up extreme full eye level
low high angle overhead dutch woman man person grey coat rail pier waves night day interior
exterior archive film can desk lights stands looks reel cinematic still highly detailed style
dollies toward locked off tripod does not move pans left right zooms lens stays place smoothly
slowly gently blurry quality deformed text watermark
"""
WORDS = tuple(_PROMPT_WORDS.split())
CHARS = "abcdefghijklmnopqrstuvwxyz0123456789.,:;!?'-"

T5 = dict(  # a T5 (and UMT5) of two layers, 32 wide
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


def clip_tokenizer() -> transformers.CLIPTokenizerFast:
    """CLIP's byte-pair model with a character vocabulary and no merges."""
    specials = ["<|startoftext|>", "<|endoftext|>", "<unk>"]
    vocab = {t: i for i, t in enumerate([*specials, *CHARS, *(c + "</w>" for c in CHARS)])}
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


def _unigram(specials: list[str]) -> Tokenizer:
    """A unigram model over `WORDS` and single characters (so any text encodes)."""
    pieces = [(t, 0.0) for t in specials]
    pieces += [("\u2581" + w, -1.0) for w in WORDS]
    pieces += [(c, -5.0) for c in "\u2581" + CHARS]
    tok = Tokenizer(models.Unigram(pieces, unk_id=2, byte_fallback=False))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    return tok


def t5_tokenizer() -> transformers.T5TokenizerFast:
    return transformers.T5TokenizerFast(
        tokenizer_object=_unigram(["<pad>", "</s>", "<unk>"]),
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        extra_ids=0,
        model_max_length=512,
    )


def gemma_tokenizer() -> transformers.PreTrainedTokenizerFast:
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=_unigram(["<pad>", "<eos>", "<bos>", "<unk>"]),
        pad_token="<pad>",
        eos_token="<eos>",
        bos_token="<bos>",
        unk_token="<unk>",
        model_max_length=8192,
    )


def clip_text(projection: bool = False) -> transformers.CLIPTextModel:
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


def t5(umt5: bool = False) -> transformers.T5EncoderModel:
    torch.manual_seed(0)
    if umt5:
        return transformers.UMT5EncoderModel(transformers.UMT5Config(**T5))
    return transformers.T5EncoderModel(transformers.T5Config(**T5))


def gemma() -> transformers.Gemma2Model:
    """Gemma 2, Sana's text encoder: one layer 8 wide."""
    torch.manual_seed(0)
    return transformers.Gemma2Model(
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
