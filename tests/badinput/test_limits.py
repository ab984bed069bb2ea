"""Unbounded work is refused before it starts: frames too big for the memory budget, scripts
too big to be one, edits that reach past any media; duplicate ids are numbered in linear time."""

from __future__ import annotations

import time

import opentimelineio as otio
import pytest

from storyreel.config import ProjectConfig, load_config, render_memory, render_workers
from storyreel.edit.timeline import build_timeline, picture_clips
from storyreel.errors import StoryreelError
from storyreel.handoff.exports import export_all
from storyreel.script.breakdown import breakdown, breakdown_script
from storyreel.script.fountain import MAX_SCRIPT_BYTES, parse
from storyreel.store.project import Project, load_overrides
from tests.badinput.helpers import cli, line_of, one_line_error, project

RT = otio.opentime.RationalTime

HUGE = """[film]
fps = "24"
width = 8192
height = 8192
"""


def test_a_frame_too_big_for_the_memory_budget_is_refused_before_any_work(tmp_path):
    root = project(tmp_path / "film", HUGE)
    result = cli("render", root, "-q")
    line = one_line_error(
        result,
        f"storyreel.toml:{line_of(root / 'storyreel.toml', 'width')}:",
        "8192×8192",
        "15.6 GB",
        "budget of 8.0 GB",
        "[render] memory",
    )
    assert line.count("GB") == 2  # the estimate and the budget
    assert not (root / ".storyreel").exists() and not (root / "out").exists()


def test_the_memory_budget_is_a_setting(tmp_path):
    toml = tmp_path / "storyreel.toml"
    toml.write_text(HUGE + '\n[render]\nmemory = "64GB"\n')
    config = load_config(toml)  # accepted, and a render of it encodes one segment at a time
    assert config.render.memory_bytes == 64 * 10**9
    assert render_workers(config) >= 1 and render_memory(8192, 8192) < 64 * 10**9
    toml.write_text('[film]\nfps = "24"\n\n[render]\nmemory = "100MB"\n')
    with pytest.raises(StoryreelError) as e:
        load_config(toml)
    assert e.value.line == 5 and "1920×1080" in e.value.message and "100 MB" in e.value.message
    toml.write_text('[render]\nmemory = "lots"\n')
    with pytest.raises(StoryreelError) as e:
        load_config(toml)
    assert e.value.line == 2 and "'lots' is not a size" in e.value.message


def test_the_segments_encoded_at_once_fit_the_budget(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 16)
    config = ProjectConfig.model_validate(
        {"film": {"width": 4096, "height": 2160}, "render": {"memory": "8GB"}}
    )
    workers = render_workers(config)
    assert workers == 3
    assert render_memory(4096, 2160, workers) <= 8 * 10**9 < render_memory(4096, 2160, workers + 1)


