"""`storyreel breakdown` through the CLI: formats, the JSON schema, and bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.model import ShotList
from storyreel.script.export import CSV_COLUMNS

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "footage"
SCHEMA = json.loads((ROOT / "docs" / "breakdown.schema.json").read_text(encoding="utf-8"))


def run(*args: str):
    return CliRunner().invoke(app, ["breakdown", *args])


def test_the_table_and_the_runtime():
    r = run(str(EXAMPLE / "script.fountain"))
    assert r.exit_code == 0, r.output
    assert "NEGATIVE SPACE" in r.stdout and "EXT. HARBOUR CITY STREET - NIGHT" in r.stdout
    last = r.stdout.strip().splitlines()[-1]
    assert last.startswith("runtime ") and "pacing contemplative" in last  # from storyreel.toml


def test_json_validates_against_the_documented_schema_and_reads_back():
    r = run(str(EXAMPLE), "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    jsonschema.validate(data, SCHEMA)
    shotlist = ShotList.model_validate(data)
    assert len(shotlist.shots) > 20 and shotlist.cards[0].text == "THE END"
    broken = dict(data, shots=[dict(data["shots"][0], size="MCX")])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_csv_has_the_shot_list_columns(tmp_path):
    out = tmp_path / "shotlist.csv"
    r = run(str(EXAMPLE / "storyreel.toml"), "-f", "csv", "-o", str(out))
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    first = rows[0]
    assert (first["scene"], first["int_ext"], first["location"], first["time_of_day"]) == (
        "1",
        "EXT",
        "HARBOUR CITY STREET",
        "NIGHT",
    )
    assert first["size"] == "EWS" and float(first["duration"]) == 6.0
    assert any("MAYA: (barely) Mamma." in row["dialogue"] for row in rows)
    framed = [row for row in rows if row["action"]]  # a director's note, and the action it frames
    assert framed and all(row["action"] != row["description"] for row in framed)
    assert not list(tmp_path.glob(".*tmp"))


def test_markdown():
    r = run(str(EXAMPLE / "script.fountain"), "-f", "md")
    assert r.exit_code == 0
    assert r.stdout.startswith("# NEGATIVE SPACE")
    assert "## 8. EXT. BEACH - DAWN" in r.stdout and "| shot | size |" in r.stdout


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"\x00\x01\x02binary\xff\xfe", None, "a binary file"),
        ("INT. CAF\u00c9 - DAY\n\nHello.\n".encode("latin-1"), 1, "not UTF-8 text"),
        (b"INT. ROOM - DAY\n\nA line.\n\n/* never closed\n\nMore.\n", 5, "unterminated boneyard"),
        (b"INT. ROOM - DAY\n\n[[shot: MCX MAYA]]\nMAYA\nHi.\n", 3, "did you mean MCU?"),
        (b"INT. ROOM - DAY\n\n[[shot: CU, pussh-in]]\nShe waits.\n", 3, "did you mean push-in?"),
        (b"", None, "the script is empty"),
        (b"Title: Nothing Yet\n\n/* all cut */\n", None, "the script is empty"),
    ],
)
def test_bad_input_is_a_message_with_file_and_line_never_a_traceback(
    tmp_path, content, line, message
):
    path = tmp_path / "bad.fountain"
    path.write_bytes(content)
    r = run(str(path))
    assert r.exit_code == 2
    assert "Traceback" not in r.output and isinstance(r.exception, SystemExit)
    where = f"{path}:{line}:" if line else f"{path}:"
    assert where in r.stderr and message in r.stderr


def test_a_missing_file():
    r = run("/nonexistent/film.fountain")
    assert r.exit_code == 2 and "no such file" in r.stderr


def test_the_table_written_to_a_file_is_plain_text(tmp_path):
    out = tmp_path / "shots.txt"
    r = run(str(EXAMPLE), "-o", str(out))
    assert r.exit_code == 0 and f"wrote {out}" in r.stderr
    text = out.read_text(encoding="utf-8")
    assert "\x1b[" not in text and "INT. CORNER BAR - NIGHT" in text
    assert text.splitlines()[-1].startswith("runtime ")
