"""The edit room's test helpers: a small shot list written in code (two scenes, dialogue, a
dissolve, a super, cards), configs, and WAV files. Named uniquely so test modules can import it."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from storyreel.config import ProjectConfig
from storyreel.model import (
    Card,
    DialogueLine,
    Scene,
    Shot,
    ShotList,
    ShotSize,
    SourceSpan,
    Transition,
    TransitionKind,
)


def _span(n: int) -> SourceSpan:
    return SourceSpan(path="script.fountain", start=n, end=n)


def make_shotlist() -> ShotList:
    scenes = [
        Scene(
            id="sc1",
            number="1",
            heading="EXT. STREET - NIGHT",
            int_ext="EXT",
            location="STREET",
            time_of_day="NIGHT",
            section="ONE",
            lines=_span(5),
        ),
        Scene(
            id="sc2",
            number="2",
            heading="INT. BAR - NIGHT",
            int_ext="INT",
            location="BAR",
            time_of_day="NIGHT",
            lines=_span(20),
        ),
    ]
    shots = [
        Shot(
            id="1A",
            scene_id="sc1",
            size=ShotSize.EWS,
            lines=_span(6),
            duration=2.0,
            super="Genoa, now",
        ),
        Shot(
            id="1B",
            scene_id="sc1",
            size=ShotSize.CU,
            lines=_span(9),
            duration=1.5,
            subjects=["MAYA"],
            dialogue=[DialogueLine(character="MAYA", text="That's not possible.", lines=_span(10))],
        ),
        Shot(
            id="2A",
            scene_id="sc2",
            size=ShotSize.WS,
            lines=_span(21),
            duration=2.0,
            transition_in=Transition(kind=TransitionKind.DISSOLVE, frames=12),
        ),
        Shot(
            id="2B",
            scene_id="sc2",
            size=ShotSize.TWO,
            lines=_span(24),
            duration=2.5,
            subjects=["MAYA", "ELIAS"],
            dialogue=[
                DialogueLine(character="ELIAS", text="You came.", lines=_span(25)),
                DialogueLine(character="MAYA", text="Where did you find it?", lines=_span(27)),
            ],
        ),
    ]
    return ShotList(
        source="script.fountain",
        title="NEGATIVE SPACE",
        title_page={
            "Title": "**NEGATIVE SPACE**",
            "Credit": "written by",
            "Author": "The storyreel team",
        },
        scenes=scenes,
        shots=shots,
        cards=[Card(text="THE END", after_shot="2B", duration=1.0, lines=_span(30))],
    )


def make_config(fps: str = "24", size: tuple[int, int] = (256, 144)) -> ProjectConfig:
    return ProjectConfig.model_validate(
        {"film": {"fps": fps, "width": size[0], "height": size[1]}, "look": {"aspect": "2.39:1"}}
    )


def write_wav(
    path: Path,
    seconds: float,
    freq: float = 50.0,
    rate: int = 48_000,
    clicks_every: float | None = None,
) -> Path:
    """A mono 16-bit WAV: a sine at `freq`, or short clicks every `clicks_every` seconds."""
    t = np.arange(round(seconds * rate)) / rate
    if clicks_every is None:
        y = 0.5 * np.sin(2 * np.pi * freq * t)
    else:
        y = np.random.default_rng(0).normal(0, 0.001, len(t))
        n = round(0.03 * rate)
        for k in np.arange(clicks_every / 2, seconds - 0.05, clicks_every):
            i = round(k * rate)
            y[i : i + n] += 0.9 * np.hanning(n) * np.sin(2 * np.pi * 150 * t[:n])
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(y, -1, 1) * 32767).astype("<i2").tobytes())
    return path
