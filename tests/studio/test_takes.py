"""Takes from the studio: more of them for a shot, each with its provenance and image."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import httpx
from PIL import Image

from storyreel.studio.server import running


def test_more_takes_for_a_shot_keep_the_earlier_ones(film: Path):
    with running(film) as r:
        assert r.studio.builder.idle(120)
        api = httpx.Client(base_url=r.base, headers={"X-Storyreel-Token": r.token}, timeout=60)
        before = [t for t in api.get("/api/shots/sh4/takes").json() if t["kind"] == "still"]
        assert len(before) == 2
        assert api.post("/api/shots/sh4/more", json={"n": 2}).json() == {"shot": "sh4", "takes": 4}
        assert r.studio.builder.idle(120)
        after = [t for t in api.get("/api/shots/sh4/takes").json() if t["kind"] == "still"]
        assert [t["take"] for t in after if not t["stale"]] == [1, 2, 3, 4]
        assert {t["id"] for t in before} <= {t["id"] for t in after}
        assert len({t["seed"] for t in after}) == 4
        assert all(t["provenance"]["backend"] == "previz" for t in after)
        image = api.get(f"/api/takes/{after[3]['id']}/image")
        assert image.headers["content-type"] == "image/png"
        assert Image.open(BytesIO(image.content)).size == (320, 180)
        assert api.get("/api/takes/sh4.still.nothing/image").status_code == 404
        assert api.post("/api/shots/nosuch/more", json={"n": 1}).status_code == 404
