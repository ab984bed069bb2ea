"""`storyreel doctor`: each kind of flag on a script made to have it, at the right line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from storyreel.cli import app
from tests.writers.conftest import last_user_text, writer_project

runner = CliRunner()

CLEAN = """Title: Clean

EXT. PIER - NIGHT

MAYA walks to the end of the pier in her grey coat.

MAYA
Still here.
"""

FLAWED = """Title: Flawed

EXT. PIER - NIGHT

MAYA walks to the end of the pier in her grey coat. She carries a black umbrella.

[[shot: MCU MAYA, static, 1s]]
MAYA
I have waited on this pier every night for eleven years, and tonight I stop waiting.

INT. ARCHIVE - NIGHT

[[shot: CU, static]]
A film can on the desk, under a lamp.

TOM
You came back.

MAYA pulls her red coat tighter and leans a red umbrella on the desk.
"""


def doctor(root, *args):
    return runner.invoke(app, ["doctor", str(root), "--no-model", *args])


def test_each_kind_of_flag_names_its_line(tmp_path):
    root = writer_project(tmp_path / "film", FLAWED, writer=None)
    result = doctor(root)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(
        "script.fountain:9: dialogue: MAYA's dialogue takes 6.4s to say at the drama pacing; "
        "its shot "
    )
    assert lines[0].endswith("holds 1s (lengthen the shot or cut the line)")
    assert lines[1].startswith(
        "script.fountain:11: establishing: scene 2 (INT. ARCHIVE - NIGHT) opens on a CU ("
    )
    assert lines[2].startswith("script.fountain:16: character: TOM has no description")
    assert "[characters.TOM]" in lines[2]
    assert lines[3] == (
        "script.fountain:19: continuity: wardrobe: MAYA's coat is red here but grey at line 5 "
        "(scene 1); a change the script means, or a slip?"
    )
    assert lines[4] == (
        "script.fountain:19: continuity: prop: the umbrella is red here but black at line 5 "
        "(scene 1); a change the script means, or a slip?"
    )
    assert lines[5] == "5 flags: 1 character, 2 continuity, 1 dialogue, 1 establishing"
    assert doctor(root, "--strict").exit_code == 1


def test_a_clean_script_has_nothing_to_flag_and_strict_passes(tmp_path):
    root = writer_project(tmp_path / "film", CLEAN, writer=None)
    result = doctor(root, "--strict")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "script.fountain: nothing to flag"


def test_a_change_within_one_scene_and_an_introduction_are_not_flagged(tmp_path):
    script = (
        CLEAN.replace("MAYA walks", "A tired MAYA (40s, grey coat) walks")
        + "\nShe takes off the grey coat; under it, a red coat.\n"
    )
    root = writer_project(tmp_path / "film", script, writer=None)
    assert doctor(root, "--strict").exit_code == 0


def test_the_writers_reading_is_added_when_a_writer_is_set(tmp_path, scripted):
    root = writer_project(tmp_path / "film", CLEAN)
    scripted.answer = lambda request: json.dumps(
        {"notes": [{"line": 7, "note": "Who is MAYA talking to?"}]}
    )
    result = runner.invoke(app, ["doctor", str(root), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {
            "path": "script.fountain",
            "kind": "reading",
            "line": 7,
            "message": "Who is MAYA talking to?",
        }
    ]
    asked = scripted.asked[0]
    assert asked.schema is not None and "    7  MAYA" in last_user_text(asked)

    scripted.answer = lambda request: "I liked it!"
    bad = runner.invoke(app, ["doctor", str(root)])
    assert bad.exit_code == 2
    assert "the writer's reading of the script is not the JSON asked for" in bad.output


def test_bad_script_is_a_clear_error(tmp_path):
    root = writer_project(tmp_path / "film", "[[shot: MCX]]\nA pier.\n", writer=None)
    result = doctor(root)
    assert result.exit_code == 2
    assert "script.fountain:1:" in result.output and "MCX" in result.output
