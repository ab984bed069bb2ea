"""A shot keeps its identity when its own text is edited: its takes, its selection, its id."""

from __future__ import annotations

import json
from pathlib import Path

import opentimelineio as otio
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.run.identity import breakdown_shots
from storyreel.store.db import Database
from storyreel.store.project import Project
from tests.run.conftest import make_project
from tests.run.test_build import edit, render

SCRIPT = """Title: Ids

EXT. PIER - NIGHT

Waves break under the pier lights.

MAYA walks to the end of the pier and stops at the rail.

INT. ARCHIVE - NIGHT

A film can sits on the desk under a lamp.
"""
RAIL = "MAYA walks to the end of the pier and stops at the rail."


def breakdown_ids(root: Path) -> dict[str, str]:
    """What the build's breakdown stage records: description → shot id."""
    project = Project.open(root)
    with Database(project.db_path) as db:
        shotlist, _ = breakdown_shots(db, project.script, project.config)
    return {s.description: s.id for s in shotlist.shots}


def test_an_edited_shot_keeps_its_id_its_old_takes_and_the_directors_choice(tmp_path):
    root = make_project(tmp_path / "film", takes=2, script=SCRIPT)
    runner = CliRunner()
    render(root)
    with Database(Project.open(root).db_path) as db:
        shot = next(sid for sid, row in db.shots().items() if "rail" in row["text"])
    assert runner.invoke(app, ["select", shot, "2", "-p", str(root)]).exit_code == 0
    chosen = next(
        r
        for r in json.loads(runner.invoke(app, ["takes", shot, "-p", str(root), "--json"]).output)
        if r["selected"]
    )

    edit(root, RAIL, "MAYA walks to the end of the pier and leans on the rail.")
    out = tmp_path / "shots.json"
    assert (
        runner.invoke(app, ["breakdown", str(root), "--format", "json", "-o", str(out)]).exit_code
        == 0
    )
    listed = json.loads(out.read_text())
    assert shot in [s["id"] for s in listed["shots"]]  # before the render, as the render will say
    report = render(root)
    assert report.shots == {"added": [], "removed": [], "changed": [shot]}
    assert [t.split(".")[0] for t in report.computed["stills"]] == [shot, shot]  # two new takes
    assert any(chosen["id"] in w and "earlier text" in w for w in report.warnings)

    rows = json.loads(runner.invoke(app, ["takes", shot, "-p", str(root), "--json"]).output)
    assert sorted((r["stale"], r["take"]) for r in rows) == [
        (False, 1),
        (False, 2),
        (True, 1),
        (True, 2),
    ]
    assert [r["id"] for r in rows if r["selected"]] == [chosen["id"]]  # stale, and still the choice
    timeline = otio.adapters.read_from_file(str(root / "out" / "cut.otio"))
    used = next(
        c.metadata["storyreel"]["take_id"]
        for c in timeline.video_tracks()[0].find_clips()
        if c.metadata.get("storyreel", {}).get("shot_id") == shot
    )
    with Database(Project.open(root).db_path) as db:
        clip = json.loads(db.take(used)["provenance"])
        assert clip["inputs"] == [db.take(chosen["id"])["object_key"]]

    assert runner.invoke(app, ["select", shot, "1", "-p", str(root)]).exit_code == 0
    assert not render(root).warnings  # a take of the new text: nothing to warn about
    assert breakdown_ids(root)[RAIL.replace("stops at", "leans on")] == shot  # and on every build


def test_a_scene_inserted_at_the_top_keeps_every_id(tmp_path):
    root = make_project(tmp_path / "film", script=SCRIPT)
    before = breakdown_ids(root)
    edit(
        root,
        "EXT. PIER - NIGHT",
        "INT. CAR - NIGHT\n\nRain on the windscreen.\n\nEXT. PIER - NIGHT",
    )
    after = breakdown_ids(root)
    assert {d: after[d] for d in before} == before and len(after) == len(before) + 1


def test_two_similar_new_shots_do_not_share_one_identity_and_explicit_ids_stay(tmp_path):
    root = make_project(tmp_path / "film", script=SCRIPT)
    old = breakdown_ids(root)[RAIL]
    edit(
        root,
        RAIL,
        "MAYA walks to the end of the pier and stops.\n\n"
        "MAYA walks to the end of the pier and waits at the rail.",
    )
    now = breakdown_ids(root)
    ids = [
        now["MAYA walks to the end of the pier and stops."],
        now["MAYA walks to the end of the pier and waits at the rail."],
    ]
    assert ids.count(old) == 1 and len(set(ids)) == 2
    edit(
        root,
        "A film can sits on the desk under a lamp.",
        "[[shot: INSERT, #can]]\nA film can on a desk.",
    )
    assert breakdown_ids(root)["A film can on a desk."] == "can"
