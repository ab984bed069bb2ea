"""Where stage work runs. `LocalExecutor`: a thread pool on this machine (the heavy parts,
NumPy, OpenCV and the encoders, release the GIL). A Ray executor can take its place later."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")


class LocalExecutor:
    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)

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
