"""OpenAI speech and ElevenLabs against local servers that follow each vendor's documented
protocol: the key in the vendor's header, the request's fields, audio back, a 429 then success,
a refusal that fails its line alone (a silent gap in the mix), and no line paid for twice."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

import av
import numpy as np
import pytest

from storyreel.errors import StoryreelError
from storyreel.hosted.common import Timing
from storyreel.hosted.elevenlabs import ElevenLabsVoice
from storyreel.hosted.openai_speech import OpenAIVoice
from storyreel.run.build import build
from storyreel.sound.voices.base import LineRequest
from storyreel.store.db import Database
from storyreel.store.project import Project
from tests.sound.conftest import ELEVEN_KEY, OPENAI_KEY, SCRIPT, make_project

FAST = Timing(poll_interval=0.01, poll_max=0.01, retries=3, backoff=0.01, backoff_max=0.01)


def tone(rate: int, seconds: float, fmt: str) -> bytes:
    """A tone as a WAV or MP3 file, what the vendors send back."""
    buf = io.BytesIO()
    with av.open(buf, "w", format=fmt) as out:
        stream = out.add_stream("pcm_s16le" if fmt == "wav" else "libmp3lame", rate=rate)
        stream.layout = "mono"
        t = np.arange(round(rate * seconds)) / rate
        samples = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype(np.int16)[None, :]
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


@dataclass
class Vendor:
    throttle: int = 0  # 429s before a request is served
    refuse: str = "REFUSE"  # a line with this word is refused
    spoken: list[dict[str, Any]] = field(default_factory=list)  # each request served
    bad_auth: int = 0


def openai_speech(server: Any, vendor: Vendor) -> None:
    @server.route("POST", r"/v1/audio/speech")
    def speech(req):
        if req.headers.get("authorization") != f"Bearer {OPENAI_KEY}":
            vendor.bad_auth += 1
            return (
                401,
                {"error": {"message": "Incorrect API key provided", "code": "invalid_api_key"}},
                {},
            )
        if vendor.throttle:
            vendor.throttle -= 1
            return (
                429,
                {"error": {"message": "Rate limit reached", "code": "rate_limit_exceeded"}},
                {"retry-after": "0"},
            )
        body = req.json()
        if vendor.refuse in body["input"]:
            return (
                400,
                {
                    "error": {
                        "message": "Your request was rejected by the safety system.",
                        "code": "moderation_blocked",
                    }
                },
                {},
            )
        vendor.spoken.append(body)
        return 200, tone(24_000, 0.8, "wav"), {"content-type": "audio/wav"}


def elevenlabs_speech(server: Any, vendor: Vendor) -> None:
    @server.route("POST", r"/v1/text-to-speech/([A-Za-z0-9]+)")
    def speech(req, voice_id):
        if req.headers.get("xi-api-key") != ELEVEN_KEY:
            vendor.bad_auth += 1
            return 401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}}, {}
        if vendor.throttle:
            vendor.throttle -= 1
            return (
                429,
                {
                    "detail": {
                        "status": "too_many_concurrent_requests",
                        "message": "Too many concurrent requests",
                    }
                },
                {},
            )
        body = req.json()
        if vendor.refuse in body["text"]:
            return (
                400,
                {
                    "detail": {
                        "status": "content_against_policy",
                        "message": "The text violates our terms.",
                    }
                },
                {},
            )
        vendor.spoken.append({**body, "voice_id": voice_id, "query": req.path.partition("?")[2]})
        return 200, tone(44_100, 0.8, "mp3"), {"content-type": "audio/mpeg"}


def request(text: str, parenthetical: str | None = None, tmp=None) -> LineRequest:
    return LineRequest(text, "MAYA", "coral", parenthetical, seed=7, project_root=tmp)


def test_openai_speaks_with_instructions_after_a_429_and_never_twice(
    server,
    keys,
    ledger,
    tmp_path,
):
    vendor = Vendor(throttle=1)
    openai_speech(server, vendor)
    voice = OpenAIVoice("coral", ledger=ledger, timing=FAST, downloads=tmp_path / "dl")
    speech = voice.speak(request("Still here.", "whispering", tmp_path))
    assert speech.rate == 24_000 and speech.seconds == pytest.approx(0.8, abs=0.01)
    [sent] = vendor.spoken
    assert sent["model"] == "gpt-4o-mini-tts" and sent["voice"] == "coral"
    assert sent["input"] == "Still here." and sent["response_format"] == "wav"
    assert sent["instructions"] == "Deliver the line whispering."
    again = OpenAIVoice("coral", ledger=ledger, timing=FAST, downloads=tmp_path / "dl")
    assert again.speak(request("Still here.", "whispering", tmp_path)).seconds == speech.seconds
    assert len(vendor.spoken) == 1  # the ledger's download: not paid for twice
    assert OPENAI_KEY not in json.dumps(speech.meta)


def test_openai_tts_1_gets_the_speed_instead_of_instructions(server, keys, ledger, tmp_path):
    vendor = Vendor()
    openai_speech(server, vendor)
    voice = OpenAIVoice("onyx?model=tts-1", ledger=ledger, timing=FAST, downloads=tmp_path)
    voice.speak(request("Run.", "hurried", tmp_path))
    [sent] = vendor.spoken
    assert sent["model"] == "tts-1" and sent["speed"] == 1.15 and "instructions" not in sent


def test_elevenlabs_speaks_with_its_key_header_and_settings_after_a_429(
    server,
    keys,
    ledger,
    tmp_path,
):
    vendor = Vendor(throttle=1)
    elevenlabs_speech(server, vendor)
    voice = ElevenLabsVoice(
        "JBFqnCBsd6RMkjVDRZzb", ledger=ledger, timing=FAST, downloads=tmp_path / "dl"
    )
    speech = voice.speak(
        LineRequest("Who is there?", "ELIAS", "JBFqnCBsd6RMkjVDRZzb", "shouting", seed=3)
    )
    assert speech.rate == 44_100 and speech.seconds == pytest.approx(0.8, abs=0.08)
    [sent] = vendor.spoken
    assert (
        sent["voice_id"] == "JBFqnCBsd6RMkjVDRZzb"
        and "output_format=mp3_44100_128" in sent["query"]
    )
    assert sent["text"] == "Who is there?" and sent["model_id"] == "eleven_multilingual_v2"
    assert sent["seed"] == 3 and sent["voice_settings"]["speed"] == 1.1
    assert sent["voice_settings"]["stability"] == 0.3  # shouted: less stable, more style
    ElevenLabsVoice(
        "JBFqnCBsd6RMkjVDRZzb", ledger=ledger, timing=FAST, downloads=tmp_path / "dl"
    ).speak(LineRequest("Who is there?", "ELIAS", "JBFqnCBsd6RMkjVDRZzb", "shouting", seed=3))
    assert len(vendor.spoken) == 1


def test_a_refusal_and_a_bad_key_are_the_vendors_own_words(server, keys, ledger, monkeypatch):
    vendor = Vendor()
    elevenlabs_speech(server, vendor)
    voice = ElevenLabsVoice("JBFqnCBsd6RMkjVDRZzb", ledger=ledger, timing=FAST)
    with pytest.raises(
        StoryreelError,
        match=r"elevenlabs refused the request \(HTTP 400\): The text violates our terms",
    ):
        voice.speak(LineRequest("REFUSE this", "ELIAS", "JBFqnCBsd6RMkjVDRZzb"))
    monkeypatch.setenv("ELEVENLABS_API_KEY", "xi-wrong-key-0003")
    with pytest.raises(StoryreelError, match=r"HTTP 401.*Invalid API key"):
        voice.speak(LineRequest("Hello.", "ELIAS", "JBFqnCBsd6RMkjVDRZzb"))
    assert vendor.bad_auth == 1


def test_a_refused_line_fails_alone_with_a_silent_gap_and_the_film_renders(tmp_path, server, keys):
    vendor = Vendor(throttle=1)
    openai_speech(server, vendor)
    script = SCRIPT.replace("Who is there?", "Who is there? REFUSE")
    root = make_project(tmp_path / "film", voice="openai", script=script)
    report = build(Project.open(root))
    assert not report.failed and (root / "out" / "cut.mp4").is_file()
    [refused] = [w for w in report.warnings if "REFUSE" in w or "safety system" in w]
    assert (
        "line 1 (ELIAS), take 1: openai refused the request (HTTP 400): Your request was rejected by the safety system."
        in refused
    )
    assert refused.endswith("the line is a silent gap in the mix")
    assert len(report.computed["voice"]) == 2 and len(vendor.spoken) == 2
    assert {s["voice"] for s in vendor.spoken} <= {
        "coral",
        "ash",
        "echo",
        "onyx",
        "fable",
        "verse",
        "cedar",
        "nova",
        "shimmer",
        "sage",
        "alloy",
        "ballad",
        "marin",
    }
    with av.open(str(root / "out" / "cut.mp4")) as c:  # the film has its sound, gap and all
        assert c.streams.audio[0].duration > 0
    with Database(Project.open(root).db_path) as db:
        assert len(db.takes(kind="voice")) == 2  # the refused line has no take

    again = build(Project.open(root))
    assert len(vendor.spoken) == 2  # the spoken lines are not paid for again
    assert again.reused["voice"] == 2 and any("safety system" in w for w in again.warnings)
