"""OpenAI speech (`openai:VOICE`, model gpt-4o-mini-tts) through the official `openai` SDK.

`audio.speech.create` answers in one call with the audio, so the ledger keeps the download and
the same take of a line is paid once. On gpt-4o-mini-tts the parenthetical becomes
`instructions` ("Deliver the line whispering"), which that model acts; tts-1 and tts-1-hd take
no instructions, so they get the delivery's speed instead. `OPENAI_BASE_URL` (or `base_url`)
points it elsewhere.
"""

from __future__ import annotations

from typing import ClassVar

from storyreel.hosted.common import Poll, require_key, require_module
from storyreel.hosted.speech import HostedVoice
from storyreel.sound.voices.base import LineRequest, Speech

FEMALE = ("coral", "nova", "shimmer", "sage", "alloy", "ballad", "marin")
MALE = ("ash", "echo", "onyx", "fable", "verse", "cedar")


def instructions(request: LineRequest) -> str | None:
    """How the line is acted, in words, from its parenthetical and V.O./O.S."""
    parts = []
    how = request.delivery
    if how.style:
        parts.append(f"Deliver the line {how.style}.")
    if request.extension == "V.O.":
        parts.append("It is a voice-over: close, intimate narration.")
    elif request.extension == "O.S.":
        parts.append("The speaker is off screen, calling from a distance.")
    return " ".join(parts) or None


class OpenAIVoice(HostedVoice):
    vendor: ClassVar[str] = "openai"
    name: ClassVar[str] = "openai"
    default_model: ClassVar[str] = "gpt-4o-mini-tts"
    example_voice: ClassVar[str] = "coral"
    key_vars: ClassVar[tuple[str, ...]] = ("OPENAI_API_KEY",)
    packages: ClassVar[tuple[str, ...]] = ("openai",)
    female: ClassVar[tuple[str, ...]] = FEMALE
    male: ClassVar[tuple[str, ...]] = MALE

    def speak(self, request: LineRequest) -> Speech:
        sdk = require_module("openai", self.vendor)
        client = sdk.OpenAI(
            api_key=require_key(self.vendor, *self.key_vars),
            base_url=self.base_url,
            max_retries=0,
            timeout=300,
        )
        acted = not self.model.startswith("tts-1")
        said = {
            "model": self.model,
            "voice": request.voice,
            "input": request.text,
            "response_format": "wav",
        }
        if acted:
            if (words := instructions(request)) is not None:
                said["instructions"] = words
        elif request.delivery.speed != 1.0:
            said["speed"] = request.delivery.speed

        def submit() -> Poll:
            reply = client.audio.speech.create(**said)
            return Poll("done", data=reply.content, remote_id=f"speech-{request.seed}")

        inputs = {k: v for k, v in said.items() if k != "model"}  # the job key has the model
        inputs.update(seed=request.seed, take=request.take)
        params = {k: said[k] for k in ("instructions", "speed") if k in said}
        return self._spoken(request, ".wav", inputs, submit, **params)
