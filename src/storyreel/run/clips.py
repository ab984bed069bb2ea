"""The clips stage: each shot's selected still, moved by its motion backend, as frames on demand.

A clip is keyed (its still's key, the motion fields of the shot, its length, the backend) and
recorded when first planned, but its frames are computed only while a segment that shows it is
encoded (`ClipSource`): the encoded segment is what the store keeps. A shot followed by a match
cut, whose motion backend `lands`, gets the next shot's selected still to arrive at.

A clip's frames are made from its `ClipRecipe`, which is picklable: a segment encoded on a
cluster's worker makes them there. A backend's refusal (a `StoryreelError` from `animate`) fails
that shot alone: its source becomes a `Slate` naming the shot and the refusal, its segments are
shown but not stored, and its clip's record is dropped, so the next build asks the backend again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from storyreel.config import ProjectConfig
from storyreel.edit.titles import slate
from storyreel.errors import StoryreelError
from storyreel.hosted.charges import charging
from storyreel.model import (
    FrameSource,
    Provenance,
    Scene,
    Shot,
    ShotList,
    Still,
    Take,
    TransitionKind,
)
from storyreel.motion.base import ClipRequest, MotionBackend
from storyreel.render.program import LazySource
from storyreel.run.pipeline import Pipeline
from storyreel.run.stage import Stage, Stored
from storyreel.run.stills import TakeRef, load_take
from storyreel.run.takes import clip_key, shot_text_hash, take_id


@dataclass(frozen=True)
class Landing:
    """Where a clip must arrive: the next shot's selected still, at the clip's frame `frame`."""

    still: TakeRef
    frame: int


@dataclass(frozen=True)
class ClipJob:
    """One shot's clip: its selected still, its length, its motion backend and key."""

    shot: Shot
    scene: Scene
    still: TakeRef
    n_frames: int
    backend: MotionBackend
    key: str
    landing: Landing | None = None

    @property
    def id(self) -> str:
        return take_id(self.shot.id, "clip", self.key)


@dataclass(frozen=True)
class Slate:
    """A failed shot's clip (a `FrameSource`): the same card on every frame (read-only)."""

    threadsafe: ClassVar[bool] = True
    card: np.ndarray
    fps: Fraction
    n_frames: int

    def __post_init__(self) -> None:
        self.card.flags.writeable = False

    @property
    def size(self) -> tuple[int, int]:
        return self.card.shape[1], self.card.shape[0]

    def frame(self, index: int) -> np.ndarray:
        return self.card


@dataclass(frozen=True)
class ClipRecipe:
    """How a clip's frames are made, whole and picklable (its stills read and verified on the
    driver): what a cluster's worker needs to make them without the store or the database.
    `failed` is the message of a refusal of its shot already made, for its slate."""

    job: ClipJob
    config: ProjectConfig
    root: Path
    still: Still | None = None
    end: Still | None = None
    failed: str | None = None

    def make(self, backend: MotionBackend | None = None) -> FrameSource:
        """The clip's frames, by `backend` (an actor's copy of the job's, which keeps its model
        loaded) or the job's own (a backend's refusal raises its `StoryreelError`)."""
        job, fps, size = self.job, self.config.film.fps, self.config.picture_size
        return (backend or job.backend).animate(
            ClipRequest(
                shot=job.shot,
                scene=job.scene,
                still=self.still,
                config=self.config,
                seed=job.still.seed,
                fps=fps,
                n_frames=job.n_frames,
                size=size,
                project_root=self.root,
                take=job.still.index,
                end_still=self.end,
                end_frame=job.landing.frame if job.landing else None,
            )
        )

    def slate(self, message: str) -> Slate:
        """The card a failed clip shows on every frame."""
        size = self.config.picture_size
        card = slate(f"{self.job.shot.id} not made", f"{message} (render again to retry)", size)
        return Slate(card, self.config.film.fps, self.job.n_frames)

    def refusal(self, error: StoryreelError) -> str:
        """A refusal's message as the build reports it (naming the backend)."""
        said, name = str(error), self.job.backend.name  # a hosted message names its vendor
        return said if said.startswith(name) else f"{name}: {said}"


class ClipSource(LazySource):
    """A clip's frames, made on first use; `key` is what the segments showing it hash, `failed`
    says its backend refused it (its segments are shown, not stored). On a cluster a segment's
    task carries the clip's `recipe()` instead, and the driver is told what came of it
    (`made`, `refused`)."""

    def __init__(self, p: Pipeline, job: ClipJob, take: Take):
        super().__init__(self._make, p.config.film.fps, job.n_frames, p.config.picture_size)
        self.key: str = job.key
        self.failed: bool = False
        self.job, self._p, self._take = job, p, take

    def recipe(self) -> ClipRecipe:
        p, job = self._p, self.job
        if p.failed(job.shot.id):
            return ClipRecipe(job, p.config, p.root, failed=p.report.failed[job.shot.id])
        still = load_take(p, job.still)
        end = load_take(p, job.landing.still) if job.landing else None
        return ClipRecipe(job, p.config, p.root, still, end)

    def made(self, params: dict[str, Any], meta: dict[str, Any]) -> None:
        """Its frames were made: the take's provenance gets what the backend says of them."""
        _record_motion(self._p, self._take, params, meta)

    def refused(self, message: str) -> None:
        """Its backend refused it (or its shot failed before): its segments show a slate."""
        self._p.refuse(
            "clips", self.job.id, self.job.shot, self.job.backend, StoryreelError(message)
        )
        self.failed = True  # its segments are shown, not stored
        self._p.runner.forget(self.job.key)  # so the next build counts the clip as new

    def _make(self) -> FrameSource:
        recipe = self.recipe()
        if recipe.failed is None:
            try:
                with charging(self._p.prices, self.job.shot.id, self.job.key):
                    clip = recipe.make()
            except StoryreelError as e:
                self.refused(recipe.refusal(e))
            else:
                self.made(self.job.backend.params(clip), getattr(clip, "meta", None) or {})
                return clip
        else:
            self.refused(recipe.failed)
        return recipe.slate(self._p.report.failed[self.job.shot.id])


