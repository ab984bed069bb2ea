"""The OpenAI writer's requests as the APIs document them (what every vendor shares is in
test_vendors.py)."""

from __future__ import annotations

from storyreel.backends import load_backend
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
