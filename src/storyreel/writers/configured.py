"""Which writer a command uses, and what it says when there is none: one place for every writer
command (`write`, `revise`, `doctor`, the critic), so they all say the same thing."""

from __future__ import annotations

from pathlib import Path

from storyreel.backends import load_backend
from storyreel.config import ProjectConfig
from storyreel.errors import StoryreelError
from storyreel.store.db import Database
from storyreel.writers.base import WriterBackend

LOCAL_MODEL = "llama3.2"
OLLAMA_SPEC = f"openai:{LOCAL_MODEL}?base_url=http://localhost:11434/v1"


def no_writer_message() -> str:
    """What every writer command says when no writer is configured: how to get one."""
    return (
        'no writer: name a language model with --writer SPEC or `[backends] writer = "SPEC"` in '
        f"storyreel.toml. A local one: install Ollama (https://ollama.com), run `ollama pull "
        f'{LOCAL_MODEL}`, and use --writer "{OLLAMA_SPEC}". A hosted one: set OPENAI_API_KEY '
        "(openai:gpt-4.1-mini), ANTHROPIC_API_KEY (anthropic:claude-sonnet-4-5) or "
        "GEMINI_API_KEY (gemini:gemini-2.5-flash). A model on this machine: "
        "transformers:MODEL_OR_FOLDER (pip install 'storyreel[diffusion]')"
    )


def writer_spec(given: str | None, config: ProjectConfig) -> str:
    """The writer a command uses: `--writer`, else the project's `[backends] writer`; with
    neither, the error that says how to get one (exit 2)."""
    spec = (given or config.backends.writer or "").strip()
    if not spec:
        raise StoryreelError(no_writer_message())
    return spec


def open_writer(spec: str, ledger: Database | None, answers: Path | None) -> WriterBackend:
    """The writer `spec` names, its requests kept in `ledger` and its answers in `answers` (a
    project's database and `.storyreel/writers/`), so none is paid for twice."""
    return load_backend("writer", spec, ledger=ledger, answers=answers)
