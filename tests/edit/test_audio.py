"""espeak-ng's voices, and beats from real audio."""

from __future__ import annotations

import numpy as np
import opentimelineio as otio
import pytest

from storyreel.edit import rhythm
from storyreel.edit.timeline import build_timeline
from storyreel.sound.voices.base import LineRequest
from storyreel.sound.voices.espeak import EspeakVoice
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


def test_espeak_voices_are_stable_distinct_and_cast_by_description():
    espeak = EspeakVoice()
    maya, elias = espeak.cast("MAYA", "", None), espeak.cast("ELIAS", "", None)
    assert maya == espeak.cast("maya", "", None) and maya != elias
    assert EspeakVoice("en-gb+f3").cast("MAYA", "", None) == "en-gb+f3"
    ruth = espeak.cast("RUTH", "a woman of 35, long dark hair", None)
    elias = espeak.cast("ELIAS", "a man of 40, his hands weathered", None)
    assert ruth.split("+")[1] in EspeakVoice.female and elias.split("+")[1] in EspeakVoice.male


def test_two_characters_say_the_same_line_in_distinct_voices():
    espeak = EspeakVoice()
    said = [
        espeak.speak(LineRequest("Where did you find it?", n, espeak.cast(n, "", None)))
        for n in ("MAYA", "ELIAS")
    ]
    assert all(0.4 < s.seconds < 4 for s in said)
    pitches = [_pitch(s.samples, s.rate) for s in said]
    assert abs(pitches[0] - pitches[1]) / min(pitches) > 0.08, pitches


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
