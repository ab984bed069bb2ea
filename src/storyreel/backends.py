"""The `Backend` base, where each backend declares what it can do, and the registry (entry points).

An entry point of group `storyreel.backends` is named `<stage>.<backend>` (`stills.previz`,
`motion.camera`) and points at a subclass of `StillsBackend` (`stills/base.py`),
`MotionBackend` (`motion/base.py`), `WriterBackend` (`writers/base.py`) or a sound backend. A project names a backend as `name`, `name:ARGUMENT` or
`name:ARGUMENT?option=value&...` (`diffusers:stabilityai/sdxl-turbo?steps=2`, `folder:exports/`),
so a third party adds one by shipping an entry point, without touching the core.

Everything a caller needs to know about a backend is a class attribute of `Backend`: the listing
(`storyreel backends`), the project check (`check_specs`), the build and the conformance suite
read those fields, and nothing probes with `getattr`. A spec is checked against the declared
`argument` and `options` before any work (`Backend.check`), so a typo in `storyreel.toml` is an
error at its line, not an option silently dropped.

Landing on a last frame (a clip that arrives at the next shot's still across a match cut) can
depend on the model a spec names. The class declares `landing` for the listing ("yes", "no" or
"some models"); an instance answers `lands` for its own spec (a property where the model decides).
"""

from __future__ import annotations

import functools
import urllib.parse
from abc import ABC
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar

from storyreel.config import ProjectConfig, _line_of
from storyreel.errors import StoryreelError, did_you_mean
from storyreel.model import FrameSource, Shot

GROUP = "storyreel.backends"
STAGES = ("stills", "motion", "writer", "voice", "music", "effects")
SHOT_STAGES = ("stills", "motion")  # what `[backends.shots.ID]` may name


class Landing(StrEnum):
    """Whether a backend's clips can arrive at a given last frame, as `storyreel backends` lists it."""

    NEVER = "no"
    ALWAYS = "yes"
    SOME_MODELS = "some models"  # the instance's `lands` answers for the model its spec names


@dataclass(frozen=True)
class Option:
    """One `?key=value` option a backend's spec accepts.

    Args:
        type: what a value looks like, as messages and the listing say it ("whole number > 0").
        help: one line on what the option does.
        example: a value that is accepted (the listing shows it; the conformance suite sends it).
        parse: the value's text → its value; raises ValueError for a bad one.
    """

    type: str
    help: str
    example: str
    parse: Callable[[str], Any] = str


def choice(help: str, *values: str) -> Option:
    """An `Option` whose value is one of `values` (the first is its example)."""

    def parse(text: str) -> str:
        if text not in values:
            raise ValueError(text)
        return text

    return Option(" | ".join(values), help, values[0], parse)


@dataclass(frozen=True)
class Argument:
    """What follows `name:` in a spec (a model id, a folder)."""

    name: str  # "model", "folder": as the listing and messages say it
    help: str
    example: str
    required: bool = False


class Backend(ABC):
    """What every stills and motion backend declares; subclass `StillsBackend` or `MotionBackend`.

    Class attributes:
        name: the spec's name (`kling` in `kling:kling-v2-1`).
        version: bumped when the same inputs make different output; it is part of every key.
        stage: "stills" or "motion" (set by the stage base).
        extra: the pip extra that installs what it imports, or None when built in.
        packages: modules it imports (the listing says which are missing).
        env: groups of environment variables; one variable of each group is needed.
        gpu: whether it wants a CUDA GPU (it may still run on the CPU, slowly).
        landing: whether its clips can arrive at a last frame (see `lands`).
        argument: what `name:ARGUMENT` names, or None when the backend takes none.
        options: the `?key=value` options it accepts, by key.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    stage: ClassVar[str]
    extra: ClassVar[str | None] = None
    packages: ClassVar[tuple[str, ...]] = ()
    env: ClassVar[tuple[tuple[str, ...], ...]] = ()
    gpu: ClassVar[bool] = False
    landing: ClassVar[Landing] = Landing.NEVER
    argument: ClassVar[Argument | None] = None
    options: ClassVar[Mapping[str, Option]] = {}

    @property
    def lands(self) -> bool:
        """Whether this instance's clips arrive at `ClipRequest.end_still`: a backend whose
        `landing` is "some models" answers for the model its spec names."""
        return self.landing is Landing.ALWAYS

    def cache_token(self, shot: Shot, root: Path | None) -> str | None:
        """What else decides this backend's output for `shot` (a model id, a folder's files), for
        the take's key; None when the request says it all.

        Args:
            shot: the shot a take is made for.
            root: the project folder (None outside a project).
        """
        return None

    def params(self, source: FrameSource) -> dict[str, Any]:
        """What a clip's provenance records about it once its frames exist (beyond its `meta`)."""
        return {}

    @classmethod
    def check(cls, argument: str | None) -> tuple[str | None, dict[str, Any]]:
        """A spec's argument checked against the declaration: (the argument before `?`, or None;
        its options, parsed). Raises a `StoryreelError` naming the backend for a missing or
        unexpected argument, an unknown option (with a did-you-mean) or a bad value."""
        value, _, query = (argument or "").strip().partition("?")
        value = value.strip() or None
        if cls.argument is None and value is not None:
            raise StoryreelError(f"{cls.name} takes no argument (got {cls.name}:{value})")
        if cls.argument is not None and cls.argument.required and value is None:
            raise StoryreelError(
                f"{cls.name}: name a {cls.argument.name}, e.g. {cls.name}:{cls.argument.example}"
            )
        parsed: dict[str, Any] = {}
        for key, text in urllib.parse.parse_qsl(query, keep_blank_values=True):
            option = cls.options.get(key)
            if option is None:
                known = ", ".join(cls.options) or "none"
                raise StoryreelError(
                    f"{cls.name}: unknown option {key!r}"
                    f"{did_you_mean(key, list(cls.options))}; known: {known}"
                )
            try:
                parsed[key] = option.parse(text)
            except (ValueError, ZeroDivisionError):
                raise StoryreelError(
                    f"{cls.name}: bad option {key}={text!r} (expected {option.type})"
                ) from None
        return value, parsed


