"""Scene headings read like a reader: parts, head nouns, possessives, the lexicon, the action,
continuity of time, POV and INSERT headings, forced headings, and the corpus's figures."""

from __future__ import annotations

import json

import pytest
from benchmarks.places import load, read, score

from storyreel.config import ProjectConfig
from storyreel.script.breakdown import breakdown
from storyreel.script.cast import dressed
from storyreel.script.fountain import parse


def places(text: str):
    shotlist = breakdown(parse(text, "t.fountain"), ProjectConfig())
    return [s.place for s in shotlist.scenes]


def test_the_corpus_mostly_gets_the_set_a_director_expects():
    cases = load()
    assert len(cases) >= 150
    assert {read(c.heading).interior for c in cases} == {True, False}
    generic, matched, _ = score(cases)
    assert generic < 0.15
    assert matched > 0.9


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("INT. BLOOM HOUSE - MASTER BEDROOM - NIGHT", "bedroom"),  # a bedroom in a house
        ("EXT. BRICK'S POOL - DAY", "pool"),  # a possessive
        ("EXT. PINE FOREST ROAD - DAWN", "forest"),  # a weak head noun gives way
        ("INT. BEACH HOUSE KITCHEN - DAY", "kitchen"),  # a strong head noun does not
        ("INT. LINCOLN HIGH SCHOOL - HALLWAY - DAY", "lockers"),  # the part before modifies it
        ("INT. CORNER BODEGA - NIGHT", "store"),  # words beyond the first table: the lexicon
        ("EXT. HOLLOWAY RESIDENCE - DAY", "house"),
        ("INT. SQUAD CARS - NIGHT", "car"),  # a plural
        ("INT. SARAH'S - NIGHT", "room"),
        ("EXT. THE MILLERS' - DAY", "house"),  # someone's home
    ],
)
def test_the_words_of_a_heading(heading, kind):
    place = read(heading)
    assert place.kind == kind and not place.generic
    assert place.why  # says which word chose it


def test_the_action_refines_a_heading_that_says_little():
    text = "EXT. BLOOM HOUSE - NIGHT\n\nMoonlight on the swimming pool. Nobody in it.\n"
    assert places(text)[0].kind == "pool"
    assert "action word 'swimming pool'" in places(text)[0].why
    plain = "EXT. BLOOM HOUSE - NIGHT\n\nThe wind in the shutters.\n"
    assert places(plain)[0].kind == "house"
    negated = "EXT. BLOOM HOUSE - NIGHT\n\nThere is no pool any more.\n"
    assert places(negated)[0].kind == "house"  # what the action negates is not there


@pytest.mark.parametrize(
    ("heading", "kind", "family"),
    [
        ("EXT. HOLLOWBROOK - DAY", "sea", "water"),
        ("INT. ACME INDUSTRIES - DAY", "room", "built"),
        ("EXT. BACK OF THE LORRY - DAY", "field", "vehicle"),
        ("EXT. ASHDALE - DAY", "field", "natural"),
        ("EXT. KNOXBURG - DAY", "city", "built"),
    ],
)
def test_with_no_set_named_the_generic_set_follows_what_the_words_suggest(heading, kind, family):
    place = read(heading)
    assert place.generic and place.kind == kind and family in place.why


def test_continuous_later_and_same_keep_the_light_of_the_scene_before():
    text = (
        "INT. KITCHEN - NIGHT\n\nShe waits.\n\nINT. HALLWAY - CONTINUOUS\n\nShe runs.\n\n"
        "EXT. STREET - MOMENTS LATER\n\nShe is out.\n\nEXT. PARK - SAME TIME\n\nHe waits.\n\n"
        "INT. OFFICE - DAY\n\nA phone.\n\nINT. OFFICE - LATER\n\nThe phone again.\n\n"
        "EXT. ROOF - SAME\n\nWind.\n"
    )
    assert [p.time for p in places(text)] == [
        "night",
        "night",
        "night",
        "night",
        "day",
        "day",
        "day",
    ]
    assert "CONTINUOUS" in places(text)[1].why


def test_pov_and_insert_headings_stay_in_the_scene_they_belong_to():
    text = (
        "EXT. ROOFTOP - NIGHT\n\nA sniper waits.\n\n.POV - THROUGH THE SCOPE\n\nA window.\n\n"
        ".INSERT - THE PHOTOGRAPH\n\nA face.\n\nINT. CHURCH - DAY\n\nPews.\n\n"
        "INT. CHURCH - BOB'S POV\n\nThe altar.\n"
    )
    got = [(p.kind, p.interior, p.time) for p in places(text)]
    assert got == [
        ("rooftop", False, "night"),
        ("rooftop", False, "night"),
        ("rooftop", False, "night"),
        ("church", True, "day"),
        ("church", True, "day"),
    ]


@pytest.mark.parametrize(
    ("heading", "kind", "interior"),
    [
        (".INSIDE THE FERRY CABIN", "ship", True),
        (".OUTSIDE THE TRAILER", "house", False),
        (".THE HOSPITAL WARD", "hospital", True),
        (".ON THE FERRY DECK", "deck", False),
    ],
)
def test_a_forced_heading_without_int_or_ext_is_placed_by_its_words(heading, kind, interior):
    place = places(f"{heading}\n\nSomething happens.\n")[0]
    assert (place.kind, place.interior) == (kind, interior)


def test_the_cast_as_the_action_introduces_them_dresses_the_config():
    text = (
        "INT. DINER - NIGHT\n\nA tired WAITRESS (50s, a pink uniform, a pencil in her grey bun) "
        "pours coffee. Across from her, a young ABEL (9, a baseball cap) swings his legs.\n\n"
        "WAITRESS\nMore?\n\nABEL\nNo.\n"
    )
    shotlist = breakdown(parse(text, "t.fountain"), ProjectConfig())
    assert shotlist.cast == {
        "WAITRESS": "tired 50s, a pink uniform, a pencil in her grey bun",
        "ABEL": "young 9, a baseball cap",
    }
    config = ProjectConfig.model_validate({"characters": {"ABEL": {"description": "a tall man"}}})
    out = dressed(config, shotlist)
    assert out.characters["ABEL"].description == "a tall man"  # storyreel.toml wins
    assert out.characters["WAITRESS"].description.startswith("tired 50s")
    assert json.loads(shotlist.model_dump_json())["cast"]["ABEL"] == "young 9, a baseball cap"
