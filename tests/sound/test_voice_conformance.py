"""Every voice backend `storyreel backends` lists passes the conformance suite's voice checks:
espeak as installed, Kokoro and Piper on their tiny graphs, the hosted ones against the local
server playing their vendor's protocol."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from storyreel import conformance
from storyreel.conformance import ConformanceError
from storyreel.hosted.elevenlabs import ElevenLabsVoice
from storyreel.hosted.openai_speech import OpenAIVoice
from storyreel.sound.voices.base import LineRequest, Speech, VoiceBackend
from storyreel.sound.voices.espeak import EspeakVoice
from storyreel.sound.voices.kokoro import KokoroVoice
from storyreel.sound.voices.piper import PiperVoiceBackend
from tests.sound.conftest import ELEVEN_KEY, OPENAI_KEY, kokoro_model, piper_voice
from tests.sound.test_hosted_voices import FAST, Vendor, elevenlabs_speech, openai_speech

VOICES = ("voice.espeak", "voice.kokoro", "voice.piper", "voice.openai", "voice.elevenlabs")


def line(voice: str, root: Path) -> LineRequest:
    return LineRequest(
        "Where did you find it?", "MAYA", voice, "quietly", seed=5, project_root=root
    )


def case(
    name: str, tmp_path: Path, server, ledger
) -> tuple[Callable[[], VoiceBackend], str, Callable[[], int] | None]:
    """(make, voice, submissions) for one backend."""
    if name == "voice.espeak":
        return EspeakVoice, "en-gb+f3", None
    if name == "voice.kokoro":
        kokoro_model(tmp_path / "models")
        return lambda: KokoroVoice("af_heart"), "af_heart", None
    if name == "voice.piper":
        piper_voice(tmp_path / "models")
        return lambda: PiperVoiceBackend("en_US-tiny-medium"), "en_US-tiny-medium", None
    vendor = Vendor()
    if name == "voice.openai":
        openai_speech(server, vendor)
        make = lambda: OpenAIVoice("coral", ledger=ledger, timing=FAST, downloads=tmp_path)  # noqa: E731
        return make, "coral", lambda: len(vendor.spoken)
    elevenlabs_speech(server, vendor)
    make = lambda: ElevenLabsVoice(  # noqa: E731
        "JBFqnCBsd6RMkjVDRZzb", ledger=ledger, timing=FAST, downloads=tmp_path
    )
    return make, "JBFqnCBsd6RMkjVDRZzb", lambda: len(vendor.spoken)


@pytest.mark.parametrize("name", VOICES)
def test_every_voice_backend_conforms(name, tmp_path, server, ledger, keys):
    make, voice, submissions = case(name, tmp_path, server, ledger)
    speech = conformance.check_voice_backend(
        make, line(voice, tmp_path), secrets=[OPENAI_KEY, ELEVEN_KEY], submissions=submissions
    )
    assert speech.seconds > 0.2


def test_the_suite_fails_a_voice_that_clips_and_one_that_pays_twice(tmp_path, server, ledger, keys):
    class Clipping(EspeakVoice):
        def speak(self, request: LineRequest) -> Speech:
            said = super().speak(request)
            return Speech(said.samples * 4, said.rate, said.meta)

    with pytest.raises(ConformanceError, match="within \\[-1, 1\\]"):
        conformance.check_voice_backend(Clipping, line("en-gb+f3", tmp_path))
    make, voice, _ = case("voice.openai", tmp_path, server, ledger)
    paid = iter(range(100))  # counts a submission on every look: the second run "paid again"
    with pytest.raises(ConformanceError, match="submitted again"):
        conformance.check_voice_backend(make, line(voice, tmp_path), submissions=lambda: next(paid))
