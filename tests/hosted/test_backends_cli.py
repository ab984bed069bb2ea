"""`storyreel backends`: what is installed, what it needs, whether it is ready; typos suggested."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.motion.base import MotionBackend

runner = CliRunner()


def rows(*args: str) -> dict[str, dict]:
    result = runner.invoke(app, ["backends", "--json", *args])
    assert result.exit_code == 0, result.output
    return {f"{r['stage']}.{r['name']}": r for r in json.loads(result.stdout)}


def test_lists_every_stage_with_needs_and_readiness(monkeypatch):
    monkeypatch.delenv("KLING_ACCESS_KEY", raising=False)
    monkeypatch.setenv("KLING_SECRET_KEY", "sk-test")
    found = rows()
    for name in (
        "stills.previz",
        "stills.folder",
        "motion.camera",
        "motion.folder",
        "motion.kling",
        "stills.kling",
        "motion.runway",
        "motion.luma",
        "stills.luma",
        "stills.replicate",
        "motion.replicate",
        "stills.fal",
        "motion.fal",
        "stills.openai",
        "motion.veo",
        "motion.sora",
        "motion.hailuo",
        "motion.seedance",
        "stills.runway",
    ):
        assert name in found, name
    assert found["stills.folder"]["ready"] and found["stills.folder"]["extra"] is None
    kling = found["motion.kling"]
    assert kling["extra"] == "hosted" and kling["env"] == ["KLING_ACCESS_KEY", "KLING_SECRET_KEY"]
    assert not kling["ready"] and kling["missing"] == ["$KLING_ACCESS_KEY"]
    assert "sk-test" not in json.dumps(found)
    assert found["motion.hailuo"]["env"] == ["MINIMAX_API_KEY"]
    assert found["motion.seedance"]["env"] == ["ARK_API_KEY"]
    assert found["motion.veo"]["env"] == [
        "GEMINI_API_KEY or GOOGLE_API_KEY or GOOGLE_CLOUD_PROJECT"
    ]


def test_ready_once_the_keys_are_set(monkeypatch):
    monkeypatch.setenv("GOOGLE_API_KEY", "g-test")
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    assert rows("motion.veo")["motion.veo"]["ready"] is True
    assert set(rows("kling:kling-v2-1")) == {"stills.kling", "motion.kling"}


def test_the_table_names_what_is_missing(monkeypatch):
    monkeypatch.delenv("RUNWAYML_API_SECRET", raising=False)
    result = runner.invoke(app, ["backends", "runway"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    assert "runway" in result.stdout and "$RUNWAYML_API_SECRET" in result.stdout


def test_unknown_backend_suggests_the_closest():
    result = runner.invoke(app, ["backends", "klng"])
    assert result.exit_code == 2
    assert "unknown backend 'klng' (did you mean kling?)" in result.output
    result = runner.invoke(app, ["backends", "motion.rnway"])
    assert result.exit_code == 2 and "did you mean motion.runway?" in result.output


class _EntryPoint:
    def __init__(self, name, target):
        self.name, self.value, self._target = name, "plugin:Backend", target

    def load(self):
        if isinstance(self._target, Exception):
            raise self._target
        return self._target


def test_a_missing_package_or_a_broken_plugin_is_reported_not_fatal():
    from storyreel.cli.backend_cmds import describe

    class NeedsPackage(MotionBackend):
        name, version, extra, packages = "acme", "1", "hosted", ("storyreel_no_such_sdk",)

        def animate(self, request):
            raise NotImplementedError

    row = describe(_EntryPoint("motion.acme", NeedsPackage))
    assert not row["ready"]
    assert row["missing"] == ["package storyreel_no_such_sdk (pip install 'storyreel[hosted]')"]
    row = describe(_EntryPoint("stills.broken", ImportError("No module named 'torch'")))
    assert not row["ready"] and "cannot load: ImportError" in row["missing"][0]
    row = describe(
        _EntryPoint("stills.plain", type("Plain", (), {"name": "plain", "version": "1"}))
    )
    assert not row["ready"] and row["missing"][0].startswith("not a storyreel Backend")


def test_the_listing_shows_landing_and_options():
    found = rows()
    assert (
        found["motion.luma"]["lands"] == "yes" and found["motion.kling"]["lands"] == "some models"
    )
    assert found["motion.camera"]["lands"] == "no" and found["stills.previz"]["lands"] is None
    assert found["motion.kling"]["options"]["mode"] == {
        "type": "std | pro",
        "help": "standard or professional generation (pro takes a tail image)",
        "example": "std",
    }
    assert set(found["stills.diffusers"]["options"]) == {
        "steps",
        "guidance",
        "size",
        "batch",
        "ip_adapter",
        "ip_scale",
    }
    assert set(found["motion.diffusers"]["options"]) == {
        "steps",
        "guidance",
        "size",
        "frames",
        "fps",
    }
    assert (
        found["stills.folder"]["argument"]["required"]
        and found["stills.previz"]["argument"] is None
    )
    table = runner.invoke(app, ["backends", "kling"], env={"COLUMNS": "200"}).stdout
    assert "some models" in table and "mode=std" in table
