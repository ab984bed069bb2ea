"""The studio and a render in a terminal take turns on the project lock; every tab hears it."""

from __future__ import annotations

import json
import queue
import threading
from pathlib import Path

import httpx

from storyreel.store.lock import project_lock
from storyreel.studio.server import running


def listen(r, into: queue.Queue) -> None:  # noqa: ANN001 (a Running)
    with httpx.stream(
        "GET", f"{r.base}/api/events", headers={"X-Storyreel-Token": r.token}, timeout=None
    ) as s:
        for line in s.iter_lines():
            if line.startswith("data: "):
                into.put(json.loads(line[6:]))


def next_event(events: queue.Queue, kind: str, timeout: float = 120) -> dict:
    while True:
        m = events.get(timeout=timeout)
        if m["event"] == kind:
            return m


def test_a_save_waits_for_a_render_holding_the_lock(film: Path):
    with running(film) as r:
        assert r.studio.builder.idle(120)
        tabs = [queue.Queue(), queue.Queue()]
        for tab in tabs:
            threading.Thread(target=listen, args=(r, tab), daemon=True).start()
        for tab in tabs:
            next_event(tab, "reel")  # the replay of where things stand
        api = httpx.Client(base_url=r.base, headers={"X-Storyreel-Token": r.token})
        doc = api.get("/api/script").json()
        with project_lock(film / ".storyreel"):  # a render in a terminal
            api.put(
                "/api/script",
                json={"text": doc["text"].replace("Waves", "Dark waves"), "base": doc["digest"]},
            ).raise_for_status()
            for tab in tabs:
                assert "waiting for the project lock" in next_event(tab, "waiting")["message"]
            assert r.studio.builder.version == 1  # nothing built while the lock is held
        for tab in tabs:
            assert next_event(tab, "reel")["version"] == 2
