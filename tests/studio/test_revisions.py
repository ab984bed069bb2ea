"""The writer's revisions and the critic's scores in the studio, in a real browser: a saved
proposal is listed with its notes and a diff a scene, one scene accepted of two changes that scene
alone on disk and in the editor, the proposal then shown as out of date (as it is when the script
changes on disk); nothing applied over unsaved edits; a take card shows the critic's score, its
reason and who chose the take."""

from __future__ import annotations

from pathlib import Path

from storyreel.store.db import Database
from storyreel.store.project import Project
from storyreel.studio.reel import shot_list
from storyreel.studio.server import running
from storyreel.writers import critic, revise
from tests.studio.test_browser import TIMEOUT, open_studio, type_at_end_of_line

RAIL = "MAYA stands at the rail.\n"
LEAN = "MAYA leans on the rail, tired.\n"
CAN = "A film can on the desk.\n"
OPEN = "A film can lies open on the desk.\n"


def propose(root: Path, note: str) -> str:
    """A proposal saved as `storyreel revise` saves one: the rail in scene 1, the can in scene 2."""
    project = Project.open(root)
    script = project.script.read_bytes()
    revised = script.decode().replace(RAIL, LEAN).replace(CAN, OPEN)
    notes = [revise.ReelNote(note, shot_id="sh2")]
    proposal = revise.propose(script, revised, "script.fountain", notes, shot_list(project).shots)
    return revise.save(proposal, project.state_dir).stem


def test_one_scene_of_a_proposal_accepted_changes_that_scene_alone(film: Path, browser):
    with running(film) as r:
        page, errors = open_studio(browser, r)
        assert r.studio.builder.idle(120)
        before = (film / "script.fountain").read_bytes()
        name = propose(film, "let her lean <em>tired</em>")
        page.click("#revisions-toggle")
        box = page.locator(f".proposal[data-revision='{name}']")
        box.wait_for()
        assert box.locator(".rnotes li").inner_text() == "sh2let her lean <em>tired</em>"
        assert box.locator(".hunk").count() == 2
        one, two = box.locator(".hunk[data-hunk='1']"), box.locator(".hunk[data-hunk='2']")
        assert (
            "EXT. PIER - NIGHT" in one.inner_text() and one.locator(".shots").inner_text() == "sh2"
        )
        assert one.locator(".del").inner_text() == "− " + RAIL.strip()
        assert one.locator(".add").inner_text() == "+ " + LEAN.strip()
        assert "INT. ARCHIVE - NIGHT" in two.inner_text()
        # the shots the proposal touches are marked on the strip, and no others
        marked = page.eval_on_selector_all(".card.revised", "cs => cs.map(c => c.dataset.shot)")
        assert marked == ["sh2", "sh4"]
        assert page.inner_text("#revisions-count") == "1"

        two.locator("input[type=checkbox]").uncheck()  # refused
        box.locator("button:has-text('Apply accepted')").click()
        page.wait_for_function(
            "studio.editor.getDoc().includes('leans on the rail')", timeout=TIMEOUT
        )
        after = (film / "script.fountain").read_bytes()
        assert after == before.replace(RAIL.encode(), LEAN.encode())
        assert CAN in page.evaluate("studio.editor.getDoc()")
        assert page.is_hidden("#dirty")
        # made from the script as it was: now out of date, and it says so
        box.locator(".notice").wait_for(timeout=TIMEOUT)
        assert "has changed since this revision was proposed" in box.locator(".notice").inner_text()
        assert box.locator("button:has-text('Apply accepted')").is_disabled()
        assert page.locator(".card.revised").count() == 0
        assert (film / "script.fountain").read_bytes() == after
        assert not errors


def test_a_take_card_shows_the_critics_score_and_reason(film: Path, browser):
    with running(film) as r:
        page, errors = open_studio(browser, r)
        assert r.studio.builder.idle(120)
        with Database(Project.open(film).db_path) as db:
            first, second = [t["id"] for t in db.takes("sh2", "still") if not t["stale"]]
            db.critique_put(
                "key",
                "critic (scripted)",
                {
                    first: ("sh2", 7.5, "<b>sharp</b>, her face in the lamp light"),
                    second: ("sh2", 3.0, "the rail is missing"),
                },
            )
            assert critic.preselect(db, "sh2", critic.Judgement(first, 1, 7.5, "")) == (
                "pre-selected"
            )
        page.click(".card[data-shot='sh2']")
        best = page.locator(f".take[data-take='{first}']")
        best.locator(".critic").wait_for()
        assert (
            best.locator(".critic").inner_text()
            == "7.5/10 <b>sharp</b>, her face in the lamp light"
        )
        assert best.locator(".chosen").inner_text() == "in the cut · chosen by the critic"
        other = page.locator(f".take[data-take='{second}'] .critic")
        assert other.inner_text() == "3.0/10 the rail is missing"
        assert not errors


def test_a_proposal_is_not_applied_over_unsaved_edits_and_goes_out_of_date_on_disk(
    film: Path, browser
):
    with running(film) as r:
        page, errors = open_studio(browser, r)
        assert r.studio.builder.idle(120)
        name = propose(film, "tired")
        page.click("#revisions-toggle")
        box = page.locator(f".proposal[data-revision='{name}']")
        box.locator("button:has-text('Apply accepted')").wait_for()
        assert box.locator(".notice").count() == 0
        text = (film / "script.fountain").read_text()
        type_at_end_of_line(page, 22, " It is empty.")  # unsaved: applying now is refused
        box.locator("button:has-text('Apply accepted')").click()
        page.wait_for_selector("#banner:not([hidden]) >> text=unsaved edits")
        assert (film / "script.fountain").read_text() == text
        (film / "script.fountain").write_text(text.replace("Still here.", "Still here, still."))
        box.locator(".notice").wait_for(timeout=TIMEOUT)  # refreshed on the change, not reopened
        assert box.locator("button:has-text('Apply accepted')").is_disabled()
        assert "Still here, still." in (film / "script.fountain").read_text()
        assert "It is empty." in page.evaluate("studio.editor.getDoc()")  # not lost
        assert not errors


def test_the_build_panel_says_what_hosted_backends_charged(film: Path, browser):
    with running(film) as r:
        page, errors = open_studio(browser, r)
        assert r.studio.builder.idle(120)
        assert page.locator("#spend").is_hidden()  # nothing paid, no budget: nothing to say
        with Database(Project.open(film).db_path) as db:
            charge = {"shot_id": "sh2", "model": "kling-v2-1", "cost": "1.40", "currency": "USD"}
            db.job_put("k1", "kling", "task-1", "succeeded", charge=charge)
            db.job_put("k2", "kling", "task-2", "succeeded", charge={**charge, "cost": "0.35"})
        page.reload()
        page.locator("#spend").wait_for(state="visible", timeout=TIMEOUT)
        assert page.inner_text("#spend") == "spent 1.75 USD on 2 hosted jobs"
        assert not errors
