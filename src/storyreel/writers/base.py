"""The writer stage: a language-model backend answers a conversation with text.

Every command of the writers' room (`write`, `revise`, `doctor`, the critic) talks to a model
through `WriterBackend.complete`, so a backend is one small class per API and the room's logic
never sees a vendor. A message may carry images (PNG bytes) for a backend whose `vision` is
true (the critic sends it the takes); `schema`, a JSON Schema, asks for structured output where
the API has it (the answer's text is then that JSON).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from storyreel.backends import Backend


@dataclass(frozen=True)
class Message:
    role: Literal["system", "user", "assistant"]
    text: str
    images: tuple[bytes, ...] = ()  # PNG bytes, for a `vision` backend


@dataclass(frozen=True)
class Reply:
    """A model's answer, with what provenance records of it."""

    text: str
    model: str  # the model that answered, as the API names it
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float | None = None  # in the price table's currency, when known
    meta: dict[str, Any] = field(default_factory=dict)  # the vendor's ids, finish reason...


@dataclass(frozen=True)
class Completion:
    """One request to a writer: the conversation and how to answer it."""

    messages: Sequence[Message]
    schema: dict[str, Any] | None = None  # JSON Schema for structured output
    seed: int | None = None
    max_tokens: int = 4096
    temperature: float | None = None
    on_text: Callable[[str], None] | None = None  # streamed pieces of the answer, as they come


class WriterBackend(Backend):
    """A writer backend: declares its fields (`storyreel.backends.Backend`) and completes."""

    stage: ClassVar[str] = "writer"
    vision: ClassVar[bool] = False  # whether messages may carry images

    @abstractmethod
    def complete(self, request: Completion) -> Reply:
        """The model's answer to `request`.

        Raises:
            StoryreelError: the model refused, the key is missing, or the service failed after
                its retries; the message says which, in the vendor's words (redacted).
        """
