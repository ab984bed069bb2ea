"""A render on a local Ray cluster: the same cut and store as on this machine, worker deaths
survived, and bad clusters refused in one line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import ray
from typer.testing import CliRunner

import storyreel.run.ray_executor as ray_executor
from storyreel.backends import load_backend
from storyreel.cli.app import app
from storyreel.errors import StoryreelError
from storyreel.hosted.common import HostedBackend
from storyreel.motion.base import MotionBackend
from storyreel.run.build import build
from storyreel.run.picture import SegmentsStage
from storyreel.run.stills import StillsStage
from storyreel.stills.base import StillsBackend
from storyreel.store.db import Database
from storyreel.store.project import Project
from tests.run.conftest import SCRIPT, decode, make_project, register


class Stalling(StillsBackend):
    """Previz stills; the first request for shot sh2 writes its worker's pid to `marks` and
    stalls, so that a test can kill that worker mid-task."""

    name, version = "stalling", "1"
    marks: Path

    def generate(self, request):
        mark = self.marks / "sh2.pid"
        if request.shot.id == "sh2" and not mark.exists():
            mark.write_text(str(os.getpid()))
            time.sleep(60)
        return load_backend("stills", "previz").generate(request)


class Gloomy(MotionBackend):
    """Camera moves, except for shot sh3, which it refuses (as a model's filter would)."""

    name, version = "gloomy", "1"

    def animate(self, request):
        if request.shot.id == "sh3":
            raise StoryreelError("the scene is too dark to animate")
        return load_backend("motion", "camera").animate(request)


class Vendor(HostedBackend, StillsBackend):
    """A hosted stills backend: each request is a job paid for, noted with the process that
    submitted it."""

    name, vendor, default_model = "vendor", "vendor", "v1"
    submitted: Path

    def generate(self, request):
        with self.submitted.open("a") as f:
            f.write(f"{request.shot.id} {os.getpid()}\n")
        return load_backend("stills", "previz").generate(request)


class Heavy(StillsBackend):
    """A stills backend that wants a GPU."""

    name, version, gpu = "heavy", "1", True

    def generate(self, request):
        raise AssertionError("a GPU backend ran on a cluster without GPUs")


@pytest.fixture(scope="module")
def cluster():
    """A local Ray of two cores and a small object store, shut down after the module."""
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the test backends
    ray.init(
        num_cpus=2,
        object_store_memory=80 * 2**20,
        include_dashboard=False,
        log_to_driver=False,
        logging_level="warning",
    )
    yield
    ray.shutdown()


def keys(root: Path) -> set[str]:
    """The project's stored outputs (but its exports', keyed by the folder they are written to)."""
    with Database(root / ".storyreel" / "project.db") as db:
        return {k for k, o in db.outputs().items() if o["stage"] != "exports"}


def same_frames(a: Path, b: Path) -> bool:
    fa, fb = decode(a), decode(b)
    return len(fa) == len(fb) > 0 and all(np.array_equal(x, y) for x, y in zip(fa, fb, strict=True))


@pytest.mark.parametrize(
    ("executor", "env", "said"),
    [
        ("ray://127.0.0.1:9", None, "ray://127.0.0.1:9"),
        ("ray", "127.0.0.1:9", "127.0.0.1:9"),  # RAY_ADDRESS names the cluster
    ],
)
def test_an_unreachable_cluster_is_said_in_seconds(tmp_path, monkeypatch, executor, env, said):
    if env:
        monkeypatch.setenv("RAY_ADDRESS", env)
    monkeypatch.setattr(ray, "is_initialized", lambda: False)  # whatever ran before in here
    root = make_project(tmp_path / "film")
    start = time.perf_counter()
    result = CliRunner().invoke(app, ["render", str(root), "--executor", executor])
    assert time.perf_counter() - start < 10
    assert result.exit_code == 2
    assert f"cannot reach the Ray cluster at {said} (" in result.output
    assert "Traceback" not in result.output
    assert not (root / "out" / "cut.mp4").exists()


def test_an_unknown_executor_is_named(tmp_path):
    root = make_project(tmp_path / "film")
    result = CliRunner().invoke(app, ["render", str(root), "--executor", "rai"])
    assert result.exit_code == 2
    assert "unknown executor 'rai' (did you mean ray?)" in result.output
    toml = root / "storyreel.toml"
    toml.write_text(toml.read_text() + '[run]\nexecutor = "threads"\n')
    result = CliRunner().invoke(app, ["render", str(root)])
    assert result.exit_code == 2
    assert "storyreel.toml:" in result.output and "unknown executor 'threads'" in result.output


def test_a_film_rendered_on_ray_is_the_local_render(cluster, tmp_path, monkeypatch):
    here, there = make_project(tmp_path / "here"), make_project(tmp_path / "there")
    local = build(Project.open(here), draft=True)

    def not_here(self, item):
        raise AssertionError("computed on the driver")

    with monkeypatch.context() as m:  # the workers are other processes: this binds the driver
        m.setattr(StillsStage, "compute", not_here)
        m.setattr(SegmentsStage, "compute", not_here)
        args = ["render", str(there), "--draft", "--executor", "ray", "--json"]
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    on_ray = events[-1]["report"]
    assert len(on_ray["computed"]["stills"]) == len(local.computed["stills"]) == 5
    assert len(on_ray["computed"]["segments"]) == len(local.computed["segments"])
    assert on_ray["frames"] == local.frames > 0
    made = [e for e in events if e["event"] == "computed" and e["stage"] == "stills"]
    assert sorted(e["item"] for e in made) == sorted(local.computed["stills"])
    [encoded] = [e for e in events if e["event"] == "stage_finished" and e["stage"] == "segments"]
    progress = [e for e in events if e["event"] == "stage_progress" and e["stage"] == "segments"]
    assert progress[-1]["done"] == progress[-1]["total"] == local.frames
    assert encoded["computed"] == len(local.computed["segments"])
    assert same_frames(local.output, Path(on_ray["output"]))
    assert keys(there) == keys(here)
    again = build(Project.open(there), draft=True)  # on this machine: all found
    assert not any(again.computed.values())


def test_a_worker_killed_mid_render_is_replaced(cluster, tmp_path, monkeypatch):
    register(monkeypatch, "stills", Stalling)
    interrupted, whole = tmp_path / "interrupted", tmp_path / "whole"
    for root in (interrupted, whole):
        make_project(root)
        toml = root / "storyreel.toml"
        toml.write_text(toml.read_text().replace("[backends]", '[backends]\nstills = "stalling"'))
        (root / "marks").mkdir()
    killed: list[int] = []

    def kill_the_stalled_worker() -> None:
        mark = interrupted / "marks" / "sh2.pid"
        deadline = time.monotonic() + 120
        while not mark.exists() or not mark.read_text():
            if time.monotonic() > deadline:
                return
            time.sleep(0.05)
        killed.append(int(mark.read_text()))
        os.kill(killed[0], signal.SIGKILL)

    Stalling.marks = interrupted / "marks"
    killer = threading.Thread(target=kill_the_stalled_worker)
    killer.start()
    start = time.perf_counter()
    report = build(Project.open(interrupted), draft=True, executor="ray")
    killer.join()
    assert killed and killed[0] != os.getpid()
    assert time.perf_counter() - start < 55  # the stalled task did not run to its end
    assert not report.failed
    Stalling.marks = whole / "marks"
    (whole / "marks" / "sh2.pid").write_text("")  # no stall: an uninterrupted render
    uninterrupted = build(Project.open(whole), draft=True)
    assert same_frames(report.output, uninterrupted.output)
    assert keys(interrupted) == keys(whole)


def with_backend(root: Path, stage: str, name: str) -> Path:
    toml = root / "storyreel.toml"
    toml.write_text(toml.read_text().replace("[backends]", f'[backends]\n{stage} = "{name}"'))
    return root


def test_a_clip_refused_on_a_worker_fails_its_shot_alone(cluster, tmp_path, monkeypatch):
    register(monkeypatch, "motion", Gloomy)
    here = with_backend(make_project(tmp_path / "here"), "motion", "gloomy")
    there = with_backend(make_project(tmp_path / "there"), "motion", "gloomy")
    local = build(Project.open(here), draft=True)
    on_ray = build(Project.open(there), draft=True, executor="ray")
    assert on_ray.failed == local.failed == {"sh3": "gloomy: the scene is too dark to animate"}
    assert same_frames(local.output, on_ray.output)  # the same slate where sh3 would be
    assert keys(there) == keys(here)  # the slate's segments are not stored, nor its clip
    again = build(Project.open(there), draft=True, executor="ray")
    assert again.failed == on_ray.failed  # asked again, refused again
    assert again.computed["clips"] == [t for t in on_ray.computed["clips"] if "sh3" in t]


def test_hosted_stills_are_submitted_by_the_driver_once(cluster, tmp_path, monkeypatch):
    register(monkeypatch, "stills", Vendor)
    root = with_backend(make_project(tmp_path / "film"), "stills", "vendor")
    Vendor.submitted = tmp_path / "submitted"
    report = build(Project.open(root), draft=True, executor="ray")
    assert not report.failed
    jobs = Vendor.submitted.read_text().split()
    assert sorted(jobs[::2]) == sorted(t.split(".")[0] for t in report.computed["stills"])
    assert set(jobs[1::2]) == {str(os.getpid())}  # on the driver, where the ledger is
    build(Project.open(root), draft=True, executor="ray")
    assert len(Vendor.submitted.read_text().split()) == len(jobs)  # none again


def segments(root: Path) -> set[str]:
    db = root / ".storyreel" / "project.db"
    if not db.exists():
        return set()
    with Database(db) as d:
        return {k for k, o in d.outputs().items() if o["stage"] == "segment"}


def test_a_driver_killed_mid_render_resumes(cluster, tmp_path):
    """The driver (another process, on this cluster) is killed once a segment is stored; the
    next render reuses what it saved and equals an uninterrupted one."""
    script = SCRIPT.replace(", 1s,", ", 2s,")
    killed = make_project(tmp_path / "killed", script=script)
    whole = make_project(tmp_path / "whole", script=script)
    env = {**os.environ, "RAY_ADDRESS": ray.get_runtime_context().gcs_address}
    args = [sys.executable, "-m", "storyreel", "render", str(killed), "--quiet"]
    proc = subprocess.Popen([*args, "--executor", "ray"], env=env)
    deadline = time.monotonic() + 120
    while not segments(killed) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the render finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = segments(killed)
    assert done and not (killed / "out" / "cut.mp4").exists()
    report = build(Project.open(killed), executor="ray")
    assert not {k[:12] for k in done} & set(report.computed["segments"])  # kept, not redone
    assert report.reused["segments"] >= len(done)
    build(Project.open(whole))
    assert same_frames(killed / "out" / "cut.mp4", whole / "out" / "cut.mp4")
    assert keys(killed) == keys(whole)


def test_a_gpu_backend_on_a_cluster_without_gpus_stops_the_build(cluster, tmp_path, monkeypatch):
    register(monkeypatch, "stills", Heavy)
    root = with_backend(make_project(tmp_path / "film"), "stills", "heavy")
    result = CliRunner().invoke(app, ["render", str(root), "--draft", "--executor", "ray"])
    assert result.exit_code == 2
    assert "heavy wants 1 GPU a task and the Ray cluster" in result.output
    assert "Traceback" not in result.output
    assert not (root / "out" / "draft.mp4").exists()


def test_workers_without_storyreel_are_refused(cluster, tmp_path, monkeypatch):
    monkeypatch.setattr(ray_executor, "PACKAGE", "storyreel_not_installed")
    root = make_project(tmp_path / "film")
    result = CliRunner().invoke(app, ["render", str(root), "--draft", "--executor", "ray"])
    assert result.exit_code == 2
    assert "cannot run storyreel's tasks: storyreel is not installed there" in result.output
    assert not (root / "out" / "draft.mp4").exists()
