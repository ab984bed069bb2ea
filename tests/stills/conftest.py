"""Shots and scenes made by hand, a small picture size, and a helper that renders one still."""

from __future__ import annotations

import colorsys

import numpy as np
import pytest

from storyreel.config import ProjectConfig
from storyreel.model import Angle, Scene, Shot, ShotSize, SourceSpan, Still
from storyreel.stills.base import StillRequest
from storyreel.stills.previz import PrevizBackend

W, H = 320, 134
SPAN = SourceSpan(path="script.fountain", start=1, end=1)


def scene(heading: str = "EXT. OPEN FIELD - DAY", synopsis: str | None = None) -> Scene:
    int_ext, _, rest = heading.partition(". ")
    location, _, time = rest.partition(" - ")
    return Scene(
        id=location.lower().replace(" ", "-"),
        number="1",
        heading=heading,
        int_ext=int_ext,
        location=location,
        time_of_day=time,
        synopsis=synopsis,
        lines=SPAN,
    )


def shot(
    size: ShotSize = ShotSize.MS,
    subjects: tuple[str, ...] = ("MAYA",),
    angle: Angle = Angle.EYE,
    description: str = "",
    scene_id: str = "open-field",
    seed: int | None = None,
    shot_id: str = "s1",
) -> Shot:
    return Shot(
        id=shot_id,
        scene_id=scene_id,
        size=size,
        angle=angle,
        subjects=list(subjects),
        description=description,
        lines=SPAN,
        duration=3.0,
        seed=seed,
    )


def render(
    sh: Shot,
    sc: Scene | None = None,
    seed: int = 7,
    config: ProjectConfig | None = None,
    size: tuple[int, int] = (W, H),
    root=None,
) -> Still:
    request = StillRequest(
        shot=sh,
        scene=sc or scene(),
        config=config or ProjectConfig(),
        seed=seed,
        size=size,
        project_root=root,
    )
    return PrevizBackend().generate(request)


def luma(image: np.ndarray) -> np.ndarray:
    return image[..., :3].astype(np.float64) @ np.array([0.2126, 0.7152, 0.0722])


def hue_deg(rgb) -> float:
    return colorsys.rgb_to_hsv(*(np.asarray(rgb, float) / 255))[0] * 360


@pytest.fixture
def neutral() -> ProjectConfig:
    """A look that leaves colours alone, so hues can be measured."""
    return ProjectConfig.model_validate(
        {"look": {"palette": "neutral", "contrast": 1.0, "grain": 0.0}}
    )
