"""The reel as the studio shows it: the script's shots, where each sits in the cut, its takes.

The shots are the breakdown's under the identities the last build gave them (read, never
written: `storyreel.run.identity.stored_identities`); their places in the cut are the ones the
build published (`CutPlaced`), so a shot's start in the player is the frame the cut shows it.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from storyreel.model import Provenance, ShotList
from storyreel.run.events import CutPlaced
from storyreel.run.identity import stored_identities
from storyreel.run.spend import item_charges
from storyreel.script.breakdown import breakdown_script
from storyreel.store.db import Database
from storyreel.store.objects import ObjectStore
from storyreel.store.project import Project


@dataclass(frozen=True)
class ShotCard:
    """A shot card: what the strip, the cursor and the player need to know of a shot."""

    id: str
    scene: str
    size: str
    angle: str
    move: str
    description: str
    start: float  # seconds into the cut
    duration: float
    lines: tuple[int, int]  # script lines, 1-based inclusive
    take: str | None = None  # the id of the still take the cut uses
    failed: str | None = None


@dataclass
class Reel:
    shots: list[ShotCard] = field(default_factory=list)
    fps: str = "24"
    start_timecode: str = "01:00:00:00"
    runtime: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "shots": [asdict(s) for s in self.shots],
            "fps": self.fps,
            "start_timecode": self.start_timecode,
            "runtime": self.runtime,
        }


def digest_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def shot_list(project: Project) -> ShotList:
    """The script's shots under the identities of the last build (a `StoryreelError` if the
    script is broken)."""
    return breakdown_script(project.script, project.config, stored_identities(project))


def read_reel(project: Project, cut: CutPlaced, failed: dict[str, str] | None = None) -> Reel:
    """The reel of the current script: each shot's place in the `cut` a build made, its take."""
    shotlist = shot_list(project)
    fps = Fraction(cut.fps)
    scenes = {s.id: s.heading for s in shotlist.scenes}
    chosen = selected_takes(project)
    cards: list[ShotCard] = []
    for place in cut.shots:
        sid = place["shot"]
        shot = shotlist.shot(sid)
        cards.append(
            ShotCard(
                id=sid,
                scene=scenes.get(shot.scene_id, ""),
                size=str(shot.size),
                angle=str(shot.angle),
                move=str(shot.move),
                description=shot.description or shot.action,
                start=_seconds(place["start"], fps),
                duration=_seconds(place["length"], fps),
                lines=(shot.lines.start, shot.lines.end),
                take=chosen.get(sid),
                failed=(failed or {}).get(sid),
            )
        )
    timecode = project.config.film.start_timecode
    return Reel(cards, cut.fps, timecode, _seconds(cut.frames, fps))


def _seconds(frames: int, fps: Fraction) -> float:
    return round(float(Fraction(frames) / fps), 4)


def take_rows(project: Project, shot: str) -> list[dict[str, Any]]:
    """A shot's takes, stills then clips: number, id, backend, seed, prompt, what a hosted
    backend charged for it, stale, selected."""
    if not project.db_path.is_file():
        return []
    with Database(project.db_path, read_only=True) as db:
        chosen = _chosen(db, shot)
        scores = db.critiques(shot) if db.current else {}  # an older database has none
        currency = project.config.budget.currency
        charged = item_charges(db.jobs(shot), currency) if db.current else {}
        by = db.selected_by(shot) if db.current and chosen == db.selected_take(shot) else None
        rows = []
        for row in db.takes(shot):
            prov = Provenance.model_validate_json(row["provenance"])
            rows.append(
                {
                    "take": row["idx"] + 1,
                    "id": row["id"],
                    "kind": row["kind"],
                    "backend": prov.backend,
                    "version": prov.version,
                    "seed": row["seed"],
                    "prompt": prov.prompt,
                    "created": row["created"],
                    "stale": bool(row["stale"]),
                    "selected": row["kind"] == "still" and row["id"] == chosen,
                    "remote_id": prov.remote_id,
                    "cost": charged.get(row["object_key"]),  # None: nothing was paid for it
                    "provenance": prov.model_dump(mode="json"),
                    "score": scores[row["id"]]["score"] if row["id"] in scores else None,
                    "reason": scores[row["id"]]["reason"] if row["id"] in scores else None,
                    "selected_by": by if row["kind"] == "still" and row["id"] == chosen else None,
                }
            )
    return rows


def _chosen(db: Database, shot: str) -> str | None:
    """The still take a shot's cut uses: the one selected, else take 1 of the current text."""
    stills = [r for r in db.takes(shot, "still")]
    picked = db.selected_take(shot)
    critics = db.current and db.selected_by(shot) == "critic"
    kept = {r["id"] for r in stills if not (r["stale"] and critics)}
    if picked in kept:  # the critic's pick holds only among takes of the current text
        return picked
    index = 0 if critics else db.selection(shot)  # as the build picks (`run.stills.plan_takes`)
    return next((r["id"] for r in stills if not r["stale"] and r["idx"] == index), None)


def selected_takes(project: Project) -> dict[str, str]:
    if not project.db_path.is_file():
        return {}
    with Database(project.db_path, read_only=True) as db:
        if not db.current:
            return {}
        return {sid: take for sid in db.shots() if (take := _chosen(db, sid))}


def take_image(project: Project, take_id: str) -> Path | None:
    """The stored image of a still take, verified, or None."""
    if not project.db_path.is_file():
        return None
    with Database(project.db_path, read_only=True) as db:
        row = db.take(take_id)
        out = db.output_get(row["object_key"]) if row is not None else None
    if out is None or "png" not in out["blobs"]:
        return None
    store = ObjectStore(project.objects_dir)
    digest = out["blobs"]["png"][0]
    return store.path(digest) if store.verify(digest) else None


_MEDIA_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg", "flac": "audio/flac", "ogg": "audio/ogg"}


def take_audio(project: Project, take_id: str) -> tuple[Path, str] | None:
    """The stored sound of a voice, cue or effect take, verified, and its media type (the
    store's names carry no extension: PyAV reads the container's format); or None."""
    if not project.db_path.is_file():
        return None
    with Database(project.db_path, read_only=True) as db:
        row = db.take(take_id)
        out = db.output_get(row["object_key"]) if row is not None else None
    blob = (out or {"blobs": {}})["blobs"]
    blob = blob.get("wav") or blob.get("audio")
    store = ObjectStore(project.objects_dir)
    if blob is None or not store.verify(blob[0]):
        return None
    path = store.path(blob[0])
    try:
        with av.open(str(path)) as container:
            names = container.format.name.split(",")
    except av.error.FFmpegError:
        return None
    kind = next((_MEDIA_TYPES[n] for n in names if n in _MEDIA_TYPES), None)
    return path, kind or ("audio/mp4" if "mp4" in names else "application/octet-stream")
