"""Fixtures of the edit room's tests (helpers live in edit_helpers.py)."""

from __future__ import annotations

import pytest

from storyreel.config import ProjectConfig
from storyreel.model import ShotList
from tests.edit.edit_helpers import make_config, make_shotlist, write_wav


@pytest.fixture
def shotlist() -> ShotList:
    return make_shotlist()


@pytest.fixture(params=["24", "24000/1001"], ids=["24", "23.976"])
def config(request) -> ProjectConfig:
    return make_config(request.param)


@pytest.fixture
def wav_file():
    return write_wav
