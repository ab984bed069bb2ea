"""The studio is safe by default: the token on every request, nothing served from outside the
project's renders, no change from another origin, clear words for a port in use or a project
it cannot write."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from storyreel.errors import StoryreelError
from storyreel.studio.server import bind, running


def raw_get(base: str, path: str, token: str) -> int:
    """GET `path` exactly as written (httpx would tidy `..` away before sending it)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    conn.putheader("X-Storyreel-Token", token)
    conn.endheaders()
    status = conn.getresponse().status
    conn.close()
    return status


def test_every_request_needs_the_token(film: Path):
    with running(film) as r:
        for path in (
            "/",
            "/api/script",
            "/api/reel",
            "/api/notes",
            "/media/draft.mp4",
            "/static/studio.js",
            "/board/shots",
            "/api/events",
        ):
            assert httpx.get(r.base + path).status_code == 401, path
            assert httpx.get(r.base + path, params={"token": "wrong"}).status_code == 401, path
        assert (
            httpx.get(r.base + "/api/script", headers={"X-Storyreel-Token": r.token}).status_code
            == 200
        )
        # the URL it prints opens the page and leaves a cookie that carries the token after it
        with httpx.Client(base_url=r.base) as browser:
            assert browser.get(r.url).status_code == 200
            assert browser.get("/api/script").status_code == 200


def test_every_address_needs_the_token(film: Path):
    with running(film, host="0.0.0.0") as r:
        assert httpx.get(r.base + "/api/script").status_code == 401
        assert httpx.get(r.url).status_code == 200


def test_nothing_outside_the_renders_is_served(film: Path, tmp_path: Path):
    (tmp_path / "secret.txt").write_text("not for the browser")
    with running(film) as r:
        assert r.studio.builder.idle(120)
        ok = raw_get(r.base, "/media/draft.mp4", r.token)
        assert ok == 200
        (film / "out" / "escape").symlink_to(tmp_path / "secret.txt")
        for path in (
            "/media/../storyreel.toml",
            "/media/../../secret.txt",
            "/media/%2e%2e/storyreel.toml",
            "/media/%2E%2E%2F%2E%2E%2Fsecret.txt",
            "/media/..%2fscript.fountain",
            f"/media/{tmp_path}/secret.txt",
            f"/media/%2F{str(tmp_path).lstrip('/')}/secret.txt",
            "/media//etc/passwd",
            "/media/%2Fetc%2Fpasswd",
            "/media/escape",
            "/media/....//storyreel.toml",
            "/media/draft.mp4%00.png",
            "/static/../../store/db.py",
            "/static/%2e%2e/%2e%2e/store/db.py",
            "/media/",
            "/media/nothing.mp4",
        ):
            assert raw_get(r.base, path, r.token) == 404, path


def test_changes_come_only_from_the_studios_page(film: Path):
    with running(film) as r, httpx.Client(base_url=r.base) as c:
        note = {"text": "hold on her face", "shot_id": "sh3"}
        mine = {"X-Storyreel-Token": r.token}
        evil = c.post("/api/notes", json=note, headers={**mine, "Origin": "http://evil.example"})
        assert evil.status_code == 403
        assert (
            c.post(
                "/api/notes", json=note, headers={**mine, "Referer": "http://evil.example/x"}
            ).status_code
            == 403
        )
        # a cross-site form sends the cookie but cannot add the header
        assert c.get(r.url).status_code == 200
        assert c.post("/api/notes", json=note).status_code == 403
        assert c.put("/api/script", json={"text": "", "base": None}).status_code == 403
        same = c.post("/api/notes", json=note, headers={**mine, "Origin": r.base})
        assert same.status_code == 200
        assert [n["text"] for n in c.get("/api/notes").json()] == ["hold on her face"]


def test_a_save_over_a_change_on_disk_is_refused(film: Path):
    with (
        running(film) as r,
        httpx.Client(base_url=r.base, headers={"X-Storyreel-Token": r.token}) as c,
    ):
        opened = c.get("/api/script").json()
        (film / "script.fountain").write_text(opened["text"] + "\nA gull cries.\n")
        mine = opened["text"] + "\nThe lights go out.\n"
        refused = c.put("/api/script", json={"text": mine, "base": opened["digest"]})
        assert refused.status_code == 409
        assert "A gull cries." in refused.json()["text"]
        assert "A gull cries." in (film / "script.fountain").read_text()  # theirs is kept


def test_a_port_in_use_is_said_plainly(film: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(StoryreelError, match=rf"port {port} on 127.0.0.1 is in use"):
            bind("127.0.0.1", port)
        cli = subprocess.run(
            [
                sys.executable,
                "-m",
                "storyreel",
                "studio",
                "--no-browser",
                "--port",
                str(port),
                str(film),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert cli.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in cli.stderr
    assert "Traceback" not in cli.stderr


def test_a_project_it_cannot_write_is_refused_with_nothing_changed(film: Path):
    home = Path(tempfile.mkdtemp(prefix="storyreel-ro-"))
    try:
        shutil.copytree(film, home / "film")
        script = (home / "film" / "script.fountain").read_bytes()
        os.chmod(home, 0o755)
        os.chmod(home / "film", 0o555)
        cmd = [
            sys.executable,
            "-m",
            "storyreel",
            "studio",
            "--no-browser",
            "--port",
            "0",
            str(home / "film"),
        ]
        if os.geteuid() == 0:  # root writes anywhere: be somebody else
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        cli = subprocess.run(
            cmd, capture_output=True, text=True, timeout=60, env={**os.environ, "HOME": str(home)}
        )
        assert cli.returncode == 2, cli.stderr
        assert "not writable" in cli.stderr and str(home / "film") in cli.stderr
        assert "Traceback" not in cli.stderr
        assert (home / "film" / "script.fountain").read_bytes() == script
        assert not (home / "film" / ".storyreel").exists()
    finally:
        os.chmod(home / "film", 0o755)
        shutil.rmtree(home)
