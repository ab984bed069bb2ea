"""`storyreel write`: an idea → a Fountain screenplay and a `storyreel.toml` draft."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from storyreel.backends import check_spec
from storyreel.cli.app import command, out, say
from storyreel.cli.progress import watching
from storyreel.config import load_config
from storyreel.errors import StoryreelError
from storyreel.run.writing import save_written, write_screenplay
from storyreel.store.project import CONFIG_NAME
from storyreel.writers.configured import open_writer, writer_spec
from storyreel.writers.write import REPAIRS, Brief


@command("write")
def write_cmd(
    idea: Annotated[str, typer.Argument(help="The film in a sentence or a paragraph.")],
    pages: Annotated[int, typer.Option("--pages", "-p", help="About how many pages.")] = 3,
    genre: Annotated[str | None, typer.Option("--genre", help="noir, comedy, drama...")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The screenplay to write.")] = Path(
        "script.fountain"
    ),
    writer: Annotated[
        str | None,
        typer.Option("--writer", help='The language model, e.g. "openai:gpt-4.1-mini".'),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Same idea and seed, same script.")] = 0,
    outline: Annotated[
        Path | None,
        typer.Option(
            "--outline", help="Use this outline (JSON) when it exists; else write the model's here."
        ),
    ] = None,
    repairs: Annotated[
        int, typer.Option("--repairs", help="Answers that do not check go back this often.")
    ] = REPAIRS,
    show: Annotated[
        bool, typer.Option("--show", help="Print the model's words as they come (stderr).")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing script.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON event a line.")] = False,
) -> None:
    """Write a screenplay from an idea: premise, outline, scenes, each stored and keyed, so a
    rerun with the same idea and seed asks the model nothing. The scenes are checked by
    storyreel's own parser and directive grammar; an answer that is not Fountain goes back to
    the model (--repairs times), then the command fails and writes nothing."""
    brief = Brief(idea, pages, genre, seed)
    if output.exists() and not force:
        raise StoryreelError(
            "exists; --force replaces it (nothing was asked of the writer)", output
        )
    if repairs < 0:
        raise StoryreelError(f"--repairs {repairs} is below 0")
    root = output.parent
    config_path = root / CONFIG_NAME
    spec = writer_spec(writer, load_config(config_path if config_path.exists() else None))
    check_spec("writer", spec)
    with watching(quiet, as_json, bar=not show) as subscribers:
        written = write_screenplay(
            root,
            lambda db, answers: open_writer(spec, db, answers),
            spec,
            brief,
            script_name=str(output),
            outline_file=outline,
            repairs=repairs,
            subscribers=subscribers,
            on_text=_shown if show else None,
        )
        _, config = save_written(written, output, force=force, events=subscribers)
    if config != config_path and not as_json:
        say(f"kept {config_path}; the draft's characters and look are in {config}")
    if not (quiet or as_json):
        usage = written.usage
        cost = "unknown" if usage["cost"] is None else f"{usage['cost']:.4f}"
        out(
            f"{written.story['title']}: {len(written.plan['scenes'])} scenes; "
            f"{usage['requests']} requests, {usage['tokens_in']} tokens in, "
            f"{usage['tokens_out']} out, cost {cost}"
        )


def _shown(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()
