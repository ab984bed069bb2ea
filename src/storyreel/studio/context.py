"""What every route shares: the project's folder, its builder and the event hub."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from storyreel.store.project import Project
from storyreel.studio.builder import Builder
from storyreel.studio.hub import Hub


@dataclass
class Studio:
    root: Path
    hub: Hub
    builder: Builder
    author: str

    def project(self) -> Project:
        return self.builder.project()


def studio(request: Request) -> Studio:
    """The route's studio (a FastAPI dependency)."""
    return request.app.state.studio
