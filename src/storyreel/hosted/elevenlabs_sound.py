"""ElevenLabs music (`music.elevenlabs`, POST /v1/music) and sound effects
(`effects.elevenlabs`, POST /v1/sound-generation), over their documented HTTP API.

Both answer in one request with the audio in the body (MP3 by default), authenticated by the
`xi-api-key` header (`ELEVENLABS_API_KEY`); there is no task to resume, so the job ledger keeps
each finished download under its job key (the request and the take's seed, so each take of a
cue is a job of its own) and the same cue is never paid for twice. Requests go
through httpx rather than the `elevenlabs` SDK: two JSON posts that return bytes, and the
ledger's retry and refusal handling (`storyreel.hosted.common.call`) wants the raw status.
`ELEVENLABS_BASE_URL` (or `base_url`) points it elsewhere.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from storyreel.hosted.common import HostedBackend, Poll, require_key
from storyreel.sound.cues import Cue, CueRequest, EffectRequest, EffectsBackend, MusicBackend
from storyreel.store.keys import digest

BASE_URL = "https://api.elevenlabs.io"
KEY_VAR = "ELEVENLABS_API_KEY"
OUTPUT_FORMAT = "mp3_44100_128"
MUSIC_MS = (10_000, 300_000)  # the lengths /v1/music composes
EFFECT_S = (0.5, 30.0)  # the lengths /v1/sound-generation makes


class _ElevenLabs(HostedBackend):
    vendor: ClassVar[str] = "elevenlabs"
    env: ClassVar[tuple[tuple[str, ...], ...]] = ((KEY_VAR,),)
    packages: ClassVar[tuple[str, ...]] = ("httpx",)

    def _post(self, path: str, body: dict[str, Any]) -> Poll:
        import httpx

        base = (self.base_url or os.environ.get("ELEVENLABS_BASE_URL") or BASE_URL).rstrip("/")
        r = httpx.post(
            f"{base}{path}",
            params={"output_format": OUTPUT_FORMAT},
            headers={"xi-api-key": require_key(self.vendor, KEY_VAR)},
            json=body,
            timeout=600,
        )
        r.raise_for_status()
        remote = r.headers.get("request-id") or f"sha256-{digest(r.content)[:16]}"
        return Poll("done", data=r.content, remote_id=remote)


class ElevenLabsMusic(_ElevenLabs, MusicBackend):
    name: ClassVar[str] = "elevenlabs"
    default_model: ClassVar[str] = "music_v1"

    def score(self, request: CueRequest) -> Cue:
        ms = int(min(max(request.seconds * 1000, MUSIC_MS[0]), MUSIC_MS[1]))
        body = {
            "prompt": request.prompt,
            "music_length_ms": ms,
            "model_id": self.model,
            "force_instrumental": True,
        }
        path, remote_id = self._run(
            "music",
            request.project_root,
            ".mp3",
            {**body, "seed": request.seed},  # a take of its own: another job
            lambda: self._post("/v1/music", body),
            None,
        )
        return Cue(path, {"vendor": self.vendor, "remote_id": remote_id, **body})


class ElevenLabsEffects(_ElevenLabs, EffectsBackend):
    name: ClassVar[str] = "elevenlabs"
    default_model: ClassVar[str] = "eleven_text_to_sound_v2"
    lengths: ClassVar[tuple[float, float] | None] = EFFECT_S

    def sound(self, request: EffectRequest) -> Cue:
        body = {
            "text": request.prompt,
            "duration_seconds": min(max(request.seconds, EFFECT_S[0]), EFFECT_S[1]),
            "prompt_influence": 0.3,
            "loop": request.ambience,
            "model_id": self.model,
        }
        path, remote_id = self._run(
            "effect",
            request.project_root,
            ".mp3",
            {**body, "seed": request.seed},  # a take of its own: another job
            lambda: self._post("/v1/sound-generation", body),
            None,
        )
        return Cue(path, {"vendor": self.vendor, "remote_id": remote_id, **body})
