"""A two-scene film for the sound tests, and a fake ElevenLabs that speaks its documented API."""

from __future__ import annotations

import io
import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import av
import numpy as np

SCRIPT = """Title: Two Rooms

EXT. HARBOUR - NIGHT

Rain on the quay. MAYA waits under a lamp.

MAYA
He's late.

INT. BAR - NIGHT

ELIAS opens the door.

ELIAS (O.S.)
Maya?
"""
KEY = "xi-test-0009"


def write_film(root: Path, backends: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "script.fountain").write_text(SCRIPT)
    (root / "storyreel.toml").write_text(
        f'[film]\nfps = "24"\nwidth = 320\nheight = 180\n\n[backends]\n{backends}\n'
    )
    return root


def mp3(seconds: float, freq: float, rate: int = 44_100) -> bytes:
    """A tone as MP3 bytes, as the vendor sends audio."""
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=rate, layout="mono")
        t = np.arange(round(seconds * rate)) / rate
        pcm = (0.4 * np.sin(2 * np.pi * freq * t)).astype(np.float32)[None, :]
        frame = av.AudioFrame.from_ndarray(pcm, format="fltp", layout="mono")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return buf.getvalue()


@dataclass
class Vendor:
    """What the fake vendor was asked and how it answers: `throttle` 429s a text's first
    request, `refuse` says no (400, content policy) to any text with that word."""

    throttle: set[str] = field(default_factory=set)
    refuse: str = "door"
    posts: Counter = field(default_factory=Counter)  # (path, text) → requests
    paid: Counter = field(default_factory=Counter)  # (path, text) → audio sent
    bodies: list[dict] = field(default_factory=list)
    bad_auth: int = 0


def serve(vendor: Vendor) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _send(self, status, body, kind="application/json", headers=()):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(data)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            path, _, query = self.path.partition("?")
            if self.headers.get("xi-api-key") != KEY:
                vendor.bad_auth += 1
                return self._send(
                    401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}
                )
            if path not in ("/v1/music", "/v1/sound-generation") or "output_format" not in query:
                return self._send(404, {"detail": "Not Found"})
            text = body.get("prompt") or body.get("text")
            vendor.bodies.append(body)
            vendor.posts[path, text] += 1
            if any(w in text for w in vendor.throttle) and vendor.posts[path, text] == 1:
                return self._send(
                    429,
                    {"detail": {"status": "too_many_concurrent_requests", "message": "busy"}},
                    headers=[("retry-after", "0")],
                )
            if vendor.refuse and vendor.refuse in text:
                return self._send(
                    400,
                    {
                        "detail": {
                            "status": "content_policy_violation",
                            "message": "this prompt was refused",
                        }
                    },
                )
            seconds = body.get("duration_seconds") or body["music_length_ms"] / 1000
            vendor.paid[path, text] += 1
            tone = 200.0 + 50 * (len(vendor.paid) % 8)
            return self._send(
                200,
                mp3(min(seconds, 3.0), tone),
                "audio/mpeg",
                [("request-id", f"req-{sum(vendor.paid.values())}")],
            )

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@contextmanager
def elevenlabs(vendor: Vendor, monkeypatch) -> Iterator[Vendor]:
    """`vendor` served on loopback while the block runs, the project pointed at it with its key."""
    server, url = serve(vendor)
    monkeypatch.setenv("ELEVENLABS_API_KEY", KEY)
    monkeypatch.setenv("ELEVENLABS_BASE_URL", url)
    try:
        yield vendor
    finally:
        server.shutdown()
