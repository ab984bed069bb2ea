from __future__ import annotations

from pathlib import Path

import pytest

from tests.run.conftest import decode, make_project

CHROMIUM = "/usr/bin/chromium"  # Debian's; the `browser` fixture (tests/conftest.py) runs it
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

__all__ = ["decode", "make_project"]


@pytest.fixture
def film(tmp_path: Path) -> Path:
    return make_project(tmp_path / "film", takes=2)
