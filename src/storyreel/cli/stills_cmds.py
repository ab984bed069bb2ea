"""`storyreel stills` (takes and a contact sheet) and `storyreel storyboard` (a PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from storyreel.backends import load_backend
from storyreel.cli.app import command, console, out
from storyreel.errors import StoryreelError, did_you_mean
from storyreel.model import Shot, ShotList
from storyreel.run.identity import stored_identities
from storyreel.script.breakdown import breakdown_script
from storyreel.stills.contact_sheet import SheetEntry, contact_sheet
from storyreel.stills.storyboard import storyboard_pdf
from storyreel.stills.takes import generate_takes, png_bytes, take_path, write_take
from storyreel.store.objects import atomic_write
from storyreel.store.project import Project


def _shots(shotlist: ShotList, only: str | None) -> list[Shot]:
    if only is None:
        return shotlist.shots
    ids = [s.id for s in shotlist.shots]
    if only not in ids:
        raise StoryreelError(f"no shot {only!r}{did_you_mean(only, ids)}", shotlist.source)
    return [shotlist.shot(only)]


def _title(shotlist: ShotList, project: Project) -> str:
    return (shotlist.title or project.root.name).strip("*_ ").replace("**", "")


def _progress(quiet: bool) -> Progress:
    return Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, disable=quiet, transient=True)


def _render(project: Project, shots: list[Shot], shotlist: ShotList, n: int, quiet: bool,
            what: str, keep: bool) -> list[SheetEntry]:
    backend = load_backend("stills", project.config.backends.stills)
    entries = []
    with _progress(quiet) as bar:
        task = bar.add_task(what, total=len(shots) * n)
        for shot in shots:
            scene = shotlist.scene(shot.scene_id)
            takes = []
            for seed, still in generate_takes(backend, shot, scene, project.config, n, project.root):
                if keep:
                    write_take(take_path(project.root, shot.id, seed), still)
                takes.append((seed, still.image))
                bar.advance(task)
            entries.append(SheetEntry(shot, takes))
    return entries


@command("stills")
def stills_cmd(
    target: Annotated[Path, typer.Argument(help="The project (folder, storyreel.toml or script).")],
    takes: Annotated[int | None, typer.Option("--takes", "-n", min=1, max=32,
                                              help="Takes per shot (default: [backends] takes).")] = None,
    shot: Annotated[str | None, typer.Option("--shot", help="Only this shot (its id).")] = None,
    sheet: Annotated[Path | None, typer.Option("--sheet", help="Contact sheet path "
                                               "(default: out/contact-sheet.png).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Keyframe stills for every shot (N takes each) and a contact sheet of them."""
    project = Project.open(target)
    shotlist = breakdown_script(project.script, project.config, stored_identities(project))
    shots = _shots(shotlist, shot)
    if not shots:
        raise StoryreelError("the script has no shots", project.script)
    n = takes or project.config.backends.takes
    entries = _render(project, shots, shotlist, n, quiet, "stills", keep=True)
    path = sheet or project.out_dir / "contact-sheet.png"
    image = contact_sheet(entries, title=_title(shotlist, project), grain=project.config.look.grain)
    atomic_write(path, png_bytes(np.asarray(image)))
    n_takes = sum(len(e.takes) for e in entries)
    out(f"{n_takes} take{'s' * (n_takes != 1)} of {len(entries)} shot{'s' * (len(entries) != 1)} in "
        f"{take_path(project.root, 'shot', 0).parent.parent}; contact sheet: {path}")


@command("storyboard")
def storyboard_cmd(
    target: Annotated[Path, typer.Argument(help="The project (folder, storyreel.toml or script).")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="The PDF "
                                                "(default: out/storyboard.pdf).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """A storyboard PDF: a panel per shot (take 1) with size, move, duration, action, dialogue."""
    project = Project.open(target)
    shotlist = breakdown_script(project.script, project.config, stored_identities(project))
    if not shotlist.shots:
        raise StoryreelError("the script has no shots to board", project.script)
    entries = _render(project, shotlist.shots, shotlist, 1, quiet, "panels", keep=False)
    path = output or project.out_dir / "storyboard.pdf"
    pages = storyboard_pdf([(e.shot, e.takes[0][1]) for e in entries], path,
                           title=_title(shotlist, project))
    out(f"{len(entries)} panels on {pages} pages: {path}")
