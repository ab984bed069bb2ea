from __future__ import annotations

import sqlite3
import threading

import pytest

from storyreel.store.db import MIGRATIONS, Database


def test_schema_is_created_in_wal_mode(tmp_path):
    with Database(tmp_path / "project.db") as db:
        assert db.version == len(MIGRATIONS)
        assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Database(tmp_path / "project.db") as db:  # reopening migrates nothing twice
        assert db.version == len(MIGRATIONS)


def test_jobs_for_hosted_backends(tmp_path):
    with Database(tmp_path / "p.db") as db:
        assert db.job_get("k") is None
        db.job_put("k", "runway", "job-123")
        job = db.job_get("k")
        assert (job["vendor"], job["remote_id"], job["status"], job["result"]) == (
            "runway",
            "job-123",
            "submitted",
            None,
        )
        db.job_update("k", "done", result="https://example.org/clip.mp4")
        assert db.job_get("k")["status"] == "done"
        db.job_update("k", "fetched")
        assert db.job_get("k")["result"] == "https://example.org/clip.mp4"
        with pytest.raises(KeyError):
            db.job_update("missing", "done")


def test_sync_shots_reports_changes_and_marks_stale_takes(tmp_path):
    with Database(tmp_path / "p.db") as db:
        assert db.sync_shots([("s1", "h1"), ("s2", "h2")])["added"] == ["s1", "s2"]
        db.take_put("s1.a", "s1", "still", 0, 7, "h1", "{}", "key-a")
        db.take_put("s2.a", "s2", "still", 0, 8, "h2", "{}", "key-b")
        diff = db.sync_shots([("s1", "h1b"), ("s3", "h3")])
        assert diff == {"added": ["s3"], "removed": ["s2"], "changed": ["s1"]}
        assert db.take("s2.a")["stale"] == 1  # its shot left the script
        db.take_put("s1.b", "s1", "still", 0, 7, "h1b", "{}", "key-c")
        db.mark_current("still", {"s1": ["key-c"]})  # the new text made a new take
        assert (db.take("s1.a")["stale"], db.take("s1.b")["stale"]) == (1, 0)
        assert db.sync_shots([("s1", "h1b"), ("s2", "h2")])["added"] == ["s2"]  # it came back
        assert db.take("s2.a")["stale"] == 0


def test_selection_defaults_to_first_take(tmp_path):
    with Database(tmp_path / "p.db") as db:
        assert db.selection("s1") == 0
        db.select("s1", 2)
        assert db.selection("s1") == 2 and db.selections() == {"s1": 2}


def test_an_old_project_database_is_migrated_and_keeps_its_selections(tmp_path):
    path = tmp_path / "p.db"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    old.execute("INSERT INTO selections VALUES ('s1', 1, 'then')")
    old.commit()
    old.close()
    with Database(path, read_only=True) as db:
        assert not db.current  # read-only: left as it is
    with Database(path) as db:
        assert db.current and db.selection("s1") == 1 and db.selected_take("s1") is None
        db.select("s1", 0, "s1.still.abc")
        db.alias_put({"pier-1a2b3": "pier-9f8e7"})
        assert db.selected_take("s1") == "s1.still.abc" and db.aliases() == {
            "pier-1a2b3": "pier-9f8e7"
        }


def test_failed_transaction_rolls_back(tmp_path):
    with Database(tmp_path / "p.db") as db:
        with pytest.raises(sqlite3.IntegrityError), db.tx() as c:
            c.execute(
                "INSERT INTO selections (shot_id, take_index, updated) VALUES ('s1', 1, 'now')"
            )
            c.execute(
                "INSERT INTO selections (shot_id, take_index, updated) VALUES ('s1', 2, 'now')"
            )
        assert db.selections() == {}


def test_concurrent_writers_from_two_connections(tmp_path):
    path = tmp_path / "p.db"
    Database(path).close()

    def write(prefix: str) -> None:
        with Database(path) as db:
            for i in range(50):
                db.output_put(f"{prefix}{i}", "still", {"png": ["d", 1, 1]})

    threads = [threading.Thread(target=write, args=(p,)) for p in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Database(path) as db:
        assert len(db.outputs()) == 100
