"""Cue and effect takes as a user meets them: `takes SHOT --sound` lists them, `select --sound
--effect/--cue` chooses one, the next render mixes it there alone and reuses everything else,
and the choice outlives the database file."""

from __future__ import annotations

import json
import math

import numpy as np
import soundfile
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.edit.timeline import build_timeline
from storyreel.run.build import build
from storyreel.run.pipeline import open_pipeline
from storyreel.run.sound import CROSSFADE_S, RATE, SPOT_DELAY_S, make_cues, scene_spans
from storyreel.sound import words
from storyreel.store.project import Project
from tests.sound.film import Vendor, elevenlabs, write_film
from tests.sound.meter import tone_level

SCRIPT = """Title: Two Doors

EXT. HARBOUR - NIGHT

Rain on the quay. MAYA shuts the door.

INT. BAR - NIGHT

ELIAS opens the door.
"""
TOML = """[film]
fps = "24"
width = 160
height = 90

[backends]
effects = "folder:sfx/"
effect_takes = 2
cue_takes = 2
"""
TONES = {  # file → frequency
    "door-a.wav": 900.0,
    "door-b.wav": 1500.0,
    "rain-a.wav": 300.0,
    "rain-b.wav": 350.0,
    "harbour.wav": 400.0,
    "bar.wav": 500.0,
}


