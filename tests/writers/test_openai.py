"""The OpenAI writer against a local server speaking Chat Completions and the Responses API."""

from __future__ import annotations

import pytest

from storyreel.backends import load_backend
from storyreel.errors import StoryreelError
from storyreel.writers.base import Completion, Message
from tests.writers.servers import Model, openai, png_of

ASK = Completion(
    [Message("system", "You write screenplays."), Message("user", "A logline, please.")],
    seed=7,
    max_tokens=200,
)


def writer(server, query: str, **kw):
    return load_backend("writer", f"openai:gpt-test?base_url={server.url}/v1&{query}", **kw)


def test_chat_streams_the_answer_with_the_key_and_the_documented_request(server, keys, fast):
    model = Model(answers=["A keeper of a film archive finds a summer that never happened."])
    openai(server, model)
    heard: list[str] = []
    reply = writer(server, "api=chat", timing=fast).complete(
        Completion(ASK.messages, seed=7, max_tokens=200, on_text=heard.append)
    )
    assert reply.text == "A keeper of a film archive finds a summer that never happened."
    assert len(heard) == 3 and "".join(heard) == reply.text  # streamed in pieces
    assert (reply.tokens_in, reply.tokens_out, reply.model) == (12, 34, "gpt-test")
    [body] = model.bodies
    assert body["messages"][0] == {"role": "system", "content": "You write screenplays."}
    assert body["seed"] == 7 and body["max_tokens"] == 200 and body["stream"] is True
    assert model.bad_auth == 0


def test_chat_sends_a_schema_as_structured_output_and_images_as_data_uris(server, keys, fast):
    model = Model(answers=['{"logline": "x"}'])
    openai(server, model)
    schema = {
        "type": "object",
        "properties": {"logline": {"type": "string"}},
        "required": ["logline"],
        "additionalProperties": False,
    }
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    reply = writer(server, "api=chat", timing=fast).complete(
        Completion([Message("user", "Look.", (png,))], schema=schema)
    )
    assert reply.text == '{"logline": "x"}'
    [body] = model.bodies
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == schema
    parts = body["messages"][0]["content"]
    assert parts[0] == {"type": "text", "text": "Look."}
    assert png_of(parts[1]["image_url"]["url"]) == png


def test_429_then_success_pays_once(server, keys, fast):
    model = Model(answers=["ok"], throttle=2)
    openai(server, model)
    assert writer(server, "api=chat", timing=fast).complete(ASK).text == "ok"
    assert model.billed == 1
    assert sum(r.path.endswith("/chat/completions") for r in server.log) == 3


def test_a_refusal_is_the_models_own_words(server, keys, fast):
    openai(server, Model(refuse="I can't help with that request."))
    with pytest.raises(StoryreelError, match="refused: I can't help with that request"):
        writer(server, "api=chat", timing=fast).complete(ASK)
    with pytest.raises(StoryreelError, match="refused: I can't help with that request"):
        writer(server, "api=responses&background=0", timing=fast).complete(ASK)


def test_a_bad_key_is_the_vendors_message_without_the_key(server, keys, fast, monkeypatch):
    openai(server, Model())
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-key-00000000")
    with pytest.raises(StoryreelError) as e:
        writer(server, "api=chat", timing=fast).complete(ASK)
    assert "HTTP 401" in str(e.value) and "Incorrect API key" in str(e.value)
    assert "sk-wrong-key" not in str(e.value)


def test_a_missing_key_names_the_variable(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(StoryreelError, match="set the environment variable OPENAI_API_KEY"):
        load_backend("writer", "openai:gpt-4.1-mini").complete(ASK)


def test_responses_stream(server, keys, fast):
    model = Model(answers=["INT. ARCHIVE - NIGHT"])
    openai(server, model)
    heard: list[str] = []
    reply = writer(server, "api=responses&background=0", timing=fast).complete(
        Completion(ASK.messages, on_text=heard.append)
    )
    assert reply.text == "INT. ARCHIVE - NIGHT" and "".join(heard) == reply.text
    [body] = model.bodies
    assert body["instructions"] == "You write screenplays."
    assert body["input"] == [{"role": "user", "content": "A logline, please."}]
    assert body["stream"] is True


def test_a_crash_while_waiting_resumes_without_paying_twice(server, keys, fast, ledger, tmp_path):
    model = Model(answers=["The answer."], polls=3)
    openai(server, model)
    answers = tmp_path / "answers"

    class Crash(Exception):
        pass

    def crash(seconds: float) -> None:
        raise Crash

    from storyreel.hosted.common import Timing

    crashing = Timing(poll_interval=0.0, backoff=0.0, sleep=crash)
    with pytest.raises(Crash):
        writer(server, "api=responses", ledger=ledger, answers=answers, timing=crashing).complete(
            ASK
        )
    assert model.billed == 1  # sent, in the background, its id on record
    reply = writer(server, "api=responses", ledger=ledger, answers=answers, timing=fast).complete(
        ASK
    )
    assert reply.text == "The answer." and model.billed == 1
    assert any(r.method == "GET" and "/v1/responses/resp_" in r.path for r in server.log)
    seen = len(server.log)
    again = writer(server, "api=responses", ledger=ledger, answers=answers, timing=fast).complete(
        ASK
    )
    assert again.text == "The answer." and len(server.log) == seen  # stored: not sent again
    assert again.meta["stored"] is True
