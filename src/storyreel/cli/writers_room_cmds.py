"""`storyreel doctor`, `storyreel revise` and `storyreel critic`: the writers' room's commands
that read the reel back into the script (the logic is in `storyreel.writers`)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from storyreel.cli.app import command, out
from storyreel.errors import StoryreelError, did_you_mean
from storyreel.model import ShotList
from storyreel.run.identity import stored_identities
from storyreel.script.breakdown import breakdown_script
from storyreel.store.db import Database
from storyreel.store.objects import ObjectStore
from storyreel.store.project import Project
from storyreel.writers import critic
from storyreel.writers import doctor as supervisor
from storyreel.writers import revise as revision
from storyreel.writers.base import WriterBackend
from storyreel.writers.configured import open_writer, writer_spec

_TARGET = typer.Argument(help="The project (folder, storyreel.toml or script).")
_WRITER = typer.Option(
    "--writer", help='The language model (default: [backends] writer), e.g. "openai:gpt-4.1-mini".'
)


def _writer(project: Project, given: str | None, db: Database) -> WriterBackend:
    """The writer the command uses, its answers in the project's ledger (never paid twice)."""
    return open_writer(writer_spec(given, project.config), db, project.state_dir / "writers")


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
    writer: Annotated[str | None, _WRITER] = None,
) -> None:
    """What a script supervisor flags: characters without a description, props and wardrobe that
    change between scenes, dialogue longer than its shot, scenes with no establishing shot; plus
    the writer's reading when the project has one. Each flag names the script's line."""
    project = Project.open(target)
    flags = supervisor.doctor(project.script, project.config)
    if model and (writer or project.config.backends.writer):
        with Database(project.db_path) as db:
            flags += supervisor.reading(project.script, flags, _writer(project, writer, db))
    where = str(project.script.relative_to(project.root))
    if as_json:
        out(json.dumps([{"path": where, **asdict(f)} for f in flags], indent=2))
    else:
        out(supervisor.report(flags, where))
    if strict and flags:
        raise typer.Exit(1)


def _accepted(choice: str, proposal: revision.Proposal) -> list[int]:
    """`--accept`: all, none, or hunk numbers (`1,3`)."""
    word = choice.strip().lower()
    if word == "all":
        return [h.number for h in proposal.hunks]
    if word == "none":
        return []
    try:
        return [int(x) for x in word.split(",") if x.strip()]
    except ValueError:
        raise StoryreelError(
            f"--accept {choice!r}: say all, none, or hunk numbers such as 1,3"
        ) from None


def _ask(proposal: revision.Proposal) -> list[int]:
    """Each hunk shown on the terminal, accepted or refused by the director."""
    chosen: list[int] = []
    for n, hunk in enumerate(proposal.hunks):
        out(hunk.diff(proposal.script))
        answer = (
            typer.prompt(
                f"accept hunk {hunk.number} of {len(proposal.hunks)}? [y]es, [n]o, [a]ll the rest, "
                "[q]uit (refuse the rest)",
                default="n",
            )
            .strip()
            .lower()
        )
        if answer.startswith("a"):
            return chosen + [h.number for h in proposal.hunks[n:]]
        if answer.startswith("q"):
            return chosen
        if answer.startswith("y"):
            chosen.append(hunk.number)
    return chosen


