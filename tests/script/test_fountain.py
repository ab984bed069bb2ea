"""The Fountain parser against the spec's feature list, with fixtures we wrote."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyreel.errors import StoryreelError
from storyreel.script.fountain import KINDS, parse, parse_file, plain, read_script, runs
from storyreel.script.sample import feature_script

SPEC = Path(__file__).parents[1] / "fixtures" / "fountain" / "spec.fountain"


def kinds(text: str) -> list[tuple[str, str]]:
    return [(e.kind, e.text) for e in parse(text).elements]


def test_title_page_fields_with_multiline_values_and_lines():
    script = parse_file(SPEC)
    page = {f.key: f for f in script.title_page}
    assert list(page) == ["Title", "Credit", "Author", "Draft date", "Contact"]
    assert plain(page["Title"].value) == "THE SALT ROAD\nA SHORT FILM"
    assert (page["Title"].start, page["Title"].end) == (1, 2)
    assert page["Contact"].value == "The Salt Road Company\n12 Quay Street"
    assert (page["Contact"].start, page["Contact"].end) == (6, 8)
    assert script.title() == "THE SALT ROAD\nA SHORT FILM"


def test_every_element_of_the_spec_with_its_source_lines():
    els = parse_file(SPEC).elements
    got = [(e.kind, e.start, e.end) for e in els]
    assert got == [
        ("section", 10, 10),
        ("section", 12, 12),
        ("synopsis", 14, 14),
        ("scene_heading", 16, 16),
        ("action", 18, 18),
        ("action", 20, 20),
        ("action", 22, 23),
        ("character", 25, 25),
        ("parenthetical", 26, 26),
        ("dialogue", 27, 28),
        ("character", 30, 30),
        ("lyrics", 31, 31),
        ("lyrics", 32, 32),
        ("character", 34, 34),
        ("dialogue", 35, 35),
        ("character", 37, 37),
        ("dialogue", 38, 38),
        ("character", 40, 40),
        ("dialogue", 41, 41),
        ("transition", 43, 43),
        ("scene_heading", 45, 45),
        ("action", 47, 47),
        ("note", 49, 50),
        ("transition", 58, 58),
        ("centered", 60, 60),
        ("page_break", 62, 62),
        ("scene_heading", 64, 64),
        ("action", 66, 66),
    ]
    assert {e.kind for e in els} == set(KINDS)  # the fixture has every kind of element
    by_line = {e.start: e for e in els}
    assert [by_line[10].level, by_line[12].level] == [1, 2]
    assert by_line[16].text == "EXT. SALT YARD - DAY" and by_line[16].scene_number == "1A"
    assert by_line[20].forced and by_line[20].text == "SLOW HEAT OVER THE FLATS..."
    assert by_line[22].text == "        Tabbed in text.\n    Four spaces in."  # indentation kept
    assert by_line[27].text == "To the last harvest.\nAnd to ***old friends***."
    assert (by_line[30].name, by_line[30].extension) == ("NORA", "V.O.")
    assert by_line[34].forced and by_line[34].name == "McKAY"
    assert by_line[37].dual and by_line[40].dual and not by_line[25].dual
    assert by_line[45].forced and by_line[45].text == "BINOCULARS POV"
    assert [n.text for n in by_line[47].notes] == ["a note inline"]
    assert "[[" not in by_line[47].text
    assert by_line[49].text == "This is a note\nthat spans two lines."
    assert by_line[58].forced and by_line[58].text == "BURN TO WHITE."
    assert by_line[60].text == "THE END"
    assert by_line[64].text == "int. lowercase heading - night"
    assert not any("CUT SCENE" in e.text or "survives" in e.text for e in els)  # boneyard


def test_emphasis_runs_and_escapes():
    assert runs("a ***b*** **c** *d* _e_ f") == [
        ("a ", frozenset()),
        ("b", frozenset({"bold", "italic"})),
        (" ", frozenset()),
        ("c", frozenset({"bold"})),
        (" ", frozenset()),
        ("d", frozenset({"italic"})),
        (" ", frozenset()),
        ("e", frozenset({"underline"})),
        (" f", frozenset()),
    ]
    assert runs("_**both**_") == [("both", frozenset({"bold", "underline"}))]
    assert plain(r"\*not italic\* and 5 * 3 * 2") == "*not italic* and 5 * 3 * 2"
    assert plain("*open but\nclosed on the next line*") == "*open but\nclosed on the next line*"


def test_scene_heading_forms_and_what_is_not_a_heading():
    text = "\n\n".join(
        [
            "INT./EXT. CAR - DAY",
            "I/E TRAIN - NIGHT",
            "EST. CITY - DAWN",
            "EXTRA CHEESE is action",
            "...and then action",
            ".FORCED",
        ]
    )
    assert kinds(text) == [
        ("scene_heading", "INT./EXT. CAR - DAY"),
        ("scene_heading", "I/E TRAIN - NIGHT"),
        ("scene_heading", "EST. CITY - DAWN"),
        ("action", "EXTRA CHEESE is action"),
        ("action", "...and then action"),
        ("scene_heading", "FORCED"),
    ]


def test_transitions_cues_and_their_blank_line_rules():
    assert kinds("Action.\n\nCUT TO:\n\nMore.") == [
        ("action", "Action."),
        ("transition", "CUT TO:"),
        ("action", "More."),
    ]
    # a line in capitals followed by text is a cue; alone it is action
    assert kinds("Action.\n\nBOOM.\n\nMore.")[1] == ("action", "BOOM.")
    assert kinds("Action.\n\nMAYA (O.S.)\nHello?")[1:] == [
        ("character", "MAYA (O.S.)"),
        ("dialogue", "Hello?"),
    ]
    # two spaces keep a dialogue paragraph together
    assert kinds("MAYA\nFirst.\n  \nSecond.") == [
        ("character", "MAYA"),
        ("dialogue", "First.\n\nSecond."),
    ]


def test_notes_and_boneyard_keep_later_line_numbers():
    text = "INT. ROOM - DAY\n\n/* gone\nfor\ngood */\n\nShe waits. /* aside */ Then [[a\nnote]] goes.\n\nEnd."
    els = parse(text).elements
    assert [(e.kind, e.start, e.end) for e in els] == [
        ("scene_heading", 1, 1),
        ("action", 7, 8),
        ("action", 10, 10),
    ]
    assert els[1].text == "She waits.  Then  goes." and els[1].notes[0].text == "a\nnote"


def test_windows_line_endings_and_a_byte_order_mark(tmp_path):
    p = tmp_path / "crlf.fountain"
    p.write_bytes(b"\xef\xbb\xbfINT. ROOM - DAY\r\n\r\nMAYA\r\nHi.\r\n")
    els = parse_file(p).elements
    assert [(e.kind, e.text, e.start) for e in els] == [
        ("scene_heading", "INT. ROOM - DAY", 1),
        ("character", "MAYA", 3),
        ("dialogue", "Hi.", 4),
    ]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("A.\n\n/* never\nclosed\n", 3, "unterminated boneyard"),
        ("A.\n\nB.\n[[never closed\n", 4, "unterminated note"),
    ],
)
def test_unterminated_boneyard_and_note_name_their_first_line(text, line, words):
    with pytest.raises(StoryreelError) as e:
        parse(text, "x.fountain")
    assert e.value.line == line and words in e.value.message and e.value.path == "x.fountain"


def test_binary_and_non_utf8_files_are_refused_with_the_line(tmp_path):
    binary = tmp_path / "a.fountain"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(StoryreelError, match="binary"):
        read_script(binary)
    latin = tmp_path / "b.fountain"
    latin.write_bytes("INT. CAFÉ - DAY\n\nOk.\n".encode() + "\nDéjà vu.\n".encode("latin-1"))
    with pytest.raises(StoryreelError, match="not UTF-8") as e:
        read_script(latin)
    assert e.value.line == 5


def test_a_feature_length_script_parses_with_lines_to_its_end():
    text = feature_script(120)
    els = parse(text).elements
    assert len([e for e in els if e.kind == "scene_heading"]) > 150
    assert els[-1].kind == "centered" and els[-1].start == len(text.splitlines())
    assert all(1 <= e.start <= e.end for e in els)
