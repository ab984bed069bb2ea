"""`storyreel doctor`, `storyreel revise` and `storyreel critic`: the writers' room's commands
that read the reel back into the script (the logic is in `storyreel.writers`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from storyreel.cli.app import command, out
from storyreel.store.project import Project
from storyreel.writers import doctor as supervisor
from storyreel.writers.setup import writer_of

_TARGET = typer.Argument(help="The project (folder, storyreel.toml or script).")


@command("doctor")
def doctor_cmd(
    target: Annotated[Path, _TARGET] = Path("."),
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 when anything is flagged (for a script's CI).")
    ] = False,
    model: Annotated[
        bool,
        typer.Option(
            "--model/--no-model", help="Add the writer's reading when [backends] writer is set."
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="The flags as JSON.")] = False,
) -> None:
    """What a script supervisor flags: characters without a description, props and wardrobe that
    change between scenes, dialogue longer than its shot, scenes with no establishing shot; plus
    the writer's reading when the project has one. Each flag names the script's line."""
    project = Project.open(target)
    flags = supervisor.doctor(project.script, project.config)
    if model and project.config.backends.writer:
        flags += supervisor.reading(project.script, flags, writer_of(project.config))
    where = str(project.script.relative_to(project.root))
    if as_json:
        out(json.dumps([{"path": where, **f.__dict__} for f in flags], indent=2))
    else:
        out(supervisor.report(flags, where))
    if strict and flags:
        raise typer.Exit(1)
