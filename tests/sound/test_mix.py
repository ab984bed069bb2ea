"""The mix of the example film at its loudness target, its stems, and bad sound settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile

from storyreel.edit.timeline import build_timeline
from storyreel.errors import StoryreelError
from storyreel.run.pipeline import open_pipeline
from storyreel.run.sound import mix_sound, music_file
from storyreel.run.voices import heard, make_voices
from storyreel.store.project import Project
from tests.sound.meter import ebur128

EXAMPLE = Path(__file__).parents[2] / "examples" / "footage"


def _project(tmp_path: Path, sound: str = "") -> Project:
    root = tmp_path / "film"
    shutil.copytree(EXAMPLE, root)
    if sound:
        with open(root / "storyreel.toml", "a", encoding="utf-8") as f:
            f.write(f"\n{sound}\n")
    return Project.open(root)


def _mix(project: Project, music: Path | None = None):
    """The film's sound alone: breakdown, timeline with the lines' real lengths, the mix."""
    with open_pipeline(project) as p:
        shotlist = p.breakdown()
        music = music_file(p, music)
        voices = make_voices(p, shotlist)
        lengths = voices.lengths
        timeline = build_timeline(shotlist, p.config, dialogue_lengths=lengths, music=music)
        sound = mix_sound(p, timeline, shotlist, None, heard(voices))
        return sound, timeline, p.report


@pytest.mark.parametrize(("setting", "target"), [("", -23.0), ('loudness = "streaming"', -14.0)])
def test_the_example_film_mix_meets_its_loudness_target(tmp_path, setting, target):
    project = _project(tmp_path, f"[sound]\n{setting}" if setting else "")
    sound, timeline, report = _mix(project)
    measured = ebur128(sound.wav)
    assert measured.integrated == pytest.approx(target, abs=1.0)
    assert measured.true_peak < -1.0
    assert report.loudness["target"] == target
    assert report.loudness["integrated"] == pytest.approx(measured.integrated, abs=0.3)
    assert report.loudness["true_peak"] < -1.0
    with soundfile.SoundFile(str(sound.wav)) as f:
        assert (f.samplerate, f.channels) == (48_000, 2)
        assert f.frames == round(timeline.duration().to_seconds() * 48_000)


def test_the_stems_sum_to_the_mix(tmp_path):
    project = _project(tmp_path)
    bed = tmp_path / "bed.wav"
    t = np.arange(48_000 * 40) / 48_000
    soundfile.write(str(bed), 0.3 * np.sin(2 * np.pi * 110 * t), 48_000)
    sound, _, _ = _mix(project, bed)
    assert sorted(sound.stems) == ["dialogue", "effects", "music"]
    mix, _ = soundfile.read(str(sound.wav))
    stems = {bus: soundfile.read(str(path))[0] for bus, path in sound.stems.items()}
    assert np.abs(stems["dialogue"]).max() > 0.05 and np.abs(stems["music"]).max() > 0.01
    assert np.abs(stems["effects"]).max() == 0  # no effects backend named
    assert np.abs(sum(stems.values()) - mix).max() < 1e-4
    assert ebur128(sound.wav).integrated == pytest.approx(-23.0, abs=1.0)


def test_an_unknown_loudness_target_names_its_line(tmp_path):
    root = tmp_path / "film"
    shutil.copytree(EXAMPLE, root)
    text = (root / "storyreel.toml").read_text()
    (root / "storyreel.toml").write_text(text + '\n[sound]\nloudness = "broadcst"\n')
    line = len((text + '\n[sound]\nloudness = "broadcst"\n').splitlines())
    with pytest.raises(StoryreelError) as err:
        Project.open(root)
    assert str(err.value).startswith(f"{root / 'storyreel.toml'}:{line}:")
    assert "did you mean broadcast" in str(err.value)


def test_a_music_file_that_is_not_audio_names_its_line(tmp_path):
    root = tmp_path / "film"
    shutil.copytree(EXAMPLE, root)
    (root / "score.wav").write_bytes(b"RIFF\x00\x00garbage" * 10)
    text = (
        (root / "storyreel.toml")
        .read_text()
        .replace('motion = "camera"', 'motion = "camera"\nmusic = "file:score.wav"')
    )
    (root / "storyreel.toml").write_text(text)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith("music ="))
    with open_pipeline(Project.open(root)) as p, pytest.raises(StoryreelError) as err:
        music_file(p, None)
    said = str(err.value)
    assert said.startswith(f"{root / 'storyreel.toml'}:{line}:"), said
    assert "score.wav" in said and "audio" in said
