"""ElevenLabs music and effects through the build's sound stages, against a local server that
follows the documented API: xi-api-key, the request, audio back, 429 then success, a refusal
that leaves that effect alone silent, and no second payment on a later run."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import soundfile

from storyreel.edit.timeline import build_timeline
from storyreel.run.pipeline import open_pipeline
from storyreel.run.sound import make_cues, mix_sound, per_scene_music
from storyreel.run.voices import heard, make_voices
from storyreel.store.project import Project
from tests.sound.film import KEY, Vendor, elevenlabs, write_film
from tests.sound.meter import ebur128


def _sound(root):
    """The build's sound path: breakdown, timeline, the cues and effects, the mix."""
    with open_pipeline(Project.open(root)) as p:
        shotlist = p.breakdown()
        voices = make_voices(p, shotlist)
        lengths = voices.lengths
        timeline = build_timeline(shotlist, p.config, dialogue_lengths=lengths)
        sounds = make_cues(p, timeline, shotlist, per_scene_music(p, None))
        sound = mix_sound(p, timeline, shotlist, None, heard(voices), sounds)
        return sound, sounds, p.report


@pytest.fixture
def vendor(monkeypatch):
    with elevenlabs(Vendor(throttle={"rain"}), monkeypatch) as v:
        yield v


def test_elevenlabs_scores_and_sounds_the_film_and_never_pays_twice(tmp_path, vendor):
    root = write_film(tmp_path / "film", 'music = "elevenlabs"\neffects = "elevenlabs"')
    sound, sounds, report = _sound(root)

    music = [b for b in vendor.bodies if "prompt" in b]
    effects = [b for b in vendor.bodies if "text" in b]
    assert len({b["prompt"] for b in music}) == 2  # a cue a scene
    assert all(b["music_length_ms"] >= 10_000 and b["force_instrumental"] for b in music)
    assert any("HARBOUR" in b["prompt"] for b in music)
    texts = {b["text"] for b in effects}
    assert any("rain" in t for t in texts) and any("harbour" in t for t in texts)
    assert any("bar" in t for t in texts) and any("door" in t for t in texts)
    rain = next((p, t) for (p, t) in vendor.posts if "rain" in t)
    assert vendor.posts[rain] == 2 and vendor.paid[rain] == 1  # 429, then success
    assert vendor.bad_auth == 0

    # the refused door is that effect alone, left silent and said; the rest is in the mix
    assert len(report.computed["cues"]) == len(sounds.keys) == len(vendor.paid)
    [said] = [w for w in report.warnings if "door" in w]
    assert "refused" in said and "left silent" in said
    assert KEY not in " ".join(report.warnings)
    fx, _ = soundfile.read(str(sound.stems["effects"]))
    music_stem, _ = soundfile.read(str(sound.stems["music"]))
    assert np.abs(fx).max() > 0.01 and np.abs(music_stem).max() > 0.01
    measured = ebur128(sound.wav)
    assert measured.integrated == pytest.approx(-23.0, abs=1.0) and measured.true_peak < -1.0

    paid = sum(vendor.paid.values())
    _sound(root)  # again: every take is in the store
    assert sum(vendor.paid.values()) == paid
    shutil.rmtree(root / ".storyreel" / "objects")  # the store lost: the ledger still has them
    again, _, report = _sound(root)
    assert sum(vendor.paid.values()) == paid
    assert len(report.computed["cues"]) == len(sounds.keys)  # made again, from the downloads
    assert again.key == sound.key


def test_a_wrong_key_fails_the_cues_not_the_film(tmp_path, vendor, monkeypatch):
    monkeypatch.setenv("ELEVENLABS_API_KEY", "xi-wrong")
    root = write_film(tmp_path / "film", 'effects = "elevenlabs"')
    sound, sounds, report = _sound(root)
    assert sounds.keys == [] and vendor.bad_auth > 0
    assert any("401" in w and "Invalid API key" in w for w in report.warnings)
    assert "xi-wrong" not in " ".join(report.warnings)
    assert sound.wav is not None  # the dialogue is still mixed
