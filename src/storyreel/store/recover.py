"""Work that cannot come back: a project database that holds nothing, no journal to rebuild
it from, and an object store full of takes.

`Database` rebuilds a missing or damaged `project.db` from its journal on its own. Without a
journal (a project whose journal was deleted with the database) a build would start from
nothing: every take made again, every hosted job paid for again. The build asks `lost_work`
first and stops with its message instead.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from storyreel.store.db import JOURNALED
from storyreel.store.journal import Journal, journal_path
from storyreel.store.objects import ObjectStore


def lost_work(state_dir: Path, db_name: str = "project.db") -> str | None:
    """The message to say when `state_dir`'s database holds no work, no journal can rebuild it
    and the object store is not empty; None when nothing is lost (or the project is new)."""
    db_path = Path(state_dir) / db_name
    if Journal(journal_path(db_path)).exists():
        return None
    objects = Path(state_dir) / "objects"
    count = sum(1 for _ in ObjectStore(objects))
    if count == 0 or _holds_work(db_path):
        return None
    stored = f"{count} stored object" + ("" if count == 1 else "s")
    return (
        f"{db_path} is missing, empty or damaged and there is no journal to rebuild it from, "
        f"but {objects} holds {stored}: the selections, the imported edit and the hosted job "
        "ledger are lost, and a render would make every take again (hosted jobs paid for "
        f"twice). Put back a copy of {db_name}, or remove {objects} to start afresh"
    )


def _holds_work(db_path: Path) -> bool:
    if not db_path.is_file():
        return False
    conn = sqlite3.connect(
        f"{db_path.resolve().as_uri()}?mode=ro", uri=True
    )  # as it is: no rebuild
    try:
        return any(conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone() for t in JOURNALED)
    except sqlite3.DatabaseError:  # damaged, not a database, or without tables: nothing to read
        return False
    finally:
        conn.close()
