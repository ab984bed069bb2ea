"""Every registered music and effects backend declares itself to `storyreel backends` and has
its case among the sound tests."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from storyreel.backends import Option, available, backend_class, check_spec
from storyreel.cli import app
from storyreel.errors import StoryreelError
from storyreel.sound.cues import EffectsBackend, MusicBackend

TESTED = {  # stage → backend → the test that runs it through the build's sound stages
    "music": {
        "file": "test_handoff_sound.py, test_bad_sound.py",
        "musicgen": "test_musicgen.py",
        "elevenlabs": "test_hosted_sound.py",
    },
    "effects": {"folder": "test_effects.py", "elevenlabs": "test_hosted_sound.py"},
}
BASES = {"music": MusicBackend, "effects": EffectsBackend}


def test_every_listed_sound_backend_has_its_case():
    result = CliRunner().invoke(app, ["backends", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    for stage, tested in TESTED.items():
        listed = {r["name"] for r in rows if r["stage"] == stage}
        assert listed == set(tested) == set(available(stage)), stage


@pytest.mark.parametrize(
    ("stage", "name"), [(s, n) for s, names in TESTED.items() for n in sorted(names)]
)
def test_a_sound_backend_declares_its_fields_and_checks_its_spec(stage, name):
    cls = backend_class(stage, name)
    assert issubclass(cls, BASES[stage]) and cls.stage == stage and cls.name == name
    assert isinstance(cls.version, str)
    assert all(isinstance(o, Option) for o in cls.options.values())
    base = cls.argument.example if cls.argument else ""
    spec = f"{name}:{base}" if base else name
    for key, option in cls.options.items():
        _, parsed = cls.check(f"{base}?{key}={option.example}")
        assert key in parsed
    with pytest.raises(StoryreelError, match="unknown option 'sedd'"):
        check_spec(stage, f"{spec}?sedd=1")
