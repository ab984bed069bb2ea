from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from storyreel.errors import StoryreelError
from storyreel.store.lock import project_lock

HOLD = """
import sys, time
from pathlib import Path
from storyreel.store.lock import project_lock
with project_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def _holder(state):
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(state)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_second_locker_waits_names_the_holder_then_times_out(tmp_path):
    proc = _holder(tmp_path)
    try:
        messages: list[str] = []
        with (
            pytest.raises(StoryreelError, match=f"pid {proc.pid}"),
            project_lock(tmp_path, timeout=0.5, on_wait=messages.append),
        ):
            pass
        assert messages and f"pid {proc.pid}" in messages[0]
    finally:
        proc.kill()
        proc.wait()


def test_lock_of_a_killed_process_is_broken(tmp_path):
    proc = _holder(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    start = time.monotonic()
    with project_lock(tmp_path, timeout=5):
        assert str(os.getpid()) in (tmp_path / "lock").read_text()
    assert time.monotonic() - start < 2
