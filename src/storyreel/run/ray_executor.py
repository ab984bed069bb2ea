"""The Ray executor: a build's stills and segment encodes as tasks on a Ray cluster.

The driver (the machine running `storyreel render`, which holds the project lock, the store and
the database) keeps the runner's bookkeeping: each item is looked up, and its result saved and
recorded, on a driver thread, exactly as the local executor does; only `Stage.task(item)` travels.
So a render on the cluster and one on a laptop find the same keys, and a driver killed mid-render
resumes as a local one does (what arrived is saved). Hosted work has no task: it is computed on
the driver, where its ledger is checked and written before anything is submitted.

A task whose backend wants a GPU goes to one of the stage's actors, one a GPU of the cluster,
which keeps that backend (and the pipeline it loads once) for the stage's other tasks and gives
its GPU back after the stage; the rest are plain tasks on CPU workers. Ray runs either again
on another worker when the one running it dies (`MAX_RETRIES`).

Before the first task the cluster is checked: its address answers within `CONNECT_SECONDS`, its
workers import storyreel, and it has the GPUs a backend asks for; each fails with one line.
"""

from __future__ import annotations

import itertools
import os
import socket
import threading
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import ray

from storyreel import __version__
from storyreel.backends import Backend
from storyreel.errors import StoryreelError
from storyreel.run.executors import LocalExecutor, Unrunnable
from storyreel.run.work import Needs, Refusal, Task

PACKAGE = "storyreel"  # what every worker must import
CONNECT_SECONDS = 3.0  # an address that does not answer within this is unreachable
PROBE_SECONDS = 120.0  # a worker's start (a cold node pulls its image first)
IN_FLIGHT = 256  # tasks a driver keeps in flight at most (its results' memory, its threads)
MAX_RETRIES = 3  # a task whose worker died is run again on another, this many times
LOST = (  # what `ray.get` raises for a task whose workers kept dying
    ray.exceptions.WorkerCrashedError,
    ray.exceptions.NodeDiedError,
    ray.exceptions.RayActorError,
    ray.exceptions.OutOfMemoryError,
)


def _run(task: Task, backend: Backend | None) -> Any:
    """A task's result on a worker, a `StoryreelError` (a refusal of its item) as a value."""
    try:
        return task.run(backend)
    except StoryreelError as e:
        return Refusal(e.message, e.path, e.line)


@ray.remote(max_retries=MAX_RETRIES)
def _task(task: Task) -> Any:
    return _run(task, task.backend)


class _Server:
    """An actor with a GPU keeping the backends it served (their pipelines loaded on first use)
    for many tasks; `key` names a backend (the driver's instance), whichever copy a task brings."""

    def __init__(self) -> None:
        self.backends: dict[int, Backend] = {}

    def run(self, task: Task, key: int) -> Any:
        return _run(task, self.backends.setdefault(key, task.backend))


