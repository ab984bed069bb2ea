"""The handoff's tests cut the edit room's test films and render the run room's small one."""

from tests.edit.conftest import config, shotlist
from tests.run.conftest import project

__all__ = ["config", "project", "shotlist"]
