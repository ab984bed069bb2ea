from __future__ import annotations

import shutil
from pathlib import Path

import av
import numpy as np
import pytest

import storyreel.backends as backends

TOML = """
[film]
fps = "24"
width = 320
height = 180

[look]
aspect = "16:9"
grain = 0.2
fade_in = 0.25

[characters.MAYA]
description = "a woman in a grey coat"

[backends]
takes = {takes}
"""

SCRIPT = """Title: Tiny

EXT. PIER - NIGHT

[[shot: WS, push-in, 1s, #sh1]]
Waves under the pier lights.

[[shot: MS MAYA, static, 1s, #sh2]]
MAYA stands at the rail.

MAYA
Still here.

DISSOLVE TO:

INT. ARCHIVE - NIGHT

[[shot: CU MAYA, pan-left, 1s, #sh3]]
She looks at the reel.

[[shot: INSERT, zoom-in, 1s, #sh4]]
A film can on the desk.
"""


def make_project(root: Path, takes: int = 1, script: str = SCRIPT) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "storyreel.toml").write_text(TOML.format(takes=takes))
    (root / "script.fountain").write_text(script)
    return root


def decode(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "film")


@pytest.fixture
def copy_project():
    def copy(src: Path, dest: Path) -> Path:
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".storyreel", "out"))
        return dest

    return copy


def json_report(output: str) -> dict:
    """The build report of `render --json`: the last event's (`build_finished`)."""
    import json

    last = json.loads(output.strip().splitlines()[-1])
    assert last["event"] == "build_finished"
    return last["report"]


class _Registered:
    """An entry point that loads `cls` (what an installed plugin's entry point does)."""

    def __init__(self, stage: str, cls: type):
        self.name, self.value, self._cls = f"{stage}.{cls.name}", f"tests:{cls.__name__}", cls

    def load(self) -> type:
        return self._cls


def register(monkeypatch, stage: str, cls: type) -> None:
    """Make `cls` a registered `stage` backend for the test, as if a plugin shipped it."""
    real = backends.available
    monkeypatch.setattr(
        backends,
        "available",
        lambda s, found=None: (
            real(s, found) | ({cls.name: _Registered(stage, cls)} if s == stage else {})
        ),
    )
