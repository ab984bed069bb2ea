"""The pipeline: one project's runner, its backends and its events, shared by every stage.

A `Pipeline` is opened under the project lock by every command that makes something — `render`,
`stills`, `clip`, `storyboard`, `regen` — and each runs the same stages on it, stopping where it
needs to (`storyreel.run.build`). It holds what the stages share: the config (the draft's, for a
draft), one instance of each backend, the runner, and the refusals so far.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from storyreel.backends import Backend, load_backend
from storyreel.errors import StoryreelError
from storyreel.hosted.prices import price_book
from storyreel.model import Shot, ShotList, Still
from storyreel.run.events import EventBus, ShotsChanged, Subscriber, Warned
from storyreel.run.executors import Executor, open_executor
from storyreel.run.identity import breakdown_shots
from storyreel.run.report import BuildReport
from storyreel.run.stage import Runner
from storyreel.script.cast import dressed
from storyreel.store.db import Database
from storyreel.store.lock import project_lock
from storyreel.store.objects import ObjectStore
from storyreel.store.project import Project
from storyreel.store.recover import lost_work

OLD_STILLS = Path(".storyreel") / "stills"  # where `storyreel stills` kept takes before 0.2


class Pipeline:
    """The state one build shares between its stages."""

    def __init__(
        self,
        project: Project,
        db: Database,
        events: EventBus,
        draft: bool = False,
        executor: Executor | None = None,
    ):
        self.project, self.db, self.events, self.draft = project, db, events, draft
        # a draft shares the full-size stills, made from `project.config` (nothing is generated
        # or paid for twice), and makes its clips and frames at half size
        self.config = project.config.draft() if draft else project.config
        self.store = ObjectStore(project.objects_dir)
        self.runner = Runner(self.store, db, events, executor)
        self.report = BuildReport()
        events.subscribe(self.report)
        self.stills_config = project.config  # until the breakdown dresses its cast
        self.work_dir = project.state_dir / "audio"  # spoken lines, reused across builds
        self._backends: dict[tuple[str, str], Backend] = {}
        # a draft's few stills made this build, by take key, until their clips take them
        # (`run.stills.make_stills`): an edit's clip starts without reading its still back
        self.made_stills: dict[str, Still] = {}
        # the rates hosted jobs are charged at: the price table under the project's [prices]
        self.prices = price_book(
            project.config.prices, project.config.budget.currency, project.config_path
        )
        self._refusing = threading.Lock()

    @property
    def root(self) -> Path:
        return self.project.root

    def backend(self, stage: str, shot: Shot) -> Backend:
        """The shot's backend for `stage` ("stills" or "motion"): its own, or the project's."""
        b = self.config.backends
        spec = b.shots.get(shot.id, {}).get(stage) or getattr(b, stage)
        if (stage, spec) not in self._backends:
            self._backends[stage, spec] = load_backend(stage, spec)
        return self._backends[stage, spec]

    def warn(self, message: str) -> None:
        self.events.publish(Warned(message))

    def refuse(
        self, stage: str, item: str, shot: Shot, backend: Backend, error: StoryreelError
    ) -> None:
        """A backend's refusal of `shot`, which the cut shows as a slate: published once."""
        said = str(error)  # a hosted backend's message names its vendor already
        message = said if said.startswith(backend.name) else f"{backend.name}: {said}"
        with self._refusing:
            if shot.id in self.report.failed:
                return
            self.runner.failed(stage, item, shot.id, message)

    def failed(self, shot_id: str) -> bool:
        return shot_id in self.report.failed

    def breakdown(self) -> ShotList:
        """The script's shots under their identities, recorded in the database."""
        with self.runner.stage("breakdown"):
            shotlist, changes = breakdown_shots(self.db, self.project.script, self.config)
            # the stills' config: full size (a draft's too), its characters dressed as the
            # script introduces those storyreel.toml does not describe
            self.stills_config = dressed(self.project.config, shotlist)
        self.events.publish(ShotsChanged(**changes))
        if (self.root / OLD_STILLS).is_dir():
            self.warn(
                f"{OLD_STILLS} holds takes in the format of storyreel before 0.2, which is no "
                "longer read (its takes are made again in the project's store); "
                "`storyreel gc` deletes it"
            )
        return shotlist


@contextmanager
def open_pipeline(
    project: Project,
    *subscribers: Subscriber,
    draft: bool = False,
    lock_timeout: float = 600.0,
    on_wait: Any = None,
    executor: str | None = None,
) -> Iterator[Pipeline]:
    """A pipeline on `project`, holding its lock, its events going to `subscribers`, its work
    run by `executor` (by default the project's `[run] executor`)."""
    with project_lock(project.state_dir, timeout=lock_timeout, on_wait=on_wait):
        lost = lost_work(project.state_dir)
        if lost is not None:  # say so before anything is made or paid for again
            raise StoryreelError(lost)
        with (
            Database(project.db_path) as db,
            open_executor(executor or project.config.run.executor) as runs,
        ):
            pipeline = Pipeline(project, db, EventBus(*subscribers), draft, runs)
            if db.recovered:
                pipeline.warn(db.recovered)
            yield pipeline
