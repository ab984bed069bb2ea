"""The project database, `.storyreel/project.db`: SQLite in WAL mode.

Shots (with the hash of their text, and their scene heading and words for matching an edited
shot to its identity), aliases (a generated shot id → the identity it carries on), takes (with
provenance and the key of their stored output), selections (a take number, and the take chosen),
editorial overrides, hosted jobs, stage outputs (cache key → stored objects), cut records and
notes (a remark on a shot or at a timecode, by an author, open or resolved) and the critic's
scores of takes (`storyreel.writers.critic`). The schema is
versioned with `PRAGMA user_version`; `MIGRATIONS[n]` brings a database from version n to n+1,
so an old project opens in a newer storyreel.

Every write to those tables is also journaled (`storyreel.store.journal`) before it commits;
opening a database that is missing, empty or damaged rebuilds it from the journal.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storyreel.store.journal import Journal, journal_path

MIGRATIONS: list[str] = [
    """
    CREATE TABLE shots (
        id TEXT PRIMARY KEY, text_hash TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'new',
        position INTEGER NOT NULL DEFAULT 0, n_takes INTEGER NOT NULL DEFAULT 0, updated TEXT NOT NULL);
    CREATE TABLE takes (
        id TEXT PRIMARY KEY, shot_id TEXT NOT NULL, kind TEXT NOT NULL, idx INTEGER NOT NULL,
        seed INTEGER NOT NULL, text_hash TEXT NOT NULL, provenance TEXT NOT NULL,
        object_key TEXT NOT NULL, path TEXT, created TEXT NOT NULL, stale INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX takes_shot ON takes (shot_id, kind, idx);
    CREATE TABLE selections (shot_id TEXT PRIMARY KEY, take_index INTEGER NOT NULL, updated TEXT NOT NULL);
    CREATE TABLE overrides (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL, updated TEXT NOT NULL);
    CREATE TABLE jobs (
        cache_key TEXT PRIMARY KEY, vendor TEXT NOT NULL, remote_id TEXT NOT NULL, status TEXT NOT NULL,
        result TEXT, created TEXT NOT NULL, updated TEXT NOT NULL);
    CREATE TABLE outputs (
        cache_key TEXT PRIMARY KEY, stage TEXT NOT NULL, blobs TEXT NOT NULL, meta TEXT NOT NULL,
        created TEXT NOT NULL);
    CREATE TABLE cuts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, path TEXT NOT NULL, digest TEXT NOT NULL,
        size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, blobs TEXT NOT NULL, provenance TEXT NOT NULL,
        created TEXT NOT NULL);
    """,
    """
    ALTER TABLE shots ADD COLUMN scene TEXT NOT NULL DEFAULT '';
    ALTER TABLE shots ADD COLUMN text TEXT NOT NULL DEFAULT '';
    ALTER TABLE selections ADD COLUMN take_id TEXT;
    CREATE TABLE aliases (content_id TEXT PRIMARY KEY, shot_id TEXT NOT NULL, created TEXT NOT NULL);
    """,
    """
    CREATE TABLE notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT, author TEXT NOT NULL, created TEXT NOT NULL,
        shot_id TEXT, timecode TEXT, text TEXT NOT NULL, resolved TEXT);
    """,
    """
    ALTER TABLE selections ADD COLUMN chosen_by TEXT;
    CREATE TABLE critiques (
        take_id TEXT PRIMARY KEY, shot_id TEXT NOT NULL, key TEXT NOT NULL, score REAL NOT NULL,
        reason TEXT NOT NULL, critic TEXT NOT NULL, created TEXT NOT NULL);
    """,
    """
    ALTER TABLE jobs ADD COLUMN shot_id TEXT;
    ALTER TABLE jobs ADD COLUMN item TEXT;
    ALTER TABLE jobs ADD COLUMN model TEXT;
    ALTER TABLE jobs ADD COLUMN units TEXT;
    ALTER TABLE jobs ADD COLUMN cost TEXT;
    ALTER TABLE jobs ADD COLUMN currency TEXT;
    ALTER TABLE jobs ADD COLUMN priced_by TEXT;
    """,
]
# what a hosted job was charged (`storyreel.hosted.prices.Charge.row`, with the shot and the stage
# item it was paid for): `cost` is a decimal string, `priced_by` "table" or "vendor"
CHARGE_COLUMNS = ("shot_id", "item", "model", "units", "cost", "currency", "priced_by")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# the tables that hold work, each with its key: written to the journal too (`store.journal`)
JOURNALED: dict[str, str] = {
    "shots": "id",
    "aliases": "content_id",
    "takes": "id",
    "selections": "shot_id",
    "overrides": "id",
    "jobs": "cache_key",
    "outputs": "cache_key",
    "cuts": "id",
    "notes": "id",
    "critiques": "take_id",
}
_SHOT_FIELDS = ("text_hash", "status", "position", "scene", "text")  # a shot's row, but its date


class Database:
    """One connection, safe to share between the threads of one build.

    `recovered` is a one-line message when opening found the file missing, empty or damaged
    and rebuilt it from the journal (the damaged file is kept aside, renamed), else None.
    """

    def __init__(self, path: Path, read_only: bool = False):
        """Open (and bring up to date) the database; `read_only` opens an existing one as it is
        (a damaged one is first rebuilt, as any open does)."""
        self.path = Path(path)
        self._lock = threading.RLock()
        self._pending: list[dict[str, Any]] = []
        self.journal = Journal(journal_path(self.path))
        self.recovered: str | None = None
        if read_only:
            try:
                self._open_read_only()
            except sqlite3.DatabaseError as e:  # damaged: rebuilt (as any open does), then read
                if not _damaged(e):
                    raise
                self.conn.close()
                with Database(self.path) as rebuilt:
                    self.recovered = rebuilt.recovered
                self._open_read_only()
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        missing = not self.path.is_file()
        if (
            missing
        ):  # a write-ahead log left by a deleted database would be replayed into the new one
            for orphan in (Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
                if orphan.is_file():
                    _set_aside(orphan)
        damage = None
        try:
            self._open()
        except sqlite3.DatabaseError as e:
            if not _damaged(e):
                raise
            self.conn.close()
            damage = f"was damaged ({e}); kept as {_set_aside(self.path).name}"
            for companion in (Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
                if companion.is_file():
                    _set_aside(companion)
            self._open()
        if damage or not self._holds_work():
            self.recovered = self._rebuild(
                damage or ("was missing" if missing else "was empty"), bool(damage)
            )
        elif not self.journal.exists():  # a database from before the journal: start one
            self.journal.rewrite(self._snapshot())

    def _open_read_only(self) -> None:
        self.conn = sqlite3.connect(
            f"{self.path.resolve().as_uri()}?mode=ro",
            uri=True,
            timeout=60,
            isolation_level=None,
            check_same_thread=False,
        )
        self.conn.row_factory = sqlite3.Row
        self._check()

    def _check(self) -> None:
        check = self.conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(check)

    def _open(self) -> None:
        self.conn = sqlite3.connect(
            self.path, timeout=60, isolation_level=None, check_same_thread=False
        )
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=60000")
        self._check()
        self._migrate()

    def _holds_work(self) -> bool:
        return any(self._one(f"SELECT 1 FROM {table} LIMIT 1") for table in JOURNALED)

    def _snapshot(self) -> list[dict[str, Any]]:
        return [
            {"table": table, "put": dict(row)}
            for table in JOURNALED
            for row in self._all(f"SELECT * FROM {table}")
        ]

    def _rebuild(self, why: str, damaged: bool) -> str | None:
        """Replay the journal into the (new, empty) database; the message saying what came back."""
        records, unreadable = self.journal.records()
        if not records:
            if not damaged:
                return None  # a new project
            return (
                f"{self.path.name} {why}; there is no journal to rebuild it from, so its takes, "
                "selections, imported edit, hosted jobs and notes are gone"
            )
        columns = {t: {r["name"] for r in self._all(f"PRAGMA table_info({t})")} for t in JOURNALED}
        with self.tx() as c:
            for record in records:
                table = record.get("table")
                if table not in JOURNALED:
                    unreadable += 1
                elif isinstance(record.get("put"), dict):
                    row = {k: v for k, v in record["put"].items() if k in columns[table]}
                    try:
                        c.execute(
                            f"INSERT OR REPLACE INTO {table} ({', '.join(row)}) "
                            f"VALUES ({', '.join('?' * len(row))})",
                            tuple(row.values()),
                        )
                    except sqlite3.Error:
                        unreadable += 1
                elif isinstance(record.get("delete"), dict):
                    key = JOURNALED[table]
                    c.execute(f"DELETE FROM {table} WHERE {key} = ?", (record["delete"].get(key),))
        count = {t: self._one(f"SELECT COUNT(*) FROM {t}")[0] for t in JOURNALED}
        parts = [
            _plural(count["selections"], "selection"),
            *(["the imported edit"] if count["overrides"] else []),
            _plural(count["jobs"], "hosted job"),
            _plural(count["outputs"], "stored output"),
            _plural(count["takes"], "take"),
            _plural(count["notes"], "note"),
        ]
        kept = ", ".join(p for p in parts if not p.startswith("0 ")) or "nothing"
        skipped = f" ({_plural(unreadable, 'unreadable line')} skipped)" if unreadable else ""
        return f"{self.path.name} {why}; rebuilt from its journal: {kept}{skipped}"

    def compact_journal(self) -> tuple[int, int]:
        """Rewrite the journal as the rows the tables hold now (a line each), dropping the history
        of rows written again or deleted; returns its sizes in bytes, before and after. Holds the
        write lock, so no write of another connection falls between the copy and the rename."""
        before = self.journal.path.stat().st_size if self.journal.path.is_file() else 0
        with self.tx():
            self.journal.rewrite(self._snapshot())
        return before, self.journal.path.stat().st_size

    def _keep(self, c: sqlite3.Connection, table: str, *keys: Any) -> None:
        """Journal the rows of `table` with these keys as the write left them (gone: a delete)."""
        column = JOURNALED[table]
        for key in keys:
            row = c.execute(f"SELECT * FROM {table} WHERE {column} = ?", (key,)).fetchone()
            self._pending.append(
                {"table": table, "put": dict(row)}
                if row is not None
                else {"table": table, "delete": {column: key}}
            )

    def _migrate(self) -> None:
        with self.tx():
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            for n in range(version, len(MIGRATIONS)):
                for statement in filter(str.strip, MIGRATIONS[n].split(";")):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {n + 1}")

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    @property
    def current(self) -> bool:
        """The schema is this storyreel's (a read-only database may be older)."""
        return self.version == len(MIGRATIONS)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE … COMMIT, rolled back on error); the rows it
        `_keep`s are journaled before it commits."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.journal.append(self._pending)  # before the commit: never a row it lacks
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            finally:
                self._pending = []
            self.conn.execute("COMMIT")

    def _all(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, args).fetchall()

    def _one(self, sql: str, *args: Any) -> sqlite3.Row | None:
        with self._lock:
            return self.conn.execute(sql, args).fetchone()

    # --- stage outputs --------------------------------------------------------------------

    def output_get(self, cache_key: str) -> dict[str, Any] | None:
        """`{"stage", "blobs": {name: [digest, size, mtime_ns]}, "meta"}` or None."""
        row = self._one("SELECT stage, blobs, meta FROM outputs WHERE cache_key = ?", cache_key)
        if row is None:
            return None
        return {
            "stage": row["stage"],
            "blobs": json.loads(row["blobs"]),
            "meta": json.loads(row["meta"]),
        }

    def output_put(
        self,
        cache_key: str,
        stage: str,
        blobs: dict[str, list[Any]],
        meta: dict[str, Any] | None = None,
    ) -> None:
        with self.tx() as c:
            c.execute(
                "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?)",
                (cache_key, stage, json.dumps(blobs), json.dumps(meta or {}), now()),
            )
            self._keep(c, "outputs", cache_key)

    def output_delete(self, cache_key: str) -> None:
        with self.tx() as c:
            c.execute("DELETE FROM outputs WHERE cache_key = ?", (cache_key,))
            self._keep(c, "outputs", cache_key)

    def outputs(self) -> dict[str, dict[str, Any]]:
        return {
            r["cache_key"]: {"stage": r["stage"], "blobs": json.loads(r["blobs"])}
            for r in self._all("SELECT cache_key, stage, blobs FROM outputs")
        }

    def outputs_delete(self, keys: list[str]) -> None:
        with self.tx() as c:
            c.executemany("DELETE FROM outputs WHERE cache_key = ?", [(k,) for k in keys])
            self._keep(c, "outputs", *keys)

    # --- shots ------------------------------------------------------------------------------

    def shots(self) -> dict[str, sqlite3.Row]:
        return {r["id"]: r for r in self._all("SELECT * FROM shots ORDER BY position")}

    def sync_shots(
        self, hashes: list[tuple[str, str]], texts: dict[str, tuple[str, str]] | None = None
    ) -> dict[str, list[str]]:
        """Record the script's shots (id, text hash) in order, with `texts` (id → scene heading,
        words) for matching them later; returns added/removed/changed ids.

        Takes of a shot that left the script are marked stale (and current again if it returns).
        """
        before = self.shots()
        ids = {sid for sid, _ in hashes}
        texts = texts or {}
        with self.tx() as c:
            for pos, (sid, text_hash) in enumerate(hashes):
                old = before.get(sid)
                status = (
                    "new"
                    if old is None
                    else ("changed" if old["text_hash"] != text_hash else "same")
                )
                scene, text = texts.get(sid, ("", ""))
                c.execute(
                    "INSERT INTO shots (id, text_hash, status, position, updated, scene, text) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET text_hash = excluded.text_hash, status = excluded.status, "
                    "position = excluded.position, updated = excluded.updated, scene = excluded.scene, "
                    "text = excluded.text",
                    (sid, text_hash, status, pos, now(), scene, text),
                )
                if old is None or tuple(old[f] for f in _SHOT_FIELDS) != (
                    text_hash,
                    status,
                    pos,
                    scene,
                    text,
                ):
                    self._keep(c, "shots", sid)
                if old is not None and old["status"] == "removed":
                    self._restale(c, "text_hash != ?", (text_hash,), sid)
            for sid in set(before) - ids:
                c.execute("UPDATE shots SET status = 'removed', position = -1 WHERE id = ?", (sid,))
                self._restale(c, "1", (), sid)
                if before[sid]["status"] != "removed":
                    self._keep(c, "shots", sid)
        return {
            "added": [s for s, _ in hashes if s not in before or before[s]["status"] == "removed"],
            "removed": sorted(s for s in set(before) - ids if before[s]["status"] != "removed"),
            "changed": [
                s
                for s, h in hashes
                if s in before and before[s]["status"] != "removed" and before[s]["text_hash"] != h
            ],
        }

    def aliases(self) -> dict[str, str]:
        """Generated shot id → the identity it carries on (`storyreel.run.identity`)."""
        return {r["content_id"]: r["shot_id"] for r in self._all("SELECT * FROM aliases")}

    def alias_put(self, aliases: dict[str, str]) -> None:
        with self.tx() as c:
            c.executemany(
                "INSERT OR REPLACE INTO aliases VALUES (?, ?, ?)",
                [(k, v, now()) for k, v in aliases.items()],
            )
            self._keep(c, "aliases", *aliases)

    def n_takes(self, shot_id: str) -> int:
        row = self._one("SELECT n_takes FROM shots WHERE id = ?", shot_id)
        return row["n_takes"] if row else 0

    def set_n_takes(self, shot_id: str, n: int) -> None:
        with self.tx() as c:
            c.execute("UPDATE shots SET n_takes = ? WHERE id = ?", (n, shot_id))
            self._keep(c, "shots", shot_id)

    # --- takes ------------------------------------------------------------------------------

    def take_put(
        self,
        take_id: str,
        shot_id: str,
        kind: str,
        idx: int,
        seed: int,
        text_hash: str,
        provenance: str,
        object_key: str,
        path: str | None = None,
    ) -> None:
        """Record a take (once: an existing take keeps its first provenance and date)."""
        with self.tx() as c:
            c.execute(
                "INSERT INTO takes (id, shot_id, kind, idx, seed, text_hash, provenance, object_key, path, "
                "created, stale) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) "
                "ON CONFLICT(id) DO UPDATE SET stale = 0",
                (take_id, shot_id, kind, idx, seed, text_hash, provenance, object_key, path, now()),
            )
            self._keep(c, "takes", take_id)

    def take_provenance(self, take_id: str, provenance: str) -> None:
        """Complete a take's provenance with what is known only once it is made."""
        with self.tx() as c:
            c.execute("UPDATE takes SET provenance = ? WHERE id = ?", (provenance, take_id))
            self._keep(c, "takes", take_id)

    def mark_current(self, kind: str, current: dict[str, list[str]]) -> None:
        """Shot id → the output keys its takes of `kind` have now; its other takes are stale."""
        with self.tx() as c:
            for sid, keys in current.items():
                marks = ",".join("?" * len(keys))
                self._restale(c, f"object_key NOT IN ({marks})", tuple(keys), sid, kind)

    def mark_text(self, kind: str, current: dict[str, tuple[str, str]]) -> None:
        """Shot id → (the hash of its text now, the key of its take of `kind` in use): its
        other takes of `kind` made from another text are stale, the rest current."""
        with self.tx() as c:
            for sid, (text_hash, key) in current.items():
                self._restale(c, "text_hash != ? AND object_key != ?", (text_hash, key), sid, kind)

    def _restale(
        self,
        c: sqlite3.Connection,
        stale: str,
        args: tuple[Any, ...],
        shot_id: str,
        kind: str | None = None,
    ) -> None:
        """Set the stale flag of a shot's takes (of `kind`) to the SQL `stale`, journaling the
        takes whose flag it changes."""
        where, where_args = (
            "shot_id = ?" + (" AND kind = ?" if kind else ""),
            (shot_id, *filter(None, [kind])),
        )
        changed = [
            r[0]
            for r in c.execute(
                f"SELECT id FROM takes WHERE {where} AND stale != ({stale})", (*where_args, *args)
            )
        ]
        c.execute(f"UPDATE takes SET stale = ({stale}) WHERE {where}", (*args, *where_args))
        self._keep(c, "takes", *changed)

    def take(self, take_id: str) -> sqlite3.Row | None:
        return self._one("SELECT * FROM takes WHERE id = ?", take_id)

    def takes(self, shot_id: str | None = None, kind: str | None = None) -> list[sqlite3.Row]:
        sql, args = "SELECT * FROM takes WHERE 1", []
        if shot_id is not None:
            sql, args = sql + " AND shot_id = ?", [*args, shot_id]
        if kind is not None:
            sql, args = sql + " AND kind = ?", [*args, kind]
        return self._all(sql + " ORDER BY shot_id, kind, stale, idx, created", *args)

    # --- selections -------------------------------------------------------------------------

    def select(
        self, shot_id: str, take_index: int, take_id: str | None = None, by: str = "director"
    ) -> None:
        """Choose a shot's take by number, and by id (which holds when the shot's text changes);
        `by` records who chose: the director, or the critic."""
        with self.tx() as c:
            c.execute(
                "INSERT OR REPLACE INTO selections (shot_id, take_index, updated, take_id, chosen_by) "
                "VALUES (?, ?, ?, ?, ?)",
                (shot_id, take_index, now(), take_id, by),
            )
            self._keep(c, "selections", shot_id)

    def selected_by(self, shot_id: str) -> str | None:
        """Who chose the shot's take ("director" or "critic"; a choice from before this was
        recorded is the director's); None when no take was chosen."""
        row = self._one("SELECT chosen_by FROM selections WHERE shot_id = ?", shot_id)
        return (row["chosen_by"] or "director") if row else None

    def selection(self, shot_id: str) -> int:
        """The selected take index of a shot (0, the first take, when none was chosen)."""
        row = self._one("SELECT take_index FROM selections WHERE shot_id = ?", shot_id)
        return row["take_index"] if row else 0

    def selected_take(self, shot_id: str) -> str | None:
        """The id of the take chosen with `select`, if one was."""
        row = self._one("SELECT take_id FROM selections WHERE shot_id = ?", shot_id)
        return row["take_id"] if row else None

    def selections(self) -> dict[str, int]:
        return {r["shot_id"]: r["take_index"] for r in self._all("SELECT * FROM selections")}

    # --- the critic's scores ----------------------------------------------------------------

    def critique_put(
        self, key: str, critic: str, scores: dict[str, tuple[str, float, str]]
    ) -> None:
        """Store the critic's judgement of takes: take id → (shot id, score, reason), under the
        key of the request that asked for it."""
        with self.tx() as c:
            c.executemany(
                "INSERT OR REPLACE INTO critiques VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (take_id, shot_id, key, score, reason, critic, now())
                    for take_id, (shot_id, score, reason) in scores.items()
                ],
            )
            self._keep(c, "critiques", *scores)

    def critiques(self, shot_id: str) -> dict[str, sqlite3.Row]:
        """Take id → the critic's row (key, score, reason, critic) for a shot's takes."""
        rows = self._all("SELECT * FROM critiques WHERE shot_id = ?", shot_id)
        return {r["take_id"]: r for r in rows}

    # --- editorial overrides ----------------------------------------------------------------

    def overrides_get(self) -> str | None:
        row = self._one("SELECT data FROM overrides WHERE id = 1")
        return row["data"] if row else None

    def overrides_put(self, data: str | None) -> None:
        with self.tx() as c:
            if data is None:
                c.execute("DELETE FROM overrides WHERE id = 1")
            else:
                c.execute("INSERT OR REPLACE INTO overrides VALUES (1, ?, ?)", (data, now()))
            self._keep(c, "overrides", 1)

    # --- hosted jobs ------------------------------------------------------------------------

    def job_get(self, cache_key: str) -> dict | None:
        row = self._one("SELECT * FROM jobs WHERE cache_key = ?", cache_key)
        return dict(row) if row else None

    def job_put(
        self,
        cache_key: str,
        vendor: str,
        remote_id: str,
        status: str = "submitted",
        charge: dict[str, Any] | None = None,
    ) -> None:
        """Record a submitted job, with what it was charged (`CHARGE_COLUMNS`) when known."""
        charged = {k: v for k, v in (charge or {}).items() if k in CHARGE_COLUMNS}
        row = {
            "cache_key": cache_key,
            "vendor": vendor,
            "remote_id": remote_id,
            "status": status,
            "result": None,
            "created": now(),
            "updated": now(),
        } | charged
        with self.tx() as c:
            c.execute(
                f"INSERT OR REPLACE INTO jobs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                tuple(row.values()),
            )
            self._keep(c, "jobs", cache_key)

    def job_charge(self, cache_key: str, cost: str, currency: str, priced_by: str) -> None:
        """Correct a job's charge (to what the vendor's response says it cost)."""
        with self.tx() as c:
            c.execute(
                "UPDATE jobs SET cost = ?, currency = ?, priced_by = ? WHERE cache_key = ?",
                (cost, currency, priced_by, cache_key),
            )
            self._keep(c, "jobs", cache_key)

    def jobs(self, shot: str | None = None) -> list[dict[str, Any]]:
        """Every hosted job on the ledger (or those charged to `shot`), oldest first."""
        where, args = ("WHERE shot_id = ? ", (shot,)) if shot else ("", ())
        rows = self._all(f"SELECT * FROM jobs {where}ORDER BY created, cache_key", *args)
        return [dict(r) for r in rows]

    def job_update(self, cache_key: str, status: str, result: str | None = None) -> None:
        with self.tx() as c:
            cur = c.execute(
                "UPDATE jobs SET status = ?, result = COALESCE(?, result), updated = ? "
                "WHERE cache_key = ?",
                (status, result, now(), cache_key),
            )
            if cur.rowcount == 0:
                raise KeyError(f"no job for key {cache_key[:12]}")
            self._keep(c, "jobs", cache_key)

    # --- cuts -------------------------------------------------------------------------------

    def cut_put(
        self,
        key: str,
        path: str,
        digest: str,
        size: int,
        mtime_ns: int,
        blobs: list[str],
        provenance: str,
    ) -> None:
        with self.tx() as c:
            cur = c.execute(
                "INSERT INTO cuts (key, path, digest, size, mtime_ns, blobs, provenance, "
                "created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (key, path, digest, size, mtime_ns, json.dumps(blobs), provenance, now()),
            )
            self._keep(c, "cuts", cur.lastrowid)

    def last_cut(self, path: str | None = None) -> sqlite3.Row | None:
        if path is None:
            return self._one("SELECT * FROM cuts ORDER BY id DESC LIMIT 1")
        return self._one("SELECT * FROM cuts WHERE path = ? ORDER BY id DESC LIMIT 1", path)

    def cuts(self) -> list[sqlite3.Row]:
        return self._all("SELECT * FROM cuts ORDER BY id")

    def cuts_delete(self, ids: list[int]) -> None:
        """Forget cut records, so that the next build writes those cuts again."""
        with self.tx() as c:
            c.executemany("DELETE FROM cuts WHERE id = ?", [(i,) for i in ids])
            self._keep(c, "cuts", *ids)

    # --- notes ------------------------------------------------------------------------------

    def note_add(
        self, author: str, text: str, shot_id: str | None = None, timecode: str | None = None
    ) -> int:
        """A note on a shot or at a timecode (or both); returns its id."""
        with self.tx() as c:
            cur = c.execute(
                "INSERT INTO notes (author, created, shot_id, timecode, text) "
                "VALUES (?, ?, ?, ?, ?)",
                (author, now(), shot_id, timecode, text),
            )
            self._keep(c, "notes", cur.lastrowid)
            return int(cur.lastrowid)

    def notes(self, include_resolved: bool = True) -> list[sqlite3.Row]:
        sql = "SELECT * FROM notes" + ("" if include_resolved else " WHERE resolved IS NULL")
        return self._all(sql + " ORDER BY id")

    def note_resolve(self, note_id: int, resolved: bool = True) -> bool:
        """Mark a note resolved (or open again); False when there is no such note."""
        with self.tx() as c:
            cur = c.execute(
                "UPDATE notes SET resolved = ? WHERE id = ?", (now() if resolved else None, note_id)
            )
            if cur.rowcount == 1:
                self._keep(c, "notes", note_id)
            return cur.rowcount == 1


def _damaged(error: sqlite3.DatabaseError) -> bool:
    """The file is not a database, or a corrupt one (not: locked, unreadable, full)."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:  # raised here, by `quick_check`
        return True
    return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def _set_aside(path: Path) -> Path:
    """Rename a damaged file out of the way, keeping it: `project.db.damaged-20261201T221000`."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        aside, n = path.with_name(f"{path.name}.damaged-{stamp}-{n}"), n + 1
    os.replace(path, aside)
    return aside


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
