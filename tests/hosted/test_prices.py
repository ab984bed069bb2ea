"""The price table, a job's price from what it sends, the dry run, and the ledger's charges."""

from __future__ import annotations

import re
import sqlite3
from decimal import Decimal

import pytest

from storyreel.errors import StoryreelError
from storyreel.hosted.charges import Quoted, charging
from storyreel.hosted.common import Poll, Timing, run_job
from storyreel.hosted.kling import KlingMotion
from storyreel.hosted.prices import UNITS, Money, Usage, default_book, price_book, table
from storyreel.store.db import MIGRATIONS, Database

from . import vendors
from .film import clip_request, make_mp4, make_png
from .vendors import KEYS, Job

FAST = Timing(poll_interval=0.001, poll_max=0.001, backoff=0.001, backoff_max=0.001)


def test_every_price_has_a_unit_its_source_and_the_date_it_was_read():
    rates = table()
    vendors_priced = {key.partition(":")[0] for key in rates}
    assert {"kling", "runway", "luma", "replicate", "fal", "openai", "veo"} <= vendors_priced
    assert {"hailuo", "seedance", "sora", "anthropic", "gemini", "elevenlabs"} <= vendors_priced
    for key, rate in rates.items():
        assert rate.source.startswith("https://"), key
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", rate.date), key
        assert set(rate.units) <= set(UNITS) and all(a >= 0 for a in rate.amounts.values()), key
    for model in ("gpt-4.1", "gpt-4o-mini", "gpt-5", "tts-1"):
        assert f"openai:{model}" in rates
    for key in ("sora:sora-2", "sora:sora-2-pro", "hailuo:MiniMax-Hailuo-02"):
        assert key in rates
    for key in ("hailuo:MiniMax-Hailuo-2.3", "seedance:seedance-1-0-pro-250528"):
        assert key in rates
    assert "seedance:seedance-1-0-lite-i2v-250428" in rates


def test_a_job_is_priced_by_its_unit_and_the_variant_it_sends():
    book = default_book()
    kling = table()["kling:kling-v2-1"]
    five = Usage(videos=1, seconds=5)
    assert book.price("kling:kling-v2-1", five) == Money(kling.amounts["per_second"] * 5)
    assert book.price("kling:kling-v2-1?mode=pro", five).amount == kling.variants["mode"]["pro"] * 5
    sora = book.charge("sora", "sora-2-pro", "clip", {"seconds": "8", "size": "1792x1024"})
    assert sora.usage.seconds == 8 and sora.cost.amount == Decimal("0.50") * 8
    assert sora.row()["units"] == '{"seconds": 8, "size": "1792x1024", "videos": 1}'
    assert book.charge("luma", "ray-2", "clip", {"duration": "9s"}).usage.seconds == 9
    tokens = Usage(input_tokens=10**6, output_tokens=10**6)
    assert book.price("openai:gpt-4.1", tokens) == Money(Decimal("10.00"))
    assert book.price(
        "elevenlabs:eleven_multilingual_v2", Usage(characters=1000)
    ).amount == Decimal("0.10")
    assert book.price("openai:tts-1", Usage(characters=10**6)).amount == Decimal("15.00")
    assert book.price("openai:gpt-image-1", Usage(images=1)).amount == Decimal("0.167")
    with pytest.raises(StoryreelError, match=r"no price for kling:kling-v2-7 \(did you mean"):
        book.price("kling:kling-v2-7", five)
    assert book.charge("replicate", "acme/unpriced", "clip", {}) is None
    assert book.price("kling:kling-v1", Usage(images=1)).amount == Decimal("0.005")  # a still
    assert book.price("kling:kling-v1", five).amount == Decimal("0.028") * 5  # a clip
    with pytest.raises(StoryreelError, match="priced per second, which does not price a still"):
        book.price("kling:kling-v2-5-turbo", Usage(images=1))


