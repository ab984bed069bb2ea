"""The board, as pages: the storyboard (each shot's chosen take), the contact sheet (every take)
and the shot list, drawn from the reel the studio holds."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from storyreel.studio.context import Studio, studio
from storyreel.studio.reel import ShotCard, take_rows

router = APIRouter(prefix="/board")
Ctx = Annotated[Studio, Depends(studio)]
PAGES = {"storyboard": "Storyboard", "contact-sheet": "Contact sheet", "shots": "Shot list"}


def _page(title: str, body: str) -> HTMLResponse:
    nav = " ".join(f'<a href="/board/{k}">{v}</a>' for k, v in PAGES.items())
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        '<link rel="stylesheet" href="/static/studio.css"></head><body class="board">'
        f'<header><a href="/">← Studio</a> <nav>{nav}</nav></header>'
        f"<h1>{escape(title)}</h1>{body}</body></html>"
    )


def _meta(c: ShotCard) -> str:
    return escape(f"{c.size} · {c.angle} · {c.move} · {c.duration:.1f}s")


@router.get("/storyboard")
def storyboard(s: Ctx) -> HTMLResponse:
    cells = "".join(
        f'<figure class="panel"><img src="/api/takes/{escape(c.take or "none")}/image" alt="">'
        f"<figcaption><b>{escape(c.id)}</b> {_meta(c)}<br>{escape(c.description)}</figcaption></figure>"
        for c in s.builder.reel.shots
    )
    return _page("Storyboard", f'<section class="grid">{cells}</section>')


@router.get("/contact-sheet")
def contact_sheet(s: Ctx) -> HTMLResponse:
    project, rows = s.project(), []
    for c in s.builder.reel.shots:
        takes = [t for t in take_rows(project, c.id) if t["kind"] == "still" and not t["stale"]]
        cells = "".join(
            f'<figure class="panel{" selected" if t["selected"] else ""}">'
            f'<img src="/api/takes/{escape(t["id"])}/image" alt="">'
            f"<figcaption>take {t['take']} · seed {t['seed']}</figcaption></figure>"
            for t in takes
        )
        rows.append(
            f"<h2>{escape(c.id)} <small>{_meta(c)}</small></h2>"
            f'<section class="grid">{cells}</section>'
        )
    return _page("Contact sheet", "".join(rows))


@router.get("/shots")
def shot_list(s: Ctx) -> HTMLResponse:
    head = (
        "<tr><th>#</th><th>shot</th><th>scene</th><th>size</th><th>angle</th><th>move</th>"
        "<th>at</th><th>length</th><th>lines</th><th>description</th></tr>"
    )
    rows = "".join(
        f"<tr><td>{i}</td><td>{escape(c.id)}</td><td>{escape(c.scene)}</td><td>{escape(c.size)}</td>"
        f"<td>{escape(c.angle)}</td><td>{escape(c.move)}</td><td>{c.start:.2f}s</td>"
        f"<td>{c.duration:.1f}s</td><td>{c.lines[0]}–{c.lines[1]}</td><td>{escape(c.description)}</td></tr>"
        for i, c in enumerate(s.builder.reel.shots, 1)
    )
    return _page("Shot list", f'<table class="shots">{head}{rows}</table>')
