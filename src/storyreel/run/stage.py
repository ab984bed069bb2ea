"""Stages and the one runner that runs them.

A `Stage` is one arrow of the flow (script → stills → clips → sound → picture → cut → exports). It
declares, for each unit of its work (an *item*: a take of a shot, a segment of the picture), the
item's key (`store.keys`: a hash of its inputs, its backend's identity and the keys upstream), how
to compute it, and how its output is saved to and loaded from the store. It knows nothing of
caching, repair, progress or timing: the `Runner` alone does those, for every stage alike —

- `ensure`: ask the store first; reuse what is there and intact (a cheap `stat` fingerprint, a
  hash only of objects touched since they were written); compute what is missing or damaged on
  the executor; save it; publish `computed` / `reused` / `failed` events as each item finishes.
- `load`: read an output back, verified by hash; a corrupt object is removed, reported
  (`repaired`) and its item computed again.
- `stage`: a timed span with `stage_started` / `stage_progress` / `stage_finished` events.

The split between `compute` (may run anywhere: a worker thread, a cluster) and `save` (on the
machine that owns the store and the database) is what lets an executor move the work without
moving the bookkeeping: a stage whose items may run on a cluster gives each one's `task` (a
picklable recipe, `storyreel.run.work`) and turns what it returns into its output (`accept`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from storyreel.errors import StoryreelError
from storyreel.run.events import (
    Computed,
    EventBus,
    Failed,
    Repaired,
    Reused,
    StageFinished,
    StageProgress,
    StageStarted,
)
from storyreel.run.executors import Executor, LocalExecutor, Unrunnable
from storyreel.run.work import Task
from storyreel.store.db import Database
from storyreel.store.objects import CorruptObject, ObjectStore, fingerprint

Item = TypeVar("Item")  # an item of a stage's work
Out = TypeVar("Out")  # what computing an item gives

PROGRESS_EVERY = 0.1  # seconds between two progress events of one stage


@dataclass(frozen=True)
class Stored:
    """A stage's output as the store keeps it: objects by name (digests) and metadata."""

    blobs: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome(Generic[Out]):
    """What `Runner.ensure` did for one item: its key, its output, whether it was made now
    (then `value` is what `compute` gave) or reused, or the backend's refusal."""

    key: str
    stored: Stored | None = None
    computed: bool = False
    value: Out | None = None
    error: StoryreelError | None = None


class Stage(Generic[Item, Out]):
    """One stage of the build. Subclasses set `name` and implement `key`, `compute`, `save`."""

    name: ClassVar[str]  # in events and the report: "stills", "segments"
    kind: ClassVar[str]  # what the database calls its outputs: "still", "segment"

    def key(self, item: Item) -> str:
        """The item's cache key (through `store.keys`)."""
        raise NotImplementedError

    def compute(self, item: Item) -> Out:
        """Make the item's output; a `StoryreelError` is a refusal of this item alone."""
        raise NotImplementedError

    def task(self, item: Item) -> Task | None:
        """The item's compute as a picklable `Task` for a cluster's worker (read on the driver,
        just before it is sent); None: computed on the driver (hosted work, whose ledger is
        checked and written there, and anything quick)."""
        return None

    def accept(self, item: Item, result: Any) -> Out:
        """On the driver: what `compute` would have given, from the result of `task(item)`."""
        return result

    def save(self, item: Item, value: Out) -> Stored | None:
        """Put a computed output into the object store; None: keep no record of it (a slate)."""
        raise NotImplementedError

    def load(self, item: Item, stored: Stored) -> Out:
        """A stored output, read back verified (raise `CorruptObject` when it is not)."""
        raise NotImplementedError

    def intact(self, item: Item, stored: Stored) -> bool:
        """Whether a stored output still stands, beyond its objects (files written outside the
        store, say); a stage whose outputs are all objects keeps the default."""
        return True

    def label(self, item: Item) -> str:
        """The item in words, for messages: "still of shot sh010, take 2"."""
        return f"{self.name} item"

    def shot(self, item: Item) -> str | None:
        """The shot the item belongs to, if any."""
        return None

    def item_id(self, item: Item, key: str) -> str:
        """How events and the report name the item (a take id; by default its key's head)."""
        return key[:12]

    def frames(self, item: Item) -> int:
        """Frames of picture the item renders (counted in the report when it is computed)."""
        return 0

    def refusal(self, item: Item, error: StoryreelError) -> tuple[str, bool]:
        """(the message, whether it fails the item's shot in the cut) for a refused item."""
        return str(error), True