class RayExecutor:
    """Items' computes as Ray tasks; lookups and saves on a pool of driver threads."""

    def __init__(self, address: str):
        self.address = address
        resources = ray.cluster_resources()
        self.gpus = resources.get("GPU", 0.0)
        # the most memory one task may claim: the largest node's
        self.memory = max(
            (n["Resources"].get("memory", 0.0) for n in ray.nodes() if n["Alive"]), default=0.0
        )
        # enough in flight to keep every worker busy while results travel back (a thread each)
        slots = 2 * int(resources.get("CPU", 1) + self.gpus)
        self.threads = LocalExecutor(min(IN_FLIGHT, max(2, slots)))
        self._here = threading.Semaphore(self.threads.workers)  # computes on the driver at once
        self._servers: list[Any] = []  # the stage's GPU actors
        self._next: itertools.cycle | None = None
        self._lock = threading.Lock()

    @classmethod
    def connect(cls, address: str | None) -> RayExecutor:
        """The cluster at `address` (else `RAY_ADDRESS`'s, else a local one started for the run),
        checked; or the Ray this process has started already, whatever its address."""
        address = address or os.environ.get("RAY_ADDRESS") or None
        started = not ray.is_initialized()
        if started:
            if address not in (None, "auto", "local"):
                _reachable(address)
            try:
                with warnings.catch_warnings():  # the client's own hints: the message below says it
                    warnings.simplefilter("ignore")
                    ray.init(
                        address=address,
                        include_dashboard=False,
                        log_to_driver=False,
                        logging_level="error",  # not its notices: the build says what matters
                    )
            except (ConnectionError, RuntimeError, ValueError) as e:
                raise StoryreelError(
                    f"cannot connect to the Ray cluster at {address}: {e} (a cluster with token "
                    "authentication wants RAY_AUTH_MODE=token and its token here: docs/cluster.md)"
                ) from None
        try:
            _probe(address or "this machine")
        except StoryreelError:
            if started:
                ray.shutdown()
            raise
        return cls(address or "local")

    def close(self) -> None:
        """Stop the actors; a Ray started here stays up for the process (`watch` and the studio
        build again on it; Ray shuts it down at exit)."""
        self._release()

    def run(self, fn: Any, items: Any, limit: int | None = None) -> Iterator[tuple[Any, Any]]:
        """As `LocalExecutor.run`, on the driver's threads; `limit`, a budget of this machine's
        memory, binds only the items computed here (the cluster's tasks declare what they need).
        The actors a stage started are stopped after it, freeing their GPUs for the next's."""
        self._here = threading.Semaphore(limit or self.threads.workers)
        try:
            yield from self.threads.run(fn, items)
        finally:
            self._release()

    def _release(self) -> None:
        with self._lock:
            for actor in self._servers:
                ray.kill(actor)
            self._servers, self._next = [], None

    def compute(self, stage: Any, item: Any) -> Any:
        """The item's output: its stage's task run on the cluster and accepted here, or, for a
        stage or backend without one, made here."""
        task = stage.task(item)
        if task is None:
            with self._here:
                return stage.compute(item)
        try:
            result = ray.get(self._submit(task))
        except LOST as e:  # retried MAX_RETRIES times already: this item fails, the rest go on
            raise StoryreelError(
                f"the Ray worker making it died {MAX_RETRIES + 1} times ({type(e).__name__}); "
                "render again to retry"
            ) from None
        if isinstance(result, Refusal):
            raise StoryreelError(result.message, result.path, result.line)
        return stage.accept(item, result)

    def _submit(self, task: Task) -> Any:
        needs = task.needs
        if needs.gpus > self.gpus:
            name = task.backend.name if task.backend else "this work"
            raise Unrunnable(
                f"{name} wants {needs.gpus:g} GPU a task and the Ray cluster at {self.address} "
                f"has {self.gpus:g}: add GPU nodes (docs/cluster.md), or render with "
                "--executor local"
            )
        if needs.memory > self.memory:
            name = task.backend.name if task.backend else "this work"
            raise Unrunnable(
                f"{name} needs {needs.memory / 1e9:.0f} GB of memory a task and the largest node "
                f"of the Ray cluster at {self.address} has {self.memory / 1e9:.0f} GB: add "
                "larger nodes (docs/cluster.md)"
            )
        if not needs.gpus or task.backend is None:
            return _task.options(
                num_cpus=needs.cpus, num_gpus=needs.gpus, memory=needs.memory or None
            ).remote(task)
        actors, route = self._pool(task.needs), task.route()
        actor = actors[hash(route) % len(actors)] if route else next(self._next)
        return actor.run.remote(task, id(task.backend))

    def _pool(self, needs: Needs) -> list[Any]:
        """The stage's GPU actors, one a GPU, started by its first GPU task with what it needs:
        shared by every GPU backend of the stage, so that two models never wait for each
        other's GPUs."""
        with self._lock:
            if self._next is None:
                server = ray.remote(_Server).options(
                    num_cpus=needs.cpus,
                    num_gpus=needs.gpus,
                    memory=needs.memory or None,
                    max_restarts=MAX_RETRIES,
                    max_task_retries=MAX_RETRIES,
                )
                self._servers = [server.remote() for _ in range(int(self.gpus // needs.gpus))]
                self._next = itertools.cycle(self._servers)
            return self._servers


def _reachable(address: str) -> None:
    """Raise, within `CONNECT_SECONDS`, when nothing answers at `address` (Ray's own client
    retries for a minute and more before it gives up)."""
    parts = urlsplit(address if "://" in address else f"ray://{address}")
    try:
        host, port = parts.hostname, parts.port or 10001
    except ValueError:
        host = port = None
    if not host:
        raise StoryreelError(f"bad Ray address {address!r}: expected ray://HOST:PORT or HOST:PORT")
    try:
        socket.create_connection((host, port), timeout=CONNECT_SECONDS).close()
    except OSError as e:
        raise StoryreelError(
            f"cannot reach the Ray cluster at {address} ({e.strerror or e}): is its head "
            "running? (`ray status` on the head node; docs/cluster.md)"
        ) from None


def _probe(where: str) -> None:
    """Raise when the cluster's workers cannot import storyreel, or another version of it."""

    def probe(package: str) -> str:  # nested: sent by value, so it runs where storyreel does not
        import importlib

        try:
            return "ok " + importlib.import_module(package).__version__
        except ImportError as e:
            return f"missing {e}"

    try:
        answer = ray.get(
            ray.remote(probe).options(num_cpus=0).remote(PACKAGE), timeout=PROBE_SECONDS
        )
    except ray.exceptions.GetTimeoutError:
        raise StoryreelError(
            f"the Ray cluster on {where} started no worker in {PROBE_SECONDS:g} s (`ray status` "
            "on its head node says what it lacks)"
        ) from None
    if answer == f"ok {__version__}":
        return
    said = (
        f"storyreel {answer[3:]} where the driver has {__version__}"
        if answer.startswith("ok ")
        else f"storyreel is not installed there ({answer[8:]})"
    )
    raise StoryreelError(
        f"the Ray workers on {where} cannot run storyreel's tasks: {said}; install "
        f"storyreel[ray]=={__version__} (and the extras its backends need) on every node"
    )
