"""Effects and ambience from the scene's words, through the build's sound stages: a folder of
the user's own effects matched by name, and the words a heading and an action give."""

from __future__ import annotations

import numpy as np
import soundfile

from storyreel.edit.timeline import build_timeline
from storyreel.run.pipeline import open_pipeline
from storyreel.run.sound import RATE, make_cues, mix_sound, scene_spans
from storyreel.run.voices import heard, make_voices
from storyreel.sound import words
from storyreel.store.project import Project
from tests.sound.film import write_film


def _tone(path, freq, seconds=1.5):
    t = np.arange(round(seconds * 48_000)) / 48_000
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(path), 0.4 * np.sin(2 * np.pi * freq * t), 48_000)


def _level(x, freq):
    t = np.arange(len(x)) / RATE
    return 2 * float(
        np.hypot(
            (x * np.sin(2 * np.pi * freq * t)).mean(), (x * np.cos(2 * np.pi * freq * t)).mean()
        )
    )


def test_words_from_headings_and_actions():
    assert words.ambience_words("EXT. HARBOUR - NIGHT", "Rain on the quay.", False) == [
        "rain",
        "harbour",
    ]
    assert words.ambience_words("INT. KITCHEN - DAY", "She waits.", True) == [words.ROOM]
    assert words.ambience_words("EXT. FIELD - DAY", "Nothing.", False) == []
    assert words.spot_words("ELIAS opens the door. Thunder.") == ["door", "thunder"]
    assert "nocturnal" in words.mood("EXT. HARBOUR - NIGHT")


def test_a_folder_of_effects_beds_each_scene_and_a_missing_one_is_a_silent_gap(tmp_path):
    root = write_film(tmp_path / "film", 'effects = "folder:sfx/"')
    _tone(root / "sfx" / "rain-heavy.wav", 300.0)
    _tone(root / "sfx" / "bar_murmur.flac", 500.0)
    _tone(root / "sfx" / "door slam 02.wav", 900.0, 0.5)
    with open_pipeline(Project.open(root)) as p:
        shotlist = p.breakdown()
        timeline = build_timeline(shotlist, p.config)
        sounds = make_cues(p, timeline, shotlist, False)
        sound = mix_sound(p, timeline, shotlist, None, {}, sounds)
        spans = scene_spans(timeline, shotlist)
        report = p.report
    [said] = [w for w in report.warnings if "harbour" in w]
    assert "no effect for 'harbour' in sfx/" in said and "left silent" in said
    assert len(sounds.keys) == 3  # rain, the bar, the door
    fx = soundfile.read(str(sound.stems["effects"]))[0][:, 0]
    harbour, bar = spans
    mid = lambda s: fx[s.start + RATE // 2 : s.end - RATE // 2]  # noqa: E731
    assert _level(mid(harbour), 300.0) > 5 * _level(mid(harbour), 500.0)  # rain, looped
    assert _level(mid(bar), 500.0) > 5 * _level(mid(bar), 300.0)  # then the bar
    door = bar.start + round(0.3 * RATE)
    assert _level(fx[door : door + RATE // 4], 900.0) > 0.01  # the door, after the cut


def test_editing_a_line_remixes_without_making_the_effects_again(tmp_path):
    root = write_film(tmp_path / "film", 'effects = "folder:sfx/"')
    _tone(root / "sfx" / "rain.wav", 300.0)
    _tone(root / "sfx" / "harbour.wav", 400.0)

    def sound():
        with open_pipeline(Project.open(root)) as p:
            shotlist = p.breakdown()
            voices = make_voices(p, shotlist)
            lengths = voices.lengths
            timeline = build_timeline(shotlist, p.config, dialogue_lengths=lengths)
            sounds = make_cues(p, timeline, shotlist, False)
            mixed = mix_sound(p, timeline, shotlist, None, heard(voices), sounds)
            return mixed, p.report

    first, report = sound()
    assert len(report.computed["cues"]) == 2 and len(report.computed["audio"]) == 1
    script = root / "script.fountain"
    script.write_text(script.read_text().replace("He's late.", "He is late again."))
    second, report = sound()
    assert report.computed["cues"] == [] and report.reused["cues"] == 2  # the beds kept
    assert len(report.computed["audio"]) == 1 and second.key != first.key  # the mix made again
    _, report = sound()
    assert report.computed["audio"] == [] and report.reused["audio"] == 1
