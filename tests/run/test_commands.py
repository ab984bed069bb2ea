"""The commands around the build: watch, takes / regen / provenance, gc, the lock's timeout."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.errors import StoryreelError
from storyreel.run.build import build
from storyreel.store.lock import project_lock
from storyreel.store.project import Project
from tests.run.conftest import make_project


def _lines(proc: subprocess.Popen) -> queue.Queue:
    q: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [q.put(line) for line in proc.stderr], daemon=True).start()
    return q


def _wait_for(q: queue.Queue, text: str, timeout: float = 90) -> list[str]:
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = q.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"{text!r} not printed; got {seen}")


def test_watch_rebuilds_on_save_and_survives_a_syntax_error(project):
    script = project / "script.fountain"
    proc = subprocess.Popen(
        [sys.executable, "-m", "storyreel", "watch", str(project)],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        q = _lines(proc)
        _wait_for(q, "watching")
        cut = project / "out" / "cut.mp4"
        assert cut.is_file()
        time.sleep(1.0)  # the watcher starts listening just after it says so
        script.write_text(script.read_text().replace("A film can on the desk.", "A can, open."))
        seen = _wait_for(q, "rebuilt in")
        assert any("changed: sh4" in line for line in seen), seen
        good = cut.read_bytes()
        text = script.read_text()
        script.write_text(
            text.replace(
                "[[shot: INSERT, zoom-in, 1s, #sh4]]", "[[shot: INSRET, zoom-in, 1s, #sh4]]"
            )
        )
        seen = _wait_for(q, "keeping the last good cut")
        line = next(x for x in seen if "keeping the last good cut" in x)
        assert f"{script.name}:" in line and "INSRET" in line.upper()
        assert cut.read_bytes() == good and proc.poll() is None
        script.write_text(text)
        _wait_for(q, "rebuilt in")
    finally:
        proc.kill()
        proc.wait()


def test_takes_regen_and_provenance(tmp_path):
    root = make_project(tmp_path / "film")
    runner = CliRunner()
    assert runner.invoke(app, ["render", str(root), "--quiet"]).exit_code == 0
    result = runner.invoke(app, ["regen", "sh1", "--takes", "2", "-p", str(root)])
    assert result.exit_code == 0, result.output
    rows = json.loads(runner.invoke(app, ["takes", "sh1", "-p", str(root), "--json"]).output)
    assert [r["take"] for r in rows] == [1, 2, 3]
    assert len({r["seed"] for r in rows}) == 3 and [r["selected"] for r in rows] == [
        True,
        False,
        False,
    ]
    for r in rows:  # a file a person can open: a PNG by name and by content
        assert r["thumbnail"].endswith(".png")
        assert (root / r["thumbnail"]).read_bytes().startswith(b"\x89PNG")

    bad = runner.invoke(app, ["select", "sh1", "7", "-p", str(root)])
    assert bad.exit_code == 2 and "no take '7'" in bad.output
    assert runner.invoke(app, ["takes", "sh9", "-p", str(root)]).exit_code == 2

    out = tmp_path / "prov.json"
    assert runner.invoke(app, ["provenance", str(root), "-o", str(out)]).exit_code == 0
    data = json.loads(out.read_text())
    assert data["ai_generated"] and data["cut"]["path"].endswith("cut.mp4")
    used = {t["take_id"] for t in data["cut"]["takes"]}
    assert used <= {t["id"] for t in data["takes"]}
    assert {t["backend"] for t in data["cut"]["takes"]} == {"camera"}
    stills = [t for t in data["takes"] if t["kind"] == "still"]
    assert stills and all(t["provenance"]["backend"] == "previz" for t in stills)
    clips = [t for t in data["takes"] if t["kind"] == "clip"]
    assert clips and not {t["path"] for t in clips} & {t["path"] for t in stills}
    assert all(t["provenance"]["params"]["move"] and t["provenance"]["inputs"] for t in clips)


def test_second_render_gives_up_when_the_lock_is_not_released(project):
    with (
        project_lock(Project.open(project).state_dir),
        pytest.raises(StoryreelError, match="project is locked by pid"),
    ):
        build(Project.open(project), lock_timeout=0.3)


def test_bad_script_is_an_error_with_file_and_line(tmp_path):
    root = make_project(
        tmp_path / "film", script="INT. ROOM - DAY\n\n[[shot: MCX, 2s]]\nA chair.\n"
    )
    result = CliRunner().invoke(app, ["render", str(root)])
    assert result.exit_code == 2
    assert f"{Path(root / 'script.fountain')}:3:" in result.output.replace("\n", "")
