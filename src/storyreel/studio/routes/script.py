"""The script: read it, save it atomically, and never overwrite a change made elsewhere.

A save names the digest of the text it was edited from; when the file on disk has another (it
was saved in another editor, or another tab), the save is refused with 409 and the text on
disk, and the page shows both rather than losing either.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from storyreel.files import atomic_write
from storyreel.model import Angle, Easing, Move, ShotSize, TransitionKind
from storyreel.script.directives import KEYWORDS
from storyreel.studio.context import Studio, studio
from storyreel.studio.reel import digest_text

router = APIRouter(prefix="/api")
Ctx = Annotated[Studio, Depends(studio)]


class Save(BaseModel):
    text: str
    base: str | None  # the digest of the text the edit started from (None: a new file)


@router.get("/script")
def read_script(s: Ctx) -> dict:
    path = s.builder.script
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    return {"text": text, "digest": digest_text(text), "name": path.name, "error": s.builder.error}


@router.put("/script")
def save_script(body: Save, s: Ctx) -> JSONResponse:
    path = s.builder.script
    on_disk = path.read_text(encoding="utf-8") if path.is_file() else None
    if on_disk is not None and body.base != digest_text(on_disk):
        return JSONResponse(
            {
                "error": f"{path.name} changed on disk since you opened it",
                "text": on_disk,
                "digest": digest_text(on_disk),
            },
            status_code=409,
        )
    digest = digest_text(body.text)
    if on_disk == body.text:
        return JSONResponse({"digest": digest, "saved": False})
    try:
        s.builder.script_digest = digest  # the watcher will see our own write: not a change
        atomic_write(path, body.text)
    except OSError as e:
        s.builder.script_digest = digest_text(on_disk) if on_disk is not None else None
        reason = e.strerror or str(e)
        return JSONResponse(
            {"error": f"{path}: cannot save: {reason.lower()}; your text is kept in the editor"},
            status_code=507 if e.errno == 28 else 500,
        )
    s.builder.request()
    return JSONResponse({"digest": digest, "saved": True})


@router.get("/vocabulary")
def vocabulary() -> dict:
    """The words a shot directive takes, for the editor's completion."""
    return {
        "keywords": list(KEYWORDS),
        "sizes": [v.value for v in ShotSize],
        "angles": [v.value for v in Angle],
        "moves": [v.value for v in Move],
        "easings": [v.value for v in Easing],
        "transitions": [v.value for v in TransitionKind],
    }
