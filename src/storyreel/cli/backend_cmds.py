"""`storyreel backends`: the installed backends per stage, what each needs, and whether it is ready.

Everything listed is what the backend's class declares (`storyreel.backends.Backend`): its extra,
the modules it imports, its environment variables, GPU, whether its clips land on a last frame,
its argument and its options. A built-in backend that declares none is always ready.
"""

from __future__ import annotations

import importlib.util
import json
import os
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from storyreel.backends import Backend, installed, split_spec
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
    """One backend's declaration, requirements and readiness, from its entry point."""
    stage, _, name = ep.name.partition(".")
    row: dict[str, Any] = {
        "stage": stage,
        "name": name,
        "target": ep.value,
        "extra": None,
        "env": [],
        "gpu": False,
        "lands": None,
        "argument": None,
        "options": {},
        "missing": [],
    }
    try:
        cls = ep.load()
    except Exception as e:  # a broken or half-installed plugin must not break the listing
        row["missing"].append(f"cannot load: {type(e).__name__}: {e}")
        row["ready"] = False
        return row
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        row["missing"].append("not a storyreel Backend (subclass StillsBackend or MotionBackend)")
        row["ready"] = False
        return row
    row["extra"] = cls.extra
    row["env"] = [" or ".join(group) for group in cls.env]
    row["gpu"] = cls.gpu
    row["version"] = cls.version
    row["lands"] = cls.landing.value if cls.stage == "motion" else None
    row["argument"] = (
        None
        if cls.argument is None
        else {
            "name": cls.argument.name,
            "help": cls.argument.help,
            "example": cls.argument.example,
            "required": cls.argument.required,
        }
    )
    row["options"] = {
        key: {"type": o.type, "help": o.help, "example": o.example}
        for key, o in cls.options.items()
    }
    for module in cls.packages:
        if not _importable(module):
            hint = f" (pip install 'storyreel[{row['extra']}]')" if row["extra"] else ""
            row["missing"].append(f"package {module}{hint}")
    for group in cls.env:
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
        raise StoryreelError(
            f"unknown backend {name!r}{did_you_mean(name, known)}; known: {', '.join(known)}"
        )
    return found


@command("backends")
def backends(
    name: str | None = typer.Argument(
        None, help="only this backend: kling, motion.kling or kling:kling-v2-1"
    ),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """The installed stills and motion backends, what each needs, and whether it is ready."""
    eps = sorted(installed(), key=lambda ep: ep.name)
    if name:
        eps = _select(eps, name)
    rows = [describe(ep) for ep in eps]
    if as_json:
        out(json.dumps(rows, indent=2))
        return
    table = Table(title="storyreel backends")
    for col in ("stage", "backend", "extra", "keys", "GPU", "lands", "options", "ready", "missing"):
        table.add_column(col)
    for r in rows:
        options = "\n".join(f"{k}={o['example']}" for k, o in r["options"].items())
        table.add_row(
            *(
                Text(cell)
                for cell in (
                    r["stage"],
                    r["name"],
                    r["extra"] or "built in",
                    "\n".join(r["env"]) or "-",
                    "yes" if r["gpu"] else "-",
                    r["lands"] or "-",
                    options or "-",
                )
            ),
            Text("yes", style="green") if r["ready"] else Text("no", style="red"),
            Text("\n".join(r["missing"]) or "-"),
        )
    Console().print(table)
