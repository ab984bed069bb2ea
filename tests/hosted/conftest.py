"""A local HTTP server that plays each vendor's documented protocol, and tiny media made here."""

from __future__ import annotations

import pytest

from storyreel.store.db import Database
from tests.local_server import FakeServer, Reply, Request, serving  # noqa: F401 (for the vendors)

W, H = 256, 108  # the picture size the tests ask for (2.39:1-ish)
SRC_W, SRC_H, SRC_FRAMES, SRC_FPS = 96, 54, 30, 24  # what the fake vendors send back


@pytest.fixture
def server():
    with serving(FakeServer()) as fake:
        yield fake


@pytest.fixture
def ledger(tmp_path):
    db = Database(tmp_path / "project.db")
    yield db
    db.close()
