"""Fixtures of the edit room's tests (helpers live in edit_helpers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# test modules import edit_helpers by name under any pytest import mode
sys.path.insert(0, str(Path(__file__).parent))

from edit_helpers import make_config, make_shotlist, write_wav  # noqa: E402

from storyreel.config import ProjectConfig
from storyreel.model import ShotList


@pytest.fixture
def shotlist() -> ShotList:
    return make_shotlist()


@pytest.fixture(params=["24", "24000/1001"], ids=["24", "23.976"])
def config(request) -> ProjectConfig:
    return make_config(request.param)


@pytest.fixture
def wav_file():
    return write_wav
