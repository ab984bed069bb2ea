"""The studio in a real browser (Debian's chromium, driven by Playwright): write, save and see
the shot change in the player; pick a take and see the cut change; a note outlives the server;
a broken script is marked at its line while the last good reel plays on."""

from __future__ import annotations

from pathlib import Path

import httpx
import numpy as np

from storyreel.studio.server import running
from tests.studio.conftest import decode

FPS = 24
TIMEOUT = 120_000  # ms: a build of the small project on a busy 2-core machine


def frames_of(r, tmp: Path, name: str) -> list[np.ndarray]:
    """The draft cut the player is served, decoded."""
    data = httpx.get(f"{r.base}/media/draft.mp4", headers={"X-Storyreel-Token": r.token}).content
    path = tmp / f"{name}.mp4"
    path.write_bytes(data)
    return decode(path)


def shot_frames(page, shot: str) -> range:
    start, duration = page.evaluate(
        "id => { const s = studio.reel.shots.find(x => x.id === id); return [s.start, s.duration]; }",
        shot,
    )
    return range(round(start * FPS), round((start + duration) * FPS))


def differs(a: list[np.ndarray], b: list[np.ndarray], frames: range) -> bool:
    """Some frame of `frames` visibly changed: more than 1 % of its pixels by more than 8 levels."""
    return any(
        (np.abs(a[i].astype(int) - b[i].astype(int)).max(axis=2) > 8).mean() > 0.01 for i in frames
    )


def same(a: list[np.ndarray], b: list[np.ndarray], frames: range) -> bool:
    return all(np.abs(a[i].astype(int) - b[i].astype(int)).mean() < 1 for i in frames)


def open_studio(browser, r):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(r.url)
    page.wait_for_selector("body[data-version='1']", timeout=TIMEOUT)
    page.wait_for_function("document.getElementById('player').readyState >= 2", timeout=TIMEOUT)
    return page, errors


def type_at_end_of_line(page, line: int, text: str) -> None:
    page.evaluate(
        "n => { const v = studio.editor.view; const l = v.state.doc.line(n);"
        " v.dispatch({selection: {anchor: l.to}}); v.focus(); }",
        line,
    )
    page.keyboard.type(text)


def wait_version(page, n: int) -> None:
    page.wait_for_selector(f"body[data-version='{n}']", timeout=TIMEOUT)
    page.wait_for_function(
        f"document.getElementById('player').dataset.version === '{n}' && "
        "document.getElementById('player').readyState >= 2",
        timeout=TIMEOUT,
    )


def test_a_line_typed_and_saved_changes_its_shot_in_the_player(film: Path, browser, tmp_path):
    with running(film) as r:
        page, errors = open_studio(browser, r)
        before = frames_of(r, tmp_path, "before")
        sh3, sh1 = shot_frames(page, "sh3"), shot_frames(page, "sh1")
        page.click(".card[data-shot='sh3']")  # its takes' panel open
        page.wait_for_selector(".take.selected")
        old = page.eval_on_selector_all(".take", "cards => cards.map(c => c.dataset.take)")
        # the cursor on a shot's lines seeks the player to it and marks its card
        type_at_end_of_line(page, 19, "")
        page.wait_for_selector(".card.cursor[data-shot='sh3']")
        at = page.evaluate("document.getElementById('player').currentTime")
        assert sh3.start / FPS <= at < sh3.stop / FPS
        type_at_end_of_line(page, 19, " Rain runs down the window.")
        assert page.is_visible("#dirty")
        page.keyboard.press("Control+s")
        wait_version(page, 2)
        assert "Rain runs down the window." in (film / "script.fountain").read_text()
        assert page.is_hidden("#dirty")
        src = page.get_attribute("#player", "src")
        assert src.endswith("v=2")
        # the player kept its place
        at2 = page.evaluate("document.getElementById('player').currentTime")
        assert abs(at2 - at) < 0.05
        after = frames_of(r, tmp_path, "after")
        assert len(after) == len(before)
        assert differs(before, after, sh3)
        assert same(before, after, sh1)
        # the build was followed live, stage by stage
        assert page.locator("#stages li.done").count() >= 5
        # the panel shows the new text's two takes once they are painted (the one the cut does
        # not use after the cut)
        page.wait_for_function(
            "old => { const ids = [...document.querySelectorAll('.take')].map(c => c.dataset.take);"
            " return ids.length === 2 && ids.every(id => !old.includes(id)); }",
            arg=old,
            timeout=TIMEOUT,
        )
        assert len(old) == 2 and page.locator(".take.selected").count() == 1
        assert not errors


