"""Scratch dialogue (espeak-ng), ducking, the streamed mix, and beats from real audio."""

from __future__ import annotations

import wave
from fractions import Fraction

import numpy as np
import opentimelineio as otio
import pytest

from storyreel.config import CharacterConfig
from storyreel.edit import audio, rhythm
from storyreel.edit.audio import dialogue_lengths, duck_envelope, scratch_audio, voice_for
from storyreel.edit.timeline import build_timeline, line_key
from tests.edit.edit_helpers import make_config, make_shotlist, write_wav


def _read(path) -> np.ndarray:
    with wave.open(str(path)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (48_000, 2, 2)
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2) / 32768


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
    decoded = [np.concatenate(list(audio.decode(p))) for p in same_text]
    pitches = [_pitch(d) for d in decoded]
    assert abs(pitches[0] - pitches[1]) / min(pitches) > 0.08, pitches


def test_scratch_mix_places_lines_where_the_timeline_says(tmp_path):
    config = make_config("24000/1001")
    shotlist = make_shotlist()
    lengths = dialogue_lengths(shotlist, config, tmp_path)
    tl = build_timeline(shotlist, config, dialogue_lengths=lengths)
    mix = _read(scratch_audio(tl, shotlist, config, tmp_path))
    fps = config.film.fps
    assert len(mix) == round(Fraction(tl.tracks.duration().to_frames()) / fps * 48_000)
    a1 = tl.audio_tracks()[0]
    spans = [
        (
            round(Fraction(a1.range_of_child(c).start_time.to_frames()) / fps * 48_000),
            round(Fraction(a1.range_of_child(c).end_time_exclusive().to_frames()) / fps * 48_000),
        )
        for c in a1
        if isinstance(c, otio.schema.Clip)
    ]
    for a, b in spans:
        assert np.sqrt((mix[a:b] ** 2).mean()) > 0.02  # speech there
    silent = mix[: spans[0][0] - 4800]
    assert np.abs(silent).max() < 1e-3  # and silence before the first line (no music)


def _tone_level(x: np.ndarray, freq: float, rate: int = 48_000) -> float:
    t = np.arange(len(x)) / rate
    return 2 * float(
        np.hypot(
            (x * np.sin(2 * np.pi * freq * t)).mean(), (x * np.cos(2 * np.pi * freq * t)).mean()
        )
    )


def test_music_is_ducked_under_dialogue(tmp_path):
    config = make_config("24")
    shotlist = make_shotlist()
    music = write_wav(tmp_path / "bed.wav", seconds=30.0, freq=50.0)
    tl = build_timeline(shotlist, config, music=music)
    mix = _read(scratch_audio(tl, shotlist, config, tmp_path / "work"))[:, 0]
    a1 = tl.audio_tracks()[0]
    first = next(c for c in a1 if isinstance(c, otio.schema.Clip))
    r = a1.range_of_child(first)
    a = round(r.start_time.to_seconds() * 48_000)
    b = round(r.end_time_exclusive().to_seconds() * 48_000)
    mid = (a + b) // 2
    clear = _tone_level(mix[24_000:48_000], 50.0)  # 0.5-1 s: no dialogue near
    under = _tone_level(mix[mid - 4_800 : mid + 4_800], 50.0)
    assert clear > 0.1  # the bed plays in the clear (mono spread to stereo at -3 dB)
    assert under / clear == pytest.approx(10 ** (audio.DUCK_DB / 20), rel=0.25)


def test_duck_envelope_ramps_before_and_after_a_line():
    env = duck_envelope(0, 48_000 * 3, [(48_000, 96_000)])
    low = 10 ** (audio.DUCK_DB / 20)
    assert env[0] == 1 and env[72_000] == pytest.approx(low)
    attack = round(audio.ATTACK_S * 48_000)
    assert 1 > env[48_000 - attack // 2] > low  # half-way down the attack
    assert env[-1] == 1
    assert np.all(np.diff(env[:48_000]) <= 1e-7)  # only ever going down into the line


def test_without_espeak_the_reel_is_silent_with_a_warning(tmp_path, monkeypatch):
    config = make_config()
    shotlist = make_shotlist()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert audio.tts_engine() is None
    tl = build_timeline(shotlist, config)
    with pytest.warns(UserWarning, match="espeak-ng"):
        assert scratch_audio(tl, shotlist, config, tmp_path) is None
    with pytest.warns(UserWarning, match="espeak-ng"):
        assert dialogue_lengths(shotlist, config, tmp_path) is None


def test_the_mix_is_written_in_blocks(tmp_path, monkeypatch):
    """A long programme never holds the whole mix: each write is one block."""
    config = make_config()
    shotlist = make_shotlist()
    tl = build_timeline(shotlist, config, music=write_wav(tmp_path / "m.wav", 20.0))
    sizes: list[int] = []
    real = wave.Wave_write.writeframes

    def spy(self, data):
        sizes.append(len(data))
        return real(self, data)

    monkeypatch.setattr(wave.Wave_write, "writeframes", spy)
    scratch_audio(tl, shotlist, config, tmp_path)
    assert len(sizes) > 10 and max(sizes) == audio.BLOCK * 4


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
