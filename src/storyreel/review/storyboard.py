"""A classic storyboard PDF (reportlab): panels three across, two down, on A4 landscape, with
shot id, size, angle, move and duration over the action and the dialogue under each panel."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from storyreel.assets import font_path
from storyreel.files import atomic_write
from storyreel.model import Shot

COLS, ROWS = 3, 2
_FONTS = {"Lato": "Regular", "Lato-Bold": "Bold", "Lato-Italic": "Italic", "Lato-Black": "Black"}


def _register_fonts() -> None:
    for name, weight in _FONTS.items():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(font_path(weight))))


def storyboard_pdf(panels: Sequence[tuple[Shot, np.ndarray]], path: Path, title: str = "") -> int:
    """Write the storyboard of `panels` (shot, RGB still) to `path`; returns the page count."""
    _register_fonts()
    buf = io.BytesIO()
    page_w, page_h = landscape(A4)
    c = Canvas(buf, pagesize=(page_w, page_h), invariant=1)
    c.setTitle(title or "Storyboard")
    c.setCreator("storyreel")
    margin, gutter = 32.0, 18.0
    panel_w = (page_w - 2 * margin - (COLS - 1) * gutter) / COLS
    ih, iw = panels[0][1].shape[:2] if panels else (9, 16)
    panel_h = panel_w * ih / iw
    head = 30.0
    cell_h = (page_h - 2 * margin - head) / ROWS
    per_page = COLS * ROWS
    pages = max(1, -(-len(panels) // per_page))
    for page in range(pages):
        c.setFont("Lato-Black", 13)
        c.drawString(margin, page_h - margin - 8, title or "Storyboard")
        c.setFont("Lato", 9)
        c.drawRightString(page_w - margin, page_h - margin - 8, f"{page + 1} / {pages}")
        for slot, (shot, image) in enumerate(panels[page * per_page : (page + 1) * per_page]):
            col, row = slot % COLS, slot // COLS
            x = margin + col * (panel_w + gutter)
            top = page_h - margin - head - row * cell_h
            _panel(c, shot, image, x, top, panel_w, panel_h, cell_h)
        c.showPage()
    c.save()
    atomic_write(path, buf.getvalue())
    return pages


def _panel(
    c: Canvas,
    shot: Shot,
    image: np.ndarray,
    x: float,
    top: float,
    w: float,
    h: float,
    cell_h: float,
) -> None:
    thumb = Image.fromarray(image)
    thumb = thumb.resize(
        (round(w * 2), round(w * 2 * image.shape[0] / image.shape[1])), Image.Resampling.LANCZOS
    )
    jpeg = io.BytesIO()
    thumb.save(jpeg, format="JPEG", quality=88)  # embedded as is (DCT): a light PDF
    jpeg.seek(0)
    c.drawImage(ImageReader(jpeg), x, top - h, w, h)
    c.setLineWidth(0.8)
    c.rect(x, top - h, w, h)
    y = top - h - 13
    c.setFont("Lato-Bold", 9.5)
    c.drawString(x, y, shot.id)
    c.setFont("Lato", 8.5)
    c.drawRightString(x + w, y, ", ".join(shot.subjects))
    y -= 11
    c.drawString(
        x, y, f"{shot.size.value} · {shot.angle.value} · {shot.move.value} · {shot.duration:.1f} s"
    )
    bottom = top - cell_h + 8
    y -= 13
    y = _text(c, shot.description, "Lato", 8.5, x, y, w, bottom)
    for line in shot.dialogue:
        if y < bottom:
            break
        y -= 2
        c.setFont("Lato-Bold", 8)
        c.drawString(x + 14, y, line.character)
        y = _text(c, line.text, "Lato-Italic", 8.5, x + 14, y - 10, w - 28, bottom)


def _text(
    c: Canvas, text: str, font: str, size: float, x: float, y: float, w: float, bottom: float
) -> float:
    """Wrapped text from `y` down; stops (with an ellipsis) at `bottom`. Returns the next y."""
    c.setFont(font, size)
    lines = simpleSplit(text, font, size, w)
    lead = size * 1.25
    for i, line in enumerate(lines):
        if y - lead < bottom and i < len(lines) - 1:
            c.drawString(x, y, line.rstrip(" .,;") + "…")
            return y - lead
        c.drawString(x, y, line)
        y -= lead
    return y
