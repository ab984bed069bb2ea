"""The project's writer backend, or a message that says exactly how to get one.

Every command of the writers' room that needs a model (`revise`, the critic, `doctor`'s reading)
asks here, so a project without `[backends] writer` gets the same advice from each.
"""

from __future__ import annotations

from storyreel.backends import load_backend
from storyreel.config import ProjectConfig
from storyreel.errors import StoryreelError
from storyreel.writers.base import WriterBackend

NO_WRITER = (
    "no writer configured: name a language model in storyreel.toml, [backends] writer = "
    '"openai:gpt-4o" (with OPENAI_API_KEY set), "anthropic:claude-sonnet-4-5" (ANTHROPIC_API_KEY), '
    '"gemini:gemini-2.5-flash" (GEMINI_API_KEY), or a local one: `ollama pull qwen2.5vl` and '
    '"openai:qwen2.5vl?base_url=http://localhost:11434/v1"'
)


def writer_of(config: ProjectConfig, vision: bool = False) -> WriterBackend:
    """The project's writer backend; `vision`: one that can look at images (the critic)."""
    spec = config.backends.writer
    if not spec:
        raise StoryreelError(NO_WRITER)
    writer = load_backend("writer", spec)
    if vision and not writer.vision:
        raise StoryreelError(
            f"the writer {spec!r} cannot look at images; the critic needs a vision model "
            '(e.g. "openai:gpt-4o", "anthropic:claude-sonnet-4-5", "gemini:gemini-2.5-flash")'
        )
    return writer
