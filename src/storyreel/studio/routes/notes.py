"""Notes on the reel: on a shot or at a timecode, with author and time, open or resolved."""

from __future__ import annotations

import sqlite3
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from storyreel.store.db import Database
from storyreel.studio.context import Studio, studio

router = APIRouter(prefix="/api")
Ctx = Annotated[Studio, Depends(studio)]


class NewNote(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    shot_id: str | None = None
    timecode: str | None = Field(None, pattern=r"^\d\d:\d\d:\d\d[:;]\d\d$")
    author: str | None = Field(None, max_length=200)


class Resolve(BaseModel):
    resolved: bool = True


def note_json(row: sqlite3.Row) -> dict:
    return dict(row)


@router.get("/notes")
def notes(s: Ctx) -> list[dict]:
    project = s.project()
    if not project.db_path.is_file():
        return []
    with Database(project.db_path) as db:
        return [note_json(r) for r in db.notes()]


@router.post("/notes")
def add(body: NewNote, s: Ctx) -> dict:
    if body.shot_id is None and body.timecode is None:
        raise HTTPException(422, "a note is on a shot or at a timecode")
    author = (body.author or "").strip() or s.author
    with Database(s.project().db_path) as db:
        note_id = db.note_add(author, body.text.strip(), body.shot_id, body.timecode)
        row = next(r for r in db.notes() if r["id"] == note_id)
    note = note_json(row)
    s.hub.send("note", note=note)
    return note


@router.post("/notes/{note_id}/resolve")
def resolve(note_id: int, body: Resolve, s: Ctx) -> dict:
    with Database(s.project().db_path) as db:
        if not db.note_resolve(note_id, body.resolved):
            raise HTTPException(404, f"no note {note_id}")
        row = next(r for r in db.notes() if r["id"] == note_id)
    note = note_json(row)
    s.hub.send("note", note=note)
    return note
