"""What a hosted job costs: the price table (`prices.toml`), a studio's overrides, and the price
of one job from what it sends.

The table is data, so a price that changes is a one-line edit with its source and date beside it;
a studio's own contract replaces any rate in `storyreel.toml` (`[prices."kling:kling-v2-1"]
per_second = 0.07`), in `[budget] currency`. Amounts are `Decimal` (read from TOML as such), so
a total is the exact sum of its lines.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from storyreel.errors import StoryreelError, did_you_mean

TABLE_CURRENCY = "USD"  # the currency of prices.toml
# a rate's unit → what it counts in a job (`Usage`)
UNITS: dict[str, str] = {
    "per_image": "images",
    "per_video": "videos",
    "per_second": "seconds",
    "per_minute": "minutes",
    "per_generation": "generations",
    "per_million_characters": "characters",
    "per_thousand_characters": "characters",
    "per_million_input_tokens": "input_tokens",
    "per_million_output_tokens": "output_tokens",
}
TOKENS = ("per_million_input_tokens", "per_million_output_tokens")
IMAGE, VIDEO = ("per_image",), ("per_second", "per_video")  # a model may make stills and clips
SCALE = {
    "per_million_characters": 10**6,
    "per_thousand_characters": 1000,
    **dict.fromkeys(TOKENS, 10**6),
}
NOTES = ("source", "read", "as_of", "note")  # where a price comes from, not a rate
OPEN_CATALOGS = ("replicate", "fal")  # vendors hosting any model: a studio may price a new one
SECONDS_KEYS = ("duration", "seconds", "duration_seconds")  # how vendors name a clip's length
TEXT_KEYS = ("input", "text")  # how speech APIs name the text read aloud
# speech at about 150 words a minute, some 6 characters a word with its space: how a line's
# characters become the minutes of a model priced per minute of speech (OpenAI's own
# per-minute figure for gpt-4o-mini-tts is such an estimate; its bill counts tokens)
CHARACTERS_PER_MINUTE = 900
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥"}


@dataclass(frozen=True, order=True)
class Money:
    amount: Decimal
    currency: str = TABLE_CURRENCY

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise StoryreelError(f"cannot add {other} to {self}: two currencies")
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return self + Money(-other.amount, other.currency)

    def __str__(self) -> str:
        places = 2 if self.amount == 0 or abs(self.amount) >= Decimal("0.1") else 3
        text = f"{abs(self.amount):,.{places}f}"
        sign = "-" if self.amount < 0 else ""
        symbol = SYMBOLS.get(self.currency)
        return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {self.currency}"


@dataclass(frozen=True)
class Usage:
    """What a job is billed on: its counts, and the settings that pick a variant's rate."""

    images: int = 0
    videos: int = 0
    seconds: int = 0
    minutes: Decimal = Decimal(0)
    characters: int = 0
    generations: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    settings: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """The billed units in words: "5 s", "1 image", "1200 tokens in, 300 out"."""
        if self.seconds:
            return f"{self.seconds} s"
        if self.images or self.videos:
            n, what = (self.images, "image") if self.images else (self.videos, "clip")
            return f"{n} {what}{'s' if n != 1 else ''}"
        if self.input_tokens or self.output_tokens:
            return f"{self.input_tokens} tokens in, {self.output_tokens} out"
        if self.characters:
            return f"{self.characters} characters"
        if self.generations:
            return f"{self.generations} generation{'s' if self.generations != 1 else ''}"
        return f"{self.minutes:.2f} min" if self.minutes else "nothing"


