"""Music cues, ambience beds and spot effects as takes in the project database, and the take of
each the mix uses.

A *slot* is one place a sound plays: a scene's music cue, one of its ambience beds, or a spot
effect at a shot. It has `[backends] cue_takes` (music and ambience) or `effect_takes` (spots)
takes, take t with its own seed; `storyreel select SHOT N --sound --cue music|ambience[:WORD]`
or `--effect WORD` chooses which one the mix uses. The choice is kept under the slot's
*choice key* — `<scene id>:music`, `<scene id>:ambience:<word>`, `<shot id>:effect:<word>` — in
the selections table, as a voice line's is, so a door in two shots can be two different doors.

A scene's cue takes are recorded once for each of its shots (kind `cue`), so a shot's listing
and the studio's shot panel read them as they read its stills; a spot effect's under its shot
(kind `effect`). The choice resolves by the chosen take's stored output, whichever shot's row
it was chosen from, and else by its number, as a voice line's does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from storyreel.edit.timeline import line_key
from storyreel.errors import StoryreelError
from storyreel.model import Provenance
from storyreel.run.pipeline import Pipeline
from storyreel.run.stage import Stored
from storyreel.run.takes import take_id
from storyreel.sound.cues import audio_seconds
from storyreel.store.db import Database
from storyreel.store.keys import digest

KINDS = ("cue", "effect")


@dataclass(frozen=True)
class Slot:
    """Where one sound plays and what it is: `kind` ("cue" or "effect"), `role` ("music",
    "ambience" or "effect"), `name` (the effect's word, or "music"), the scene, the shots whose
    takes list it, and the selection's key."""

    kind: str
    role: str
    name: str
    scene: str
    shots: tuple[str, ...]

    @property
    def choice(self) -> str:
        owner = self.shots[0] if self.kind == "effect" else self.scene
        return (
            f"{owner}:{self.role}" if self.role == "music" else f"{owner}:{self.role}:{self.name}"
        )


def take_seed(what: str, take: int) -> int:
    """Take `take`'s seed of the sound for `what`: take 1's is the one it always had."""
    return int(digest((what if take == 0 else f"{what}#{take}").encode())[:8], 16)


def chosen(db: Database, choice: str, keys: Mapping[int, str]) -> str | None:
    """The output key of the take the mix uses among `keys` (take index → key): the one
    selected, while it is one of them, else the selected number's (take 1 without a choice)."""
    if not keys:
        return None
    picked = db.selected_take(choice)
    row = db.take(picked) if picked else None
    if row is not None and row["object_key"] in keys.values():
        return row["object_key"]
    index = db.selection(choice)
    return keys.get(index, keys[max(keys)] if index > max(keys) else None)


def record(
    p: Pipeline,
    slot: Slot,
    take: int,
    key: str,
    backend: Any,
    request: Any,
    stored: Stored,
) -> None:
    """The take's rows (one for each shot of its slot), with provenance; once."""
    audio = p.store.path(stored.blobs["audio"])
    given = {
        k: v
        for k, v in stored.meta.get("provenance", {}).items()
        if k not in ("request", "backend")
    }
    seconds: float | None = None
    for shot in slot.shots:
        tid = take_id(shot, slot.kind, key)
        if p.db.take(tid) is not None:
            continue
        if seconds is None:
            seconds = audio_seconds(audio)
        prov = Provenance(
            backend=backend.name,
            version=str(backend.version),
            seed=request.seed,
            prompt=request.prompt,
            params={
                **given,
                "role": slot.role,
                "name": slot.name,
                "scene": slot.scene,
                "choice": slot.choice,
                "asked_seconds": request.seconds,
                "seconds": seconds,
            },
            remote_id=given.get("remote_id"),
        )
        p.db.take_put(
            tid,
            shot,
            slot.kind,
            take,
            request.seed,
            digest(request.prompt.encode())[:16],
            prov.model_dump_json(),
            key,
            str(audio.relative_to(p.root)),
        )


def mark_current(
    p: Pipeline, shots: Sequence[str], slots: Sequence[tuple[Slot, list[str]]]
) -> None:
    """Each shot's cue and effect takes are those its slots have now; its others are stale."""
    for kind in KINDS:
        current: dict[str, list[str]] = {s: [] for s in shots}
        for slot, keys in slots:
            if slot.kind == kind:
                for shot in slot.shots:
                    current.setdefault(shot, []).extend(keys)
        p.db.mark_current(kind, current)


def voice_rows(db: Database, shot: str) -> list[dict[str, Any]]:
    """A shot's voice takes, line by line: line number, take, id, backend, voice, length ..."""
    rows = []
    for row in db.takes(shot, "voice"):
        prov = Provenance.model_validate_json(row["provenance"])
        key = prov.params["line"]
        chosen, index = db.selected_take(key), db.selection(key)
        rows.append(
            {
                "kind": "voice",
                "line": int(key.rpartition(":")[2]) + 1,
                "take": row["idx"] + 1,
                "id": row["id"],
                "backend": f"{prov.backend} {prov.version}",
                "voice": prov.params.get("voice"),
                "character": prov.params.get("character"),
                "text": prov.prompt,
                "seconds": prov.params.get("seconds") or 0.0,
                "seed": row["seed"],
                "created": row["created"],
                "stale": bool(row["stale"]),
                "selected": not row["stale"]
                and (row["id"] == chosen if chosen else row["idx"] == index),
                "path": row["path"],
            }
        )
    rows.sort(key=lambda r: (r["stale"], r["line"], r["take"]))
    return rows


def select_voice(db: Database, shot: str, line: int, take: str) -> tuple[str, int]:
    """Choose the voice take of a shot's line the mix uses: (the line key, the take number)."""
    rows = [r for r in voice_rows(db, shot) if r["line"] == line and not r["stale"]]
    if not rows:
        lines = sorted({r["line"] for r in voice_rows(db, shot) if not r["stale"]})
        known = ", ".join(map(str, lines)) or "none"
        raise StoryreelError(f"shot {shot} has no voiced line {line}; its lines: {known}")
    match = [r for r in rows if str(r["take"]) == take or r["id"] == take]
    if not match:
        known = ", ".join(str(r["take"]) for r in rows)
        raise StoryreelError(
            f"shot {shot}, line {line} has no voice take {take!r}; its takes: {known}"
        )
    key = line_key(shot, line - 1)
    db.select(key, match[0]["take"] - 1, match[0]["id"])
    return key, match[0]["take"]


def sound_rows(db: Database, shot: str) -> list[dict[str, Any]]:
    """A shot's effect takes and its scene's cue takes: what, take, id, backend, seed, length,
    prompt, file, provenance, whether the mix uses it."""
    rows = []
    for kind in KINDS:
        takes = db.takes(shot, kind)
        by_choice: dict[str, dict[int, str]] = {}
        provs = {}
        for row in takes:
            prov = Provenance.model_validate_json(row["provenance"])
            provs[row["id"]] = prov
            if not row["stale"]:
                by_choice.setdefault(prov.params["choice"], {})[row["idx"]] = row["object_key"]
        used = {c: chosen(db, c, keys) for c, keys in by_choice.items()}
        for row in takes:
            prov = provs[row["id"]]
            choice = prov.params["choice"]
            rows.append(
                {
                    "kind": prov.params["role"],
                    "name": prov.params["name"],
                    "scene": prov.params.get("scene"),
                    "choice": choice,
                    "take": row["idx"] + 1,
                    "id": row["id"],
                    "backend": f"{prov.backend} {prov.version}",
                    "seed": row["seed"],
                    "seconds": prov.params.get("seconds"),
                    "prompt": prov.prompt,
                    "file": prov.params.get("file"),
                    "created": row["created"],
                    "stale": bool(row["stale"]),
                    "selected": not row["stale"] and used.get(choice) == row["object_key"],
                    "path": row["path"],
                    "provenance": prov.model_dump(mode="json"),
                }
            )
    order = {"music": 0, "ambience": 1, "effect": 2}
    rows.sort(key=lambda r: (r["stale"], order[r["kind"]], r["name"], r["take"]))
    return rows


def select_sound(db: Database, shot: str, what: str, take: str) -> tuple[str, int]:
    """Choose the take of one of a shot's sounds the mix uses — `what` is "music", "ambience"
    (a scene of one bed), "ambience:WORD" or "effect:WORD" — by number or id: (what was
    chosen, in words; the take number)."""
    role, _, name = what.partition(":")
    rows = [r for r in sound_rows(db, shot) if not r["stale"]]
    mine = [r for r in rows if r["kind"] == role and (not name or r["name"] == name)]
    names = sorted({r["name"] for r in mine})
    if not mine:
        known = sorted({_said(r) for r in rows})
        raise StoryreelError(
            f"shot {shot} has no {role}{' ' + repr(name) if name else ''} takes; "
            f"its sounds: {', '.join(known) or 'none'}"
        )
    if len(names) > 1:
        options = ", ".join(f"--cue {role}:{n}" for n in names)
        raise StoryreelError(
            f"shot {shot}'s scene has {len(names)} {role} beds: say which ({options})"
        )
    match = [r for r in mine if str(r["take"]) == take or r["id"] == take]
    if not match:
        known = ", ".join(str(r["take"]) for r in mine)
        raise StoryreelError(
            f"shot {shot}: {_said(mine[0])} has no take {take!r}; its takes: {known}"
        )
    db.select(match[0]["choice"], match[0]["take"] - 1, match[0]["id"])
    return _said(match[0]), match[0]["take"]


def _said(row: Mapping[str, Any]) -> str:
    return "the music cue" if row["kind"] == "music" else f"{row['kind']} {row['name']!r}"


def select_take(db: Database, shot: str, take_id: str) -> dict[str, Any] | None:
    """Choose the sound take `take_id` of a shot — a line's voice, an effect, a cue — for the
    mix: its row, or None when it is not one of the shot's current sound takes."""
    rows = [*voice_rows(db, shot), *sound_rows(db, shot)]
    row = next((r for r in rows if r["id"] == take_id and not r["stale"]), None)
    if row is not None:
        choice = line_key(shot, row["line"] - 1) if row["kind"] == "voice" else row["choice"]
        db.select(choice, row["take"] - 1, row["id"])
    return row
