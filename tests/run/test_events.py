"""`render --json`: the build's events, one JSON object a line, agree with its report."""

from __future__ import annotations

import json
from collections import Counter

from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.run.report import CACHED


def events_of(output: str) -> list[dict]:
    return [json.loads(line) for line in output.strip().splitlines()]


def check(events: list[dict]) -> dict:
    """Order and counts: a build starts, each stage is a span, the last event has the report."""
    assert events[0]["event"] == "build_started" and events[-1]["event"] == "build_finished"
    report = events[-1]["report"]
    open_stages: list[str] = []
    done: dict[str, int] = {}
    for e in events[1:-1]:
        if e["event"] == "stage_started":
            open_stages.append(e["stage"])
            done[e["stage"]] = 0
        elif e["event"] == "stage_finished":
            assert open_stages.pop() == e["stage"]  # spans nest, and close in order
        elif e["event"] == "stage_progress":
            assert e["stage"] in open_stages and e["done"] >= done[e["stage"]]
            done[e["stage"]] = e["done"]
    assert not open_stages
    computed = Counter(e["stage"] for e in events if e["event"] == "computed")
    reused = Counter(e["stage"] for e in events if e["event"] == "reused")
    for stage in CACHED:
        assert computed[stage] == len(report["computed"][stage]), stage
        assert reused[stage] == report["reused"][stage], stage
    named = [e["item"] for e in events if e["event"] == "computed" and e["stage"] == "stills"]
    assert named == report["computed"]["stills"]
    frames = sum(e["frames"] for e in events if e["event"] == "computed")
    assert frames == report["frames"]
    assert [e["path"] for e in events if e["event"] == "file_written"] == report["files"]
    return report


def test_render_json_prints_one_event_per_line_in_order_with_the_reports_counts(project):
    runner = CliRunner()
    first = runner.invoke(app, ["render", str(project), "--json"])
    assert first.exit_code == 0, first.output
    events = events_of(first.output)
    report = check(events)
    shots = next(e for e in events if e["event"] == "shots_changed")["added"]
    assert {"sh1", "sh2", "sh3", "sh4"} <= set(shots)
    assert len(report["computed"]["stills"]) == len(shots) and report["frames"] > 0
    stages = [e["stage"] for e in events if e["event"] == "stage_started"]
    assert (
        stages.index("stills")
        < stages.index("clips")
        < stages.index("segments")
        < stages.index("cut")
    )

    again = events_of(runner.invoke(app, ["render", str(project), "--json"]).output)
    report = check(again)
    assert all(not v for v in report["computed"].values()) and report["reused"]["stills"] == len(
        shots
    )
    assert not any(e["event"] == "computed" for e in again)
