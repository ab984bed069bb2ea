"""Breakdown: film grammar, directives applied where they stand, stable ids, cards."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyreel.config import ProjectConfig, load_config
from storyreel.errors import StoryreelError
from storyreel.model import Angle, Move, ShotSize, TransitionKind, frames_for
from storyreel.script.breakdown import breakdown, breakdown_script
from storyreel.script.fountain import parse
from storyreel.script.sample import feature_script

EXAMPLE = Path(__file__).parents[2] / "examples" / "footage"


def bd(text: str, pacing: str = "drama"):
    config = ProjectConfig.model_validate({"film": {"pacing": pacing}})
    return breakdown(parse(text, "t.fountain"), config)


@pytest.fixture(scope="module")
def film():
    return breakdown_script(EXAMPLE / "script.fountain", load_config(EXAMPLE / "storyreel.toml"))


def at(shotlist, line: int):
    """The shot made from the block that starts at `line`."""
    return next(s for s in shotlist.shots if s.lines.start == line)


def test_the_example_film_scenes_and_title(film):
    assert film.title == "NEGATIVE SPACE"
    assert film.title_page["Contact"].count("\n") == 2
    assert [(s.int_ext, s.location, s.time_of_day) for s in film.scenes] == [
        ("EXT", "HARBOUR CITY STREET", "NIGHT"),
        ("INT", "FILM ARCHIVE", "NIGHT"),
        ("INT", "CORNER BAR", "NIGHT"),
        ("EXT", "ROOFTOP", "NIGHT"),
        ("INT", "ELIAS'S CAR", "NIGHT"),
        ("EXT", "PINE FOREST ROAD", "DAWN"),
        ("INT", "BEACH HOUSE KITCHEN", "DAY"),
        ("EXT", "BEACH", "DAWN"),
    ]
    assert film.scenes[0].section == "ONE: THE REEL"
    assert film.scenes[0].synopsis.startswith("Maya finds a reel")
    assert len({s.id for s in film.shots}) == len(film.shots)
    for shot in film.shots:  # every shot's lines lie in its scene
        scene = film.scene(shot.scene_id)
        later = [s.lines.start for s in film.scenes if s.lines.start > scene.lines.start]
        assert scene.lines.start <= shot.lines.start <= shot.lines.end < min(later, default=10**6)
    assert [(c.text, c.after_shot) for c in film.cards] == [("THE END", film.shots[-1].id)]


def test_directives_apply_to_the_block_they_precede(film):
    cu = at(film, 37)  # [[shot: CU MAYA, push-in, low, 3s]] on line 36
    assert (cu.size, cu.subjects, cu.move, cu.angle, cu.duration, cu.duration_fixed) == (
        ShotSize.CU,
        ["MAYA"],
        Move.PUSH_IN,
        Angle.LOW,
        3.0,
        True,
    )
    assert cu.explicit
    wide = at(film, 108)
    assert (wide.size, wide.move, wide.description) == (
        ShotSize.EWS,
        Move.CRANE_UP,
        "city lights below",
    )
    assert at(film, 147).seed == 41  # [[take: seed 41]]
    assert at(film, 21).super == "Genoa, now"
    # [[cut: dissolve 12f]] wins over the script's DISSOLVE TO:
    assert at(film, 60).transition_in.model_dump() == {"kind": "dissolve", "frames": 12}
    ots = at(film, 177)  # [[shot: OTS MAYA, push-in 0.5, 5s]]
    assert (ots.size, ots.move_intensity) == (ShotSize.OTS, 0.5)


def test_script_transitions_enter_the_next_scene(film):
    firsts = {}
    for shot in film.shots:
        firsts.setdefault(shot.scene_id, shot)
    kinds = [firsts[s.id].transition_in.kind for s in film.scenes]
    assert kinds == [
        TransitionKind.CUT,
        TransitionKind.CUT,
        TransitionKind.DISSOLVE,
        TransitionKind.SMASH_CUT,
        TransitionKind.CUT,
        TransitionKind.DISSOLVE,
        TransitionKind.CUT,
        TransitionKind.SMASH_CUT,
    ]
    forest = firsts[film.scenes[5].id].transition_in
    assert forest.frames == frames_for(1.5, film_fps()) > 0  # contemplative dissolve


def film_fps():
    return load_config(EXAMPLE / "storyreel.toml").film.fps


def test_coverage_of_an_exchange_and_dual_dialogue(film):
    bar = [s for s in film.shots if s.scene_id == film.scenes[2].id and s.dialogue]
    sizes = [s.size for s in bar]
    assert sizes[:2] == [ShotSize.OTS, ShotSize.OTS]  # shot / reverse shot
    assert bar[0].subjects == ["ELIAS", "MAYA"] and bar[1].subjects == ["MAYA", "ELIAS"]
    assert ShotSize.MCU in sizes[2:]
    dual = next(s for s in bar if any(d.dual for d in s.dialogue))
    assert dual.size == ShotSize.TWO and set(dual.subjects) == {"MAYA", "ELIAS"}
    assert [d.character for d in dual.dialogue] == ["MAYA", "ELIAS"]
    assert all(d.dual for d in dual.dialogue)
    assert dual.dialogue[1].parenthetical == "at the same time"


def test_voice_over_and_off_screen_lines_hold_on_the_listener(film):
    vo = at(film, 113)  # RUTH (V.O.) on the rooftop, Maya alone
    assert vo.dialogue[0].extension == "V.O." and vo.subjects == ["MAYA"]
    os_ = at(film, 179)  # ELIAS (O.S.) on the beach
    assert os_.subjects == ["MAYA"] and os_.dialogue[0].character == "ELIAS"
    lyric = at(film, 133)
    assert lyric.dialogue[0].text.count("\n") == 1 and "♪" in lyric.dialogue[0].text


def test_an_establishing_shot_opens_a_new_place_only():
    text = (
        "EXT. HARBOUR - NIGHT\n\nNORA\nIt's late.\n\nOSKAR\nI know.\n\n"
        "EXT. HARBOUR - NIGHT\n\nNORA\nStill here?\n\n"
        "INT. KITCHEN - DAY\n\nNora boils water. She looks at the window.\n"
    )
    sl = bd(text)
    assert [(s.size, s.lines.start) for s in sl.shots] == [
        (ShotSize.EWS, 1),
        (ShotSize.OTS, 3),
        (ShotSize.OTS, 6),  # establish, shot, reverse
        (ShotSize.MCU, 11),  # same place: no new establishing shot; alone: a single
        (ShotSize.WS, 16),  # an interior opens wide
    ]


def test_action_is_framed_by_what_it_describes():
    text = (
        "EXT. DESERT ROAD - DAY\n\nThe desert, flat to the horizon.\n\n"
        "NORA (34) runs along the road, stumbling.\n\n"
        "Her hands unfold a photograph.\n\n"
        "Nora's face. Tears she will not wipe away.\n\n"
        "The tower looms over the road.\n"
    )
    sl = bd(text)
    got = [(s.size, s.move, s.subjects) for s in sl.shots]
    assert got[0][0] == ShotSize.EWS and got[0][2] == []
    assert got[1] == (ShotSize.FS, Move.HANDHELD, ["NORA"])
    assert got[2][0] == ShotSize.INSERT and got[2][2] == ["NORA"]  # "her" is Nora
    assert got[3][0] == ShotSize.CU and got[3][1] == Move.PUSH_IN
    assert sl.shots[4].angle == Angle.LOW


def test_a_framed_shot_without_a_duration_lasts_as_long_as_its_action():
    long_action = (
        "NORA crosses the whole platform, past the benches, the kiosk and the clock, "
        "stops at the edge, looks down the empty line, then turns back and sits."
    )
    text = (
        f'INT. STATION - NIGHT\n\n[[shot: WS, "the platform"]]\n{long_action}\n\n'
        f'[[shot: WS, "the platform"]]\nNORA sits.\n'
    )
    long_shot, short_shot = bd(text).shots[-2:]
    assert long_shot.description == short_shot.description == "the platform"
    assert long_shot.action == long_action
    assert long_shot.duration > 2 * short_shot.duration


def test_inserting_a_scene_at_the_top_keeps_every_shot_id(film):
    text = (EXAMPLE / "script.fountain").read_text(encoding="utf-8")
    head, body = text.split("# ONE: THE REEL", 1)
    new = (
        "EXT. LIGHTHOUSE - DAWN\n\nThe lamp turns over a flat sea.\n\n"
        "MAYA\nI was here once.\n\nCUT TO:\n\n"
    )
    edited = breakdown(
        parse(head + new + "# ONE: THE REEL" + body, film.source),
        load_config(EXAMPLE / "storyreel.toml"),
    )
    shift = new.count("\n")
    old = {s.id: s.lines.start for s in film.shots}
    moved = {s.id: s.lines.start - shift for s in edited.shots if s.id in old}
    assert moved == old  # every old shot keeps its id and is the same shot
    assert len(edited.shots) > len(film.shots)
    assert [s.id for s in edited.scenes][1:] == [s.id for s in film.scenes]


def test_rewriting_one_shot_renames_only_that_shot(film):
    text = (EXAMPLE / "script.fountain").read_text(encoding="utf-8")
    edited = text.replace("Her fingers know the path by heart.", "Her fingers remember.")
    again = breakdown(parse(edited, film.source), load_config(EXAMPLE / "storyreel.toml"))
    changed = [(a.id, b.id) for a, b in zip(film.shots, again.shots, strict=True) if a.id != b.id]
    assert len(changed) == 1 and at(film, 32).id == changed[0][0]


def test_identical_shots_get_distinct_stable_ids_and_explicit_ids_win():
    text = (
        "INT. ROOM - DAY\n\nShe nods.\n\nShe nods.\n\n"
        "[[shot: CU NORA, id=sh010]]\nNORA\nYes.\n\n[[shot: #sh020]]\nShe nods.\n"
    )
    ids = [s.id for s in bd(text).shots]
    assert ids[2:] == ["sh010", "sh020"]
    assert ids[1] == ids[0] + "-2" and ids == [s.id for s in bd(text).shots]
    with pytest.raises(StoryreelError, match="used twice") as e:
        bd("INT. A - DAY\n\n[[shot: #x1]]\nOne.\n\n[[shot: #x1]]\nTwo.\n")
    assert e.value.line == 6


def test_a_directive_with_nothing_after_it_is_an_error():
    with pytest.raises(StoryreelError, match="nothing to apply to") as e:
        bd("INT. A - DAY\n\nOne.\n\n[[take: seed 3]]\n")
    assert e.value.line == 5
    sl = bd("INT. A - DAY\n\n[[take: seed 3]]\n\nINT. B - NIGHT\n\nTwo.\n")
    assert sl.shots[0].seed == 3 and sl.shots[0].scene_id == sl.scenes[1].id


def test_heading_parts():
    sl = bd(
        "EXT. HOUSE - GARDEN - DAWN - FLASHBACK\n\nDew.\n\nI/E TRAIN - NIGHT (MOVING)\n\nRain.\n"
    )
    assert [(s.int_ext, s.location, s.time_of_day) for s in sl.scenes] == [
        ("EXT", "HOUSE - GARDEN", "DAWN"),
        ("INT/EXT", "TRAIN", "NIGHT"),
    ]


def test_scene_numbers_from_the_script_and_counted():
    sl = bd("INT. A - DAY #12A#\n\nOne.\n\nINT. B - DAY\n\nTwo.\n")
    assert [s.number for s in sl.scenes] == ["12A", "2"] and sl.scenes[0].id == "sc12A"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n  \n",
        "Title: Only a title\nAuthor: Someone\n",
        "[[just a note]]\n\n/* and a boneyard */\n",
        "# A section\n\n= A synopsis\n",
    ],
)
def test_an_empty_script_is_a_clear_error(text):
    with pytest.raises(StoryreelError, match="empty"):
        bd(text)


def test_a_feature_length_screenplay_breaks_down():
    sl = bd(feature_script(120))
    assert len(sl.scenes) > 150 and len(sl.shots) > 1000
    assert len({s.id for s in sl.shots}) == len(sl.shots)
    assert 90 * 60 < sl.runtime < 160 * 60  # 120 pages, a page a minute, give or take


_PIECES = [
    "INT. ROOM - DAY",
    "EXT. SEA - NIGHT",
    "MAYA",
    "ELIAS ^",
    "(softly)",
    "Hello.",
    "She waits.",
    "CUT TO:",
    "> THE END <",
    "===",
    "# ACT",
    "= synopsis",
    "~la la",
    "[[shot: CU MAYA]]",
    "[[take: seed 2]]",
    "[[cut: dissolve]]",
    "[[a note]]",
    "/*",
    "*/",
    "[[",
    "]]",
    "!FORCED",
    "@Mc",
    ".HEADING",
    "Title: X",
    "  ",
    "",
    "\t",
    "*b*",
    "@",
    "@ ^",
    "MAYA (V.O.)",
    "ELIAS (O.S.)",
    "[[shot: #x1]]",
    "FADE OUT.",
    "INT.",
    "[[shot:]]",
    "#1#",
    ">",
    "=",
    "~",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25))
def test_any_arrangement_breaks_down_or_is_a_clear_error(pieces):
    try:
        sl = bd("\n".join(pieces))
    except StoryreelError as e:
        assert e.path == "t.fountain" and e.message
        return
    assert sl.shots and all(s.duration > 0 for s in sl.shots)
    assert len({s.id for s in sl.shots}) == len(sl.shots)


def test_a_framed_shot_keeps_the_note_and_the_action_it_covers(film):
    wide = at(film, 18)  # [[shot: EWS, ..., "the city drowning in its own neon"]] on line 17
    assert wide.description == "the city drowning in its own neon"
    assert wide.action.startswith("Rain over a harbour city. Neon signs bleed")
    assert at(film, 21).action == ""  # unframed: the description is the paragraph itself
    assert film.scene(wide.scene_id).weather == ["rain", "neon"]  # "Rain over ... Neon signs"
    assert film.scenes[1].weather == []  # the archive: "A basement of steel shelves ..."
    cut = bd(
        'INT. A - DAY\n\nDust in the air.\n\n[[shot: CU NORA, "her eyes"]]\n'
        '[[shot: INSERT, "the letter"]]\nNORA reads a letter.\n\nNORA\nNo.\n'
    )
    assert [(s.description, s.action) for s in cut.shots] == [
        ("Dust in the air.", ""),
        ("her eyes", "NORA reads a letter."),
        ("the letter", "NORA reads a letter."),
        ("Nora speaks", ""),
    ]
    assert bd("EXT. A - DAY\n\nSnow on the pines. Mist.\n\nShe waits by the fire.\n").scenes[
        0
    ].weather == ["snow", "fog"]  # the opening paragraph's, not later ones
    assert bd("EXT. ROOF - NIGHT\n\nThe rain has stopped. Neon signs below.\n").scenes[
        0
    ].weather == ["neon"]  # what has ended is not the scene's weather


def test_the_ending_after_the_last_shot(film):
    assert film.ending is not None and film.ending.kind is TransitionKind.FADE_OUT  # FADE OUT.
    assert film.ending.frames == frames_for(1.0, film_fps())
    end = "INT. A - DAY\n\nShe waits.\n\n"
    assert bd(end + "FADE TO BLACK.\n").ending.kind is TransitionKind.FADE_OUT
    assert bd(end + "CUT TO BLACK.\n\n> THE END <\n").ending.model_dump() == {
        "kind": "cut",
        "frames": 0,
    }
    assert bd(end + "FADE OUT.\n\n[[cut: fade-out 48f]]\n").ending.frames == 48  # directive wins
    assert bd(end).ending is None
    assert bd(end + "FADE OUT.\n\nINT. B - DAY\n\nHe waits.\n").ending is None  # not the end
    with pytest.raises(StoryreelError, match="only on a fade-out") as e:
        bd(end + "[[cut: dissolve 12f]]\n")
    assert e.value.line == 5
