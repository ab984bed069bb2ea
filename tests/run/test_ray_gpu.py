"""On a Ray cluster with a GPU, a GPU backend is served by one actor that loads its model once
and makes every shot's still."""

from __future__ import annotations

import os
import sys
from collections import Counter
from dataclasses import replace

import pytest
import ray

from storyreel.backends import load_backend
from storyreel.model import Provenance
from storyreel.motion.base import MotionBackend
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


class Other(Loading):
    """A second model that wants a GPU, for one shot: both share the cluster's one GPU."""

    name = "other"


class Moving(MotionBackend):
    """Camera moves behind a "model" loaded on first use; each clip's provenance says which
    process made it, how many times that process's backend loaded its model, and how many times
    it made that shot's clip."""

    name, version, gpu = "moving", "1", True

    def __init__(self):
        self.model, self.loads, self.made = None, 0, Counter()

    def animate(self, request):
        if self.model is None:
            self.model, self.loads = load_backend("motion", "camera"), self.loads + 1
        clip = self.model.animate(request)
        self.made[request.shot.id] += 1
        made = self.made[request.shot.id]
        clip.meta = {"params": {"pid": os.getpid(), "loads": self.loads, "made": made}}
        return clip


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


def test_gpu_backends_load_their_models_once_for_every_shot(gpu_cluster, tmp_path, monkeypatch):
    register(monkeypatch, "stills", Loading)
    register(monkeypatch, "stills", Other)
    register(monkeypatch, "motion", Moving)
    root = make_project(tmp_path / "film")
    toml = root / "storyreel.toml"
    models = '[backends]\nstills = "loading"\nmotion = "moving"'
    toml.write_text(toml.read_text().replace("[backends]", models))
    toml.write_text(toml.read_text() + '[backends.shots.sh2]\nstills = "other"\n')
    report = build(Project.open(root), draft=True, executor="ray")
    assert not report.failed and len(report.computed["stills"]) == 5
    with Database(root / ".storyreel" / "project.db") as db:
        stills = [k for k, o in db.outputs().items() if o["stage"] == "still"]
        made = [db.output_get(k)["meta"]["meta"] for k in stills]
    assert len(made) == 5
    assert {m["loads"] for m in made} == {1}  # one load a model served every shot
    assert len({m["pid"] for m in made}) == 1 and made[0]["pid"] != os.getpid()
    # the stills' actor gave its GPU back after the stills: the clips' actor got it
    with Database(root / ".storyreel" / "project.db") as db:
        clips = [Provenance.model_validate_json(t["provenance"]) for t in db.takes(kind="clip")]
    assert len(clips) == 5
    assert {c.params["loads"] for c in clips} == {1}
    # sh2 and sh3 dissolve: each is shown by two segments, and made once
    assert {c.params["made"] for c in clips} == {1}
    assert len({c.params["pid"] for c in clips}) == 1 and clips[0].params["pid"] != os.getpid()
    assert len(decode(report.output)) == report.frames
