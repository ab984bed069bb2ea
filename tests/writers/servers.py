"""Local servers that speak each language-model vendor's documented protocol, as its SDK calls it.

`Model` scripts what the model says and how the service behaves: the answers in turn (a
callable may answer from the request), 429s before one is accepted, a refusal, how many polls
of a background request report it still running. Each vendor's routes check the credentials the
way the vendor does (a bad one gets its 401) and count every request that would be billed in
`Model.billed`. `serve()` starts a server on a free port; `openai`, `anthropic` and `gemini`
add a vendor's routes to it.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.local_server import FakeServer, Reply, Request, serving

KEYS = {
    "OPENAI_API_KEY": "sk-writer-test-0001",
    "ANTHROPIC_API_KEY": "sk-ant-writer-test-0002",
    "GEMINI_API_KEY": "gemini-writer-test-0003",
}


Answer = Reply


@dataclass
class Model:
    """A scripted model behind a vendor's API."""

    answers: list[str] | Callable[[Any], str] = field(default_factory=lambda: ["FADE IN:"])
    throttle: int = 0  # 429s before a request is accepted
    refuse: str | None = None  # the model's refusal, in its words
    polls: int = 1  # polls of a background request that report it still running
    tokens: tuple[int, int] = (12, 34)  # usage reported: (in, out)
    billed: int = 0  # requests that would be paid for
    bodies: list[Any] = field(default_factory=list)  # each billed request's body
    bad_auth: int = 0
    _turn: int = 0

    def say(self, body: Any) -> str:
        self.billed += 1
        self.bodies.append(body)
        if callable(self.answers):
            return self.answers(body)
        text = self.answers[min(self._turn, len(self.answers) - 1)]
        self._turn += 1
        return text

    def throttled(self, body: Any) -> Answer | None:
        if self.throttle > 0:
            self.throttle -= 1
            return 429, body, {"retry-after": "0"}
        return None


class Server(FakeServer):
    def not_found(self, message: str) -> Any:
        return {"error": {"message": message}}  # as the vendors' APIs say it


@contextmanager
def serve() -> Iterator[Server]:
    with serving(Server(), http11=True) as fake:
        yield fake


def sse(events: list[tuple[str | None, Any]]) -> Answer:
    """A server-sent event stream: (event name or None, data) pairs; a str data is sent as is."""
    out = []
    for name, data in events:
        head = f"event: {name}\n" if name else ""
        out.append(f"{head}data: {data if isinstance(data, str) else json.dumps(data)}\n\n")
    return 200, "".join(out).encode(), {"content-type": "text/event-stream"}


