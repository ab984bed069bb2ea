"""Every set kind the previz paints, and `build_set`, which paints one onto a stage.

The kinds are the ones `script/places.py` reads headings into; `KINDS` lists them with their
side of the wall (a cave is both: its mouth from outside, the rock around its mouth from in).
"""

from __future__ import annotations

import numpy as np

from storyreel.stills.previz import exteriors, interiors
from storyreel.stills.previz.light import paint_shafts
from storyreel.stills.previz.sets import (
    _EXTERIORS,
    _INTERIORS,
    _SKY_GROUND,
    Stage,
    _from_above,
    _ground,
    _sky_and,
)

INTERIOR = {**_INTERIORS, **interiors.INTERIORS}
_BACKDROP = {
    **_SKY_GROUND,
    **{k: _sky_and(c, water=w) for k, (c, w, _) in exteriors.EXTERIORS.items()},
}
EXTERIOR = {**_EXTERIORS, **{k: p for k, (_, _, p) in exteriors.EXTERIORS.items()}}
# what the ground shows from straight above, for the later exteriors
_ABOVE = {
    "house": "field",
    "yard": "field",
    "gate": "field",
    "pool": "sea",
    "stadium": "field",
    "swamp": "sea",
    "deck": "sea",
    "castle": "mountain",
    "campfire": "forest",
    "graveyard": "field",
    "roadside": "city",
    "platform": "city",
    "cave": "mountain",
}
KINDS: dict[str, tuple[bool, ...]] = {  # kind → the sides of the wall it is painted on
    k: tuple(side for side, table in ((True, INTERIOR), (False, EXTERIOR)) if k in table)
    for k in sorted({**INTERIOR, **EXTERIOR})
}


def build_set(kind: str, interior: bool, st: Stage) -> None:
    """Paint the set `kind` into the stage's sky, far and mid layers (an unknown kind, or one
    not painted on this side of the wall, gets the generic room or open field)."""
    f = st.framing
    st.mid_depth = max(f.subject_depth * 2.2, 12.0)
    if interior:
        st.far_depth = max(f.subject_depth + 3.5, 4.5)
        st.mid_depth = max(f.subject_depth + 1.5, st.far_depth * 0.7)
        if f.overhead:
            _ground(st, (0.30, 0.22, 0.16), texture="boards")
            _from_above("interior", st)
            return
        INTERIOR.get(kind, INTERIOR["room"])(st)
        return
    kind = kind if kind in EXTERIOR else "field"
    _BACKDROP[kind](st)
    if f.overhead:
        _from_above(_ABOVE.get(kind, kind), st)
        return
    EXTERIOR[kind](st)
    if (
        st.light.time in ("dawn", "magic", "day")
        and not st.light.fog
        and kind in ("forest", "city")
    ):
        sx = st.light.sun_x * st.w
        sy = st.horizon - st.light.sun_alt * st.h
        paint_shafts(
            st.fg, st.light, (sx, sy), np.pi / 2 + (0.5 - st.light.sun_x) * 0.8, 0.5, st.rng, 0.12
        )
