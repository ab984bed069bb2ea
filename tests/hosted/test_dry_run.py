"""Every hosted backend's dry run: priced from what it would send, with no request to the vendor,
and charged on the ledger exactly what it was quoted, under the same job key."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storyreel.hosted.charges import Quoted, charging
from storyreel.hosted.prices import default_book

from .film import make_mp4, make_png
from .test_hosted import CASES, env, run  # noqa: F401  (env: the vendors' keys, a fixture)
from .vendors import Job


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize("name", list(CASES))
def test_the_dry_run_asks_the_vendor_nothing_and_quotes_what_the_job_is_charged(
    name, server, ledger, tmp_path
):
    case = CASES[name]
    job = Job(polls=0)
    case.install(server, job, {"mp4": make_mp4(), "png": make_png()}, case.kind)
    backend = case.backend(server, ledger=ledger, downloads=tmp_path / "dl")
    with charging(default_book(), "sc01_sh010", "item-1", quote=True), pytest.raises(Quoted) as q:
        run(case, backend, tmp_path)
    assert server.log == [] and job.created == 0
    quoted = q.value.charge
    assert quoted is not None and quoted.cost.amount > 0, q.value.unpriced
    assert quoted.vendor == case.cls.vendor

    with charging(default_book(), "sc01_sh010", "item-1"):
        run(case, backend, tmp_path)
    assert job.created == 1
    row = ledger.job_get(q.value.key)  # the job the dry run priced is the one submitted
    assert row is not None and row["status"] == "succeeded"
    assert Decimal(row["cost"]) == quoted.cost.amount and row["priced_by"] == "table"
    assert (row["shot_id"], row["item"]) == ("sc01_sh010", "item-1")

    with charging(default_book(), "sc01_sh010", "item-1", quote=True), pytest.raises(Quoted) as q:
        run(case, backend, tmp_path)
    assert q.value.charge is None and q.value.unpriced is None  # on the ledger: nothing to pay
