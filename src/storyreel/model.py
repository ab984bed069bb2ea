"""Types shared by every stage.

Rooms (script, stills, motion, edit, render, review, store, run) talk through these types
(shots, takes, stills, an editor's overrides) and the stage protocols, never through each
other's insides. Time is frame-exact: frame rates are
`Fraction`s, frame counts are integers decided once with `frames_for`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field


class ShotSize(StrEnum):
    EWS = "EWS"
    WS = "WS"
    FS = "FS"
    MWS = "MWS"
    MS = "MS"
    MCU = "MCU"
    CU = "CU"
    ECU = "ECU"
    OTS = "OTS"
    POV = "POV"
    INSERT = "INSERT"
    TWO = "TWO"


class Angle(StrEnum):
    EYE = "eye"
    LOW = "low"
    HIGH = "high"
    OVERHEAD = "overhead"
    DUTCH = "dutch"


class Move(StrEnum):
    STATIC = "static"
    PUSH_IN = "push-in"
    PULL_OUT = "pull-out"
    ZOOM_IN = "zoom-in"
    ZOOM_OUT = "zoom-out"
    PAN_LEFT = "pan-left"
    PAN_RIGHT = "pan-right"
    TILT_UP = "tilt-up"
    TILT_DOWN = "tilt-down"
    TRUCK_LEFT = "truck-left"
    TRUCK_RIGHT = "truck-right"
    PEDESTAL_UP = "pedestal-up"
    PEDESTAL_DOWN = "pedestal-down"
    CRANE_UP = "crane-up"
    CRANE_DOWN = "crane-down"
    ARC_LEFT = "arc-left"
    ARC_RIGHT = "arc-right"
    HANDHELD = "handheld"
    DOLLY_ZOOM = "dolly-zoom"
    RACK_FOCUS = "rack-focus"


class Easing(StrEnum):
    EASE_IN_OUT = "ease-in-out"
    LINEAR = "linear"
    EASE_IN = "ease-in"
    EASE_OUT = "ease-out"


class TransitionKind(StrEnum):
    CUT = "cut"
    DISSOLVE = "dissolve"
    FADE_IN = "fade-in"
    FADE_OUT = "fade-out"
    SMASH_CUT = "smash-cut"
    MATCH_CUT = "match-cut"
    WIPE = "wipe"


class Model(BaseModel):
    """Base for the serialisable types: strict about unknown fields, JSON round-trippable."""

    model_config = ConfigDict(extra="forbid")


class SourceSpan(Model):
    """Where something came from: 1-based inclusive line numbers in a source file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str | None = None
    start: int
    end: int

    def __str__(self) -> str:
        where = self.path or "<script>"
        return (
            f"{where}:{self.start}"
            if self.start == self.end
            else f"{where}:{self.start}-{self.end}"
        )


class DialogueLine(Model):
    character: str
    extension: str | None = None  # V.O., O.S., CONT'D ...
    parenthetical: str | None = None
    text: str
    dual: bool = False
    lines: SourceSpan


class Transition(Model):
    """How a shot is entered, or the film left: the kind and its length in frames (0 for a cut)."""

    kind: TransitionKind = TransitionKind.CUT
    frames: int = Field(default=0, ge=0)


class ScenePlace(Model):
    """The set a scene is painted in, as its heading reads (`script/places.py`)."""

    kind: str  # one of the previz's set kinds: "bedroom", "pool", "city" ...
    interior: bool
    time: str  # the light: day, night, dusk, dawn, magic (CONTINUOUS keeps the scene before's)
    generic: bool = False  # no place word named a set: the generic one the words suggest
    why: str = ""  # the words that chose it, for a person


class Scene(Model):
    id: str
    number: str  # "1", "1A" ... from `#1A#` or counted
    heading: str  # as written: "EXT. ROOFTOP - NIGHT"
    int_ext: str  # "INT", "EXT", "INT/EXT"
    location: str  # "ROOFTOP"
    time_of_day: str  # "NIGHT", "DAY", "DUSK", "" when unstated
    synopsis: str | None = None
    section: str | None = None
    lines: SourceSpan
    weather: list[str] = Field(default_factory=list)  # in its first action paragraph: rain, fog ...
    # The set the breakdown read for it; None for scenes made by hand (the previz reads the
    # heading itself then). Left out of a dump while None.
    place: ScenePlace | None = Field(default=None, exclude_if=lambda v: v is None)


LENS_RANGE = (8.0, 600.0)  # focal lengths in mm, full-frame (36 mm wide) equivalent


class Shot(Model):
    id: str  # stable across edits elsewhere in the script; an explicit id wins
    scene_id: str
    size: ShotSize
    angle: Angle = Angle.EYE
    move: Move = Move.STATIC
    move_intensity: float = Field(default=1.0, ge=0.0, le=3.0)
    easing: Easing = Easing.EASE_IN_OUT
    subjects: list[str] = Field(default_factory=list)  # character names, upper case
    description: str = ""
    action: str = ""  # the action paragraph it covers, when `description` is the director's note
    dialogue: list[DialogueLine] = Field(default_factory=list)
    lines: SourceSpan
    duration: float = Field(gt=0)  # seconds, estimated or set by a directive
    duration_fixed: bool = False  # set by the director; timing must not stretch it
    transition_in: Transition = Field(default_factory=Transition)
    seed: int | None = None  # from a `[[take: seed N]]` directive
    super: str | None = None  # lower-third text from a directive
    explicit: bool = False  # framed by a `[[shot: ...]]` directive
    # Focal length in mm (full-frame) from a directive; None: the look's lens. Left out of every
    # dump while None (`exclude_if`), so the JSON breakdown and the cache keys of shots without
    # a lens (which hash `model_dump`) stay what they were before shots had lenses.
    lens: float | None = Field(
        default=None, ge=LENS_RANGE[0], le=LENS_RANGE[1], exclude_if=lambda v: v is None
    )


