"""Camera moves as curves: the virtual camera's pose at each frame of a shot.

A pose is a pinhole camera relative to where the still was taken: a translation in metres
(`tx` right, `ty` up, `tz` forward), a rotation (`yaw` right, `pitch` up, `roll`
clockwise, radians), a lens factor (`zoom`, 1 = the shot's focal length) and, for a rack
focus, the depth in focus. A dolly moves the camera (near layers move more than far ones); a
zoom only changes `zoom` (no parallax); pans and tilts rotate (the sky moves too).

The shot's lens (mm on a 36 mm-wide sensor) sets the focal length in pixels. The still keeps
its framing whatever the lens, so a longer lens stands the camera farther back
(`storyreel.lens.lens_depth`): the set behind the subject is then relatively nearer to it, and
the same move shows less parallax; a wide lens closes in and exaggerates it.

Amplitudes are for intensity 1 and scale linearly with it (0 to 3). Lateral moves sweep
symmetrically through the still's framing; push-in / zoom-in start on it, pull-out /
zoom-out end on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np

from storyreel.errors import StoryreelError, did_you_mean
from storyreel.lens import DEFAULT_LENS_MM, focal_px
from storyreel.model import Easing, Move

PUSH = 0.12  # push-in: the subject grows by 12 %
ZOOM = 0.15  # zoom-in: the lens lengthens by 15 %
PAN = 0.10  # pan: the scene sweeps 10 % of the width
TILT = 0.12  # tilt: 12 % of the height
TRUCK = 0.08  # truck: the subject sweeps 8 % of the width
PEDESTAL = 0.10  # pedestal: the subject sweeps 10 % of the height
CRANE = 0.16  # crane: a larger rise, half compensated by tilting toward the subject
ARC = 0.10  # arc: the camera orbits the subject; the background sweeps past it
DOLLY_ZOOM = 0.30  # dolly-zoom: the lens lengthens by 30 % while the camera backs away
SHAKE = 0.006  # handheld: about 0.6 % of the width of low-frequency wander
APERTURE = 0.08  # rack-focus: aperture in metres at the default lens; kept as an f-number


@dataclass(frozen=True)
class Pose:
    tx: float = 0.0
    ty: float = 0.0
    tz: float = 0.0
    yaw: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    zoom: float = 1.0
    focus: float | None = None  # depth in focus (metres); None: everything sharp
    aperture: float = 0.0  # lens aperture in metres: how strongly depth away from focus blurs


def _parse_word(kind: type[Enum], what: str, word: str, path: str | None, line: int | None) -> Any:
    """A word → a member of `kind`; an unknown word names the closest one."""
    try:
        return kind(word.strip().lower())
    except ValueError:
        words = [m.value for m in kind]
        raise StoryreelError(
            f"unknown {what} {word!r}{did_you_mean(word, words)}; one of {', '.join(words)}",
            path,
            line,
        ) from None


def parse_move(word: str, path: str | None = None, line: int | None = None) -> Move:
    return _parse_word(Move, "move", word, path, line)


def parse_easing(word: str, path: str | None = None, line: int | None = None) -> Easing:
    return _parse_word(Easing, "easing", word, path, line)


def check_intensity(value: float, path: str | None = None, line: int | None = None) -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and 0.0 <= value <= 3.0):
        raise StoryreelError(f"move intensity {value!r} is out of range (0 to 3)", path, line)
    return float(value)


def ease(u: float, easing: Easing) -> float:
    """Progress 0..1 → eased progress 0..1 (cubic ease curves, smooth at both ends)."""
    u = min(1.0, max(0.0, u))
    if easing is Easing.LINEAR:
        return u
    if easing is Easing.EASE_IN:
        return u * u * u
    if easing is Easing.EASE_OUT:
        return 1.0 - (1.0 - u) ** 3
    return u * u * (3.0 - 2.0 * u)


@dataclass(frozen=True)
class MoveSpec:
    """Everything a move needs about the scene and the picture."""

    move: Move
    intensity: float
    easing: Easing
    width: int
    height: int
    subject_depth: float  # metres: the layer the move is about
    near_depth: float  # the nearest finite layer (the camera never reaches it)
    far_depth: float  # the farthest finite layer (the rack-focus starts there)
    seed: int = 0
    lens: float | None = None  # mm, full-frame; None: the default 50° view


def pose_at(spec: MoveSpec, u: float, seconds: float) -> Pose:
    """The pose at linear progress `u` (0..1) through the shot, `seconds` from its start."""
    i, w, h, ds = spec.intensity, spec.width, spec.height, spec.subject_depth
    f = focal_px(w, spec.lens)
    e = ease(u, spec.easing)
    c = e - 0.5  # centred progress for sweeps
    m = spec.move
    tz_max = 0.6 * spec.near_depth
    if m in (Move.PUSH_IN, Move.PULL_OUT):
        grow = PUSH * i * (e if m is Move.PUSH_IN else 1.0 - e)
        return Pose(tz=min(tz_max, ds * (1.0 - 1.0 / (1.0 + grow))))
    if m in (Move.ZOOM_IN, Move.ZOOM_OUT):
        return Pose(zoom=1.0 + ZOOM * i * (e if m is Move.ZOOM_IN else 1.0 - e))
    if m in (Move.PAN_LEFT, Move.PAN_RIGHT):
        sign = 1.0 if m is Move.PAN_RIGHT else -1.0
        return Pose(yaw=math.atan(sign * PAN * i * w * c / f))
    if m in (Move.TILT_UP, Move.TILT_DOWN):
        sign = 1.0 if m is Move.TILT_UP else -1.0
        return Pose(pitch=math.atan(sign * TILT * i * h * c / f))
    if m in (Move.TRUCK_LEFT, Move.TRUCK_RIGHT):
        sign = 1.0 if m is Move.TRUCK_RIGHT else -1.0
        return Pose(tx=sign * TRUCK * i * w * c * ds / f)
    if m in (Move.PEDESTAL_UP, Move.PEDESTAL_DOWN):
        sign = 1.0 if m is Move.PEDESTAL_UP else -1.0
        return Pose(ty=sign * PEDESTAL * i * h * c * ds / f)
    if m in (Move.CRANE_UP, Move.CRANE_DOWN):
        ty = (1.0 if m is Move.CRANE_UP else -1.0) * CRANE * i * h * c * ds / f
        return Pose(ty=ty, pitch=-math.atan(0.5 * ty / ds))
    if m in (Move.ARC_LEFT, Move.ARC_RIGHT):
        tx = (1.0 if m is Move.ARC_RIGHT else -1.0) * ARC * i * w * c * ds / f
        return Pose(tx=tx, yaw=-math.atan(tx / ds))  # keeps looking at the subject
    if m is Move.DOLLY_ZOOM:
        zoom = 1.0 + DOLLY_ZOOM * i * e
        return Pose(tz=-(zoom - 1.0) * ds, zoom=zoom)  # subject size: zoom·ds/(ds - tz) = 1
    if m is Move.RACK_FOCUS:
        # from the background to the subject, in dioptres (1/depth) so the blur racks evenly
        a, b = 1.0 / spec.far_depth, 1.0 / ds
        stop = (
            1.0 if spec.lens is None else spec.lens / DEFAULT_LENS_MM
        )  # a long lens: a wider pupil
        return Pose(focus=1.0 / max(1e-6, a + (b - a) * e), aperture=APERTURE * i * stop)
    if m is Move.HANDHELD:
        return _shake(spec, seconds, f)
    return Pose()


def _shake(spec: MoveSpec, seconds: float, f: float) -> Pose:
    """Seeded low-frequency wander: a few incommensurate sines per axis (0.15 to 1.3 Hz)."""
    rng = np.random.default_rng(spec.seed)
    freqs = rng.uniform(0.15, 1.3, size=(4, 3))
    phases = rng.uniform(0.0, 2.0 * math.pi, size=(4, 3))
    weights = np.array([1.0, 0.6, 0.35])
    axes = (np.sin(2.0 * math.pi * freqs * seconds + phases) * weights).sum(axis=1) / weights.sum()
    amp = SHAKE * spec.intensity * spec.width / f
    return Pose(
        yaw=math.atan(amp * axes[0]),
        pitch=math.atan(amp * 0.8 * axes[1]),
        roll=math.radians(0.35 * spec.intensity * axes[2]),
        tx=0.15 * amp * axes[3] * spec.subject_depth,
    )
