"""Shared test material: a shot, its config, stage requests, and tiny media made in code."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

from storyreel.config import ProjectConfig
from storyreel.model import Scene, Shot, SourceSpan, Still
from storyreel.motion.base import ClipRequest
from storyreel.stills.base import StillRequest

W, H = 256, 108  # the picture size the tests ask for (2.39:1-ish)
SRC_W, SRC_H, SRC_FRAMES, SRC_FPS = 96, 54, 30, 24  # what the fake vendors send back


def source_frame(i: int) -> np.ndarray:
    """Frame i of the fake vendors' clip: a flat grey whose level counts the frames."""
    return np.full((SRC_H, SRC_W, 3), 40 + 6 * i, np.uint8)


def make_mp4() -> bytes:
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=SRC_FPS)
        stream.width, stream.height, stream.pix_fmt = SRC_W, SRC_H, "yuv420p"
        stream.options = {"crf": "0", "preset": "ultrafast"}
        for i in range(SRC_FRAMES):
            frame = av.VideoFrame.from_ndarray(source_frame(i), format="rgb24")
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return buf.getvalue()


def make_png(
    color: tuple[int, int, int] = (200, 60, 30), size: tuple[int, int] = (160, 90)
) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def scene() -> Scene:
    return Scene(
        id="sc01",
        number="1",
        heading="EXT. ROOFTOP - NIGHT",
        int_ext="EXT",
        location="ROOFTOP",
        time_of_day="NIGHT",
        lines=SourceSpan(start=1, end=1),
    )


def shot(**kw: Any) -> Shot:
    base = dict(
        id="sc01_sh010",
        scene_id="sc01",
        size="MCU",
        angle="low",
        move="push-in",
        subjects=["MAYA"],
        description="Maya looks out over the city.",
        lines=SourceSpan(start=3, end=3),
        duration=2.0,
    )
    return Shot(**(base | kw))


def config() -> ProjectConfig:
    return ProjectConfig.model_validate(
        {
            "film": {"fps": "24", "width": 256, "height": 144},
            "look": {"aspect": "2.39:1", "style": "anamorphic 35mm, moody"},
            "characters": {
                "MAYA": {"description": "a woman in her thirties, short dark hair, grey coat"}
            },
        }
    )


def still_request(root=None, **kw: Any) -> StillRequest:
    return StillRequest(
        shot=shot(), scene=scene(), config=config(), seed=7, size=(W, H), project_root=root, **kw
    )


def clip_request(
    root=None, n_frames: int = 48, fps: Fraction = Fraction(24), **kw: Any
) -> ClipRequest:
    image = np.zeros((H, W, 3), np.uint8)
    image[:, : W // 2] = (220, 40, 40)
    return ClipRequest(
        shot=shot(),
        scene=scene(),
        still=Still(image=image),
        config=config(),
        seed=7,
        fps=fps,
        n_frames=n_frames,
        size=(W, H),
        project_root=root,
        **kw,
    )


KLING_SCRIPT = """EXT. ROOFTOP - NIGHT

[[shot: WS static #sc01_sh010 2s]]
MAYA stands at the edge.

[[shot: MCU push-in #sc01_sh020 1.5s]]
She looks down at the city.
"""


def kling_film(root: Path, server: Any, monkeypatch: Any, settings: str = "") -> Path:
    """A two-shot project whose stills come from a folder (`exports/`, left for the caller to
    fill) and whose clips from Kling at the local server, with the vendors' keys set.
    `settings` go at the end of `[backends]`, or start tables of their own."""
    from tests.hosted.vendors import KEYS

    for var, value in KEYS.items():
        monkeypatch.setenv(var, value)
    monkeypatch.setenv("KLING_BASE_URL", server.url)
    (root / "script.fountain").write_text(KLING_SCRIPT)
    (root / "storyreel.toml").write_text(
        '[film]\nwidth = 256\nheight = 144\nfps = "24"\n'
        '[backends]\nstills = "folder:exports"\nmotion = "kling:kling-v2-1"\n' + settings
    )
    (root / "exports").mkdir()
    return root
