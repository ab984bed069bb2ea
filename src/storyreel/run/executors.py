"""Where stage work runs. `LocalExecutor`: a thread pool on this machine (the heavy parts,
NumPy, OpenCV and the encoders, release the GIL). `storyreel.run.ray_executor.RayExecutor` takes
its place on a Ray cluster: the same driver threads look up and save, and each item's compute
goes to the cluster as the stage's `Task` (`open_executor` chooses by the project's setting)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from storyreel.errors import StoryreelError

T = TypeVar("T")


class Unrunnable(StoryreelError):
    """The executor cannot run a stage's work at all (no GPU on the cluster, no storyreel on its
    workers): the build stops, where a backend's refusal of one item would fail that item."""


class Executor(Protocol):
    """Where a runner's items are computed: `run` maps over items on the driver's threads,
    `compute` makes one item's output (here, or on a cluster through the stage's task)."""

    def compute(self, stage: Any, item: Any) -> Any: ...

    def run(
        self, fn: Callable[[T], Any], items: Iterable[T], limit: int | None = None
    ) -> Iterator[tuple[T, Any]]: ...


class LocalExecutor:
    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)

    def compute(self, stage: Any, item: Any) -> Any:
        """The stage's output for `item`, made here."""
        return stage.compute(item)

    def run(
        self, fn: Callable[[T], Any], items: Iterable[T], limit: int | None = None
    ) -> Iterator[tuple[T, Any]]:
        """(item, fn(item)) as each finishes; at most `workers` (or `limit`, when lower) in
        flight; the first error cancels what has not started and is raised."""
        items = list(items)
        workers = min(self.workers, limit or self.workers)
        if workers == 1 or len(items) <= 1:
            for item in items:
                yield item, fn(item)
            return
        with ThreadPoolExecutor(workers) as pool:
            pending: dict[Future, T] = {}
            queue = iter(items)
            try:
                for item in queue:
                    pending[pool.submit(fn, item)] = item
                    if len(pending) >= workers:
                        break
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in done:
                        item = pending.pop(fut)
                        yield item, fut.result()
                        nxt = next(queue, None)
                        if nxt is not None:
                            pending[pool.submit(fn, nxt)] = nxt
            finally:
                for fut in pending:
                    fut.cancel()


EXECUTORS = ("local", "ray")  # and ray://HOST:PORT, an existing cluster


@contextmanager
def open_executor(spec: str | None) -> Iterator[Executor | None]:
    """The executor `spec` names ("local", "ray": `RAY_ADDRESS`'s cluster or a local one started
    for the run, "ray://HOST:PORT"), closed after the build."""
    if not spec or spec == "local":
        yield None  # the runner's own thread pool
        return
    try:
        from storyreel.run.ray_executor import RayExecutor
    except ImportError as e:
        raise StoryreelError(
            f"the Ray executor needs the `ray` extra ({e}): pip install 'storyreel[ray]'"
        ) from None
    executor = RayExecutor.connect(None if spec == "ray" else spec)
    try:
        yield executor
    finally:
        executor.close()
