"""The stills stage: every take of every shot as a keyframe `Still`, and which one the cut uses.

A shot has N takes (`[backends] takes`, raised by `regen` and `stills --takes`); take i is made
by the shot's stills backend with `take_seed(shot, i)`. The selection is the take chosen with
`select` (held, with a warning, after the shot's text changes, while its still is intact), else
take i of the selected number. A take the critic pre-selected is not held past a change of the
shot's text: the critic judged the old text, so the new text's first take stands until it
judges again. A refusal of the selected take fails the shot (the cut shows a
slate); of another take, it is a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from storyreel.errors import StoryreelError
from storyreel.hosted.charges import charging
from storyreel.model import Provenance, Scene, Shot, ShotList, Still
from storyreel.render import heap
from storyreel.run.pipeline import Pipeline
from storyreel.run.stage import Stage, Stored
from storyreel.run.takes import load_still, save_still, shot_text_hash, still_key, take_id
from storyreel.run.work import Needs, Task, needs_of, remote
from storyreel.stills.base import StillRequest, StillsBackend
from storyreel.stills.takes import take_seed

HANDED_ON = 2  # a draft's stills made this build, at most, handed to their clips as made


@dataclass(frozen=True)
class TakeRef:
    """One still take of a shot: which take, its seed and key, and the backend that makes it
    (None for a kept take of an earlier text of the shot, which cannot be made again)."""

    shot: Shot
    scene: Scene
    index: int
    seed: int
    key: str
    backend: StillsBackend | None

    @property
    def id(self) -> str:
        return take_id(self.shot.id, "still", self.key)


@dataclass(frozen=True)
class StillTask(Task):
    """A take's still made on a cluster's worker: its backend and its request."""

    backend: StillsBackend
    needs: Needs
    request: StillRequest

    def run(self, backend: StillsBackend | None) -> Still:
        return (backend or self.backend).generate(self.request)


class StillsStage(Stage[TakeRef, Still]):
    name, kind = "stills", "still"

    def __init__(self, pipeline: Pipeline, selected: set[str] = frozenset()):
        self.p, self.selected = pipeline, selected  # the keys of the takes the cut uses

    def key(self, item: TakeRef) -> str:
        return item.key

    def label(self, item: TakeRef) -> str:
        return f"still of shot {item.shot.id}, take {item.index + 1}"

    def shot(self, item: TakeRef) -> str:
        return item.shot.id

    def item_id(self, item: TakeRef, key: str) -> str:
        return item.id

    def refusal(self, item: TakeRef, error: StoryreelError) -> tuple[str, bool]:
        said = str(error)
        said = said if said.startswith(item.backend.name) else f"{item.backend.name}: {said}"
        if item.key in self.selected:
            return said, True
        return f"shot {item.shot.id}, take {item.index + 1}: {said}", False

    def compute(self, item: TakeRef) -> Still:
        if item.backend is None:
            raise StoryreelError(
                f"shot {item.shot.id}: the still of the selected take "
                f"{item.index + 1} was lost; `storyreel select {item.shot.id} N` "
                "chooses another",
                self.p.project.script,
            )
        with charging(self.p.prices, item.shot.id, item.key):
            still = item.backend.generate(self._request(item))
        heap.release()  # the painter's full-size layers, freed on this thread
        return still

    def task(self, item: TakeRef) -> StillTask | None:
        if not remote(item.backend):
            return None
        return StillTask(item.backend, needs_of(item.backend), self._request(item))

    def _request(self, item: TakeRef) -> StillRequest:
        config = self.p.stills_config
        return StillRequest(
            shot=item.shot,
            scene=item.scene,
            config=config,
            seed=item.seed,
            size=config.picture_size,
            project_root=self.p.root,
            take=item.index,
        )

    def save(self, item: TakeRef, value: Still) -> Stored:
        return save_still(self.p.store, value)

    def load(self, item: TakeRef, stored: Stored) -> Still:
        return load_still(self.p.store, stored)


def plan_takes(
    p: Pipeline, shotlist: ShotList, shots: list[Shot], takes: int | None = None
) -> tuple[list[TakeRef], dict[str, TakeRef]]:
    """Every take of `shots` and each shot's selected take. `takes` raises a shot's count."""
    size, config = p.stills_config.picture_size, p.stills_config
    refs, selected = [], {}
    for shot in shots:
        scene = shotlist.scene(shot.scene_id)
        sel, chosen = p.db.selection(shot.id), p.db.selected_take(shot.id)
        n = max(
            p.config.backends.takes, takes or 0, p.db.n_takes(shot.id), 1 if chosen else sel + 1
        )
        if n != p.db.n_takes(shot.id):
            p.db.set_n_takes(shot.id, n)
        backend = p.backend("stills", shot)
        mine = []
        for idx in range(n):
            seed = take_seed(shot, idx)
            key = still_key(shot, scene, config, backend, idx, seed, size, p.root)
            mine.append(TakeRef(shot, scene, idx, seed, key, backend))
        refs.extend(mine)
        pick = next((r for r in mine if r.id == chosen), None) if chosen else mine[min(sel, n - 1)]
        if pick is None and p.db.selected_by(shot.id) == "critic":
            pick = mine[0]  # the critic judged an earlier text: its pick holds no longer
        selected[shot.id] = pick or _kept(p, shot, scene, chosen) or mine[min(sel, n - 1)]
    return refs, selected


@dataclass(frozen=True)
class Stills:
    """What the stills stage made: every take, each shot's selected take, the refused takes."""

    takes: list[TakeRef]
    selected: dict[str, TakeRef]
    refused: frozenset[str]  # keys of takes their backend refused


