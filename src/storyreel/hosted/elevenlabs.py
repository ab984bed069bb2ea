"""ElevenLabs text to speech (`elevenlabs:VOICE_ID`, model eleven_multilingual_v2) through the
official `elevenlabs` SDK.

`text_to_speech.convert` streams the audio of one request back, so the ledger keeps the finished
download and the same take of a line is paid once. The delivery goes into `voice_settings`: its
speed (ElevenLabs takes 0.7 to 1.2), a lower stability and more style for a shouted line, and
the take's seed, so a take said again comes back the same where the model allows.
`ELEVENLABS_BASE_URL` (or `base_url`) points it elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from storyreel.hosted.common import Poll, require_key, require_module
from storyreel.hosted.speech import HostedVoice
from storyreel.sound.voices.base import LineRequest, Speech

BASE_URL = "https://api.elevenlabs.io"
# ElevenLabs' premade voices (their ids are the same on every account)
FEMALE = ("21m00Tcm4TlvDq8ikWAM", "EXAVITQu4vr4xnSDxMaL", "XrExE9yKIg1WjnnlVkGX")
MALE = ("JBFqnCBsd6RMkjVDRZzb", "TX3LPaxmHKxFdv7VOQHJ", "pNInz6obpgDQGcFmaJgB")


class ElevenLabsVoice(HostedVoice):
    vendor: ClassVar[str] = "elevenlabs"
    name: ClassVar[str] = "elevenlabs"
    default_model: ClassVar[str] = "eleven_multilingual_v2"
    example_voice: ClassVar[str] = MALE[0]
    key_vars: ClassVar[tuple[str, ...]] = ("ELEVENLABS_API_KEY",)
    packages: ClassVar[tuple[str, ...]] = ("elevenlabs",)
    female: ClassVar[tuple[str, ...]] = FEMALE
    male: ClassVar[tuple[str, ...]] = MALE

    def known_voices(self, root: Path | None) -> list[str] | None:
        return None  # an account's own and cloned voices count: any id is tried

    def speak(self, request: LineRequest) -> Speech:
        sdk = require_module("elevenlabs", self.vendor)
        client = sdk.ElevenLabs(
            api_key=require_key(self.vendor, *self.key_vars),
            base_url=self.base_url or os.environ.get("ELEVENLABS_BASE_URL") or BASE_URL,
            timeout=300,
        )
        how = request.delivery
        settings = {
            "stability": 0.3 if how.loud else 0.5,
            "similarity_boost": 0.75,
            "style": 0.6 if how.loud or how.whisper else 0.0,
            "speed": round(min(1.2, max(0.7, how.speed)), 3),
        }
        said = {"text": request.text, "model_id": self.model, "seed": request.seed % 2**32}

        def submit() -> Poll:
            audio = client.text_to_speech.convert(
                request.voice,
                output_format="mp3_44100_128",
                voice_settings=sdk.VoiceSettings(**settings),
                request_options={"max_retries": 0},
                **said,
            )
            return Poll("done", data=b"".join(audio), remote_id=f"tts-{request.seed}")

        inputs = {"text": request.text, "seed": said["seed"], "voice": request.voice}
        inputs.update(settings=settings, take=request.take)  # the job key has the model
        return self._spoken(request, ".mp3", inputs, submit, voice_settings=settings)
