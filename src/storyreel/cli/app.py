"""The typer app and the `command` decorator that turns bad input into `file:line: message`."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console

from storyreel.errors import StoryreelError

app = typer.Typer(
    name="storyreel",
    help="Generative cinema from a screenplay: Fountain in, a cut and an editorial timeline out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(stderr=True)


def command(name: str | None = None, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a command; a `StoryreelError` prints as `path:line: message` and exits 2."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kw: Any) -> Any:
            try:
                return fn(*args, **kw)
            except StoryreelError as e:
                console.print(f"[bold red]error:[/] {e}", markup=True, highlight=False, soft_wrap=True)
                raise typer.Exit(2) from None
            except KeyboardInterrupt:
                console.print("interrupted; finished work is kept")
                raise typer.Exit(130) from None

        return app.command(name, **kwargs)(run)

    return wrap


def out(text: str) -> None:
    """Plain text to stdout (machine-readable output must not pass through rich)."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