def pieces(text: str, n: int = 3) -> list[str]:
    """`text` in `n` pieces, as a stream sends it."""
    step = max(1, -(-len(text) // n))
    return [text[i : i + step] for i in range(0, len(text), step)] or [""]


_ids = itertools.count(1)


# --- OpenAI: Chat Completions and Responses -------------------------------------------------


def openai(server: Server, model: Model, key: str | None = KEYS["OPENAI_API_KEY"]) -> None:
    """OpenAI's `/v1/chat/completions` and `/v1/responses` (create, background, retrieve)."""
    responses: dict[str, dict[str, Any]] = {}

    def denied(req: Request) -> Answer | None:
        if key is not None and req.headers.get("authorization") != f"Bearer {key}":
            model.bad_auth += 1
            return (
                401,
                {
                    "error": {
                        "message": "Incorrect API key provided",
                        "type": "invalid_request_error",
                        "code": "invalid_api_key",
                    }
                },
                {},
            )
        return None

    @server.route("POST", r"/v1/chat/completions")
    def chat(req: Request) -> Answer:
        if r := denied(req):
            return r
        body = req.json()
        assert body["model"] and body["messages"], body
        if r := model.throttled({"error": {"message": "Rate limit reached", "type": "requests"}}):
            return r
        rid, created = f"chatcmpl-{next(_ids)}", 1700000000
        text = model.say(body)
        if model.refuse:
            message = {"role": "assistant", "content": None, "refusal": model.refuse}
        else:
            message = {"role": "assistant", "content": text, "refusal": None}
        usage = {
            "prompt_tokens": model.tokens[0],
            "completion_tokens": model.tokens[1],
            "total_tokens": sum(model.tokens),
        }
        if not body.get("stream"):
            choice = {"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}
            return (
                200,
                {
                    "id": rid,
                    "object": "chat.completion",
                    "created": created,
                    "model": body["model"],
                    "choices": [choice],
                    "usage": usage,
                },
                {},
            )
        head = {
            "id": rid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": body["model"],
        }
        said = (
            [{"refusal": model.refuse}] if model.refuse else [{"content": p} for p in pieces(text)]
        )
        chunks = [
            {
                **head,
                "choices": [
                    {"index": 0, "delta": {"role": "assistant", **d}, "finish_reason": None}
                ],
            }
            for d in said
        ]
        chunks.append({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            chunks.append({**head, "choices": [], "usage": usage})
        return sse([(None, c) for c in chunks] + [(None, "[DONE]")])

    def response(body: dict[str, Any], status: str, text: str) -> dict[str, Any]:
        content = (
            {"type": "refusal", "refusal": model.refuse}
            if model.refuse
            else {"type": "output_text", "text": text, "annotations": []}
        )
        done = status == "completed"
        return {
            "id": f"resp_{next(_ids)}",
            "object": "response",
            "created_at": 1700000000,
            "status": status,
            "model": body["model"],
            "background": bool(body.get("background")),
            "output": [
                {
                    "type": "message",
                    "id": "msg_1",
                    "status": "completed",
                    "role": "assistant",
                    "content": [content],
                }
            ]
            if done
            else [],
            "usage": {
                "input_tokens": model.tokens[0],
                "output_tokens": model.tokens[1],
                "total_tokens": sum(model.tokens),
                "input_tokens_details": {"cached_tokens": 0},
                "output_tokens_details": {"reasoning_tokens": 0},
            }
            if done
            else None,
            "error": None,
            "incomplete_details": None,
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
        }

    @server.route("POST", r"/v1/responses")
    def create(req: Request) -> Answer:
        if r := denied(req):
            return r
        body = req.json()
        assert body["model"] and body["input"], body
        if r := model.throttled({"error": {"message": "Rate limit reached", "type": "requests"}}):
            return r
        text = model.say(body)
        if body.get("background"):
            assert body.get("store") is True, "background requires store"
            r = response(body, "queued", text)
            responses[r["id"]] = {
                "polls": model.polls,
                "final": {**response(body, "completed", text), "id": r["id"]},
            }
            return 200, r, {}
        final = response(body, "completed", text)
        if not body.get("stream"):
            return 200, final, {}
        events: list[tuple[str | None, Any]] = [
            (
                "response.created",
                {
                    "type": "response.created",
                    "sequence_number": 0,
                    "response": {**final, "status": "in_progress", "output": []},
                },
            )
        ]
        if not model.refuse:
            for i, p in enumerate(pieces(text)):
                events.append(
                    (
                        "response.output_text.delta",
                        {
                            "type": "response.output_text.delta",
                            "sequence_number": i + 1,
                            "item_id": "msg_1",
                            "output_index": 0,
                            "content_index": 0,
                            "delta": p,
                            "logprobs": [],
                        },
                    )
                )
        events.append(
            (
                "response.completed",
                {"type": "response.completed", "sequence_number": 99, "response": final},
            )
        )
        return sse(events)

    @server.route("GET", r"/v1/responses/([\w-]+)")
    def retrieve(req: Request, rid: str) -> Answer:
        if r := denied(req):
            return r
        job = responses.get(rid)
        if job is None:
            return 404, {"error": {"message": f"No response found with id '{rid}'."}}, {}
        if job["polls"] > 0:
            job["polls"] -= 1
            return 200, {**job["final"], "status": "in_progress", "output": [], "usage": None}, {}
        return 200, job["final"], {}


def png_of(data_uri: str) -> bytes:
    assert data_uri.startswith("data:image/png;base64,"), data_uri[:40]
    return base64.b64decode(data_uri.split(",", 1)[1])


# --- Anthropic: Messages and Message Batches ------------------------------------------------


def anthropic(server: Server, model: Model, key: str = KEYS["ANTHROPIC_API_KEY"]) -> None:
    """Anthropic's `/v1/messages` (streamed or not) and `/v1/messages/batches`."""
    batches: dict[str, dict[str, Any]] = {}

    def denied(req: Request) -> Answer | None:
        # the API takes the key as `x-api-key` or, as the SDK sends it since 2.x, a bearer token
        sent = req.headers.get("x-api-key") or req.headers.get("authorization", "").removeprefix(
            "Bearer "
        )
        if sent != key or not req.headers.get("anthropic-version"):
            model.bad_auth += 1
            return (
                401,
                {
                    "type": "error",
                    "error": {"type": "authentication_error", "message": "invalid x-api-key"},
                },
                {},
            )
        return None

    def message(body: dict[str, Any]) -> dict[str, Any]:
        text = model.say(body)
        if model.refuse:
            content, stop = [{"type": "text", "text": model.refuse}], "refusal"
        elif body.get("tool_choice", {}).get("type") == "tool":
            name = body["tool_choice"]["name"]
            assert any(t["name"] == name for t in body["tools"]), body["tools"]
            content, stop = (
                [{"type": "tool_use", "id": "toolu_1", "name": name, "input": json.loads(text)}],
                "tool_use",
            )
        else:
            content, stop = [{"type": "text", "text": text}], "end_turn"
        return {
            "id": f"msg_{next(_ids)}",
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {"input_tokens": model.tokens[0], "output_tokens": model.tokens[1]},
        }

    def checked(body: dict[str, Any]) -> None:
        assert body["model"] and body["max_tokens"] > 0, body
        assert all(m["role"] in ("user", "assistant") for m in body["messages"]), body

    @server.route("POST", r"/v1/messages")
    def create(req: Request) -> Answer:
        if r := denied(req):
            return r
        body = req.json()
        checked(body)
        if r := model.throttled(
            {
                "type": "error",
                "error": {
                    "type": "rate_limit_error",
                    "message": "Number of requests has exceeded your rate limit",
                },
            }
        ):
            return r
        done = message(body)
        if not body.get("stream"):
            return 200, done, {}
        start = {
            **done,
            "content": [],
            "stop_reason": None,
            "usage": {"input_tokens": model.tokens[0], "output_tokens": 1},
        }
        events: list[tuple[str | None, Any]] = [
            ("message_start", {"type": "message_start", "message": start})
        ]
        for i, block in enumerate(done["content"]):
            events.append(
                (
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": i,
                        "content_block": {"type": "text", "text": ""},
                    },
                )
            )
            for p in pieces(block["text"]):
                events.append(
                    (
                        "content_block_delta",
                        {
                            "type": "content_block_delta",
                            "index": i,
                            "delta": {"type": "text_delta", "text": p},
                        },
                    )
                )
            events.append(("content_block_stop", {"type": "content_block_stop", "index": i}))
        events.append(
            (
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": done["stop_reason"], "stop_sequence": None},
                    "usage": {"output_tokens": model.tokens[1]},
                },
            )
        )
        events.append(("message_stop", {"type": "message_stop"}))
        return sse(events)

    def batch(bid: str, ended: bool) -> dict[str, Any]:
        n = len(batches[bid]["results"])
        return {
            "id": bid,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": {
                "processing": 0 if ended else n,
                "succeeded": n if ended else 0,
                "errored": 0,
                "canceled": 0,
                "expired": 0,
            },
            "created_at": "2026-12-01T00:00:00Z",
            "expires_at": "2026-12-02T00:00:00Z",
            "ended_at": "2026-12-01T00:05:00Z" if ended else None,
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{server.url}/v1/messages/batches/{bid}/results" if ended else None,
        }

    @server.route("POST", r"/v1/messages/batches")
    def create_batch(req: Request) -> Answer:
        if r := denied(req):
            return r
        body = req.json()
        bid = f"msgbatch_{next(_ids)}"
        results = []
        for one in body["requests"]:
            checked(one["params"])
            results.append(
                {
                    "custom_id": one["custom_id"],
                    "result": {"type": "succeeded", "message": message(one["params"])},
                }
            )
        batches[bid] = {"polls": model.polls, "results": results}
        return 200, batch(bid, False), {}

    @server.route("GET", r"/v1/messages/batches/(\w+)")
    def retrieve_batch(req: Request, bid: str) -> Answer:
        if r := denied(req):
            return r
        if bid not in batches:
            return (
                404,
                {
                    "type": "error",
                    "error": {"type": "not_found_error", "message": "batch not found"},
                },
                {},
            )
        job = batches[bid]
        job["polls"] -= 1
        return 200, batch(bid, job["polls"] < 0), {}

    @server.route("GET", r"/v1/messages/batches/(\w+)/results")
    def results(req: Request, bid: str) -> Answer:
        if r := denied(req):
            return r
        lines = "".join(json.dumps(r) + "\n" for r in batches[bid]["results"])
        return 200, lines.encode(), {"content-type": "application/binary"}


# --- Gemini: generateContent, streamGenerateContent and batch mode ------------------------------


def gemini(server: Server, model: Model, key: str = KEYS["GEMINI_API_KEY"]) -> None:
    """The Gemini API's `models/MODEL:generateContent`, `:streamGenerateContent?alt=sse`,
    `:batchGenerateContent` and `batches/ID`."""
    batches: dict[str, dict[str, Any]] = {}

    def denied(req: Request) -> Answer | None:
        if req.headers.get("x-goog-api-key") != key:
            model.bad_auth += 1
            return (
                400,
                {
                    "error": {
                        "code": 400,
                        "message": "API key not valid. Please pass a valid API key.",
                        "status": "INVALID_ARGUMENT",
                    }
                },
                {},
            )
        return None

    def answer(name: str, body: dict[str, Any]) -> dict[str, Any]:
        assert body["contents"] and all(c["role"] in ("user", "model") for c in body["contents"]), (
            body
        )
        text = model.say(body)
        usage = {
            "promptTokenCount": model.tokens[0],
            "candidatesTokenCount": model.tokens[1],
            "totalTokenCount": sum(model.tokens),
        }
        if model.refuse:
            return {
                "promptFeedback": {"blockReason": "SAFETY", "blockReasonMessage": model.refuse},
                "usageMetadata": usage,
                "modelVersion": name,
            }
        return {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"text": text}]},
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": usage,
            "modelVersion": name,
            "responseId": f"resp-{next(_ids)}",
        }

    @server.route("POST", r"/v1(?:beta)?/models/([\w.-]+):(\w+)")
    def generate(req: Request, name: str, method: str) -> Answer:
        if r := denied(req):
            return r
        body = req.json()
        if r := model.throttled(
            {
                "error": {
                    "code": 429,
                    "message": "Resource has been exhausted (e.g. check quota).",
                    "status": "RESOURCE_EXHAUSTED",
                }
            }
        ):
            return r
        if method == "generateContent":
            return 200, answer(name, body), {}
        if method == "streamGenerateContent":
            assert "alt=sse" in req.path, req.path
            done = answer(name, body)
            if model.refuse:
                return sse([(None, done)])
            text = done["candidates"][0]["content"]["parts"][0]["text"]
            chunks = [
                {
                    **done,
                    "candidates": [
                        {"content": {"role": "model", "parts": [{"text": p}]}, "index": 0}
                    ],
                }
                for p in pieces(text)
            ]
            chunks[-1] = {
                **chunks[-1],
                "candidates": [{**chunks[-1]["candidates"][0], "finishReason": "STOP"}],
            }
            return sse([(None, c) for c in chunks])
        assert method == "batchGenerateContent", method
        requests = body["batch"]["inputConfig"]["requests"]["requests"]
        bid = f"batches/b{next(_ids)}"
        batches[bid] = {
            "polls": model.polls,
            "name": name,
            "out": [{"response": answer(name, r["request"])} for r in requests],
        }
        return 200, operation(bid, False), {}

    def operation(bid: str, done: bool) -> dict[str, Any]:
        job = batches[bid]
        meta: dict[str, Any] = {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
            "model": f"models/{job['name']}",
            "displayName": "storyreel",
            "state": "BATCH_STATE_SUCCEEDED" if done else "BATCH_STATE_RUNNING",
            "createTime": "2026-12-01T00:00:00Z",
        }
        if done:
            meta["output"] = {"inlinedResponses": {"inlinedResponses": job["out"]}}
        return {"name": bid, "metadata": meta, "done": done}

    @server.route("GET", r"/v1(?:beta)?/(batches/\w+)")
    def get(req: Request, bid: str) -> Answer:
        if r := denied(req):
            return r
        if bid not in batches:
            return (
                404,
                {"error": {"code": 404, "message": "Batch not found", "status": "NOT_FOUND"}},
                {},
            )
        batches[bid]["polls"] -= 1
        return 200, operation(bid, batches[bid]["polls"] < 0), {}
