"""On a Ray cluster with a GPU, a GPU backend is served by one actor that loads its model once
and makes every shot's still."""

from __future__ import annotations

import os
import sys
from dataclasses import replace

import pytest
import ray

from storyreel.backends import load_backend
from storyreel.run.build import build
from storyreel.stills.base import StillsBackend
from storyreel.store.db import Database
from storyreel.store.project import Project
from tests.run.conftest import decode, make_project, register


class Loading(StillsBackend):
    """Previz stills behind a "model" loaded on first use, each still saying which process made
    it and how many times that process's backend loaded its model."""

    name, version, gpu = "loading", "1", True

    def __init__(self):
        self.model, self.loads = None, 0

    def generate(self, request):
        if self.model is None:
            self.model, self.loads = load_backend("stills", "previz"), self.loads + 1
        still = self.model.generate(request)
        return replace(still, meta={**still.meta, "pid": os.getpid(), "loads": self.loads})


@pytest.fixture(scope="module")
def gpu_cluster():
    """A local Ray of two cores that declares one GPU (none is used), shut down after."""
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    ray.init(
        num_cpus=2,
        num_gpus=1,
        object_store_memory=80 * 2**20,
        include_dashboard=False,
        log_to_driver=False,
        logging_level="warning",
    )
    yield
    ray.shutdown()


def test_a_gpu_backend_loads_its_model_once_for_every_shot(gpu_cluster, tmp_path, monkeypatch):
    register(monkeypatch, "stills", Loading)
    root = make_project(tmp_path / "film")
    toml = root / "storyreel.toml"
    toml.write_text(toml.read_text().replace("[backends]", '[backends]\nstills = "loading"'))
    report = build(Project.open(root), draft=True, executor="ray")
    assert not report.failed and len(report.computed["stills"]) == 5
    with Database(root / ".storyreel" / "project.db") as db:
        stills = [k for k, o in db.outputs().items() if o["stage"] == "still"]
        made = [db.output_get(k)["meta"]["meta"] for k in stills]
    assert len(made) == 5
    assert {m["loads"] for m in made} == {1}  # one load served every shot
    assert len({m["pid"] for m in made}) == 1 and made[0]["pid"] != os.getpid()
    assert len(decode(report.output)) == report.frames
