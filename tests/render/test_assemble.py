"""The cut as a browser and a conform see it: faststart, and a timecode track at its start."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np

from storyreel.render.encode import Encoder
from storyreel.render.segments import assemble


def _top_level_boxes(data: bytes) -> list[str]:
    boxes, at = [], 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        boxes.append(data[at + 4 : at + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[at + 8 : at + 16], "big")
        at += size
    return boxes


def test_the_cut_is_faststart_with_a_tmcd_track_at_its_start_timecode(tmp_path):
    parts = []
    for k in range(2):
        part = tmp_path / f"part{k}.mp4"
        with Encoder(part, (64, 36), Fraction(24)) as enc:
            for i in range(12):
                enc.write(np.full((36, 64, 3), 20 * k + i, np.uint8))
        parts.append(part)
    cut = tmp_path / "cut.mp4"
    assemble(parts, [12, 12], Fraction(24), cut, metadata={"title": "t", "timecode": "01:00:00:00"})
    data = cut.read_bytes()
    boxes = _top_level_boxes(data)
    assert boxes.index("moov") < boxes.index("mdat")
    assert b"tmcd" in data[: data.index(b"mdat")]  # the timecode track's sample description
    with av.open(str(cut)) as c:
        [tmcd] = c.streams.data
        assert tmcd.metadata["handler_name"] == "TimeCodeHandler"
        assert tmcd.metadata["timecode"] == "01:00:00:00"
        assert sum(1 for _ in c.decode(video=0)) == 24


def test_a_rendered_cut_starts_at_the_films_start_timecode(tmp_path):
    from storyreel.run.build import build
    from storyreel.store.project import Project
    from tests.run.conftest import make_project

    root = make_project(tmp_path / "film")
    toml = root / "storyreel.toml"
    toml.write_text(
        toml.read_text().replace("[film]\n", '[film]\nstart_timecode = "10:00:00:00"\n')
    )
    build(Project.open(root))
    data = (root / "out" / "cut.mp4").read_bytes()
    boxes = _top_level_boxes(data)
    assert boxes.index("moov") < boxes.index("mdat")
    with av.open(str(root / "out" / "cut.mp4")) as c:
        [tmcd] = c.streams.data
        assert tmcd.metadata["timecode"] == "10:00:00:00"