def make_stills(
    p: Pipeline,
    shotlist: ShotList,
    shots: list[Shot] | None = None,
    takes: int | None = None,
    first: bool = False,
) -> Stills:
    """Make (or find) every take of `shots` (all by default); with `first`, only the takes the
    cut uses, the others left for `make_later` (a draft: the reel comes first, the takes to
    choose from after it)."""
    shots = shotlist.shots if shots is None else shots
    refs, selected = plan_takes(p, shotlist, shots, takes)
    chosen = {r.key for r in selected.values()}
    refused = _ensure(p, [r for r in refs if r.key in chosen] if first else refs, chosen)
    current: dict[str, list[str]] = {}
    for ref in refs:
        current.setdefault(ref.shot.id, []).append(ref.key)
    p.db.mark_current("still", current)
    return Stills(refs, selected, frozenset(refused))


def make_later(p: Pipeline, stills: Stills) -> None:
    """The takes `make_stills(first=True)` left for after the cut: those the cut does not use."""
    chosen = {r.key for r in stills.selected.values()}
    later = [r for r in stills.takes if r.key not in chosen]
    if later:
        _ensure(p, later, set())


def _ensure(p: Pipeline, refs: list[TakeRef], chosen: set[str]) -> set[str]:
    """Make (or find) `refs` and record them; the keys of those refused. A draft's few chosen
    takes made anew are kept for their clips (`HANDED_ON`)."""
    stage, refused = StillsStage(p, chosen), set()
    made: dict[str, Still] | None = {} if p.draft else None
    with p.runner.stage("stills", len(refs)) as tick:
        for ref, outcome in p.runner.ensure(stage, refs, tick):
            if outcome.error is None:
                _record(p, ref)
            else:
                refused.add(ref.key)
            if made is not None and outcome.computed and ref.key in chosen:
                made[ref.key] = outcome.value
                if len(made) > HANDED_ON:
                    made = None  # a build of many: read back, never all held at once
    p.made_stills.update(made or {})
    return refused


def load_take(p: Pipeline, ref: TakeRef) -> Still:
    """A take's still, verified; made again (and recorded) when its objects were lost. One a
    draft's stills stage made and kept (`HANDED_ON`) is handed on as made, once."""
    made = p.made_stills.pop(ref.key, None)
    if made is not None:
        return made
    still = p.runner.load(StillsStage(p, {ref.key}), ref)
    _record(p, ref)
    return still


def _record(p: Pipeline, ref: TakeRef) -> None:
    """The take's row in the database, with its provenance (once: `sync_shots` keeps its stale
    flag)."""
    if ref.backend is None or p.db.take(ref.id) is not None:
        return
    out = p.db.output_get(ref.key) or {"blobs": {}, "meta": {}}
    meta = out["meta"].get("meta", {})
    prov = Provenance(
        backend=ref.backend.name,
        version=str(ref.backend.version),
        seed=ref.seed,
        prompt=meta.get("prompt"),
        negative_prompt=meta.get("negative_prompt"),
        params=meta.get("params", {}),
        remote_id=meta.get("remote_id"),
    )
    png = out["blobs"].get("png")
    path = str(p.store.path(png[0]).relative_to(p.root)) if png else None
    p.db.take_put(
        ref.id,
        ref.shot.id,
        "still",
        ref.index,
        ref.seed,
        shot_text_hash(ref.shot),
        prov.model_dump_json(),
        ref.key,
        path,
    )


def _kept(p: Pipeline, shot: Shot, scene: Scene, chosen: str) -> TakeRef | None:
    """A chosen take the shot's text has moved on from: the cut keeps the director's choice while
    its still is intact, and says so; None when it is gone."""
    row = p.db.take(chosen)
    what = f"shot {shot.id}: the selected take {chosen}"
    if row is None or p.runner.lookup(row["object_key"], f"still of {chosen}") is None:
        p.warn(f"{what} is gone; the cut uses a take of the shot's text")
        return None
    p.warn(
        f"{what} (take {row['idx'] + 1}) was made from an earlier text of the shot; the cut "
        f"keeps it (`storyreel select {shot.id} N` chooses a take of the new text)"
    )
    return TakeRef(shot, scene, row["idx"], row["seed"], row["object_key"], None)
