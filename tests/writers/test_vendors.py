"""Every hosted writer against a local server speaking its vendor's protocol: the key, a streamed
answer, 429 then success, a refusal, and a crash while waiting that the next run resumes without
paying twice."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from storyreel.backends import load_backend
from storyreel.errors import StoryreelError
from storyreel.hosted.common import Timing
from storyreel.hosted.prices import default_book
from storyreel.writers.base import Completion, Message
from tests.writers import servers
from tests.writers.servers import KEYS, Model

ASK = Completion(
    [Message("system", "You write screenplays."), Message("user", "A logline, please.")],
    seed=7,
    max_tokens=200,
)


@dataclass(frozen=True)
class Vendor:
    name: str
    install: Any
    base: str  # the base_url the SDK is pointed at, after the server's address
    streamed: str  # options that stream
    resumable: str  # options that answer later, by id
    key: str

    def writer(self, server, query: str, **kw):
        spec = f"{self.name}:test-model?base_url={server.url}{self.base}"
        return load_backend("writer", f"{spec}&{query}" if query else spec, **kw)


VENDORS = [
    Vendor("openai", servers.openai, "/v1", "api=chat", "api=responses", "OPENAI_API_KEY"),
    Vendor(
        "openai",
        servers.openai,
        "/v1",
        "api=responses&background=0",
        "api=responses&background=1",
        "OPENAI_API_KEY",
    ),
    Vendor("anthropic", servers.anthropic, "", "", "batch=1", "ANTHROPIC_API_KEY"),
    Vendor("gemini", servers.gemini, "", "", "batch=1", "GEMINI_API_KEY"),
]
IDS = ["openai-chat", "openai-responses", "anthropic", "gemini"]


@pytest.fixture(params=VENDORS, ids=IDS)
def vendor(request):
    return request.param


def test_streams_the_answer_with_its_key_and_counts_tokens(server, keys, fast, vendor):
    model = Model(answers=["A keeper of a film archive finds a summer that never happened."])
    vendor.install(server, model)
    heard: list[str] = []
    reply = vendor.writer(server, vendor.streamed, timing=fast).complete(
        Completion(ASK.messages, seed=7, max_tokens=200, on_text=heard.append)
    )
    assert reply.text == "A keeper of a film archive finds a summer that never happened."
    assert len(heard) == 3 and "".join(heard) == reply.text  # in pieces, as they came
    assert (reply.tokens_in, reply.tokens_out) == (12, 34)
    assert model.billed == 1 and model.bad_auth == 0
    sent = json.dumps(model.bodies[0])
    assert "You write screenplays." in sent and "A logline, please." in sent


def test_429_then_success_pays_once(server, keys, fast, vendor):
    model = Model(answers=["ok"], throttle=2)
    vendor.install(server, model)
    assert vendor.writer(server, vendor.streamed, timing=fast).complete(ASK).text == "ok"
    assert model.billed == 1
    assert sum(r.method == "POST" for r in server.log) == 3


def test_a_refusal_is_the_models_own_words(server, keys, fast, vendor):
    vendor.install(server, Model(refuse="I can't help with that request."))
    with pytest.raises(StoryreelError, match=r"refused: .*I can't help with that request"):
        vendor.writer(server, vendor.streamed, timing=fast).complete(ASK)


def test_a_bad_key_is_the_vendors_message_without_the_key(server, keys, fast, vendor, monkeypatch):
    model = Model()
    vendor.install(server, model)
    monkeypatch.setenv(vendor.key, "wrong-key-0000000000")
    with pytest.raises(StoryreelError) as e:
        vendor.writer(server, vendor.streamed, timing=fast).complete(ASK)
    assert "refused the request (HTTP 40" in str(e.value) and "wrong-key" not in str(e.value)
    assert model.bad_auth == 1 and model.billed == 0


def test_a_missing_key_names_the_variable(vendor, monkeypatch):
    for name in (*KEYS, "GOOGLE_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(StoryreelError, match=f"set the environment variable {vendor.key}"):
        load_backend("writer", f"{vendor.name}:some-model").complete(ASK)


def test_a_crash_while_waiting_resumes_without_paying_twice(
    server, keys, fast, ledger, tmp_path, vendor
):
    model = Model(answers=["The answer."], polls=3)
    vendor.install(server, model)
    answers = tmp_path / "answers"

    class Crash(Exception):
        pass

    def crash(seconds: float) -> None:
        raise Crash

    crashing = Timing(poll_interval=0.0, backoff=0.0, sleep=crash)
    kw = {"ledger": ledger, "answers": answers}
    with pytest.raises(Crash):
        vendor.writer(server, vendor.resumable, timing=crashing, **kw).complete(ASK)
    assert model.billed == 1  # sent, its id on record, not answered yet
    reply = vendor.writer(server, vendor.resumable, timing=fast, **kw).complete(ASK)
    assert reply.text == "The answer." and model.billed == 1
    assert sum(r.method == "POST" for r in server.log) == 1  # waited on, not sent again
    seen = len(server.log)
    again = vendor.writer(server, vendor.resumable, timing=fast, **kw).complete(ASK)
    assert again.text == "The answer." and again.meta["stored"] is True
    assert len(server.log) == seen  # a finished answer is never asked for again


def test_a_schema_asks_for_structured_output(server, keys, fast, vendor):
    model = Model(answers=['{"logline": "A reel."}'])
    vendor.install(server, model)
    schema = {
        "type": "object",
        "properties": {"logline": {"type": "string"}},
        "required": ["logline"],
        "additionalProperties": False,
    }
    reply = vendor.writer(server, vendor.streamed, timing=fast).complete(
        Completion(ASK.messages, schema=schema)
    )
    assert json.loads(reply.text) == {"logline": "A reel."}
    assert json.dumps(schema, sort_keys=True) in json.dumps(model.bodies[0], sort_keys=True)


def test_images_go_in_the_vendors_own_field(server, keys, fast, vendor):
    model = Model(answers=["Take 2 shows her face."])
    vendor.install(server, model)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
    ask = Completion([Message("user", "Which take shows MAYA?", (png,))])
    assert (
        vendor.writer(server, vendor.streamed, timing=fast).complete(ask).text.startswith("Take 2")
    )
    sent = json.dumps(model.bodies[0])
    field = {"openai": '"type": "image_url"', "anthropic": '"media_type": "image/png"'}.get(
        vendor.name, '"inlineData": {'
    )
    if "responses" in vendor.streamed:
        field = '"type": "input_image"'
    assert field in sent and base64.b64encode(png).decode() in sent


PRICED = {"openai": "gpt-4.1-mini", "anthropic": "claude-haiku-4-5", "gemini": "gemini-2.5-flash"}


def test_a_priced_model_s_answer_costs_its_tokens_on_the_ledger(
    server, keys, fast, ledger, tmp_path, vendor
):
    model = Model(answers=["The answer."])
    vendor.install(server, model)
    name = PRICED[vendor.name]
    spec = f"{vendor.name}:{name}?base_url={server.url}{vendor.base}"
    writer = load_backend("writer", spec, timing=fast, ledger=ledger, answers=tmp_path / "a")
    reply = writer.complete(ASK)
    rate = default_book().rate(vendor.name, name)
    per_in, per_out = (
        rate.amounts["per_million_input_tokens"],
        rate.amounts["per_million_output_tokens"],
    )
    expected = (reply.tokens_in * per_in + reply.tokens_out * per_out) / Decimal(1_000_000)
    assert reply.tokens_in and Decimal(str(reply.cost)) == expected
    (job,) = ledger.jobs()
    assert Decimal(job["cost"]) == expected and job["currency"] == "USD"
