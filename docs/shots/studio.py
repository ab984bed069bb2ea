"""The screenshots of docs/studio.md: the studio on the example film, in headless chromium.

    .venv/bin/python docs/shots/studio.py [--work /tmp/storyreel-example]

Copies `examples/footage` into `--work` once (its renders are kept there for the next run),
starts the studio on it, waits for the draft build (a minute or two the first time), and
writes docs/studio.png, docs/studio-sound.png, docs/studio-error.png and docs/studio-board.png.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from storyreel.studio.server import running

ROOT = Path(__file__).resolve().parents[2]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]
DIRECTIVE = "[[shot: CU MAYA, push-in, low, 3s]]"  # the shot shown, and broken for the error


def example(work: Path) -> Path:
    film = work / "footage"
    if not film.is_dir():
        shutil.copytree(ROOT / "examples" / "footage", film)
    shutil.copy(ROOT / "examples" / "footage" / "script.fountain", film / "script.fountain")
    return film


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/storyreel-example"))
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    args = ap.parse_args()
    film = example(args.work)
    with running(film, author="director") as r, sync_playwright() as pw:
        if not r.studio.builder.idle(900):
            raise SystemExit("the draft build did not finish")
        api = httpx.Client(base_url=r.base, headers={"X-Storyreel-Token": r.token})
        shots = r.studio.builder.reel.shots
        if not api.get("/api/notes").json():
            hands = next(c for c in shots if "threading film" in c.description)
            api.post(
                "/api/notes", json={"shot_id": hands.id, "text": "Hold on her hands a beat longer."}
            )
            api.post(
                "/api/notes",
                json={"shot_id": shots[5].id, "text": "Too bright for night: try take 2."},
            )
            api.post(
                "/api/notes",
                json={"timecode": "01:00:41:00", "text": "Music should arrive here, not before."},
            )
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000}, device_scale_factor=1)
        page.goto(r.url)
        page.wait_for_function("document.getElementById('player').readyState >= 2")
        line = film.joinpath("script.fountain").read_text().splitlines().index(DIRECTIVE) + 1
        shot = next(s for s in shots if s.lines[0] <= line + 1 <= s.lines[1])
        page.evaluate(
            "n => { const v = studio.editor.view; const l = v.state.doc.line(n);"
            " v.dispatch({selection: {anchor: l.to}, scrollIntoView: true}); v.focus(); }",
            line + 1,
        )
        page.click(f".card[data-shot='{shot.id}']")
        page.wait_for_selector(".take img")
        page.evaluate(
            "t => { const v = document.getElementById('player'); v.currentTime = t; }",
            shot.start + shot.duration / 2,
        )
        page.wait_for_timeout(1500)
        page.screenshot(path=str(args.out / "studio.png"))

        # a shot's sound takes: its lines' voices, each with a player and its choice
        spoken = next(s for s in shots if api.get(f"/api/shots/{s.id}/sound").json())
        page.click(f".card[data-shot='{spoken.id}']")
        page.wait_for_selector("audio")
        page.evaluate("() => document.querySelector('audio').scrollIntoView()")
        page.wait_for_timeout(800)
        page.screenshot(path=str(args.out / "studio-sound.png"))

        # a script error, shown at its line while the last good reel stays
        page.evaluate(
            "n => { const v = studio.editor.view; const l = v.state.doc.line(n);"
            " const at = l.from + l.text.indexOf('CU'); "
            "v.dispatch({changes: {from: at, to: at + 2, insert: 'MCX'}, selection: {anchor: at + 3}}); }",
            line,
        )
        page.click("#save")
        page.wait_for_selector(".cm-lintRange-error", timeout=60_000)
        page.hover(".cm-lintRange-error")
        page.wait_for_timeout(800)
        page.screenshot(path=str(args.out / "studio-error.png"))
        page.evaluate(
            "() => { const v = studio.editor.view; const d = v.state.doc.toString();"
            " const at = d.indexOf('MCX'); v.dispatch({changes: {from: at, to: at + 3, insert: 'CU'}}); }"
        )
        page.click("#save")
        page.wait_for_selector(".cm-lintRange-error", state="detached", timeout=60_000)

        board = browser.new_page(viewport={"width": 1600, "height": 1000})
        board.goto(f"{r.base}/board/storyboard?token={r.token}")
        board.wait_for_function("[...document.images].every(i => i.complete)")
        board.screenshot(path=str(args.out / "studio-board.png"))
        browser.close()
        r.studio.builder.idle(300)
    for name in ("studio.png", "studio-sound.png", "studio-error.png", "studio-board.png"):
        print(args.out / name)


if __name__ == "__main__":
    main()
