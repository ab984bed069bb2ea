"""The contact sheet: every shot's takes on one dark page, with shot id, size, move and action."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from storyreel.assets import pil_font
from storyreel.model import Shot

BG = (14, 14, 16)
INK = (232, 228, 220)
DIM = (150, 146, 140)
ACCENT = (214, 138, 72)


@dataclass
class SheetEntry:
    shot: Shot
    takes: Sequence[tuple[int, np.ndarray]]  # (seed, RGB image) per take


def shot_line(shot: Shot) -> str:
    """`MS · low · push-in · 3.0 s` for captions."""
    parts = [shot.size.value, shot.angle.value, shot.move.value, f"{shot.duration:.1f} s"]
    if shot.subjects:
        parts.append(", ".join(shot.subjects))
    return " · ".join(parts)


def film_grain(image: np.ndarray, amount: float) -> np.ndarray:
    """A static film grain over a preview (the render grains the film itself, frame by frame)."""
    if amount <= 0:
        return image
    rng = np.random.default_rng(1895)
    noise = rng.normal(0.0, 9.0 * amount, image.shape[:2]).astype(np.float32)[..., None]
    return np.clip(image.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def contact_sheet(
    entries: Sequence[SheetEntry],
    title: str = "",
    thumb_width: int = 400,
    width: int = 2400,
    grain: float = 0.0,
) -> Image.Image:
    """Cards in reading order, one per shot: its takes side by side, then the caption.

    `grain` (the look's) is laid over the thumbnails so the sheet reads like film.
    """
    if not entries:
        raise ValueError("no shots for a contact sheet")
    n_takes = max(len(e.takes) for e in entries)
    ih, iw = entries[0].takes[0][1].shape[:2]
    tw = thumb_width
    th = round(tw * ih / iw)
    gap, pad = 10, 36
    card_w = n_takes * tw + (n_takes - 1) * gap
    cols = max(1, (width - 2 * pad + 2 * gap) // (card_w + 2 * gap))
    s = max(0.6, tw / 400)
    f_id, f_line, f_text = (
        pil_font(round(17 * s), "Bold"),
        pil_font(round(14 * s)),
        pil_font(round(14 * s), "Italic"),
    )
    caption_h = round(90 * s)
    card_h = th + caption_h
    header = round(90 * s) if title else pad
    rows = math.ceil(len(entries) / cols)
    sheet_w = 2 * pad + cols * card_w + (cols - 1) * 3 * gap
    sheet = Image.new("RGB", (sheet_w, header + rows * (card_h + 2 * gap) + pad), BG)
    draw = ImageDraw.Draw(sheet)
    if title:
        draw.text((pad, pad * 0.6), title, font=pil_font(round(34 * s), "Black"), fill=INK)
        n = sum(len(e.takes) for e in entries)
        draw.text(
            (pad, pad * 0.6 + 44 * s), f"{len(entries)} shots · {n} takes", font=f_line, fill=DIM
        )
    chars = max(20, int(card_w / (7.2 * s)))
    for i, entry in enumerate(entries):
        x = pad + (i % cols) * (card_w + 3 * gap)
        y = header + (i // cols) * (card_h + 2 * gap)
        for k, (seed, image) in enumerate(entry.takes):
            small = Image.fromarray(image).resize((tw, th), Image.Resampling.LANCZOS)
            thumb = Image.fromarray(film_grain(np.asarray(small), grain))
            tx = x + k * (tw + gap)
            sheet.paste(thumb, (tx, y))
            label = f"{k + 1} · {seed}"
            draw.text(
                (tx + 6, y + th - 6), label, font=pil_font(round(11 * s)), fill=DIM, anchor="ls"
            )
        cy = y + th + 8 * s
        draw.text((x, cy), entry.shot.id, font=f_id, fill=ACCENT)
        draw.text((x, cy + 23 * s), shot_line(entry.shot), font=f_line, fill=INK)
        lines = textwrap.wrap(entry.shot.description, chars)
        for j, line in enumerate(lines[:2]):
            if j == 1 and len(lines) > 2:
                line = line[: max(0, chars - 1)].rstrip() + "…"
            draw.text((x, cy + (44 + 18 * j) * s), line, font=f_text, fill=DIM)
    return sheet
