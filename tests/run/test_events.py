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


def test_cut_placed_says_where_each_shot_sits_and_which_segments_make_the_cut(project):
    import av
    import opentimelineio as otio

    from storyreel.store.objects import ObjectStore

    result = CliRunner().invoke(app, ["render", str(project), "--json"])
    assert result.exit_code == 0, result.output
    events = events_of(result.output)
    [placed] = [e for e in events if e["event"] == "cut_placed"]
    kinds = [e["event"] for e in events]
    assert kinds.index("cut_placed") < len(kinds) - 1 - kinds[::-1].index("file_written")
    timeline = otio.adapters.read_from_file(str(project / "out" / "cut.otio"))
    clips = [
        c
        for c in timeline.video_tracks()[0].find_clips(shallow_search=True)
        if c.metadata.get("storyreel", {}).get("kind") == "shot"
    ]
    assert [s["shot"] for s in placed["shots"]] == [
        c.metadata["storyreel"]["shot_id"] for c in clips
    ]
    for s, c in zip(placed["shots"], clips, strict=True):
        r = c.range_in_parent()
        assert s["start"] == round(r.start_time.rescaled_to(24).value)
        assert s["length"] == round(r.duration.rescaled_to(24).value)
    starts = [s["start"] for s in placed["segments"]]
    assert starts[0] == 0 and all(
        a["start"] + a["length"] == b["start"]
        for a, b in zip(placed["segments"], placed["segments"][1:], strict=False)
    )
    with av.open(str(project / "out" / "cut.mp4")) as cut:
        assert sum(1 for _ in cut.decode(video=0)) == placed["frames"]
    store = ObjectStore(project / ".storyreel" / "objects")
    assert all(store.verify(s["digest"]) for s in placed["segments"])
