"""Typography for title cards, lower-third supers and burned-in subtitles.

Everything is set in the bundled Lato, sized and placed relative to the frame: text stays
inside title-safe (90% of the frame, so also inside action-safe) and, for supers and subtitles, inside the picture area
when the film is letterboxed. Each function returns a full-frame RGBA image (transparent
outside the text) that the render room composites over the finished picture.
Letter-spacing (tracking) is not something Pillow offers, hence the small layout code here.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from storyreel.assets import pil_font

TITLE_SAFE = 0.90  # text stays inside the central 90% of the frame
STYLES = ("title", "card", "super", "subtitle")


def _tracked_width(text: str, font, tracking: float) -> float:
    if not text:
        return 0.0
    return sum(font.getlength(ch) for ch in text) + tracking * (len(text) - 1)


def _draw_tracked(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    font,
    tracking: float,
    fill,
    stroke: int = 0,
    stroke_fill=None,
) -> None:
    x, y = xy
    for ch in text:
        draw.text((x, y), ch, font=font, fill=fill, stroke_width=stroke, stroke_fill=stroke_fill)
        x += font.getlength(ch) + tracking


def _fit(text: str, weight: str, size: int, tracking_em: float, max_width: float):
    """The largest font no bigger than `size` whose tracked text fits `max_width`."""
    while size > 6:
        font = pil_font(size, weight)
        if _tracked_width(text, font, tracking_em * size) <= max_width:
            return font
        size = int(size * 0.92)
    return pil_font(6, weight)


def _wrap(text: str, font, max_width: float, tracking: float) -> list[str]:
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        words, line = para.split(), ""
        for word in words:
            trial = f"{line} {word}".strip()
            if line and _tracked_width(trial, font, tracking) > max_width:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


def _picture_box(
    frame: tuple[int, int], picture: tuple[int, int] | None
) -> tuple[int, int, int, int]:
    w, h = frame
    pw, ph = picture or frame
    x0, y0 = (w - pw) // 2, (h - ph) // 2
    return x0, y0, x0 + pw, y0 + ph


def _safe_box(
    frame: tuple[int, int], fraction: float = TITLE_SAFE
) -> tuple[float, float, float, float]:
    w, h = frame
    mx, my = w * (1 - fraction) / 2, h * (1 - fraction) / 2
    return mx, my, w - mx, h - my


def _canvas(frame: tuple[int, int]) -> Image.Image:
    return Image.new("RGBA", frame, (0, 0, 0, 0))


def _title(text: str, frame: tuple[int, int]) -> Image.Image:
    """The film's title, widely tracked, over a hairline and the credit in small capitals."""
    w, h = frame
    x0, y0, x1, y1 = _safe_box(frame)
    title, *credit = [t.strip() for t in text.splitlines() if t.strip()] or [""]
    img = _canvas(frame)
    draw = ImageDraw.Draw(img)
    size = max(8, round(h * 0.075))
    font = _fit(title.upper(), "Light", size, 0.32, (x1 - x0) * 0.9)
    track = 0.32 * font.size
    tw = _tracked_width(title.upper(), font, track)
    asc, desc = font.getmetrics()
    ty = h * 0.46 - asc
    _draw_tracked(draw, ((w - tw) / 2, ty), title.upper(), font, track, (245, 242, 236, 255))
    rule_y = ty + asc + desc + h * 0.03
    rule_w = w * 0.06
    draw.rectangle(
        [(w - rule_w) / 2, rule_y, (w + rule_w) / 2, rule_y + max(1, h / 540)],
        fill=(200, 170, 120, 255),
    )
    if credit:
        small = _fit(
            max(credit, key=len).upper(), "Regular", max(6, round(h * 0.022)), 0.2, (x1 - x0) * 0.8
        )
        y = rule_y + h * 0.035
        for line in credit:
            lw = _tracked_width(line.upper(), small, 0.2 * small.size)
            _draw_tracked(
                draw, ((w - lw) / 2, y), line.upper(), small, 0.2 * small.size, (190, 186, 178, 255)
            )
            y += small.size * 1.6
    return img


def _card(text: str, frame: tuple[int, int]) -> Image.Image:
    """Centered text such as THE END: medium weight, tracked, optically centred."""
    w, h = frame
    x0, _, x1, _ = _safe_box(frame)
    img = _canvas(frame)
    draw = ImageDraw.Draw(img)
    font = pil_font(max(8, round(h * 0.05)), "Regular")
    track = 0.25 * font.size
    lines = _wrap(text.upper(), font, (x1 - x0) * 0.85, track)
    lead = font.size * 1.5
    y = h * 0.48 - lead * len(lines) / 2
    for line in lines:
        lw = _tracked_width(line, font, track)
        _draw_tracked(draw, ((w - lw) / 2, y), line, font, track, (240, 237, 230, 255))
        y += lead
    return img