def test_a_script_over_the_size_limit_is_refused_naming_the_file(tmp_path):
    big = tmp_path / "epic.fountain"
    unit = "INT. ROOM - DAY\n\nShe waits.\n\n"
    big.write_text(unit * (MAX_SCRIPT_BYTES // len(unit) + 1))
    result = cli("breakdown", big)
    one_line_error(
        result,
        f"{big}:",
        f"the script is {big.stat().st_size:,} bytes, over the limit of 10,000,000",
    )


def test_duplicate_shot_ids_are_numbered_in_linear_time():
    """10,000 identical scenes: before, each id probed every number taken before it (half a
    minute here); now the next number of each id is remembered."""
    text = "INT. ROOM - DAY\n\nShe waits.\n\n" * 10_000
    start = time.perf_counter()
    shots = breakdown(parse(text, "t.fountain"), ProjectConfig()).shots
    elapsed = time.perf_counter() - start
    ids = [s.id for s in shots]
    assert len(set(ids)) == len(ids) == 10_000
    assert ids[1] == f"{ids[0]}-2" and ids[-1] == f"{ids[0]}-10000"
    assert elapsed < 12, f"{elapsed:.1f} s"


# --- import-edit ranges -------------------------------------------------------------------


@pytest.fixture
def edited(tmp_path):
    """A project and its script cut exported (no render needed), ready for an editor's edit."""
    root = project(tmp_path / "film")
    proj = Project.open(root)
    cut = build_timeline(breakdown_script(proj.script, proj.config), proj.config)
    export_all(cut, proj.out_dir)
    return root, cut


def _with(cut: otio.schema.Timeline, shot: str, start: int, duration: int) -> otio.schema.Timeline:
    tl = cut.deepcopy()
    clip = next(c for c in picture_clips(tl) if c.name == shot)
    rate = clip.source_range.start_time.rate
    clip.source_range = otio.opentime.TimeRange(RT(start, rate), RT(duration, rate))
    return tl


@pytest.mark.parametrize(
    "start, duration, says",
    [
        (12, 10**9, "reaches frame 1000000012 of its media"),
        (-5, 24, "starts 5 frames before its media"),
        (12, 0, "uses 0 frames; a clip needs at least one"),
    ],
)
def test_an_edit_reaching_past_any_media_is_refused_and_nothing_is_stored(
    edited, tmp_path, start, duration, says
):
    root, cut = edited
    path = tmp_path / "edited.otio"
    otio.adapters.write_to_file(_with(cut, "sh2", start, duration), str(path))
    result = cli("import-edit", root, path)
    one_line_error(result, f"{path}:", "clip 'sh2'", says, "nothing was stored")
    assert load_overrides(Project.open(root)) is None


def test_an_edl_event_of_ten_hours_names_its_line(edited, tmp_path):
    root, _ = edited
    path = tmp_path / "hours.edl"
    path.write_text(
        "TITLE: HOURS\nFCM: NON-DROP FRAME\n\n"
        "001  SH1      V     C        00:00:00:12 00:00:01:12 01:00:00:00 01:00:01:00\n"
        "* FROM CLIP NAME:  sh1\n"
        "002  SH2      V     C        00:00:00:00 10:00:00:00 01:00:01:00 11:00:01:00\n"
        "* FROM CLIP NAME:  sh2\n"
    )
    result = cli("import-edit", root, path)
    one_line_error(result, f"{path}:7:", "clip 'sh2'", "a shot's media is at most 10 minutes")
    assert load_overrides(Project.open(root)) is None


def test_an_edit_within_the_media_is_still_taken(edited, tmp_path):
    root, cut = edited
    path = tmp_path / "edited.otio"
    otio.adapters.write_to_file(_with(cut, "sh2", 0, 30), str(path))
    result = cli("import-edit", root, path)
    assert result.exit_code == 0, result.output
    stored = load_overrides(Project.open(root))
    assert [(e.src_in, e.length) for e in stored.entries if e.shot_id == "sh2"] == [(0, 30)]


def test_a_clip_timed_at_zero_frames_a_second_is_refused(edited, tmp_path):
    """Found by the fuzz suite: an FCP7 XML with `<timebase>0</timebase>` gave a NaN trim."""
    root, _ = edited
    path = tmp_path / "zero.xml"
    path.write_text(
        (root / "out" / "cut.xml")
        .read_text()
        .replace("<timebase>24</timebase>", "<timebase>0</timebase>")
    )
    one_line_error(cli("import-edit", root, path), f"{path}:", "timed at 0 frames a second")
    assert load_overrides(Project.open(root)) is None


def test_a_stored_edit_of_a_billion_frames_is_named_not_a_crash(tmp_path):
    """An edit stored before import-edit bounded its ranges: the render says how to drop it."""
    from storyreel.model import EditOverrides, OverrideEntry
    from storyreel.store.project import save_overrides

    root = project(tmp_path / "film")
    save_overrides(
        Project.open(root),
        EditOverrides(
            source="old.edl",
            fps="24",
            entries=[OverrideEntry(shot_id="sh1", src_in=12, length=10**9)],
            known_shots=["sh1", "sh2", "sh3", "sh4"],
        ),
    )
    one_line_error(
        cli("render", root, "-q"),
        "old.edl:",
        "shot sh1 reach frame 1000000012",
        "storyreel import-edit --clear",
    )
    assert cli("import-edit", root, "--clear").exit_code == 0
    result = cli("render", root, "-q")
    assert result.exit_code == 0, result.output
    assert (root / "out" / "cut.mp4").is_file()
