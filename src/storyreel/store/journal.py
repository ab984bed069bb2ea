"""The journal beside the project database: `.storyreel/project.journal`, one JSON line a write.

The database is never the only copy of a director's decisions. Every write to a table that holds
work (selections, the imported edit, takes, stage outputs, the hosted job ledger, shots' history,
aliases, cut records) is also appended here as the row it left behind — `{"table": T, "put":
{row}}` or `{"table": T, "delete": {key}}` — and fsynced before the transaction commits.
Replaying the lines in order gives those tables back, so a deleted, truncated or overwritten
`project.db` costs nothing (`storyreel.store.db.Database` rebuilds it when it is opened).

A journal rather than a copy of the database after each good build: the decisions that matter
most are made between builds (`select`, `import-edit`) and hosted jobs are paid for during one
that may never finish; a backup taken after a build misses exactly those. A line cut short by a
crash is the last one, and is skipped.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from storyreel.files import atomic_write, file_mode, fsync_dir


def journal_path(db_path: Path) -> Path:
    """`project.db` → `project.journal`, beside it."""
    return db_path.with_suffix(".journal")


class Journal:
    """An append-only file of JSON records, each write fsynced."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def exists(self) -> bool:
        return self.path.is_file() and self.path.stat().st_size > 0

    def append(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        data = "".join(json.dumps(r, separators=(",", ":"), default=str) + "\n" for r in records)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, file_mode())
        try:
            view = memoryview(data.encode())
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if new:  # the file's name must last as well as its bytes
            fsync_dir(self.path.parent)

    def records(self) -> tuple[list[dict[str, Any]], int]:
        """The records in order, and how many lines could not be read (a torn last write)."""
        if not self.path.is_file():
            return [], 0
        records, bad = [], 0
        with self.path.open("rb") as f:
            for line in f:
                try:
                    record = json.loads(line)
                except ValueError:
                    bad += 1
                    continue
                if isinstance(record, dict):
                    records.append(record)
                else:
                    bad += 1
        return records, bad

    def rewrite(self, records: list[dict[str, Any]]) -> None:
        """Replace the journal with `records` at once (a new journal for a database without one)."""
        atomic_write(
            self.path,
            "".join(json.dumps(r, separators=(",", ":"), default=str) + "\n" for r in records),
        )
