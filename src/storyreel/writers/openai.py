"""OpenAI and every OpenAI-compatible server (`openai:MODEL`) through the official `openai` SDK.

`?base_url=` points it at Ollama (`http://localhost:11434/v1`), vLLM, llama.cpp's server, LM
Studio or OpenRouter; a local address needs no key. Two APIs: `?api=responses` (the default on
OpenAI itself) runs each request in the background (`background: true`, stored), so its id is in
the ledger before the wait and a crash resumes it with `responses.retrieve`; `?background=0`
streams it instead. `?api=chat` (the default with a `base_url`, which most servers speak) is
Chat Completions, streamed. A schema is sent as the API's `json_schema` structured output.
"""

from __future__ import annotations

import os
import urllib.parse
from typing import Any, ClassVar

from storyreel.backends import Option, choice
from storyreel.hosted.common import data_uri, require_key, require_module
from storyreel.writers.base import Completion, Message, Reply
from storyreel.writers.hosted import (
    BASE_URL,
    HostedWriter,
    JobFailed,
    Pending,
    flag,
    system_and_turns,
)

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")


class OpenAIWriter(HostedWriter):
    vendor: ClassVar[str] = "openai"
    name: ClassVar[str] = "openai"
    default_model: ClassVar[str] = "gpt-4.1-mini"
    env: ClassVar[tuple[tuple[str, ...], ...]] = (("OPENAI_API_KEY",),)
    packages: ClassVar[tuple[str, ...]] = ("openai",)
    options: ClassVar[dict[str, Option]] = {
        "base_url": BASE_URL,
        "api": choice("Chat Completions or the Responses API", "chat", "responses"),
        "background": flag("Responses: answer in the background, resumable (default 1)"),
    }

    @property
    def base_url(self) -> str | None:
        return self.settings.get("base_url") or os.environ.get("OPENAI_BASE_URL") or None

    @property
    def api(self) -> str:
        return self.settings.get("api") or ("chat" if self.base_url else "responses")

    def _client(self) -> Any:
        sdk = require_module("openai", self.vendor)
        host = urllib.parse.urlsplit(self.base_url or "").hostname
        key = os.environ.get("OPENAI_API_KEY")
        if not key:
            key = "local" if host in LOCAL_HOSTS else require_key(self.vendor, "OPENAI_API_KEY")
        return sdk.OpenAI(api_key=key, base_url=self.base_url, max_retries=0, timeout=600)

    def answer(self, request: Completion, key: str) -> Reply | Pending:
        client = self._client()
        if self.api == "chat":
            return self._chat(client, request)
        return self._responses(client, request)

    def fetch(self, remote_id: str) -> Reply | None:
        response = self._client().responses.retrieve(remote_id)
        if response.status in ("queued", "in_progress"):
            return None
        return self._response_reply(response)

    # --- Chat Completions ------------------------------------------------------------------

    def _chat(self, client: Any, request: Completion) -> Reply:
        params: dict[str, Any] = {
            "model": self.model,
            "messages": [_chat_message(m) for m in request.messages],
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        # OpenAI's newer models take only max_completion_tokens; compatible servers, max_tokens
        params["max_tokens" if self.base_url else "max_completion_tokens"] = request.max_tokens
        if request.seed is not None:
            params["seed"] = request.seed
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if request.schema is not None:
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": request.schema, "strict": True},
            }
        text, refusal, finish, model, usage, rid = [], [], None, None, None, None
        for chunk in client.chat.completions.create(**params):
            model, rid = chunk.model or model, chunk.id or rid
            usage = chunk.usage or usage
            for c in chunk.choices:
                delta = c.delta
                if delta.content:
                    text.append(delta.content)
                    if request.on_text is not None:
                        request.on_text(delta.content)
                if getattr(delta, "refusal", None):
                    refusal.append(delta.refusal)
                finish = c.finish_reason or finish
        if refusal or finish == "content_filter":
            raise self.refused("".join(refusal) or "the answer was withheld by its content filter")
        return self.reply(
            "".join(text),
            usage.prompt_tokens if usage else 0,
            usage.completion_tokens if usage else 0,
            model,
            id=rid,
            finish=finish,
            api="chat",
        )

    # --- Responses ------------------------------------------------------------------------

    def _responses(self, client: Any, request: Completion) -> Reply | Pending:
        system, turns = system_and_turns(request.messages)
        params: dict[str, Any] = {
            "model": self.model,
            "input": [_response_message(m) for m in turns],
            "max_output_tokens": request.max_tokens,
        }
        if system:
            params["instructions"] = system
        if request.temperature is not None:
            params["temperature"] = request.temperature
        if request.schema is not None:
            params["text"] = {
                "format": {
                    "type": "json_schema",
                    "name": "answer",
                    "schema": request.schema,
                    "strict": True,
                }
            }
        if self.settings.get("background", True):
            response = client.responses.create(**params, background=True, store=True)
            if response.status in ("queued", "in_progress"):
                return Pending(response.id)
            return self._response_reply(response)
        final = None
        for event in client.responses.create(**params, stream=True):
            if event.type == "response.output_text.delta" and request.on_text is not None:
                request.on_text(event.delta)
            elif event.type in ("response.completed", "response.incomplete", "response.failed"):
                final = event.response
        if final is None:
            raise JobFailed(f"{self.vendor}: the stream ended without a response")
        return self._response_reply(final)

    def _response_reply(self, response: Any) -> Reply:
        if response.status in ("failed", "cancelled"):
            said = response.error.message if response.error else response.status
            raise JobFailed(f"{self.vendor} response {response.id} {response.status}: {said}")
        text, refusal = [], []
        for item in response.output or []:
            for part in getattr(item, "content", None) or []:
                if part.type == "output_text":
                    text.append(part.text)
                elif part.type == "refusal":
                    refusal.append(part.refusal)
        if refusal:
            raise self.refused("".join(refusal))
        usage = response.usage
        incomplete = response.incomplete_details
        return self.reply(
            "".join(text),
            usage.input_tokens if usage else 0,
            usage.output_tokens if usage else 0,
            response.model,
            id=response.id,
            finish=incomplete.reason if incomplete else response.status,
            api="responses",
        )


def _chat_message(m: Message) -> dict[str, Any]:
    if not m.images:
        return {"role": m.role, "content": m.text}
    parts: list[dict[str, Any]] = [{"type": "text", "text": m.text}]
    parts += [{"type": "image_url", "image_url": {"url": data_uri(png)}} for png in m.images]
    return {"role": m.role, "content": parts}


def _response_message(m: Message) -> dict[str, Any]:
    if not m.images:
        return {"role": m.role, "content": m.text}
    parts: list[dict[str, Any]] = [{"type": "input_text", "text": m.text}]
    parts += [{"type": "input_image", "image_url": data_uri(png)} for png in m.images]
    return {"role": m.role, "content": parts}
