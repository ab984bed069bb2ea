"""Fixtures of the writers' tests: a local vendor server, keys, a ledger, no waiting; and a
scripted writer backend, registered as `writer = "scripted"` for the test that asks for it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest

from storyreel.hosted.common import Timing
from storyreel.store.db import Database
from storyreel.writers.base import Completion, Reply, WriterBackend
from tests.run.conftest import make_project, register
from tests.writers.servers import KEYS, serve


@pytest.fixture
def server():
    with serve() as fake:
        yield fake


@pytest.fixture
def keys(monkeypatch):
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    return KEYS


@pytest.fixture
def ledger(tmp_path):
    with Database(tmp_path / "project.db") as db:
        yield db


@pytest.fixture
def fast():
    return Timing(poll_interval=0.0, poll_max=0.0, timeout=10.0, backoff=0.0, sleep=lambda s: None)


class ScriptedWriter(WriterBackend):
    """Answers with what the test's `answer` makes of the request, and keeps every request."""

    name: ClassVar[str] = "scripted"
    version: ClassVar[str] = "1"
    vision: ClassVar[bool] = True
    answer: ClassVar[Callable[[Completion], str]]
    asked: ClassVar[list[Completion]]

    def __init__(self, **settings: object):
        self.settings = settings  # the project's ledger and answers folder, as any writer gets

    def complete(self, request: Completion) -> Reply:
        type(self).asked.append(request)
        return Reply(text=type(self).answer(request), model="scripted-1")


@pytest.fixture
def scripted(monkeypatch) -> type[ScriptedWriter]:
    """A fresh `scripted` writer class: set its `answer`, read its `asked`."""
    cls = type("Scripted", (ScriptedWriter,), {"asked": [], "answer": staticmethod(lambda r: "")})
    register(monkeypatch, "writer", cls)
    return cls


def writer_project(
    root: Path, script: str, takes: int = 1, writer: str | None = "scripted"
) -> Path:
    """The run tests' tiny project (320x180, previz and camera) with a writer named."""
    make_project(root, takes=takes, script=script)
    if writer:
        with (root / "storyreel.toml").open("a") as f:
            f.write(f'writer = "{writer}"\n')
    return root


def last_user_text(request: Completion) -> str:
    return next(m.text for m in reversed(request.messages) if m.role == "user")
