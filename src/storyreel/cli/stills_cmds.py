"""`storyreel stills` (takes and a contact sheet) and `storyreel storyboard` (a PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from storyreel.cli.app import command, out
from storyreel.cli.progress import watching
from storyreel.cli.spend_cmds import YES, approval
from storyreel.errors import StoryreelError
from storyreel.files import atomic_write, png_bytes
from storyreel.model import ShotList
from storyreel.review.contact_sheet import SheetEntry, contact_sheet
from storyreel.review.storyboard import storyboard_pdf
from storyreel.run.build import stills_of
from storyreel.store.project import Project

_TARGET = typer.Argument(help="The project (folder, storyreel.toml or script).")
_QUIET = typer.Option("--quiet", "-q", help="No progress bar.")


def _title(shotlist: ShotList, project: Project) -> str:
    return (shotlist.title or project.root.name).strip("*_ ").replace("**", "")


@command("stills")
def stills_cmd(
    target: Annotated[Path, _TARGET],
    takes: Annotated[
        int | None,
        typer.Option(
            "--takes", "-n", min=1, max=32, help="Takes per shot (default: [backends] takes)."
        ),
    ] = None,
    shot: Annotated[str | None, typer.Option("--shot", help="Only this shot (its id).")] = None,
    sheet: Annotated[
        Path | None,
        typer.Option("--sheet", help="Contact sheet path (default: out/contact-sheet.png)."),
    ] = None,
    quiet: Annotated[bool, _QUIET] = False,
    yes: bool = YES,
) -> None:
    """Keyframe stills for every shot (N takes each) and a contact sheet of them.

    The takes go to the project's store, where `render` uses them and `storyreel takes` lists
    them; each shot's own stills backend makes them."""
    project = Project.open(target)
    with watching(quiet) as subscribers:
        approve = approval(subscribers, yes=yes, quiet=quiet, shot=shot, takes=takes, clips=False)
        shotlist, shots, report = stills_of(
            project, shot=shot, takes=takes, subscribers=subscribers, approve=approve
        )
    if not shots:
        raise StoryreelError("the script has no shots", project.script)
    if report.failed:  # the takes that were made are kept; the sheet waits for a whole set
        raise StoryreelError("; ".join(f"shot {k}: {m}" for k, m in report.failed.items()))
    entries = [
        SheetEntry(s.shot, [(seed, still.image) for _, seed, still in s.takes]) for s in shots
    ]
    path = sheet or project.out_dir / "contact-sheet.png"
    image = contact_sheet(entries, title=_title(shotlist, project), grain=project.config.look.grain)
    atomic_write(path, png_bytes(np.asarray(image)))
    n_takes = sum(len(e.takes) for e in entries)
    made = len(report.computed["stills"])
    out(
        f"{n_takes} take{'s' * (n_takes != 1)} of {len(entries)} shot{'s' * (len(entries) != 1)} "
        f"({made} made, {n_takes - made} found in the store; `storyreel takes SHOT` lists them); "
        f"contact sheet: {path}"
    )


@command("storyboard")
def storyboard_cmd(
    target: Annotated[Path, _TARGET],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The PDF (default: out/storyboard.pdf).")
    ] = None,
    quiet: Annotated[bool, _QUIET] = False,
    yes: bool = YES,
) -> None:
    """A storyboard PDF: a panel per shot (the take the cut uses) with size, move, duration,
    action and dialogue."""
    project = Project.open(target)
    with watching(quiet) as subscribers:
        approve = approval(subscribers, yes=yes, quiet=quiet, clips=False)
        shotlist, shots, _ = stills_of(
            project, selected=True, subscribers=subscribers, approve=approve
        )
    if not shots:
        raise StoryreelError("the script has no shots to board", project.script)
    panels = [(s.shot, s.takes[0][2].image) for s in shots if s.takes]
    path = output or project.out_dir / "storyboard.pdf"
    pages = storyboard_pdf(panels, path, title=_title(shotlist, project))
    out(f"{len(panels)} panels on {pages} pages: {path}")
