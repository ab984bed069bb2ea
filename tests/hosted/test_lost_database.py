"""A project whose database is lost after a director's choices and a paid hosted job."""

from __future__ import annotations

import gc
import json

import opentimelineio as otio
import pytest
from typer.testing import CliRunner

from storyreel.cli import app
from tests.folder.test_folder import midjourney_png
from tests.run.conftest import json_report

from . import vendors
from .film import kling_film, make_mp4, make_png
from .vendors import Job


@pytest.fixture
def film(tmp_path, server, monkeypatch):
    root = kling_film(tmp_path, server, monkeypatch, "takes = 2\n")
    for shot, colors in (
        ("sc01_sh010", ((30, 90, 160), (160, 140, 30))),
        ("sc01_sh020", ((90, 20, 20), (20, 120, 60))),
    ):
        for n, color in enumerate(colors, 1):
            midjourney_png(root / "exports" / f"{shot}_{n}.png", color=color, how="plain")
    return root


def _order(root) -> list[str]:
    timeline = otio.adapters.read_from_file(str(root / "out" / "cut.otio"))
    return [c.name for c in timeline.video_tracks()[0] if isinstance(c, otio.schema.Clip)]


def _selected(runner, root, shot) -> int:
    rows = json.loads(runner.invoke(app, ["takes", shot, "-p", str(root), "--json"]).stdout)
    return next(r["take"] for r in rows if r["selected"])


def _decisions(runner, film, server):
    """Render, select take 2 of the first shot, import an edit that swaps the shots, render."""
    job = Job(polls=0)
    vendors.kling(server, job, {"mp4": make_mp4(), "png": make_png()}, "clip")
    assert runner.invoke(app, ["render", str(film), "--yes"]).exit_code == 0
    assert runner.invoke(app, ["select", "sc01_sh010", "2", "-p", str(film)]).exit_code == 0
    assert runner.invoke(app, ["render", str(film), "--yes"]).exit_code == 0
    timeline = otio.adapters.read_from_file(str(film / "out" / "cut.otio"))
    track = timeline.video_tracks()[0]
    first = next(c for c in track if isinstance(c, otio.schema.Clip))
    track.remove(first)
    track.append(first)
    otio.adapters.write_to_file(timeline, str(film / "edited.otio"))
    result = runner.invoke(app, ["import-edit", str(film), str(film / "edited.otio")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["render", str(film)])
    assert result.exit_code == 0, result.output
    assert (
        _order(film) == ["sc01_sh020", "sc01_sh010"] and _selected(runner, film, "sc01_sh010") == 2
    )
    assert job.created == 3  # a clip for each shot, and one for the newly selected still
    return job


def test_a_deleted_database_loses_no_choice_and_pays_for_nothing_again(film, server):
    runner = CliRunner()
    job = _decisions(runner, film, server)
    requests = len(server.log)
    (film / ".storyreel" / "project.db").unlink()

    result = runner.invoke(app, ["render", str(film), "--json"])
    assert result.exit_code == 0, result.output
    report = json_report(result.stdout)
    assert report["computed"]["stills"] == [] and report["computed"]["segments"] == []
    assert len(server.log) == requests and job.created == 3  # the vendor heard nothing
    assert _order(film) == ["sc01_sh020", "sc01_sh010"]  # the imported edit
    assert _selected(runner, film, "sc01_sh010") == 2  # the selection


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_database_is_rebuilt_without_a_traceback(film, server, damage):
    runner = CliRunner()
    job = _decisions(runner, film, server)
    requests = len(server.log)
    gc.collect()  # the damage comes once storyreel has exited: every connection closed
    db = film / ".storyreel" / "project.db"
    assert not db.with_name("project.db-wal").exists()
    data = db.read_bytes()
    bad = data[: len(data) // 3] if damage == "truncated" else b"\0garbage\xff" * 4096
    db.write_bytes(bad)

    result = runner.invoke(app, ["takes", "sc01_sh010", "-p", str(film)])
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert "project.db was damaged" in result.stderr and "rebuilt from its journal" in result.stderr
    assert "1 selection, the imported edit, 3 hosted jobs" in result.stderr
    assert list((film / ".storyreel").glob("project.db.damaged-*"))
    gc.collect()
    db.write_bytes(bad)  # damaged again, and this time the render is the first to open it
    result = runner.invoke(app, ["render", str(film)])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert len(list((film / ".storyreel").glob("project.db.damaged-*"))) == 2
    assert len(server.log) == requests and job.created == 3
    assert (
        _order(film) == ["sc01_sh020", "sc01_sh010"] and _selected(runner, film, "sc01_sh010") == 2
    )
