"""`storyreel verify`: bit rot in the store is found, named and, with `--repair`, made again."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.store.db import Database
from storyreel.store.objects import CorruptObject, ObjectStore
from tests.run.conftest import decode, json_report, make_project

SCRIPT = """EXT. PIER - NIGHT

[[shot: WS, push-in, 1s, #sh1]]
Waves under the pier lights.

[[shot: CU, static, 1s, #sh2]]
A rope on a bollard.
"""


def _rot(path) -> None:
    """Flip bytes in the middle of a file, keeping its size and its modification time."""
    st = path.stat()
    with path.open("r+b") as f:
        f.seek(st.st_size // 2)
        chunk = f.read(64)
        f.seek(st.st_size // 2)
        f.write(bytes(b ^ 0x5A for b in chunk))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)


def _segments(root) -> list[str]:
    with Database(root / ".storyreel" / "project.db") as db:
        return [o["blobs"]["mp4"][0] for o in db.outputs().values() if o["stage"] == "segment"]


@pytest.fixture
def rendered(tmp_path):
    root = make_project(tmp_path / "film", script=SCRIPT)
    result = CliRunner().invoke(app, ["render", str(root), "--quiet"])
    assert result.exit_code == 0, result.output
    return root


def test_bit_rot_in_stored_segments_is_found_and_repaired(rendered):
    runner = CliRunner()
    before = decode(rendered / "out" / "cut.mp4")
    result = runner.invoke(app, ["verify", str(rendered)])
    assert result.exit_code == 0, result.output
    assert "intact" in result.stdout

    segments = _segments(rendered)
    store = ObjectStore(rendered / ".storyreel" / "objects")
    for dig in segments:
        _rot(store.path(dig))
    result = runner.invoke(app, ["verify", str(rendered), "--json"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    report = json.loads(result.stdout)
    assert {d["digest"] for d in report["damaged"]} == set(segments)
    assert all(
        d["problem"] == "corrupt" and d["what"].startswith("segment at frame")
        for d in report["damaged"]
    )
    result = runner.invoke(app, ["verify", str(rendered)])
    assert result.exit_code == 1 and f"{segments[0][:12]} segment at frame" in result.stdout
    assert all(store.has(d) for d in segments)  # a check alone removes nothing

    result = runner.invoke(app, ["verify", str(rendered), "--repair"])
    assert result.exit_code == 0, result.output
    assert f"removed {len(segments)} damaged objects" in result.stdout
    assert not any(store.has(d) for d in segments)
    assert runner.invoke(app, ["verify", str(rendered)]).exit_code == 0

    result = runner.invoke(app, ["render", str(rendered), "--json"])
    assert result.exit_code == 0, result.output
    report = json_report(result.stdout)
    assert len(report["computed"]["segments"]) == len(segments) and report["computed"]["cut"]
    after = decode(rendered / "out" / "cut.mp4")  # every frame decodes, as it was made
    assert len(after) == len(before) == 48
    assert max(np.abs(a.astype(int) - b).mean() for a, b in zip(after, before, strict=True)) < 1


def test_a_missing_object_and_a_take_without_its_image_are_reported(rendered):
    store = ObjectStore(rendered / ".storyreel" / "objects")
    with Database(rendered / ".storyreel" / "project.db") as db:
        still = db.output_get(db.takes("sh1", "still")[0]["object_key"])["blobs"]["png"][0]
        take = db.takes("sh2", "still")[0]
        db.output_delete(take["object_key"])
    lost = store.path(still).parent.name + store.path(still).name
    store.remove(still)
    orphan = take["path"].split("/")
    store.remove(orphan[-2] + orphan[-1])
    result = CliRunner().invoke(app, ["verify", str(rendered), "--json"])
    assert result.exit_code == 1
    damaged = {d["digest"]: d for d in json.loads(result.stdout)["damaged"]}
    assert (damaged[lost]["problem"], damaged[lost]["what"]) == (
        "missing",
        "still of shot sh1, take 1",
    )
    assert damaged[orphan[-2] + orphan[-1]]["what"] == f"still take {take['id']} of shot sh2"


def test_an_object_read_through_the_store_is_checked_as_it_is_read(tmp_path):
    store = ObjectStore(tmp_path)
    dig = store.put_bytes(b"frame " * 100_000)
    with store.reader(dig) as f:  # read out of order: every byte is still hashed once
        f.seek(6000)
        assert f.read(6) == b"frame "
        f.seek(0)
        assert f.read(12) == b"frame frame "
    _rot(store.path(dig))
    with pytest.raises(CorruptObject), store.reader(dig) as f:
        f.read(10)
    assert not store.has(dig)  # removed, so its stage runs again


def test_a_segment_demuxed_through_a_reader_is_checked_when_it_is_closed(tmp_path):
    import av

    from tests.hosted.film import make_mp4

    store = ObjectStore(tmp_path)
    dig = store.put_bytes(make_mp4())
    with store.reader(dig) as f, av.open(f) as container:
        assert sum(1 for _ in container.decode(video=0)) == 30
    _rot(store.path(dig))
    with pytest.raises(CorruptObject), store.reader(dig) as f, av.open(f) as container:
        for _ in container.demux(video=0):  # the packets a remux copies
            pass
    assert not store.has(dig)


def test_a_rotted_cut_is_found_and_written_again(rendered):
    runner = CliRunner()
    cut = rendered / "out" / "cut.mp4"
    before = decode(cut)
    _rot(cut)
    result = runner.invoke(app, ["verify", str(rendered)])
    assert result.exit_code == 1 and f"the cut {cut} (corrupt)" in result.stdout
    assert runner.invoke(app, ["verify", str(rendered), "--repair"]).exit_code == 0
    report = json_report(runner.invoke(app, ["render", str(rendered), "--json"]).stdout)
    assert report["computed"]["cut"] and report["computed"]["segments"] == []  # remuxed only
    after = decode(cut)
    assert len(after) == len(before)
    assert max(np.abs(a.astype(int) - b).mean() for a, b in zip(after, before, strict=True)) < 1
    assert runner.invoke(app, ["verify", str(rendered)]).exit_code == 0
