"""Serving the studio: the socket, uvicorn, and a studio run in a thread (for scripts)."""

from __future__ import annotations

import errno
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import uvicorn

from storyreel.errors import StoryreelError
from storyreel.store.project import Project
from storyreel.studio.app import create_app
from storyreel.studio.security import new_token


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host:port` (port 0: any free one), or a message that says why not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise StoryreelError(
                f"port {port} on {host} is in use (another studio?): pass --port "
                "with another number, or --port 0 for any free one"
            ) from None
        raise StoryreelError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def check_writable(project: Project) -> None:
    """The studio saves the script and builds into the project: say so now if it cannot."""
    for path in (project.root, project.script, project.state_dir, project.out_dir):
        if path.exists() and not os.access(path, os.W_OK):
            raise StoryreelError(
                "not writable: the studio saves the script and builds the reel "
                "here; fix its permissions (nothing was changed)",
                path,
            )


@dataclass
class Running:
    url: str  # with the token
    base: str
    token: str
    server: StudioServer

    @property
    def studio(self):  # noqa: ANN201 (storyreel.studio.context.Studio)
        return self.server.config.app.state.studio


class StudioServer(uvicorn.Server):
    """uvicorn, ending the event streams first when it stops (they would hold it open)."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.config.app.state.studio.hub.end()
        super().handle_exit(sig, frame)

    def stop(self) -> None:
        self.config.app.state.studio.hub.end()
        self.should_exit = True


def make_server(
    root: Path, token: str, author: str | None = None, pay: bool = False
) -> StudioServer:
    app = create_app(root, token, author, pay)
    config = uvicorn.Config(
        app, log_level="warning", timeout_graceful_shutdown=2, access_log=False, lifespan="on"
    )
    return StudioServer(config)


def url_of(sock: socket.socket, token: str, host: str | None = None) -> tuple[str, str]:
    bound, port = sock.getsockname()[:2]
    shown = host or ("127.0.0.1" if bound in {"0.0.0.0", "::"} else bound)
    base = f"http://{shown}:{port}"
    return base, f"{base}/?token={token}"


@contextmanager
def running(
    root: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    token: str | None = None,
    author: str | None = None,
    pay: bool = False,
) -> Iterator[Running]:
    """A studio of `root` served from a thread for the `with` block (tests, benchmarks, docs);
    `pay` as `storyreel studio --yes`."""
    token = token or new_token()
    sock = bind(host, port)
    server = make_server(root, token, author, pay)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the studio did not start")
        time.sleep(0.02)
    base, url = url_of(sock, token)
    try:
        yield Running(url, base, token, server)
    finally:
        server.stop()
        thread.join(timeout=10)
        sock.close()
