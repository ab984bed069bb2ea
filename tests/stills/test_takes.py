"""Take seeds, and takes kept in the project's store with their layers."""

from __future__ import annotations

import time

import numpy as np

from storyreel.run.stage import Stored
from storyreel.run.takes import load_still, save_still
from storyreel.stills.takes import take_seed
from storyreel.store.objects import ObjectStore
from tests.stills.conftest import render, shot


def test_take_seeds_are_stable_distinct_and_honour_the_directive():
    s = shot()
    seeds = [take_seed(s, i) for i in range(6)]
    assert len(set(seeds)) == 6 and seeds == [take_seed(s, i) for i in range(6)]
    assert take_seed(shot(shot_id="other"), 0) != seeds[0]
    directed = shot(seed=42)
    assert take_seed(directed, 0) == 42 and take_seed(directed, 1) not in (42, seeds[1])


def test_stored_takes_are_deterministic_and_keep_their_layers(tmp_path):
    store = ObjectStore(tmp_path / "objects")
    still = render(shot())
    first = save_still(store, still)
    assert save_still(store, render(shot())) == first  # the same still, the same objects
    back = load_still(store, Stored(first.blobs, first.meta))
    assert np.array_equal(back.image, still.image)
    assert [lay.name for lay in back.layers] == [lay.name for lay in still.layers]
    assert all(
        np.array_equal(a.rgba, b.rgba) and a.depth == b.depth
        for a, b in zip(back.layers, still.layers, strict=True)
    )
    assert back.subject_boxes == still.subject_boxes


def test_a_saved_still_is_the_same_objects_whenever_saved(tmp_path, monkeypatch):
    store = ObjectStore(tmp_path / "objects")
    still = render(shot())
    first = save_still(store, still)
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert save_still(store, still).blobs == first.blobs
    with np.load(store.path(first.blobs["layers"])) as z:  # the layers, as `np.savez` lays them
        assert sorted(z.files) == ["depths", "names", "rgba"]
        assert np.array_equal(z["rgba"], np.stack([lay.rgba for lay in still.layers]))
        assert list(z["names"]) == [lay.name for lay in still.layers]
