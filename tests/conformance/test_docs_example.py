"""The third-party backend in docs/real-models.md is real: it runs, and passes the suite."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

from storyreel.errors import StoryreelError

DOC = Path(__file__).parents[2] / "docs" / "real-models.md"


def blocks() -> dict[str, str]:
    """The doc's Python blocks, by the file named on their first line."""
    found = re.findall(r"```python\n# (\S+)\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    return dict(found)


def test_the_documented_backend_passes_the_conformance_suite(tmp_path, monkeypatch):
    code = blocks()
    module = types.ModuleType("mystudio.backends")
    monkeypatch.setitem(sys.modules, "mystudio", types.ModuleType("mystudio"))
    monkeypatch.setitem(sys.modules, "mystudio.backends", module)
    exec(compile(code["mystudio/backends.py"], "mystudio/backends.py", "exec"), module.__dict__)
    test: dict = {}
    exec(compile(code["tests/test_flat.py"], "tests/test_flat.py", "exec"), test)
    test["test_flat_passes_the_conformance_suite"](tmp_path)

    flat = module.FlatStills
    assert flat("?level=64").level == 64
    with pytest.raises(
        StoryreelError, match=r"flat: unknown option 'levle' \(did you mean level\?\)"
    ):
        flat("?levle=64")
