"""The previz backend: composition from film grammar, light, continuity, takes and layers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from storyreel.backends import load_backend
from storyreel.config import ProjectConfig, load_config
from storyreel.errors import StoryreelError
from storyreel.files import png_bytes
from storyreel.model import Angle, ShotSize
from storyreel.script.breakdown import breakdown_script
from storyreel.stills.previz.sets import place_of
from tests.stills.conftest import H, W, hue_deg, luma, render, scene, shot


def box_share(still, name="MAYA") -> float:
    x0, y0, x1, y1 = still.subject_boxes[name]
    return (x1 - x0) * (y1 - y0) / (W * H)


def horizon_row(still, column: slice = slice(None)) -> int:
    """Where the sky meets the ground in the sky layer: the sharpest step in brightness."""
    rows = luma(still.layers[0].rgba[:, column]).mean(axis=1)
    return int(np.argmax(np.abs(np.diff(rows)))) + 1


def test_the_registry_finds_previz():
    backend = load_backend("stills", "previz")
    assert backend.name == "previz" and backend.version


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_closer_sizes_frame_the_subject_larger(seed):
    shares = [
        box_share(render(shot(size), seed=seed)) for size in (ShotSize.WS, ShotSize.MS, ShotSize.CU)
    ]
    assert shares[0] < shares[1] < shares[2]
    assert shares[0] < 0.12  # a wide shot is mostly place


def test_a_close_up_is_a_head_filling_the_frame():
    x0, y0, x1, y1 = render(shot(ShotSize.CU)).subject_boxes["MAYA"]
    assert y1 - y0 > 0.9 * H  # from the top of the frame to below it
    ews = render(shot(ShotSize.EWS)).subject_boxes["MAYA"]
    assert ews[3] - ews[1] < 0.15 * H  # a tiny figure in a vast place


def test_rule_of_thirds_and_lead_room():
    for seed in range(1, 6):
        still = render(shot(ShotSize.MS), seed=seed)
        x0, _, x1, _ = still.subject_boxes["MAYA"]
        centre = (x0 + x1) / 2 / W
        assert min(abs(centre - 1 / 3), abs(centre - 2 / 3)) < 0.08


def test_a_low_angle_puts_the_horizon_lower_and_a_high_angle_higher():
    rows = {
        a: horizon_row(render(shot(ShotSize.WS, angle=a)))
        for a in (Angle.HIGH, Angle.EYE, Angle.LOW)
    }
    assert rows[Angle.HIGH] < rows[Angle.EYE] < rows[Angle.LOW]
    assert rows[Angle.LOW] - rows[Angle.EYE] > 0.1 * H


def test_a_dutch_angle_tilts_the_horizon():
    still = render(shot(ShotSize.WS, angle=Angle.DUTCH))
    left, right = horizon_row(still, slice(0, W // 6)), horizon_row(still, slice(-W // 6, None))
    assert abs(left - right) > 0.12 * H
    assert horizon_row(render(shot(ShotSize.WS))) in range(0, H)
    level = render(shot(ShotSize.WS))
    assert abs(horizon_row(level, slice(0, W // 6)) - horizon_row(level, slice(-W // 6, None))) <= 2


def test_overhead_looks_down_on_the_ground():
    still = render(shot(ShotSize.WS, angle=Angle.OVERHEAD))
    assert still.meta["horizon"] < 0  # no sky in the frame
    top = luma(still.layers[0].rgba[:5]).mean()
    eye = luma(render(shot(ShotSize.WS)).layers[0].rgba[:5]).mean()
    assert top < eye  # ground up there, not sky
    x0, y0, x1, y1 = still.subject_boxes["MAYA"]
    assert (x1 - x0) > (y1 - y0)  # seen from above: shoulders, not a standing figure


def test_night_is_darker_than_day():
    for heading in ("EXT. CITY STREET - {}", "INT. KITCHEN - {}"):
        day = render(shot(), scene(heading.format("DAY"))).image
        night = render(shot(), scene(heading.format("NIGHT"))).image
        assert luma(night).mean() < 0.6 * luma(day).mean(), heading


def test_dusk_sky_is_warm_at_the_horizon(neutral):
    still = render(shot(ShotSize.EWS), scene("EXT. DESERT - DUSK"), config=neutral)
    r, g, b = still.image[: int(still.meta["horizon"]) - 2].reshape(-1, 3).mean(axis=0)
    assert r > b


def test_weather_from_the_text():
    wet = render(shot(ShotSize.WS), scene("EXT. CITY STREET - NIGHT", "Rain hammers the street."))
    assert "rain" in wet.meta["weather"]
    assert wet.layers[-1].rgba[..., 3].mean() > 2  # streaks in the foreground
    fog = render(shot(ShotSize.WS), scene("EXT. FOREST - DAWN", "Fog between the trees."))
    clear = render(shot(ShotSize.WS), scene("EXT. FOREST - DAWN"))
    assert "fog" in fog.meta["weather"]
    assert np.std(luma(fog.image)) < np.std(luma(clear.image))  # fog flattens contrast
    snow = render(shot(ShotSize.WS), scene("EXT. FIELD - DAY", "Snow falls."))
    assert "snow" in snow.meta["weather"] and snow.layers[-1].rgba[..., 3].mean() > 2


def test_weather_from_the_action_and_the_scene_setting():
    example = Path(__file__).parents[2] / "examples" / "footage"
    film = breakdown_script(example / "script.fountain", load_config(example / "storyreel.toml"))
    harbour = film.scenes[0]
    shots = [s for s in film.shots if s.scene_id == harbour.id]
    assert shots[0].description == "the city drowning in its own neon"  # no rain in the note
    for sh in shots:
        assert "rain" in render(sh, harbour).meta["weather"], sh.description
    cu = shot(ShotSize.CU, description="Maya speaks")  # says nothing of the weather
    wet = scene("EXT. CITY STREET - NIGHT").model_copy(update={"weather": ["rain"]})
    assert "rain" in render(cu, wet).meta["weather"]
    assert "rain" not in render(cu, scene("EXT. CITY STREET - NIGHT")).meta["weather"]
    after = shot(ShotSize.WS, description="Maya at the parapet. The rain has stopped.")
    assert "rain" not in render(after, scene("EXT. ROOFTOP - NIGHT")).meta["weather"]


def test_firelight_is_warm(neutral):
    def warmth(text):
        image = render(shot(ShotSize.MS), scene("EXT. BEACH - NIGHT", text), config=neutral).image
        low = image[H // 2 :].reshape(-1, 3).astype(float).mean(axis=0)
        return low[0] - low[2]

    assert warmth("A campfire on the sand.") > warmth("The sand.") + 5


@pytest.mark.parametrize(
    ("heading", "text", "place"),
    [
        ("EXT. HARBOUR CITY STREET - NIGHT", "", "city"),
        ("EXT. ROOFTOP - NIGHT", "", "rooftop"),
        ("EXT. PINE FOREST ROAD - DAWN", "", "forest"),
        ("EXT. BEACH - DAY", "", "sea"),
        ("EXT. DESERT - DAY", "", "desert"),
        ("INT. CORNER BAR - NIGHT", "", "bar"),
        ("INT. KITCHEN - DAY", "", "kitchen"),
        ("INT. ELIAS'S CAR - NIGHT", "", "car"),
        ("INT. FILM ARCHIVE - NIGHT", "", "stacks"),
        ("INT. OFFICE - DAY", "", "office"),
        ("INT. NOWHERE IN PARTICULAR - DAY", "", "room"),
        ("EXT. SOMEWHERE - DAY", "", "field"),
        ("EXT. SOMEWHERE - DAY", "Waves break on the shore.", "sea"),
    ],
)
def test_place_from_heading_and_action(heading, text, place):
    assert place_of(scene(heading), shot(description=text))[0] == place


def test_every_place_and_time_renders():
    for heading in (
        "EXT. CITY STREET",
        "EXT. ROOFTOP",
        "EXT. FOREST",
        "EXT. BEACH",
        "EXT. DESERT",
        "EXT. MOUNTAIN PASS",
        "EXT. FIELD",
        "INT. ROOM",
        "INT. KITCHEN",
        "INT. OFFICE",
        "INT. BAR",
        "INT. CAR",
        "INT. CORRIDOR",
        "INT. ARCHIVE",
    ):
        for time in ("DAY", "NIGHT", "DUSK", "DAWN", "MAGIC HOUR"):
            still = render(shot(ShotSize.TWO, ("MAYA", "ELIAS")), scene(f"{heading} - {time}"))
            assert still.image.shape == (H, W, 3)
            assert luma(still.image).std() > 3, (heading, time)  # not a flat card


def test_two_shot_places_one_subject_on_each_side():
    still = render(shot(ShotSize.TWO, ("MAYA", "ELIAS")))
    centres = sorted((b[0] + b[2]) / 2 for b in still.subject_boxes.values())
    assert len(centres) == 2 and centres[0] < W / 2 < centres[1]


def test_over_the_shoulder_has_a_near_shoulder_in_the_foreground():
    still = render(shot(ShotSize.OTS, ("MAYA", "ELIAS")))
    fg = still.layers[-1].rgba[..., 3] > 128
    left, right = fg[:, : W // 3].mean(), fg[:, -W // 3 :].mean()
    assert max(left, right) > 0.3 and min(left, right) < 0.05
    assert list(still.subject_boxes) == ["MAYA"]


def test_an_insert_is_a_detail_on_a_surface():
    still = render(
        shot(ShotSize.INSERT, (), description="A letter on the table."),
        scene("INT. KITCHEN - NIGHT"),
    )
    assert "INSERT" in still.subject_boxes
    assert not any(k in still.subject_boxes for k in ("MAYA", "ELIAS"))


def test_same_seed_gives_identical_png_and_different_seeds_differ():
    a, b = render(shot(), seed=11), render(shot(), seed=11)
    assert png_bytes(a.image) == png_bytes(b.image)
    assert all(np.array_equal(x.rgba, y.rgba) for x, y in zip(a.layers, b.layers, strict=True))
    c = render(shot(), seed=12)
    assert np.abs(a.image.astype(int) - c.image.astype(int)).mean() > 2


def test_a_characters_accent_is_the_same_in_every_shot(neutral):
    config = ProjectConfig.model_validate(
        {"look": neutral.look.model_dump(), "characters": {"MAYA": {"color": "#2a9d8f"}}}
    )
    hues = []
    for size, heading in (
        (ShotSize.MS, "EXT. CITY STREET - DAY"),
        (ShotSize.CU, "INT. KITCHEN - DAY"),
        (ShotSize.FS, "EXT. BEACH - DAY"),
    ):
        layer = render(shot(size), scene(heading), config=config, size=(640, 268)).layers[3].rgba
        rgb = layer[layer[..., 3] == 255][:, :3].astype(float)
        mx, mn = rgb.max(axis=1), rgb.min(axis=1)
        coat = rgb[((mx - mn) > 0.25 * mx) & (mx > 40)]  # the bright, saturated part: the coat
        assert len(coat) > 100, heading
        hues.append(hue_deg(np.median(coat, axis=0)))
    assert max(hues) - min(hues) < 4
    assert abs(hues[0] - hue_deg((0x2A, 0x9D, 0x8F))) < 8


def test_layers_are_depth_ordered_and_composite_to_the_image():
    for size, heading in (
        (ShotSize.OTS, "EXT. CITY STREET - NIGHT"),
        (ShotSize.MS, "INT. BAR - NIGHT"),
        (ShotSize.WS, "EXT. FOREST - DAWN"),
    ):
        still = render(shot(size, ("MAYA", "ELIAS")), scene(heading, "Rain."), size=(W, H))
        assert [lay.name for lay in still.layers] == ["sky", "far", "mid", "subjects", "foreground"]
        depths = [lay.depth for lay in still.layers]
        assert depths == sorted(depths, reverse=True) and len(set(depths)) == len(depths)
        assert all(
            lay.rgba.shape == (H, W, 4) and lay.rgba.dtype == np.uint8 for lay in still.layers
        )
        assert (still.layers[0].rgba[..., 3] == 255).all()  # the backdrop is opaque
        for lay in still.layers[1:]:
            assert (lay.rgba[..., 3] == 0).any()  # the others are transparent outside their content
        out = still.layers[0].rgba[..., :3].astype(np.float64)
        for lay in still.layers[1:]:
            a = lay.rgba[..., 3:4] / 255.0
            out = np.round(lay.rgba[..., :3] * a + out * (1 - a))
        assert np.abs(out - still.image).max() <= 1


def test_exterior_sky_is_at_infinity():
    assert render(shot()).layers[0].depth == math.inf
    assert math.isfinite(render(shot(), scene("INT. ROOM - DAY")).layers[0].depth)


@pytest.mark.parametrize("aspect", ["2.39:1", "1.85:1", "16:9", "9:16", "1:1"])
def test_every_aspect(aspect):
    config = ProjectConfig.model_validate(
        {"film": {"width": 320, "height": 180}, "look": {"aspect": aspect}}
    )
    still = render(shot(ShotSize.MCU), config=config, size=config.picture_size)
    assert still.size == config.picture_size
    assert "MAYA" in still.subject_boxes


def test_palette_and_contrast_change_the_look():
    base = render(shot()).image
    noir = render(shot(), config=ProjectConfig.model_validate({"look": {"palette": "noir"}})).image
    assert np.abs(noir[..., 0].astype(int) - noir[..., 2]).max() <= 1  # black and white
    flat = render(shot(), config=ProjectConfig.model_validate({"look": {"contrast": 0.4}})).image
    assert luma(flat).std() < luma(base).std()


def test_an_unknown_palette_is_an_error_with_a_suggestion(tmp_path):
    (tmp_path / "storyreel.toml").write_text('[look]\n\npalette = "teal-orang"\n', encoding="utf-8")
    config = ProjectConfig.model_validate({"look": {"palette": "teal-orang"}})
    with pytest.raises(StoryreelError, match="did you mean teal-orange") as e:
        render(shot(), config=config, root=tmp_path)
    assert str(e.value).startswith(f"{tmp_path / 'storyreel.toml'}:3:")
