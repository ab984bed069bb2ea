"""The studio's builds: one at a time, in the background, the latest request wins.

A save, a take chosen or a change on disk asks for a build; requests that arrive while one runs
fold into one more build after it. Builds run `storyreel.run.build.build` under the project
lock, so a `storyreel render` in a terminal and the studio wait for each other (the tabs are
told). Every tab gets the new reel as soon as the cut's file is written (a draft paints the
takes its cut does not use after that; their panel is read again when the build finishes). A
script that does not parse leaves the last good reel in place and says where it broke.
The script is watched on disk (`watchfiles`, which waits on the kernel: an idle studio costs
nothing), so a save in another editor reaches every tab.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from watchfiles import watch

from storyreel.errors import StoryreelError
from storyreel.run.build import build
from storyreel.run.events import CutPlaced, Event, FileWritten
from storyreel.run.report import BuildReport
from storyreel.run.spend import gate
from storyreel.store.project import Project
from storyreel.studio.hub import Hub
from storyreel.studio.reel import Reel, digest_text, read_reel


@dataclass
class Request:
    full: bool = False  # a full-size render (cut.mp4 and the exports), not a draft
    n_takes: dict[str, int] = field(default_factory=dict)


class Builder:
    """Runs the project's builds on one thread and keeps the last good reel."""

    def __init__(
        self,
        root: Path,
        hub: Hub,
        pay: bool = False,
    ):
        self.root, self.hub = root, hub
        self.pay = pay  # builds may pay hosted backends (within the budget); else they are refused
        self.script = Project.open(root).script
        self.reel = Reel()
        self.error: dict | None = None  # the script's error, while it has one
        self.building = False
        self.version = 0  # counts the cuts built: the player's cache-buster
        self._want: Request | None = None
        self._wake = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.script_digest: str | None = None

    def project(self) -> Project:
        return Project.open(self.root)  # again each time: storyreel.toml may have changed

    def start(self) -> None:
        self.script_digest = self.read_digest()
        for target in (self._run, self._watch):
            t = threading.Thread(target=target, daemon=True, name=f"studio-{target.__name__}")
            t.start()
            self._threads.append(t)
        self.request()

    def stop(self) -> None:
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        for t in self._threads:
            t.join(timeout=5)

    def request(self, full: bool = False) -> None:
        with self._wake:
            want = self._want or Request()
            want.full = want.full or full
            self._want = want
            self._wake.notify_all()

    def idle(self, timeout: float = 60.0) -> bool:
        """Wait until no build runs or is asked for (for tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        with self._wake:
            while self.building or self._want is not None:
                if not self._wake.wait(timeout=max(0.0, deadline - time.monotonic())):
                    return False
        return True

    def read_digest(self) -> str | None:
        try:
            return digest_text(self.script.read_text(encoding="utf-8"))
        except OSError:
            return None

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._wake:
                while self._want is None and not self._stop.is_set():
                    self._wake.wait()
                if self._stop.is_set():
                    return
                want, self._want = self._want, None
                self.building = True
            try:
                self._build(want)
            finally:
                with self._wake:
                    self.building = False
                    self._wake.notify_all()

    def _build(self, want: Request) -> None:
        seen = BuildReport()  # the build so far: the shots it failed when its cut is written
        cuts: list[CutPlaced] = []

        def follow(event: Event) -> None:
            seen(event)
            if isinstance(event, CutPlaced):
                cuts.append(event)
            elif isinstance(event, FileWritten) and cuts and event.path == cuts[-1].output:
                self._show(project, cuts[-1], dict(seen.failed), want.full)

        try:
            project = self.project()  # a broken storyreel.toml is said like a broken script
            build(
                project,
                draft=not want.full,
                subscribers=(self.hub, follow),
                on_wait=lambda message: self.hub.send("waiting", message=message),
                approve=gate(budget=None, yes=self.pay, ask=None, tell=lambda estimate: None),
            )
        except StoryreelError as e:
            self._failed(e)
        except Exception as e:  # noqa: BLE001 (a bug must not stop the studio; the tab is told)
            self.hub.send("build_failed", message=f"{type(e).__name__}: {e}", path=None, line=None)

    def _show(self, project: Project, cut: CutPlaced, failed: dict[str, str], full: bool) -> None:
        """The new cut, to every tab, as soon as its file is written: a draft paints the takes
        its cut does not use after it (`storyreel.run.stills.make_later`)."""
        self.reel = read_reel(project, cut, failed)
        self.version += 1
        if self.error is not None:
            self.error = None
            self.hub.send("script_ok")
            self.hub.forget("script_error")
        self.hub.send("reel", version=self.version, full=full, **self.reel.to_json())

    def _failed(self, e: StoryreelError) -> None:
        where = {"message": e.message, "path": str(e.path) if e.path else None, "line": e.line}
        if e.path is not None and Path(e.path).resolve() == self.script.resolve():
            self.error = where
            self.hub.send("script_error", **where)
        self.hub.send("build_failed", **where)

    def _watch(self) -> None:
        """Tell the tabs when the script changes on disk, and build it."""
        for changes in watch(
            self.root,
            stop_event=self._stop,
            debounce=200,
            rust_timeout=0,
            yield_on_timeout=False,
            recursive=False,
        ):
            names = {Path(p).name for _, p in changes}
            if not names & {self.script.name, "storyreel.toml"}:
                continue
            digest = self.read_digest()
            if digest != self.script_digest:
                self.script_digest = digest
                self.hub.send("script_changed", digest=digest)
                self.request()
            elif "storyreel.toml" in names:
                self.request()
