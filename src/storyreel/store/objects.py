"""Content-addressed files: `.storyreel/objects/ab/cdef…`, named by the sha256 of their bytes.

Every write is atomic (a temporary name in the same folder, fsync, rename), so a process killed
at any moment leaves either a whole object or none. Every read can verify the bytes against the
name; a corrupt object is removed and reported (`CorruptObject`) so its stage runs again. A
cheap `stat` fingerprint (size, mtime) lets a build check all its objects in milliseconds and
hash only those whose files were touched since they were written. Bit rot keeps both, so what
goes into a cut is read through `ObjectStore.reader`, which hashes the bytes as they are read.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from storyreel.files import atomic_write, fsync_dir

__all__ = ["CorruptObject", "ObjectStore", "VerifiedReader", "file_digest", "fingerprint"]

_CHUNK = 1 << 20


class CorruptObject(Exception):
    """An object whose bytes no longer match its name (it has been removed)."""

    def __init__(self, digest: str):
        super().__init__(f"object {digest[:12]} was corrupt and has been removed")
        self.digest = digest


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def fingerprint(path: Path) -> tuple[int, int]:
    """(size, mtime in ns): changes whenever the file is rewritten."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns


class ObjectStore:
    """Immutable blobs under `root/ab/cdef…`."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.tmp_dir = self.root / "tmp"

    def path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:]

    def has(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def put_bytes(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        if not self.has(digest):
            atomic_write(self.path(digest), data)
        return digest

    def temp_path(self, suffix: str = "") -> Path:
        """A fresh name inside the store's volume, for a writer that `put_file`s its result."""
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=self.tmp_dir, suffix=suffix)
        os.close(fd)
        return Path(name)

    def put_file(self, src: Path) -> str:
        """Move a finished file into the store (fsynced, renamed); returns its digest."""
        with open(src, "rb+") as f:
            os.fsync(f.fileno())
        digest = file_digest(src)
        dest = self.path(digest)
        if dest.is_file():
            src.unlink()
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dest)
            fsync_dir(dest.parent)
        return digest

    def intact(self, digest: str) -> bool:
        """True when the object exists and its bytes hash to its name; touches nothing."""
        path = self.path(digest)
        return path.is_file() and file_digest(path) == digest

    def verify(self, digest: str) -> bool:
        """True when the object exists and its bytes hash to its name; a corrupt one is removed."""
        if self.intact(digest):
            return True
        self.remove(digest)
        return False

    def reader(self, digest: str) -> VerifiedReader:
        """The object opened for reading (seek and read as any file), hashed as it is read;
        leaving the `with` block (or `check()`) raises `CorruptObject` on a mismatch."""
        return VerifiedReader(self, digest)

    def read_bytes(self, digest: str) -> bytes:
        """The object's bytes, verified; raises `CorruptObject` (and removes it) on a mismatch."""
        data = self.path(digest).read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            self.remove(digest)
            raise CorruptObject(digest)
        return data

    def verified_path(self, digest: str) -> Path:
        """The object's path after checking its hash; raises `CorruptObject` when it fails."""
        if not self.verify(digest):
            raise CorruptObject(digest)
        return self.path(digest)

    def link(self, digest: str, dest: Path) -> Path:
        """`dest` as another name of the object (a hard link, or a copy where links fail), for
        whoever needs a file name with an extension; the object is verified first."""
        src = self.verified_path(digest)
        if dest.is_file() and os.path.samefile(src, dest):
            return dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.tmp")
        tmp.unlink(missing_ok=True)
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
        return dest

    def remove(self, digest: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(digest).unlink()

    def __iter__(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for sub in sorted(self.root.iterdir()):
            if len(sub.name) == 2 and sub.is_dir():
                for f in sorted(sub.iterdir()):
                    if not f.name.startswith("."):
                        yield sub.name + f.name

    def gc(self, keep: set[str]) -> tuple[int, int]:
        """Remove every object not in `keep`, and stale temporaries; returns (count, bytes)."""
        count = size = 0
        for digest in list(self):
            if digest not in keep:
                size += self.path(digest).stat().st_size
                self.remove(digest)
                count += 1
        if self.tmp_dir.is_dir():
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
        for sub in self.root.glob("??"):
            for tmp in sub.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
        return count, size


class VerifiedReader(io.RawIOBase):
    """An object's file that hashes its bytes as they are read, each byte once and in order.

    A reader that seeks ahead (a demuxer looking for an index) has the bytes it skipped hashed
    on the way; one that seeks back rereads without rehashing. `check()` hashes whatever was
    not read and, on a mismatch, removes the object and raises `CorruptObject`: a remux that
    reads its segments through readers and checks each before renaming its output never
    publishes a cut made of damaged bytes, at the cost of one hash of bytes it reads anyway.
    """

    def __init__(self, store: ObjectStore, digest: str):
        super().__init__()
        self.store, self.digest = store, digest
        self._file = open(store.path(digest), "rb")  # noqa: SIM115 (closed by close())
        self._hash = hashlib.sha256()
        self._hashed = 0  # bytes hashed, from the start of the file

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        at = self._file.tell()
        if at > self._hashed:
            self._hash_to(at)
        n = self._file.readinto(buffer) or 0
        if at <= self._hashed < at + n:
            self._hash.update(memoryview(buffer)[self._hashed - at : n])
            self._hashed = at + n
        return n

    def _hash_to(self, end: int | None) -> None:
        """Hash the bytes from where hashing stopped to `end` (None: the end of the file)."""
        here = self._file.tell()
        self._file.seek(self._hashed)
        while end is None or self._hashed < end:
            chunk = self._file.read(_CHUNK if end is None else min(_CHUNK, end - self._hashed))
            if not chunk:
                break
            self._hash.update(chunk)
            self._hashed += len(chunk)
        self._file.seek(here)

    def check(self) -> None:
        """Raise `CorruptObject` (and remove the object) unless its bytes hash to its name."""
        self._hash_to(None)
        if self._hash.hexdigest() != self.digest:
            self.close()
            self.store.remove(self.digest)
            raise CorruptObject(self.digest)

    def close(self) -> None:
        if not self.closed:
            self._file.close()
        super().close()

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            if exc_type is None:
                self.check()
        finally:
            self.close()
