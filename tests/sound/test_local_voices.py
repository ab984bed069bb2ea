"""Kokoro and Piper through a real build, on tiny randomly initialised graphs with the real
models' input and output names and shapes, loaded by `kokoro-onnx` and `piper-tts` themselves."""

from __future__ import annotations

import json
import wave

import pytest

from storyreel.errors import StoryreelError
from storyreel.run.build import build
from storyreel.sound.voices.base import LineRequest
from storyreel.sound.voices.kokoro import KokoroVoice
from storyreel.sound.voices.piper import PiperVoiceBackend
from storyreel.store.db import Database
from storyreel.store.project import Project
from tests.sound.conftest import kokoro_model, make_project, piper_voice


def takes_by_character(root) -> dict[str, list[dict]]:
    with Database(Project.open(root).db_path) as db:
        rows = [dict(r) for r in db.takes(kind="voice")]
    out: dict[str, list[dict]] = {}
    for row in rows:
        prov = json.loads(row["provenance"])
        out.setdefault(prov["params"]["character"], []).append({**row, "prov": prov})
    return out


def rate_of(path) -> int:
    with wave.open(str(path)) as w:
        return w.getframerate()


def test_kokoro_casts_the_cast_from_the_voices_file_and_speaks_every_line(tmp_path):
    root = make_project(tmp_path / "film", voice="kokoro")
    kokoro_model(root / "models")
    report = build(Project.open(root))
    assert len(report.computed["voice"]) == 3 and not report.failed
    cast = takes_by_character(root)
    assert {t["prov"]["params"]["voice"] for t in cast["MAYA"]} == {"af_heart"}  # a woman
    assert {t["prov"]["params"]["voice"] for t in cast["ELIAS"]} == {"am_michael"}  # a man
    for row in cast["MAYA"] + cast["ELIAS"]:
        assert row["prov"]["backend"] == "kokoro" and rate_of(root / row["path"]) == 24_000
    [whisper] = cast["MAYA"]
    assert whisper["prov"]["params"]["speed"] == 0.9  # (whispering) is said more slowly


def test_kokoro_speed_follows_the_delivery(tmp_path):
    kokoro_model(tmp_path / "models")
    voice, text = KokoroVoice("af_heart"), "Still here, after all these years."
    plain = voice.speak(LineRequest(text, "MAYA", "af_heart", project_root=tmp_path))
    hurried = voice.speak(
        LineRequest(text, "MAYA", "af_heart", parenthetical="hurried", project_root=tmp_path)
    )
    assert hurried.seconds < plain.seconds * 0.9


def test_piper_speaks_a_character_cast_in_it_beside_espeak(tmp_path):
    root = make_project(tmp_path / "film", maya='voice = "piper:en_US-tiny-medium"')
    piper_voice(root / "models")
    report = build(Project.open(root))
    assert not report.failed
    cast = takes_by_character(root)
    [maya] = cast["MAYA"]
    assert maya["prov"]["backend"] == "piper" and rate_of(root / maya["path"]) == 22_050
    assert maya["prov"]["params"]["length_scale"] == pytest.approx(1 / 0.9, abs=1e-3)
    assert {t["prov"]["backend"] for t in cast["ELIAS"]} == {"espeak"}


def _line(root, text: str) -> int:
    lines = (root / "storyreel.toml").read_text().splitlines()
    return next(i for i, t in enumerate(lines, 1) if t == text)


@pytest.mark.parametrize(
    ("voice", "maya", "said", "where"),
    [
        (
            "kokoro",
            "",
            "kokoro: model files models/kokoro-v1.0.onnx, models/voices-v1.0.bin not found",
            'voice = "kokoro"',
        ),
        (
            "espeak",
            'voice = "piper:en_US-lessac-medium"',
            "piper: model files models/en_US-lessac-medium.onnx, "
            "models/en_US-lessac-medium.onnx.json not found",
            'voice = "piper:en_US-lessac-medium"',
        ),
    ],
)
def test_a_missing_model_file_names_the_files_and_the_download(tmp_path, voice, maya, said, where):
    root = make_project(tmp_path / "film", voice=voice, maya=maya)
    with pytest.raises(StoryreelError) as caught:
        build(Project.open(root))
    e = caught.value
    assert e.message.startswith(said), e.message
    assert "download with: " in e.message
    assert ("curl" if voice == "kokoro" else "python -m piper.download_voices") in e.message
    assert e.line == _line(root, where) and e.path.endswith("storyreel.toml")


def test_a_voice_kokoro_lacks_gets_a_did_you_mean(tmp_path):
    root = make_project(tmp_path / "film", maya='voice = "kokoro:af_hart"')
    kokoro_model(root / "models")
    with pytest.raises(StoryreelError) as caught:
        build(Project.open(root))
    assert caught.value.message.startswith("kokoro: no voice 'af_hart' (did you mean af_heart?)")
    assert caught.value.line == _line(root, 'voice = "kokoro:af_hart"')


def test_a_voice_piper_lacks_gets_a_did_you_mean(tmp_path):
    piper_voice(tmp_path / "models")
    voice = PiperVoiceBackend(None)
    with pytest.raises(
        StoryreelError, match=r"no voice 'en_US-tiny-mediun' \(did you mean en_US-tiny-medium\?\)"
    ):
        voice.check_voice("en_US-tiny-mediun", tmp_path)
