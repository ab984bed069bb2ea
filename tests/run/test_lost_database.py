"""A render says what it recovered of a lost database, and stops when nothing can recover it."""

from __future__ import annotations

from typer.testing import CliRunner

from storyreel.cli import app
from tests.run.conftest import json_report


def test_a_render_says_the_database_was_rebuilt_and_remakes_nothing(project):
    runner = CliRunner()
    assert runner.invoke(app, ["render", str(project), "-q"]).exit_code == 0
    (project / ".storyreel" / "project.db").write_bytes(b"not a database at all" * 100)
    result = runner.invoke(app, ["render", str(project), "--json"])
    assert result.exit_code == 0, result.output
    report = json_report(result.output)
    assert any("rebuilt from its journal" in w for w in report["warnings"])
    assert all(not made for made in report["computed"].values())


def test_a_render_stops_when_the_database_is_lost_with_no_journal(project):
    runner = CliRunner()
    assert runner.invoke(app, ["render", str(project), "-q"]).exit_code == 0
    state = project / ".storyreel"
    for name in ("project.db", "project.db-wal", "project.db-shm", "project.journal"):
        (state / name).unlink(missing_ok=True)
    result = runner.invoke(app, ["render", str(project)])
    assert result.exit_code == 2
    assert "no journal to rebuild it from" in " ".join(result.output.split())
    assert not (state / "project.db").exists()  # nothing was started from nothing
