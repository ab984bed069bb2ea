"""`takes`, `select`, `regen`, `provenance`: a shot's takes, which one the cut uses, and how
each was made."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from storyreel.cli.app import command, console, out
from storyreel.cli.progress import watching
from storyreel.cli.spend_cmds import YES, approval
from storyreel.errors import StoryreelError, did_you_mean
from storyreel.model import Provenance
from storyreel.run.build import build
from storyreel.run.sound_takes import select_sound, select_voice, sound_rows, voice_rows
from storyreel.store.db import Database
from storyreel.store.journal import journal_path
from storyreel.store.keys import digest
from storyreel.store.objects import CorruptObject, ObjectStore
from storyreel.store.project import Project

_PROJECT = typer.Option(Path("."), "--project", "-p", help="The project (folder, toml or script).")
_HERE = typer.Argument(Path("."), help="The project (folder, toml or script).")
_JSON_OUT = typer.Option(None, "-o", "--output", help="Write the JSON here.")


@contextmanager
def _open(project: Path) -> Iterator[tuple[Project, Database]]:
    """The project and its database, closed when the command is done with it."""
    p = Project.open(project)
    if not p.db_path.exists() and not journal_path(p.db_path).exists():
        raise StoryreelError("no takes yet: run `storyreel render` first", p.root)
    with Database(p.db_path) as db:
        if db.recovered:
            console.print(db.recovered, highlight=False, markup=False, soft_wrap=True)
        yield p, db


def _shot(db: Database, shot: str) -> None:
    shots = {sid: row for sid, row in db.shots().items() if row["status"] != "removed"}
    if shot not in shots:
        raise StoryreelError(f"no shot {shot!r}{did_you_mean(shot, list(shots))}")


def _thumbnail(project: Project, db: Database, row: Any) -> str | None:
    """`.storyreel/thumbs/<shot>/<take id>.png`: the take's still under a name that opens."""
    out = db.output_get(row["object_key"])
    if out is None or "png" not in out["blobs"]:
        return None
    dest = project.state_dir / "thumbs" / row["shot_id"] / f"{row['id']}.png"
    try:
        ObjectStore(project.objects_dir).link(out["blobs"]["png"][0], dest)
    except CorruptObject:
        return None
    return str(dest.relative_to(project.root))


def take_rows(project: Project, db: Database, shot: str) -> list[dict]:
    """A shot's still takes, newest script text first: number, id, backend, seed, stale ...

    The selected take is the one chosen with `select`, kept (and used by the cut) even when the
    shot's text has changed since; without a choice, take 1 of the current text.
    """
    index, chosen, by = db.selection(shot), db.selected_take(shot), db.selected_by(shot)
    takes, scores = db.takes(shot, "still"), db.critiques(shot)
    current = {row["id"] for row in takes if not row["stale"]}
    if by == "critic" and chosen not in current:
        chosen, index = None, 0  # the critic judged an earlier text: as the build, take 1
    if chosen not in {row["id"] for row in takes}:
        chosen = None
    rows = []
    for row in takes:
        prov = Provenance.model_validate_json(row["provenance"])
        rows.append(
            {
                "take": row["idx"] + 1,
                "id": row["id"],
                "backend": f"{prov.backend} {prov.version}",
                "seed": row["seed"],
                "created": row["created"],
                "stale": bool(row["stale"]),
                "selected": row["id"] == chosen
                if chosen
                else not row["stale"] and row["idx"] == index,
                "thumbnail": _thumbnail(project, db, row),
                "prompt": prov.prompt,
                "score": scores[row["id"]]["score"] if row["id"] in scores else None,
                "reason": scores[row["id"]]["reason"] if row["id"] in scores else None,
            }
        )
    for r in rows:
        r["selected_by"] = (by or "director") if r["selected"] and chosen else None
    return rows


_SOUND = typer.Option(
    False, "--sound", help="The shot's voice takes line by line, its effects and its scene's cues."
)


