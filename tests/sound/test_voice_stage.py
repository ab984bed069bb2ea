"""The voice stage through a real build: takes in the store, incremental, selectable, cast."""

from __future__ import annotations

import json
import wave

import numpy as np
import pytest
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.errors import StoryreelError
from storyreel.run.build import build
from storyreel.sound.voices.delivery import delivery, offscreen
from storyreel.store.db import Database
from storyreel.store.project import Project
from tests.sound.conftest import make_project


def render(root):
    return build(Project.open(root))


def voice_takes(root) -> list:
    with Database(Project.open(root).db_path) as db:
        return [dict(r) for r in db.takes(kind="voice")]


def test_every_line_is_a_take_and_a_one_line_edit_revoices_that_line_only(project):
    first = render(project)
    assert len(first.computed["voice"]) == 3  # three lines, one take each
    rows = voice_takes(project)
    assert len({r["shot_id"] for r in rows}) == 3 and {r["kind"] for r in rows} == {"voice"}
    prov = json.loads(rows[0]["provenance"])
    assert prov["backend"] == "espeak" and prov["params"]["voice"].startswith("en")
    assert all((project / r["path"]).is_file() for r in rows)

    again = render(project)
    assert not again.computed["voice"] and again.reused["voice"] == 3

    script = project / "script.fountain"
    script.write_text(script.read_text().replace("Who is there?", "Who is there, at this hour?"))
    edited = render(project)
    assert len(edited.computed["voice"]) == 1 and edited.reused["voice"] == 2
    [made] = edited.computed["voice"]
    [row] = [r for r in voice_takes(project) if r["id"] == made]
    assert json.loads(row["provenance"])["prompt"] == "Who is there, at this hour?"
    assert len(edited.computed["audio"]) == 1  # and the mix is made again with it


def test_each_character_keeps_one_voice_and_parentheticals_shape_delivery(project):
    render(project)
    voices: dict[str, set[str]] = {}
    for row in voice_takes(project):
        params = json.loads(row["provenance"])["params"]
        voices.setdefault(params["character"], set()).add(params["voice"])
    assert voices["ELIAS"] == {next(iter(voices["ELIAS"]))}  # two lines, one voice
    assert voices["MAYA"] != voices["ELIAS"]
    assert delivery("(whispering)").volume < 1 and delivery("(whispering)").whisper
    assert delivery("(beat)").pause > 0 and delivery("(shouting)").loud
    assert offscreen("O.S.") == "O.S." and offscreen("V.O.") == "V.O." and offscreen(None) is None


def _seconds(path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def test_a_beat_is_a_pause_before_the_line(project):
    render(project)
    rows = {json.loads(r["provenance"])["prompt"]: r for r in voice_takes(project)}
    with wave.open(str(project / rows["It was never yours."]["path"])) as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), "<i2")
        rate = w.getframerate()
    assert np.abs(samples[: round(0.55 * rate)]).max() == 0  # (beat): 0.6 s of silence first
    assert np.abs(samples[round(0.6 * rate) :]).max() > 1000


def test_takes_sound_lists_the_voice_takes_and_select_picks_one(tmp_path):
    root = make_project(tmp_path / "film", takes=2)
    report = render(root)
    assert len(report.computed["voice"]) == 6
    [shot] = {r["shot_id"] for r in voice_takes(root) if "Still here." in r["provenance"]}
    cli = CliRunner()
    listed = cli.invoke(app, ["takes", shot, "--sound", "--project", str(root), "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(r["line"], r["take"]) for r in rows] == [(1, 1), (1, 2)]
    assert [r["selected"] for r in rows] == [True, False]
    assert rows[0]["text"] == "Still here." and rows[0]["character"] == "MAYA"
    assert rows[0]["seed"] != rows[1]["seed"] and rows[0]["seconds"] > 0.3
    shown = cli.invoke(app, ["takes", shot, "--sound", "--project", str(root)])
    assert "MAYA: Still here." in shown.output and "line 1 take 2" in shown.output

    picked = cli.invoke(app, ["select", shot, "2", "--sound", "--line", "1", "-p", str(root)])
    assert picked.exit_code == 0, picked.output
    assert "line 1: voice take 2 selected" in picked.output
    again = render(root)
    assert not again.computed["voice"]  # (espeak says a line the same in every take)
    rows = json.loads(cli.invoke(app, ["takes", shot, "--sound", "-p", str(root), "--json"]).output)
    assert [r["selected"] for r in rows] == [False, True]

    wrong = cli.invoke(app, ["select", shot, "7", "--sound", "-p", str(root)])
    assert wrong.exit_code != 0 and "has no voice take '7'; its takes: 1, 2" in wrong.output


def test_a_bare_espeak_voice_still_works(tmp_path):
    root = make_project(tmp_path / "film", maya='voice = "en-gb+f3"')
    render(root)
    maya = [
        json.loads(r["provenance"])["params"]
        for r in voice_takes(root)
        if json.loads(r["provenance"])["params"]["character"] == "MAYA"
    ]
    assert [m["voice"] for m in maya] == ["en-gb+f3"]


@pytest.mark.parametrize(
    ("maya", "voice", "said"),
    [
        (
            'voice = "kokorro:af_heart"',
            "espeak",
            "unknown voice backend 'kokorro' (did you mean kokoro?)",
        ),
        ('voice = "en-gx+f3"', "espeak", "espeak: no voice 'en-gx' (did you mean en-gb?)"),
        ("", "espeek", "unknown voice backend 'espeek' (did you mean espeak?)"),
    ],
)
def test_a_bad_voice_names_its_line_of_the_project_file(tmp_path, maya, voice, said):
    root = make_project(tmp_path / "film", voice=voice, maya=maya)
    toml = (root / "storyreel.toml").read_text().splitlines()
    line = next(i for i, t in enumerate(toml, 1) if t == (maya or f'voice = "{voice}"'))
    with pytest.raises(StoryreelError) as caught:
        render(root)
    assert caught.value.message.startswith(said), caught.value.message
    assert caught.value.path.endswith("storyreel.toml") and caught.value.line == line
    assert str(caught.value).startswith(f"{root / 'storyreel.toml'}:{line}: ")


def test_without_espeak_the_reel_renders_silent_with_a_warning(project, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    report = render(project)
    assert "no text-to-speech engine (espeak-ng): the scratch dialogue is silent" in report.warnings
    assert not report.computed["voice"] and (project / "out" / "cut.mp4").is_file()
