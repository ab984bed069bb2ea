"""What the project's renders paid hosted backends (`storyreel spend`), for the build panel."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from storyreel.run.spend import spend_summary
from storyreel.studio.context import Studio, studio

router = APIRouter(prefix="/api")
Ctx = Annotated[Studio, Depends(studio)]


@router.get("/spend")
def spend(s: Ctx) -> dict[str, Any]:
    return spend_summary(s.project()).to_json()
