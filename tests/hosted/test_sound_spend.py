"""Hosted voices, music and effects in the estimate and behind the budget gate, against local
servers that follow each vendor's documented API: each line, cue and effect priced from what it
would send, nothing submitted over budget, and what is made (or on the ledger) costs nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storyreel.hosted.prices import table
from storyreel.store.db import Database
from storyreel.store.project import Project
from tests.hosted.test_spend import estimate, render
from tests.sound.conftest import keys, make_project  # noqa: F401  (the vendors' keys)
from tests.sound.film import Vendor as SoundVendor
from tests.sound.film import elevenlabs, write_film
from tests.sound.test_hosted_voices import Vendor, openai_speech

LINES = ("Still here.", "Who is there?", "It was never yours.")


def test_hosted_voices_are_priced_line_by_line_and_an_over_budget_render_speaks_none(
    tmp_path,
    server,
    keys,  # noqa: F811
):
    vendor = Vendor()
    openai_speech(server, vendor)
    root = make_project(tmp_path / "film", voice="openai:alloy?model=tts-1")
    rate = table()["openai:tts-1"].amounts["per_million_characters"]

    est = estimate(root)
    assert [(x["kind"], x["units"]) for x in est["lines"]] == [
        ("voice", f"{len(text)} characters") for text in LINES
    ]
    costs = [Decimal(x["cost"]) for x in est["lines"]]
    assert costs == [rate * len(text) / 10**6 for text in LINES]
    assert Decimal(est["total"]) == sum(costs) and est["lines"][0]["backend"] == "openai:tts-1"

    stopped = render(root, "--budget", "0.0001", "--yes")
    assert stopped.exit_code != 0 and "over budget by" in stopped.output
    assert "nothing was submitted" in stopped.output and vendor.spoken == []

    made = render(root, "--yes")
    assert made.exit_code == 0, made.output
    assert sorted(s["input"] for s in vendor.spoken) == sorted(LINES)
    with Database(Project.open(root).db_path) as db:
        charged = sorted(Decimal(j["cost"]) for j in db.jobs())
    assert charged == sorted(costs)  # the ledger charges what the estimate said
    after = estimate(root)
    assert after["lines"] == [] and Decimal(after["spent"]) == sum(costs)


@pytest.fixture
def eleven(monkeypatch):
    with elevenlabs(SoundVendor(refuse=""), monkeypatch) as v:
        yield v


def test_hosted_cues_and_effects_are_priced_once_each_and_the_gate_stops_them(tmp_path, eleven):
    root = write_film(
        tmp_path / "film", 'music = "elevenlabs"\neffects = "elevenlabs"\ncue_takes = 2'
    )
    music = table()["elevenlabs:music_v1"].amounts["per_minute"]
    effect = table()["elevenlabs:eleven_text_to_sound_v2"].amounts["per_generation"]

    est = estimate(root)
    kinds = [x["kind"] for x in est["lines"]]
    # two scenes: a cue each and their beds (rain, harbour; the bar), two takes of each; one door
    assert sorted(kinds) == sorted(["music"] * 4 + ["ambience"] * 6 + ["effect"])
    for line in est["lines"]:
        if line["kind"] == "music":  # ten seconds at least, the shortest cue the API composes
            minutes = Decimal(line["units"].removesuffix(" min"))
            assert minutes >= Decimal("0.17") and Decimal(line["cost"]) >= music / 6
        else:
            assert line["units"] == "1 generation" and Decimal(line["cost"]) == effect
    assert len({x["item"] for x in est["lines"]}) == len(kinds)

    stopped = render(root, "--budget", "0.5", "--yes")
    assert stopped.exit_code != 0 and "over budget by" in stopped.output
    assert not eleven.posts  # nothing was asked of the vendor

    made = render(root, "--yes")
    assert made.exit_code == 0, made.output
    assert sum(eleven.paid.values()) == len(kinds)  # each take paid for once
    with Database(Project.open(root).db_path) as db:
        charged = [Decimal(j["cost"]) for j in db.jobs()]
    assert len(charged) == len(kinds) and sum(charged) == Decimal(est["total"])
    assert estimate(root)["lines"] == []  # made: nothing more to pay
