"""Shot directives: the grammar a director types in `[[ ]]` notes, and its error messages."""

from __future__ import annotations

from fractions import Fraction

import pytest

from storyreel.errors import StoryreelError
from storyreel.model import Angle, Easing, Move, ShotSize, TransitionKind
from storyreel.script.directives import parse_directive

FPS = Fraction(24)
CAST = ("MAYA", "ELIAS", "OLD MAN")


def d(text: str, fps: Fraction = FPS):
    return parse_directive(text, 12, "film.fountain", fps, CAST)


def test_the_examples_of_the_issue():
    shot = d("shot: CU MAYA, push-in, low, 3s")
    assert (shot.size, shot.subjects, shot.move, shot.angle, shot.duration) == (
        ShotSize.CU,
        ["MAYA"],
        Move.PUSH_IN,
        Angle.LOW,
        3.0,
    )
    wide = d('shot: EWS, crane-up, 6s, "city lights below"')
    assert (wide.size, wide.move, wide.duration, wide.description) == (
        ShotSize.EWS,
        Move.CRANE_UP,
        6.0,
        "city lights below",
    )
    assert d("take: seed 41").seed == 41
    cut = d("cut: dissolve 12f")
    assert (cut.transition.kind, cut.transition.frames) == (TransitionKind.DISSOLVE, 12)


def test_intensity_easing_frames_ids_and_synonyms():
    a = d("shot: push-in 0.5, ease-out, 72f, id=sh010")
    assert (a.move, a.intensity, a.easing, a.duration, a.id) == (
        Move.PUSH_IN,
        0.5,
        Easing.EASE_OUT,
        3.0,
        "sh010",
    )
    b = d("shot: slow dolly in, close-up on OLD MAN, bird's eye, #sh020")
    assert (b.move, b.intensity, b.size, b.subjects, b.angle, b.id) == (
        Move.PUSH_IN,
        0.5,
        ShotSize.CU,
        ["OLD MAN"],
        Angle.OVERHEAD,
        "sh020",
    )
    c = d("shot: two shot MAYA & ELIAS, handheld, 2.5s")
    assert (c.size, c.subjects, c.move, c.duration) == (
        ShotSize.TWO,
        ["MAYA", "ELIAS"],
        Move.HANDHELD,
        2.5,
    )
    assert d("cut: smash").transition.kind is TransitionKind.SMASH_CUT
    assert d("cut: match cut to").transition.kind is TransitionKind.MATCH_CUT
    assert d("cut: dissolve 0.5s", Fraction(30000, 1001)).transition.frames == 15
    assert d('super: "Genoa, 1994"').text == "Genoa, 1994"


def test_ordinary_notes_are_not_directives():
    assert d("call the location manager") is None
    assert d("Note: rewrite this scene") is None
    assert d("TODO: music cue") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("shot: MCX MAYA", "unknown word 'MCX' in [[shot: ...]] (did you mean MCU?)"),
        ("shot: CU MAYYA", "(did you mean MAYA?)"),
        ("shot: CU, push-inn", "(did you mean push-in?)"),
        ("shoot: CU MAYA", "unknown directive 'shoot' (did you mean shot?)"),
        ("cut: disolve", "unknown transition 'disolve' in [[cut: ...]] (did you mean dissolve?)"),
        ("shot: CU 0.5", "must follow a move"),
        ("shot: CU, WS", "two sizes in one shot"),
        ("take: soon", "unknown word 'soon'"),
        ("take:", "needs a seed"),
        ("cut: 12f", "needs a transition"),
        ("shot: CU, 85xm", "unknown word '85xm' in [[shot: ...]] (did you mean 85mm?)"),
        ("shot: CU, 85", "a lens is written 85mm"),
        ("shot: CU, 5mm", "lens 5mm is out of range (8 to 600 mm"),
        ("shot: CU, 800 mm", "out of range"),
        ("shot: CU, lens", "'lens' needs a focal length"),
        ("shot: CU, lens wide", "'lens' needs a focal length"),
        ("shot: 35mm, CU, 85mm", "two lenses in one shot"),
        ("take: 85mm", "has no place in [[take: ...]]"),
    ],
)
def test_malformed_directives_name_the_file_line_and_a_suggestion(text, expected):
    with pytest.raises(StoryreelError) as e:
        d(text)
    assert expected in e.value.message
    assert str(e.value).startswith("film.fountain:12: ")
