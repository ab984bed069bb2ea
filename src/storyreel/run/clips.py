"""The clips stage: each shot's selected still, moved by its motion backend, as frames on demand.

A clip is keyed (its still's key, the motion fields of the shot, its length, the backend) and
recorded when first planned, but its frames are computed only while a segment that shows it is
encoded (`ClipSource`): the encoded segment is what the store keeps. A shot followed by a match
cut, whose motion backend `lands`, gets the next shot's selected still to arrive at.

A backend's refusal (a `StoryreelError` from `animate`) fails that shot alone: its source becomes a
`Slate` naming the shot and the refusal, its segments are shown but not stored, and its clip's
record is dropped, so the next build asks the backend again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from storyreel.edit.titles import slate
from storyreel.errors import StoryreelError
from storyreel.model import FrameSource, Provenance, Scene, Shot, ShotList, Take, TransitionKind
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
    """A failed shot's clip (a `FrameSource`): the same card on every frame."""

    card: np.ndarray
    fps: Fraction
    n_frames: int

    @property
    def size(self) -> tuple[int, int]:
        return self.card.shape[1], self.card.shape[0]

    def frame(self, index: int) -> np.ndarray:
        return self.card


class ClipSource(LazySource):
    """A clip's frames, made on first use; `key` is what the segments showing it hash, `failed`
    says its backend refused it (its segments are shown, not stored)."""

    def __init__(self, job: ClipJob, make: Any, fps: Fraction, size: tuple[int, int]):
        super().__init__(make, fps, job.n_frames, size)
        self.key: str = job.key
        self.failed: bool = False


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


def make_clips(p: Pipeline, jobs: list[ClipJob]) -> tuple[dict[str, ClipSource], dict[str, Take]]:
    """Each job's frame source and clip take (shot id → ...)."""
    sources: dict[str, ClipSource] = {}
    takes: dict[str, Take] = {}
    with p.runner.stage("clips", len(jobs)) as tick:
        for job, _ in p.runner.ensure(ClipsStage(), jobs, tick):
            takes[job.shot.id] = _take(p, job)
            sources[job.shot.id] = _source(p, job, takes[job.shot.id])
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


def _source(p: Pipeline, job: ClipJob, take: Take) -> ClipSource:
    fps, size = p.config.film.fps, p.config.picture_size

    def make() -> FrameSource:
        if not p.failed(job.shot.id):
            still = load_take(p, job.still)
            end = load_take(p, job.landing.still) if job.landing else None
            try:
                clip = job.backend.animate(
                    ClipRequest(
                        shot=job.shot,
                        scene=job.scene,
                        still=still,
                        config=p.config,
                        seed=job.still.seed,
                        fps=fps,
                        n_frames=job.n_frames,
                        size=size,
                        project_root=p.root,
                        take=job.still.index,
                        end_still=end,
                        end_frame=job.landing.frame if job.landing else None,
                    )
                )
            except StoryreelError as e:
                p.refuse("clips", job.id, job.shot, job.backend, e)
            else:
                _record_motion(p, take, job.backend, clip)
                return clip
        source.failed = True  # its segments are shown, not stored
        p.runner.forget(job.key)  # so the next build counts the clip as new
        card = slate(
            f"{job.shot.id} not made",
            f"{p.report.failed[job.shot.id]} (render again to retry)",
            size,
        )
        return Slate(card, fps, job.n_frames)

    source = ClipSource(job, make, fps, size)
    return source


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


def _record_motion(p: Pipeline, take: Take, backend: MotionBackend, source: FrameSource) -> None:
    """A clip take's provenance, once its frames exist: the motion backend's own prompt, remote
    job and parameters (its source's `meta`, or the backend's `params(clip)`)."""
    meta = getattr(source, "meta", None) or {}
    params = {**take.provenance.params, **meta.get("params", {})}
    params.update(backend.params(source))
    update: dict[str, Any] = {"params": json.loads(json.dumps(params, default=str))}
    update.update({k: meta[k] for k in ("prompt", "negative_prompt", "remote_id") if meta.get(k)})
    take.provenance = take.provenance.model_copy(update=update)
    p.db.take_provenance(take.id, take.provenance.model_dump_json())
