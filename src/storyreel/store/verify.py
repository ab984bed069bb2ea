"""`storyreel verify`: every stored object against its digest, every output row and take against
the store, and what each damaged object was (from the outputs and takes tables).

A build trusts an object whose size and modification time are those it recorded; bit rot keeps
both, so only hashing every byte finds it. The latest cut of each output is hashed too, when its
file is as the build left it. `repair` removes the damaged objects, the output rows that point
at them and the cut records made from those rows (or rotted themselves), so the next render
makes them again (and writes the cut again).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from storyreel.store.db import Database
from storyreel.store.objects import ObjectStore, file_digest, fingerprint

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_STAGES = {
    "audio": "scratch audio",
    "aac": "AAC sound",
    "clip": "clip",
    "beats": "music beats",
    "voice": "voice take",
    "exports": "exports",
}


@dataclass(frozen=True)
class Damage:
    """One damaged object, and what it was."""

    digest: str
    problem: str  # "corrupt" | "missing" | "not an object"
    what: str  # "segment at frame 48", "still of shot sh1, take 1" ...
    outputs: tuple[str, ...] = ()  # the output rows that point at it


@dataclass
class VerifyReport:
    objects: int = 0  # objects hashed
    bytes: int = 0
    damaged: list[Damage] = field(default_factory=list)
    removed: int = 0  # objects removed by `repair`
    forgotten: int = 0  # output rows and cut records dropped by `repair`
    recovered: str | None = None  # the database was rebuilt from its journal when opened

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _labels(db: Database) -> dict[str, str]:
    """Output key → what it is, in the words of the build's own messages."""
    takes: dict[str, str] = {}
    for row in db.takes():
        takes.setdefault(
            row["object_key"], f"{row['kind']} of shot {row['shot_id']}, take {row['idx'] + 1}"
        )
    labels = {}
    for key, out in db.outputs().items():
        if key in takes:
            labels[key] = takes[key]
        elif out["stage"] == "segment":
            meta = db.output_get(key)["meta"]
            labels[key] = f"segment at frame {meta.get('start', '?')}"
        else:
            labels[key] = _STAGES.get(out["stage"], out["stage"])
    return labels


def _object_of(path: str | None) -> str | None:
    """The digest of the object `.storyreel/objects/ab/cdef…` names, if it names one."""
    if not path:
        return None
    p = Path(path)
    dig = p.parent.name + p.name
    return dig if p.parent.parent.name == "objects" and _DIGEST.match(dig) else None


def verify(state_dir: Path, *, repair: bool = False) -> VerifyReport:
    """Check the store and the database of a project's `.storyreel` folder; `repair` drops
    what is damaged so that the next render makes it again."""
    store = ObjectStore(state_dir / "objects")
    report = VerifyReport()
    with Database(state_dir / "project.db") as db:
        report.recovered = db.recovered
        outputs = db.outputs()
        users: dict[str, list[str]] = {}  # digest → output keys that name it
        for key, out in outputs.items():
            for dig, *_ in out["blobs"].values():
                users.setdefault(dig, []).append(key)
        labels = _labels(db)

        def what(dig: str) -> str:
            return (
                "; ".join(dict.fromkeys(labels[k] for k in users.get(dig, [])))
                or "no stage uses it"
            )

        bad: set[str] = set()
        for dig in store:
            report.objects += 1
            report.bytes += store.path(dig).stat().st_size
            if not _DIGEST.match(dig):
                report.damaged.append(Damage(dig, "not an object", "a stray file in the store"))
            elif not store.intact(dig):
                report.damaged.append(Damage(dig, "corrupt", what(dig), tuple(users.get(dig, []))))
            else:
                continue
            bad.add(dig)
        for dig in sorted(set(users) - bad):
            if not store.has(dig):
                report.damaged.append(Damage(dig, "missing", what(dig), tuple(users[dig])))
                bad.add(dig)
        for row in db.takes():  # a still take names its image's object
            dig = _object_of(row["path"])
            if dig and dig not in bad and not store.has(dig):
                report.damaged.append(
                    Damage(
                        dig, "missing", f"{row['kind']} take {row['id']} of shot {row['shot_id']}"
                    )
                )
                bad.add(dig)
        rotted_cuts = []
        for row in {row["path"]: row for row in db.cuts()}.values():  # each output's latest cut
            cut = Path(row["path"])
            if (
                cut.is_file()
                and fingerprint(cut) == (row["size"], row["mtime_ns"])
                and file_digest(cut) != row["digest"]
            ):  # as it was written, yet not its bytes
                report.damaged.append(Damage(row["digest"], "corrupt", f"the cut {cut}"))
                rotted_cuts.append(row["id"])
        if repair:
            for dig in bad:
                if store.has(dig):
                    store.remove(dig)
                    report.removed += 1
            dropped = {k for dig in bad for k in users.get(dig, [])}
            db.outputs_delete(sorted(dropped))
            cuts = [row["id"] for row in db.cuts() if dropped & set(json.loads(row["blobs"]))]
            cuts = sorted({*cuts, *rotted_cuts})
            db.cuts_delete(cuts)
            report.forgotten = len(dropped) + len(cuts)
    return report
