"""`estimate` and `spend`: what the next render would pay hosted backends, and what renders paid;
`approval`, which a command that may pay gives its build."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from storyreel.cli.app import command, out, say
from storyreel.cli.progress import paused
from storyreel.errors import StoryreelError
from storyreel.run.spend import BY, Estimate, estimate, gate, spend_summary
from storyreel.store.project import Project

_HERE = typer.Argument(Path("."), help="The project (folder, toml or script).")
_JSON = typer.Option(False, "--json", help="One JSON object, amounts as decimal strings.")
_MUSIC = typer.Option(None, "--music", help="The music bed the render would use.")
_DRAFT = typer.Option(False, "--draft", help="Estimate `render --draft`.")
_BY = typer.Option("vendor", "--by", help=f"Group by {', '.join(BY)}.")
YES = typer.Option(
    False, "--yes", "-y", help="Pay hosted backends without asking (needed with no terminal)."
)
BUDGET = typer.Option(
    None, "--budget", help="What hosted backends may be paid in all (over [budget] limit)."
)


def describe(est: Estimate) -> list[str]:
    """The estimate as lines of text: a line a paying job, then the total against the budget."""
    rows = [
        f"  {line.shot:<14} {line.kind:<8} {line.backend:<36} "
        + (
            f"{line.charge.usage.describe():>12} {line.charge.cost!s:>10}"
            if line.charge
            else f"{'':>12} {'?':>10}  {line.unpriced}"
        )
        for line in est.lines
    ]
    total = (
        f"total: {est.total} for {len(est.lines)} hosted job{'s' if len(est.lines) != 1 else ''}"
    )
    if est.limit is not None:
        total += f"; budget {est.limit}, {est.spent} spent, {est.left} left"
    elif est.spent.amount:
        total += f"; {est.spent} spent so far"
    return [*rows, total]


@command("estimate")
def estimate_cmd(
    target: Path = _HERE,
    music: Path = _MUSIC,
    draft: bool = _DRAFT,
    as_json: bool = _JSON,
) -> None:
    """What the next render would submit to hosted backends and pay, shot by shot and in total:
    only what is not made yet nor on the ledger (after a one-shot edit, that shot)."""
    est = estimate(Project.open(target), music=music, draft=draft)
    if as_json:
        out(json.dumps(est.to_json()))
        return
    for line in describe(est):
        out(line)


@command("spend")
def spend_cmd(
    target: Path = _HERE,
    by: str = _BY,
    as_json: bool = _JSON,
) -> None:
    """What the project's renders have paid hosted backends, from the ledger."""
    if by not in BY:
        raise StoryreelError(f"--by {by}: one of {', '.join(BY)}")
    summary = spend_summary(Project.open(target))
    if as_json:
        out(json.dumps(summary.to_json()))
        return
    for name, money in summary.groups[by].items():
        out(f"  {name:<40} {money!s:>10}")
    total = (
        f"total: {summary.total} for {summary.jobs} hosted job{'s' if summary.jobs != 1 else ''}"
    )
    if summary.unpriced:
        total += f" ({summary.unpriced} recorded without a price)"
    if summary.limit is not None:
        total += f"; budget {summary.limit}, {summary.left} left"
    out(total)


def tell(est: Estimate) -> None:
    """The estimate on stderr, before a render pays."""
    say("this would pay hosted backends:")
    for line in describe(est):
        say(line)


def _terminal() -> bool:
    """Whether there is someone at a terminal to ask."""
    return sys.stdin.isatty()


def approval(
    subscribers: tuple[Any, ...],
    *,
    yes: bool,
    budget: float | None = None,
    quiet: bool = False,
    **scope: Any,
) -> Any:
    """The `approve` of a build that may pay: its estimate told on stderr (unless `quiet`),
    then a question on the terminal with the progress bars paused, `--yes`, or a refusal;
    `scope` narrows what is estimated (`storyreel.run.spend.gate`)."""

    def ask(question: str) -> bool:
        with paused(subscribers):
            return typer.confirm(question, default=False)

    return gate(
        yes=yes,
        budget=budget,
        ask=ask if _terminal() else None,
        tell=(lambda est: None) if quiet else tell,
        **scope,
    )