@command("takes")
def takes(
    shot: str = typer.Argument(..., help="Shot id."),
    project: Path = _PROJECT,
    as_json: bool = typer.Option(False, "--json"),
    sound: bool = _SOUND,
) -> None:
    """List a shot's takes: backend, seed, when, which is selected (and by whom), thumbnail,
    prompt, and the critic's score and reason (`storyreel critic`)."""
    with _open(project) as (p, db):
        _shot(db, shot)
        rows = [*voice_rows(db, shot), *sound_rows(db, shot)] if sound else take_rows(p, db, shot)
    if as_json:
        out(json.dumps(rows, indent=2))
        return
    if sound:
        for r in rows:
            mark = " ".join(m for m, on in (("*", r["selected"]), ("stale", r["stale"])) if on)
            if r["kind"] == "voice":
                out(
                    f"{mark:>7} line {r['line']} take {r['take']}  {r['id']}  {r['backend']}  "
                    f"{r['voice']}  {r['seconds']:.2f} s  {r['path'] or '-'}"
                )
                out(f"        {r['character']}: {r['text']}")
                continue
            what = "music" if r["kind"] == "music" else f"{r['kind']} {r['name']}"
            length = f"{r['seconds']:.2f} s" if r["seconds"] is not None else "- s"
            out(
                f"{mark:>7} {what} take {r['take']}  {r['id']}  {r['backend']}  seed {r['seed']}"
                f"  {length}  {r['path'] or '-'}"
            )
            out(f"        file: {r['file']}" if r["file"] else f"        prompt: {r['prompt']}")
        return
    for r in rows:
        mark = " ".join(m for m, on in (("*", r["selected"]), ("stale", r["stale"])) if on)
        out(
            f"{mark:>7} take {r['take']}  {r['id']}  {r['backend']}  seed {r['seed']}  {r['created']}"
            f"  {r['thumbnail'] or '-'}"
        )
        if r["selected_by"]:
            out(f"        selected by the {r['selected_by']}")
        if r["prompt"]:
            out(f"        prompt: {r['prompt']}")
        if r["score"] is not None:
            out(f"        critic: {r['score']:.1f}/10, {r['reason']}")


@command("select")
def select(
    shot: str = typer.Argument(..., help="Shot id."),
    take: str = typer.Argument(
        ..., help="Take number (1, 2 ...) or take id (also of a stale take)."
    ),
    project: Path = _PROJECT,
    sound: bool = typer.Option(
        False, "--sound", help="Choose a voice take of a line (or, with --effect/--cue, a sound's)."
    ),
    line: int = typer.Option(1, "--line", min=1, help="With --sound: the shot's line (1, 2 ...)."),
    effect: str | None = typer.Option(
        None, "--effect", help="With --sound: a spot effect of the shot, by its word (door)."
    ),
    cue: str | None = typer.Option(
        None,
        "--cue",
        help="With --sound: the scene's music cue or ambience bed (music, ambience, ambience:rain).",
    ),
) -> None:
    """Choose which take of a shot the cut uses. The choice holds when the shot's text changes:
    the cut keeps that take (the build warns that it is stale) until another is selected."""
    if (effect or cue) and not sound:
        raise StoryreelError("--effect and --cue choose a sound's take: add --sound")
    if effect and cue:
        raise StoryreelError("choose an effect's take or a cue's, not both in one select")
    if sound:
        with _open(project) as (_, db):
            _shot(db, shot)
            if effect or cue:
                what = f"effect:{effect}" if effect else _cue(cue)
                said, number = select_sound(db, shot, what, take)
            else:
                _, number = select_voice(db, shot, line, take)
                said = f"line {line}: voice"
        console.print(
            f"shot {shot}, {said} take {number} selected; `storyreel render` to update the mix",
            markup=False,
        )
        return
    with _open(project) as (p, db):
        _shot(db, shot)
        rows = take_rows(p, db, shot)
        match = [r for r in rows if (str(r["take"]) == take and not r["stale"]) or r["id"] == take]
        if not match:
            known = ", ".join(str(r["take"]) for r in rows if not r["stale"]) or "none"
            raise StoryreelError(f"shot {shot} has no take {take!r}; its takes: {known}")
        db.select(shot, match[0]["take"] - 1, match[0]["id"])
    console.print(
        f"shot {shot}: take {match[0]['take']} selected; `storyreel render` to update the cut",
        markup=False,
    )


