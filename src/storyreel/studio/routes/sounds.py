"""A shot's sound in the studio: the takes of its lines, its effects and its scene's cues, each
played from the store, and the choice of the one the mix uses."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse
from pydantic import BaseModel

from storyreel.run.sound_takes import select_take, sound_rows, voice_rows
from storyreel.store.db import Database
from storyreel.studio.context import Studio, studio
from storyreel.studio.reel import take_audio
from storyreel.studio.routes.shots import known

router = APIRouter(prefix="/api")
Ctx = Annotated[Studio, Depends(studio)]


class Pick(BaseModel):
    take_id: str


@router.get("/shots/{shot}/sound")
def sound(shot: str, s: Ctx) -> list[dict]:
    """The shot's current sound takes, lines first, each with the address of its audio."""
    known(s, shot)
    project = s.project()
    if not project.db_path.is_file():
        return []
    with Database(project.db_path, read_only=True) as db:
        rows = [*voice_rows(db, shot), *sound_rows(db, shot)]
    return [
        {**r, "audio": f"/api/takes/{quote(r['id'], safe='')}/audio"}
        for r in rows
        if not r["stale"]
    ]


@router.post("/shots/{shot}/sound/select")
def select(shot: str, body: Pick, s: Ctx) -> dict:
    known(s, shot)
    with Database(s.project().db_path) as db:
        row = select_take(db, shot, body.take_id)
    if row is None:
        raise HTTPException(404, f"shot {shot} has no sound take {body.take_id!r}")
    s.builder.request()
    return {"shot": shot, "kind": row["kind"], "take": row["take"], "id": row["id"]}


@router.get("/takes/{take_id}/audio")
def audio(take_id: str, s: Ctx) -> FileResponse:
    found = take_audio(s.project(), take_id)
    if found is None:
        raise HTTPException(404, "no sound for this take")
    path, kind = found
    return FileResponse(
        path, media_type=kind, headers={"Cache-Control": "private, max-age=31536000, immutable"}
    )