def _super(text: str, frame: tuple[int, int], picture: tuple[int, int] | None) -> Image.Image:
    """A lower third: a short accent bar and the text, left-aligned inside title-safe and the
    picture, with a soft shadow so it reads on any shot."""
    w, h = frame
    sx0, sy0, sx1, sy1 = _safe_box(frame)
    px0, py0, px1, py1 = _picture_box(frame, picture)
    ph = py1 - py0
    left = max(sx0, px0 + (px1 - px0) * 0.05)
    bottom = min(sy1, py1 - ph * 0.1)
    font = _fit(text, "Bold", max(7, round(ph * 0.055)), 0.06, (sx1 - left) * 0.8)
    track = 0.06 * font.size
    asc, desc = font.getmetrics()
    bar_w, bar_h = max(2, round(font.size * 0.14)), asc + desc
    top = bottom - bar_h
    text_x = left + bar_w + font.size * 0.5
    off = max(1, round(font.size * 0.06))
    # the shadow is drawn and blurred on a patch around the text, not the whole frame
    pad = 4 * off
    x0, y0 = int(text_x) - pad, int(top) - pad
    patch = Image.new(
        "RGBA",
        (int(_tracked_width(text, font, track)) + 2 * pad + off, bar_h + 2 * pad + off),
        (0, 0, 0, 0),
    )
    _draw_tracked(
        ImageDraw.Draw(patch),
        (text_x - x0 + off, top - y0 + off),
        text,
        font,
        track,
        (0, 0, 0, 200),
    )
    img = _canvas(frame)
    img.paste(patch.filter(ImageFilter.GaussianBlur(off * 1.5)), (x0, y0))
    draw = ImageDraw.Draw(img)
    draw.rectangle(
        [left, top + desc * 0.3, left + bar_w, bottom - desc * 0.3], fill=(214, 170, 90, 255)
    )
    _draw_tracked(draw, (text_x, top), text, font, track, (250, 248, 242, 255))
    return img


def _subtitle(text: str, frame: tuple[int, int], picture: tuple[int, int] | None) -> Image.Image:
    """Two lines at most, centred low in the picture, white with a dark outline."""
    w, h = frame
    sx0, _, sx1, sy1 = _safe_box(frame)
    px0, py0, px1, py1 = _picture_box(frame, picture)
    ph = py1 - py0
    font = pil_font(max(8, round(ph * 0.065)), "Regular")
    stroke = max(1, round(font.size * 0.08))
    width = (min(sx1, px1) - max(sx0, px0)) * 0.9
    lines = _wrap(text, font, width, 0)
    if len(lines) > 1:  # balance the lines instead of leaving a short last one
        balanced = _wrap(text, font, font.getlength(text) / len(lines) * 1.1, 0)
        lines = balanced if len(balanced) == len(lines) else lines
    lead = font.size * 1.25
    bottom = min(sy1, py1 - ph * 0.06)
    y = bottom - lead * len(lines)
    img = _canvas(frame)
    draw = ImageDraw.Draw(img)
    for line in lines:
        lw = font.getlength(line)
        draw.text(
            ((w - lw) / 2, y),
            line,
            font=font,
            fill=(255, 255, 255, 255),
            stroke_width=stroke,
            stroke_fill=(0, 0, 0, 230),
        )
        y += lead
    return img


def render_text(
    text: str, style: str, frame_size: tuple[int, int], picture_size: tuple[int, int] | None = None
) -> np.ndarray:
    """Full-frame RGBA (H, W, 4) uint8 of `text` set in `style` (title, card, super, subtitle)."""
    if style == "title":
        img = _title(text, frame_size)
    elif style == "card":
        img = _card(text, frame_size)
    elif style == "super":
        img = _super(text, frame_size, picture_size)
    elif style == "subtitle":
        img = _subtitle(text, frame_size, picture_size)
    else:
        raise ValueError(f"unknown title style {style!r}; one of {', '.join(STYLES)}")
    return np.asarray(img, dtype=np.uint8)


def slate(heading: str, body: str, size: tuple[int, int]) -> np.ndarray:
    """An (H, W, 3) uint8 RGB card standing in for a shot that could not be made: a dark frame,
    `heading` in bold capitals over an accent rule, `body` wrapped below, left-aligned in
    title-safe."""
    w, h = size
    x0, y0, x1, _ = _safe_box(size)
    img = Image.new("RGB", size, (24, 24, 28))
    draw = ImageDraw.Draw(img)
    head = _fit(heading.upper(), "Bold", max(8, round(h * 0.08)), 0.08, x1 - x0)
    track = 0.08 * head.size
    y = y0 + h * 0.1
    _draw_tracked(draw, (x0, y), heading.upper(), head, track, (240, 237, 230))
    y += head.size * 1.4
    draw.rectangle([x0, y, x0 + w * 0.12, y + max(1, round(h * 0.008))], fill=(214, 90, 70))
    font = pil_font(max(7, round(h * 0.05)), "Regular")
    y += font.size
    for line in _wrap(body, font, x1 - x0, 0):
        draw.text((x0, y), line, font=font, fill=(200, 196, 188))
        y += font.size * 1.35
    return np.asarray(img, dtype=np.uint8)
