"""`storyreel breakdown`: the screenplay's scenes and shots, and the film's estimated runtime."""

from __future__ import annotations

import io
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from storyreel.cli.app import command, console, out
from storyreel.files import atomic_write
from storyreel.script import export
from storyreel.script.breakdown import breakdown
from storyreel.script.fountain import parse_file
from storyreel.script.timing import pages
from storyreel.store.project import Project


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


@command("breakdown")
def breakdown_cmd(
    target: Annotated[
        Path, typer.Argument(help="A .fountain script, a project folder, or its storyreel.toml.")
    ],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table, json, csv or md.")] = (
        Format.table
    ),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = (
        None
    ),
) -> None:
    """Scenes and shots with size, angle, move, subjects and duration; the estimated runtime.

    In a project that has been rendered, shots carry the identities the render gives them (a
    shot whose own text was edited keeps its id)."""
    from storyreel.run.identity import stored_identities

    project = Project.open(target)
    script = parse_file(project.script)
    shotlist = breakdown(script, project.config, stored_identities(project))
    n_pages = pages(script)
    if fmt is Format.table:
        if output is None:
            screen = Console()
            if not screen.is_terminal:
                screen = Console(width=140)
            screen.print(export.to_table(shotlist))
            out(export.summary(shotlist, n_pages))
            return
        buf = io.StringIO()
        Console(file=buf, width=160, color_system=None).print(export.to_table(shotlist))
        text = buf.getvalue() + export.summary(shotlist, n_pages) + "\n"
    elif fmt is Format.json:
        text = export.to_json(shotlist)
    elif fmt is Format.csv:
        text = export.to_csv(shotlist)
    else:
        text = export.to_markdown(shotlist, n_pages)
    if output is None:
        out(text)
    else:
        atomic_write(output, text.encode("utf-8"))
        console.print(f"wrote {output}", markup=False, soft_wrap=True)
    console.print(export.summary(shotlist, n_pages), highlight=False, soft_wrap=True, markup=False)
