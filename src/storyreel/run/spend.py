"""Money: what the next render would pay hosted backends, what renders have paid, and the gate
a paying render passes first.

`plan_spend` walks the render's own stages without running them: every take the stills stage
would make and every clip the clips stage would animate, with the same keys. What the store
holds is made; what is left runs through its backend as a dry run (`storyreel.hosted.charges`),
which stops at the submission and prices the job from what it would send — or says the ledger
holds it already (made, or running: resumed without paying). So the estimate is what the render
pays, not a guess beside it, and a one-shot edit estimates that shot alone.

A clip whose still is not made yet is priced from a blank still of the picture's size: its
key cannot be on the ledger (it hashes the still), and what it sends is billed the same. The
sound is walked the same way: every take of every line a hosted voice would speak, and every
take of the music cues, ambience beds and spot effects the cut's scenes and shots would get
(placed on the script's cut, whose scenes are as long as the render's).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from storyreel.backends import available, backend_class, split_spec
from storyreel.config import ProjectConfig
from storyreel.edit.timeline import build_timeline, media_lengths, out_points
from storyreel.errors import StoryreelError
from storyreel.hosted.charges import Quoted, charging
from storyreel.hosted.common import HostedBackend
from storyreel.hosted.prices import Charge, Money, price_book
from storyreel.hosted.speech import HostedVoice
from storyreel.model import Shot, ShotList, Still, frames_for
from storyreel.run.build import edit_inputs
from storyreel.run.clips import ClipJob, ClipRecipe, plan_clips
from storyreel.run.pipeline import Pipeline, open_pipeline
from storyreel.run.sound import CueStage, music_file, per_scene_music, plan_cues
from storyreel.run.stills import StillsStage, TakeRef, plan_takes
from storyreel.run.takes import load_still, take_id
from storyreel.run.voices import VoiceStage, plan_voices, planned_lengths
from storyreel.sound.voices.cast import voice_spec
from storyreel.store.db import Database
from storyreel.store.objects import CorruptObject
from storyreel.store.project import Project

BY = ("shot", "vendor", "model", "day")  # how `storyreel spend` groups the ledger


@dataclass(frozen=True)
class Line:
    """One job the next render would pay: its shot, stage item and backend, and its price
    (None with `unpriced` saying why, when it has none)."""

    shot: str
    kind: str  # "still" | "clip" | "voice" | "music" | "ambience" | "effect"
    item: str  # the take's or clip's id
    backend: str  # its spec: "kling:kling-v2-1?mode=pro"
    charge: Charge | None
    unpriced: str | None = None


@dataclass(frozen=True)
class Estimate:
    """What the next render would pay, against what renders have paid and the budget."""

    lines: list[Line]
    spent: Money
    limit: Money | None = None

    @property
    def total(self) -> Money:
        total = Money(Decimal(0), self.spent.currency)
        for line in self.lines:
            if line.charge is not None:
                total += line.charge.cost
        return total

    @property
    def unpriced(self) -> list[Line]:
        return [line for line in self.lines if line.charge is None]

    @property
    def left(self) -> Money | None:
        return None if self.limit is None else self.limit - self.spent

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.spent.currency,
            "total": str(self.total.amount),
            "spent": str(self.spent.amount),
            "limit": None if self.limit is None else str(self.limit.amount),
            "lines": [
                {
                    "shot": line.shot,
                    "kind": line.kind,
                    "item": line.item,
                    "backend": line.backend,
                    "units": line.charge.usage.describe() if line.charge else None,
                    "cost": str(line.charge.cost.amount) if line.charge else None,
                    "unpriced": line.unpriced,
                }
                for line in self.lines
            ],
        }


def estimate(
    project: Project,
    *,
    music: Path | None = None,
    draft: bool = False,
    budget: float | None = None,
    lock_timeout: float = 600.0,
    on_wait: Callable[[str], None] | None = None,
) -> Estimate:
    """What `render` (with these arguments) would submit and pay, shot by shot.

    Args:
        budget: the limit in the project's currency, over `[budget] limit`.
    """
    with open_pipeline(project, draft=draft, lock_timeout=lock_timeout, on_wait=on_wait) as p:
        return _estimate(p, p.breakdown(), music, budget)


def _estimate(
    p: Pipeline,
    shotlist: ShotList,
    music: Path | None,
    budget: float | None,
    **scope: Any,
) -> Estimate:
    if not may_pay(p.project.config):
        lines = []
    else:  # the music the render cuts to: `--music`, or the project's file
        lines = plan_spend(p, shotlist, music_file(p, music), **scope)
    spent = _spent(p.db.jobs(), p.prices.currency)
    limit = budget if budget is not None else p.project.config.budget.limit
    return Estimate(lines, spent, None if limit is None else Money(_decimal(limit), spent.currency))


def gate(
    *,
    music: Path | None = None,
    budget: float | None,
    yes: bool,
    ask: Callable[[str], bool] | None,
    tell: Callable[[Estimate], None],
    shot: str | None = None,
    takes: int | None = None,
    clips: bool = True,
    clip: tuple[int, dict[str, Any]] | None = None,
) -> Callable[[Pipeline, ShotList], None]:
    """A build's `approve`: its estimate, told (`tell`) when it would pay, then `approve`d — all
    under the build's lock, before it makes anything. A build of stills alone (`clips` off) is
    estimated for `shot` (all by default) with `takes` takes; `storyreel clip` for its `clip`
    (as `plan_spend`'s)."""

    def check(p: Pipeline, shotlist: ShotList) -> None:
        if not may_pay(p.project.config):
            return
        shots = [s for s in shotlist.shots if shot in (None, s.id)]
        scope = {"shots": shots, "takes": takes, "clips": clips, "clip": clip}
        est = _estimate(p, shotlist, music, budget, **scope)
        if est.lines:
            tell(est)
            approve(est, yes=yes, ask=ask)

    return check


def plan_spend(
    p: Pipeline,
    shotlist: ShotList,
    music: Path | None = None,
    *,
    shots: list[Shot] | None = None,
    takes: int | None = None,
    clips: bool = True,
    clip: tuple[int, dict[str, Any]] | None = None,
) -> list[Line]:
    """Every hosted job the next render of `shotlist` would pay: the takes, clips, voices, cues
    and effects it would make that the store and the ledger do not hold (`clips` off: the takes
    of `shots` alone, `takes` of each at least, as `storyreel stills` makes them; `clip`, a
    take's index and the shot's fields tried instead of the script's: the one clip `storyreel
    clip` makes of it, and nothing else)."""
    refs, selected = plan_takes(p, shotlist, shotlist.shots if shots is None else shots, takes)
    stills = StillsStage(p)
    lines = []
    for ref in refs:
        if isinstance(ref.backend, HostedBackend) and not _made(p, ref):
            line = _quote(
                p, ref.shot.id, "still", ref.id, ref.backend, lambda r=ref: stills.compute(r)
            )
            lines += [line] if line else []
    if not clips:
        return lines
    script_cut = None
    if clip is not None:
        jobs = _tried_clip(p, shotlist, refs, *clip)
    else:
        voices, voice = plan_voices(p, shotlist), VoiceStage(p)
        for take in voices:
            if isinstance(take.backend, HostedVoice) and not _stored(p, take.key, take.shot.id):
                run = lambda t=take: voice.compute(t)  # noqa: E731
                line = _quote(p, take.shot.id, "voice", take.id, take.backend, run)
                lines += [line] if line else []
        with warnings.catch_warnings():  # the render says them
            warnings.simplefilter("ignore")
            lengths = planned_lengths(p, shotlist, voices)
            edit = edit_inputs(p, shotlist, music, lengths)
            script_cut = build_timeline(shotlist, p.config, **edit)
        jobs = plan_clips(p, shotlist, selected, media_lengths(script_cut), out_points(script_cut))
    for job in jobs:
        if not isinstance(job.backend, HostedBackend):
            continue
        still = _still(p, job.still)
        end = _still(p, job.landing.still) if job.landing else None
        recipe = ClipRecipe(job, p.config, p.root, still, end)
        line = _quote(p, job.shot.id, "clip", job.id, job.backend, recipe.make)
        lines += [line] if line else []
    if script_cut is None:  # one clip tried: no sound is made
        return lines
    return lines + _cue_lines(p, script_cut, shotlist, scored=music is None)


def _cue_lines(p: Pipeline, cut: Any, shotlist: ShotList, scored: bool) -> list[Line]:
    """The hosted music cues and effects the render would make, each job once."""
    stage, lines, seen = CueStage(p), [], set()
    for wanted in plan_cues(p, cut, shotlist, scored and per_scene_music(p, None)):
        slot = wanted.slot
        for item in wanted.items:
            key = stage.key(item)
            if key in seen or not isinstance(item.backend, HostedBackend):
                continue
            seen.add(key)
            if _stored(p, key, slot.shots[0]):
                continue
            item_id = take_id(slot.shots[0], slot.kind, key)
            run = lambda i=item: stage.compute(i)  # noqa: E731
            line = _quote(p, slot.shots[0], slot.role, item_id, item.backend, run)
            lines += [line] if line else []
    return lines


def _tried_clip(
    p: Pipeline, shotlist: ShotList, refs: list[TakeRef], take: int, update: dict[str, Any]
) -> list[ClipJob]:
    """The clip `storyreel clip` makes: take `take` of its one shot, with `update` tried, its
    length the shot's own, in its scene alone (as `run.build.clip_of` plans it)."""
    ref = refs[take]
    tried = ref.shot.model_copy(update=update)
    alone = shotlist.model_copy(update={"shots": [tried]})
    frames = frames_for(tried.duration, p.config.film.fps)
    return plan_clips(p, alone, {tried.id: ref}, {tried.id: frames}, {})


def may_pay(config: ProjectConfig) -> bool:
    """Whether any backend the project names is hosted (else nothing is estimated)."""
    b = config.backends
    specs = [("stills", b.stills), ("motion", b.motion), ("voice", b.voice)]
    specs += [(stage, spec) for stages in b.shots.values() for stage, spec in stages.items()]
    specs += [(stage, spec) for stage, spec in (("music", b.music), ("effects", b.effects)) if spec]
    with contextlib.suppress(StoryreelError):  # a bad voice is said by the render, at its line
        names = list(available("voice"))
        specs += [("voice", voice_spec(config, name, names)) for name in config.characters]
    return any(
        issubclass(backend_class(stage, split_spec(spec)[0]), HostedBackend)
        for stage, spec in specs
        if stage in ("stills", "motion", "voice", "music", "effects")
    )


def _made(p: Pipeline, ref: TakeRef) -> bool:
    return p.runner.lookup(ref.key, f"still of shot {ref.shot.id}") is not None


def _stored(p: Pipeline, key: str, shot: str) -> bool:
    return p.runner.lookup(key, f"sound of shot {shot}") is not None


def _still(p: Pipeline, ref: TakeRef) -> Still:
    """The take's still from the store, or a blank one of its size when it is not made yet."""
    stored = p.runner.lookup(ref.key, f"still of shot {ref.shot.id}")
    if stored is not None:
        with contextlib.suppress(CorruptObject):  # made again by the render: a new key
            return load_still(p.store, stored)
    w, h = p.stills_config.picture_size
    return Still(image=np.zeros((h, w, 3), np.uint8))


def _quote(
    p: Pipeline, shot: str, kind: str, item: str, backend: HostedBackend, run: Callable[[], Any]
) -> Line | None:
    """The dry run of one stage item: its line, or None when it would pay nothing."""
    spec = f"{backend.vendor}:{backend.model}"
    settings = {k: v for k, v in backend.settings.items() if k != "model"}  # a voice's option
    if settings:
        spec += "?" + "&".join(f"{k}={v}" for k, v in settings.items())
    with charging(p.prices, shot, item, quote=True):
        try:
            run()
        except Quoted as q:
            if q.charge is None and q.unpriced is None:
                return None  # on the ledger already
            return Line(shot, kind, item, spec, q.charge, q.unpriced)
        except StoryreelError as e:  # it would not get as far as paying (no key, say)
            return Line(shot, kind, item, spec, None, f"not priced: {e}")
    return None


def _decimal(value: float | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _spent(jobs: list[dict[str, Any]], currency: str) -> Money:
    """What the ledger's jobs were charged in `currency` (a failed job is not billed)."""
    total = Money(Decimal(0), currency)
    for job in jobs:
        if job.get("cost") and job["status"] != "failed" and job.get("currency") == currency:
            total += Money(Decimal(job["cost"]), currency)
    return total


def item_charges(jobs: list[dict[str, Any]], currency: str) -> dict[str, str]:
    """What the ledger says each stage item (a take's or clip's key) was charged, as `Money`
    prints it; "not priced" for an item paid for before prices were kept, or in another
    currency. Items never paid for are left out."""
    paid: dict[str, list[dict[str, Any]]] = {}
    for job in jobs:
        if job.get("item") and job["status"] != "failed":
            paid.setdefault(job["item"], []).append(job)
    return {
        item: str(_spent(mine, currency))
        if all(j.get("cost") and j.get("currency") == currency for j in mine)
        else "not priced"
        for item, mine in paid.items()
    }


# --- the gate ----------------------------------------------------------------------------------


def approve(estimate: Estimate, *, yes: bool, ask: Callable[[str], bool] | None) -> None:
    """Let a render pay, or stop it before it submits anything: over what is left of the budget
    (saying by how much), unapproved (`ask` is None where there is no terminal to ask on)."""
    total = estimate.total
    if total.amount == 0 and not estimate.unpriced:
        return
    if estimate.left is not None:
        if total > estimate.left:
            raise StoryreelError(
                f"over budget by {total - estimate.left}: this would pay {total} and "
                f"{estimate.left} is left of the budget of {estimate.limit} ({estimate.spent} "
                "spent); nothing was submitted (raise [budget] limit or --budget, or render "
                "less)"
            )
        if estimate.unpriced:
            raise StoryreelError(
                f"{len(estimate.unpriced)} job(s) of the render have no price, so it cannot be "
                f"held to the budget: {estimate.unpriced[0].unpriced}"
            )
    said = f"this would pay {total} to hosted backends" + (
        f" and {len(estimate.unpriced)} job(s) without a price" if estimate.unpriced else ""
    )
    if yes:
        return
    if ask is None:
        raise StoryreelError(f"{said}; there is no terminal to ask on: approve it with --yes")
    if not ask(f"{said}. Pay?"):
        raise StoryreelError("not approved; nothing was submitted")


# --- what was paid -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendSummary:
    """What a project's hosted jobs were charged, in its currency: in all, and grouped by shot,
    vendor, model and day (each `{name: Money}`, largest first), with the budget."""

    total: Money
    jobs: int
    groups: dict[str, dict[str, Money]] = field(default_factory=dict)
    limit: Money | None = None
    unpriced: int = 0  # jobs on the ledger without a charge (made before prices were kept)

    @property
    def left(self) -> Money | None:
        return None if self.limit is None else self.limit - self.total

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.total.currency,
            "total": str(self.total.amount),
            "jobs": self.jobs,
            "unpriced": self.unpriced,
            "limit": None if self.limit is None else str(self.limit.amount),
            "left": None if self.left is None else str(self.left.amount),
            "by": {
                by: {name: str(m.amount) for name, m in group.items()}
                for by, group in self.groups.items()
            },
        }


def spend_summary(project: Project) -> SpendSummary:
    """What the project's renders paid hosted backends, from the ledger (for `storyreel spend`
    and the studio's panel); reads the database without the project lock."""
    currency = project.config.budget.currency
    price_book(project.config.prices, currency, project.config_path)  # a bad override said here
    if project.db_path.is_file():
        with Database(project.db_path, read_only=True) as db:
            jobs = [j for j in db.jobs() if j["status"] != "failed"]
    else:
        jobs = []
    zero = Money(Decimal(0), currency)
    groups: dict[str, dict[str, Money]] = {by: {} for by in BY}
    priced = [j for j in jobs if j.get("cost") and j.get("currency") == currency]
    for job in priced:
        cost = Money(Decimal(job["cost"]), currency)
        names = {
            "shot": job.get("shot_id") or "(no shot)",
            "vendor": job["vendor"],
            "model": f"{job['vendor']}:{job.get('model') or '?'}",
            "day": job["created"][:10],
        }
        for by, name in names.items():
            groups[by][name] = groups[by].get(name, zero) + cost
    groups = {
        by: dict(sorted(g.items(), key=lambda kv: (-kv[1].amount, kv[0])))
        for by, g in groups.items()
    }
    groups["day"] = dict(sorted(groups["day"].items()))
    limit = project.config.budget.limit
    return SpendSummary(
        _spent(priced, currency),
        len(jobs),
        groups,
        None if limit is None else Money(_decimal(limit), currency),
        len(jobs) - len(priced),
    )
