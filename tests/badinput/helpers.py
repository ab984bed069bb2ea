"""Bad input through the CLI, as a user meets it: one line, a location, a non-zero exit."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from storyreel.cli import app
from tests.run.conftest import make_project


def cli(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args])


def project(root: Path, toml: str | None = None, script: str | None = None) -> Path:
    """A four-shot 320×180 project; `toml` replaces its storyreel.toml, `script` its script."""
    make_project(root, **({"script": script} if script is not None else {}))
    if toml is not None:
        (root / "storyreel.toml").write_text(toml)
    return root


def one_line_error(result, *needles: str, status: int = 2) -> str:
    """The error a command printed, checked: `status`, no traceback, one line with `needles`."""
    text = result.output
    assert result.exit_code == status, text
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception),
        text,
    )
    assert "Traceback" not in text, text
    errors = [line for line in text.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, text
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])
    return errors[0]


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)
