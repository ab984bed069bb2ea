"""The handoff's tests cut the edit room's test films (tests/edit/edit_helpers.py)."""

from tests.edit.conftest import config, shotlist

__all__ = ["config", "shotlist"]