@functools.cache
def installed() -> tuple[Any, ...]:
    """The installed backends' entry points, read once a process (reading them takes tens of
    milliseconds, and a studio builds again at every save): a plugin installed later is found
    by the next `storyreel` command, or the studio restarted."""
    return tuple(entry_points(group=GROUP))


def available(stage: str, found: Any = None) -> dict[str, Any]:
    """Backend name → entry point, for one stage (among `found`, default: the installed ones)."""
    prefix = f"{stage}."
    eps = installed() if found is None else found
    return {ep.name[len(prefix) :]: ep for ep in eps if ep.name.startswith(prefix)}


def split_spec(spec: str) -> tuple[str, str | None]:
    """`"diffusers:stabilityai/sdxl-turbo"` → `("diffusers", "stabilityai/sdxl-turbo")`."""
    name, _, arg = spec.partition(":")
    return name.strip(), (arg.strip() or None)


def backend_class(stage: str, name: str, found: Mapping[str, Any] | None = None) -> type[Backend]:
    """The class registered as `stage.name` (among `found`, default: the installed entry points);
    an unknown name gets a did-you-mean and the known ones."""
    found = available(stage) if found is None else found
    if name not in found:
        hint = did_you_mean(name, list(found))
        known = ", ".join(sorted(found)) or "none installed"
        raise StoryreelError(f"unknown {stage} backend {name!r}{hint}; known: {known}")
    try:
        cls = found[name].load()
    except Exception as e:  # a broken or half-installed plugin: say which, not a traceback
        raise StoryreelError(
            f"{stage} backend {name!r} cannot be loaded ({type(e).__name__}: {e})"
        ) from None
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise StoryreelError(
            f"{stage} backend {name!r} ({found[name].value}) is not a storyreel Backend"
        )
    return cls


def load_backend(stage: str, spec: str, **settings: Any) -> Any:
    """An instance of the backend named by `spec` for `stage` ("stills" or "motion"); `settings`
    are the constructor's keywords (a hosted backend's `ledger`, `base_url`...)."""
    name, arg = split_spec(spec)
    cls = backend_class(stage, name)
    return cls(arg, **settings) if arg is not None else cls(**settings)


def check_spec(stage: str, spec: str, found: Mapping[str, Any] | None = None) -> type[Backend]:
    """The class of `spec`, after checking its name, argument and options (nothing is loaded)."""
    name, arg = split_spec(spec)
    cls = backend_class(stage, name, found)
    cls.check(arg)
    return cls


def check_specs(config: ProjectConfig, config_path: Path | None) -> None:
    """Check every backend a project names (`[backends]` and `[backends.shots.ID]`) before any
    work; an error names `storyreel.toml:LINE`. A project without the file has only defaults."""
    if config_path is None:
        return
    text = config_path.read_text(encoding="utf-8")
    named = [
        (("backends", "stills"), "stills", config.backends.stills),
        (("backends", "motion"), "motion", config.backends.motion),
        (("backends", "voice"), "voice", config.backends.voice),
    ]
    if config.backends.writer:
        named.append((("backends", "writer"), "writer", config.backends.writer))
    for stage in ("music", "effects"):
        if getattr(config.backends, stage):
            named.append((("backends", stage), stage, getattr(config.backends, stage)))
    for shot_id, overrides in config.backends.shots.items():
        for stage, spec in overrides.items():
            where = ("backends", "shots", shot_id, stage)
            if stage not in SHOT_STAGES:
                raise StoryreelError(
                    f"backends.shots.{shot_id}: unknown stage {stage!r}"
                    f"{did_you_mean(stage, SHOT_STAGES)}; one of {', '.join(SHOT_STAGES)}",
                    config_path,
                    _line_of(text, where),
                )
            named.append((where, stage, spec))
    found = installed()
    registry = {stage: available(stage, found) for stage in STAGES}
    for where, stage, spec in named:
        try:
            check_spec(stage, spec, registry[stage])
        except StoryreelError as e:
            raise StoryreelError(e.message, config_path, _line_of(text, where)) from None
