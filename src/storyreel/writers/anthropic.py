"""Anthropic's Claude (`anthropic:MODEL`) through the official `anthropic` SDK.

Messages, streamed to `on_text`. A schema becomes one tool the model must call (`tool_choice`),
the Messages API's documented way to a JSON answer; its input is the answer's text. With
`?batch=1` a request goes through the Message Batches API (half the price, answered within the
day): the batch id is in the ledger before the wait, so a crash resumes it instead of paying
twice. A `refusal` stop reason is the model's refusal. `ANTHROPIC_API_KEY` is the key;
`?base_url=` points it at a proxy.
"""

from __future__ import annotations

import base64
import json
from typing import Any, ClassVar

from storyreel.backends import Option
from storyreel.hosted.common import redact, require_key, require_module
from storyreel.writers.base import Completion, Message, Reply
from storyreel.writers.hosted import (
    BASE_URL,
    HostedWriter,
    JobFailed,
    Pending,
    flag,
    system_and_turns,
)

TOOL = "answer"


class AnthropicWriter(HostedWriter):
    vendor: ClassVar[str] = "anthropic"
    name: ClassVar[str] = "anthropic"
    default_model: ClassVar[str] = "claude-sonnet-4-5"
    env: ClassVar[tuple[tuple[str, ...], ...]] = (("ANTHROPIC_API_KEY",),)
    packages: ClassVar[tuple[str, ...]] = ("anthropic",)
    options: ClassVar[dict[str, Option]] = {
        "base_url": BASE_URL,
        "batch": flag("send through the Message Batches API: cheaper, slower, resumable"),
    }

    def _client(self) -> Any:
        sdk = require_module("anthropic", self.vendor)
        return sdk.Anthropic(
            api_key=require_key(self.vendor, "ANTHROPIC_API_KEY"),
            base_url=self.settings.get("base_url"),
            max_retries=0,
            timeout=600,
        )

    def _params(self, request: Completion) -> dict[str, Any]:
        system, turns = system_and_turns(request.messages)
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": request.max_tokens,
            "messages": [_message(m) for m in turns],
        }
        if system:
            params["system"] = system
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if request.schema is not None:
            params["tools"] = [
                {"name": TOOL, "description": "Give the answer.", "input_schema": request.schema}
            ]
            params["tool_choice"] = {"type": "tool", "name": TOOL}
        return params

    def answer(self, request: Completion, key: str) -> Reply | Pending:
        client, params = self._client(), self._params(request)
        if self.settings.get("batch"):
            batch = client.messages.batches.create(
                requests=[{"custom_id": key[:64], "params": params}]
            )
            return Pending(batch.id)
        if request.schema is not None or request.on_text is None:  # a tool's input: not streamed
            reply = self._reply(client.messages.create(**params))
            if request.on_text is not None:
                request.on_text(reply.text)
            return reply
        with client.messages.stream(**params) as stream:
            for text in stream.text_stream:
                request.on_text(text)
            return self._reply(stream.get_final_message())

    def fetch(self, remote_id: str) -> Reply | None:
        client = self._client()
        batch = client.messages.batches.retrieve(remote_id)
        if batch.processing_status != "ended":
            return None
        for row in client.messages.batches.results(remote_id):
            result = row.result
            if result.type == "succeeded":
                return self._reply(result.message, batch=remote_id)
            said = getattr(getattr(result, "error", None), "error", None)
            said = getattr(said, "message", None) or result.type
            raise JobFailed(f"{self.vendor} batch {redact(remote_id)}: {redact(str(said))}")
        raise JobFailed(f"{self.vendor} batch {redact(remote_id)} ended without a result")

    def _reply(self, message: Any, **meta: Any) -> Reply:
        if message.stop_reason == "refusal":
            said = "".join(b.text for b in message.content if b.type == "text")
            raise self.refused(said or "the model declined to answer")
        tool = next((b for b in message.content if b.type == "tool_use"), None)
        text = (
            json.dumps(tool.input)
            if tool is not None
            else "".join(b.text for b in message.content if b.type == "text")
        )
        return self.reply(
            text,
            message.usage.input_tokens,
            message.usage.output_tokens,
            message.model,
            id=message.id,
            finish=message.stop_reason,
            **meta,
        )


def _message(m: Message) -> dict[str, Any]:
    if not m.images:
        return {"role": m.role, "content": m.text}
    parts: list[dict[str, Any]] = [
        {
            "type": "image",
            "source": {
                "type": "base64",
                "media_type": "image/png",
                "data": base64.b64encode(png).decode("ascii"),
            },
        }
        for png in m.images
    ]
    return {"role": m.role, "content": [*parts, {"type": "text", "text": m.text}]}
