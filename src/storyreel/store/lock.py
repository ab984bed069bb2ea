"""The project lock: one build at a time per project, so two renders cannot corrupt it.

`fcntl.flock` on `.storyreel/lock`: the kernel releases it when its process dies, so a lock left
by a killed render is never in the way (its stale holder record is simply overwritten). A second
render waits, saying who holds the lock (pid, host, since when), and gives up after a timeout.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from storyreel.errors import StoryreelError


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another process"
    return f"pid {info.get('pid')} on {info.get('host')} (since {info.get('since')})"


@contextlib.contextmanager
def project_lock(
    state_dir: Path,
    *,
    timeout: float = 600.0,
    on_wait: Callable[[str], None] | None = None,
    poll: float = 0.2,
) -> Iterator[None]:
    """Hold the project's lock for the `with` block; wait up to `timeout` seconds for it."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and on_wait is not None:
                    on_wait(f"waiting for the project lock held by {_holder(path)}")
                    told = True
                if time.monotonic() >= deadline:
                    raise StoryreelError(
                        f"project is locked by {_holder(path)}; gave up after {timeout:g} s", path
                    ) from None
                time.sleep(poll)
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
