"""`storyreel revise`: notes on the reel become a revised script, a hunk a scene, accepted or
refused; the shots nobody noted keep their ids and takes through the next build."""

from __future__ import annotations

import json

import opentimelineio as otio
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.run.build import build
from storyreel.store.db import Database
from storyreel.store.project import Project
from storyreel.writers.configured import no_writer_message
from tests.writers.conftest import last_user_text, writer_project

SCRIPT = """Title: Notes

EXT. PIER - NIGHT

Waves break under the pier lights.

MAYA walks to the end of the pier and stops at the rail.

INT. ARCHIVE - NIGHT

A film can sits on the desk under a lamp.

MAYA
Where did you put it?
"""
RAIL = "MAYA walks to the end of the pier and stops at the rail."
LEAN = "MAYA walks to the end of the pier and leans on the rail, tired."
CAN = "A film can sits on the desk under a lamp."
runner = CliRunner()


def takes_by_shot(root) -> dict[str, set[str]]:
    with Database(Project.open(root).db_path) as db:
        current = {sid for sid, row in db.shots().items() if row["status"] != "removed"}
        out: dict[str, set[str]] = {sid: set() for sid in current}
        for t in db.takes(kind="still"):
            if t["shot_id"] in current and not t["stale"]:
                out[t["shot_id"]].add(t["id"])
    return out


def timecode_in(root, shot: str) -> str:
    """A record timecode a frame into `shot`'s clip in the cut."""
    timeline = otio.adapters.read_from_file(str(root / "out" / "cut.otio"))
    clip = next(
        c
        for c in timeline.video_tracks()[0].find_clips()
        if c.metadata.get("storyreel", {}).get("shot_id") == shot
    )
    at = clip.trimmed_range_in_parent().start_time
    one = otio.opentime.RationalTime(1, at.rate)
    start = timeline.global_start_time or otio.opentime.RationalTime(0, at.rate)
    return otio.opentime.to_timecode(start + at + one, at.rate)


def test_a_note_on_one_shot_changes_one_scene_and_the_other_shots_keep_their_ids_and_takes(
    tmp_path, scripted
):
    root = writer_project(tmp_path / "film", SCRIPT)
    build(Project.open(root))
    before = takes_by_shot(root)
    assert len(before) == 4 and all(before.values())
    with Database(Project.open(root).db_path) as db:
        rail = next(sid for sid, row in db.shots().items() if "rail" in row["text"])
        line = next(sid for sid, row in db.shots().items() if "Where did you" in row["text"])
        db.note_add("director", "she is exhausted: let her lean on the rail", shot_id=rail)
        db.note_add("editor", "say it without anger", timecode=timecode_in(root, line))
    scripted.answer = lambda request: (
        last_user_text(request).split("The screenplay:\n\n")[1].replace(RAIL, LEAN)
    )

    result = runner.invoke(app, ["revise", str(root), "--accept", "all"])
    assert result.exit_code == 0, result.output
    asked = last_user_text(scripted.asked[0])
    assert f"on shot {rail}" in asked and "lean on the rail" in asked and RAIL in asked
    assert f"Note 2 (editor), on shot {line} (" in asked  # placed by the cut's timecode
    assert f"hunk 1, EXT. PIER - NIGHT (shot {rail}):" in result.output
    assert "hunk 2" not in result.output
    assert f"-{RAIL}" in result.output and f"+{LEAN}" in result.output
    assert (root / "script.fountain").read_text() == SCRIPT.replace(RAIL, LEAN)

    report = build(Project.open(root))
    assert report.shots == {"added": [], "removed": [], "changed": [rail]}
    assert {k.split(".")[0] for k in report.computed["stills"]} == {rail}
    after = takes_by_shot(root)
    assert set(after) == set(before)  # every shot kept its id, the revised one too
    assert {s: t for s, t in after.items() if s != rail} == {
        s: t for s, t in before.items() if s != rail
    }
    assert after[rail] and after[rail].isdisjoint(before[rail])  # new takes of the new text


TWO_SCENES = SCRIPT.replace(RAIL, LEAN).replace(CAN, "A film can lies open on the desk.")


def test_a_refused_hunk_leaves_the_script_byte_identical(tmp_path, scripted):
    root = writer_project(tmp_path / "film", SCRIPT)
    script = root / "script.fountain"
    script.write_bytes(SCRIPT.replace("\n", "\r\n").encode())  # a file written on Windows
    original = script.read_bytes()
    scripted.answer = lambda request: TWO_SCENES

    refused = runner.invoke(
        app, ["revise", str(root), "--note", "tired; the can", "--accept", "none"]
    )
    assert refused.exit_code == 0, refused.output
    assert "hunk 1, EXT. PIER - NIGHT" in refused.output
    assert "hunk 2, INT. ARCHIVE - NIGHT" in refused.output
    assert "the script is unchanged" in refused.output
    assert script.read_bytes() == original

    one = runner.invoke(app, ["revise", str(root), "--note", "tired; the can", "--accept", "2"])
    assert one.exit_code == 0, one.output
    now = script.read_bytes()
    archive = original.index(b"INT. ARCHIVE")
    assert now[:archive] == original[:archive]  # the refused scene, byte for byte (CRLF kept)
    assert now[archive:] == original[archive:].replace(
        CAN.encode(), b"A film can lies open on the desk."
    )


