"""Scratch dialogue (espeak-ng), ducking, the streamed mix, and beats from real audio."""

from __future__ import annotations

import numpy as np
import opentimelineio as otio
import pytest

from storyreel.config import CharacterConfig
from storyreel.edit import audio, rhythm
from storyreel.edit.audio import dialogue_lengths, voice_for
from storyreel.edit.timeline import build_timeline, line_key
from storyreel.sound.mix import decode
from tests.edit.edit_helpers import make_config, make_shotlist, write_wav


def _pitch(samples: np.ndarray, rate: int = 48_000) -> float:
    """Median fundamental (Hz) of the voiced 40 ms windows, by autocorrelation."""
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    n = round(0.04 * rate)
    f0 = []
    for i in range(0, len(mono) - n, n):
        w = mono[i : i + n] - mono[i : i + n].mean()
        if np.sqrt((w**2).mean()) < 0.02:
            continue
        ac = np.correlate(w, w, "full")[n - 1 :]
        lo, hi = rate // 400, rate // 60
        f0.append(rate / (lo + int(np.argmax(ac[lo:hi]))))
    return float(np.median(f0))


def test_voices_are_stable_distinct_and_overridable():
    config = make_config()
    maya, elias = voice_for("MAYA", config), voice_for("ELIAS", config)
    assert maya == voice_for("maya", config) and maya != elias
    config.characters["MAYA"] = CharacterConfig(voice="en-gb+f3")
    assert voice_for("MAYA", config).name == "en-gb+f3"
    config.characters["RUTH"] = CharacterConfig(description="a woman of 35, long dark hair")
    config.characters["ELIAS"] = CharacterConfig(description="a man of 40, his hands weathered")
    assert voice_for("RUTH", config).name.split("+")[1] in audio.FEMALE
    assert voice_for("ELIAS", config).name.split("+")[1] in audio.MALE


def test_lines_are_spoken_with_their_real_lengths_and_distinct_voices(tmp_path):
    config = make_config("24000/1001")
    shotlist = make_shotlist()
    lengths = dialogue_lengths(shotlist, config, tmp_path)
    assert set(lengths) == {line_key("1B", 0), line_key("2B", 0), line_key("2B", 1)}
    # a longer line takes longer to say, and every line takes a plausible time
    assert lengths[line_key("2B", 0)] < lengths[line_key("2B", 1)]
    assert all(0.4 < s < 4 for s in lengths.values())
    same_text = [
        audio.speak("Where did you find it?", voice_for(n, config), tmp_path)
        for n in ("MAYA", "ELIAS")
    ]
    decoded = [np.concatenate(list(decode(p))) for p in same_text]
    pitches = [_pitch(d) for d in decoded]
    assert abs(pitches[0] - pitches[1]) / min(pitches) > 0.08, pitches


def test_without_espeak_the_reel_is_silent_with_a_warning(tmp_path, monkeypatch):
    config = make_config()
    shotlist = make_shotlist()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert audio.tts_engine() is None
    with pytest.warns(UserWarning, match="espeak-ng"):
        assert dialogue_lengths(shotlist, config, tmp_path) is None


def test_beats_from_a_click_track_snap_the_cuts(tmp_path):
    clicks = write_wav(tmp_path / "clicks.wav", seconds=12.0, clicks_every=0.5, rate=22_050)
    beats = rhythm.beat_times(clicks)
    assert len(beats) >= 15
    spacing = np.median(np.diff(beats))
    assert spacing == pytest.approx(0.5, abs=0.06)
    config = make_config("24")
    tl = build_timeline(make_shotlist(), config, beats=beats)
    v1 = tl.video_tracks()[0]
    beat_frames = {round(b * 24) for b in beats}
    cuts = [
        v1.range_of_child(c).end_time_exclusive().to_frames()
        for c in v1
        if isinstance(c, otio.schema.Clip) and c.metadata["storyreel"].get("kind") == "shot"
    ]
    assert sum(c in beat_frames for c in cuts) >= 3


def test_music_that_is_not_audio_is_named(tmp_path):
    from storyreel.errors import StoryreelError

    fake = tmp_path / "song.wav"
    fake.write_bytes(b"RIFF\x00\x00garbage" * 10)
    with pytest.raises(StoryreelError) as err:
        rhythm.beat_times(fake)
    assert err.value.path == str(fake)
