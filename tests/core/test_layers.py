"""DESIGN.md's layers hold: `lint-imports` (the contract in pyproject.toml) passes on the tree and
fails, naming the import, once a room imports from a room above it or beside it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
LINT = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def lint(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [sys.executable, "-c", LINT, "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_tree_keeps_its_layers():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "imported"),
    [
        ("model.py", "storyreel.cli"),  # the bottom floor reaching the top
        ("store/db.py", "storyreel.edit.timeline"),  # a lower floor reaching a room of the middle
        ("render/frames.py", "storyreel.review.strip"),  # a room reaching into its sibling
    ],
)
def test_an_upward_import_breaks_the_contract(tmp_path, module, imported):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(
        ROOT / "src" / "storyreel",
        tmp_path / "src" / "storyreel",
        ignore=lambda folder, names: [
            n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir()
        ],
    )
    assert lint(tmp_path).returncode == 0  # the copy is the tree, and it is the copy that is read
    source = tmp_path / "src" / "storyreel" / module
    source.write_text(
        source.read_text(encoding="utf-8") + f"\nimport {imported}  # noqa: E402\n",
        encoding="utf-8",
    )
    result = lint(tmp_path)
    name = "storyreel." + module.removesuffix(".py").replace("/", ".")
    assert result.returncode == 1
    assert f"- {name} -> {imported} (l." in result.stdout  # the offending import, with its line
