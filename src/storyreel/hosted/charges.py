"""Whom a hosted job is charged to, and the dry run that prices a job without submitting it.

A stage runs a backend inside `charging(book, shot, item)`: the jobs the backend submits are
priced by that book and recorded on the ledger against that shot and stage item. Inside
`quoting(...)` the backend runs its own code up to the submission — so the job key and what it
would send are exactly those of a render — and `HostedBackend._run` raises `Quoted` there
instead of submitting: the price of the job, or None when the ledger already holds it (made, or
running and resumed without paying again).

A context variable, not an argument, because the backends' `generate` and `animate` are a
protocol every backend shares; the stage sets it in the thread that calls the backend.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from storyreel.hosted.prices import Charge, PriceBook, default_book


@dataclass(frozen=True)
class Account:
    """What a job is charged to: the rates, the shot and the stage item (a take's or clip's key)."""

    book: PriceBook
    shot: str | None = None
    item: str | None = None
    quote: bool = False  # a dry run: price the job, submit nothing


class Quoted(Exception):
    """Raised at a dry run's submission: the job's key and its charge (None: nothing to pay)."""

    def __init__(self, key: str, charge: Charge | None, unpriced: str | None = None):
        super().__init__(key)
        self.key, self.charge, self.unpriced = key, charge, unpriced


_ACCOUNT: contextvars.ContextVar[Account | None] = contextvars.ContextVar("account", default=None)


def account() -> Account:
    """The account in force (outside a stage: the price table, no shot)."""
    return _ACCOUNT.get() or Account(default_book())


@contextmanager
def charging(
    book: PriceBook, shot: str | None, item: str | None, quote: bool = False
) -> Iterator[Account]:
    """Charge the hosted jobs submitted inside to `shot` and `item` at `book`'s rates (`quote`:
    price them instead, raising `Quoted`)."""
    outer = _ACCOUNT.get()  # a stage run inside a dry run stays a dry run
    token = _ACCOUNT.set(Account(book, shot, item, quote or (outer is not None and outer.quote)))
    try:
        yield _ACCOUNT.get()
    finally:
        _ACCOUNT.reset(token)
