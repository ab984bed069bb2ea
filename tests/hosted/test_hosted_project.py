"""A project whose clips come from Kling, rendered through the CLI against the local server."""

from __future__ import annotations

import json

import av
import pytest
from typer.testing import CliRunner

from storyreel.cli import app
from tests.folder.test_folder import midjourney_png
from tests.run.conftest import json_report

from . import vendors
from .film import kling_film, make_mp4, make_png
from .vendors import KEYS, Job


@pytest.fixture
def film(tmp_path, server, monkeypatch):
    root = kling_film(
        tmp_path, server, monkeypatch, '[characters.MAYA]\ndescription = "a woman in a grey coat"\n'
    )
    midjourney_png(root / "exports" / "sc01_sh010.png")
    midjourney_png(root / "exports" / "sc01_sh020.png", color=(90, 20, 20), how="plain")
    return root


def test_kling_clips_render_into_the_cut_and_are_not_paid_for_twice(film, server):
    job = Job(polls=0)  # done on the first poll: the build's default polling never waits
    vendors.kling(server, job, {"mp4": make_mp4(), "png": make_png()}, "clip")
    runner = CliRunner()
    result = runner.invoke(app, ["render", str(film), "--yes"])
    assert result.exit_code == 0, result.output
    assert job.created == 2  # one task per shot
    with av.open(str(film / "out" / "cut.mp4")) as c:
        assert sum(1 for _ in c.decode(video=0)) == 48 + 36
    takes = json.loads(runner.invoke(app, ["provenance", str(film)]).stdout)["takes"]
    clip = next(t for t in takes if t["shot_id"] == "sc01_sh020" and t["kind"] == "clip")
    assert clip["provenance"]["backend"] == "kling"
    assert KEYS["KLING_SECRET_KEY"] not in json.dumps(takes)
    (film / "out" / "cut.mp4").unlink()
    assert runner.invoke(app, ["render", str(film)]).exit_code == 0
    assert job.created == 2


def test_a_refused_shot_shows_a_slate_in_the_finished_cut_and_is_retried(film, server):
    (film / "storyreel.toml").write_text(
        (film / "storyreel.toml").read_text() + '[backends.shots.sc01_sh010]\nmotion = "camera"\n'
    )
    job = Job(polls=0, fail="Failure to pass the risk control system")
    vendors.kling(server, job, {"mp4": make_mp4(), "png": make_png()}, "clip")
    runner = CliRunner()
    result = runner.invoke(app, ["render", str(film), "--yes"])
    assert result.exit_code == 3, result.output
    assert (
        "sc01_sh020: kling job task-861 failed: Failure to pass the risk control system"
        in result.output
    )
    with av.open(str(film / "out" / "cut.mp4")) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(frames) == 48 + 36  # the refused shot keeps its full length
    for frame in frames[48:]:  # for all its length, a dark card with light lettering
        assert frame.mean() < 40 and (frame > 200).sum() > 200
    slate = frames[66]
    assert abs(frames[20].astype(int) - slate).mean() > 20  # the camera's shot was made
    takes = json.loads(runner.invoke(app, ["provenance", str(film)]).stdout)["takes"]
    assert {t["shot_id"] for t in takes if t["kind"] == "still"} == {"sc01_sh010", "sc01_sh020"}

    job.fail = None  # the vendor accepts the shot on the next render: nothing kept the slate
    result = runner.invoke(app, ["render", str(film), "--json", "--yes"])
    assert result.exit_code == 0, result.output
    assert json_report(result.stdout)["failed"] == {} and job.created == 2
    with av.open(str(film / "out" / "cut.mp4")) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(frames) == 48 + 36 and abs(frames[66].astype(int) - slate).mean() > 20
