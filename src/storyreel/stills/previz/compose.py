"""Film grammar → a framing: how large the subjects are, where they stand, where the horizon is.

Every figure is the same 1.75 m silhouette; the shot size only chooses its scale on screen
(EWS: a tenth of the frame height, CU: the head fills it), where the eye line sits (rule of
thirds, headroom), and how high the camera is (which puts the horizon through the figure at
camera height). Angles move the camera: low puts the horizon near the feet, high above the
heads, overhead looks straight down; dutch rolls the frame. Subjects look toward the open side
of the frame (lead room); two-shots face each other; OTS puts the listener's shoulder in the
foreground.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from storyreel.model import Angle, Shot, ShotSize

FIGURE_M = 1.75  # metres, head top to feet
EYE = 0.065  # eye line below the head top, as a fraction of figure height
_VIEW = 0.728  # visible height at 1 m (a 40° vertical field of view)

# size → (figure height / frame height, eye line / frame height, camera height / figure height)
SIZES: dict[ShotSize, tuple[float, float, float]] = {
    ShotSize.EWS: (0.09, 0.72, 1.7),
    ShotSize.WS: (0.38, 0.56, 0.9),
    ShotSize.FS: (0.80, 0.20, 0.55),
    ShotSize.MWS: (1.25, 0.27, 0.7),
    ShotSize.MS: (2.0, 0.31, 0.85),
    ShotSize.MCU: (3.0, 0.34, 0.88),
    ShotSize.CU: (5.2, 0.40, 0.92),
    ShotSize.ECU: (12.0, 0.45, 0.935),
    ShotSize.TWO: (1.6, 0.30, 0.8),
    ShotSize.OTS: (2.7, 0.34, 0.88),
    ShotSize.POV: (0.38, 0.56, 0.93),
    ShotSize.INSERT: (6.0, 0.4, 0.9),
}
# angle → (camera height multiplier / offset, tilt of the horizon in degrees)
_CAMERA = {
    Angle.EYE: (1.0, 0.0),
    Angle.LOW: (0.22, 0.0),
    Angle.HIGH: (1.9, 0.0),
    Angle.OVERHEAD: (1.0, 0.0),
    Angle.DUTCH: (1.0, 11.0),
}


@dataclass
class Figure:
    """One subject on screen: feet centre x, head top y, height in pixels, facing ±1."""

    name: str
    x: float
    top: float
    height: float
    facing: int
    depth: float  # metres from the camera
    foreground: bool = False  # the OTS shoulder


@dataclass
class Framing:
    w: int
    h: int
    size: ShotSize
    angle: Angle
    horizon: float  # y of the horizon in pixels (may be off frame)
    roll: float  # degrees, dutch
    subject_depth: float
    camera_m: float  # camera height above the ground, metres
    figures: list[Figure] = field(default_factory=list)

    @property
    def focal(self) -> float:
        """Pixels per metre at 1 m."""
        return self.h / _VIEW

    def ground_y(self, depth: float) -> float:
        """Screen y of the ground `depth` metres away."""
        return self.horizon + self.camera_m * self.focal / max(depth, 1e-3)

    @property
    def overhead(self) -> bool:
        return self.angle is Angle.OVERHEAD


def frame_shot(shot: Shot, w: int, h: int, rng: np.random.Generator) -> Framing:
    """The framing of `shot` in a w×h picture; `rng` varies it within the grammar (takes)."""
    size = shot.size
    rel, eye_y, cam = SIZES[size]
    rel *= float(rng.uniform(0.92, 1.08))
    eye_y += float(rng.uniform(-0.025, 0.025))
    cam_mult, roll = _CAMERA[shot.angle]
    if roll:
        roll *= float(rng.choice([-1.0, 1.0])) * float(rng.uniform(0.8, 1.2))
    fig_h = rel * h
    if shot.angle is Angle.LOW:
        fig_h *= 1.08
        eye_y -= 0.04
    elif shot.angle is Angle.HIGH:
        fig_h *= 0.92
        eye_y += 0.04
    top = eye_y * h - EYE * fig_h
    feet = top + fig_h
    horizon = feet - cam * cam_mult * fig_h
    if shot.angle is Angle.OVERHEAD:  # looking straight down: the horizon is far above the frame
        horizon = -float(h)
    depth = 2.4 / rel
    framing = Framing(w, h, size, shot.angle, horizon, roll, depth, cam * cam_mult * FIGURE_M)

    names = list(shot.subjects)
    side = float(rng.choice([-1.0, 1.0]))  # which third the lead subject takes

    def jitter() -> float:
        return float(rng.uniform(-0.025, 0.025)) * w

    if size is ShotSize.POV:
        names = names[1:]
    if size is ShotSize.INSERT:
        return framing
    if size is ShotSize.OTS and names:
        listener = names[1] if len(names) > 1 else ""
        # the speaker faces the camera-ish across the frame; the listener's shoulder is near
        x = w * (0.5 + side / 6) + jitter()
        framing.figures.append(Figure(names[0], x, top, fig_h, -int(side), depth))
        fh = fig_h * 1.7
        fx = w * (0.5 - side * 0.4)
        framing.figures.append(
            Figure(listener, fx, h * 0.30 - EYE * fh, fh, int(side), depth * 0.55, True)
        )
        return framing
    if not names:
        return framing
    if len(names) == 1:
        x = w * (0.5 + side / 6) + jitter()
        if size in (ShotSize.CU, ShotSize.ECU):
            x = w * (0.5 + side * (0.12 if size is ShotSize.CU else 0.02)) + jitter()
        framing.figures.append(Figure(names[0], x, top, fig_h, -int(side), depth))
        return framing
    n = len(names)
    spread = 0.34 if n == 2 else 0.6
    for i, name in enumerate(names):
        t = (i / (n - 1) - 0.5) * spread * side
        k = 1.0 if n == 2 else float(rng.uniform(0.85, 1.05))
        x = w * (0.5 + t) + jitter()
        facing = -1 if t > 0 else 1
        framing.figures.append(Figure(name, x, feet - fig_h * k, fig_h * k, facing, depth / k))
    return framing
