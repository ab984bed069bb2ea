"""The typer app and the `command` decorator that turns bad input into `file:line: message`.

User text (paths, values, script words) is printed as text, never read as rich markup: a
`[/b]` in a message is shown, not interpreted.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.text import Text

from storyreel.errors import StoryreelError

app = typer.Typer(
    name="storyreel",
    help="Generative cinema from a screenplay: Fountain in, a cut and an editorial timeline out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(stderr=True)


def say(message: str, prefix: str = "", style: str = "") -> None:
    """One message on stderr as plain text, after an optional styled prefix ("error:")."""
    text = Text.assemble((prefix, style), " ", message) if prefix else Text(message)
    console.print(text, highlight=False, soft_wrap=True)


def os_error(e: OSError) -> StoryreelError:
    """An operating system's refusal as a one-line message naming its path."""
    reason = e.strerror or str(e) or e.__class__.__name__
    path = e.filename if e.filename is not None else None
    if e.filename2 is not None:
        reason = f"{reason} (to {e.filename2})"
    return StoryreelError(reason[:1].lower() + reason[1:], path)


def command(
    name: str | None = None, **kwargs: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a command; a `StoryreelError` (or an `OSError` on a path) prints as
    `path:line: message` and exits 2."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kw: Any) -> Any:
            try:
                return fn(*args, **kw)
            except StoryreelError as e:
                say(str(e), "error:", "bold red")
                raise typer.Exit(2) from None
            except OSError as e:
                say(str(os_error(e)), "error:", "bold red")
                raise typer.Exit(2) from None
            except KeyboardInterrupt:
                say("interrupted; finished work is kept")
                raise typer.Exit(130) from None

        return app.command(name, **kwargs)(run)

    return wrap


def out(text: str) -> None:
    """Plain text to stdout (machine-readable output must not pass through rich)."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
