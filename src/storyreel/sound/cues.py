"""What music and effects backends are asked for, and what they give: the requests, the cue, and
the backend bases of the `music` and `effects` stages.

A music cue scores one scene from its mood, its length and the look; an effect is one sound a
word names (rain, a door), a bed to loop under a scene or a spot at a shot. Both come back as an
audio file with its provenance, which the run room stores as a take (`storyreel.run.sound`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from storyreel.backends import Backend
from storyreel.sound.mix import RATE, decode


@dataclass(frozen=True)
class CueRequest:
    """A music cue for a scene: what to play (`prompt`), for how long, from which seed."""

    scene_id: str
    prompt: str
    seconds: float
    seed: int
    project_root: Path | None = None


@dataclass(frozen=True)
class EffectRequest:
    """An effect: the `word` it is named by, how to describe it, its length, and whether it is a
    bed to loop under a scene (`ambience`) or a spot at a shot."""

    word: str
    prompt: str
    seconds: float
    ambience: bool
    seed: int
    project_root: Path | None = None


@dataclass(frozen=True)
class Cue:
    """A generated or chosen sound: its audio file and its provenance."""

    path: Path
    meta: dict[str, Any] = field(default_factory=dict)


class MusicBackend(Backend):
    """A backend of the `music` stage. `per_scene` backends score each scene; the others (the
    user's file) give one bed for the whole film."""

    stage: ClassVar[str] = "music"
    per_scene: ClassVar[bool] = True

    def score(self, request: CueRequest) -> Cue:
        """The cue for one scene (or the film's bed), as an audio file."""
        raise NotImplementedError


class EffectsBackend(Backend):
    """A backend of the `effects` stage. `lengths` is the shortest and longest sound it makes,
    in seconds, as its vendor documents them (an ambience bed is asked for its scene's length
    within them); None for one whose sounds have their own lengths (a folder's files)."""

    stage: ClassVar[str] = "effects"
    lengths: ClassVar[tuple[float, float] | None] = None

    def sound(self, request: EffectRequest) -> Cue:
        """The effect `request.word` names, as an audio file; a `StoryreelError` when there is
        none (that effect alone is left out, a silent gap)."""
        raise NotImplementedError


def audio_seconds(path: Path) -> float:
    """A sound's length as decoded (an MP3's headers only estimate it)."""
    return round(sum(len(block) for block in decode(path)) / RATE, 3)
