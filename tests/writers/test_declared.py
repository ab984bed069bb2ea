"""Every registered writer declares itself as `storyreel backends` and a project's check read it,
and has its case among the writers' tests."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from storyreel.backends import Option, available, backend_class, check_spec
from storyreel.cli import app
from storyreel.errors import StoryreelError
from storyreel.writers.base import WriterBackend
from tests.writers.test_vendors import VENDORS

TESTED = {v.name for v in VENDORS} | {"transformers"}  # test_transformers.py: the local one


def test_every_listed_writer_has_its_case():
    result = CliRunner().invoke(app, ["backends", "--json"])
    assert result.exit_code == 0, result.output
    writers = {r["name"] for r in json.loads(result.stdout) if r["stage"] == "writer"}
    assert writers == TESTED == set(available("writer"))


@pytest.mark.parametrize("name", sorted(TESTED))
def test_a_writer_declares_its_fields_and_checks_its_options(name):
    cls = backend_class("writer", name)
    assert issubclass(cls, WriterBackend) and cls.stage == "writer" and cls.name == name
    assert isinstance(cls.version, str) and isinstance(cls.vision, bool)
    assert all(isinstance(o, Option) for o in cls.options.values())
    base = cls.argument.example if cls.argument else ""
    for key, option in cls.options.items():
        _, parsed = cls.check(f"{base}?{key}={option.example}")
        assert key in parsed
    with pytest.raises(StoryreelError, match="unknown option 'bse_url'"):
        check_spec("writer", f"{name}:{base}?bse_url=http://x")