class Card(Model):
    """A title card: the title page, or centered text such as `> THE END <`."""

    text: str
    after_shot: str | None = None  # None: before the first shot
    duration: float = 3.0
    lines: SourceSpan | None = None


class ShotList(Model):
    source: str  # path of the script
    title: str = ""
    title_page: dict[str, str] = Field(default_factory=dict)
    pacing: str = "drama"
    scenes: list[Scene] = Field(default_factory=list)
    shots: list[Shot] = Field(default_factory=list)
    cards: list[Card] = Field(default_factory=list)
    # name → how the action introduces them: `MAYA (38, grey coat ...)` gives "38, grey coat ..."
    cast: dict[str, str] = Field(default_factory=dict)
    ending: Transition | None = None  # after the last shot: fade-out or cut to black; None: unsaid

    @property
    def runtime(self) -> float:
        return sum(s.duration for s in self.shots) + sum(c.duration for c in self.cards)

    def scene(self, scene_id: str) -> Scene:
        return next(s for s in self.scenes if s.id == scene_id)

    def shot(self, shot_id: str) -> Shot:
        return next(s for s in self.shots if s.id == shot_id)


def frames_for(seconds: float | Fraction, fps: Fraction) -> int:
    """The integer frame count for a duration, decided once (round half up, at least 1)."""
    exact = Fraction(seconds).limit_denominator(1_000_000) * fps
    return max(1, math.floor(exact + Fraction(1, 2)))


# --- editorial overrides -------------------------------------------------------------------


class OverrideEntry(Model):
    """One event of an NLE's edit: a shot, its first frame and its length on the timeline."""

    shot_id: str
    src_in: int = Field(ge=0)  # first frame used, counted from the start of the media
    length: int = Field(gt=0)  # frames on the timeline


class EditOverrides(Model):
    """The order and trims an editor made in an NLE, brought back to the project.

    The script stays the source of the shots; overrides only say which shots the cut uses, in
    which order, and which frames of each (`src_in` and `length` in frames of the shot's media,
    whose frame 0 is the start of its head handle).
    """

    source: str  # the edited file they came from
    fps: str  # the frame rate the frames are counted at, "24000/1001"
    entries: list[OverrideEntry]  # picture order; a shot may appear more than once
    known_shots: list[str] = Field(default_factory=list)  # shots in the script at import time
    changes: list[str] = Field(default_factory=list)  # human report of what changed

    @property
    def summary(self) -> str:
        return "\n".join(self.changes) if self.changes else "no changes"


# --- takes and provenance -----------------------------------------------------------------


class Provenance(Model):
    """Everything needed to know how a take was made, and to make it again. Never secrets."""

    backend: str
    version: str
    seed: int
    prompt: str | None = None
    negative_prompt: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    inputs: list[str] = Field(default_factory=list)  # keys of upstream objects (a still for a clip)
    created: datetime = Field(default_factory=lambda: datetime.now(UTC))
    remote_id: str | None = None  # a hosted job's id


class Take(Model):
    id: str
    shot_id: str
    kind: str  # "still" | "clip"
    seed: int
    provenance: Provenance
    path: str | None = None  # the stored image or clip, relative to the project


# --- in-memory media ------------------------------------------------------------------------


@dataclass(frozen=True)
class SpokenLine:
    """A dialogue line as the mix hears it: the WAV of its selected voice take (a silent gap of
    its estimated length when the voice refused it), its length, whether it is heard off screen
    ("V.O." or "O.S.", else None) and its delivery's volume (0..1). The voice stage gives one
    per line, keyed by `edit.timeline.line_key`."""

    wav: Path
    seconds: float
    offscreen: str | None = None
    volume: float = 1.0


@dataclass
class Layer:
    """One depth plane of a still: RGBA, premultiplied=False, same size as the still.

    `depth` is the distance from the camera in scene units (metres); the sky is `math.inf`.
    """

    name: str
    depth: float
    rgba: np.ndarray  # (H, W, 4) uint8


@dataclass
class Still:
    """A keyframe: the flattened image and, when the backend has them, its depth layers."""

    image: np.ndarray  # (H, W, 3) uint8 RGB
    layers: list[Layer] = field(default_factory=list)
    subject_boxes: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # x0,y0,x1,y1
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> tuple[int, int]:
        h, w = self.image.shape[:2]
        return w, h


@runtime_checkable
class FrameSource(Protocol):
    """A clip as frames on demand: random access, so a render streams and never hoards.

    A source whose `frame` may be called from two threads at once, giving the same frames,
    says so with a class attribute `threadsafe = True` (see `threadsafe`): a segment's frames
    are then made on several threads. One that does not say is read from one thread.

    A source that hands out one array for many frames (a still shot, a slug of black) makes it
    read-only: nobody draws on it, and the review look keeps what it made of it
    (`render.planar.PlanarLook`). Any other frame is the caller's to draw on.
    """

    fps: Fraction
    n_frames: int
    size: tuple[int, int]  # (width, height)

    def frame(self, index: int) -> np.ndarray:
        """Frame `index` (0-based) as (H, W, 3) uint8 RGB."""
        ...


def threadsafe(source: FrameSource) -> bool:
    """Whether `source` declares that its frames may be read from two threads at once (an
    optional member of the protocol: a source that does not declare it is not)."""
    return getattr(source, "threadsafe", False) is True
