"""The backend registry finds backends by entry point and suggests names for typos."""

import pytest

from storyreel.backends import available, load_backend, split_spec
from storyreel.errors import StoryreelError


def test_split_spec():
    assert split_spec("diffusers:stabilityai/sdxl-turbo") == ("diffusers", "stabilityai/sdxl-turbo")
    assert split_spec("previz") == ("previz", None)


def test_entry_points_are_registered():
    assert "previz" in available("stills")
    assert "camera" in available("motion")


def test_unknown_backend_suggests():
    with pytest.raises(StoryreelError, match="did you mean previz"):
        load_backend("stills", "previs")
