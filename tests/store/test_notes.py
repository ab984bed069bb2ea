"""Notes in the project database: added, listed, resolved, kept across opening and upgrades."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storyreel.store.db import MIGRATIONS, Database


def test_notes_are_kept_and_resolved(tmp_path: Path):
    path = tmp_path / "project.db"
    with Database(path) as db:
        a = db.note_add("ana", "hold longer", shot_id="sh3")
        b = db.note_add("ben", "music in", timecode="01:00:05:12")
        assert db.note_resolve(a)
        assert not db.note_resolve(99)
    with Database(path) as db:
        rows = db.notes()
        assert [(r["id"], r["author"], r["shot_id"], r["timecode"], r["text"]) for r in rows] == [
            (a, "ana", "sh3", None, "hold longer"),
            (b, "ben", None, "01:00:05:12", "music in"),
        ]
        assert rows[0]["resolved"] and rows[1]["resolved"] is None and rows[0]["created"]
        assert [r["id"] for r in db.notes(include_resolved=False)] == [b]
        db.note_resolve(a, resolved=False)
        assert len(db.notes(include_resolved=False)) == 2


def test_a_database_from_before_notes_is_upgraded(tmp_path: Path):
    path = tmp_path / "project.db"
    old = sqlite3.connect(path)
    old.executescript(";".join(MIGRATIONS[:2]) + "; PRAGMA user_version = 2;")
    old.execute("INSERT INTO selections VALUES ('sh1', 1, 'then', 'sh1.still.x')")
    old.commit()
    old.close()
    with Database(path) as db:
        assert db.current
        assert db.selected_take("sh1") == "sh1.still.x"
        db.note_add("ana", "kept", shot_id="sh1")
        assert [r["text"] for r in db.notes()] == ["kept"]


def test_notes_come_back_from_the_journal(tmp_path: Path):
    path = tmp_path / "project.db"
    with Database(path) as db:
        db.note_add("ana", "hold longer", shot_id="sh3")
        resolved = db.note_add("ben", "done", timecode="01:00:01:00")
        db.note_resolve(resolved)
    path.unlink()
    with Database(path) as db:
        assert "1 note" not in (db.recovered or "") and "2 notes" in db.recovered
        assert [(r["text"], bool(r["resolved"])) for r in db.notes()] == [
            ("hold longer", False),
            ("done", True),
        ]
