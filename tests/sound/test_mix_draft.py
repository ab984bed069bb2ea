"""The draft's sound, a piece at a time: a length edit remixes only the changed shot's sound, the
draft decodes to the whole-film mix at every join, and it stays on its loudness target."""

from __future__ import annotations

import re
import shutil
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
import soundfile

from storyreel.edit.timeline import build_timeline
from storyreel.render.encode import Encoder
from storyreel.render.segments import assemble
from storyreel.run.pipeline import open_pipeline
from storyreel.run.sound import _music_path, _total, cut_audio, dialogue, mix_sound
from storyreel.run.voices import heard, make_voices
from storyreel.sound import mix as whole
from storyreel.sound import pieces
from storyreel.sound.loudness import integrated
from storyreel.store.project import Project
from tests.sound.meter import ebur128

EXAMPLE = Path(__file__).parents[2] / "examples" / "footage"
LENGTH = re.compile(r"(\d+(?:\.\d+)?)s\b")


def _draft(root: Path, tmp: Path):
    """The film's draft sound alone (breakdown, timeline with the lines' lengths, the mix),
    remuxed with a one-frame picture into an MP4 as the draft's cut is: (sound, its placed
    sounds and length, the MP4, what was computed)."""
    with open_pipeline(Project.open(root), draft=True) as p:
        shotlist = p.breakdown()
        voices = make_voices(p, shotlist)
        timeline = build_timeline(shotlist, p.config, dialogue_lengths=voices.lengths)
        sound = mix_sound(p, timeline, shotlist, None, heard(voices))
        keys, audio = cut_audio(p, sound, Fraction(1, 24))
        picture = tmp / "frame.mp4"
        with Encoder(picture, (16, 16), Fraction(24)) as enc:
            enc.write(np.zeros((16, 16, 3), np.uint8))
        out = tmp / f"draft-{len(list(tmp.iterdir()))}.mp4"
        assemble([picture], [1], Fraction(24), out, audio=audio)
        placed = dialogue(timeline, heard(voices))
        assert _music_path(timeline) is None
        return sound, placed, _total(p, timeline), out, dict(p.report.computed), keys


def _decoded(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        assert c.streams.audio[0].codec_context.name == "flac"
        frames = [f.to_ndarray().reshape(-1, 2) for f in c.decode(audio=0)]
    return np.concatenate(frames) / 32768


@pytest.fixture(scope="module")
def film(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("draft")
    root = tmp / "film"
    shutil.copytree(EXAMPLE, root)
    yield root, tmp, _draft(root, tmp)
    shutil.rmtree(tmp)  # the example's store and mixes, 0.7 GB: not held until the run ends


def test_the_draft_decodes_to_the_whole_film_mix_at_every_join(film):
    _, tmp, (sound, placed, total, mp4, _, _) = film
    got = _decoded(mp4)
    assert len(got) == total
    joins = [int(j) for j in np.cumsum([sum(piece.lengths) for piece in sound.pieces])[:-1]]
    assert len(joins) > 20
    # the whole-film mix's own passes, at the gain the draft's pieces chose
    parts = pieces.cut(placed, False, total, joins)
    steps = [v for pc in parts for v in pieces.steps(pieces.summed(pc, None), pc.length)]
    gain = 10 ** (pieces.gain_db(-23.0, integrated(steps)) / 20)
    temps = {bus: tmp / f"{bus}.f32.wav" for bus in whole.BUSES}
    whole._first_pass(placed, None, total, temps, whole.RATE)
    outs = {name: tmp / f"{name}.wav" for name in ("mix", *whole.BUSES)}
    whole._second_pass(temps, outs, total, gain, whole.RATE)
    want, _ = soundfile.read(str(outs["mix"]), dtype="float32")
    near = np.concatenate([np.arange(j - 2048, j + 2048) for j in joins])
    assert np.abs(got[near] - want[near]).max() < 3 / 32768  # 16 bits, and nothing else
    assert np.abs(got - want).max() < 3 / 32768
    assert np.abs(want).max() > 0.05


def test_the_draft_is_on_its_loudness_target(film):
    _, _, (sound, _, _, mp4, _, _) = film
    measured = ebur128(mp4)
    assert measured.integrated == pytest.approx(-23.0, abs=1.0)
    assert measured.true_peak < -1.0
    assert sound.loudness.integrated == pytest.approx(measured.integrated, abs=0.3)


def test_a_length_edit_remixes_only_the_changed_sound(film):
    root, tmp, (sound, _, _, _, first, keys) = film
    # each piece measured, then mixed (silent pieces of one length are one piece in the store)
    assert len(sound.pieces) < len(first["audio"]) <= 2 * len(sound.pieces)
    script = root / "script.fountain"
    lines = script.read_text().splitlines(keepends=True)
    directives = [i for i, s in enumerate(lines) if s.startswith("[[shot:") and LENGTH.search(s)]
    i = directives[len(directives) // 2]
    lines[i] = LENGTH.sub(lambda m: f"{float(m[1]) + 1.5:g}s", lines[i], count=1)
    script.write_text("".join(lines))
    again, _, total, mp4, computed, new_keys = _draft(root, tmp)
    assert len(again.pieces) == len(sound.pieces) > 20
    assert 1 <= len(computed["audio"]) <= 4  # the shot's piece (and a neighbour's reach)
    assert 1 <= sum(a != b for a, b in zip(keys, new_keys, strict=True)) <= 2
    assert len(_decoded(mp4)) == total
    assert ebur128(mp4).integrated == pytest.approx(-23.0, abs=1.0)


@pytest.mark.parametrize(("rate", "subtype"), [(48_000, "PCM_16"), (44_100, "PCM_24")])
def test_the_pieces_sum_to_the_whole_film_sum_under_a_music_bed(tmp_path, rate, subtype):
    """Lines, a bed that loops, and the music ducked under the lines: the pieces' sounds, each
    from its own start, add up to what the whole-film pass sums, sample for sample, whether the
    bed is entered at its sample (PCM at 48 kHz) or decoded from its top (resampled)."""
    t = np.arange(rate * 12) / rate
    music = tmp_path / "bed.wav"
    tone = 0.3 * np.sin(2 * np.pi * 110 * t)
    soundfile.write(str(music), np.stack([tone, -tone], axis=1), rate, subtype=subtype)
    line = tmp_path / "line.wav"
    soundfile.write(str(line), 0.5 * np.sin(2 * np.pi * 440 * t[: rate * 2]), rate)
    room = tmp_path / "room.wav"
    soundfile.write(str(room), 0.1 * np.cos(2 * np.pi * 60 * t[:rate]), rate)
    placed = [
        whole.Placed("dialogue", 30_000, line),
        whole.Placed("dialogue", 200_000, line, 0.7, "os"),
        whole.Placed("effects", 10_000, room, 0.5, length=300_000, fade=24_000),
    ]
    total = 48_000 * 10
    temps = {bus: tmp_path / f"{bus}.f32.wav" for bus in whole.BUSES}
    whole._first_pass(placed, music, total, temps, whole.RATE)
    want = sum(soundfile.read(str(path), dtype="float32")[0] for path in temps.values())
    parts = pieces.cut(placed, True, total, [48_000, 50_000, 210_000, 400_000])
    pad = pieces.reach()
    got = np.concatenate([pieces.summed(pc, music)[pad : pad + pc.length] for pc in parts])
    assert [pc.start for pc in parts] == [0, 48_000, 50_000, 210_000, 400_000]
    assert got.shape == want.shape
    assert np.abs(got - want).max() < 1e-5
    assert np.abs(want).max() > 0.3
