"""The pacings a film is cut at (`[film] pacing` in storyreel.toml): one preset each.

The presets follow published average-shot-length (ASL) data. Barry Salt's database of
shot lengths (Salt, *Film Style and Technology*, 3rd ed. 2009; cinemetrics.lv) and Cutting,
DeLong & Nothelfer, "Attention and the evolution of Hollywood film" (Psychological Science,
2010) and Cutting, Brunick, DeLong, Iricinschi & Candan, "Quicker, faster, darker" (i-Perception,
2011) put the ASL of contemporary drama at about 4–6 s and of action films at about 2–3 s,
with shot lengths within a film roughly lognormal. Slow, contemplative cinema holds shots far
longer (ASLs of 10 s and more). Each preset is a lognormal: its median and spread give the
bounds (the 2.5th and 97.5th percentiles) that an action shot's estimate is kept inside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Pacing:
    name: str
    median: float  # seconds: the lognormal's median shot length
    sigma: float  # the lognormal's shape (log-space standard deviation)
    words_per_second: float  # speaking rate
    read_rate: float  # words of action a second of screen time covers
    breath: float  # seconds held around a spoken line
    dissolve: float  # seconds of a script's DISSOLVE TO:
    card: float  # seconds a title card holds

    @property
    def bounds(self) -> tuple[float, float]:
        spread = math.exp(1.96 * self.sigma)
        return self.median / spread, self.median * spread


PACINGS: dict[str, Pacing] = {
    "drama": Pacing("drama", 4.5, 0.55, 2.5, 3.0, 0.6, 1.0, 3.0),
    "action": Pacing("action", 2.4, 0.5, 2.9, 5.0, 0.25, 0.5, 2.0),
    "contemplative": Pacing("contemplative", 7.0, 0.55, 2.1, 2.2, 1.0, 1.5, 4.0),
}
