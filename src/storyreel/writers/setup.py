"""The project's writer backend, or a message that says exactly how to get one.

Every command of the writers' room that reads the reel back (`revise`, the critic, `doctor`'s
reading) asks here, so a project without `[backends] writer` gets the same advice as `write`
(`storyreel.writers.hosted.no_writer_message`), and every answer goes through the project's
ledger (`.storyreel/writers/`), never paid for twice.
"""

from __future__ import annotations

from storyreel.backends import load_backend
from storyreel.errors import StoryreelError
from storyreel.store.db import Database
from storyreel.store.project import Project
from storyreel.writers.base import WriterBackend
from storyreel.writers.hosted import no_writer_message


def writer_of(
    project: Project, ledger: Database | None = None, vision: bool = False
) -> WriterBackend:
    """The project's writer backend, its answers kept in `ledger` (the project's database);
    `vision`: one that can look at images (the critic)."""
    spec = project.config.backends.writer
    if not spec:
        raise StoryreelError(no_writer_message())
    writer = load_backend("writer", spec, ledger=ledger, answers=project.state_dir / "writers")
    if vision and not writer.vision:
        raise StoryreelError(
            f"the writer {spec!r} cannot look at images; the critic needs a vision model "
            '(e.g. "openai:gpt-4.1-mini", "anthropic:claude-sonnet-4-5", "gemini:gemini-2.5-flash")'
        )
    return writer
