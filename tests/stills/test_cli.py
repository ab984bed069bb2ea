"""`storyreel stills` (and `storyreel storyboard`) on a small project, and the errors they report."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.config import load_config
from storyreel.script.breakdown import breakdown_script
from storyreel.stills.takes import take_seed
from storyreel.store.db import Database
from tests.run.conftest import json_report

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


def take_seed_of(root, shot_id, index):
    config = load_config(root / "storyreel.toml")
    shots = breakdown_script(root / "script.fountain", config).shots
    return take_seed(next(s for s in shots if s.id == shot_id), index)


def run(*args):
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output + (getattr(result, "stderr", "") or "")


def takes_of(root, shot):
    code, text = run("takes", shot, "-p", root, "--json")
    assert code == 0, text
    return [r for r in json.loads(text) if not r["stale"]]


def test_stills_writes_takes_layers_and_a_contact_sheet(tmp_path):
    root = project(tmp_path)
    code, text = run("stills", root, "--takes", "2", "-q")
    assert code == 0, text
    assert not (root / ".storyreel" / "stills").exists()  # one take store: the project's
    with Database(root / ".storyreel" / "project.db") as db:
        for shot in shot_ids(root):
            rows = takes_of(root, shot)  # `storyreel takes` lists what `stills` made
            assert [r["take"] for r in rows] == [1, 2]
            assert [r["seed"] for r in rows] == [take_seed_of(root, shot, i) for i in (0, 1)]
            assert Image.open(root / rows[0]["thumbnail"]).size == (320, 134)
            for r in rows:  # each with its depth layers
                blobs = db.output_get(db.take(r["id"])["object_key"])["blobs"]
                assert set(blobs) == {"png", "layers"}
            images = [np.asarray(Image.open(root / r["thumbnail"])) for r in rows]
            assert not np.array_equal(*images)  # two takes, two pictures
    sheet = Image.open(root / "out" / "contact-sheet.png")
    assert sheet.width > 800 and sheet.height > 300


def test_stills_for_one_shot(tmp_path):
    root = project(tmp_path)
    first = shot_ids(root)[0]
    code, text = run("stills", root, "--shot", first, "-q")
    assert code == 0, text
    with Database(root / ".storyreel" / "project.db") as db:
        assert {r["shot_id"] for r in db.takes()} == {first}
    code, text = run("stills", root, "--shot", first + "x", "-q")
    assert code == 2 and f"did you mean {first}" in text


def test_render_uses_the_takes_stills_made_and_stills_reuses_the_renders(tmp_path):
    root = project(tmp_path)
    code, text = run("stills", root, "-q")
    assert code == 0, text
    made = {s: takes_of(root, s)[0]["id"] for s in shot_ids(root)}
    result = CliRunner().invoke(app, ["render", str(root), "--json"])
    assert result.exit_code == 0, result.output
    report = json_report(result.output)
    assert report["computed"]["stills"] == [] and report["reused"]["stills"] == len(made)
    assert {s: takes_of(root, s)[0]["id"] for s in shot_ids(root)} == made
    code, text = run("stills", root, "--takes", "2")
    assert code == 0 and f"{len(made)} made, {len(made)} found in the store" in text


def test_a_shot_with_its_own_backend_gets_its_stills_from_it(tmp_path):
    root = project(tmp_path)
    first = shot_ids(root)[0]
    (root / "exports").mkdir()
    Image.new("RGB", (640, 268), (200, 30, 40)).save(root / "exports" / f"{first}.png")
    with open(root / "storyreel.toml", "a", encoding="utf-8") as f:
        f.write(f'\n[backends.shots.{first}]\nstills = "folder:exports"\n')
    code, text = run("stills", root, "-q")
    assert code == 0, text
    [row] = takes_of(root, first)
    assert row["backend"].startswith("folder")
    picture = np.asarray(Image.open(root / row["thumbnail"]))
    assert abs(picture.reshape(-1, 3).mean(axis=0) - (200, 30, 40)).max() < 3
    assert takes_of(root, shot_ids(root)[1])[0]["backend"].startswith("previz")


def test_an_old_stills_folder_is_ignored_with_a_message_and_gc_deletes_it(tmp_path):
    root = project(tmp_path)
    old = root / ".storyreel" / "stills" / "ext-rooftop-1" / "7.png"
    old.parent.mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(old)
    result = CliRunner().invoke(app, ["render", str(root), "--json"])
    assert result.exit_code == 0, result.output
    [warning] = [w for w in json_report(result.output)["warnings"] if ".storyreel/stills" in w]
    assert "no longer read" in warning and "storyreel gc" in warning
    code, text = run("gc", root)
    assert code == 0, text
    assert not (root / ".storyreel" / "stills").exists()


@pytest.mark.parametrize(
    ("kwargs", "line", "message"),
    [
        ({"aspect": "2.39"}, 6, "unknown aspect"),
        ({"width": "-320"}, 2, "width"),
        ({"color": "#c8553"}, 9, "#rrggbb"),
    ],
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


def test_a_character_the_action_introduces_is_dressed_in_every_still(tmp_path):
    def still_of(folder, introduction):
        root = folder
        root.mkdir()
        (root / "script.fountain").write_text(
            f"EXT. FIELD - DAY\n\n{introduction} walks into the wind.\n\n"
            "[[shot: FS BOB, static, 2s, #fs]]\nBob stops.\n\n"
            "[[shot: MS BOB, static, 2s, #ms]]\nBob looks up.\n",
            encoding="utf-8",
        )
        (root / "storyreel.toml").write_text(
            "[film]\nwidth = 320\nheight = 180\n", encoding="utf-8"
        )
        code, text = run("stills", root, "-q")
        assert code == 0, text
        return [
            np.asarray(Image.open(root / takes_of(root, s)[0]["thumbnail"])) for s in ("fs", "ms")
        ]

    plain = still_of(tmp_path / "plain", "BOB (40)")
    dressed = still_of(tmp_path / "hat", "BOB (40, a wide-brimmed hat and a long coat)")
    for a, b in zip(plain, dressed, strict=True):  # the hat and coat are in both of his shots
        assert np.abs(a.astype(int) - b).mean() > 0.2
