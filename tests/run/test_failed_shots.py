"""A backend that refuses one shot fails that shot alone: the cut is finished with a slate."""

from __future__ import annotations

from typing import Any

import opentimelineio as otio

import storyreel.run.pipeline as run_build
from storyreel.errors import StoryreelError
from storyreel.run.build import build
from storyreel.stills.base import StillsBackend
from storyreel.store.project import Project
from tests.run.conftest import decode, register


class Refusing(StillsBackend):
    """A stills backend whose vendor turns requests down until `delegate` is set."""

    name, version = "refusing", "1"
    delegate: Any = None
    calls = 0

    def generate(self, request):
        self.calls += 1
        if self.delegate is None:
            raise StoryreelError("monthly quota exceeded")
        return self.delegate.generate(request)


def lettered(frame) -> bool:
    """Whether a frame carries a slate's light lettering (a previz picture has far fewer light
    pixels than a card's heading and message)."""
    return (frame > 200).sum() > 400


def test_a_refused_shot_is_a_slate_in_the_cut_and_is_asked_again_next_time(project, monkeypatch):
    toml = project / "storyreel.toml"
    toml.write_text(toml.read_text() + '[backends.shots.sh2]\nstills = "refusing"\n')
    register(monkeypatch, "stills", Refusing)
    fake, real = Refusing(), run_build.load_backend
    monkeypatch.setattr(
        run_build,
        "load_backend",
        lambda stage, spec: fake if spec == "refusing" else real(stage, spec),
    )

    report = build(Project.open(project))
    assert report.failed == {"sh2": "refusing: monthly quota exceeded"}
    assert report.to_json()["failed"] == report.failed
    timeline = otio.adapters.read_from_file(str(project / "out" / "cut.otio"))
    shots = {
        c.name: c.range_in_parent()
        for c in timeline.video_tracks()[0].find_clips()
        if c.name != "BLACK"
    }
    assert {t.split(".")[0] for t in report.computed["stills"]} == set(shots) - {"sh2"}
    start, length = shots["sh2"].start_time.to_frames(), shots["sh2"].duration.to_frames()
    frames = decode(report.output)
    assert len(frames) == timeline.duration().to_frames()
    slate = frames[start : start + length]
    assert all(f.mean() < 40 and lettered(f) for f in slate)  # a dark card, all its length
    assert not any(lettered(f) for f in frames[start - 12 : start])  # sh1 is its picture

    fake.delegate = real("stills", "previz")  # the vendor says yes on the next render
    again = build(Project.open(project))
    assert fake.calls == 2 and again.failed == {}
    frames = decode(again.output)
    assert not any(lettered(f) for f in frames[start : start + length])  # no slate was kept
