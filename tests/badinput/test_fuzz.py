"""Fuzzing the inputs a user hands over: storyreel.toml, Fountain, and the four edit formats
import-edit reads. Every input ends in success or a `StoryreelError` that names its file,
never a traceback; an edit that is refused leaves the project's stored edit as it was.

Bounded (a few dozen examples each, no deadline) so that CI stays fast; the strategies lean on
the values that broke before (huge, negative, zero, odd, markup, not-a-number).
"""

from __future__ import annotations

import json
import os
import random
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import opentimelineio as otio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyreel.config import ProjectConfig, load_config
from storyreel.edit.timeline import MAX_SHOT_SECONDS, build_timeline, picture_clips
from storyreel.errors import StoryreelError
from storyreel.handoff.exports import export_all
from storyreel.handoff.import_edit import ADAPTERS
from storyreel.model import frames_for
from storyreel.render.encode import Encoder
from storyreel.script.breakdown import breakdown_script
from storyreel.store.project import Project, load_overrides
from tests.badinput.helpers import cli, project
from tests.edit.edit_helpers import make_shotlist

# FUZZ_EXAMPLES=2000 for a deeper search than CI's; CI's examples are the same on every run
DEEP = int(os.environ.get("FUZZ_EXAMPLES", 0))
FUZZ = settings(
    max_examples=DEEP or 40,
    deadline=None,
    derandomize=not DEEP,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MARKUP = ["[/b]", "[bold]", "[[shot: WS]]", "[/]", "\\[", "]"]
ODD = st.sampled_from([0, -1, 1, 2, 3, 181, 321, 8192, 8193, 10**9, -(10**12), 2**63])
TEXT = st.one_of(
    st.sampled_from(
        MARKUP
        + [
            "",
            " ",
            "garbage",
            "01:00:00:00",
            "24000/1001",
            "23.976",
            "8GB",
            "0MB",
            "fast",
            "prores",
            "h264",
            "2.39:1",
            "nan",
            "#ffffff",
            "1e400",
        ]
    ),
    st.text(max_size=12),
)
VALUE = st.one_of(
    ODD,
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    TEXT,
    st.lists(st.one_of(ODD, st.floats(-2, 4)), max_size=4),
)
KEYS = {
    "film": ["fps", "width", "height", "pacing", "start_timecode", "typo"],
    "look": [
        "aspect",
        "style",
        "contrast",
        "saturation",
        "grain",
        "vignette",
        "lift",
        "gamma",
        "gain",
        "lut",
        "fade_in",
        "fade_out",
        "lens",
    ],
    "render": ["codec", "crf", "preset", "memory"],
    "backends": ["stills", "motion", "takes"],
    "characters.MAYA": ["description", "color", "build", "height", "hair", "seed", "refs"],
}


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    return repr(v)


@st.composite
def tomls(draw) -> str:
    lines = []
    for table in draw(st.lists(st.sampled_from(list(KEYS)), max_size=5, unique=True)):
        lines.append(f"[{table}]")
        for key in draw(st.lists(st.sampled_from(KEYS[table]), max_size=4, unique=True)):
            lines.append(f"{key} = {_toml_value(draw(VALUE))}")
    if draw(st.booleans()):  # sometimes, a line of noise anywhere
        lines.insert(
            draw(st.integers(0, len(lines))),
            draw(
                st.sampled_from(
                    ["width = ", "[film", "= 3", "fps = 24 24", "[film]", "x = [1,", "\x00"]
                )
            ),
        )
    return "\n".join(lines) + "\n"


def _works_downstream(config: ProjectConfig) -> None:
    """What a render does first with a config it accepted: the timeline, the draft, the
    encoder's settings on a small frame."""
    config.draft()
    assert all(n % 2 == 0 for n in config.picture_size) or config.render.codec != "h264"
    build_timeline(make_shotlist(), config)
    with Encoder(
        _tmp / "probe.mp4" if config.render.codec == "h264" else _tmp / "probe.mov",
        (64, 36),
        config.film.fps,
        codec=config.render.codec,
        crf=config.render.crf,
        preset=config.render.preset,
    ) as enc:
        enc.write(np.zeros((36, 64, 3), np.uint8))


_tmp = Path()


@FUZZ
@given(text=tomls())
def test_storyreel_toml(tmp_path, text):
    global _tmp
    _tmp = tmp_path
    path = tmp_path / "storyreel.toml"
    path.write_text(text, encoding="utf-8")
    try:
        config = load_config(path)
    except StoryreelError as e:
        assert e.path == str(path) and (e.line is None or 1 <= e.line <= text.count("\n") + 1), e
        assert "\n" not in e.message, e
        return
    _works_downstream(config)


# --- Fountain ------------------------------------------------------------------------------

WORDS = [
    "WS",
    "CU",
    "MCX",
    "MCU",
    "EWS",
    "85mm",
    "0mm",
    "push-in",
    "dolly-zoom",
    "zoom",
    "1s",
    "0s",
    "-2s",
    "1e9s",
    "48f",
    "0.0001s",
    "#a",
    "#a",
    "#[/b]",
    "low",
    "dutch",
    "MAYA",
    "take 3",
    "take -1",
    "seed 99999999999999999999",
]
LINES = st.one_of(
    st.sampled_from(
        [
            "EXT. PIER - NIGHT",
            "INT. ROOM - DAY",
            "INT. ROOM - DAY #1A#",
            ".FLASHBACK",
            "MAYA",
            "MAYA (V.O.)",
            "@McCLANE",
            "(quietly)",
            "Still here.",
            "CUT TO:",
            "DISSOLVE TO:",
            "FADE OUT.",
            "> THE END <",
            "===",
            "/*",
            "*/",
            "[[",
            "]]",
            "Title: [/b]",
            "Credit: x",
            "",
            "",
            "",
            "~la la",
            "# Act [/b]",
            "= synopsis",
            "She runs [/b] away.",
            "\t",
            "INT. ",
            "^",
            "!SHOUT",
        ]
    ),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(
        lambda ws: (
            f"[[{random.Random(len(ws)).choice(['shot', 'super', 'cut', 'look', 'take'])}: "
            f"{', '.join(ws)}]]"
        )
    ),
    st.text(max_size=30),
)


@FUZZ
@given(lines=st.lists(LINES, max_size=30))
def test_fountain(tmp_path, lines):
    script = tmp_path / "script.fountain"
    script.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
    result = cli("breakdown", script, "-f", "json")
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    if result.exit_code == 2:
        errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 and errors[0].startswith(f"error: {script}"), result.output


# --- import-edit ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cut(tmp_path_factory):
    """A project and its script cut exported in the four formats (no render needed)."""
    root = project(tmp_path_factory.mktemp("fuzz") / "film")
    proj = Project.open(root)
    timeline = build_timeline(breakdown_script(proj.script, proj.config), proj.config)
    export_all(timeline, proj.out_dir)
    return root, timeline


def _stored(root: Path) -> str | None:
    stored = load_overrides(Project.open(root))
    return stored.model_dump_json() if stored is not None else None


def _import(root: Path, path: Path) -> None:
    before = _stored(root)
    result = cli("import-edit", root, path)
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    if result.exit_code == 2:
        errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 and errors[0].startswith(f"error: {path}"), result.output
        assert _stored(root) == before  # nothing stored on failure
        return
    stored = load_overrides(Project.open(root))
    cap = frames_for(MAX_SHOT_SECONDS, Fraction(24))
    assert all(
        e.src_in >= 0 and e.length >= 1 and e.src_in + e.length <= cap for e in stored.entries
    ), stored


RANGES = st.tuples(
    st.sampled_from([-(10**9), -5, -1, 0, 1, 12, 36, 10**6, 10**9]),
    st.sampled_from([-24, 0, 1, 24, 48, 10**5, 10**9]),
)


@settings(FUZZ, max_examples=DEEP or 15)
@given(
    suffix=st.sampled_from(list(ADAPTERS)),
    order=st.permutations(range(4)),
    drop=st.integers(0, 4),
    ranges=st.lists(st.one_of(st.none(), RANGES), min_size=4, max_size=4),
    names=st.lists(st.one_of(st.none(), TEXT), min_size=4, max_size=4),
)
def test_edits_made_in_an_nle(cut, tmp_path, suffix, order, drop, ranges, names):
    """An editor's timeline: clips reordered, dropped, retrimmed (out of any media too),
    renamed (to nothing of this script, or to markup), written by each format's adapter."""
    root, timeline = cut
    tl = timeline.deepcopy()
    v1 = tl.video_tracks()[0]
    clips = [c.deepcopy() for c in picture_clips(tl)]
    kept = [clips[i] for i in order][: 4 - drop % 4]
    for clip, span, name in zip(kept, ranges, names, strict=False):
        if span is not None:
            rate = clip.source_range.start_time.rate
            clip.source_range = otio.opentime.TimeRange(
                otio.opentime.RationalTime(span[0], rate), otio.opentime.RationalTime(span[1], rate)
            )
        if name is not None:
            clip.name = name
            clip.metadata.pop("storyreel", None)
    v1[:] = []
    v1.extend(kept)
    tl.tracks[:] = [v1]
    path = tmp_path / f"edited{suffix}"
    try:
        otio.adapters.write_to_file(
            tl,
            str(path),
            adapter_name=ADAPTERS[suffix],
            **({"rate": 24.0} if suffix == ".edl" else {}),
        )
    except Exception:  # noqa: BLE001 - an adapter that cannot write it: no file to import
        return
    _import(root, path)


def _mutate(text: str, rnd: random.Random, how: str) -> str:
    lines = text.splitlines()
    i = rnd.randrange(len(lines)) if lines else 0
    if how == "drop" and lines:
        del lines[i]
    elif how == "dup" and lines:
        lines.insert(i, lines[i])
    elif how == "number":
        numbers = list(re.finditer(r"\d+", text))
        if numbers:
            m = rnd.choice(numbers)
            value = rnd.choice(["-1", "0", "999999999", "99", m.group() * 3])
            return text[: m.start()] + value + text[m.end() :]
    elif how == "truncate":
        return text[: rnd.randrange(len(text) + 1)]
    elif how == "markup" and lines:
        lines[i] = lines[i] + rnd.choice(MARKUP)
    elif how == "bytes":
        raw = text.encode("utf-8", "surrogateescape")
        return raw[: len(raw) // 2].decode("utf-8", "surrogateescape") + "\udcff"  # byte 0xff
    return "\n".join(lines) + "\n"


@settings(FUZZ, max_examples=DEEP or 30)
@given(
    suffix=st.sampled_from(list(ADAPTERS)),
    seed=st.integers(0, 10**6),
    hows=st.lists(
        st.sampled_from(["drop", "dup", "number", "truncate", "markup", "bytes"]),
        min_size=1,
        max_size=3,
    ),
)
def test_exported_files_damaged(cut, tmp_path, suffix, seed, hows):
    """The cut's own exports, damaged by hand: lines dropped or doubled, numbers changed,
    files cut short, markup or undecodable bytes added."""
    root, _ = cut
    text = (root / "out" / f"cut{suffix}").read_text(encoding="utf-8")
    rnd = random.Random(seed)
    for how in hows:
        text = _mutate(text, rnd, how)
    path = tmp_path / f"edited{suffix}"
    path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    _import(root, path)
