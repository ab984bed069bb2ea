"""A `ShotList` as a shot list people read: a rich table, Markdown, CSV; or the JSON contract.

JSON is `ShotList.model_dump(mode="json")`, documented by docs/breakdown.schema.json. CSV has
the columns of a professional shot list, one row per shot.
"""

from __future__ import annotations

import csv
import io
import json

from rich.markup import escape
from rich.table import Table

from storyreel.model import Shot, ShotList

CSV_COLUMNS = (
    "scene",
    "shot",
    "int_ext",
    "location",
    "time_of_day",
    "size",
    "angle",
    "move",
    "lens",
    "subjects",
    "description",
    "action",
    "dialogue",
    "duration",
    "transition",
    "source_lines",
)


def runtime_text(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m}:{s:02d}"


def summary(shotlist: ShotList, pages: float | None = None) -> str:
    n = len(shotlist.shots)
    asl = sum(s.duration for s in shotlist.shots) / n if n else 0.0
    page_text = f" · {pages:.1f} pages" if pages is not None else ""
    return (
        f"runtime {runtime_text(shotlist.runtime)} · {n} shots · {len(shotlist.scenes)} scenes"
        f"{page_text} · pacing {shotlist.pacing} (average shot {asl:.1f} s)"
    )


def _dialogue(shot: Shot) -> str:
    out = []
    for d in shot.dialogue:
        ext = f" ({d.extension})" if d.extension else ""
        paren = f" ({d.parenthetical})" if d.parenthetical else ""
        out.append(f"{d.character}{ext}:{paren} {d.text}".replace("\n", " / "))
    return " | ".join(out)


def _transition(shot: Shot) -> str:
    t = shot.transition_in
    return t.kind.value + (f" {t.frames}f" if t.frames else "")


def rows(shotlist: ShotList) -> list[dict[str, str]]:
    scenes = {s.id: s for s in shotlist.scenes}
    out = []
    for shot in shotlist.shots:
        sc = scenes[shot.scene_id]
        out.append(
            {
                "scene": sc.number,
                "shot": shot.id,
                "int_ext": sc.int_ext,
                "location": sc.location,
                "time_of_day": sc.time_of_day,
                "size": shot.size.value,
                "angle": shot.angle.value,
                "move": shot.move.value,
                "lens": "" if shot.lens is None else f"{shot.lens:g}",
                "subjects": " ".join(shot.subjects),
                "description": shot.description,
                "action": shot.action if shot.action != shot.description else "",
                "dialogue": _dialogue(shot),
                "duration": f"{shot.duration:.2f}",
                "transition": _transition(shot),
                "source_lines": str(shot.lines.start)
                if shot.lines.start == shot.lines.end
                else f"{shot.lines.start}-{shot.lines.end}",
            }
        )
    return out


def _framing(row: dict[str, str]) -> str:
    """The size with the lens a directive set: `CU 85mm`."""
    return f"{row['size']} {row['lens']}mm" if row["lens"] else row["size"]


def to_json(shotlist: ShotList) -> str:
    return json.dumps(shotlist.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def to_csv(shotlist: ShotList) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows(shotlist))
    return buf.getvalue()


def to_markdown(shotlist: ShotList, pages: float | None = None) -> str:
    lines = [f"# {shotlist.title or 'Shot list'}", "", summary(shotlist, pages)]
    head = ("shot", "size", "angle", "move", "subjects", "description", "dialogue", "sec")
    current = None
    for r, shot in zip(rows(shotlist), shotlist.shots, strict=True):
        if r["scene"] != current:
            current = r["scene"]
            heading = shotlist.scene(shot.scene_id).heading or "(no heading)"
            lines += [
                "",
                f"## {current}. {heading}",
                "",
                "| " + " | ".join(head) + " |",
                "|" + "---|" * len(head),
            ]
        cells = [
            r["shot"],
            _framing(r),
            r["angle"],
            r["move"],
            r["subjects"],
            r["description"],
            r["dialogue"],
            r["duration"],
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def to_table(shotlist: ShotList) -> Table:
    table = Table(title=escape(shotlist.title) if shotlist.title else None, title_style="bold")
    for name in ("sc", "shot", "size", "angle", "move", "subjects"):
        table.add_column(name, no_wrap=True, justify="right" if name == "sc" else "left")
    table.add_column("description / dialogue", ratio=1, min_width=30)
    table.add_column("sec", justify="right", no_wrap=True)
    table.add_column("lines", no_wrap=True)
    current = None
    for r, shot in zip(rows(shotlist), shotlist.shots, strict=True):
        if r["scene"] != current:
            current = r["scene"]
            heading = shotlist.scene(shot.scene_id).heading or "(no heading)"
            table.add_row(
                escape(r["scene"]), "", "", "", "", "", f"[bold]{escape(heading)}[/]", "", ""
            )
        text = escape(r["description"])
        if shot.transition_in.kind.value != "cut":
            text = f"[dim]{r['transition']} →[/] {text}"
        if r["dialogue"]:
            text = f"{text}\n[italic]{escape(r['dialogue'])}[/]"
        table.add_row(
            "",
            escape(r["shot"]),
            _framing(r),
            r["angle"],
            r["move"],
            escape(r["subjects"].replace(" ", ", ")),
            text,
            r["duration"],
            r["source_lines"],
        )
    return table
