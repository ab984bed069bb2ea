from __future__ import annotations

import hashlib

import pytest

from storyreel.files import atomic_write
from storyreel.store.objects import CorruptObject, ObjectStore


def test_put_and_read_by_content_hash(tmp_path):
    store = ObjectStore(tmp_path / "objects")
    digest = store.put_bytes(b"a keyframe")
    assert digest == hashlib.sha256(b"a keyframe").hexdigest()
    assert store.path(digest) == tmp_path / "objects" / digest[:2] / digest[2:]
    assert store.read_bytes(digest) == b"a keyframe"
    assert store.put_bytes(b"a keyframe") == digest  # deduplicated
    assert list(store) == [digest]


def test_corrupt_object_is_detected_and_removed(tmp_path):
    store = ObjectStore(tmp_path)
    digest = store.put_bytes(b"x" * 1000)
    store.path(digest).write_bytes(b"y" * 1000)
    with pytest.raises(CorruptObject):
        store.read_bytes(digest)
    assert not store.has(digest)
    digest2 = store.put_bytes(b"z")
    store.path(digest2).write_bytes(b"q")
    assert store.verify(digest2) is False and not store.has(digest2)


def test_put_file_moves_a_finished_file_in(tmp_path):
    store = ObjectStore(tmp_path / "o")
    tmp = store.temp_path(".mp4")
    tmp.write_bytes(b"segment")
    digest = store.put_file(tmp)
    assert not tmp.exists()
    assert store.verified_path(digest).read_bytes() == b"segment"


def test_atomic_write_leaves_no_temporaries(tmp_path):
    target = tmp_path / "a" / "b.txt"
    atomic_write(target, b"one")
    atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["b.txt"]


def test_gc_keeps_only_what_is_reachable(tmp_path):
    store = ObjectStore(tmp_path)
    keep = store.put_bytes(b"keep")
    drop = store.put_bytes(b"drop")
    store.temp_path().write_bytes(b"half-written")
    count, size = store.gc({keep})
    assert (count, size) == (1, 4)
    assert store.has(keep) and not store.has(drop)
    assert not store.tmp_dir.exists()


def test_atomic_writes_leave_ordinary_permissions(tmp_path):
    import os

    old = os.umask(0o027)
    try:
        from storyreel.files import file_mode

        file_mode.cache_clear()
        atomic_write(tmp_path / "a.pdf", b"%PDF")
        atomic_write(tmp_path / "cut.edl", "TITLE: x\n")  # text, as the NLE files are written
        store = ObjectStore(tmp_path / "objects")
        digest = store.put_bytes(b"png")
        for path in (tmp_path / "a.pdf", tmp_path / "cut.edl", store.path(digest)):
            assert path.stat().st_mode & 0o777 == 0o640, path
    finally:
        os.umask(old)
        file_mode.cache_clear()
