"""The build's events and the studio's own, to each tab, as Server-Sent Events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from storyreel.studio.context import Studio, studio
from storyreel.studio.hub import END

router = APIRouter(prefix="/api")
Ctx = Annotated[Studio, Depends(studio)]
KEEPALIVE = 25.0  # seconds between comments on a quiet stream (proxies drop silent ones)


@router.get("/events")
async def events(request: Request, s: Ctx) -> StreamingResponse:
    queue = s.hub.open()

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 1000\n\n"
            while not await request.is_disconnected():
                try:
                    text = await asyncio.wait_for(queue.get(), KEEPALIVE)
                except TimeoutError:
                    yield ": idle\n\n"
                    continue
                if text == END:
                    return
                yield f"data: {text}\n\n"
        finally:
            s.hub.close(queue)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