def _film(root):
    (root / "sfx").mkdir(parents=True)
    (root / "script.fountain").write_text(SCRIPT)
    (root / "storyreel.toml").write_text(TOML)
    for name, freq in TONES.items():
        t = np.arange(RATE // 2 if name.startswith("door") else 2 * RATE) / RATE
        soundfile.write(str(root / "sfx" / name), 0.4 * np.sin(2 * np.pi * freq * t), RATE)
    return root


def _effects(root) -> np.ndarray:
    return soundfile.read(str(root / "out" / "cut-effects.wav"))[0][:, 0]


def _doors(root) -> tuple[str, str, list[int]]:
    """The two shots, and where each one's door plays in the cut (samples)."""
    with open_pipeline(Project.open(root)) as p:
        shotlist = p.breakdown()
        spans = scene_spans(build_timeline(shotlist, p.config), shotlist)
    delay = round(SPOT_DELAY_S * RATE)
    return shotlist.shots[0].id, shotlist.shots[1].id, [s.start + delay for s in spans]


def _rows(cli, root, shot) -> list[dict]:
    listed = cli.invoke(app, ["takes", shot, "--sound", "-p", str(root), "--json"])
    assert listed.exit_code == 0, listed.output
    return json.loads(listed.output)


def test_effect_takes_are_listed_selected_and_mixed_where_they_play_alone(tmp_path):
    root = _film(tmp_path / "film")
    first = build(Project.open(root))
    assert len(first.computed["cues"]) == 2 * 4  # two takes of rain, harbour, the bar, the door
    one, two, (door1, door2) = _doors(root)
    cli = CliRunner()

    rows = _rows(cli, root, one)
    assert [(r["kind"], r["name"], r["take"]) for r in rows] == [
        ("ambience", "harbour", 1),
        ("ambience", "harbour", 2),
        ("ambience", "rain", 1),
        ("ambience", "rain", 2),
        ("effect", "door", 1),
        ("effect", "door", 2),
    ]
    assert [r["selected"] for r in rows] == [True, False] * 3
    doors = [r for r in rows if r["kind"] == "effect"]
    assert [r["file"] for r in doors] == ["door-a.wav", "door-b.wav"]
    assert doors[0]["seed"] != doors[1]["seed"] and doors[0]["seconds"] == 0.5
    assert doors[0]["backend"] == "folder 1" and doors[0]["path"].startswith(".storyreel/objects/")
    assert doors[0]["provenance"]["params"]["scene"] == rows[0]["scene"]
    shown = cli.invoke(app, ["takes", one, "--sound", "-p", str(root)]).output
    assert "effect door take 2" in shown and "file: door-b.wav" in shown
    assert "ambience rain take 1" in shown and "0.50 s" in shown
    assert [r["kind"] for r in _rows(cli, root, two)] == ["ambience"] * 2 + ["effect"] * 2

    before = _effects(root)
    picked = cli.invoke(app, ["select", two, "2", "--sound", "--effect", "door", "-p", str(root)])
    assert picked.exit_code == 0, picked.output
    assert f"shot {two}, effect 'door' take 2 selected" in picked.output
    again = build(Project.open(root))
    assert again.computed["cues"] == [] and again.computed["stills"] == []
    assert again.computed["clips"] == [] and len(again.computed["audio"]) == 1
    after = _effects(root)

    window = slice(door2, door2 + RATE // 2)
    assert tone_level(after[window], 1500.0) > 0.05 > tone_level(after[window], 900.0) * 20
    assert tone_level(before[window], 900.0) > 0.05
    here = slice(door1, door1 + RATE // 2)  # the first shot's door is the one it was
    assert tone_level(after[here], 900.0) > 0.05 > tone_level(after[here], 1500.0) * 20
    rest = np.ones(len(after), bool)
    rest[door2 - RATE // 100 : door2 + RATE // 2 + RATE // 100] = False
    gain = float(np.dot(after[rest], before[rest]) / np.dot(before[rest], before[rest]))
    assert np.abs(after[rest] - gain * before[rest]).max() < 1e-3  # the mix's level aside
    assert np.abs(after[window] - gain * before[window]).max() > 0.05

    assert [r["selected"] for r in _rows(cli, root, two) if r["kind"] == "effect"] == [False, True]
    assert [r["selected"] for r in _rows(cli, root, one) if r["kind"] == "effect"] == [True, False]


def test_a_choice_outlives_the_database_file_and_bad_choices_say_what_there_is(tmp_path):
    root = _film(tmp_path / "film")
    build(Project.open(root))
    one, _, _ = _doors(root)
    cli = CliRunner()
    picked = cli.invoke(
        app, ["select", one, "2", "--sound", "--cue", "ambience:rain", "-p", str(root)]
    )
    assert picked.exit_code == 0, picked.output
    assert "ambience 'rain' take 2 selected" in picked.output
    build(Project.open(root))
    mixed = (root / "out" / "cut-effects.wav").read_bytes()

    db = Project.open(root).db_path
    for path in db.parent.glob(db.name + "*"):  # project.db and its WAL; the journal stays
        path.unlink()
    shown = cli.invoke(app, ["takes", one, "--sound", "-p", str(root)]).output
    assert "project.db was missing; rebuilt from its journal: 1 selection" in shown
    assert "      * ambience rain take 2" in shown and "      * ambience rain take 1" not in shown
    again = build(Project.open(root))
    assert again.computed["audio"] == [] and again.computed["cues"] == []
    assert (root / "out" / "cut-effects.wav").read_bytes() == mixed

    def said(*args):
        result = cli.invoke(app, ["select", one, *args, "--sound", "-p", str(root)])
        assert result.exit_code != 0
        return result.output

    assert "has 2 ambience beds: say which (--cue ambience:harbour, --cue ambience:rain)" in said(
        "1", "--cue", "ambience"
    )
    assert (
        "has no music takes; its sounds: ambience 'harbour', ambience 'rain', effect 'door'"
        in said("1", "--cue", "music")
    )
    assert "effect 'door' has no take '7'; its takes: 1, 2" in said("7", "--effect", "door")
    assert "a cue is music or ambience" in said("1", "--cue", "door")


def test_an_ambience_bed_is_asked_for_its_scenes_length_within_the_vendors(tmp_path, monkeypatch):
    root = write_film(tmp_path / "film", 'effects = "elevenlabs"')
    script = root / "script.fountain"
    script.write_text(script.read_text().replace("Rain on", "[[shot: WS, static, 40s]]\nRain on"))
    with (
        elevenlabs(Vendor(refuse=""), monkeypatch) as vendor,
        open_pipeline(Project.open(root)) as p,
    ):
        shotlist = p.breakdown()
        timeline = build_timeline(shotlist, p.config)
        make_cues(p, timeline, shotlist, False)
        harbour, bar = scene_spans(timeline, shotlist)
    asked = {b["text"]: b["duration_seconds"] for b in vendor.bodies if b["loop"]}
    assert harbour.end - harbour.start > 40 * RATE  # longer than the 30 s the vendor makes
    assert asked[words.describe("rain")] == asked[words.describe("harbour")] == 30.0
    bar_s = (bar.end - bar.start) / RATE + CROSSFADE_S
    assert asked[words.describe("bar")] == math.ceil(bar_s) and 1 < bar_s < 10
    assert [b["duration_seconds"] for b in vendor.bodies if not b["loop"]] == [2.0]  # the door
