from __future__ import annotations

from pathlib import Path

import pytest

from tests.run.conftest import decode, make_project

CHROMIUM = "/usr/bin/chromium"
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


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
