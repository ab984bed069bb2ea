"""What the hosted voices share: the voice as the spec's argument, the model as an option, and a
line spoken as one synchronous job of the ledger (the same line's take is never paid twice)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from storyreel.backends import Argument, Option
from storyreel.hosted.common import HostedBackend, Poll, Timing, redact, require_key
from storyreel.sound.voices.base import LineRequest, Speech, VoiceBackend, decoded
from storyreel.store.db import Database


class HostedVoice(HostedBackend, VoiceBackend):
    """A vendor's speech API: `vendor:VOICE?model=MODEL`."""

    key_vars: ClassVar[tuple[str, ...]]
    example_voice: ClassVar[str]

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "example_voice" in cls.__dict__:  # the argument is the voice, not the model
            cls.argument = Argument("voice", f"a {cls.vendor} voice", cls.example_voice)
            cls.options = {
                "model": Option("a model id", f"default {cls.default_model}", cls.default_model),
                **cls.__dict__.get("options", {}),
            }
            cls.env = (cls.key_vars,)

    def __init__(
        self,
        argument: str | None = None,
        *,
        ledger: Database | None = None,
        base_url: str | None = None,
        timing: Timing | None = None,
        downloads: Path | None = None,
    ):
        VoiceBackend.__init__(self, argument)
        self.model = self.options.get("model") or self.default_model
        self.ledger, self.base_url, self.downloads = ledger, base_url, downloads
        self.timing = timing or Timing()

    def prepare(self, root: Path | None) -> None:
        require_key(self.vendor, *self.key_vars)

    def _spoken(
        self,
        request: LineRequest,
        suffix: str,
        inputs: dict[str, Any],
        submit: Callable[[], Poll],
        **params: Any,
    ) -> Speech:
        """One line's job run (or its earlier download found) and decoded."""
        file, remote_id = self._run("voice", request.project_root, suffix, inputs, submit, None)
        samples, rate = decoded(file.read_bytes(), self.vendor)
        meta = {"vendor": self.vendor, "model": self.model, "remote_id": redact(remote_id)}
        return Speech(samples, rate, {**meta, **params})
