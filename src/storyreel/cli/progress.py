"""What a terminal shows of a build: a progress bar per stage with the time it has left, each
file named as soon as it is written (the contact sheet and the film's first minute come before
the cut), or one JSON object per event.

Both are subscribers of the build's events (`storyreel.run.events`); `docs/events.md` documents
the JSON lines.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from storyreel.run.events import (
    Event,
    Failed,
    FileWritten,
    Repaired,
    StageFinished,
    StageProgress,
    StageStarted,
    Subscriber,
)


class ConsoleView:
    """A rich progress bar per stage on stderr; files written, repairs and refused shots said as
    they happen."""

    def __init__(self, console: Console, bar: bool = True):
        self.console = console
        self.progress = Progress(
            TextColumn("{task.description:<10}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not bar,
        )
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, event: Event) -> None:
        match event:
            case StageStarted(stage=stage, total=total):
                self.tasks[stage] = self.progress.add_task(stage, total=total)
            case StageProgress(stage=stage, done=done) if stage in self.tasks:
                self.progress.update(self.tasks[stage], completed=done)
            case StageFinished(stage=stage) if stage in self.tasks:
                task = self.tasks.pop(stage)
                total = self.progress.tasks[task].total or 1
                self.progress.update(task, completed=total, total=total)
            case FileWritten(path=path):
                self.say(f"wrote {path}")
            case Repaired(message=message):
                self.say(message)
            case Failed(fatal=True, shot=shot, message=message):
                self.say(f"shot {shot} failed: {message}")

    def say(self, message: str) -> None:
        self.console.print(message, highlight=False, markup=False, soft_wrap=True)


def json_lines(stream: TextIO | None = None) -> Subscriber:
    """A subscriber printing each event as one JSON object on a line (stdout by default)."""

    def write(event: Event) -> None:
        out = stream or sys.stdout
        out.write(json.dumps(event.to_json(), default=str) + "\n")
        out.flush()

    return write


@contextmanager
def paused(subscribers: tuple[Any, ...]) -> Iterator[None]:
    """The progress bars among `subscribers` off the terminal for a while (to ask a question)."""
    bars = [s.progress for s in subscribers if isinstance(s, ConsoleView)]
    for bar in bars:
        bar.stop()
    try:
        yield
    finally:
        for bar in bars:
            bar.start()


@contextmanager
def watching(
    quiet: bool = False, as_json: bool = False, bar: bool = True
) -> Iterator[tuple[Any, ...]]:
    """The subscribers a command gives its build: JSON lines, or the console view (no bar when
    `bar` is off, nothing at all when `quiet`)."""
    if as_json:
        yield (json_lines(),)
        return
    view = ConsoleView(Console(stderr=True, quiet=quiet), bar=bar and not quiet)
    with view.progress:
        yield (view,)
