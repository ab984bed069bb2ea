"""A render killed mid-way resumes; two renders at once; the smart render equals a full render."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import av
import numpy as np

from storyreel.store.db import Database
from storyreel.store.lock import project_lock
from storyreel.store.objects import ObjectStore
from storyreel.store.project import Project
from tests.run.conftest import SCRIPT, decode, make_project

LONG = SCRIPT.replace(", 1s,", ", 2s,")


def _render_cmd(root: Path) -> list[str]:
    return [sys.executable, "-m", "storyreel", "render", str(root), "--quiet"]


def _segments(root: Path) -> set[str]:
    db_path = Project.open(root).db_path
    if not db_path.exists():
        return set()
    with Database(db_path) as db:
        return {k for k, o in db.outputs().items() if o["stage"] == "segment"}


def test_sigkill_mid_render_then_restart_equals_an_uninterrupted_render(tmp_path, copy_project):
    killed = make_project(tmp_path / "killed", script=LONG)
    clean = copy_project(killed, tmp_path / "clean")
    proc = subprocess.Popen(_render_cmd(killed))
    deadline = time.monotonic() + 120
    while not _segments(killed) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the render finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = _segments(killed)
    assert done and not (killed / "out" / "cut.mp4").exists()

    from storyreel.run.build import build

    report = build(Project.open(killed))
    redone = set(report.computed["segments"])
    assert not {k[:12] for k in done} & redone  # finished segments were reused
    assert report.reused["segments"] >= len(done)
    store = ObjectStore(Project.open(killed).objects_dir)
    assert all(store.verify(d) for d in store)  # no corrupt object left behind

    subprocess.run(_render_cmd(clean), check=True)
    a, b = decode(killed / "out" / "cut.mp4"), decode(clean / "out" / "cut.mp4")
    assert len(a) == len(b)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_two_renders_at_once_both_finish_and_the_store_stays_consistent(project):
    """Both renders start while the project is locked (held here, so the overlap is certain):
    each says who holds the lock and waits; released, they race each other and both finish."""
    errors: list[list[str]] = [[], []]
    with project_lock(Project.open(project).state_dir):
        procs = [
            subprocess.Popen(_render_cmd(project), stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        readers = [
            threading.Thread(target=lambda p=p, out=out: out.extend(p.stderr), daemon=True)
            for p, out in zip(procs, errors, strict=True)
        ]
        for r in readers:
            r.start()
        deadline = time.monotonic() + 120
        while (
            not all(
                any("waiting for the project lock held by pid" in line for line in out)
                for out in errors
            )
            and time.monotonic() < deadline
        ):
            time.sleep(0.1)
    results = [p.wait(timeout=300) for p in procs]
    for r in readers:
        r.join(timeout=10)
    assert results == [0, 0], errors
    assert all(
        any("waiting for the project lock held by pid" in line for line in out) for out in errors
    ), errors
    from storyreel.run.build import build

    again = build(Project.open(project))
    assert again.frames == 0 and not any(again.computed.values())
    store = ObjectStore(Project.open(project).objects_dir)
    assert all(store.verify(d) for d in store)
    assert len(decode(project / "out" / "cut.mp4")) > 0


def test_smart_render_matches_a_full_render(project):
    """Segments remuxed vs the whole programme encoded in one pass: same frames, same timing."""
    from fractions import Fraction

    from storyreel.edit.playback import Black
    from storyreel.model import Transition, TransitionKind
    from storyreel.render.encode import Encoder
    from storyreel.render.frames import FilmLook
    from storyreel.render.program import Event, Program, render_program
    from storyreel.render.segments import assemble, encode_segment, plan

    class Ramp:
        """A moving gradient: frame i is brighter by i."""

        def __init__(self, key: str, n: int, tint: int):
            self.key, self.n_frames, self.fps, self.size, self.tint = (
                key,
                n,
                Fraction(24),
                (320, 180),
                tint,
            )

        def frame(self, i: int) -> np.ndarray:
            img = np.zeros((180, 320, 3), np.uint8)
            img[..., 0] = (np.arange(320) + 4 * i) % 256
            img[..., 1] = self.tint
            return img

    fps = Fraction(24)
    events = [
        Event(Ramp("a", 30, 40), 0, 30),
        Event(Ramp("b", 40, 200), 24, 30, 0, Transition(kind=TransitionKind.DISSOLVE, frames=6)),
        Event(Black((320, 180), fps, 10), 54, 10),
        Event(Ramp("c", 20, 90), 64, 20, 0, Transition(kind=TransitionKind.FADE_IN, frames=5)),
    ]
    program = Program(fps, (320, 180), (320, 180), events)
    look = FilmLook(Project.open(project).config.look, (320, 180), (320, 180), fps)
    segments = plan(program, look, {})
    assert [s.start for s in segments] == [0, 24, 30, 54, 64]
    paths = []
    for s in segments:
        paths.append(project / f"seg{s.start}.mp4")
        encode_segment(program, s, look, paths[-1], {"crf": 18})
    smart, full = project / "smart.mp4", project / "full.mp4"
    assemble(paths, [s.length for s in segments], fps, smart)
    with Encoder(full, (320, 180), fps, crf=18) as enc:
        render_program(program, enc, look)

    def timing(path: Path) -> list[float]:
        with av.open(str(path)) as c:
            return [float(f.pts * f.time_base) for f in c.decode(video=0)]

    assert timing(smart) == timing(full) == [i / 24 for i in range(84)]
    a, b = decode(smart), decode(full)
    # the same pictures, up to the grain (it counts from each segment's first frame)
    diff = [np.abs(x.astype(int) - y.astype(int)).mean() for x, y in zip(a, b, strict=True)]
    assert max(diff) < 12
