"""The studio's FastAPI app: the routes, the token guard, the page and its assets."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from storyreel.studio.builder import Builder
from storyreel.studio.context import Studio
from storyreel.studio.hub import Hub
from storyreel.studio.routes import (
    board,
    events,
    media,
    notes,
    revisions,
    script,
    shots,
    sounds,
    spend,
)
from storyreel.studio.security import TokenGuard

STATIC = Path(__file__).parent / "static"


def default_author() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "director"


def create_app(root: Path, token: str, author: str | None = None, pay: bool = False) -> FastAPI:
    """The studio of the project in `root`; every request must carry `token`. Its builds pay
    hosted backends only with `pay` (`storyreel studio --yes`), and within the budget."""
    hub = Hub()
    studio = Studio(
        root=root, hub=hub, builder=Builder(root, hub, pay=pay), author=author or default_author()
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        hub.bind(asyncio.get_running_loop())
        studio.builder.start()
        yield
        studio.builder.stop()

    app = FastAPI(
        title="storyreel studio", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.studio = studio
    app.add_middleware(TokenGuard, token=token)
    for module in (script, shots, sounds, notes, media, events, board, revisions, spend):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    return app
