"""Files that ship with storyreel: the Lato typeface (SIL Open Font License, see fonts/OFL.txt)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

FONTS = Path(__file__).parent / "fonts"
WEIGHTS = ("Light", "Regular", "Italic", "Bold", "Black")


def font_path(weight: str = "Regular") -> Path:
    """Path of the bundled Lato TTF of that weight (Light, Regular, Italic, Bold, Black)."""
    if weight not in WEIGHTS:
        raise ValueError(f"no bundled font weight {weight!r}; one of {', '.join(WEIGHTS)}")
    return FONTS / f"Lato-{weight}.ttf"


@cache
def pil_font(size: int, weight: str = "Regular"):  # -> PIL.ImageFont.FreeTypeFont
    """A Pillow font of the bundled typeface, cached by size and weight."""
    from PIL import ImageFont

    return ImageFont.truetype(str(font_path(weight)), size)
