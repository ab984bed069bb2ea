"""Take seeds, N takes, and the files the `stills` command keeps."""

from __future__ import annotations

import numpy as np

from storyreel.config import ProjectConfig
from storyreel.stills.previz import PrevizBackend
from storyreel.stills.takes import (
    generate_takes,
    png_bytes,
    read_layers,
    take_path,
    take_seed,
    write_take,
)
from tests.stills.conftest import W, render, scene, shot


def test_take_seeds_are_stable_distinct_and_honour_the_directive():
    s = shot()
    seeds = [take_seed(s, i) for i in range(6)]
    assert len(set(seeds)) == 6 and seeds == [take_seed(s, i) for i in range(6)]
    assert take_seed(shot(shot_id="other"), 0) != seeds[0]
    directed = shot(seed=42)
    assert take_seed(directed, 0) == 42 and take_seed(directed, 1) not in (42, seeds[1])


def test_generate_takes_gives_n_different_stills():
    takes = list(generate_takes(PrevizBackend(), shot(), scene(), ProjectConfig(), 3, size=(W, 134)))
    assert [seed for seed, _ in takes] == [take_seed(shot(), i) for i in range(3)]
    images = [still.image for _, still in takes]
    assert not np.array_equal(images[0], images[1]) and not np.array_equal(images[1], images[2])


def test_written_takes_are_deterministic_and_keep_their_layers(tmp_path):
    still = render(shot())
    path = take_path(tmp_path, "s1", 7)
    assert path == tmp_path / ".storyreel" / "stills" / "s1" / "7.png"
    write_take(path, still)
    first = path.read_bytes()
    write_take(path, render(shot()))
    assert path.read_bytes() == first == png_bytes(still.image)
    layers, boxes = read_layers(path)
    assert [lay.name for lay in layers] == [lay.name for lay in still.layers]
    assert all(np.array_equal(a.rgba, b.rgba) and a.depth == b.depth
               for a, b in zip(layers, still.layers, strict=True))
    assert boxes == still.subject_boxes
