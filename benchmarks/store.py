"""What keeping work safe costs: the journal on each database write, rebuilding a lost
database from it, and hashing the store (`storyreel verify`, `ObjectStore.reader`).

Prints the median ms of an output write (the build's commonest) with the journal and, as the
reference, the same SQLite write without it; the time to rebuild a database of N outputs from
its journal; and MB/s of hashing an object whole and through a `VerifiedReader` read in 64 KiB
pieces (as a demuxer reads).

    python benchmarks/store.py
    python benchmarks/store.py --outputs 20000 --mb 512 --dir .   # on the project's disk
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from storyreel.store.db import Database, now
from storyreel.store.objects import ObjectStore


def _ms(fn, n: int) -> float:
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--writes", type=int, default=300)
    ap.add_argument("--outputs", type=int, default=5000)
    ap.add_argument("--mb", type=int, default=256)
    ap.add_argument(
        "--dir", type=Path, default=None, help="where to write (default: the temp folder)"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        root = Path(tmp)
        blobs = {"mp4": ["ab" * 32, 123456, 1700000000000000000]}
        db = Database(root / "project.db")
        journaled = _ms(
            lambda i: db.output_put(f"key-{i}", "segment", blobs, {"start": i}), args.writes
        )

        def plain(i: int) -> None:
            with db.tx() as c:  # the same statement, nothing kept for the journal
                c.execute(
                    "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?)",
                    (f"plain-{i}", "segment", json.dumps(blobs), json.dumps({"start": i}), now()),
                )

        bare = _ms(plain, args.writes)
        for i in range(args.outputs):
            db.output_put(f"many-{i}", "segment", blobs, {"start": i})
        db.close()
        size = (root / "project.journal").stat().st_size
        (root / "project.db").unlink()
        start = time.perf_counter()
        with Database(root / "project.db") as db:
            rebuilt = time.perf_counter() - start
            message = db.recovered
        print(
            f"output write: {journaled:.2f} ms with the journal, {bare:.2f} ms without (median of "
            f"{args.writes})"
        )
        print(f"rebuild from a {size / 1e6:.1f} MB journal: {rebuilt * 1000:.0f} ms ({message})")

        store = ObjectStore(root / "objects")
        src = store.temp_path()
        with src.open("wb") as f:
            for _ in range(args.mb):
                f.write(os.urandom(1 << 20))
        dig = store.put_file(src)
        start = time.perf_counter()
        assert store.intact(dig)
        whole = args.mb / (time.perf_counter() - start)
        start = time.perf_counter()
        with store.reader(dig) as f:
            while f.read(1 << 16):
                pass
        streamed = args.mb / (time.perf_counter() - start)
        print(
            f"hashing a {args.mb} MB object: {whole:.0f} MB/s whole, {streamed:.0f} MB/s read "
            "through a VerifiedReader"
        )


if __name__ == "__main__":
    main()
