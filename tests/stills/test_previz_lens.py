"""The lens in previz stills: the shot size holds the subject, the lens decides what is behind it."""

from __future__ import annotations

import numpy as np
import pytest

from storyreel.config import ProjectConfig
from storyreel.lens import DEFAULT_LENS_MM
from storyreel.model import Angle, Shot, ShotSize
from storyreel.run.takes import still_key
from storyreel.stills.previz import PrevizBackend
from storyreel.stills.previz.lens import defocus
from tests.stills.conftest import SPAN, H, W, render, scene, shot

CITY = scene("EXT. CITY STREET - DUSK")


def lensed(mm: float | None, size: ShotSize = ShotSize.WS, subjects=("MAYA",), sc=CITY, **kw):
    return render(shot(size, subjects, **kw).model_copy(update={"lens": mm}), sc)


def alpha(still, name: str) -> np.ndarray:
    return next(lay for lay in still.layers if lay.name == name).rgba[..., 3]


def reach_above_horizon(still) -> float:
    """How far the far layer (the skyline) rises above the horizon, in pixels."""
    rows = np.flatnonzero((alpha(still, "far") > 128).any(axis=1))
    return still.meta["horizon"] - rows[0]


def rooftops(still) -> int:
    """The buildings on the skyline: peaks of the far layer's silhouette along the frame."""
    solid = alpha(still, "far") > 128
    top = np.convolve(
        np.where(solid.any(axis=0), solid.argmax(axis=0), H).astype(float), np.ones(5) / 5, "same"
    )
    slope = np.sign(np.diff(top))
    return int(((slope[:-1] < 0) & (slope[1:] >= 0)).sum())


def test_no_lens_draws_exactly_what_it_drew_before_and_keeps_its_keys():
    bare = Shot(
        id="s1",
        scene_id="city-street",
        size=ShotSize.WS,
        subjects=["MAYA"],
        lines=SPAN,
        duration=3.0,
    )
    unset = bare.model_copy(update={"lens": None})
    a, b = (
        render(bare, CITY),
        render(unset, CITY, config=ProjectConfig.model_validate({"look": {"lens": None}})),
    )
    assert np.array_equal(a.image, b.image) and "lens" not in a.meta
    assert all(
        np.array_equal(x.rgba, y.rgba) and x.depth == y.depth
        for x, y in zip(a.layers, b.layers, strict=True)
    )
    # the default focal length is the same picture: the lens only changes what differs from it
    c = render(bare.model_copy(update={"lens": DEFAULT_LENS_MM}), CITY)
    assert np.array_equal(a.image, c.image) and c.meta["lens"] == DEFAULT_LENS_MM

    def key(s: Shot, config: ProjectConfig) -> str:
        return still_key(s, CITY, config, PrevizBackend(), 0, 7, (W, H), None)

    plain = ProjectConfig()
    assert key(bare, plain) == key(unset, ProjectConfig.model_validate({"look": {"lens": None}}))
    assert key(bare, plain) != key(bare.model_copy(update={"lens": 85.0}), plain)
    assert key(bare, plain) != key(bare, ProjectConfig.model_validate({"look": {"lens": 85}}))


def test_a_long_lens_keeps_the_subject_and_brings_the_skyline_up_behind_it():
    wide, normal, long = (lensed(mm) for mm in (24.0, None, 85.0))
    assert wide.subject_boxes == normal.subject_boxes == long.subject_boxes
    assert np.array_equal(alpha(wide, "subjects"), alpha(long, "subjects"))
    rise = [reach_above_horizon(s) for s in (wide, normal, long)]
    assert (
        rise[0] * 1.3 < rise[1] and rise[1] * 1.5 < rise[2]
    )  # 0.62× and 2.2× (the tallest may leave)
    far = [(alpha(s, "far") > 128).mean() for s in (wide, normal, long)]
    assert far[0] < far[1] < far[2]
    # a narrower slice of the set behind: fewer buildings on the skyline; a wide lens shows more
    tops = [rooftops(s) for s in (wide, normal, long)]
    assert tops[0] > tops[1] * 1.2 and tops[1] > tops[2] * 1.5


def test_the_look_lens_applies_and_a_shot_lens_wins():
    config = ProjectConfig.model_validate({"look": {"lens": 85}})
    by_look = render(shot(ShotSize.WS), CITY, config=config)
    assert np.array_equal(by_look.image, lensed(85.0).image)
    overridden = render(shot(ShotSize.WS).model_copy(update={"lens": 24.0}), CITY, config=config)
    assert np.array_equal(overridden.image, lensed(24.0).image)


def test_what_stands_before_the_subject_stays_as_painted_while_the_set_behind_changes():
    ots = [lensed(mm, ShotSize.OTS, ("MAYA", "ELIAS")) for mm in (24.0, None, 85.0)]
    assert all(np.array_equal(alpha(s, "foreground"), alpha(ots[1], "foreground")) for s in ots)
    assert ots[0].subject_boxes == ots[1].subject_boxes == ots[2].subject_boxes
    # against the set, the near shoulder looms at 24 mm and recedes at 85 mm
    assert reach_above_horizon(ots[0]) < reach_above_horizon(ots[1]) < reach_above_horizon(ots[2])


def test_a_long_lens_softens_what_is_out_of_focus_and_a_wide_one_does_not():
    subject = 6.0
    assert defocus(subject, subject, 135.0, 960) == 0.0  # the focus stays on the subject
    assert (
        defocus(600.0, subject, 24.0, 960) == 0.0 == defocus(600.0, subject, DEFAULT_LENS_MM, 960)
    )
    assert 0.5 < defocus(600.0, subject, 85.0, 960) < defocus(600.0, subject, 135.0, 960)


@pytest.mark.parametrize("mm", [12.0, 135.0])
def test_every_angle_and_place_composites_through_any_lens(mm):
    for angle, heading in (
        (Angle.DUTCH, "INT. KITCHEN - NIGHT"),
        (Angle.OVERHEAD, "EXT. FOREST - DAY"),
        (Angle.HIGH, "EXT. BEACH - DAY"),
        (Angle.LOW, "INT. CAR - NIGHT"),
    ):
        still = lensed(mm, ShotSize.MS, ("MAYA", "ELIAS"), scene(heading, "Rain."), angle=angle)
        assert (still.layers[0].rgba[..., 3] == 255).all()  # the backdrop still fills the frame
        out = still.layers[0].rgba[..., :3].astype(np.float64)
        for lay in still.layers[1:]:
            a = lay.rgba[..., 3:4] / 255.0
            out = np.round(lay.rgba[..., :3] * a + out * (1 - a))
        assert np.abs(out - still.image).max() <= 1, (angle, heading)
