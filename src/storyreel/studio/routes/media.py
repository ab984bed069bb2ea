"""The project's renders, served to the player: files under `out/` and nothing else.

A name is resolved (links followed) and served only when it lands inside the project's `out/`
folder; `..`, absolute paths and their encoded forms land elsewhere and get 404, as does any
file that is not there. Range requests (seeking in the player) are Starlette's `FileResponse`.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse

from storyreel.studio.context import Studio, studio

router = APIRouter()
Ctx = Annotated[Studio, Depends(studio)]


def inside(folder: Path, name: str) -> Path | None:
    """`folder / name` if it is a file inside `folder` once resolved, else None."""
    if "\x00" in name:
        return None
    base = folder.resolve()
    try:
        path = (base / name).resolve()
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(base) or not path.is_file():
        return None
    return path


@router.get("/media/{name:path}")
def media(name: str, s: Ctx) -> FileResponse:
    path = inside(s.project().out_dir, name)
    if path is None:
        raise HTTPException(404, "not found")
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=kind, headers={"Cache-Control": "no-cache"})
