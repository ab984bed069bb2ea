"""The buses: lines where they are placed, the music ducked under them, V.O. and O.S., beds
crossfading, and a mix written in blocks."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

from storyreel.sound import mix as mixing
from storyreel.sound.mix import Placed, duck_envelope, mix
from tests.sound.meter import tone_level

RATE = 48_000


def _tone(path, seconds, freq, level=0.5, rate=RATE):
    t = np.arange(round(seconds * rate)) / rate
    soundfile.write(str(path), level * np.sin(2 * np.pi * freq * t), rate)
    return path


def test_music_is_ducked_under_dialogue_and_lines_sit_where_placed(tmp_path):
    line = _tone(tmp_path / "line.wav", 2.0, 1000.0, rate=22_050)
    bed = _tone(tmp_path / "bed.wav", 12.0, 50.0)
    placed = [Placed("dialogue", 4 * RATE, line, 1.0, "vo")]
    out = mix(placed, bed, 10 * RATE, tmp_path / "out", -23.0)
    stems = {b: soundfile.read(str(p))[0][:, 0] for b, p in out.stems.items()}
    d = stems["dialogue"]
    assert np.abs(d[: 4 * RATE - 10]).max() == 0 and np.abs(d[6 * RATE + 10 :]).max() == 0
    assert tone_level(d[4 * RATE + 100 : 6 * RATE - 100], 1000.0) > 0.05
    clear = tone_level(stems["music"][RATE : 2 * RATE], 50.0)
    under = tone_level(stems["music"][4 * RATE + RATE // 2 : 5 * RATE + RATE // 2], 50.0)
    assert under / clear == pytest.approx(10 ** (mixing.DUCK_DB / 20), rel=0.25)


def test_offscreen_lines_are_muffled_and_voice_over_is_dry(tmp_path):
    t = np.arange(RATE) / RATE
    line = tmp_path / "line.wav"
    soundfile.write(
        str(line), 0.3 * np.sin(2 * np.pi * 200 * t) + 0.3 * np.sin(2 * np.pi * 6000 * t), RATE
    )
    heard = {}
    for space in ("vo", "on", "os"):
        out = mix([Placed("dialogue", 0, line, 1.0, space)], None, RATE, tmp_path / space, -23.0)
        heard[space], _ = soundfile.read(str(out.stems["dialogue"]))
    dry, _ = soundfile.read(str(line))
    ratio = heard["vo"][:, 0] / np.where(np.abs(dry) > 0.1, dry, np.nan)
    assert np.nanstd(ratio) < 1e-3  # V.O.: the line itself, only louder or softer

    def treble(x):  # each mix is brought to the target: compare the balance, not the level
        return tone_level(x[:, 0], 6000.0) / tone_level(x[:, 0], 200.0)

    assert treble(heard["vo"]) == pytest.approx(1.0, rel=0.05)
    assert treble(heard["os"]) < 0.2 * min(treble(heard["on"]), treble(heard["vo"]))  # a wall


def test_ambience_beds_crossfade_at_a_scene_change(tmp_path):
    a = _tone(tmp_path / "rain.wav", 1.0, 300.0)  # shorter than the scene: looped
    b = _tone(tmp_path / "harbour.wav", 1.0, 700.0)
    fade = RATE
    placed = [
        Placed("effects", 0, a, 1.0, length=5 * RATE + fade // 2, fade=fade),
        Placed("effects", 5 * RATE - fade // 2, b, 1.0, length=5 * RATE, fade=fade),
    ]
    out = mix(placed, None, 10 * RATE, tmp_path / "out", -23.0)
    fx = soundfile.read(str(out.stems["effects"]))[0][:, 0]
    window = slice(5 * RATE - 2400, 5 * RATE + 2400)  # the middle of the crossfade
    assert tone_level(fx[2 * RATE : 3 * RATE], 300.0) > 0.05  # the loop still plays at 2 s
    mid_a, mid_b = tone_level(fx[window], 300.0), tone_level(fx[window], 700.0)
    assert mid_a == pytest.approx(mid_b, rel=0.2) and mid_a > 0.01
    assert tone_level(fx[8 * RATE : 9 * RATE], 300.0) < 1e-3


def test_duck_envelope_ramps_before_and_after_a_line():
    env = duck_envelope(0, RATE * 3, [(RATE, 2 * RATE)])
    low = 10 ** (mixing.DUCK_DB / 20)
    assert env[0] == 1 and env[72_000] == pytest.approx(low)
    attack = round(mixing.ATTACK_S * RATE)
    assert 1 > env[RATE - attack // 2] > low
    assert env[-1] == 1
    assert np.all(np.diff(env[:RATE]) <= 1e-7)


def test_the_mix_is_written_in_blocks(tmp_path, monkeypatch):
    """A long programme never holds the whole mix: each write is one block."""
    bed = _tone(tmp_path / "bed.wav", 20.0, 50.0)
    sizes: list[int] = []
    real = soundfile.SoundFile.write

    def spy(self, data):
        sizes.append(len(data))
        return real(self, data)

    monkeypatch.setattr(soundfile.SoundFile, "write", spy)
    mix([], bed, 20 * RATE, tmp_path / "out", -23.0)
    assert len(sizes) > 20 and max(sizes) == mixing.BLOCK


def test_silence_is_not_gained_up(tmp_path):
    out = mix([], None, RATE, tmp_path / "out", -23.0)
    assert out.loudness is None
    assert np.abs(soundfile.read(str(out.mix))[0]).max() == 0
