"""A lens in a shot directive: `85mm`, carried onto the shot, into the CSV and the JSON."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest

from storyreel.config import ProjectConfig
from storyreel.model import Move, ShotList, ShotSize
from storyreel.script.breakdown import breakdown
from storyreel.script.directives import parse_directive
from storyreel.script.export import to_csv, to_json, to_markdown
from storyreel.script.fountain import parse

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "docs" / "breakdown.schema.json").read_text(encoding="utf-8")
)


def d(text: str):
    return parse_directive(text, 12, "film.fountain", Fraction(24), ("MAYA",))


@pytest.mark.parametrize(
    "text",
    [
        "shot: CU MAYA, 85mm, push-in",
        "shot: CU MAYA 85 mm push-in",
        "shot: lens 85, CU MAYA, push-in",
        "shot: CU MAYA, lens 85mm, push-in",
        "shot: CU MAYA, 85MM lens, push-in",
        "shot: push-in, CU, 85mm, MAYA",
    ],
)
def test_a_lens_in_mm_however_it_is_written(text):
    shot = d(text)
    assert (shot.size, shot.subjects, shot.move, shot.lens) == (
        ShotSize.CU,
        ["MAYA"],
        Move.PUSH_IN,
        85.0,
    )


def test_fractional_and_extreme_lenses():
    assert d("shot: WS, 13.5mm").lens == 13.5
    assert d("shot: ECU, 600mm").lens == 600.0
    assert d("shot: CU, push-in 0.5").lens is None


SCRIPT = """EXT. ROOF - NIGHT

Maya walks to the edge of the roof.

[[shot: CU MAYA, 85mm, push-in]]
Maya looks down at the city.

MAYA
It's all still there.
"""


def bd() -> ShotList:
    return breakdown(parse(SCRIPT, "t.fountain"), ProjectConfig())


def test_breakdown_carries_the_lens_and_picks_none_by_itself():
    shots = bd().shots
    framed = [s for s in shots if s.explicit]
    assert [s.lens for s in framed] == [85.0]
    assert all(s.lens is None for s in shots if not s.explicit) and len(shots) > 1
    plain = breakdown(parse(SCRIPT.replace("85mm, ", ""), "t.fountain"), ProjectConfig())
    assert [s.model_dump() for s in plain.shots] == [
        s.model_copy(update={"lens": None}).model_dump() for s in shots
    ]  # nothing else changes


def test_csv_and_json_have_the_lens_only_where_set():
    shotlist = bd()
    rows = list(csv.DictReader(io.StringIO(to_csv(shotlist))))
    assert [r["lens"] for r in rows] == ["85" if s.lens else "" for s in shotlist.shots]
    assert "85" in [r["lens"] for r in rows]
    data = json.loads(to_json(shotlist))
    jsonschema.validate(data, SCHEMA)
    assert [s.get("lens") for s in data["shots"]] == [s.lens for s in shotlist.shots]
    assert sum("lens" in s for s in data["shots"]) == 1  # unset lenses are left out
    assert ShotList.model_validate(data) == shotlist
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(dict(data, shots=[dict(data["shots"][0], lens=2)]), SCHEMA)


def test_the_markdown_shot_list_shows_the_lens_beside_the_size():
    shotlist = bd()
    framed = next(s for s in shotlist.shots if s.lens)
    table_rows = [line for line in to_markdown(shotlist).splitlines() if line.startswith("| ")]
    row = next(line for line in table_rows if line.startswith(f"| {framed.id} |"))
    assert f"| {framed.size.value} 85mm |" in row
    assert sum("mm |" in line for line in table_rows) == 1
