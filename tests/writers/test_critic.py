"""The critic: a vision writer ranks a shot's takes, one of them visibly wrong (a previz take of
another shot); its best take is pre-selected, a director's selection is left alone, and a rerun
with nothing changed asks nothing."""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.run.build import stills_of
from storyreel.store.db import Database
from storyreel.store.project import Project
from storyreel.studio.reel import take_rows as studio_takes
from storyreel.writers.base import Completion, Message
from storyreel.writers.configured import no_writer_message
from tests.run.conftest import SCRIPT, register
from tests.writers.conftest import ScriptedWriter, writer_project
from tests.writers.servers import Model, openai, png_of

runner = CliRunner()


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.float64)


def honest_critic(request: Completion) -> str:
    """Judges what it sees: the take least like the shot's other takes is the wrong one."""
    user = request.messages[-1]
    n = int(user.text.split("Images 1 to ")[1].split(" ")[0])
    takes = [pixels(png) for png in user.images[:n]]
    far = [np.mean([np.abs(a - b).mean() for b in takes if b is not a]) for a in takes]
    worst = int(np.argmax(far))
    return json.dumps(
        {
            "takes": [
                {
                    "take": k + 1,
                    "score": 1.0 if k == worst else 7.0 + k,
                    "reason": "a different place: not this shot"
                    if k == worst
                    else "the pier and Maya at the rail",
                }
                for k in range(n)
            ]
        }
    )


