"""The error path itself: settings checked before any work at their line, user text printed as
text, a refused path named in one line, a watcher that outlives any failure, no temporary
files left by a failed encode."""

from __future__ import annotations

import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from storyreel.cli import run_cmds
from storyreel.config import LookConfig
from storyreel.errors import StoryreelError
from storyreel.render.frames import FilmLook
from storyreel.render.program import Event, Program
from storyreel.render.segments import Segment, encode_segment
from tests.badinput.helpers import cli, line_of, one_line_error, project
from tests.run.test_commands import _lines, _wait_for

FILM = '[film]\nfps = "24"\nwidth = 320\nheight = 180\n'


@pytest.mark.parametrize(
    "setting, key, says",
    [
        ('[film]\nstart_timecode = "garbage"\n', "start_timecode", "'garbage' is not a timecode"),
        (
            '[film]\nfps = "24"\nstart_timecode = "01:00:00:24"\n',
            "start_timecode",
            "frame 24; at 24 fps frames run 00 to 23",
        ),
        (
            "[film]\nfps = 12\n",
            "fps",
            "frame rate 12 has no SMPTE timecode, which the cut and its "
            "exports are timed in; one of 24000/1001, 24, 25,",
        ),
        (
            "[film]\nwidth = 321\nheight = 181\n",
            "width",
            "H.264 (4:2:0) needs an even frame and picture size, not 321×181",
        ),
        ("[film]\nwidth = 320\nheight = 181\n", "height", "not 320×181"),
        (
            FILM + '[render]\npreset = "fastest"\n',
            "preset",
            "unknown x264 preset 'fastest' (did you mean faster?); one of ultrafast,",
        ),
        (FILM + "[render]\ncrf = 60\n", "crf", "crf 60 is out of range for h264 (0 to 51)"),
        (FILM + '[render]\ncodec = "prores"\ncrf = 20\n', "crf", "prores has no crf"),
        (FILM + '[render]\ncodec = "h265"\n', "codec", "unknown codec 'h265' (did you mean h264?)"),
    ],
)
def test_settings_are_checked_before_any_work_at_their_line(tmp_path, setting, key, says):
    root = project(tmp_path / "film", setting)
    result = cli("render", root, "-q")
    toml = root / "storyreel.toml"
    one_line_error(result, f"{toml}:{line_of(toml, key)}:", says)
    assert not (root / ".storyreel").exists()  # no still made, no tmp*.mp4 left in a store


def test_the_picture_area_of_an_even_frame_is_even():
    from storyreel.config import ASPECTS, ProjectConfig

    for aspect in ASPECTS:
        for w, h in ((320, 180), (322, 182), (1998, 1080), (720, 1280)):
            c = ProjectConfig.model_validate(
                {"film": {"width": w, "height": h}, "look": {"aspect": aspect}}
            )
            assert all(n % 2 == 0 for n in c.picture_size), (aspect, w, h)


def test_markup_in_a_value_is_shown_not_interpreted(tmp_path):
    root = project(tmp_path / "film", '[film]\npacing = "[/b]"\n')
    one_line_error(cli("render", root), "unknown pacing '[/b]'")


def test_markup_in_a_path_is_shown_not_interpreted(tmp_path):
    root = project(tmp_path / "x[" / "b]", '[film]\npacing = "slow"\n')
    one_line_error(cli("render", root), f"{root / 'storyreel.toml'}:2:", "[/b]")


def test_a_directive_in_a_message_is_shown_whole(tmp_path):
    script = tmp_path / "s.fountain"
    script.write_text("EXT. PIER - DAY\n\n[[shot: MCX, 1s]]\nWaves.\n")
    one_line_error(cli("breakdown", script), f"{script}:3:", "in [[shot: ...]] (did you mean MCU?)")


def test_markup_in_the_script_is_printed_as_written(tmp_path):
    script = tmp_path / "s.fountain"
    script.write_text(
        "Title: [/b] and [red]\n\nEXT. PIER [/i] - DAY\n\nWaves [/b] roll in.\n\n"
        "MAYA [/u]\nHello [bold]there[/].\n"
    )
    result = cli("breakdown", script)
    assert result.exit_code == 0, result.output
    for text in ("[/b] and [red]", "PIER [/i]", "Waves [/b] roll", "[bold]there[/]"):
        assert text in result.output, text


@pytest.mark.parametrize(
    "music, says", [("nothere.wav", "no such file or directory"), (".", "is a directory")]
)
def test_a_music_file_that_is_not_there_is_named(tmp_path, music, says):
    root = project(tmp_path / "film")
    path = root / music
    one_line_error(cli("render", root, "-q", "--music", path), f"{path}:", says)


def test_an_out_that_is_a_file_is_named(tmp_path):
    root = project(tmp_path / "film")
    (root / "out").write_text("not a folder")
    one_line_error(cli("render", root, "-q"), "out: file exists")


def test_an_output_folder_that_cannot_be_written_is_named(tmp_path):
    root = project(tmp_path / "film")
    one_line_error(cli("render", root, "-q", "-o", "/proc/cut.mp4"), "/proc/cut.mp4: cannot write")


def test_an_os_error_on_any_path_is_one_line(tmp_path):
    (tmp_path / "afile").write_text("")
    out = tmp_path / "afile" / "shots.csv"
    script = tmp_path / "s.fountain"
    script.write_text("EXT. PIER - DAY\n\nWaves.\n")
    one_line_error(cli("breakdown", script, "-f", "csv", "-o", out), str(out.parent))


