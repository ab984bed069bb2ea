"""Notes reach the NLE formats as markers: on the shot's clip, or at a record timecode."""

from __future__ import annotations

from pathlib import Path

from storyreel.edit.notes import Note, add_note_markers
from storyreel.edit.timeline import build_timeline, picture_clips
from storyreel.handoff.exports import export_all
from tests.edit.edit_helpers import make_config, make_shotlist


def test_notes_become_markers_in_every_export(tmp_path: Path):
    shotlist, config = make_shotlist(), make_config()
    timeline = build_timeline(shotlist, config)
    second = picture_clips(timeline)[1]
    sid = second.metadata["storyreel"]["shot_id"]
    notes = [
        Note(1, "ana", "2026-01-01T10:00:00+00:00", "hold longer", shot_id=sid),
        Note(2, "ben", "2026-01-01T10:01:00+00:00", "music in here", timecode="01:00:01:00"),
        Note(3, "ben", "2026-01-01T10:02:00+00:00", "after the end", timecode="09:00:00:00"),
        Note(4, "ben", "2026-01-01T10:02:00+00:00", "a shot cut since", shot_id="gone"),
    ]
    assert add_note_markers(timeline, notes) == 2
    [on_shot] = [m for m in second.markers if m.metadata["storyreel"].get("kind") == "note"]
    assert on_shot.name == "ana: hold longer"
    assert on_shot.marked_range.start_time == second.source_range.start_time
    v1 = timeline.video_tracks()[0]
    [at_time] = [m for m in v1.markers if m.metadata["storyreel"].get("kind") == "note"]
    assert at_time.marked_range.start_time.to_frames() == int(config.film.fps)  # 1 s in
    written = export_all(timeline, tmp_path)
    texts = {p.suffix: p.read_text() for p in written if p.suffix not in (".aaf", ".otioz")}
    assert "hold longer" in texts[".otio"] and "music in here" in texts[".otio"]
    assert "hold longer" in texts[".xml"]
    assert "* LOC: " in texts[".edl"] and "ANA: HOLD LONGER" in texts[".edl"]
    assert 'value="ana: hold longer"' in texts[".fcpxml"]
