"""Peak memory and CPU of a render's stills stage alone, on a fresh copy of the example.

    python benchmarks/stills_stage.py [PROJECT] [--keep DIR]

Runs what `storyreel render` runs before the stills are made (the breakdown, the voices, whose
lengths a shot's still does not read) in a process of its own, then the stills stage, with the
render's own pool of threads. Prints the process's peak resident memory (VmHWM) before and
after the stills, the stage's CPU and wall time, and a digest of every still made (the PNGs'
and layers' pixels), so a change to the painter can be checked to leave every pixel as it was.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def hwm_mb() -> float:
    """The process's peak resident memory so far, MB (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("project", nargs="?", default=str(ROOT / "examples" / "footage"))
    ap.add_argument("--keep", help="the copy's folder (default: a temporary one, removed)")
    args = ap.parse_args()
    from storyreel.run.pipeline import open_pipeline
    from storyreel.run.stills import make_stills
    from storyreel.run.takes import load_still
    from storyreel.run.voices import make_voices
    from storyreel.store.project import Project

    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(args.keep) if args.keep else Path(tmp) / "film"
        dest.mkdir(parents=True, exist_ok=True)
        for name in ("storyreel.toml", "script.fountain"):
            shutil.copy(Path(args.project) / name, dest / name)
        with open_pipeline(Project.open(dest)) as p:
            shotlist = p.breakdown()
            make_voices(p, shotlist)
            before, cpu, wall = hwm_mb(), cpu_s(), time.perf_counter()
            stills = make_stills(p, shotlist)
            cpu, wall = cpu_s() - cpu, time.perf_counter() - wall
            after = hwm_mb()
            digest = hashlib.sha256()
            for ref in stills.takes:
                still = load_still(p.store, p.runner.lookup(ref.key, ref.id))
                digest.update(ref.key.encode())
                digest.update(still.image.tobytes())
                for layer in still.layers:
                    digest.update(layer.name.encode() + layer.rgba.tobytes())
    print(f"stills stage: {len(stills.takes)} stills of {args.project}")
    print(
        f"  cpu {cpu:.1f} s   wall {wall:.1f} s   ({cpu / len(stills.takes) * 1000:.0f} ms a still)"
    )
    print(f"  peak resident memory: {before:.0f} MB before the stills, {after:.0f} MB after")
    print(f"  pixels: {digest.hexdigest()}")


if __name__ == "__main__":
    main()
