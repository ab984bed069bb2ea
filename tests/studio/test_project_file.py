"""A storyreel.toml broken while the studio runs: said at its line, the reel kept, and mending
it builds again."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from storyreel.studio.server import running


def said(api: httpx.Client, kind: str, **fields) -> dict:
    """The first message of `kind` (with `fields`) a tab is sent, the latest ones replayed
    first."""
    with api.stream("GET", "/api/events") as stream:
        for line in stream.iter_lines():
            m = json.loads(line[6:]) if line.startswith("data: ") else {}
            if m.get("event") == kind and fields.items() <= m.items():
                return m
    raise AssertionError(f"the stream ended without {kind}")


def test_a_broken_project_file_is_said_at_its_line_and_mending_it_builds_again(film: Path):
    with running(film) as r:
        assert r.studio.builder.idle(120)
        api = httpx.Client(base_url=r.base, headers={"X-Storyreel-Token": r.token}, timeout=60)
        version = api.get("/api/reel").json()["version"]
        toml = film / "storyreel.toml"
        good = toml.read_text()
        toml.write_text(good.replace('fps = "24"', "fps = "))
        failed = said(api, "build_failed")
        assert (Path(failed["path"]).name, failed["line"]) == ("storyreel.toml", 3)
        assert "not valid TOML" in failed["message"]
        assert r.studio.builder.idle(60)
        assert api.get("/api/reel").json()["version"] == version  # the last reel stays
        toml.write_text(good)
        assert said(api, "reel", version=version + 1)["shots"]