def test_a_rebuild_that_fails_in_any_way_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    root = project(tmp_path / "film")

    def broken(*_a, **_k):
        raise RuntimeError("the disk said no\nat all")

    monkeypatch.setattr(run_cmds, "build", broken)
    run_cmds._rebuild(root)
    err = capsys.readouterr().err.splitlines()
    assert err == ["error: RuntimeError: the disk said no at all  (keeping the last good cut)"]


def test_watch_keeps_watching_after_an_os_error(tmp_path):
    root = project(tmp_path / "film")
    script = root / "script.fountain"
    proc = subprocess.Popen(
        [sys.executable, "-m", "storyreel", "watch", str(root)], stderr=subprocess.PIPE, text=True
    )
    try:
        q = _lines(proc)
        _wait_for(q, "watching")
        time.sleep(1.0)
        (root / "out" / "cut.mp4").unlink()
        for f in (root / "out").rglob("*"):
            if f.is_file():
                f.unlink()
        for d in sorted((root / "out").rglob("*"), reverse=True):
            d.rmdir()
        (root / "out").rmdir()
        (root / "out").write_text("in the way")
        script.write_text(script.read_text().replace("A film can on the desk.", "A can, open."))
        seen = _wait_for(q, "keeping the last good cut")
        assert any("out: file exists" in line for line in seen), seen
        assert proc.poll() is None
        (root / "out").unlink()
        script.write_text(script.read_text().replace("A can, open.", "A can, shut."))
        _wait_for(q, "rebuilt in")
        assert (root / "out" / "cut.mp4").is_file()
    finally:
        proc.terminate()
        proc.wait(10)


class _Breaks:
    """Frames of one colour until `at`, then an error (a backend that fails mid-clip)."""

    fps, n_frames, size = Fraction(24), 12, (64, 36)

    def __init__(self, at: int):
        self.at = at

    def frame(self, index: int) -> np.ndarray:
        if index >= self.at:
            raise StoryreelError("the source broke")
        return np.full((36, 64, 3), 90, np.uint8)


@pytest.mark.parametrize("encoder", [{"codec": "h264"}, {"codec": "h264", "preset": "fastest"}])
def test_a_failed_encode_leaves_no_file_behind(tmp_path, encoder):
    store = tmp_path / "tmp"
    store.mkdir()
    path = store / "tmpabc.mp4"
    path.touch()  # the name the build reserved
    program = Program(Fraction(24), (64, 36), (64, 36), [Event(_Breaks(5), 0, 12)])
    look = FilmLook(LookConfig(grain=0, vignette=0), (64, 36), (64, 36), Fraction(24))
    with pytest.raises(StoryreelError):
        encode_segment(program, Segment(0, 12, "k"), look, path, encoder)
    assert list(store.iterdir()) == []


def _bare_clip_1(cut: Path, dest: Path) -> Path:
    """The cut's .otio with every Clip.2 relabelled Clip.1: a Clip.1 without media_reference."""
    dest.write_text(cut.read_text().replace('"Clip.2"', '"Clip.1"'))
    return dest


def test_an_old_clip_without_its_media_is_refused_not_a_crash(tmp_path):
    """Found by the fuzz suite: OpenTimelineIO 0.18 dies (SIGSEGV) reading such a clip."""
    from storyreel.edit.timeline import build_timeline
    from storyreel.handoff.exports import export_all
    from storyreel.script.breakdown import breakdown_script
    from storyreel.store.project import Project, load_overrides

    root = project(tmp_path / "film")
    proj = Project.open(root)
    export_all(
        build_timeline(breakdown_script(proj.script, proj.config), proj.config), proj.out_dir
    )
    path = _bare_clip_1(root / "out" / "cut.otio", tmp_path / "old.otio")
    result = subprocess.run(
        [sys.executable, "-m", "storyreel", "import-edit", str(root), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert (
        result.stderr.startswith(f"error: {path}:")
        and "without its media_reference" in result.stderr
    )
    assert load_overrides(Project.open(root)) is None


def test_opentimelineio_still_crashes_on_an_old_clip_without_media(tmp_path):
    """Pins the workaround in `interchange._old_clips_whole` to the version it was written for:
    when this fails, OpenTimelineIO reads such a clip and the workaround can go."""
    import opentimelineio as otio

    from storyreel.edit.timeline import build_timeline
    from tests.edit.edit_helpers import make_config, make_shotlist

    cut = tmp_path / "cut.otio"
    otio.adapters.write_to_file(build_timeline(make_shotlist(), make_config()), str(cut))
    path = _bare_clip_1(cut, tmp_path / "old.otio")
    assert otio.__version__.startswith("0.18.")
    read = subprocess.run(
        [
            sys.executable,
            "-c",
            "import opentimelineio as otio, sys; otio.adapters.read_from_file(sys.argv[1])",
            str(path),
        ],
        capture_output=True,
        timeout=120,
    )
    assert read.returncode == -11  # SIGSEGV


def test_an_otio_that_is_not_json_names_its_line(tmp_path):
    root = project(tmp_path / "film")
    path = tmp_path / "cut.otio"
    path.write_text('{\n  "OTIO_SCHEMA": "Timeline.1",\n  "name": "x"\n  "tracks": []\n}\n')
    one_line_error(
        cli("import-edit", root, path),
        f"{path}:4:",
        "not a readable .otio timeline: Expecting ',' delimiter",
    )
