"""Every set kind: painted with its depth layers, told apart from the others, lit by its time,
the same for the same seed; and characters dressed by their description in every shot."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from storyreel.config import ProjectConfig
from storyreel.files import png_bytes
from storyreel.model import ScenePlace, ShotSize
from storyreel.stills.previz.catalogue import KINDS
from storyreel.stills.previz.costume import read_costume
from tests.stills.conftest import luma, render, scene, shot

SETS = [(kind, interior) for kind, sides in sorted(KINDS.items()) for interior in sides]


def set_still(kind: str, interior: bool, time: str = "DAY", seed: int = 7, size=ShotSize.WS):
    heading = f"{'INT' if interior else 'EXT'}. SOMEWHERE - {time}"
    sc = scene(heading).model_copy(
        update={"place": ScenePlace(kind=kind, interior=interior, time=time.lower(), why="test")}
    )
    return render(shot(size, ()), sc, seed=seed)


def signature(still) -> np.ndarray:
    """What a set looks like, coarsely: each layer's coverage and mean colour by region, and
    the picture's brightness in a 6×3 grid."""
    feats = []
    for layer in still.layers[:3]:
        a = layer.rgba[..., 3:4] / 255.0
        for rows in np.array_split(np.arange(layer.rgba.shape[0]), 3):
            region, cover = layer.rgba[rows, :, :3] / 255.0, a[rows]
            feats += [cover.mean(), *((region * cover).sum((0, 1)) / max(cover.sum(), 1e-6))]
    small = luma(still.image)
    grid = [c.mean() / 255 for r in np.array_split(small, 3) for c in np.array_split(r, 6, axis=1)]
    return np.array(feats + grid)


def test_there_are_forty_set_kinds_inside_and_out():
    assert len(KINDS) >= 40
    assert (
        sum(True in s for s in KINDS.values()) >= 15
        and sum(False in s for s in KINDS.values()) >= 15
    )


@pytest.fixture(scope="module")
def day_stills():
    return {ks: set_still(*ks) for ks in SETS}


def test_every_set_has_its_layers_and_is_no_flat_card(day_stills):
    for (kind, interior), still in day_stills.items():
        assert still.meta["place"] == kind and still.meta["interior"] == interior
        assert [la.name for la in still.layers] == ["sky", "far", "mid", "subjects", "foreground"]
        assert (still.layers[0].rgba[..., 3] == 255).all()
        assert luma(still.image).std() > 8, kind
        built = sum(la.rgba[..., 3].mean() > 2 for la in still.layers[1:3])
        assert built >= 1, f"{kind}: nothing stands in the set"


def test_each_set_kind_is_recognisably_different_from_the_others(day_stills):
    """Another take of a set (seed 8) looks most like the same set (seed 7), not another kind."""
    sigs = {ks: signature(s) for ks, s in day_stills.items()}
    recognised = 0
    for ks in SETS:
        other = signature(set_still(*ks, seed=8))
        recognised += min(sigs, key=lambda k: np.abs(sigs[k] - other).mean()) == ks
    assert recognised >= 0.95 * len(SETS)
    closest = min(
        float(np.abs(sigs[a] - sigs[b]).mean()) for a, b in itertools.combinations(sigs, 2)
    )
    assert closest > 0.015  # no two kinds alike in their layers and colours


@pytest.mark.parametrize(("kind", "interior"), SETS)
def test_night_is_darker_than_day_and_takes_are_deterministic(kind, interior):
    day = set_still(kind, interior, "DAY")
    night = set_still(kind, interior, "NIGHT")
    assert luma(night.image).mean() < 0.8 * luma(day.image).mean(), kind
    again = set_still(kind, interior, "NIGHT")
    assert png_bytes(again.image) == png_bytes(night.image)
    other = set_still(kind, interior, "NIGHT", seed=8)
    assert np.abs(other.image.astype(int) - night.image.astype(int)).mean() > 0.5, kind


def test_a_forced_heading_is_not_a_sunny_field():
    sc = scene("EXT. X - DAY").model_copy(
        update={
            "heading": "INSIDE THE FERRY CABIN",
            "int_ext": "",
            "location": "INSIDE THE FERRY CABIN",
            "time_of_day": "",
        }
    )
    still = render(shot(ShotSize.WS, ()), sc)
    assert still.meta["place"] == "ship" and still.meta["interior"]


# --- costume ---------------------------------------------------------------------------------


def dressed_box(description: str, heading: str = "EXT. OPEN FIELD - DAY", size=ShotSize.FS):
    config = ProjectConfig.model_validate({"characters": {"MAYA": {"description": description}}})
    still = render(shot(size), scene(heading), config=config)
    return still.subject_boxes["MAYA"], still


def test_a_hat_adds_to_the_heads_silhouette_in_every_shot():
    for heading in ("EXT. OPEN FIELD - DAY", "INT. KITCHEN - NIGHT", "EXT. CITY STREET - DUSK"):
        bare, _ = dressed_box("a woman of 40, bald", heading)
        hat, _ = dressed_box("a woman of 40 in a wide-brimmed hat", heading)
        assert hat[1] < bare[1] - 2, heading  # the crown rises above the head
        assert (hat[2] - hat[0]) >= (bare[2] - bare[0]), heading  # and the brim is wider


def test_a_child_is_shorter_and_stands_on_the_same_ground():
    adult, _ = dressed_box("a woman of 40")
    child, _ = dressed_box("a girl of seven")
    assert (child[3] - child[1]) < 0.75 * (adult[3] - adult[1])
    assert abs(child[3] - adult[3]) <= 2


def test_costume_words_change_the_figure():
    def coverage(description):
        config = ProjectConfig.model_validate(
            {"characters": {"MAYA": {"description": description}}}
        )
        layer = render(shot(ShotSize.FS), config=config).layers[3].rgba[..., 3] > 128
        return layer

    dress, trousers = (
        coverage("a woman in a long summer dress"),
        coverage("a woman in a short jacket"),
    )
    assert dress.sum() > trousers.sum() * 1.05  # a skirt flares below the waist
    coat, jacket = coverage("a man in an overcoat"), coverage("a man in a leather jacket")
    assert coat.sum() > jacket.sum()


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (
            "a woman of 38, short dark hair, long grey wool coat",
            {"hair": "short", "long_coat": True},
        ),
        ("a man of 40 in a tired dark suit", {"suit": True, "long_coat": False, "age": "adult"}),
        ("a 38-year-old cop in uniform", {"uniform": True, "hair": "cap", "age": "adult"}),
        (
            "70s, white hair, a silk dressing gown",
            {"age": "old", "long_coat": True, "dress": False},
        ),
        ("a girl of seven in a yellow dress", {"age": "child", "dress": True}),
        ("a teenager (15) in a hoodie", {"age": "teen", "hair": "hood"}),
        ("a woman in a white swimsuit", {"suit": False, "long_coat": False}),
        ("he wears no hat", {"hair": None}),  # what the description negates is not worn
    ],
)
def test_the_words_a_costume_is_read_from(description, expected):
    worn = read_costume(description)
    assert {k: getattr(worn, k) for k in expected} == expected
