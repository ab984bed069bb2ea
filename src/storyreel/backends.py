"""The backend registry: entry-point group `storyreel.backends`.

An entry point is named `<stage>.<backend>` (`stills.previz`, `motion.camera`) and points at a
class with `name`, `version` and the stage's one method. A project names a backend as
`name` or `name:argument` (`diffusers:stabilityai/sdxl-turbo`, `folder:exports/`), so a third
party adds one by shipping an entry point, without touching the core.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from storyreel.errors import StoryreelError, did_you_mean

GROUP = "storyreel.backends"


def available(stage: str) -> dict[str, Any]:
    """Backend name → entry point, for one stage."""
    prefix = f"{stage}."
    return {ep.name[len(prefix):]: ep for ep in entry_points(group=GROUP) if ep.name.startswith(prefix)}


def split_spec(spec: str) -> tuple[str, str | None]:
    """`"diffusers:stabilityai/sdxl-turbo"` → `("diffusers", "stabilityai/sdxl-turbo")`."""
    name, _, arg = spec.partition(":")
    return name.strip(), (arg.strip() or None)


def load_backend(stage: str, spec: str, **options: Any) -> Any:
    """An instance of the backend named by `spec` for `stage` ("stills" or "motion")."""
    name, arg = split_spec(spec)
    found = available(stage)
    if name not in found:
        hint = did_you_mean(name, list(found))
        known = ", ".join(sorted(found)) or "none installed"
        raise StoryreelError(f"unknown {stage} backend {name!r}{hint}; known: {known}")
    cls = found[name].load()
    return cls(arg, **options) if arg is not None else cls(**options)
