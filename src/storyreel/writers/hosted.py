"""What the hosted writers share: settings, the ledger of answers, resumable jobs.

A request is keyed (`storyreel.store.keys.job_key`) by everything that decides its answer: the
vendor, the model, the conversation (images by digest), the schema, the seed and the settings.
A finished answer is a JSON file under `.storyreel/writers/`, named in the project's job ledger,
so the same request is never sent twice. A vendor that can answer later (OpenAI's background
responses, Anthropic's Message Batches, Gemini's batch mode) gets its remote id into the ledger
before the wait begins: a crash or Ctrl-C between request and answer resumes the wait on the
next run instead of paying again. Retries, redaction and keys are `storyreel.hosted.common`'s.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from storyreel.backends import Argument, Option
from storyreel.errors import StoryreelError
from storyreel.files import atomic_write
from storyreel.hosted.common import Timing, VendorRefused, call, redact
from storyreel.hosted.prices import TABLE_CURRENCY, Usage, default_book
from storyreel.store.db import Database
from storyreel.store.keys import digest, job_key
from storyreel.writers.base import Completion, Message, Reply, WriterBackend


def _flag(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


def _url(text: str) -> str:
    if urllib.parse.urlsplit(text).scheme not in ("http", "https"):
        raise ValueError(text)
    return text


BASE_URL = Option(
    "http(s) URL",
    "the API's address, for a compatible server or a proxy",
    "http://localhost:11434/v1",
    _url,
)


def flag(help: str) -> Option:
    return Option("0 | 1", help, "1", _flag)


class JobFailed(StoryreelError):
    """The vendor says a request it was answering later has failed (asking again may do)."""


@dataclass(frozen=True)
class Pending:
    """A request the vendor answers later: the remote id to wait on."""

    remote_id: str


def request_inputs(request: Completion) -> dict[str, Any]:
    """What decides a request's answer, for its key (images by digest)."""
    return {
        "messages": [
            {"role": m.role, "text": m.text, "images": [digest(i) for i in m.images]}
            for m in request.messages
        ],
        "schema": request.schema,
        "seed": request.seed,
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
    }


def system_and_turns(messages: Sequence[Message]) -> tuple[str | None, list[Message]]:
    """The system messages joined (APIs that take one system text) and the other turns."""
    system = "\n\n".join(m.text for m in messages if m.role == "system") or None
    return system, [m for m in messages if m.role != "system"]


