"""`storyreel stills` and `storyreel storyboard` on a small project, and the errors they report."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.config import load_config
from storyreel.script.breakdown import breakdown_script

SCRIPT = """Title: Two Rooms

EXT. ROOFTOP - NIGHT

MAYA (38) climbs out of the hatch.

[[shot: WS MAYA, static, 2s]]
Maya at the edge, the city below.

[[shot: CU MAYA, push-in, 2s]]
She looks down.

MAYA
Not tonight.

INT. KITCHEN - DAY

ELIAS (40) stands at the stove.

[[shot: MS ELIAS, static, 2s]]
Elias pours coffee.
"""
TOML = """[film]
width = 320
height = 180

[look]
aspect = "{aspect}"

[characters.MAYA]
color = "{color}"
{extra}
"""


def project(tmp_path, aspect="2.39:1", color="#c8553d", extra="", width="320"):
    (tmp_path / "script.fountain").write_text(SCRIPT, encoding="utf-8")
    toml = TOML.format(aspect=aspect, color=color, extra=extra).replace("320", width)
    (tmp_path / "storyreel.toml").write_text(toml, encoding="utf-8")
    return tmp_path


def shot_ids(root):
    config = load_config(root / "storyreel.toml")
    return sorted(s.id for s in breakdown_script(root / "script.fountain", config).shots)


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output + (getattr(result, "stderr", "") or "")


def test_stills_writes_takes_layers_and_a_contact_sheet(tmp_path):
    root = project(tmp_path)
    code, text = run("stills", root, "--takes", "2", "-q")
    assert code == 0, text
    shots = sorted(p.name for p in (root / ".storyreel" / "stills").iterdir())
    assert shots == shot_ids(root)
    for shot in shots:
        pngs = sorted((root / ".storyreel" / "stills" / shot).glob("*.png"))
        assert len(pngs) == 2
        assert all(p.with_suffix(".npz").exists() for p in pngs)
        assert Image.open(pngs[0]).size == (320, 134)
    sheet = Image.open(root / "out" / "contact-sheet.png")
    assert sheet.width > 800 and sheet.height > 300


def test_stills_for_one_shot(tmp_path):
    root = project(tmp_path)
    code, _ = run("stills", root, "-q")
    assert code == 0
    first = sorted(p.name for p in (root / ".storyreel" / "stills").iterdir())[0]
    for d in (root / ".storyreel" / "stills").iterdir():
        for f in d.iterdir():
            f.unlink()
        d.rmdir()
    code, text = run("stills", root, "--shot", first, "-q")
    assert code == 0, text
    assert [p.name for p in (root / ".storyreel" / "stills").iterdir()] == [first]
    code, text = run("stills", root, "--shot", first + "x", "-q")
    assert code == 2 and f"did you mean {first}" in text


def test_storyboard_pdf(tmp_path):
    root = project(tmp_path)
    code, text = run("storyboard", root, "-o", tmp_path / "board.pdf", "-q")
    assert code == 0, text
    data = (tmp_path / "board.pdf").read_bytes()
    pages = -(-len(shot_ids(root)) // 6)
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type /Page\b", data)) == pages
    assert b"Lato" in data  # the bundled typeface is embedded


@pytest.mark.parametrize(
    ("kwargs", "line", "message"),
    [({"aspect": "2.39"}, 6, "unknown aspect"), ({"width": "-320"}, 2, "width"),
     ({"color": "#c8553"}, 9, "#rrggbb")],
)
def test_bad_look_and_character_settings_name_file_and_line(tmp_path, kwargs, line, message):
    root = project(tmp_path, **kwargs)
    for command in ("stills", "storyboard"):
        code, text = run(command, root, "-q")
        assert code == 2
        assert f"storyreel.toml:{line}:" in text and message in text


def test_a_reference_that_is_not_an_image(tmp_path):
    root = project(tmp_path, extra='refs = ["refs/maya.png"]')
    (root / "refs").mkdir()
    (root / "refs" / "maya.png").write_text("this is not a picture", encoding="utf-8")
    code, text = run("stills", root, "-q")
    assert code == 2 and "maya.png" in text and "not an image" in text