def test_a_studio_may_price_a_model_of_an_open_catalog(tmp_path):
    toml = tmp_path / "storyreel.toml"
    toml.write_text('[prices."replicate:acme/film-1"]\nper_video = 0.2\n')
    book = price_book({"replicate:acme/film-1": {"per_video": 0.2}}, "USD", toml)
    assert book.charge("replicate", "acme/film-1", "clip", {}).cost == Money(Decimal("0.2"))
    toml.write_text('[prices."replicate:acme/film-1"]\nper_video = 0.2\nper_second = 0.1\n')
    with pytest.raises(StoryreelError, match="storyreel.toml:1: .*one rate"):
        price_book({"replicate:acme/film-1": {"per_video": 0.2, "per_second": 0.1}}, "USD", toml)


def test_a_dry_run_prices_the_job_and_a_job_on_the_ledger_costs_nothing(
    server, ledger, tmp_path, monkeypatch
):
    for var, value in KEYS.items():
        monkeypatch.setenv(var, value)
    job = Job(polls=0)
    vendors.kling(server, job, {"mp4": make_mp4(), "png": make_png()}, "clip")
    backend = KlingMotion(None, ledger=ledger, base_url=server.url, timing=FAST, downloads=tmp_path)
    with charging(default_book(), "sc01_sh010", "clip-1", quote=True), pytest.raises(Quoted) as q:
        backend.animate(clip_request())
    assert q.value.charge.cost == default_book().price(
        "kling:kling-v2-1", Usage(videos=1, seconds=5)
    )
    assert server.log == [] and ledger.job_get(q.value.key) is None
    ledger.job_put(q.value.key, "kling", "task-1")  # submitted, not finished: resumed, not paid
    with charging(default_book(), "sc01_sh010", "clip-1", quote=True), pytest.raises(Quoted) as q2:
        backend.animate(clip_request())
    assert q2.value.key == q.value.key and q2.value.charge is None
    ledger.job_update(q.value.key, "failed", "refused")  # a failed job is submitted again
    with charging(default_book(), "sc01_sh010", "clip-1", quote=True), pytest.raises(Quoted) as q3:
        backend.animate(clip_request())
    assert q3.value.charge is not None and server.log == []

    with charging(default_book(), "sc01_sh010", "clip-1"):
        backend.animate(clip_request())
    row = ledger.job_get(q.value.key)
    assert row["status"] == "succeeded" and row["shot_id"] == "sc01_sh010"
    assert row["item"] == "clip-1" and row["priced_by"] == "table"
    assert Decimal(row["cost"]) == q.value.charge.cost.amount and row["currency"] == "USD"


def test_a_vendors_own_charge_replaces_the_tables(ledger, tmp_path):
    png = make_png()
    path, _ = run_job(
        "openai",
        "key-1",
        ledger=ledger,
        folder=tmp_path,
        suffix=".png",
        timing=FAST,
        submit=lambda: Poll("done", data=png, remote_id="created-1", cost=0.042),
        check=None,
        charge={"cost": "0.167", "currency": "USD", "priced_by": "table", "model": "gpt-image-1"},
    )
    row = ledger.job_get("key-1")
    assert path.read_bytes() == png
    assert (row["cost"], row["priced_by"], row["model"]) == ("0.042", "vendor", "gpt-image-1")


def test_a_ledger_of_an_older_storyreel_keeps_its_jobs_without_a_charge(tmp_path):
    path = tmp_path / "project.db"
    old = sqlite3.connect(path)
    old.executescript(";".join(MIGRATIONS[:3]) + "; PRAGMA user_version = 3;")
    old.execute(
        "INSERT INTO jobs VALUES ('k', 'kling', 'task-1', 'succeeded', NULL, '2026-01-01', '2026-01-01')"
    )
    old.commit()
    old.close()
    with Database(path) as db:
        assert db.version == len(MIGRATIONS)
        [job] = db.jobs()
        assert job["remote_id"] == "task-1" and job["cost"] is None and job["shot_id"] is None