def _terminal() -> bool:
    """Whether a director is there to ask (stdin and stdout on a terminal)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


@command("revise")
def revise_cmd(
    target: Annotated[Path, _TARGET] = Path("."),
    notes_file: Annotated[
        Path | None,
        typer.Option("--notes", help="A file of notes, a paragraph each (`SHOT: ...` for a shot)."),
    ] = None,
    note: Annotated[
        list[str] | None, typer.Option("--note", help="A note on the film (repeatable).")
    ] = None,
    accept: Annotated[
        str | None,
        typer.Option(
            "--accept",
            help="all, none, or hunk numbers (1,3); without it, ask on the terminal (no "
            "terminal: save the proposal and change nothing).",
        ),
    ] = None,
    saved: Annotated[
        str | None,
        typer.Option(
            "--saved",
            help="Decide on a saved proposal (its name under .storyreel/revisions/, or "
            "latest) instead of asking the writer.",
        ),
    ] = None,
    writer: Annotated[str | None, _WRITER] = None,
) -> None:
    """Revise the script from notes on the reel (the project's open notes, --notes FILE or
    --note): the writer proposes a revised script, a diff a scene, and each hunk is accepted or
    refused. Shots whose text survives keep their ids, takes and selections."""
    project = Project.open(target)
    if saved is not None:
        proposal = revision.load(project.state_dir, saved)
    else:
        spec = writer_spec(writer, project.config)  # before any work: no writer, no revision
        with Database(project.db_path) as db:
            proposal = _propose(project, _writer(project, spec, db), db, notes_file, note)
    if not proposal.hunks:
        out("the writer proposes no change to the script")
        return
    if accept is None and not _terminal():
        out(proposal.diff())
        if saved is None:
            path = revision.save(proposal, project.state_dir)
            kept = f"the proposal is saved as {path.relative_to(project.root)}; "
            name = path.stem
        else:
            kept, name = "", saved
        out(
            f"{len(proposal.hunks)} hunk(s) proposed, nothing changed (no terminal to ask on); "
            f"{kept}`storyreel revise --saved {name} --accept all` (or 1,3...) applies it"
        )
        return
    chosen = _ask(proposal) if accept is None else _accepted(accept, proposal)
    if accept is not None:
        out(proposal.diff())
    written = revision.apply(project.script, proposal, chosen)
    refused = len(proposal.hunks) - len(set(chosen))
    out(
        f"{proposal.script}: {len(set(chosen))} hunk(s) accepted, {refused} refused"
        + ("; `storyreel render` rebuilds what changed" if written else "; the script is unchanged")
    )


def _propose(
    project: Project,
    writer: WriterBackend,
    db: Database,
    notes_file: Path | None,
    note: list[str] | None,
) -> revision.Proposal:
    """The writer's revision of the project's script by the notes, as a proposal."""
    shotlist = _shotlist(project)
    notes = revision.gather_notes(
        inline=note,
        notes_file=notes_file,
        rows=db.notes(include_resolved=False),
        shot_ids=[s.id for s in shotlist.shots],
        cut=project.out_dir / "cut.otio",
    )
    name = str(project.script.relative_to(project.root))
    before = project.script.read_bytes()
    revised = revision.revised_script(
        writer, before.decode("utf-8"), notes, shotlist, project.config, name
    )
    return revision.propose(before, revised, name, notes, shotlist.shots)


def _shotlist(project: Project) -> ShotList:
    """The script's shots under the ids the project's builds gave them."""
    return breakdown_script(project.script, project.config, stored_identities(project))


@command("critic")
def critic_cmd(
    target: Annotated[Path, _TARGET] = Path("."),
    shots: Annotated[
        str | None, typer.Option("--shots", help="Only these shots (ids, comma-separated).")
    ] = None,
    writer: Annotated[str | None, _WRITER] = None,
) -> None:
    """Rank each shot's still takes with the project's vision writer (subjects, size and angle,
    the characters' references) and pre-select the best, unless the director selected a take.
    The scores show in `storyreel takes SHOT`; a rerun with nothing changed asks nothing."""
    project = Project.open(target)
    spec = writer_spec(writer, project.config)
    if not project.db_path.is_file():
        raise StoryreelError("no takes yet: run `storyreel stills` first", project.root)
    with Database(project.db_path) as db:
        _critic(project, critic.seeing(_writer(project, spec, db), spec), spec, db, shots)


def _critic(
    project: Project, writer: WriterBackend, spec: str, db: Database, shots: str | None
) -> None:
    shotlist = _shotlist(project)
    chosen = shotlist.shots
    if shots:
        wanted = [s.strip() for s in shots.split(",") if s.strip()]
        known = {s.id for s in shotlist.shots}
        for sid in wanted:
            if sid not in known:
                raise StoryreelError(f"no shot {sid!r}{did_you_mean(sid, sorted(known))}")
        chosen = [s for s in shotlist.shots if s.id in wanted]
    store = ObjectStore(project.objects_dir)
    for shot in chosen:
        verdict = critic.critique(db, store, writer, spec, shot, project.config, project.root)
        if verdict is None:
            out(f"shot {shot.id}: fewer than two takes, nothing to rank")
            continue
        best = verdict.ranking[0]
        asked = "stored scores" if verdict.reused else "asked"
        out(f"shot {shot.id} ({asked}): take {best.number} best; {verdict.selection}")
        for j in verdict.ranking:
            out(f"  take {j.number}  {j.score:4.1f}  {j.reason}")
