"""Google's Gemini (`gemini:MODEL`) through the official `google-genai` SDK, the Gemini API.

`generate_content_stream` streams the answer to `on_text`; a schema is sent as the config's
`response_json_schema` with a JSON MIME type. With `?batch=1` a request goes through Gemini's
batch mode (`batches.create` with the request inline; half the price, answered within the day):
the batch's name is in the ledger before the wait, so a crash resumes it. A blocked prompt or
an answer stopped for safety is the model's refusal, with the reason the API gives.
`GEMINI_API_KEY` (or `GOOGLE_API_KEY`) is the key; `?base_url=` points the SDK elsewhere.
"""

from __future__ import annotations

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

REFUSED = ("SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION", "IMAGE_SAFETY")
RUNNING = ("JOB_STATE_PENDING", "JOB_STATE_QUEUED", "JOB_STATE_RUNNING", "JOB_STATE_UNSPECIFIED")


class GeminiWriter(HostedWriter):
    vendor: ClassVar[str] = "gemini"
    name: ClassVar[str] = "gemini"
    default_model: ClassVar[str] = "gemini-2.5-flash"
    env: ClassVar[tuple[tuple[str, ...], ...]] = (("GEMINI_API_KEY", "GOOGLE_API_KEY"),)
    packages: ClassVar[tuple[str, ...]] = ("google.genai",)
    options: ClassVar[dict[str, Option]] = {
        "base_url": BASE_URL,
        "batch": flag("send through Gemini's batch mode: cheaper, slower, resumable"),
    }

    def _client(self) -> tuple[Any, Any]:
        genai = require_module("google.genai", self.vendor)
        types = require_module("google.genai.types", self.vendor)
        key = require_key(self.vendor, "GEMINI_API_KEY", "GOOGLE_API_KEY")
        base = self.settings.get("base_url")
        options = types.HttpOptions(base_url=base) if base else None
        return genai.Client(api_key=key, http_options=options), types

    def _config(self, types: Any, request: Completion) -> Any:
        system, _ = system_and_turns(request.messages)
        config: dict[str, Any] = {"max_output_tokens": request.max_tokens}
        if system:
            config["system_instruction"] = system
        if request.seed is not None:
            config["seed"] = request.seed
        if request.temperature is not None:
            config["temperature"] = request.temperature
        if request.schema is not None:
            config["response_mime_type"] = "application/json"
            config["response_json_schema"] = request.schema
        return types.GenerateContentConfig(**config)

    def answer(self, request: Completion, key: str) -> Reply | Pending:
        client, types = self._client()
        _, turns = system_and_turns(request.messages)
        contents = [_content(types, m) for m in turns]
        config = self._config(types, request)
        if self.settings.get("batch"):
            job = client.batches.create(
                model=self.model,
                src=[types.InlinedRequest(contents=contents, config=config)],
                config=types.CreateBatchJobConfig(display_name=f"storyreel-{key[:12]}"),
            )
            return Pending(job.name)
        text: list[str] = []
        last = None
        for chunk in client.models.generate_content_stream(
            model=self.model, contents=contents, config=config
        ):
            self._check(chunk)
            piece = _text(chunk)
            if piece:
                text.append(piece)
                if request.on_text is not None:
                    request.on_text(piece)
            last = chunk
        if last is None:
            raise JobFailed(f"{self.vendor}: the stream ended without an answer")
        return self._reply("".join(text), last)

    def fetch(self, remote_id: str) -> Reply | None:
        client, _ = self._client()
        job = client.batches.get(name=remote_id)
        state = str(getattr(job.state, "value", job.state))
        if state in RUNNING:
            return None
        if state != "JOB_STATE_SUCCEEDED":
            said = getattr(job.error, "message", None) or state
            raise JobFailed(f"{self.vendor} batch {redact(remote_id)}: {redact(str(said))}")
        [inline] = job.dest.inlined_responses
        if inline.error is not None:
            raise JobFailed(f"{self.vendor} batch {redact(remote_id)}: {inline.error}")
        self._check(inline.response)
        return self._reply(_text(inline.response), inline.response, batch=remote_id)

    def _check(self, response: Any) -> None:
        feedback = response.prompt_feedback
        if feedback is not None and feedback.block_reason is not None:
            said = feedback.block_reason_message or str(feedback.block_reason.value)
            raise self.refused(f"the prompt was blocked ({said})")
        for candidate in response.candidates or []:
            reason = getattr(candidate.finish_reason, "value", None)
            if reason in REFUSED:
                said = candidate.finish_message or reason
                raise self.refused(f"the answer was stopped ({said})")

    def _reply(self, text: str, response: Any, **meta: Any) -> Reply:
        usage = response.usage_metadata
        [candidate, *_] = response.candidates or [None]
        finish = getattr(getattr(candidate, "finish_reason", None), "value", None)
        return self.reply(
            text,
            usage.prompt_token_count if usage else 0,
            usage.candidates_token_count if usage else 0,
            response.model_version,
            id=response.response_id,
            finish=finish,
            **meta,
        )


def _text(response: Any) -> str:
    """The answer's text parts (not its thoughts), without the SDK's warnings for other parts."""
    out = []
    for candidate in (response.candidates or [])[:1]:
        for part in (candidate.content.parts if candidate.content else None) or []:
            if part.text and not part.thought:
                out.append(part.text)
    return "".join(out)


def _content(types: Any, m: Message) -> Any:
    parts = [types.Part.from_bytes(data=png, mime_type="image/png") for png in m.images]
    parts.append(types.Part.from_text(text=m.text))
    return types.Content(role="model" if m.role == "assistant" else "user", parts=parts)