@dataclass(frozen=True)
class Rate:
    """One model's price: its unit(s) and amounts, the variants by setting, and its source."""

    key: str  # "vendor:model"
    amounts: Mapping[str, Decimal]  # unit → amount (two units for a language model)
    variants: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)
    source: str = ""
    date: str = ""
    currency: str = TABLE_CURRENCY

    @property
    def units(self) -> tuple[str, ...]:
        return tuple(self.amounts)

    def cost(self, usage: Usage) -> Decimal:
        """What `usage` costs: a still by its image rate, a clip by its video rate (a model that
        makes both has one of each), anything else by the rest."""
        if usage.images:
            billed = [u for u in self.units if u in IMAGE]
        elif usage.videos:
            billed = [u for u in self.units if u in VIDEO]
        else:
            billed = [u for u in self.units if u not in IMAGE + VIDEO]
        if not billed:
            what = "a still" if usage.images else "a clip" if usage.videos else usage.describe()
            said = " and ".join(u.replace("_", " ") for u in self.units)
            raise StoryreelError(f"{self.key} is priced {said}, which does not price {what}")
        total = Decimal(0)
        for unit in billed:
            amount = self.amounts[unit]
            for setting, by_value in self.variants.items():
                value = usage.settings.get(setting)
                if value is not None and str(value) in by_value:
                    amount = by_value[str(value)]
            total += amount * Decimal(getattr(usage, UNITS[unit])) / SCALE.get(unit, 1)
        return total


@dataclass(frozen=True)
class Charge:
    """What one job costs (or cost): on what it was billed, how much, and who said so."""

    vendor: str
    model: str
    usage: Usage
    cost: Money
    by: str = "table"  # "table" (the price table) | "vendor" (its response said so)

    def row(self) -> dict[str, Any]:
        """The ledger's columns for it (`Database.job_put`)."""
        units = {k: v for k, v in vars(self.usage).items() if v and k != "settings"}
        return {
            "model": self.model,
            "units": json.dumps(units | dict(self.usage.settings), default=str, sort_keys=True),
            "cost": str(self.cost.amount),
            "currency": self.cost.currency,
            "priced_by": self.by,
        }


def usage_of(kind: str, inputs: Mapping[str, Any]) -> Usage:
    """A job's usage from the inputs its backend keys it by: the seconds it asks for (a clip's
    `duration`, "5" or "5s"), one image for a still, and its settings for the variants."""
    settings = {
        k: str(v) for k, v in inputs.items() if isinstance(v, (str, int)) and len(str(v)) < 40
    }
    seconds = 0
    for name in SECONDS_KEYS:
        if name in inputs:
            match = re.fullmatch(r"\s*(\d+)\s*s?\s*", str(inputs[name]))
            if match:
                seconds = int(match.group(1))
                break
    if kind == "still":
        return Usage(images=int(inputs.get("n", 1) or 1), settings=settings)
    if kind == "voice":  # a line read aloud: its characters, or the minutes they take to say
        text = next((str(inputs[k]) for k in TEXT_KEYS if k in inputs), "")
        minutes = (Decimal(len(text)) / CHARACTERS_PER_MINUTE).quantize(Decimal("0.0001"))
        return Usage(characters=len(text), minutes=minutes, settings=settings)
    if kind == "music":  # a cue of the length asked for
        ms = inputs.get("music_length_ms")
        minutes = Decimal(int(ms)) / 60_000 if ms else Decimal(seconds) / 60
        minutes = minutes.quantize(Decimal("0.0001"))
        return Usage(minutes=minutes, settings=settings)
    if kind == "effect":  # one sound generated, whatever its length
        return Usage(generations=1, settings=settings)
    return Usage(videos=1, seconds=seconds, settings=settings)