class ClipsStage(Stage[ClipJob, None]):
    """Records each clip's key; its frames are made by `ClipSource` while segments encode."""

    name, kind = "clips", "clip"

    def key(self, item: ClipJob) -> str:
        return item.key

    def label(self, item: ClipJob) -> str:
        return f"clip of shot {item.shot.id}"

    def shot(self, item: ClipJob) -> str:
        return item.shot.id

    def item_id(self, item: ClipJob, key: str) -> str:
        return item.id

    def compute(self, item: ClipJob) -> None:
        return None

    def save(self, item: ClipJob, value: None) -> Stored:
        return Stored({}, {"still": item.still.key})


def plan_clips(
    p: Pipeline,
    shotlist: ShotList,
    selected: dict[str, TakeRef],
    lengths: dict[str, int],
    outs: dict[str, int],
) -> list[ClipJob]:
    """The clip of every shot the cut shows (those in `lengths`)."""
    size, jobs = p.config.picture_size, []
    for i, shot in enumerate(shotlist.shots):
        if shot.id not in lengths:
            continue
        still, backend = selected[shot.id], p.backend("motion", shot)
        landing = _landing(p, shotlist, i, backend, selected, outs)
        end = (landing.still.key, landing.frame) if landing else None
        key = clip_key(
            still.key,
            shot,
            p.config,
            backend,
            still.index,
            still.seed,
            lengths[shot.id],
            size,
            p.root,
            end,
        )
        jobs.append(
            ClipJob(
                shot, shotlist.scene(shot.scene_id), still, lengths[shot.id], backend, key, landing
            )
        )
    return jobs


def make_clips(
    p: Pipeline, jobs: list[ClipJob], tried: bool = False
) -> tuple[dict[str, ClipSource], dict[str, Take]]:
    """Each job's frame source and clip take (shot id → ...). A shot's clips of its other texts
    are stale after (but the one it uses), unless these are `tried` (`storyreel clip`)."""
    sources: dict[str, ClipSource] = {}
    takes: dict[str, Take] = {}
    with p.runner.stage("clips", len(jobs)) as tick:
        for job, _ in p.runner.ensure(ClipsStage(), jobs, tick):
            takes[job.shot.id] = _take(p, job)
            sources[job.shot.id] = ClipSource(p, job, takes[job.shot.id])
    if not tried:
        p.db.mark_text("clip", {job.shot.id: (shot_text_hash(job.shot), job.key) for job in jobs})
    return sources, takes


def _landing(
    p: Pipeline,
    shotlist: ShotList,
    i: int,
    backend: MotionBackend,
    selected: dict[str, TakeRef],
    outs: dict[str, int],
) -> Landing | None:
    """Where shot i's clip must arrive, when a match cut follows and its backend can land."""
    shot = shotlist.shots[i]
    if i + 1 >= len(shotlist.shots) or not backend.lands or shot.id not in outs:
        return None
    after = shotlist.shots[i + 1]
    if after.transition_in.kind != TransitionKind.MATCH_CUT or p.failed(after.id):
        return None
    return Landing(selected[after.id], outs[shot.id]) if after.id in selected else None


def _take(p: Pipeline, job: ClipJob) -> Take:
    """The clip's take, recorded with its provenance the first time it is planned."""
    row = p.db.take(job.id)
    if row is None:
        still_row = p.db.take(job.still.id)
        params: dict[str, Any] = {"n_frames": job.n_frames, "fps": str(p.config.film.fps)}
        if job.landing:
            params.update(end_shot=job.landing.still.shot.id, end_frame=job.landing.frame)
        prov = Provenance(
            backend=job.backend.name,
            version=str(job.backend.version),
            seed=job.still.seed,
            params=params,
            inputs=[job.still.key, *([job.landing.still.key] if job.landing else [])],
        )
        if still_row is not None and still_row["provenance"]:
            sp = Provenance.model_validate_json(still_row["provenance"])
            prov.prompt, prov.negative_prompt = sp.prompt, sp.negative_prompt
        # no file of its own: a clip's frames are made while its segments encode
        p.db.take_put(
            job.id,
            job.shot.id,
            "clip",
            job.still.index,
            job.still.seed,
            shot_text_hash(job.shot),
            prov.model_dump_json(),
            job.key,
        )
        row = p.db.take(job.id)
    return Take(
        id=job.id,
        shot_id=job.shot.id,
        kind="clip",
        seed=row["seed"],
        provenance=Provenance.model_validate_json(row["provenance"]),
        path=row["path"],
    )


def _record_motion(p: Pipeline, take: Take, said: dict[str, Any], meta: dict[str, Any]) -> None:
    """A clip take's provenance, once its frames exist: the motion backend's own prompt, remote
    job and parameters (its source's `meta`, and what the backend `said` of it: `params(clip)`)."""
    params = {**take.provenance.params, **meta.get("params", {})}
    params.update(said)
    update: dict[str, Any] = {"params": json.loads(json.dumps(params, default=str))}
    update.update({k: meta[k] for k in ("prompt", "negative_prompt", "remote_id") if meta.get(k)})
    take.provenance = take.provenance.model_copy(update=update)
    p.db.take_provenance(take.id, take.provenance.model_dump_json())
