"""Fixtures of the writers' tests: a local vendor server, keys, a ledger, no waiting."""

from __future__ import annotations

import pytest

from storyreel.hosted.common import Timing
from storyreel.store.db import Database
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
