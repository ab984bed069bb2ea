"""A local HTTP server for the tests of vendors' clients: routes answer requests as the vendor
documents, and every request is logged for the test to check what was sent."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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

    def not_found(self, message: str) -> Any:
        return {"message": message}

    def handle(self, req: Request) -> Reply:
        self.log.append(req)
        path = req.path.split("?", 1)[0]
        for method, pattern, fn in self.routes:
            m = pattern.fullmatch(path)
            if method == req.method and m:
                return fn(req, *m.groups())
        return 404, self.not_found(f"no route {req.method} {path}"), {}


@contextmanager
def serving(fake: FakeServer, http11: bool = False) -> Iterator[FakeServer]:
    """`fake` answering on a free loopback port (`fake.url`) until the block ends; `http11`
    keeps connections open, as a streamed answer needs."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if http11 else "HTTP/1.0"

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
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()
