"""Money through the CLI, against the local Kling server: the estimate, the budget, the approval
gate, the ledger's charges and `storyreel spend`."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.hosted.prices import Money, table
from storyreel.studio.builder import Builder, Request
from storyreel.studio.server import running
from tests.folder.test_folder import midjourney_png
from tests.studio.test_project_file import said

from . import vendors
from .film import kling_film, make_mp4, make_png
from .vendors import Job

SHOTS = ("sc01_sh010", "sc01_sh020")


def kling_seconds(shot_seconds: float) -> int:
    """What the Kling backend sends for a shot: the shortest of its 5 and 10 s that covers it."""
    return next(s for s in (5, 10) if s >= shot_seconds)


def table_price(seconds: int) -> Decimal:
    return table()["kling:kling-v2-1"].amounts["per_second"] * seconds


@pytest.fixture
def film(tmp_path, server, monkeypatch):
    return _film(tmp_path, server, monkeypatch, "")


def _film(tmp_path, server, monkeypatch, settings):
    root = kling_film(tmp_path, server, monkeypatch, settings)
    midjourney_png(root / "exports" / "sc01_sh010.png")
    midjourney_png(root / "exports" / "sc01_sh020.png", color=(90, 20, 20), how="plain")
    return root


@pytest.fixture
def job(server):
    job = Job(polls=0)
    vendors.kling(server, job, {"mp4": make_mp4(), "png": make_png()}, "clip")
    return job


def estimate(film) -> dict:
    result = CliRunner().invoke(app, ["estimate", str(film), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def render(film, *args: str):
    return CliRunner().invoke(app, ["render", str(film), *args])


def test_the_estimate_is_the_price_table_over_the_shots_then_nothing_then_the_edited_shot(
    film, server, job
):
    est = estimate(film)
    assert server.log == []  # an estimate asks the vendor nothing
    assert [(line["shot"], line["kind"]) for line in est["lines"]] == [(s, "clip") for s in SHOTS]
    # 2 s and 1.5 s shots: each is billed the 5 s Kling is sent
    expected = table_price(kling_seconds(2.0)) + table_price(kling_seconds(1.5))
    assert Decimal(est["total"]) == expected == sum(Decimal(ln["cost"]) for ln in est["lines"])
    assert {line["units"] for line in est["lines"]} == {"5 s"}
    text = CliRunner().invoke(app, ["estimate", str(film)])
    assert f"total: ${expected:.2f} for 2 hosted jobs" in text.stdout

    result = render(film, "--yes")
    assert result.exit_code == 0, result.output
    assert job.created == 2 and [b["duration"] for b in job.inputs] == ["5", "5"]
    assert "this would pay hosted backends" in result.output
    spent = json.loads(CliRunner().invoke(app, ["spend", str(film), "--json"]).stdout)
    assert Decimal(spent["total"]) == expected and spent["jobs"] == 2
    assert set(spent["by"]["shot"]) == set(SHOTS)
    assert spent["by"]["model"] == {"kling:kling-v2-1": str(expected)}

    est = estimate(film)
    assert est["lines"] == [] and Decimal(est["total"]) == 0
    assert Decimal(est["spent"]) == expected

    script = film / "script.fountain"
    script.write_text(script.read_text().replace("looks down at the city", "looks up at the sky"))
    est = estimate(film)
    assert [line["shot"] for line in est["lines"]] == ["sc01_sh020"]
    assert Decimal(est["total"]) == table_price(kling_seconds(1.5))
    assert render(film, "--yes").exit_code == 0 and job.created == 3
    assert estimate(film)["lines"] == []


def test_a_budget_smaller_than_the_estimate_submits_nothing_and_names_the_shortfall(
    film, server, job
):
    expected = table_price(5) * 2
    result = render(film, "--budget", "0.3", "--yes")
    assert result.exit_code != 0
    assert server.log == [] and job.created == 0
    shortfall = expected - Decimal("0.3")
    assert f"over budget by ${shortfall:.2f}" in result.output
    assert "nothing was submitted" in result.output
    assert not (film / "out" / "cut.mp4").exists()


def test_the_budget_left_is_the_limit_less_what_the_ledger_says_was_charged(
    tmp_path, server, job, monkeypatch
):
    film = _film(tmp_path, server, monkeypatch, "[budget]\nlimit = 0.8\n")
    assert render(film, "--yes").exit_code == 0 and job.created == 2  # pays 0.56 of 0.80
    script = film / "script.fountain"
    script.write_text(script.read_text().replace("looks down at the city", "looks up at the sky"))
    result = render(film, "--yes")  # 0.28 more, with 0.24 left
    assert result.exit_code != 0 and job.created == 2
    left = Decimal("0.8") - table_price(5) * 2
    assert f"over budget by ${table_price(5) - left:.2f}" in result.output
    assert f"${left:.2f} is left of the budget of $0.80" in result.output
    assert render(film, "--yes", "--budget", "1").exit_code == 0 and job.created == 3


def test_a_paying_render_without_a_terminal_asks_for_yes_and_submits_nothing(film, server, job):
    result = render(film)
    assert result.exit_code != 0
    assert "no terminal to ask on: approve it with --yes" in result.output
    assert server.log == []


def test_a_render_that_pays_nothing_needs_no_approval(film, server, job):
    assert render(film, "--yes").exit_code == 0
    (film / "out" / "cut.mp4").unlink()
    result = render(film)  # everything is on the ledger: nothing to approve
    assert result.exit_code == 0, result.output
    assert "would pay" not in result.output and job.created == 2


def test_a_studio_price_override_is_what_the_estimate_and_the_ledger_use(
    tmp_path, server, job, monkeypatch
):
    film = _film(tmp_path, server, monkeypatch, '[prices."kling:kling-v2-1"]\nper_second = 0.07\n')
    assert Decimal(estimate(film)["total"]) == Decimal("0.07") * 5 * 2
    assert render(film, "--yes").exit_code == 0
    spent = json.loads(
        CliRunner().invoke(app, ["spend", str(film), "--json", "--by", "shot"]).stdout
    )
    assert Decimal(spent["total"]) == Decimal("0.70")
    by = CliRunner().invoke(app, ["spend", str(film), "--by", "day"])
    assert by.exit_code == 0 and "total: $0.70 for 2 hosted jobs" in by.stdout


@pytest.mark.parametrize(
    ("settings", "line", "message"),
    [
        (
            '[prices."kling:kling-v2-2"]\nper_second = 0.07\n',
            8,
            "prices: unknown model 'kling:kling-v2-2' (did you mean kling:kling-v2-1?)",
        ),
        (
            '[prices."klnig:kling-v2-1"]\nper_second = 0.07\n',
            8,
            "prices: 'klnig:kling-v2-1' is not VENDOR:MODEL of a hosted backend (did you mean kling?)",
        ),
        (
            '[prices."kling:kling-v2-1"]\n# our contract, 2026\nper_secnd = 0.07\n',
            10,
            "kling:kling-v2-1: unknown unit 'per_secnd' (did you mean per_second?)",
        ),
        (
            '[prices."kling:kling-v2-5-turbo"]\nper_image = 0.07\n',
            9,
            "kling:kling-v2-5-turbo is priced per second, not per image",
        ),
        (
            '[prices."kling:kling-v2-1"]\nper_second = "seven cents"\n',
            9,
            "kling:kling-v2-1: per_second must be a number, not 'seven cents'",
        ),
    ],
)
def test_a_bad_price_override_is_an_error_at_its_line(
    tmp_path, server, job, monkeypatch, settings, line, message
):
    film = _film(tmp_path, server, monkeypatch, settings)
    for command in (["estimate", str(film)], ["render", str(film), "--yes"], ["spend", str(film)]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, result.output
        assert f"storyreel.toml:{line}: {message}" in result.output
        assert "Traceback" not in result.output
    assert server.log == []


def test_a_currency_other_than_the_tables_needs_the_studios_own_prices(
    tmp_path, server, job, monkeypatch
):
    (tmp_path / "usd").mkdir()
    film = _film(tmp_path / "usd", server, monkeypatch, '[budget]\ncurrency = "EUR"\nlimit = 10\n')
    est = estimate(film)
    assert est["total"] == "0" and [line["cost"] for line in est["lines"]] == [None, None]
    said = "kling:kling-v2-1 is priced in USD in storyreel's table and [budget] currency is EUR"
    assert said in est["lines"][0]["unpriced"]
    result = render(film, "--yes")
    assert result.exit_code == 2 and "cannot be held to the budget" in result.output
    assert said in result.output and server.log == []

    (tmp_path / "eur").mkdir()
    film = _film(
        tmp_path / "eur",
        server,
        monkeypatch,
        '[budget]\ncurrency = "EUR"\n[prices."kling:kling-v2-1"]\nper_second = 0.05\n',
    )
    est = estimate(film)
    assert est["currency"] == "EUR" and Decimal(est["total"]) == Decimal("0.50")
    assert "€0.50" in CliRunner().invoke(app, ["estimate", str(film)]).stdout
    assert render(film, "--yes").exit_code == 0
    spent = json.loads(CliRunner().invoke(app, ["spend", str(film), "--json"]).stdout)
    assert spent["currency"] == "EUR" and Decimal(spent["total"]) == Decimal("0.50")


def test_hosted_stills_are_estimated_take_by_take_with_the_clips_made_from_them(
    tmp_path, server, monkeypatch
):
    film = kling_film(tmp_path, server, monkeypatch)
    toml = film / "storyreel.toml"
    toml.write_text(
        toml.read_text().replace('"folder:exports"', '"kling:kling-v2"') + "takes = 2\n"
    )
    media = {"mp4": make_mp4(), "png": make_png()}
    stills, clips = Job(polls=0), Job(polls=0)
    vendors.kling(server, stills, media, "still")
    vendors.kling(server, clips, media, "clip")
    est = estimate(film)
    assert server.log == []
    kinds = [(line["shot"], line["kind"]) for line in est["lines"]]
    assert kinds == [(s, "still") for s in SHOTS for _ in range(2)] + [(s, "clip") for s in SHOTS]
    image = table()["kling:kling-v2"].amounts["per_image"]
    assert Decimal(est["total"]) == 4 * image + 2 * table_price(5)
    assert render(film, "--yes").exit_code == 0
    assert (stills.created, clips.created) == (4, 2)
    spent = json.loads(CliRunner().invoke(app, ["spend", str(film), "--json"]).stdout)
    assert Decimal(spent["total"]) == Decimal(est["total"])
    assert estimate(film)["lines"] == []


def test_the_render_estimates_under_its_own_lock_and_still_reports_its_new_shots(film, job):
    result = render(film, "--yes", "--json")
    assert result.exit_code == 0, result.output
    events = [json.loads(line) for line in result.stdout.splitlines()]
    added = next(e for e in events if e["event"] == "shots_changed")["added"]
    assert set(SHOTS) <= set(added)
    assert "would pay" not in result.output  # --json: the estimate is not printed


def test_a_watched_rebuild_that_would_pay_is_refused_and_keeps_the_last_cut(
    film, server, job, capsys
):
    from storyreel.cli import run_cmds
    from storyreel.run.spend import gate

    refuse = gate(music=None, budget=None, yes=False, ask=None, tell=lambda est: None)
    run_cmds._rebuild(film, approve=refuse)
    err = capsys.readouterr().err
    assert f"error: this would pay ${table_price(5) * 2:.2f} to hosted backends" in err
    assert "(keeping the last good cut)" in err and server.log == []
    run_cmds._rebuild(film, approve=gate(music=None, budget=None, yes=True, ask=None, tell=print))
    assert "rebuilt in" in capsys.readouterr().err and job.created == 2


def test_on_a_terminal_the_render_asks_and_a_no_submits_nothing(film, server, job, monkeypatch):
    import typer

    from storyreel.cli import spend_cmds

    asked = []

    def confirm(question, default):
        asked.append((question, default))
        return False

    monkeypatch.setattr(spend_cmds, "_terminal", lambda: True)
    monkeypatch.setattr(typer, "confirm", confirm)
    result = render(film)
    assert result.exit_code != 0 and "not approved; nothing was submitted" in result.output
    assert asked == [(f"this would pay ${table_price(5) * 2:.2f} to hosted backends. Pay?", False)]
    assert server.log == []
    monkeypatch.setattr(typer, "confirm", lambda question, default: True)
    assert render(film).exit_code == 0 and job.created == 2


def test_stills_storyboard_and_regen_ask_before_paying_for_stills_alone(
    tmp_path, server, monkeypatch
):
    film = kling_film(tmp_path, server, monkeypatch)
    toml = film / "storyreel.toml"
    toml.write_text(toml.read_text().replace('"folder:exports"', '"kling:kling-v2"'))
    stills, clips = Job(polls=0), Job(polls=0)
    media = {"mp4": make_mp4(), "png": make_png()}
    vendors.kling(server, stills, media, "still")
    vendors.kling(server, clips, media, "clip")
    image = table()["kling:kling-v2"].amounts["per_image"]
    runner = CliRunner()
    result = runner.invoke(app, ["stills", str(film), "--shot", "sc01_sh020", "--takes", "2"])
    assert result.exit_code == 2 and server.log == []
    assert f"this would pay {Money(image * 2)} to hosted backends" in result.output
    assert "sc01_sh010" not in result.output  # the other shot is not estimated, nor any clip
    result = runner.invoke(app, ["stills", str(film), "--shot", "sc01_sh020", "-n", "2", "--yes"])
    assert result.exit_code == 0, result.output
    assert (stills.created, clips.created) == (2, 0)
    assert runner.invoke(app, ["storyboard", str(film)]).exit_code == 2  # sc01_sh010's still
    assert stills.created == 2
    assert runner.invoke(app, ["storyboard", str(film), "--yes"]).exit_code == 0
    assert stills.created == 3
    result = runner.invoke(app, ["regen", "sc01_sh010", "-p", str(film)])
    assert result.exit_code == 2 and "approve it with --yes" in result.output
    assert (stills.created, clips.created) == (3, 0)


def test_a_studio_build_that_would_pay_is_refused_unless_the_studio_may_pay(film, server, job):
    said: list[dict] = []

    class Hub:
        def send(self, kind, **data):
            said.append({"event": kind, **data})

        def __call__(self, event):
            said.append(event.to_json())

        def forget(self, kind):
            pass

    refusing = Builder(film, Hub())
    refusing._build(Request())
    failed = [e for e in said if e["event"] == "build_failed"]
    assert failed and "would pay" in failed[0]["message"] and "--yes" in failed[0]["message"]
    assert job.created == 0  # nothing was sent
    said.clear()
    paying = Builder(film, Hub(), pay=True)
    paying._build(Request())
    assert [e for e in said if e["event"] == "reel"] and job.created == 2


def test_a_clip_is_estimated_asked_for_and_held_to_the_budget_as_a_render_is(
    film, server, job, tmp_path
):
    runner = CliRunner()
    clip = ["clip", str(film), "--shot", "sc01_sh020", "-o", str(tmp_path / "sh020.mp4")]
    result = runner.invoke(app, clip)
    assert result.exit_code == 2 and server.log == []
    assert f"this would pay {Money(table_price(5))} to hosted backends" in result.output
    assert "sc01_sh010" not in result.output  # the other shot is not estimated
    result = runner.invoke(app, [*clip, "--yes", "--budget", "0.1"])
    assert result.exit_code == 2 and "over budget by" in result.output and job.created == 0
    result = runner.invoke(app, [*clip, "--yes"])
    assert result.exit_code == 0, result.output
    assert job.created == 1 and (tmp_path / "sh020.mp4").stat().st_size > 0
    again = runner.invoke(app, clip)  # on the ledger: nothing to approve, nothing paid
    assert again.exit_code == 0 and "would pay" not in again.output and job.created == 1
    spent = json.loads(runner.invoke(app, ["spend", str(film), "--json"]).stdout)
    assert Decimal(spent["total"]) == table_price(5) and spent["jobs"] == 1


def test_a_shots_panel_says_what_each_take_was_charged(film, server, job, browser):
    """The studio's takes of a shot: its paid clip with the ledger's charge (the draft's clip,
    made from the same job, paid nothing more), its still from a folder with none; an edit's new
    clip is charged on its own, the old one kept as charged."""
    assert render(film, "--yes").exit_code == 0 and job.created == 2
    five = str(Money(table_price(5)))
    with running(film, pay=True) as r:
        assert r.studio.builder.idle(120)
        api = httpx.Client(base_url=r.base, headers={"X-Storyreel-Token": r.token}, timeout=60)

        def costs(kind: str) -> list[tuple[bool, str | None]]:
            rows = api.get("/api/shots/sc01_sh020/takes").json()
            return sorted((t["stale"], t["cost"] or "") for t in rows if t["kind"] == kind)

        assert job.created == 2 and costs("clip") == [(False, ""), (False, five)]
        assert costs("still") == [(False, "")]
        page = browser.new_page()
        page.goto(r.url)
        page.click(".card[data-shot='sc01_sh020']", timeout=60_000)
        page.wait_for_selector(".take.selected")
        assert page.inner_text(".clips") == f"clip of take 1 · kling 1 · {five}"
        assert "$" not in page.inner_text(".take .meta")  # the still, from a folder, cost nothing
        page.close()
        script = film / "script.fountain"
        version = api.get("/api/reel").json()["version"]
        script.write_text(script.read_text().replace("looks down at the city", "looks up"))
        said(api, "reel", version=version + 1)  # the change seen on disk, and built
        assert r.studio.builder.idle(120) and job.created == 3
        assert costs("clip") == [(False, five), (True, ""), (True, five)]
