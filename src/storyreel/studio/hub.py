"""The event hub: the build's events, and the studio's own, to every open tab.

Builds publish on their own thread; each browser tab listens on an asyncio queue of its own
(Server-Sent Events, `routes/events.py`). The hub hands each message to every queue on the
server's event loop, so a slow tab never holds up a build, and remembers the last message of
each kind that describes the state (a new tab sees the latest build and error at once).
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

from storyreel.run.events import Event

# messages whose latest one says where things stand, replayed to a tab that opens
STATE = (
    "build_started",
    "build_finished",
    "build_failed",
    "script_error",
    "script_changed",
    "reel",
)
QUEUE_SIZE = 1000
END = ""  # the message that ends a stream


class Hub:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queues: set[asyncio.Queue[str]] = set()
        self._latest: dict[str, str] = {}
        self._lock = threading.Lock()
        self._ended = False

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def send(self, kind: str, **data: Any) -> None:
        """Publish a message `{"event": kind, ...}` to every tab (from any thread)."""
        self._publish({"event": kind, **data})

    def __call__(self, event: Event) -> None:
        """A build subscriber."""
        self._publish(event.to_json())

    def _publish(self, message: dict[str, Any]) -> None:
        text = json.dumps(message, default=str)
        with self._lock:
            kind = message["event"]
            if kind in STATE:
                if kind == "build_started":
                    self._latest.pop("build_failed", None)
                    self._latest.pop("build_finished", None)
                self._latest.pop(kind, None)  # replayed in the order they happened
                self._latest[kind] = text
            queues, loop = list(self._queues), self._loop
        if loop is None or loop.is_closed():
            return
        for q in queues:
            loop.call_soon_threadsafe(_put, q, text)

    def open(self) -> asyncio.Queue[str]:
        q: asyncio.Queue[str] = asyncio.Queue(QUEUE_SIZE)
        with self._lock:
            self._queues.add(q)
            for text in self._latest.values():
                q.put_nowait(text)
            if self._ended:
                q.put_nowait(END)
        return q

    def close(self, q: asyncio.Queue[str]) -> None:
        with self._lock:
            self._queues.discard(q)

    def end(self) -> None:
        """End every tab's stream (the server is stopping; the pages reconnect to the next)."""
        with self._lock:
            self._ended = True
            queues, loop = list(self._queues), self._loop
        if loop is not None and not loop.is_closed():
            for q in queues:
                loop.call_soon_threadsafe(_put, q, END)

    def forget(self, kind: str) -> None:
        with self._lock:
            self._latest.pop(kind, None)


def _put(q: asyncio.Queue[str], text: str) -> None:
    if q.full():  # a tab that stopped reading loses its oldest messages, not the server
        q.get_nowait()
    q.put_nowait(text)