def test_another_take_picked_changes_the_cut(film: Path, browser, tmp_path):
    with running(film) as r:
        page, errors = open_studio(browser, r)
        before = frames_of(r, tmp_path, "before")
        sh2, sh4 = shot_frames(page, "sh2"), shot_frames(page, "sh4")
        page.click(".card[data-shot='sh2']")
        page.wait_for_selector(".take.selected")
        assert page.locator(".take").count() == 2
        page.click(".take:not(.selected) button")
        wait_version(page, 2)
        page.wait_for_selector(".take.selected >> nth=0")
        chosen = page.get_attribute(".take.selected", "data-take")
        assert page.get_attribute(".card[data-shot='sh2'] img", "src").endswith(f"{chosen}/image")
        after = frames_of(r, tmp_path, "after")
        assert differs(before, after, sh2)
        assert same(before, after, sh4)
        assert not errors


def test_a_note_outlives_the_server(film: Path, browser):
    with running(film) as r:
        page, errors = open_studio(browser, r)
        page.click(".card[data-shot='sh3']")
        page.fill("#note-text", "Hold on her face a beat longer.")
        page.press("#note-text", "Enter")
        page.wait_for_selector("#notes li:has-text('Hold on her face')")
        assert page.inner_text("#notes li .where") == "sh3"
        page.close()
    with running(film) as r:
        page, errors = open_studio(browser, r)
        note = page.locator("#notes li:has-text('Hold on her face a beat longer.')")
        assert note.count() == 1
        assert "sh3" in note.inner_text()
        # resolved: it leaves the open notes (the list is drawn again, so a click, not check())
        note.locator("input[type=checkbox]").click()
        page.wait_for_selector("#notes li:has-text('Hold on her face')", state="detached")
        page.check("#show-resolved")
        page.wait_for_selector("#notes li.resolved:has-text('Hold on her face')")
        assert not errors


def test_a_broken_script_is_marked_at_its_line_and_the_last_reel_plays_on(film: Path, browser):
    with running(film) as r:
        page, errors = open_studio(browser, r)
        src = page.get_attribute("#player", "src")
        page.evaluate(
            "() => { const v = studio.editor.view; const l = v.state.doc.line(18);"
            " const at = l.from + l.text.indexOf('CU'); v.dispatch({changes: {from: at, to: at + 2, insert: 'MCX'}}); }"
        )
        page.click("#save")
        page.wait_for_selector(".cm-lintRange-error", timeout=TIMEOUT)
        assert page.inner_text(".cm-lintRange-error") == "[[shot: MCX MAYA, pan-left, 1s, #sh3]]"
        assert "line 18" in page.inner_text("#status")
        assert "MCX" in (film / "script.fountain").read_text()  # saved as written: nothing lost
        # the last good reel is still there, and plays
        assert page.get_attribute("#player", "src") == src
        page.evaluate(
            "() => { const v = document.getElementById('player'); v.muted = true; v.currentTime = 1; return v.play(); }"
        )
        page.wait_for_function(
            "document.getElementById('player').currentTime > 1.3", timeout=20_000
        )
        assert page.locator(".card").count() == 5
        # mending it clears the mark and builds again
        page.evaluate(
            "() => { const v = studio.editor.view; const l = v.state.doc.line(18);"
            " const at = l.from + l.text.indexOf('MCX'); v.dispatch({changes: {from: at, to: at + 3, insert: 'CU'}}); }"
        )
        page.keyboard.press("Control+s")
        page.wait_for_selector(".cm-lintRange-error", state="detached", timeout=TIMEOUT)
        assert not errors


def test_a_change_on_disk_reaches_every_tab_and_a_conflict_is_shown(film: Path, browser):
    with running(film) as r:
        one, _ = open_studio(browser, r)
        two, _ = open_studio(browser, r)
        text = (film / "script.fountain").read_text()
        type_at_end_of_line(two, 22, " It is empty.")  # an unsaved edit in the second tab
        (film / "script.fountain").write_text(
            text.replace("A film can on the desk.", "Two film cans on the desk.")
        )
        one.wait_for_function("studio.editor.getDoc().includes('Two film cans')", timeout=TIMEOUT)
        two.wait_for_selector("#banner:not([hidden]) >> text=changed on disk", timeout=TIMEOUT)
        assert "It is empty." in two.evaluate("studio.editor.getDoc()")  # not lost
        assert "Two film cans" in (film / "script.fountain").read_text()  # not overwritten
        two.click("#save")
        two.wait_for_selector("#banner:not([hidden]) >> text=changed on disk")
        assert "Two film cans" in (film / "script.fountain").read_text()
        for page in (one, two):  # the build of the change reached both tabs
            wait_version(page, 2)
