"""The shots: the reel's cards, each shot's takes, choosing one, more takes, retry, provenance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from storyreel.store.db import Database
from storyreel.studio.context import Studio, studio
from storyreel.studio.reel import take_image, take_rows

router = APIRouter(prefix="/api")
Ctx = Annotated[Studio, Depends(studio)]


class Pick(BaseModel):
    take_id: str


class More(BaseModel):
    n: int = Field(1, ge=1, le=32)


class Render(BaseModel):
    full: bool = False


def known(s: Studio, shot: str) -> None:
    if shot not in {c.id for c in s.builder.reel.shots}:
        raise HTTPException(404, f"no shot {shot!r} in the reel")


@router.get("/reel")
def reel(s: Ctx) -> dict:
    b = s.builder
    return {**b.reel.to_json(), "version": b.version, "building": b.building, "error": b.error}


@router.get("/shots/{shot}/takes")
def takes(shot: str, s: Ctx) -> list[dict]:
    known(s, shot)
    return take_rows(s.project(), shot)


@router.post("/shots/{shot}/select")
def select(shot: str, body: Pick, s: Ctx) -> dict:
    known(s, shot)
    project = s.project()
    rows = [r for r in take_rows(project, shot) if r["kind"] == "still"]
    match = next((r for r in rows if r["id"] == body.take_id), None)
    if match is None:
        raise HTTPException(404, f"shot {shot} has no take {body.take_id!r}")
    with Database(project.db_path) as db:
        db.select(shot, match["take"] - 1, match["id"])
    s.builder.request()
    return {"shot": shot, "take": match["take"], "id": match["id"]}


@router.post("/shots/{shot}/more")
def more_takes(shot: str, body: More, s: Ctx) -> dict:
    """Ask for `n` more takes of a shot (new seeds; the earlier ones are kept)."""
    known(s, shot)
    project = s.project()
    with Database(project.db_path) as db:
        n = max(db.n_takes(shot), project.config.backends.takes) + body.n
        db.set_n_takes(shot, n)
    s.builder.request()
    return {"shot": shot, "takes": n}


@router.post("/shots/{shot}/retry")
def retry(shot: str, s: Ctx) -> dict:
    """Build again: a shot its backend refused is tried anew (refusals are never stored)."""
    known(s, shot)
    s.builder.request()
    return {"shot": shot}


@router.post("/render")
def render(body: Render, s: Ctx) -> dict:
    s.builder.request(full=body.full)
    return {"full": body.full}


@router.get("/takes/{take_id}/image")
def image(take_id: str, s: Ctx) -> FileResponse:
    path = take_image(s.project(), take_id)
    if path is None:
        raise HTTPException(404, "no image for this take")
    return FileResponse(
        path,
        media_type="image/png",
        headers={"Cache-Control": "private, max-age=31536000, immutable"},
    )