def _cue(cue: str | None) -> str:
    role = (cue or "").partition(":")[0]
    if role not in ("music", "ambience"):
        raise StoryreelError(
            f"--cue {cue!r}: a cue is music or ambience (ambience:WORD for one of several beds)"
        )
    return cue or ""


@command("regen")
def regen(
    shot: str = typer.Argument(..., help="Shot id."),
    n: int = typer.Option(1, "--takes", "-n", min=1, max=32, help="How many takes to add."),
    project: Path = _PROJECT,
    yes: bool = YES,
) -> None:
    """Add takes to a shot (new seeds; earlier takes are kept), rendering the cut again."""
    with _open(project) as (p, db):
        _shot(db, shot)
        db.set_n_takes(shot, max(db.n_takes(shot), p.config.backends.takes) + n)
    with watching() as subscribers:
        build(p, subscribers=subscribers, approve=approval(subscribers, yes=yes))
    with _open(project) as (p, db):
        current = [r for r in take_rows(p, db, shot) if not r["stale"]]
    console.print(f"shot {shot} now has {len(current)} takes", markup=False)


@command("provenance")
def provenance(project: Path = _HERE, output: Path = _JSON_OUT) -> None:
    """Provenance of the written screenplay, of every take and of the latest cut, as JSON."""
    with _open(project) as (proj, db):
        cut = db.last_cut()
        data = {
            "ai_generated": True,
            "screenplay": _written(proj),
            "cut": (
                {
                    "path": cut["path"],
                    "sha256": cut["digest"],
                    "created": cut["created"],
                    **json.loads(cut["provenance"]),
                }
                if cut
                else None
            ),
            "takes": [
                {
                    "id": r["id"],
                    "shot_id": r["shot_id"],
                    "kind": r["kind"],
                    "take": r["idx"] + 1,
                    "stale": bool(r["stale"]),
                    "path": r["path"],
                    "created": r["created"],
                    "provenance": json.loads(r["provenance"]),
                }
                for r in db.takes()
            ],
        }
    text = json.dumps(data, indent=2)
    if output is None:
        out(text)
    else:
        from storyreel.files import atomic_write

        atomic_write(output, text.encode())
        console.print(f"wrote {output}", markup=False, soft_wrap=True)


def _written(p: Project) -> dict[str, Any] | None:
    """How `storyreel write` wrote the script (None for a writer's own), and whether the script
    was edited since."""
    record = p.state_dir / "writing" / "provenance.json"
    if not record.exists():
        return None
    written = json.loads(record.read_text())
    script = Path(written["script"])
    now = digest(script.read_bytes()) if script.exists() else None
    return {**written, "edited_since": now != written["sha256"]}


@command("verify")
def verify_cmd(
    project: Path = _HERE,
    repair: bool = typer.Option(
        False, "--repair", help="Remove what is damaged, so the next render makes it again."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Check every stored object against its digest and every record against the store; exits 1
    when anything is damaged (with --repair: removes it, and the next render makes it again)."""
    from storyreel.store.recover import lost_work
    from storyreel.store.verify import verify

    p = Project.open(project)
    if lost := lost_work(p.state_dir):
        raise StoryreelError(lost)
    report = verify(p.state_dir, repair=repair)
    if report.recovered:
        console.print(report.recovered, highlight=False, markup=False, soft_wrap=True)
    if as_json:
        out(json.dumps(report.to_json(), indent=2))
    else:
        state = f"{len(report.damaged)} damaged" if report.damaged else "all intact"
        out(f"checked {report.objects} objects ({report.bytes / 1e6:.1f} MB): {state}")
        for d in report.damaged:
            out(f"  {d.digest[:12]} {d.what} ({d.problem})")
        if repair and report.damaged:
            out(
                f"removed {report.removed} damaged objects and {report.forgotten} records that "
                "pointed at them; `storyreel render` makes them again"
            )
        elif report.damaged:
            out("`storyreel verify --repair` removes them, and the next render makes them again")
    if report.damaged and not repair:
        raise typer.Exit(1)