class Runner:
    """Runs stages against one project's store and database, publishing build events."""

    def __init__(
        self,
        store: ObjectStore,
        db: Database,
        events: EventBus,
        executor: Executor | None = None,
    ):
        self.store, self.db, self.events = store, db, events
        self.executor = executor or LocalExecutor()
        self._lock = threading.Lock()
        self._tallies: dict[str, _Tally] = {}

    # --- spans and progress ------------------------------------------------------------------

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        """A timed span of stage `name`; yields `tick(n)`, which advances its progress by n."""
        start = time.perf_counter()
        counts = {"done": 0, "last": 0.0}
        self.events.publish(StageStarted(name, total))

        def tick(n: int = 1) -> None:
            with self._lock:
                counts["done"] += n
                now = time.perf_counter()
                if now - counts["last"] < PROGRESS_EVERY and counts["done"] != total:
                    return
                counts["last"] = now
                done = counts["done"]
            self.events.publish(StageProgress(name, done, total))

        tally = self._tallies[name] = _Tally()
        try:
            yield tick
        finally:
            self.events.publish(
                StageFinished(
                    name,
                    tally.computed,
                    tally.reused,
                    tally.failed,
                    round(time.perf_counter() - start, 3),
                )
            )

    def _count(self, stage: str, what: str) -> None:
        tally = self._tallies.get(stage)
        if tally is not None:
            with self._lock:
                setattr(tally, what, getattr(tally, what) + 1)

    def computed(self, stage: str, item: str, shot: str | None = None, frames: int = 0) -> None:
        self._count(stage, "computed")
        self.events.publish(Computed(stage, item, shot, frames))

    def reused(self, stage: str, item: str, shot: str | None = None) -> None:
        self._count(stage, "reused")
        self.events.publish(Reused(stage, item, shot))

    def failed(
        self, stage: str, item: str, shot: str | None, message: str, fatal: bool = True
    ) -> None:
        self._count(stage, "failed")
        self.events.publish(Failed(stage, item, shot, message, fatal))

    # --- the store ---------------------------------------------------------------------------

    def lookup(self, key: str, label: str) -> Stored | None:
        """The stored output of `key` when all its objects are intact; a damaged one is dropped,
        reported, and None returned (so its item is computed again)."""
        out = self.db.output_get(key)
        if out is None:
            return None
        blobs = out["blobs"]
        for name, (dig, size, mtime) in list(blobs.items()):
            path = self.store.path(dig)
            if path.is_file() and fingerprint(path) == (size, mtime):
                continue
            if self.store.verify(dig):  # touched but intact: refresh its fingerprint
                blobs[name] = [dig, *fingerprint(path)]
                self.db.output_put(key, out["stage"], blobs, out["meta"])
                continue
            self.repair(key, dig, label)
            return None
        return Stored({name: b[0] for name, b in blobs.items()}, out["meta"])

    def record(self, key: str, stage: str, stored: Stored) -> None:
        """Note an output in the database, with each object's fingerprint."""
        blobs = {
            name: [dig, *fingerprint(self.store.path(dig))] for name, dig in stored.blobs.items()
        }
        self.db.output_put(key, stage, blobs, stored.meta)

    def forget(self, key: str) -> None:
        self.db.output_delete(key)

    def repair(self, key: str, dig: str, label: str) -> None:
        self.db.output_delete(key)
        self.events.publish(
            Repaired(f"object {dig[:12]} ({label}) was corrupt or missing: removed, recomputing")
        )

    # --- running a stage ---------------------------------------------------------------------

    def ensure(
        self,
        stage: Stage[Item, Out],
        items: Iterable[Item],
        tick: Callable[[int], None] | None = None,
        workers: int | None = None,
    ) -> Iterator[tuple[Item, Outcome[Out]]]:
        """Each item's output in the store, computed on the executor when missing or damaged;
        yields (item, outcome) as each finishes. `workers` caps the items in flight (a memory
        budget's), below the executor's own."""

        def run(item: Item) -> Outcome[Out]:
            key = stage.key(item)
            stored = self.lookup(key, stage.label(item))
            if stored is not None and stage.intact(item, stored):
                return Outcome(key, stored)
            try:
                value = self.executor.compute(stage, item)
            except Unrunnable:
                raise
            except StoryreelError as e:
                return Outcome(key, error=e)
            stored = stage.save(item, value)
            if stored is not None:
                self.record(key, stage.kind, stored)
            return Outcome(key, stored, True, value)

        for item, outcome in self.executor.run(run, items, workers):
            self.report(stage, item, outcome)
            if tick is not None:
                tick(1)
            yield item, outcome

    def one(self, stage: Stage[Item, Out], item: Item) -> Outcome[Out]:
        """`ensure` for a stage of one item, whose failure is the build's: its error is raised."""
        [(_, outcome)] = self.ensure(stage, [item])
        if outcome.error is not None:
            raise outcome.error
        return outcome

    def report(self, stage: Stage[Item, Out], item: Item, outcome: Outcome[Out]) -> None:
        """Publish what happened to one item."""
        name, shot = stage.item_id(item, outcome.key), stage.shot(item)
        if outcome.error is not None:
            message, fatal = stage.refusal(item, outcome.error)
            self.failed(stage.name, name, shot, message, fatal)
        elif outcome.computed:
            self.computed(stage.name, name, shot, stage.frames(item))
        else:
            self.reused(stage.name, name, shot)

    def load(self, stage: Stage[Item, Out], item: Item) -> Out:
        """An item's output from the store, verified; made again when missing or corrupt."""
        key = stage.key(item)
        stored = self.lookup(key, stage.label(item))
        if stored is not None:
            try:
                return stage.load(item, stored)
            except CorruptObject as e:
                self.repair(key, e.digest, stage.label(item))
        value = stage.compute(item)
        stored = stage.save(item, value)
        if stored is None:
            return value
        self.record(key, stage.kind, stored)
        return stage.load(item, stored)


@dataclass
class _Tally:
    computed: int = 0
    reused: int = 0
    failed: int = 0
