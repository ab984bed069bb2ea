"""Open notes on the reel reach the NLE exports as markers; a resolved note leaves them."""

from __future__ import annotations

import opentimelineio as otio

from storyreel.run.build import build
from storyreel.store.db import Database
from storyreel.store.project import Project


def markers(root) -> list[str]:
    timeline = otio.adapters.read_from_file(str(root / "out" / "cut.otio"))
    return [m.name for clip in timeline.find_clips() for m in clip.markers]


def test_a_note_on_a_shot_is_a_marker_in_the_exports_until_it_is_resolved(project):
    build(Project.open(project))
    assert not any("too slow" in m for m in markers(project))
    with Database(project / ".storyreel" / "project.db") as db:
        note = db.note_add("dir", "too slow, trim the head", shot_id="sh3")
    report = build(Project.open(project))
    assert report.frames == 0  # a note changes the exports, not the picture
    assert markers(project) == ["dir: too slow, trim the head"]
    for name in ("cut.edl", "cut.xml", "cut.fcpxml"):  # as locators and markers the NLEs read
        assert "too slow, trim the head" in (project / "out" / name).read_text().lower(), name
    with Database(project / ".storyreel" / "project.db") as db:
        db.note_resolve(note)
    build(Project.open(project))
    assert markers(project) == []
