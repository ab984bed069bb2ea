"""Shot identity across edits of a shot's own text.

A generated shot id hashes the shot's own text (`storyreel.script.breakdown`), so editing one
action line makes a new id. The project database remembers every shot's scene heading and words;
when a build meets generated ids it has never seen, each is matched to a shot that has just left
the same scene (same heading) and says nearly the same thing (difflib ratio of description,
action and dialogue ≥ `MIN_SIMILARITY`), best match first, one to one, and takes that shot's
identity: its takes (now stale), its selection, its place in the edit. The match is stored as an
alias (generated id → identity), so later builds give the same answer without matching again.
Explicit ids are never aliased.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from storyreel.config import ProjectConfig
from storyreel.model import Scene, Shot, ShotList
from storyreel.run.takes import shot_text_hash
from storyreel.script.breakdown import breakdown_script
from storyreel.store.db import Database
from storyreel.store.project import Project

MIN_SIMILARITY = 0.5


def match_text(shot: Shot) -> str:
    """The words a shot is matched by: what it shows and what is said in it."""
    lines = [f"{d.character}: {d.text}" for d in shot.dialogue]
    return "\n".join(filter(None, [shot.description, shot.action, *lines]))


class Identities:
    """The breakdown's `identify`: stored aliases first, then matches for ids never seen.

    `known` is the project's shots table (id → row with status, position, scene, text); `made`
    holds the aliases the last call found, for the caller to store.
    """

    def __init__(self, known: Mapping[str, Any], aliases: Mapping[str, str]):
        self.known, self.aliases = known, aliases
        self.made: dict[str, str] = {}

    def __call__(
        self, scenes: list[Scene], shots: list[Shot], generated: set[str]
    ) -> dict[str, str]:
        present = {s.id for s in shots}
        carried: dict[str, str] = {}
        for s in shots:  # stored aliases, unless their identity is in the script under its own id
            target = self.aliases.get(s.id)
            if (
                s.id in generated
                and target
                and target not in present
                and target not in carried.values()
            ):
                carried[s.id] = target
        now = {carried.get(s.id, s.id) for s in shots}
        heading = {sc.id: sc.heading for sc in scenes}
        new = [
            (k, s)
            for k, s in enumerate(shots)
            if s.id in generated and s.id not in carried and s.id not in self.known
        ]
        gone = [
            (row["position"], sid, row)
            for sid, row in self.known.items()
            if row["status"] != "removed" and sid not in now
        ]
        pairs = []
        for k, s in new:
            text = match_text(s)
            for pos, sid, row in gone:
                if row["scene"] and row["scene"] == heading[s.scene_id]:
                    ratio = difflib.SequenceMatcher(None, text, row["text"], autojunk=False).ratio()
                    if ratio >= MIN_SIMILARITY:
                        pairs.append((-ratio, k, pos, s.id, sid))
        self.made = {}
        taken: set[str] = set()
        for *_, new_id, old_id in sorted(pairs):  # best match first, one to one
            if new_id not in self.made and old_id not in taken:
                self.made[new_id] = old_id
                taken.add(old_id)
        return {**carried, **self.made}


def breakdown_shots(
    db: Database, script: Path, config: ProjectConfig
) -> tuple[ShotList, dict[str, list[str]]]:
    """The build's breakdown: the script's shots under their identities, recorded in `db` (new
    aliases, each shot's heading and words); returns them and the added/removed/changed ids."""
    identities = Identities(db.shots(), db.aliases())
    shotlist = breakdown_script(script, config, identities)
    db.alias_put(identities.made)
    heading = {sc.id: sc.heading for sc in shotlist.scenes}
    changes = db.sync_shots(
        [(s.id, shot_text_hash(s)) for s in shotlist.shots],
        {s.id: (heading[s.scene_id], match_text(s)) for s in shotlist.shots},
    )
    return shotlist, changes


def stored_identities(project: Project) -> Identities | None:
    """The identities a build of `project` would give its shots, read without writing (None
    before the first build, or with a database from an older storyreel)."""
    if not project.db_path.is_file():
        return None
    with Database(project.db_path, read_only=True) as db:
        if not db.current:
            return None
        return Identities({k: dict(v) for k, v in db.shots().items()}, db.aliases())
