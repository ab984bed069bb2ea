"""Characters stay themselves: identity from a stable hash, overrides, reference images."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from storyreel.config import ProjectConfig
from storyreel.errors import StoryreelError
from storyreel.model import ShotSize
from storyreel.stills.previz.figures import HAIRS, identity_for
from tests.stills.conftest import render, shot

_PRINT = (
    "from storyreel.config import ProjectConfig; from storyreel.stills.previz.figures import "
    "identity_for; print(identity_for('MAYA', ProjectConfig()))"
)


def test_identity_is_stable_across_processes():
    runs = {
        subprocess.run(
            [sys.executable, "-c", _PRINT],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(runs) == 1
    assert identity_for("maya", ProjectConfig()) == identity_for("MAYA", ProjectConfig())


def test_different_names_look_different():
    looks = {
        (i.accent, i.hair, round(i.build, 2))
        for i in (
            identity_for(n, ProjectConfig()) for n in ("MAYA", "ELIAS", "RUTH", "GIRL", "WOMAN")
        )
    }
    assert len(looks) == 5
    assert all(identity_for(n, ProjectConfig()).hair in HAIRS for n in ("A", "B", "C"))


def test_overrides_from_the_project():
    config = ProjectConfig.model_validate(
        {"characters": {"maya": {"color": "#ff0000", "build": 1.4, "height": 0.7, "hair": "hat"}}}
    )
    ident = identity_for("MAYA", config)
    assert ident.accent == (1.0, 0.0, 0.0) and ident.build == 1.4 and ident.height == 0.7
    assert ident.hair == "hat"


def test_build_and_height_change_the_silhouette():
    def box(build, height):
        config = ProjectConfig.model_validate(
            {"characters": {"MAYA": {"build": build, "height": height}}}
        )
        x0, y0, x1, y1 = render(shot(ShotSize.FS), config=config).subject_boxes["MAYA"]
        return x1 - x0, y1 - y0

    (w1, h1), (w2, h2) = box(0.7, 0.8), box(1.5, 1.3)
    assert w2 > w1 * 1.5 and h2 > h1 * 1.3


def test_a_reference_image_lends_its_colour(tmp_path):
    Image.new("RGB", (16, 16), (20, 60, 200)).save(tmp_path / "maya.png")
    config = ProjectConfig.model_validate({"characters": {"MAYA": {"refs": ["maya.png"]}}})
    accent = identity_for("MAYA", config, tmp_path).accent
    assert np.allclose(accent, (20 / 255, 60 / 255, 200 / 255), atol=0.02)


@pytest.mark.parametrize(
    ("content", "message"), [(b"not a picture", "not an image"), (None, "not found")]
)
def test_a_bad_reference_image_names_the_file(tmp_path, content, message):
    if content is not None:
        (tmp_path / "maya.jpg").write_bytes(content)
    config = ProjectConfig.model_validate({"characters": {"MAYA": {"refs": ["maya.jpg"]}}})
    with pytest.raises(StoryreelError, match=message) as e:
        render(shot(), config=config, root=tmp_path)
    assert e.value.path == str(tmp_path / "maya.jpg")