def takes_json(root, shot: str) -> list[dict]:
    result = runner.invoke(app, ["takes", shot, "-p", str(root), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def project_with_a_wrong_take(tmp_path, writer: str = "scripted"):
    """sh2 (MS MAYA at the rail) with three takes from a folder: two previz takes of sh2 and, as
    take 2, the previz take of sh4 (an insert of a film can in the archive)."""
    root = writer_project(tmp_path / "film", SCRIPT, takes=2, writer=writer)
    (root / "refs").mkdir()
    Image.new("RGB", (64, 96), (120, 120, 130)).save(root / "refs" / "maya.png")
    toml = root / "storyreel.toml"
    toml.write_text(
        toml.read_text().replace(
            'description = "a woman in a grey coat"',
            'description = "a woman in a grey coat"\nrefs = ["refs/maya.png"]',
        )
    )
    assert runner.invoke(app, ["stills", str(root), "-q"]).exit_code == 0
    exports = root / "exports"
    exports.mkdir()
    sh2, sh4 = takes_json(root, "sh2"), takes_json(root, "sh4")
    for name, take in (("sh2_a", sh2[0]), ("sh2_b", sh4[0]), ("sh2_c", sh2[1])):
        shutil.copy(root / take["thumbnail"], exports / f"{name}.png")
    with toml.open("a") as f:
        f.write('\n[backends.shots.sh2]\nstills = "folder:exports"\n')
    assert runner.invoke(app, ["stills", str(root), "-q", "--takes", "3"]).exit_code == 0
    return root, (exports / "sh2_b.png").read_bytes()


def test_the_critic_ranks_the_wrong_take_last_and_preselects_the_best(tmp_path, scripted):
    root, wrong = project_with_a_wrong_take(tmp_path)
    scripted.answer = honest_critic

    result = runner.invoke(app, ["critic", str(root), "--shots", "sh2"])
    assert result.exit_code == 0, result.output
    assert len(scripted.asked) == 1
    user = scripted.asked[0].messages[-1]
    assert len(user.images) == 4  # three takes, then Maya's reference
    assert np.array_equal(pixels(user.images[1]), pixels(wrong))  # the takes arrived, in order
    assert pixels(user.images[3]).shape == (96, 64, 3)
    assert (
        "The shot: size MS, eye angle; in it: Maya." in user.text and "image 4 is Maya" in user.text
    )
    assert "shot sh2 (asked): take 3 best; pre-selected" in result.output
    assert result.output.strip().splitlines()[-1].startswith("  take 2   1.0  a different place")

    rows = {r["take"]: r for r in takes_json(root, "sh2") if not r["stale"]}
    assert rows[2]["score"] == 1.0 and rows[2]["reason"] == "a different place: not this shot"
    assert [(t, r["selected"], r["selected_by"]) for t, r in sorted(rows.items())] == [
        (1, False, None),
        (2, False, None),
        (3, True, "critic"),
    ]
    _, boards, _ = stills_of(Project.open(root), shot="sh2", selected=True)
    [(number, _, still)] = boards[0].takes  # what the storyboard and the cut use
    assert number == 3 and not np.array_equal(still.image, pixels(wrong))
    text = runner.invoke(app, ["takes", "sh2", "-p", str(root)]).output
    assert "selected by the critic" in text and "critic: 1.0/10, a different place" in text

    again = runner.invoke(app, ["critic", str(root), "--shots", "sh2"])
    assert again.exit_code == 0 and "shot sh2 (stored scores)" in again.output
    assert len(scripted.asked) == 1  # nothing asked, nothing paid

    script = root / "script.fountain"
    script.write_text(script.read_text().replace("MAYA stands at the rail.", "MAYA waits."))
    _, boards, report = stills_of(Project.open(root), shot="sh2", selected=True)
    assert boards[0].takes[0][0] == 1  # the critic judged the old text: its pick does not hold
    assert not [w for w in report.warnings if "sh2" in w]
    now = [(r["take"], r["selected_by"]) for r in takes_json(root, "sh2") if r["selected"]]
    assert now == [(1, None)]  # and `takes` says what the build does
    shown = studio_takes(Project.open(root), "sh2")  # what the studio's shot card lists
    assert [(t["take"], t["stale"]) for t in shown if t["selected"]] == [(1, False)]
    assert {t["take"]: t["score"] for t in shown if t["stale"] and t["kind"] == "still"}[2] == 1.0


def test_the_directors_selection_always_wins(tmp_path, scripted):
    root, _ = project_with_a_wrong_take(tmp_path)
    scripted.answer = honest_critic
    assert runner.invoke(app, ["select", "sh2", "2", "-p", str(root)]).exit_code == 0
    result = runner.invoke(app, ["critic", str(root)])
    assert result.exit_code == 0, result.output
    assert "shot sh2 (asked): take 3 best; kept the director's" in result.output
    sh1 = next(x for x in result.output.splitlines() if x.startswith("shot sh1 "))
    assert sh1.startswith("shot sh1 (asked): take ") and sh1.endswith(" best; pre-selected")
    chosen = [(r["take"], r["selected_by"]) for r in takes_json(root, "sh2") if r["selected"]]
    assert chosen == [(2, "director")]  # even the take the critic found wrong
    with Database(Project.open(root).db_path) as db:
        assert db.selected_by("sh2") == "director" and db.selected_by("sh1") == "critic"


def test_the_critic_needs_a_vision_writer_and_a_readable_answer(tmp_path, scripted, monkeypatch):
    root, _ = project_with_a_wrong_take(tmp_path)
    scripted.answer = lambda request: "Take 1 looks great!"
    bad = runner.invoke(app, ["critic", str(root), "--shots", "sh2"])
    assert bad.exit_code == 2
    assert "shot sh2: the critic's answer is not the JSON asked for" in bad.output
    with Database(Project.open(root).db_path) as db:
        assert db.selected_by("sh2") is None and not db.critiques("sh2")

    scripted.answer = lambda request: json.dumps(
        {"takes": [{"take": 1, "score": 5, "reason": "ok"}]}
    )
    short = runner.invoke(app, ["critic", str(root), "--shots", "sh2"])
    assert short.exit_code == 2 and "the critic did not score take 2, 3" in short.output

    unknown = runner.invoke(app, ["critic", str(root), "--shots", "sh9"])
    assert unknown.exit_code == 2 and "no shot 'sh9'" in unknown.output

    blind = type("Blind", (ScriptedWriter,), {"name": "blind", "vision": False, "asked": []})
    register(monkeypatch, "writer", blind)
    toml = root / "storyreel.toml"
    toml.write_text(toml.read_text().replace('writer = "scripted"', 'writer = "blind"'))
    refused = runner.invoke(app, ["critic", str(root)])
    assert refused.exit_code == 2 and "cannot look at images" in refused.output

    toml.write_text(toml.read_text().replace('writer = "blind"\n', ""))
    none = runner.invoke(app, ["critic", str(root)])
    assert none.exit_code == 2 and " ".join(none.output.split()) == " ".join(
        f"error: {no_writer_message()}".split()
    )


def test_the_critic_asks_through_the_openai_writer_and_a_local_server(tmp_path, server, keys):
    spec = f"openai:gpt-test?base_url={server.url}/v1&api=chat"
    root, wrong = project_with_a_wrong_take(tmp_path, writer=spec)
    seen: list[list[bytes]] = []

    def vision_model(body: dict) -> str:
        """The server's model: reads the text and the PNGs the request carries, as a VLM would."""
        parts = body["messages"][-1]["content"]
        images = [png_of(p["image_url"]["url"]) for p in parts if p["type"] == "image_url"]
        seen.append(images)
        text = next(p["text"] for p in parts if p["type"] == "text")
        user = Message("user", text, tuple(images))
        return honest_critic(Completion([Message("system", ""), user]))

    model = Model(answers=vision_model)
    openai(server, model)
    result = runner.invoke(app, ["critic", str(root), "--shots", "sh2"])
    assert result.exit_code == 0, result.output
    assert model.billed == 1 and model.bad_auth == 0
    [images] = seen
    assert len(images) == 4 and np.array_equal(pixels(images[1]), pixels(wrong))
    [body] = model.bodies
    assert body["response_format"]["json_schema"]["schema"]["required"] == ["takes"]
    assert "shot sh2 (asked): take 3 best; pre-selected" in result.output
    assert [r["take"] for r in takes_json(root, "sh2") if r["selected"]] == [3]

    again = runner.invoke(app, ["critic", str(root), "--shots", "sh2"])
    assert again.exit_code == 0 and model.billed == 1  # the stored scores answered
