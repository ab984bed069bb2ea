"""Build events: what a build is doing, as it happens, for whoever listens.

The runner publishes one typed event for each thing a person or a program watching a build would
want to know: the build started, a stage started, made progress or finished, one unit of a stage
(a shot's still, a clip, a segment) was computed, reused or failed, a warning, a repaired object,
a file written, the build finished with its report. The rich progress bar, `render --json` (one
JSON object per event, one per line: `docs/events.md`), the `BuildReport` and anything later (the
studio, a cluster driver) subscribe to the same stream; none of them is called by the stages.

Subscribers are called on the thread that publishes, in the order they subscribed, under one lock,
so each sees the events of a build in one order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Event:
    kind: ClassVar[str]

    def to_json(self) -> dict[str, Any]:
        return {"event": self.kind, **asdict(self)}


@dataclass(frozen=True)
class BuildStarted(Event):
    kind: ClassVar[str] = "build_started"
    project: str
    output: str
    draft: bool = False
    until: str | None = None  # the last stage this build runs ("stills", "clips"; None: all)


@dataclass(frozen=True)
class StageStarted(Event):
    kind: ClassVar[str] = "stage_started"
    stage: str
    total: int | None = None  # units of work (shots, takes, frames); None when unknown


@dataclass(frozen=True)
class StageProgress(Event):
    kind: ClassVar[str] = "stage_progress"
    stage: str
    done: int
    total: int | None = None


@dataclass(frozen=True)
class StageFinished(Event):
    kind: ClassVar[str] = "stage_finished"
    stage: str
    computed: int = 0
    reused: int = 0
    failed: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class Computed(Event):
    """One unit of a stage made anew; `item` names it (a take id, a segment's key)."""

    kind: ClassVar[str] = "computed"
    stage: str
    item: str
    shot: str | None = None
    frames: int = 0  # frames of picture rendered for it


@dataclass(frozen=True)
class Reused(Event):
    kind: ClassVar[str] = "reused"
    stage: str
    item: str
    shot: str | None = None


@dataclass(frozen=True)
class Failed(Event):
    """A backend refused a shot (`fatal`: the cut shows a slate) or one of its other takes."""

    kind: ClassVar[str] = "failed"
    stage: str
    item: str
    shot: str | None
    message: str
    fatal: bool = True


@dataclass(frozen=True)
class Warned(Event):
    kind: ClassVar[str] = "warning"
    message: str


@dataclass(frozen=True)
class Repaired(Event):
    """A stored object found corrupt or missing: removed, and its unit recomputed."""

    kind: ClassVar[str] = "repaired"
    message: str


@dataclass(frozen=True)
class FileWritten(Event):
    kind: ClassVar[str] = "file_written"
    path: str


@dataclass(frozen=True)
class LoudnessMeasured(Event):
    """The mix as measured (ITU-R BS.1770): integrated loudness, true peak, and the target."""

    kind: ClassVar[str] = "loudness"
    integrated: float  # LUFS
    true_peak: float  # dBTP
    target: float  # LUFS


@dataclass(frozen=True)
class ShotsChanged(Event):
    """What the breakdown found against the last build: added, removed and changed shot ids."""

    kind: ClassVar[str] = "shots_changed"
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CutPlaced(Event):
    """Where each shot sits in the cut about to be assembled, and the stored segments it is
    made of (all in frames): a player seeks to a shot without rebuilding the timeline."""

    kind: ClassVar[str] = "cut_placed"
    output: str
    fps: str
    frames: int
    shots: list[dict[str, Any]] = field(default_factory=list)  # {"shot", "start", "length"}
    segments: list[dict[str, Any]] = field(default_factory=list)  # {"start", "length", "digest"}


@dataclass(frozen=True)
class BuildFinished(Event):
    kind: ClassVar[str] = "build_finished"
    report: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[Event], None]


class EventBus:
    """Publishes each event to every subscriber, one event at a time."""

    def __init__(self, *subscribers: Subscriber):
        self._subscribers: list[Subscriber] = list(subscribers)
        self._lock = threading.RLock()

    def subscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.append(subscriber)

    def publish(self, event: Event) -> None:
        with self._lock:
            for subscriber in self._subscribers:
                subscriber(event)