class PriceBook:
    """The rates in force: the package's table with a project's overrides, in one currency."""

    def __init__(self, rates: dict[str, Rate], currency: str = TABLE_CURRENCY, where: Any = None):
        self.rates, self.currency, self.where = rates, currency, where

    def rate(self, vendor: str, model: str) -> Rate | None:
        return self.rates.get(f"{vendor}:{model}")

    def price(self, spec: str, usage: Usage) -> Money:
        """What `usage` costs on the backend `spec` ("kling:kling-v2-1", "kling:kling-v2-1?mode=pro"
        adds its settings); an unpriced model is an error."""
        vendor, _, model = spec.partition(":")
        model, _, query = model.partition("?")
        rate = self.rate(vendor, model)
        if rate is None:
            known = [k for k in self.rates if k.startswith(f"{vendor}:")] or list(self.rates)
            raise StoryreelError(
                f"no price for {vendor}:{model}{did_you_mean(f'{vendor}:{model}', known)}; "
                f'give one in storyreel.toml [prices."{vendor}:{model}"]'
            )
        if query:
            extra = dict(pair.split("=", 1) for pair in query.split("&") if "=" in pair)
            usage = Usage(**{**vars(usage), "settings": {**usage.settings, **extra}})
        if rate.currency != self.currency:
            raise StoryreelError(
                f"{rate.key} is priced in {rate.currency} in storyreel's table and [budget] "
                f'currency is {self.currency}: give its price in [prices."{rate.key}"]',
                *(self.where or ()),
            )
        return Money(rate.cost(usage), self.currency)

    def charge(
        self, vendor: str, model: str, kind: str, inputs: Mapping[str, Any]
    ) -> Charge | None:
        """The price of a job from its inputs; None when its model has no price."""
        rate = self.rate(vendor, model)
        if rate is None:
            return None
        usage = usage_of(kind, inputs)
        kept = {k: v for k, v in usage.settings.items() if k in rate.variants}
        counts = vars(usage)
        if not (usage.images or usage.videos):  # speech, music, effects: what the rate bills
            billed = {UNITS[u] for u in rate.units}
            counts = {k: v if k in billed else type(v)() for k, v in counts.items()}
        usage = Usage(**{**counts, "settings": kept})
        return Charge(vendor, model, usage, self.price(f"{vendor}:{model}", usage))


@functools.cache
def table() -> dict[str, Rate]:
    """The package's price table."""
    text = importlib.resources.files("storyreel.hosted").joinpath("prices.toml").read_text("utf-8")
    data = tomllib.loads(text, parse_float=Decimal)
    rates = {}
    for key, entry in data.items():
        rates[key] = _rate(key, entry, Path(__file__).with_name("prices.toml"), text)
        if not (rates[key].source and rates[key].date):
            raise StoryreelError(f"{key}: a price needs its source and the date it was read")
    return rates


def default_book() -> PriceBook:
    return PriceBook(table())


def price_book(prices: Mapping[str, Any], currency: str, path: Path | None) -> PriceBook:
    """The table with a project's `[prices]` over it, each checked at its storyreel.toml line."""
    text = path.read_text(encoding="utf-8") if path and path.is_file() else ""
    rates = dict(table())
    vendors = sorted({k.partition(":")[0] for k in rates})
    for key, entry in prices.items():
        vendor, _, model = key.partition(":")
        where = (path, _line(text, key))
        if not model or vendor not in vendors:
            raise StoryreelError(
                f"prices: {key!r} is not VENDOR:MODEL of a hosted backend"
                f"{did_you_mean(vendor, vendors)}",
                *where,
            )
        if key not in rates and vendor not in OPEN_CATALOGS:
            known = [k for k in rates if k.startswith(f"{vendor}:")]
            raise StoryreelError(f"prices: unknown model {key!r}{did_you_mean(key, known)}", *where)
        if not isinstance(entry, Mapping):
            raise StoryreelError(f'prices: "{key}" must be a table of rates', *where)
        rates[key] = _override(key, entry, path, text, rates.get(key), currency)
    return PriceBook(rates, currency, (path, _line(text, "currency", "budget")) if path else None)


def _rate(key: str, entry: Mapping[str, Any], path: Path | None, text: str) -> Rate:
    """A table's rate from its entry: one unit (two for a language model), its variants."""
    amounts, variants = _parse(key, entry, path, text, None)
    units = set(amounts)
    pictures = len(units & set(IMAGE)) <= 1 and len(units & set(VIDEO)) <= 1
    if not (
        units == set(TOKENS)
        or len(units) == 1
        and not units & set(TOKENS)
        or units <= set(IMAGE + VIDEO)
        and pictures
    ):
        raise StoryreelError(
            f"{key}: one rate, of one of {', '.join(UNITS)} (a language model: both token "
            "rates; a model of stills and clips: an image rate and a video rate)",
            path,
            _line(text, key),
        )
    date = str(entry.get("read") or entry.get("as_of") or "")
    return Rate(key, amounts, variants, str(entry.get("source", "")), date)


