"""The loop closed: render, edit the cut in an NLE's format, `import-edit`, render again."""

from __future__ import annotations

import shutil
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
import pytest
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.edit.timeline import picture_clips
from storyreel.handoff.import_edit import read_edit
from storyreel.run.build import build
from storyreel.store.project import Project
from tests.run.conftest import decode, make_project

RT = otio.opentime.RationalTime

# four shots in four places and times of day, each with a camera move, so that every shot's
# frames look unlike the others' and unlike themselves a few frames on
SCRIPT = """EXT. BEACH - DAY

[[shot: WS, pan-left, 1s, #sun]]
Surf on white sand.

INT. CELLAR - NIGHT

[[shot: MCU MAYA, push-in, 1s, #dark]]
MAYA
Who is there?

EXT. DESERT - DUSK

[[shot: WS, pan-right, 1s, #dusk]]
Dunes under a red sky.

EXT. SNOWFIELD - MORNING

[[shot: EWS, zoom-in, 1s, #snow]]
A lone tree in the snow.
"""


def render(root: Path) -> None:
    build(Project.open(root))


def shots(tl: otio.schema.Timeline) -> list[tuple[str, int, int, int]]:
    """(name, record in, source in, length) of each clip on V1, in frames."""
    v1 = tl.video_tracks()[0]
    assert not any(isinstance(i, otio.schema.Transition) for i in v1)  # hard cuts only
    return [
        (
            c.name,
            v1.range_of_child(c).start_time.to_frames(),
            c.source_range.start_time.to_frames(),
            c.source_range.duration.to_frames(),
        )
        for c in v1
        if isinstance(c, otio.schema.Clip)
    ]


def takes(tl: otio.schema.Timeline) -> dict[str, str]:
    return {c.name: c.metadata["storyreel"]["take_id"] for c in picture_clips(tl)}


def nle_edit(tl: otio.schema.Timeline) -> otio.schema.Timeline:
    """What an editor does: swap the first and third shots, and trim the second's head by 5
    frames and its tail by 3."""
    tl = tl.deepcopy()
    v1 = tl.video_tracks()[0]
    sun, dark, dusk, snow = list(v1)
    rate = dark.source_range.start_time.rate
    dark.source_range = otio.opentime.TimeRange(
        dark.source_range.start_time + RT(5, rate), dark.source_range.duration - RT(8, rate)
    )
    v1[:] = []  # an item belongs to one track at a time
    v1.extend([dusk.deepcopy(), dark.deepcopy(), sun.deepcopy(), snow.deepcopy()])
    return tl


def assert_streams_line_up(root: Path) -> None:
    """The MP4 lasts as long as its timeline to the frame; its AAC starts and ends with it."""
    tl = otio.adapters.read_from_file(str(root / "out" / "cut.otio"))
    frames = tl.duration().to_frames()
    with av.open(str(root / "out" / "cut.mp4")) as c:
        video, audio = c.streams.video[0], c.streams.audio[0]
        assert audio.codec_context.name == "aac"
        assert video.start_time == 0 and audio.start_time == 0
        assert video.duration * video.time_base == frames / video.average_rate
        assert abs(audio.duration * audio.time_base - frames / video.average_rate) < 1 / 24
        assert sum(1 for _ in c.decode(video=0)) == frames


@pytest.fixture(scope="module")
def first(tmp_path_factory) -> Path:
    """A rendered project, without fade or grain so that a frame looks the same wherever it
    lands in the cut; tests copy it (its store too, as a project folder is copied)."""
    root = make_project(tmp_path_factory.mktemp("roundtrip") / "film", script=SCRIPT)
    toml = root / "storyreel.toml"
    toml.write_text(
        toml.read_text()
        .replace("fade_in = 0.25", "fade_in = 0")
        .replace("grain = 0.2", "grain = 0")
    )
    render(root)
    return root


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="the scratch line needs espeak-ng")
def test_the_mp4_lasts_as_long_as_the_timeline_and_its_streams_line_up(first):
    assert_streams_line_up(first)


@pytest.mark.parametrize("suffix", [".otio", ".xml"])
def test_an_edit_made_in_an_nle_is_what_the_next_render_shows(first, tmp_path, suffix):
    root = tmp_path / "film"
    shutil.copytree(first, root)
    first_cut = read_edit(root / "out" / "cut.otio")
    before = shots(first_cut)
    assert [s[0] for s in before] == ["sun", "dark", "dusk", "snow"]
    old_frames = decode(root / "out" / "cut.mp4")
    edited = nle_edit(read_edit(root / "out" / f"cut{suffix}", fps=24))
    path = tmp_path / f"edited{suffix}"
    otio.adapters.write_to_file(edited, str(path))
    wanted = shots(edited)

    result = CliRunner().invoke(app, ["import-edit", str(root), str(path)])
    assert result.exit_code == 0, result.output
    render(root)

    second_cut = read_edit(root / "out" / "cut.otio")
    after = shots(second_cut)
    assert [(n, s, length) for n, _, s, length in after] == [
        (n, s, length) for n, _, s, length in wanted
    ]
    assert [(n, length) for n, *_, length in after] == [
        ("dusk", before[2][3]),
        ("dark", before[1][3] - 8),
        ("sun", before[0][3]),
        ("snow", before[3][3]),
    ]
    assert takes(second_cut) == takes(first_cut)  # trimmed within its media: nothing regenerated
    new_frames = decode(root / "out" / "cut.mp4")
    assert len(new_frames) == sum(s[3] for s in wanted)
    old = {name: (rec, src) for name, rec, src, _ in before}
    # every frame is the one its shot showed at that source frame (the shots differ by 30+)
    for name, rec, src, length in after:
        for i in range(length):
            then = old_frames[old[name][0] + src + i - old[name][1]]
            diff = np.abs(new_frames[rec + i].astype(int) - then).mean()
            assert diff < 2, (name, i, diff)
    if shutil.which("espeak-ng"):
        assert_streams_line_up(root)
