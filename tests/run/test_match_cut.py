"""Across a match cut, a clip whose backend takes a last frame arrives at the next shot's still."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import opentimelineio as otio

import storyreel.run.pipeline as run_build
from storyreel.backends import Landing
from storyreel.motion.base import MotionBackend
from storyreel.motion.diffusers import write_lossless
from storyreel.motion.folder import conform_video
from storyreel.run.build import build
from storyreel.stills.folder import fit_cover
from storyreel.store.project import Project
from tests.run.conftest import decode, make_project, register

SCRIPT = """Title: Match

EXT. PIER - NIGHT

[[shot: WS, static, 1s, #sh1]]
Waves under the pier lights.

[[cut: match]]
[[shot: MS MAYA, static, 1s, #sh2]]
MAYA stands at the rail.

[[shot: CU MAYA, static, 1s, #sh3]]
She looks at the water.
"""


class Morph(MotionBackend):
    """A motion backend with a last-frame input: a cross-fade from the still to the end still."""

    name, version, landing = "morph", "1", Landing.ALWAYS

    def __init__(self, folder: Path):
        self.folder, self.requests = folder, []

    def animate(self, request):
        self.requests.append(request)
        a = fit_cover(request.still.image, request.size).astype(np.float32)
        b = a if request.end_still is None else fit_cover(request.end_still.image, request.size)
        last = request.landing or request.n_frames - 1
        frames = np.stack([a * (1 - t) + b * t for t in np.linspace(0.0, 1.0, last + 1)])
        path = self.folder / f"{request.shot.id}-{len(self.requests)}.mkv"
        write_lossless(path, (frames + 0.5).astype(np.uint8), request.fps)
        return conform_video(
            path, request.n_frames, request.fps, request.size, land=request.landing
        )


def render(root: Path, morph: Morph, monkeypatch):
    register(monkeypatch, "motion", Morph)
    real = run_build.load_backend
    monkeypatch.setattr(
        run_build,
        "load_backend",
        lambda stage, spec: morph if spec == "morph" else real(stage, spec),
    )
    return build(Project.open(root))


def shot_ranges(root: Path) -> dict[str, tuple[int, int]]:
    """Shot id → (record frame of its first frame in the cut, media frame of its last)."""
    timeline = otio.adapters.read_from_file(str(root / "out" / "cut.otio"))
    return {
        c.name: (
            c.range_in_parent().start_time.to_frames(),
            c.source_range.end_time_exclusive().to_frames() - 1,
        )
        for c in timeline.video_tracks()[0].find_clips()
        if c.name != "BLACK"
    }


def test_the_outgoing_clip_lands_on_the_next_shots_still_at_its_out_point(tmp_path, monkeypatch):
    root = make_project(tmp_path / "film", script=SCRIPT)
    toml = root / "storyreel.toml"
    toml.write_text(
        toml.read_text() + '[backends.shots.sh1]\nmotion = "morph"\n'
        '[backends.shots.sh2]\nmotion = "morph"\n'
    )
    morph = Morph(tmp_path)
    report = render(root, morph, monkeypatch)

    asked = {r.shot.id: r for r in morph.requests}
    clips = shot_ranges(root)
    out = clips["sh1"][1]
    assert asked["sh1"].end_frame == out and asked["sh1"].landing == out
    assert np.array_equal(asked["sh1"].end_still.image, asked["sh2"].still.image)
    assert asked["sh2"].end_still is None  # sh3 follows with a plain cut
    timeline = otio.adapters.read_from_file(str(root / "out" / "cut.otio"))
    sh1 = next(c for c in timeline.find_clips() if c.name == "sh1")
    params = dict(sh1.metadata["storyreel"]["provenance"]["params"])
    assert (params["end_shot"], params["end_frame"]) == ("sh2", out)

    frames = decode(report.output)
    cut = clips["sh2"][0]
    last_of_sh1, first_of_sh2 = frames[cut - 1].astype(int), frames[cut].astype(int)
    first_of_sh1 = frames[clips["sh1"][0]].astype(int)
    assert np.abs(last_of_sh1 - first_of_sh2).mean() < 3  # the same picture either side of the cut
    assert (
        np.abs(first_of_sh1 - first_of_sh2).mean() > 3 * np.abs(last_of_sh1 - first_of_sh2).mean()
    )

    again = render(root, morph, monkeypatch)
    assert again.computed["clips"] == [] and len(morph.requests) == 2

    script = root / "script.fountain"  # a new still for sh2: sh1 must arrive somewhere else
    script.write_text(
        SCRIPT.replace("MAYA stands at the rail.", "MAYA stands at the rail, soaked.")
    )
    changed = render(root, morph, monkeypatch)
    assert {t.split(".")[0] for t in changed.computed["clips"]} == {"sh1", "sh2"}


def test_a_backend_without_a_last_frame_is_not_keyed_on_the_next_still(tmp_path, monkeypatch):
    root = make_project(tmp_path / "film", script=SCRIPT)
    first = build(Project.open(root))
    assert len(first.computed["clips"]) == 3
    script = root / "script.fountain"
    script.write_text(
        SCRIPT.replace("MAYA stands at the rail.", "MAYA stands at the rail, soaked.")
    )
    changed = build(Project.open(root))
    assert {t.split(".")[0] for t in changed.computed["clips"]} == {"sh2"}
