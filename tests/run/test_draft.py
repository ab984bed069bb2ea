"""`render --draft`: the same cut at half size, fast, beside the full one, sharing its stills."""

from __future__ import annotations

import av
import cv2
import numpy as np
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.run import stills
from storyreel.run.takes import load_still
from storyreel.store.db import Database
from tests.run.conftest import decode, json_report, make_project
from tests.run.test_events import events_of


def test_a_draft_is_the_cut_at_half_size_and_shares_the_full_renders_stills(project):
    runner = CliRunner()
    full = runner.invoke(app, ["render", str(project), "--json"])
    assert full.exit_code == 0, full.output
    out = project / "out"
    exports = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    result = runner.invoke(app, ["render", str(project), "--draft", "--json"])
    assert result.exit_code == 0, result.output
    report = json_report(result.output)
    draft = out / "draft.mp4"
    assert report["files"] == [str(draft)]
    made = json_report(full.output)["computed"]["stills"]
    assert report["computed"]["stills"] == [] and report["reused"]["stills"] == len(made) > 0
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p != draft} == exports
    with av.open(str(draft)) as c:
        stream = c.streams.video[0]
        assert (stream.width, stream.height) == (160, 90) and c.streams.audio

    big, small = decode(out / "cut.mp4"), decode(draft)
    assert len(small) == len(big)  # the same cut, frame for frame
    lit = [i for i in range(0, len(big), 9) if big[i].mean() > 15]  # pictures, not fades
    assert len(lit) >= 5
    for i in lit:
        shrunk = cv2.resize(big[i], (160, 90), interpolation=cv2.INTER_AREA).astype(int)
        assert np.abs(shrunk - small[i].astype(int)).mean() < 4, i

    again = json_report(runner.invoke(app, ["render", str(project), "--json"]).output)
    assert again["frames"] == 0 and again["computed"]["cut"] == []  # the full cut is untouched


def test_a_first_draft_writes_the_draft_alone(project):
    """A draft comes in seconds (it is what the studio rebuilds on every save): no contact
    sheet and no first minute are written for it."""
    result = CliRunner().invoke(app, ["render", str(project), "--draft", "--json"])
    assert result.exit_code == 0, result.output
    report = json_report(result.output)
    assert report["computed"]["stills"] and report["files"] == [str(project / "out" / "draft.mp4")]
    assert sorted(p.name for p in (project / "out").iterdir()) == ["draft.mp4"]


def test_an_edits_new_still_goes_to_its_clip_as_made(project, copy_project, monkeypatch):
    """The still a draft just made is handed to its clip, not read back from the store; the
    draft is the one the read-back still makes, frame for frame."""
    runner = CliRunner()
    assert runner.invoke(app, ["render", str(project), "--draft"]).exit_code == 0
    script = project / "script.fountain"
    script.write_text(script.read_text().replace("A film can on the desk.", "A can, dusty."))
    other = copy_project(project, project.parent / "other")
    reads = []
    monkeypatch.setattr(stills, "load_still", lambda *a: reads.append(a) or load_still(*a))
    result = runner.invoke(app, ["render", str(project), "--draft", "--json"])
    assert result.exit_code == 0, result.output
    made = json_report(result.output)["computed"]["stills"]
    assert len(made) == 1 and made[0].startswith("sh4")
    assert reads == []  # the new still went to its clip as made
    monkeypatch.setattr(stills, "HANDED_ON", 0)  # every still read back from the store
    assert runner.invoke(app, ["render", str(other), "--draft"]).exit_code == 0
    assert reads  # its stills read back from the store
    ours, theirs = decode(project / "out" / "draft.mp4"), decode(other / "out" / "draft.mp4")
    assert len(ours) == len(theirs) and all(map(np.array_equal, ours, theirs))


def test_a_draft_writes_its_cut_before_the_takes_it_does_not_use(tmp_path):
    """A draft paints the take each shot's cut uses, writes the cut, then paints the others: the
    studio's player gets the new shot without waiting for the takes to choose from."""
    root = make_project(tmp_path / "film", takes=2)
    result = CliRunner().invoke(app, ["render", str(root), "--draft", "--json"])
    assert result.exit_code == 0, result.output
    events = events_of(result.output)
    written = next(
        i for i, e in enumerate(events) if e["event"] == "file_written" and "draft" in e["path"]
    )
    made = [
        (i, e["item"])
        for i, e in enumerate(events)
        if e["event"] == "computed" and e["stage"] == "stills"
    ]
    with Database(root / ".storyreel" / "project.db") as db:
        takes = {r["id"]: (r["shot_id"], r["idx"]) for r in db.takes() if r["kind"] == "still"}
    shots = {shot for shot, _ in takes.values()}
    assert sorted(takes.values()) == sorted((s, i) for s in shots for i in (0, 1))  # every take
    before = sorted(takes[item] for i, item in made if i < written)
    after = sorted(takes[item] for i, item in made if i > written)
    assert before == sorted((s, 0) for s in shots)  # the takes the cut uses
    assert after == sorted((s, 1) for s in shots)  # the others, after the cut


def test_a_clip_the_cut_still_uses_stays_current_when_its_shots_words_change(project):
    """A super added to a shot changes its text, not its clip: the clip in the cut is reused and
    stays a current take; a clip of an earlier framing goes stale."""
    runner = CliRunner()
    assert runner.invoke(app, ["render", str(project), "--draft"]).exit_code == 0
    script = project / "script.fountain"
    with Database(project / ".storyreel" / "project.db") as db:
        [before] = [r["id"] for r in db.takes("sh1", "clip")]
    script.write_text(
        script.read_text().replace("Waves under", '[[super: "Genoa"]]\n\nWaves under')
    )
    result = runner.invoke(app, ["render", str(project), "--draft", "--json"])
    assert result.exit_code == 0, result.output
    assert json_report(result.output)["computed"]["clips"] == []  # the same clip
    with Database(project / ".storyreel" / "project.db") as db:
        assert [(r["id"], r["stale"]) for r in db.takes("sh1", "clip")] == [(before, 0)]
    script.write_text(script.read_text().replace("WS, push-in", "WS, pan-left"))
    assert runner.invoke(app, ["render", str(project), "--draft"]).exit_code == 0
    with Database(project / ".storyreel" / "project.db") as db:
        clips = {r["id"]: bool(r["stale"]) for r in db.takes("sh1", "clip")}
    assert clips.pop(before) is True and list(clips.values()) == [False]
