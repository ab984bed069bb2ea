"""The local writer through a tiny randomly-initialised Llama built here (its tokenizer trained
offline with `tokenizers`), saved to a folder and loaded by `from_pretrained`: it answers noise,
and `write` turns that into a clear failure after its repairs, writing nothing."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from storyreel.backends import load_backend
from storyreel.cli import app
from storyreel.writers.base import Completion, Message

torch = pytest.importorskip("torch", reason="the diffusion extra is not installed")
transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

CORPUS = [
    "INT. ARCHIVE - NIGHT",
    "Maya threads the reel and the screen flickers to life.",
    "EXT. HARBOUR - DAY Waves break over the pier.",
    '{"title": "a", "logline": "b", "synopsis": "c"}',
]
TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }} {% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-llama")
    tok = tokenizers.Tokenizer(tokenizers.models.WordLevel(unk_token="[UNK]"))
    tok.pre_tokenizer = tokenizers.pre_tokenizers.Whitespace()
    trainer = tokenizers.trainers.WordLevelTrainer(
        special_tokens=["[UNK]", "[PAD]", "</s>", "<|system|>", "<|user|>", "<|assistant|>"]
    )
    tok.train_from_iterator(CORPUS, trainer)
    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", eos_token="</s>"
    )
    fast.chat_template = TEMPLATE
    fast.save_pretrained(folder)
    config = transformers.LlamaConfig(
        vocab_size=fast.vocab_size,
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
    )
    torch.manual_seed(0)
    transformers.LlamaForCausalLM(config).save_pretrained(folder)
    return folder


def test_the_local_writer_answers_through_the_chat_template_the_same_for_a_seed(tiny_model):
    writer = load_backend("writer", f"transformers:{tiny_model}?max_new_tokens=12&device=cpu")
    ask = Completion([Message("system", "Write."), Message("user", "INT. ARCHIVE")], seed=3)
    first, again = writer.complete(ask), writer.complete(ask)
    assert first.text == again.text and 1 <= first.tokens_out <= 12
    # <|system|> Write . <|user|> INT . ARCHIVE <|assistant|>: the template's tokens
    assert first.tokens_in == 8
    assert (first.model, first.cost) == (str(tiny_model), 0.0)


def test_write_through_a_noise_model_fails_clearly_after_its_repairs(tiny_model, tmp_path):
    film = tmp_path / "film"
    film.mkdir()
    spec = f"transformers:{tiny_model}?max_new_tokens=16&device=cpu"
    result = CliRunner().invoke(
        app,
        ["write", "A woman finds a reel.", "-o", str(film / "script.fountain"), "--writer", spec],
    )
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "the writer's premise is not the JSON object asked for after 3 tries (2 repairs)" in said
    assert "not JSON" in said and "Traceback" not in result.output
    assert not (film / "script.fountain").exists() and not (film / "storyreel.toml").exists()