def _override(
    key: str,
    entry: Mapping[str, Any],
    path: Path | None,
    text: str,
    base: Rate | None,
    currency: str,
) -> Rate:
    """A studio's rate for `key`, in its currency: its amounts over the table's `base` (in
    another currency than the table's, its own amounts alone: a unit it does not price stays
    unpriced), or a whole new rate for a model of an open catalog."""
    if base is None:
        return replace(_rate(key, entry, path, text), source=str(path), currency=currency)
    amounts, variants = _parse(key, entry, path, text, base)
    if currency != base.currency:
        if not amounts:
            raise StoryreelError(
                f"{key}: give its rate in {currency} ({' or '.join(base.units)}); the table's "
                f"are in {base.currency}",
                path,
                _line(text, key),
            )
        return Rate(key, amounts, variants, str(path), "storyreel.toml", currency)
    return Rate(
        key,
        {**base.amounts, **amounts},
        variants if "variants" in entry else base.variants,
        str(path),
        "storyreel.toml",
        currency,
    )


def _parse(
    key: str, entry: Mapping[str, Any], path: Path | None, text: str, base: Rate | None
) -> tuple[dict[str, Decimal], dict[str, dict[str, Decimal]]]:
    """The rates and variants of one table, each checked at its line: known units, numbers,
    and (over a table's rate) the units that rate is priced in."""
    amounts: dict[str, Decimal] = {}
    variants: dict[str, dict[str, Decimal]] = {}
    for name, value in entry.items():
        where = (path, _line(text, name, key))
        if name in NOTES:
            continue
        if name == "variants":
            if not isinstance(value, Mapping) or not all(
                isinstance(v, Mapping) for v in value.values()
            ):
                raise StoryreelError(f"{key}: variants are SETTING.VALUE = amount", *where)
            variants = {
                setting: {
                    str(v): _amount(key, f"variants.{setting}.{v}", a, where) for v, a in by.items()
                }
                for setting, by in value.items()
            }
            continue
        if name not in UNITS:
            raise StoryreelError(
                f"{key}: unknown unit {name!r}{did_you_mean(name, list(UNITS))}", *where
            )
        if base is not None and name not in base.units:
            said = " and ".join(u.replace("_", " ") for u in base.units)
            raise StoryreelError(f"{key} is priced {said}, not {name.replace('_', ' ')}", *where)
        amounts[name] = _amount(key, name, value, where)
    return amounts, variants


def _amount(key: str, name: str, value: Any, where: tuple[Any, ...]) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise StoryreelError(f"{key}: {name} must be a number, not {value!r}", *where)
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise StoryreelError(f"{key}: {name} must be a number", *where) from None
    if amount < 0 or not amount.is_finite():
        raise StoryreelError(f"{key}: {name} must be zero or more", *where)
    return amount


def _line(text: str, name: str, table: str | None = None) -> int | None:
    """The line of `name` (a key of `[prices."MODEL"]`, or of `[TABLE]`), or of its table."""
    lines = text.splitlines()
    head = re.compile(r'^\s*\[\s*prices\s*\.\s*"?' + re.escape(table or name) + r'"?\s*\]')
    if table == "budget":
        head = re.compile(r"^\s*\[\s*budget\s*\]")
    start = next((i for i, line in enumerate(lines) if head.match(line)), None)
    if start is None:
        return None
    if table is None:
        return start + 1
    assign = re.compile(r'^\s*"?' + re.escape(name) + r'"?\s*[=.]')
    for i in range(start + 1, len(lines)):
        if lines[i].lstrip().startswith("["):
            break
        if assign.match(lines[i]):
            return i + 1
    return start + 1
