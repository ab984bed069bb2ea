"""`storyreel backends`: the installed backends per stage, what each needs, and whether it is ready.

A backend class may declare `extra` (the pip extra that installs it), `packages` (modules it
imports), `env` (groups of environment variables, one of each group needed) and `gpu`; a backend
that declares none is built in and always ready.
"""

from __future__ import annotations

import importlib.util
import json
import os
from importlib.metadata import entry_points
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from storyreel.backends import GROUP, split_spec
from storyreel.cli.app import command, out
from storyreel.errors import StoryreelError, did_you_mean


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _gpu() -> bool:
    if not _importable("torch"):
        return False
    import torch

    return bool(torch.cuda.is_available())


def describe(ep: Any) -> dict[str, Any]:
    """One backend's requirements and readiness, from its entry point."""
    stage, _, name = ep.name.partition(".")
    row: dict[str, Any] = {"stage": stage, "name": name, "target": ep.value, "extra": None,
                           "env": [], "gpu": False, "missing": []}
    try:
        cls = ep.load()
    except Exception as e:  # a broken or half-installed plugin must not break the listing
        row["missing"].append(f"cannot load: {type(e).__name__}: {e}")
        row["ready"] = False
        return row
    row["extra"] = getattr(cls, "extra", None)
    row["env"] = [" or ".join(group) for group in getattr(cls, "env", ())]
    row["gpu"] = bool(getattr(cls, "gpu", False))
    row["version"] = str(getattr(cls, "version", ""))
    for module in getattr(cls, "packages", ()):
        if not _importable(module):
            hint = f" (pip install 'storyreel[{row['extra']}]')" if row["extra"] else ""
            row["missing"].append(f"package {module}{hint}")
    for group in getattr(cls, "env", ()):
        if not any(os.environ.get(var) for var in group):
            row["missing"].append(f"${' or $'.join(group)}")
    if row["gpu"] and not _gpu():
        row["missing"].append("a CUDA GPU (runs on CPU, slowly)")
    row["ready"] = not [m for m in row["missing"] if not m.startswith("a CUDA GPU")]
    return row


def _select(eps: list[Any], wanted: str) -> list[Any]:
    name, _ = split_spec(wanted)
    stage, dot, short = name.rpartition(".")
    found = [ep for ep in eps if (ep.name == name if dot else ep.name.partition(".")[2] == short)]
    if not found:
        known = sorted({ep.name if dot else ep.name.partition(".")[2] for ep in eps})
        raise StoryreelError(f"unknown backend {name!r}{did_you_mean(name, known)}; known: {', '.join(known)}")
    return found


@command("backends")
def backends(
    name: str | None = typer.Argument(None, help="only this backend: kling, motion.kling or kling:kling-v2-1"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """The installed stills and motion backends, what each needs, and whether it is ready."""
    eps = sorted(entry_points(group=GROUP), key=lambda ep: ep.name)
    if name:
        eps = _select(eps, name)
    rows = [describe(ep) for ep in eps]
    if as_json:
        out(json.dumps(rows, indent=2))
        return
    table = Table(title="storyreel backends")
    for col in ("stage", "backend", "extra", "keys", "GPU", "ready", "missing"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["stage"], r["name"], r["extra"] or "built in", "\n".join(r["env"]) or "-",
                      "yes" if r["gpu"] else "-", "[green]yes[/]" if r["ready"] else "[red]no[/]",
                      "\n".join(r["missing"]) or "-")
    Console().print(table)
