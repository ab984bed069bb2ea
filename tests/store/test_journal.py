"""A lost or damaged `project.db` is rebuilt from its journal, with a message saying so."""

from __future__ import annotations

import json

import pytest

from storyreel.store.db import Database
from storyreel.store.recover import lost_work


def _work(path):
    """A database holding one of everything a director or a vendor would miss."""
    with Database(path) as db:
        db.sync_shots([("s1", "h1"), ("s2", "h2")], {"s1": ("EXT. PIER", "waves"), "s2": ("", "")})
        db.set_n_takes("s1", 3)
        db.output_put("key-a", "still", {"png": ["d" * 64, 10, 20]}, {"prompt": "waves"})
        db.output_put("key-b", "still", {"png": ["e" * 64, 10, 20]})
        db.output_delete("key-b")
        db.take_put("s1.still.a", "s1", "still", 1, 7, "h1", '{"backend": "previz"}', "key-a")
        db.take_provenance("s1.still.a", '{"backend": "previz", "prompt": "waves"}')
        db.select("s1", 1, "s1.still.a")
        db.overrides_put('{"entries": []}')
        db.job_put("job-1", "kling", "task-861")
        db.job_update("job-1", "succeeded", "/p/.storyreel/hosted/job-1.mp4")
        db.alias_put({"pier-1a2b3": "s1"})
        db.cut_put("cut-key", "out/cut.mp4", "f" * 64, 100, 200, ["key-a"], "{}")
        assert db.recovered is None


def _assert_kept(db):
    assert db.selected_take("s1") == "s1.still.a" and db.selection("s1") == 1
    assert db.overrides_get() == '{"entries": []}'
    job = db.job_get("job-1")
    assert (job["status"], job["result"]) == ("succeeded", "/p/.storyreel/hosted/job-1.mp4")
    assert set(db.outputs()) == {"key-a"}
    assert db.output_get("key-a")["meta"] == {"prompt": "waves"}
    assert json.loads(db.take("s1.still.a")["provenance"])["prompt"] == "waves"
    assert db.n_takes("s1") == 3 and db.shots()["s1"]["scene"] == "EXT. PIER"
    assert db.aliases() == {"pier-1a2b3": "s1"}
    assert db.last_cut()["key"] == "cut-key"


def test_a_deleted_database_is_rebuilt_from_its_journal(tmp_path):
    path = tmp_path / "project.db"
    _work(path)
    for name in ("project.db", "project.db-wal", "project.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    with Database(path) as db:
        _assert_kept(db)
        assert db.recovered.startswith("project.db was missing; rebuilt from its journal:")
        assert "1 selection" in db.recovered and "the imported edit" in db.recovered
        assert "1 hosted job" in db.recovered and "1 stored output" in db.recovered
    with Database(path) as db:  # rebuilt once: the next open is an ordinary one
        assert db.recovered is None
        _assert_kept(db)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_damaged_database_is_kept_aside_and_rebuilt(tmp_path, damage):
    path = tmp_path / "project.db"
    _work(path)
    data = path.read_bytes()
    bad = {
        "truncated": data[: len(data) // 2 + 100],
        "garbage": b"\x13\x37 not sqlite " * 500,
        "empty": b"",
    }[damage]
    path.write_bytes(bad)
    with Database(path) as db:
        _assert_kept(db)
        assert db.recovered is not None and "rebuilt from its journal" in db.recovered
    if damage != "empty":  # an empty file holds nothing to keep
        aside = [p for p in tmp_path.iterdir() if p.name.startswith("project.db.damaged-")]
        assert len(aside) == 1 and "kept as " + aside[0].name in db.recovered
        assert aside[0].read_bytes() == bad


def test_a_journal_cut_short_by_a_crash_loses_only_its_last_line(tmp_path):
    path = tmp_path / "project.db"
    _work(path)
    journal = tmp_path / "project.journal"
    with journal.open("a") as f:
        f.write('{"table": "selections", "put": {"shot_id": "s2", "take_in')
    path.unlink()
    with Database(path) as db:
        _assert_kept(db)
        assert "s2" not in db.selections()


def test_a_database_from_before_the_journal_starts_one(tmp_path):
    path = tmp_path / "project.db"
    _work(path)
    (tmp_path / "project.journal").unlink()
    Database(path).close()  # opening it writes what it holds to a new journal
    path.unlink()
    with Database(path) as db:
        _assert_kept(db)


def test_an_empty_database_beside_a_full_store_and_no_journal_is_detected(tmp_path):
    state = tmp_path / ".storyreel"
    assert lost_work(state) is None  # a new project
    objects = state / "objects" / "ab"
    objects.mkdir(parents=True)
    (objects / ("c" * 62)).write_bytes(b"a still")
    message = lost_work(state)
    assert message is not None and "no journal" in message and "1 stored object" in message
    _work(state / "project.db")
    assert lost_work(state) is None  # a database that holds the work
    (state / "project.db").unlink()
    assert lost_work(state) is None  # ... or a journal that rebuilds it
    (state / "project.journal").unlink()
    assert "no journal" in lost_work(state)


def test_a_damaged_database_opened_only_to_read_is_rebuilt_first(tmp_path):
    path = tmp_path / "project.db"
    _work(path)
    path.write_bytes(b"not a database at all " * 100)
    with Database(path, read_only=True) as db:
        _assert_kept(db)
        assert "was damaged (file is not a database)" in db.recovered


def test_a_compacted_journal_rebuilds_the_same_database(tmp_path):
    path = tmp_path / "project.db"
    _work(path)
    with Database(path) as db:
        for i in range(50):  # a build that writes its outputs again and again
            db.output_put("key-a", "still", {"png": ["d" * 64, 10, 20 + i]}, {"prompt": "waves"})
        before, after = db.compact_journal()
    assert after < before / 3
    path.unlink()
    with Database(path) as db:
        _assert_kept(db)
        assert db.output_get("key-a")["blobs"]["png"][2] == 69


def test_a_take_marked_stale_is_stale_in_the_rebuilt_database(tmp_path):
    path = tmp_path / "project.db"
    _work(path)
    with Database(path) as db:
        db.take_put("s2.still.b", "s2", "still", 0, 8, "h2", "{}", "key-b")
        db.mark_current("still", {"s1": ["key-new"]})  # the shot's text moved on
        db.sync_shots([("s1", "h1")])  # s2 left the script
        assert (db.take("s1.still.a")["stale"], db.take("s2.still.b")["stale"]) == (1, 1)
    path.unlink()
    with Database(path) as db:
        assert (db.take("s1.still.a")["stale"], db.take("s2.still.b")["stale"]) == (1, 1)
        assert db.shots()["s2"]["status"] == "removed"