def test_without_a_terminal_the_proposal_is_saved_and_nothing_changes(tmp_path, scripted):
    root = writer_project(tmp_path / "film", SCRIPT)
    scripted.answer = lambda request: TWO_SCENES
    result = runner.invoke(app, ["revise", str(root), "--note", "tired"])
    assert result.exit_code == 0, result.output
    assert (root / "script.fountain").read_text() == SCRIPT
    saved = sorted((root / ".storyreel" / "revisions").glob("*.json"))
    assert len(saved) == 1 and str(saved[0].relative_to(root)) in result.output
    proposal = json.loads(saved[0].read_text())
    assert [h["scene"] for h in proposal["hunks"]] == ["EXT. PIER - NIGHT", "INT. ARCHIVE - NIGHT"]
    assert proposal["notes"][0]["text"] == "tired"
    assert f"+{LEAN}" in saved[0].with_suffix(".diff").read_text()

    later = runner.invoke(app, ["revise", str(root), "--saved", saved[0].stem, "--accept", "1"])
    assert later.exit_code == 0, later.output
    assert len(scripted.asked) == 1  # decided on the saved proposal: the writer is not asked
    assert (root / "script.fountain").read_text() == SCRIPT.replace(RAIL, LEAN)
    stale = runner.invoke(app, ["revise", str(root), "--saved", "latest", "--accept", "2"])
    assert stale.exit_code == 2 and "the script has changed since" in stale.output
    assert (root / "script.fountain").read_text() == SCRIPT.replace(RAIL, LEAN)
    unknown = runner.invoke(app, ["revise", str(root), "--saved", "nope", "--accept", "1"])
    assert unknown.exit_code == 2 and f"no saved revision 'nope'; saved: {saved[0].stem}" in (
        unknown.output
    )


def test_a_notes_file_names_shots_by_id(tmp_path, scripted):
    root = writer_project(tmp_path / "film", SCRIPT.replace(CAN, f"[[shot: INSERT, #can]]\n{CAN}"))
    notes = tmp_path / "notes.txt"
    notes.write_text("can: the can should be open\n\nThe whole film feels rushed.\n")
    scripted.answer = lambda request: "not used"
    runner.invoke(app, ["revise", str(root), "--notes", str(notes), "--accept", "all"])
    asked = last_user_text(scripted.asked[0])
    assert "Note 1 (director), on shot can (INSERT) in scene 2" in asked
    assert "the can should be open" in asked
    assert "Note 2 (director), on the film: The whole film feels rushed." in asked


def test_bad_notes_and_bad_answers_say_so_and_overwrite_nothing(tmp_path, scripted):
    root = writer_project(tmp_path / "film", SCRIPT)
    script = root / "script.fountain"
    scripted.answer = lambda request: "Sure! I think Maya should look more tired in that shot."

    missing = runner.invoke(app, ["revise", str(root), "--notes", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2
    assert f"{tmp_path / 'nope.txt'}: no such notes file" in missing.output

    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n")
    blank = runner.invoke(app, ["revise", str(root), "--notes", str(empty)])
    assert blank.exit_code == 2 and "the notes file is empty" in blank.output

    none = runner.invoke(app, ["revise", str(root)])
    assert none.exit_code == 2 and "no notes to revise by" in none.output

    chat = runner.invoke(app, ["revise", str(root), "--note", "tired", "--accept", "all"])
    assert chat.exit_code == 2
    assert "the writer's answer is not a screenplay storyreel can read (3 tries" in chat.output
    assert 'it has no scene heading (it begins "Sure! I think Maya' in chat.output
    assert len(scripted.asked) == 3  # the error went back twice
    assert "storyreel cannot read that as the screenplay" in last_user_text(scripted.asked[-1])
    assert script.read_text() == SCRIPT
    assert not (root / ".storyreel" / "revisions").exists()


def test_without_a_writer_revise_says_how_to_get_one(tmp_path):
    root = writer_project(tmp_path / "film", SCRIPT, writer=None)
    result = runner.invoke(app, ["revise", str(root), "--note", "tired", "--accept", "all"])
    assert result.exit_code == 2
    assert " ".join(result.output.split()) == " ".join(f"error: {no_writer_message()}".split())
    assert (root / "script.fountain").read_text() == SCRIPT


def test_on_a_terminal_each_hunk_is_accepted_or_refused(tmp_path, scripted, monkeypatch):
    root = writer_project(tmp_path / "film", SCRIPT)
    scripted.answer = lambda request: TWO_SCENES
    monkeypatch.setattr("storyreel.cli.writers_room_cmds._terminal", lambda: True)
    result = runner.invoke(app, ["revise", str(root), "--note", "tired"], input="y\nn\n")
    assert result.exit_code == 0, result.output
    assert "accept hunk 1 of 2?" in result.output and "accept hunk 2 of 2?" in result.output
    assert "1 hunk(s) accepted, 1 refused" in result.output
    assert (root / "script.fountain").read_text() == SCRIPT.replace(RAIL, LEAN)
