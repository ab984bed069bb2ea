"""A local HTTP server that plays each vendor's documented protocol, and tiny media made here."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from storyreel.store.db import Database

W, H = 256, 108  # the picture size the tests ask for (2.39:1-ish)
SRC_W, SRC_H, SRC_FRAMES, SRC_FPS = 96, 54, 30, 24  # what the fake vendors send back


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


Reply = tuple[int, Any, dict[str, str]]  # status, body (dict → JSON, bytes → raw), headers


@dataclass
class FakeServer:
    url: str = ""
    routes: list[tuple[str, re.Pattern[str], Callable[..., Reply]]] = field(default_factory=list)
    log: list[Request] = field(default_factory=list)

    def route(
        self, method: str, pattern: str
    ) -> Callable[[Callable[..., Reply]], Callable[..., Reply]]:
        def add(fn: Callable[..., Reply]) -> Callable[..., Reply]:
            self.routes.append((method, re.compile(pattern), fn))
            return fn

        return add

    def handle(self, req: Request) -> Reply:
        self.log.append(req)
        path = req.path.split("?", 1)[0]
        for method, pattern, fn in self.routes:
            m = pattern.fullmatch(path)
            if method == req.method and m:
                return fn(req, *m.groups())
        return 404, {"message": f"no route {req.method} {path}"}, {}


@pytest.fixture
def server():
    fake = FakeServer()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            req = Request(
                self.command,
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length) if length else b"",
            )
            status, body, headers = fake.handle(req)
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", headers.pop("content-type", "application/json"))
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = do_DELETE = do_PUT = _serve

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    yield fake
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def ledger(tmp_path):
    db = Database(tmp_path / "project.db")
    yield db
    db.close()
