"""A render with `--media`: the stems beside the cut and in `out/media/`, the music bed copied
there, `cut.otio` pointing at them, and the loudness in the report."""

from __future__ import annotations

import filecmp

import numpy as np
import opentimelineio as otio
import soundfile

from storyreel.run.build import build
from storyreel.store.project import Project
from tests.sound.film import write_film
from tests.sound.meter import ebur128


def test_a_render_with_media_hands_over_the_stems_and_the_music(tmp_path):
    root = write_film(tmp_path / "film", "")
    bed = root / "score.wav"
    t = np.arange(48_000 * 30) / 48_000
    soundfile.write(str(bed), 0.2 * np.sin(2 * np.pi * 110 * t), 48_000)
    report = build(Project.open(root), music=bed, media=True)
    out = root / "out"

    stems = {bus: out / f"cut-{bus}.wav" for bus in ("dialogue", "music", "effects")}
    assert all(p in report.files for p in stems.values())
    for bus, path in stems.items():
        assert filecmp.cmp(path, out / "media" / f"stem-{bus}.wav", shallow=False)
        assert (out / "media" / f"stem-{bus}.wav").samefile(path)  # one file on disk, two names
    assert filecmp.cmp(bed, out / "media" / "score.wav", shallow=False)  # A2 online

    timeline = otio.adapters.read_from_file(str(out / "cut.otio"))
    urls = {
        t.name: [c.media_reference.target_url for c in t.find_clips()]
        for t in timeline.audio_tracks()
    }
    assert urls["A2"] == ["media/score.wav"]
    for bus in stems:
        assert urls[f"{bus.title()} stem"] == [f"media/stem-{bus}.wav"]
        assert (out / urls[f"{bus.title()} stem"][0]).is_file()
    mixed = sum(soundfile.read(str(p))[0] for p in stems.values())
    with soundfile.SoundFile(str(stems["dialogue"])) as f:
        assert f.frames == round(timeline.duration().to_seconds() * 48_000)
    assert np.abs(mixed).max() > 0.05

    loud = report.loudness
    assert loud["target"] == -23.0 and abs(loud["integrated"] + 23.0) <= 1.0
    heard = ebur128(out / "cut.mp4")  # the AAC in the cut, measured by FFmpeg
    assert abs(heard.integrated + 23.0) <= 1.0
