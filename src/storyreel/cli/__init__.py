"""`storyreel` command line. Thin: it parses arguments and calls the rooms; one module a room."""

from storyreel.cli import (  # noqa: F401  (each module registers its commands)
    backend_cmds,
    edit_cmds,
    motion_cmds,
    run_cmds,
    script_cmds,
    spend_cmds,
    stills_cmds,
    store_cmds,
    studio_cmds,
    writer_cmds,
    writers_room_cmds,
)
from storyreel.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
