"""The studio's revisions: a saved proposal listed hunk by hunk, some hunks accepted, the rest
refused, and nothing written when the script changed since."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from storyreel.cli import app as cli
from storyreel.studio.app import create_app
from tests.writers.conftest import writer_project
from tests.writers.test_revise import CAN, LEAN, RAIL, SCRIPT, TWO_SCENES

TOKEN = "t0k3n"


def client(root) -> TestClient:
    """The studio's routes (its builder not started: nothing here needs a build)."""
    return TestClient(create_app(root, TOKEN), headers={"X-Storyreel-Token": TOKEN})


def test_the_studio_lists_a_proposal_and_applies_the_accepted_hunks(tmp_path, scripted):
    root = writer_project(tmp_path / "film", SCRIPT)
    scripted.answer = lambda request: TWO_SCENES
    assert CliRunner().invoke(cli, ["revise", str(root), "--note", "tired"]).exit_code == 0
    api = client(root)

    assert TestClient(create_app(root, TOKEN)).get("/api/revisions").status_code == 401
    [listed] = api.get("/api/revisions").json()
    assert listed["current"] and [h["scene"] for h in listed["hunks"]] == [
        "EXT. PIER - NIGHT",
        "INT. ARCHIVE - NIGHT",
    ]
    assert listed["hunks"][0]["old"] == RAIL + "\n" and listed["hunks"][0]["new"] == LEAN + "\n"
    assert len(listed["hunks"][0]["shots"]) == 1 and listed["hunks"][0]["line"] == 7
    assert listed["notes"][0]["text"] == "tired"
    assert api.get(f"/api/revisions/{listed['name']}").json() == listed
    assert api.get("/api/revisions/..%2Fproject").status_code == 404

    other = api.post(
        f"/api/revisions/{listed['name']}/apply",
        json={"accept": [2]},
        headers={"Origin": "http://evil.example"},
    )
    assert other.status_code == 403 and (root / "script.fountain").read_text() == SCRIPT
    assert (
        api.post(f"/api/revisions/{listed['name']}/apply", json={"accept": [7]}).status_code == 422
    )

    done = api.post(f"/api/revisions/{listed['name']}/apply", json={"accept": [2]})
    assert done.json() == {"written": True, "accepted": [2], "refused": [1]}
    assert (root / "script.fountain").read_text() == SCRIPT.replace(
        CAN, "A film can lies open on the desk."
    )
    stale = api.post(f"/api/revisions/{listed['name']}/apply", json={"accept": [1]})
    assert stale.status_code == 409 and "has changed" in stale.json()["error"]
    assert not api.get("/api/revisions").json()[0]["current"]