class HostedWriter(WriterBackend):
    """Base of the API writers: `MODEL?option=value` settings, the ledger, resumable jobs.

    A vendor's class implements `answer` (send, return a `Reply` or a `Pending`) and, when its
    API answers later, `fetch` (a `Reply`, or None while the answer is not ready).
    """

    vendor: ClassVar[str]
    default_model: ClassVar[str]
    extra: ClassVar[str | None] = "hosted"
    version: ClassVar[str] = "1"
    vision: ClassVar[bool] = True

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "default_model" in cls.__dict__:
            cls.argument = Argument(
                "model",
                f"the {cls.vendor} model id (default {cls.default_model})",
                cls.default_model,
            )

    def __init__(
        self,
        model: str | None = None,
        *,
        ledger: Database | None = None,
        answers: Path | None = None,
        timing: Timing | None = None,
    ):
        """`model` is the spec's argument (`gpt-4.1-mini?api=chat`); `ledger` and `answers` (the
        folder of finished answers) make requests resumable and never sent twice."""
        value, self.settings = self.check(model)
        self.model = value or self.default_model
        self.ledger, self.answers = ledger, answers
        self.timing = timing or Timing(poll_interval=2.0, poll_max=15.0)

    def answer(self, request: Completion, key: str) -> Reply | Pending:
        """Send `request`; the finished `Reply`, or the `Pending` remote id to `fetch` later."""
        raise NotImplementedError

    def fetch(self, remote_id: str) -> Reply | None:
        """The answer of a `Pending` request, or None while it is not ready."""
        raise NotImplementedError

    def complete(self, request: Completion) -> Reply:
        key = job_key(
            self.vendor, self.model, "text", settings=self.settings, **request_inputs(request)
        )
        stored = self._stored(key)
        if stored is not None:
            if request.on_text is not None:
                request.on_text(stored.text)
            return stored
        record = self.ledger.job_get(key) if self.ledger else None
        reply: Reply | None = None
        remote_id = None
        if record and record["status"] == "submitted" and record["remote_id"]:
            remote_id = record["remote_id"]  # resume: wait on the request already paid for
            try:
                reply = call(self.vendor, lambda: self.fetch(remote_id), self.timing)
            except JobFailed:
                self.ledger.job_update(key, "failed", None)
                remote_id = None  # it failed on the vendor's side: ask again
            except VendorRefused as e:
                if e.status != 404:
                    raise
                remote_id = None  # the vendor no longer knows it: ask again
        if remote_id is None:
            sent = call(self.vendor, lambda: self.answer(request, key), self.timing)
            if isinstance(sent, Pending):
                remote_id = sent.remote_id
                if self.ledger:
                    self.ledger.job_put(key, self.vendor, remote_id)
            else:
                reply = sent
        if reply is None:
            reply = self._wait(key, remote_id)
            if request.on_text is not None:
                request.on_text(reply.text)
        self._store(key, reply)
        return reply

    def _wait(self, key: str, remote_id: str) -> Reply:
        deadline = time.monotonic() + self.timing.timeout
        interval = self.timing.poll_interval
        while True:
            try:
                reply = call(self.vendor, lambda: self.fetch(remote_id), self.timing)
            except JobFailed:
                if self.ledger:
                    self.ledger.job_update(key, "failed", None)
                raise
            if reply is not None:
                return reply
            if time.monotonic() > deadline:
                raise StoryreelError(
                    f"{self.vendor}: request {redact(remote_id)} still running after "
                    f"{self.timing.timeout:g} s; it stays on record and the next run resumes it"
                )
            self.timing.sleep(interval)
            interval = min(interval * 1.5, self.timing.poll_max)

    def _stored(self, key: str) -> Reply | None:
        record = self.ledger.job_get(key) if self.ledger else None
        if not (record and record["status"] == "succeeded" and record.get("result")):
            return None
        try:
            data = json.loads(Path(record["result"]).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # lost or damaged: the request is sent again
        return Reply(**{**data, "meta": {**data["meta"], "stored": True}})

    def _store(self, key: str, reply: Reply) -> None:
        if self.ledger is None or self.answers is None:
            return
        path = atomic_write(self.answers / f"{key[:32]}.json", json.dumps(asdict(reply)))
        if self.ledger.job_get(key) is None:
            self.ledger.job_put(key, self.vendor, str(reply.meta.get("id", "")))
        self.ledger.job_update(key, "succeeded", str(path))
        cost = self.cost(reply.tokens_in, reply.tokens_out)
        if cost is not None:
            self.ledger.job_charge(key, str(cost), TABLE_CURRENCY, "table")

    def cache_token(self, shot: Any, root: Any) -> str:
        return json.dumps([self.model, self.settings], sort_keys=True)

    def refused(self, said: str) -> StoryreelError:
        """The model's refusal in its own words (redacted)."""
        return StoryreelError(f"{self.vendor} ({self.model}) refused: {redact(said)}")

    def cost(self, tokens_in: int, tokens_out: int) -> Decimal | None:
        """The price table's figure for the tokens (of the model asked for, not the dated
        snapshot that answered), or None for a model it does not price (a local server's)."""
        rate = default_book().rate(self.vendor, self.model)
        if rate is None:
            return None
        return rate.cost(Usage(input_tokens=tokens_in, output_tokens=tokens_out))

    def reply(
        self, text: str, tokens_in: int, tokens_out: int, model: str | None, **meta: Any
    ) -> Reply:
        tokens_in, tokens_out = int(tokens_in or 0), int(tokens_out or 0)
        cost = self.cost(tokens_in, tokens_out)
        return Reply(
            text=text,
            model=model or self.model,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            cost=float(cost) if cost is not None else None,
            meta={k: redact(str(v)) for k, v in meta.items() if v is not None},
        )
