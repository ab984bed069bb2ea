"""The shot panel's sound in a real browser: each voice take and its scene's ambience beds play
from the store, and choosing another voice take is kept in the project and the reel rebuilt."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import numpy as np
import soundfile
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.store.db import Database
from storyreel.store.project import Project
from storyreel.studio.server import running
from tests.studio.conftest import make_project
from tests.studio.test_browser import open_studio, wait_version

VOICE = ".sound[data-kind='voice']"


def voice_takes(root: Path) -> list:
    with Database(Project.open(root).db_path) as db:
        return [dict(r) for r in db.takes(kind="voice")]


def test_another_voice_take_chosen_in_the_panel_is_kept_and_rebuilt(tmp_path: Path, browser):
    film = make_project(tmp_path / "film")
    with (film / "storyreel.toml").open("a") as f:
        f.write('voice_takes = 2\neffects = "folder:sfx/"\n')
    (film / "sfx").mkdir()
    for name in ("harbour.wav", "sea.wav"):  # the pier's beds
        t = np.arange(48_000) / 48_000
        soundfile.write(str(film / "sfx" / name), 0.3 * np.sin(2 * np.pi * 300 * t), 48_000)
    with running(film) as r:
        page, errors = open_studio(browser, r)
        [shot] = {t["shot_id"] for t in voice_takes(film)}  # MAYA's line, a shot of its own
        page.click(f".card[data-shot='{shot}']")
        page.wait_for_selector(f"{VOICE}.selected")
        assert page.locator(VOICE).count() == 2
        assert "line 1 · MAYA: Still here." in page.inner_text(".sound-group")
        src = page.get_attribute(f"{VOICE}:not(.selected) audio", "src")
        seconds = page.evaluate(
            "src => new Promise((ok, bad) => { const a = new Audio(src);"
            " a.onloadedmetadata = () => ok(a.duration); a.onerror = () => bad(String(a.error.code)); })",
            src,
        )
        assert seconds > 0.3  # the take's WAV, from the store
        beds = page.locator(".sound[data-kind='ambience']")
        assert beds.count() == 2 and beds.locator("audio").count() == 2
        assert "ambience harbour (the scene's)" in page.inner_text("#shot-panel")
        other = page.get_attribute(f"{VOICE}:not(.selected)", "data-take")
        page.click(f"{VOICE}:not(.selected) button")
        wait_version(page, 2)
        page.wait_for_selector(f"{VOICE}.selected[data-take='{other}']")
        assert page.locator(f"{VOICE}.selected").count() == 1
        api = httpx.Client(base_url=r.base, headers={"X-Storyreel-Token": r.token}, timeout=60)
        wav = api.get(src)
        assert wav.headers["content-type"] == "audio/wav" and wav.content[:4] == b"RIFF"
        assert api.get("/api/takes/sh1.voice.nothing/audio").status_code == 404
        assert (
            api.post(f"/api/shots/{shot}/sound/select", json={"take_id": "sh1.still.x"}).status_code
            == 404
        )
        refused = httpx.post(
            f"{r.base}/api/shots/{shot}/sound/select",
            json={"take_id": other},
            headers={"X-Storyreel-Token": r.token, "Origin": "http://elsewhere.example"},
        )
        assert refused.status_code == 403
        assert not errors
    listed = CliRunner().invoke(app, ["takes", shot, "--sound", "-p", str(film), "--json"])
    rows = json.loads(listed.output)
    assert [r["id"] for r in rows if r["selected"] and r["kind"] == "voice"] == [other]
