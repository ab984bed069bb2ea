"""Fixtures every room's tests share: the browser the studio's pages are checked in."""

from __future__ import annotations

import pytest

from tests.studio.conftest import ARGS, CHROMIUM


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
