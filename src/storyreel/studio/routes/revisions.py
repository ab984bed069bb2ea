"""The writer's proposed revisions (`storyreel revise`, saved under `.storyreel/revisions/`):
list them, read one hunk by hunk, and accept some hunks and refuse the rest.

A proposal applies only to the script it was made from: when the script has changed since, the
answer is 409 and nothing is written. Accepted hunks are written in one atomic write; the
studio's watcher then rebuilds what changed, as after any save.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from storyreel.errors import StoryreelError
from storyreel.studio.context import Studio, studio
from storyreel.writers import revise as revision

router = APIRouter(prefix="/api")
Ctx = Annotated[Studio, Depends(studio)]
_NAME = re.compile(r"^[0-9T]{15}(?:-\d+)?$")


class Accept(BaseModel):
    accept: list[int]  # the hunks accepted, by number; the others are refused


def _path(s: Studio, name: str) -> Path:
    path = s.project().state_dir / "revisions" / f"{name}.json"
    if not _NAME.match(name) or not path.is_file():
        raise HTTPException(404, f"no revision {name}")
    return path


def _summary(path: Path, current: str) -> dict:
    proposal = revision.Proposal.from_json(path.read_text(encoding="utf-8"))
    return {
        "name": path.stem,
        "created": proposal.created,
        "script": proposal.script,
        "current": proposal.digest == current,  # made from the script as it is now
        "notes": [asdict(n) for n in proposal.notes],
        "hunks": [
            {
                "number": h.number,
                "scene": h.scene,
                "line": h.start + 1,
                "shots": list(h.shots),
                "old": "".join(h.old),
                "new": "".join(h.new),
                "diff": h.diff(proposal.script),
            }
            for h in proposal.hunks
        ],
    }


def _script_digest(s: Studio) -> str:
    return revision.digest(s.project().script.read_bytes())


@router.get("/revisions")
def revisions(s: Ctx) -> list[dict]:
    """Every saved proposal, newest first."""
    folder = s.project().state_dir / "revisions"
    current = _script_digest(s)
    return [_summary(p, current) for p in sorted(folder.glob("*.json"), reverse=True)]


@router.get("/revisions/{name}")
def one(name: str, s: Ctx) -> dict:
    return _summary(_path(s, name), _script_digest(s))


@router.post("/revisions/{name}/apply")
def apply(name: str, body: Accept, s: Ctx) -> JSONResponse:
    proposal = revision.Proposal.from_json(_path(s, name).read_text(encoding="utf-8"))
    if proposal.digest != _script_digest(s):
        return JSONResponse(
            {"error": f"{proposal.script} has changed since this revision was proposed"},
            status_code=409,
        )
    try:
        written = revision.apply(s.project().script, proposal, body.accept)
    except StoryreelError as e:  # a hunk the proposal does not have
        return JSONResponse({"error": e.message}, status_code=422)
    accepted = sorted(set(body.accept))
    refused = [h.number for h in proposal.hunks if h.number not in accepted]
    s.hub.send("revision", name=name, accepted=accepted, refused=refused, written=written)
    return JSONResponse({"written": written, "accepted": accepted, "refused": refused})
