"""A language model on this machine (`transformers:MODEL_OR_FOLDER`) through Hugging Face
`transformers`: `AutoTokenizer` and `AutoModelForCausalLM.from_pretrained` of a hub id or a
saved folder. The conversation goes through the tokenizer's chat template when it has one, else
a plain `role: text` transcript. Sampling is seeded by the request's seed, so the same request
gives the same answer; with no temperature the answer is greedy. Nothing is paid, so nothing
goes in the ledger; the room's stages still store each answer by key. A schema is not enforced
while decoding: the room checks the answer and asks again.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any, ClassVar

from storyreel.backends import Argument, Option, choice
from storyreel.errors import StoryreelError
from storyreel.store.objects import fingerprint
from storyreel.writers.base import Completion, Reply, WriterBackend


def _whole(text: str) -> int:
    n = int(text)
    if n <= 0:
        raise ValueError(text)
    return n


def _require(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise StoryreelError(
            f"transformers: the Python package {name!r} is missing; "
            "pip install 'storyreel[diffusion]'"
        ) from None


class TransformersWriter(WriterBackend):
    name: ClassVar[str] = "transformers"
    version: ClassVar[str] = "1"
    extra: ClassVar[str | None] = "diffusion"
    packages: ClassVar[tuple[str, ...]] = ("torch", "transformers")
    gpu: ClassVar[bool] = True
    argument: ClassVar[Argument | None] = Argument(
        "model", "a hub model id or a saved model's folder", "Qwen/Qwen2.5-1.5B-Instruct", True
    )
    options: ClassVar[dict[str, Option]] = {
        "device": choice(
            "where the model runs (auto: CUDA when there is one)", "auto", "cpu", "cuda"
        ),
        "max_new_tokens": Option(
            "whole number > 0", "caps the answer's tokens below the request's", "512", _whole
        ),
    }

    def __init__(self, model: str | None = None, **_: Any):
        """`model` is the spec's argument; the ledger and answers folder of the hosted writers
        are not needed (nothing is paid for)."""
        value, self.settings = self.check(model)
        self.model = value or ""
        self._loaded: tuple[Any, Any, str] | None = None

    def cache_token(self, shot: Any, root: Any) -> str:
        """The model and settings, and for a folder its files' sizes and times (a model saved
        again over the same folder answers differently)."""
        folder = Path(self.model)
        files = (
            [[p.name, *fingerprint(p)] for p in sorted(folder.iterdir()) if p.is_file()]
            if folder.is_dir()
            else []
        )
        return json.dumps([self.model, self.settings, files], sort_keys=True)

    def _load(self) -> tuple[Any, Any, str]:
        if self._loaded is None:
            torch = _require("torch")
            hf = _require("transformers")
            device = self.settings.get("device", "auto")
            if device == "auto":
                device = "cuda" if torch.cuda.is_available() else "cpu"
            try:
                tokenizer = hf.AutoTokenizer.from_pretrained(self.model)
                model = hf.AutoModelForCausalLM.from_pretrained(self.model).to(device).eval()
            except (OSError, ValueError) as e:
                raise StoryreelError(f"transformers: cannot load {self.model!r}: {e}") from None
            self._loaded = (tokenizer, model, device)
        return self._loaded

    def complete(self, request: Completion) -> Reply:
        torch = _require("torch")
        tokenizer, model, device = self._load()
        turns = [{"role": m.role, "content": m.text} for m in request.messages]
        if tokenizer.chat_template:
            ids = tokenizer.apply_chat_template(
                turns, add_generation_prompt=True, return_tensors="pt", return_dict=True
            )["input_ids"]
        else:
            transcript = "".join(f"{t['role']}: {t['content']}\n\n" for t in turns)
            ids = tokenizer(transcript + "assistant:", return_tensors="pt")["input_ids"]
        ids = ids.to(device)
        limit = min(request.max_tokens, self.settings.get("max_new_tokens", request.max_tokens))
        sample = bool(request.temperature)
        generator_seed = request.seed if request.seed is not None else 0
        torch.manual_seed(generator_seed)
        kwargs: dict[str, Any] = {"max_new_tokens": limit, "do_sample": sample}
        if sample:
            kwargs["temperature"] = request.temperature
        pad = (
            tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        )
        with torch.no_grad():
            out = model.generate(
                ids, attention_mask=torch.ones_like(ids), pad_token_id=pad, **kwargs
            )
        new = out[0, ids.shape[1] :]
        text = tokenizer.decode(new, skip_special_tokens=True)
        if request.on_text is not None:
            request.on_text(text)
        return Reply(
            text=text,
            model=self.model,
            tokens_in=int(ids.shape[1]),
            tokens_out=int(new.shape[0]),
            cost=0.0,
            meta={"device": device},
        )
