"""`storyreel.toml` → `ProjectConfig`, with errors that name the file and line.

```toml
[film]
fps = "24000/1001"      # rational; "24", "25", "30000/1001" ...
width = 1920            # the delivery frame
height = 1080
pacing = "drama"        # drama | action | contemplative

[look]
aspect = "2.39:1"       # picture aspect inside the frame (letterbox / pillarbox)
style = "anamorphic 35mm, moody, high contrast"
lens = 35               # focal length in mm (full frame); unset: about 38.6 mm, a 50° view
refs = ["refs/look.png"]  # the look's reference images, for models that take references

[characters.MAYA]
description = "a woman in her thirties, short dark hair, grey coat"
color = "#c8553d"
refs = ["refs/maya-front.png", "refs/maya-side.png"]  # sent to models that take references

[backends]
stills = "previz"
motion = "camera"
takes = 3
voice = "espeak"        # or kokoro, piper, openai, elevenlabs; [characters.NAME] voice per character
music = "file:music/score.wav"  # or "musicgen", "elevenlabs": a cue a scene
effects = "folder:sfx/"         # or "elevenlabs": ambience beds and spot effects

[sound]
loudness = "broadcast"  # the mix's target: broadcast (-23 LUFS) | streaming (-14) | a number

[render]
profile = "review"      # review: the reel to watch and mail | master: the encoder below
codec = "h264"          # the master's: h264 | prores
crf = 18                # h264 only: 0 (lossless) to 51
preset = "medium"       # an x264 preset: ultrafast ... placebo
memory = "8GB"          # what a render may hold; a frame too large for it is refused

[budget]
limit = 40.0            # what hosted backends may be paid in all; a render over it stops first
currency = "USD"

[prices."kling:kling-v2-1"]   # a studio's own contract, over storyreel's price table
per_second = 0.07

[project]
allow_outside = ["/mnt/refs", "../shared"]   # folders outside the project its paths may use
```

Paths in a project (`[characters.NAME] refs`, `[look] refs` and `lut`, a folder backend's `folder:PATH`,
a local voice's or MusicGen's model files: `?model=`, `?voices=`, `musicgen:FOLDER`) are relative to the project folder and stay inside it: an absolute path, or one whose `..` or
symbolic links lead out, is refused at its line unless it lies in a folder `allow_outside` names
(absolute, or relative to the project). So a project received from someone else cannot send an
image from elsewhere on the disk to a vendor, nor print a line of a file outside it.

Settings that depend on each other (an even frame for 4:2:0, a preset the FFmpeg build's
x264 knows, the frame against the memory budget) are checked after the fields, still before
any work, and still at the line of the setting to change.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import re
import sys
import tomllib
import urllib.parse
from collections.abc import Iterable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio
from pydantic import Field, ValidationError, field_validator

from storyreel.errors import StoryreelError, did_you_mean
from storyreel.model import LENS_RANGE, Model
from storyreel.pacing import PACINGS

ASPECTS: dict[str, Fraction] = {
    "2.39:1": Fraction(239, 100),
    "2.35:1": Fraction(235, 100),
    "2.00:1": Fraction(2),
    "1.85:1": Fraction(185, 100),
    "16:9": Fraction(16, 9),
    "1.66:1": Fraction(166, 100),
    "3:2": Fraction(3, 2),
    "4:3": Fraction(4, 3),
    "1:1": Fraction(1),
    "4:5": Fraction(4, 5),
    "9:16": Fraction(9, 16),
}
PROFILES = ("review", "master")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_TIMECODE = re.compile(r"^(\d\d):([0-5]\d):([0-5]\d)([:;])(\d\d)$")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B)\s*$", re.IGNORECASE)
_UNITS = {"K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
# codec word → the FFmpeg encoder it needs, and its crf range (None: the codec has no crf)
ENCODERS: dict[str, str] = {"h264": "libx264", "prores": "prores_ks"}
CRF_RANGE: dict[str, tuple[int, int] | None] = {"h264": (0, 51), "prores": None}
# rates films are made at, for the message; OpenTimelineIO is asked which have a timecode
_COMMON_RATES = (
    Fraction(12),
    Fraction(15),
    Fraction(24000, 1001),
    Fraction(24),
    Fraction(25),
    Fraction(30000, 1001),
    Fraction(30),
    Fraction(48),
    Fraction(50),
    Fraction(60000, 1001),
    Fraction(60),
    Fraction(120),
)
# names x264 has used for its presets, for the did-you-mean; libx264 itself is asked which work
_X264_PRESETS = (
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
    "placebo",
)
# A render's memory, measured (benchmarks/render_memory.py, 320×180 to 1920×1080): 190 to 230
# bytes a pixel of the frame for each segment being encoded at once (the x264 lookahead and
# reference pictures, the film look's float32 passes, the still's layers and the move's
# overscan), over a base of the interpreter and its libraries; the estimate takes the higher.
BYTES_PER_PIXEL_PER_WORKER = 230
BASE_MEMORY = 200 * 10**6


def one_of(what: str, value: str, known: Iterable[str]) -> str:
    """`value` when it is one of `known`; else a ValueError naming the choices, with a
    did-you-mean."""
    names = list(known)
    if value not in names:
        raise ValueError(
            f"unknown {what} {value!r}{did_you_mean(value, names)}; one of {', '.join(names)}"
        )
    return value


def parse_fps(value: str | int | float) -> Fraction:
    """ "24", "24000/1001", 25 → Fraction. 23.976 is refused: say 24000/1001."""
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f'frame rate {value} is not exact; write it as a ratio, e.g. "24000/1001"')
    try:
        fps = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise ValueError(
            f'frame rate {value!r} is not a number or a ratio like "24000/1001"'
        ) from None
    if fps.denominator > 1001 and fps.denominator % 1001:
        raise ValueError(f'frame rate {value} is not exact; write it as a ratio, e.g. "24000/1001"')
    if not 1 <= fps <= 240:
        raise ValueError(f"frame rate {value} is out of range (1 to 240)")
    return fps


def parse_size(value: str | int) -> int:
    """ "8GB", "512 MB", "8 GiB" → bytes."""
    m = _SIZE.match(value) if isinstance(value, str) else None
    if m is None:
        raise ValueError(f'{value!r} is not a size like "8GB" or "512MB"')
    number, unit = float(m.group(1)), m.group(2).upper()
    scale = 2 ** (10 * (" KMGT".index(unit[0]))) if "I" in unit else _UNITS[unit[0]]
    if number * scale < 10**6:
        raise ValueError(f"{value!r} is too small to render anything (at least 1MB)")
    return int(number * scale)


def _gb(n: int) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 10**9 else f"{n / 1e6:.0f} MB"


class FilmConfig(Model):
    fps: Fraction = Fraction(24)
    width: int = Field(default=1920, gt=0, le=8192)
    height: int = Field(default=1080, gt=0, le=8192)
    pacing: str = "drama"
    start_timecode: str = "01:00:00:00"

    @field_validator("fps", mode="before")
    @classmethod
    def _fps(cls, v: Any) -> Fraction:
        return v if isinstance(v, Fraction) else parse_fps(v)

    @field_validator("pacing")
    @classmethod
    def _pacing(cls, v: str) -> str:
        return one_of("pacing", v, PACINGS)

    @field_validator("start_timecode")
    @classmethod
    def _timecode(cls, v: str) -> str:
        if not _TIMECODE.match(v):
            raise ValueError(
                f'{v!r} is not a timecode like "01:00:00:00" (hours:minutes:seconds:frames)'
            )
        return v


class LookConfig(Model):
    aspect: str = "2.39:1"
    style: str = "cinematic, anamorphic, moody light, film grain"
    palette: str = "teal-orange"
    contrast: float = Field(default=1.0, ge=0.0, le=3.0)
    saturation: float = Field(default=1.0, ge=0.0, le=3.0)
    grain: float = Field(default=0.35, ge=0.0, le=1.0)
    vignette: float = Field(default=0.3, ge=0.0, le=1.0)
    lift: tuple[float, float, float] = (0.0, 0.0, 0.0)
    gamma: tuple[float, float, float] = (1.0, 1.0, 1.0)
    gain: tuple[float, float, float] = (1.0, 1.0, 1.0)
    lut: str | None = None  # path to a .cube 3D LUT, relative to the project
    fade_in: float = Field(default=0.0, ge=0.0)  # seconds, at the head of the film
    fade_out: float = Field(default=0.0, ge=0.0)
    # the film's lens in mm, full-frame equivalent; a shot's `85mm` wins. Left out of dumps
    # while unset, so the still keys of projects without one stay as they were.
    lens: float | None = Field(default=None, exclude_if=lambda v: v is None)
    # the film's reference images (a style, a setting), sent after the characters' to the models
    # that take references; left out of dumps while empty, as `lens` is
    refs: list[str] = Field(default_factory=list, exclude_if=lambda v: not v)

    @field_validator("lens")
    @classmethod
    def _lens(cls, v: float | None) -> float | None:
        lo, hi = LENS_RANGE
        if v is not None and not lo <= v <= hi:
            raise ValueError(
                f"lens {v:g} mm is out of range ({lo:g} to {hi:g} mm, full-frame equivalent)"
            )
        return v

    @field_validator("aspect")
    @classmethod
    def _aspect(cls, v: str) -> str:
        return one_of("aspect", v, ASPECTS)

    @property
    def ratio(self) -> Fraction:
        return ASPECTS[self.aspect]


class CharacterConfig(Model):
    description: str = ""
    color: str | None = None  # accent colour, "#rrggbb"
    build: float | None = Field(default=None, ge=0.6, le=1.6)  # silhouette width factor
    height: float | None = Field(default=None, ge=0.6, le=1.4)  # silhouette height factor
    hair: str | None = None  # short | long | bun | bald | hat | cap | hood
    seed: int | None = None
    refs: list[str] = Field(default_factory=list)  # reference images, relative to the project
    voice: str | None = None  # a voice spec ("kokoro:af_heart") or an espeak-ng voice ("en-gb+f3")

    @field_validator("color")
    @classmethod
    def _color(cls, v: str | None) -> str | None:
        if v is not None and not _COLOR.match(v):
            raise ValueError(f'colour {v!r} is not of the form "#rrggbb"')
        return v


class BackendsConfig(Model):
    stills: str = "previz"
    motion: str = "camera"
    writer: str | None = None  # a language model for write, revise, doctor and the critic
    music: str | None = None  # a score: file:PATH, musicgen[:MODEL], elevenlabs (storyreel.sound)
    effects: str | None = None  # effects and ambience: folder:PATH, elevenlabs
    takes: int = Field(default=1, ge=1, le=32)
    voice: str = "espeak"  # the cast's voices: espeak | kokoro | piper | openai | elevenlabs
    voice_takes: int = Field(default=1, ge=1, le=32)  # takes of each line of dialogue
    cue_takes: int = Field(default=1, ge=1, le=32)  # takes of each scene's music and ambience
    effect_takes: int = Field(default=1, ge=1, le=32)  # takes of each spot effect
    shots: dict[str, dict[str, str]] = Field(default_factory=dict)  # per-shot overrides


class RenderConfig(Model):
    # review: fast H.264 and a lighter grain, a reel to watch and send (`storyreel.run.picture`);
    # master: the encoder below and the look's full grain
    profile: str = "review"
    codec: str = "h264"  # h264 | prores (the master's)
    crf: int = 18  # its range depends on the codec (CRF_RANGE)
    preset: str = "medium"  # an x264 preset
    memory: str = "8GB"  # the budget a render's peak must fit in
    media: bool = False  # write out/media/ (the shots with handles, the lines) for the NLEs
    media_codec: str = "prores"  # prores (422 HQ) | dnxhr (HQ) | h264 (a proxy)

    @field_validator("profile")
    @classmethod
    def _profile(cls, v: str) -> str:
        return one_of("profile", v, PROFILES)

    @field_validator("codec")
    @classmethod
    def _codec(cls, v: str) -> str:
        return one_of("codec", v, ENCODERS)

    @field_validator("media_codec")
    @classmethod
    def _media_codec(cls, v: str) -> str:
        return one_of("media codec", v, ("prores", "dnxhr", "h264"))

    @field_validator("memory")
    @classmethod
    def _memory(cls, v: str) -> str:
        parse_size(v)
        return v

    @property
    def memory_bytes(self) -> int:
        return parse_size(self.memory)


class RunConfig(Model):
    # where a build's work runs: "local" (this machine's threads), "ray" (RAY_ADDRESS's cluster,
    # or a local Ray started for the build) or "ray://HOST:PORT" (docs/cluster.md)
    executor: str = "local"

    @field_validator("executor")
    @classmethod
    def _executor(cls, v: str) -> str:
        return v if v.startswith("ray://") else one_of("executor", v, ("local", "ray"))


LOUDNESS = {"broadcast": -23.0, "streaming": -14.0}  # EBU R128; the streaming services' level


class SoundConfig(Model):
    # the mix's integrated loudness (LUFS, ITU-R BS.1770): "broadcast", "streaming" or a number
    loudness: str | float = "broadcast"

    @field_validator("loudness")
    @classmethod
    def _loudness(cls, v: str | float) -> str | float:
        if isinstance(v, str):
            return one_of("loudness target", v, LOUDNESS)
        if not -70.0 <= v <= -5.0:
            raise ValueError(f"loudness {v:g} LUFS is out of range (-70 to -5; broadcast is -23)")
        return v

    @property
    def target(self) -> float:
        """The target in LUFS."""
        return LOUDNESS[self.loudness] if isinstance(self.loudness, str) else float(self.loudness)


class BudgetConfig(Model):
    limit: float | None = Field(
        default=None, ge=0
    )  # what renders may pay in all (the ledger's sum)
    currency: str = "USD"  # of the limit and of [prices] overrides; the price table's is USD

    @field_validator("currency")
    @classmethod
    def _currency(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", v):
            raise ValueError(f"{v!r} is not an ISO 4217 currency code (USD, EUR, JPY...)")
        return v


class ProjectSection(Model):
    allow_outside: list[str] = Field(
        default_factory=list
    )  # folders outside the project paths may use


class ProjectConfig(Model):
    project: ProjectSection = Field(default_factory=ProjectSection, exclude=True)
    film: FilmConfig = Field(default_factory=FilmConfig)
    look: LookConfig = Field(default_factory=LookConfig)
    characters: dict[str, CharacterConfig] = Field(default_factory=dict)
    backends: BackendsConfig = Field(default_factory=BackendsConfig)
    render: RenderConfig = Field(default_factory=RenderConfig)
    run: RunConfig = Field(default_factory=RunConfig)
    sound: SoundConfig = Field(default_factory=SoundConfig)
    budget: BudgetConfig = Field(default_factory=BudgetConfig, exclude=True)
    # a studio's own rates over the price table, "VENDOR:MODEL" → rates (`storyreel.hosted.prices`)
    prices: dict[str, dict[str, Any]] = Field(default_factory=dict, exclude=True)

    @field_validator("characters")
    @classmethod
    def _upper_names(cls, v: dict[str, CharacterConfig]) -> dict[str, CharacterConfig]:
        return {name.upper(): c for name, c in v.items()}

    def draft(self) -> ProjectConfig:
        """The same film at half the frame size, encoded fast: for watching while writing."""
        film = self.film.model_copy(
            update={
                "width": max(2, self.film.width // 4 * 2),
                "height": max(2, self.film.height // 4 * 2),
            }
        )
        render = self.render.model_copy(
            update={"codec": "h264", "preset": "veryfast", "crf": max(self.render.crf, 23)}
        )
        return self.model_copy(update={"film": film, "render": render})

    @property
    def picture_size(self) -> tuple[int, int]:
        """The picture area inside the frame, even-sized: 1920×804 for 2.39:1 in 1920×1080."""
        w, h, ratio = self.film.width, self.film.height, self.look.ratio
        if Fraction(w, h) <= ratio:
            return w, min(h, 2 * round(w / ratio / 2))
        return min(w, 2 * round(h * ratio / 2)), h


def render_memory(width: int, height: int, workers: int = 1) -> int:
    """The estimated peak memory of a render of `width`×`height` frames, `workers` segments
    encoded at once."""
    return BASE_MEMORY + workers * BYTES_PER_PIXEL_PER_WORKER * width * height


def render_workers(config: ProjectConfig) -> int:
    """How many segments may be encoded at once within `[render] memory` (one a core at most)."""
    free = config.render.memory_bytes - BASE_MEMORY
    per_worker = BYTES_PER_PIXEL_PER_WORKER * config.film.width * config.film.height
    return max(1, min(os.cpu_count() or 1, free // per_worker))


@functools.cache
def x264_has_preset(preset: str) -> bool:
    """Whether this FFmpeg build's libx264 opens with `preset` (asked, not looked up)."""
    import av

    cc = av.CodecContext.create("libx264", "w")
    cc.width, cc.height, cc.pix_fmt, cc.time_base = 64, 64, "yuv420p", Fraction(1, 24)
    cc.options = {"preset": preset}
    try:
        with _quiet_stderr():  # x264 prints "invalid preset" itself, past FFmpeg's logging
            cc.open()
    except av.FFmpegError:
        return False
    return True


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "wb") as null:
        os.dup2(null.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _dependent(config: ProjectConfig) -> tuple[tuple[str, ...], str] | None:
    """The first setting that does not fit with the others: (where, message), or None."""
    import av

    film, render = config.film, config.render
    fps = film.fps
    if not otio.opentime.RationalTime.is_valid_timecode_rate(float(fps)):
        known = [
            str(r)
            for r in _COMMON_RATES
            if otio.opentime.RationalTime.is_valid_timecode_rate(float(r))
        ]
        return ("film", "fps"), (
            f"frame rate {fps} has no SMPTE timecode, which the cut and its "
            f"exports are timed in; one of {', '.join(known)}"
        )
    tc = _TIMECODE.match(film.start_timecode)
    assert tc is not None
    if int(tc.group(5)) >= math.ceil(fps):
        return ("film", "start_timecode"), (
            f"start_timecode {film.start_timecode!r} has frame "
            f"{tc.group(5)}; at {fps} fps frames run 00 to "
            f"{math.ceil(fps) - 1:02d}"
        )
    if tc.group(4) == ";" and fps.denominator != 1001:
        return ("film", "start_timecode"), (
            f"start_timecode {film.start_timecode!r} is drop-frame "
            f"(;), which only NTSC rates such as 30000/1001 have"
        )
    encoder = ENCODERS[render.codec]
    if encoder not in av.codecs_available:
        return (
            "render",
            "codec",
        ), f"this FFmpeg build has no {encoder} encoder (needed for {render.codec})"
    w, h = film.width, film.height
    pw, ph = config.picture_size
    if render.codec == "h264" and (w % 2 or h % 2 or pw % 2 or ph % 2):
        where = ("film", "width") if w % 2 else ("film", "height")
        return where, (
            f"H.264 (4:2:0) needs an even frame and picture size, not {w}×{h} "
            f"(picture {pw}×{ph}); try {w + w % 2}×{h + h % 2}"
        )
    if render.codec == "prores" and (w % 2 or pw % 2):
        return ("film", "width"), f"ProRes (4:2:2) needs an even width, not {w}"
    crf = CRF_RANGE[render.codec]
    if crf is None and "crf" in render.model_fields_set:
        return ("render", "crf"), f"{render.codec} has no crf (its quality is fixed); remove crf"
    if crf is not None and not crf[0] <= render.crf <= crf[1]:
        return ("render", "crf"), (
            f"crf {render.crf} is out of range for {render.codec} ({crf[0]} to {crf[1]})"
        )
    if render.codec == "h264" and not x264_has_preset(render.preset):
        known = [p for p in _X264_PRESETS if x264_has_preset(p)]
        return ("render", "preset"), (
            f"unknown x264 preset {render.preset!r}"
            f"{did_you_mean(render.preset, known)}; one of {', '.join(known)}"
        )
    need, budget = render_memory(w, h), render.memory_bytes
    if need > budget:
        where = ("film", "width") if "width" in film.model_fields_set else ("render", "memory")
        return where, (
            f"a {w}×{h} frame needs about {_gb(need)} to render (one segment "
            f"encoded at a time), over the memory budget of {_gb(budget)}; make the frame smaller "
            f"or raise [render] memory"
        )
    return None


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """The line of the deepest key of `loc` that can be found in the TOML text."""
    keys = [str(k) for k in loc if not isinstance(k, int)]
    line = None
    start = 0
    lines = text.splitlines()
    for depth, key in enumerate(keys):
        table = re.compile(rf"^\s*\[\s*{re.escape('.'.join(keys[: depth + 1]))}\s*\]")
        assign = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
        for i in range(start, len(lines)):
            if table.match(lines[i]) or assign.match(lines[i]):
                line, start = i + 1, i + 1
                break
    return line


def load_config(path: Path | None) -> ProjectConfig:
    """Read a project's `storyreel.toml`; no file means the defaults."""
    if path is None or not path.exists():
        return ProjectConfig()
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise StoryreelError("not a UTF-8 text file", path) from None
    except tomllib.TOMLDecodeError as e:
        where = re.search(r"\(at line (\d+), column \d+\)$", str(e))
        message = str(e)[: where.start()].strip() if where else str(e)
        line = int(where.group(1)) if where else None
        raise StoryreelError(f"not valid TOML: {message}", path, line) from None
    try:
        config = ProjectConfig.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(k) for k in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = f"unknown setting {where!r}"
        else:
            msg = f"{where}: {msg}"
        raise StoryreelError(msg, path, _line_of(text, err["loc"])) from None
    confine(config, data, path, text)
    wrong = _dependent(config)
    if wrong is not None:
        raise StoryreelError(wrong[1], path, _line_of(text, wrong[0]))
    return config


def inside(path: str, root: Path, allowed: list[str]) -> bool:
    """Whether `path` (absolute, or relative to `root`) resolves inside `root` or a folder of
    `allowed` (the same), symbolic links followed."""
    target = (root / Path(path).expanduser()).resolve()
    return any(
        target.is_relative_to((root / Path(a).expanduser()).resolve()) for a in [".", *allowed]
    )


def confine(config: ProjectConfig, data: dict[str, Any], path: Path, text: str) -> None:
    """Refuse the project's paths (refs, lut, folder backends) that lead outside it, at their line."""
    root, allowed = path.parent, config.project.allow_outside
    paths: list[tuple[tuple[str, ...], str]] = []
    for name, character in (data.get("characters") or {}).items():
        paths += [
            (("characters", name, "refs"), ref) for ref in (character or {}).get("refs") or []
        ]
    paths += [(("look", "refs"), ref) for ref in config.look.refs]
    if config.look.lut:
        paths.append((("look", "lut"), config.look.lut))
    backends = data.get("backends") or {}
    stages = ("stills", "motion", "music", "effects")
    specs = [(("backends", stage), backends.get(stage)) for stage in stages]
    for shot, stages in (backends.get("shots") or {}).items():
        specs += [
            (("backends", "shots", shot, stage), spec) for stage, spec in (stages or {}).items()
        ]
    for loc, spec in specs:
        kind, _, folder = str(spec or "").partition(":")
        if kind in ("folder", "file") and folder:
            paths.append((loc, folder))
    voices = [(("backends", stage), backends.get(stage)) for stage in ("voice", "music")]
    for name, character in (data.get("characters") or {}).items():
        voices.append((("characters", name, "voice"), (character or {}).get("voice")))
    paths += [(loc, model) for loc, spec in voices for model in _model_paths(str(spec or ""))]
    for loc, value in paths:
        if not inside(value, root, allowed):
            raise StoryreelError(
                f"{'.'.join(loc)}: {value!r} is outside the project; to use it, "
                "name its folder in [project] allow_outside",
                path,
                _line_of(text, loc),
            )
    for loc, value in paths:
        if loc[-1] == "refs" and (wrong := _not_an_image(root / Path(value).expanduser())):
            raise StoryreelError(
                f"{'.'.join(loc)}: {value!r} is not an image ({wrong})",
                path,
                _line_of(text, loc),
            )


def _model_paths(spec: str) -> list[str]:
    """The model files a local voice or music backend's spec names (`?model=`, `?voices=`,
    MusicGen's argument); a model id ("tts-1", "facebook/musicgen-small") lands inside."""
    kind, _, argument = spec.partition(":")
    value, _, query = argument.partition("?")
    found = [v for k, v in urllib.parse.parse_qsl(query) if k in ("model", "voices") and v]
    return found + ([value] if kind.strip() == "musicgen" and value else [])


def _not_an_image(file: Path) -> str | None:
    """Why a reference image that exists is not one Pillow reads, or None (a missing one is
    reported by the backend that needs it)."""
    from PIL import Image, UnidentifiedImageError

    if not file.is_file():
        return None
    try:
        with Image.open(file) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        return str(e).split(" '", 1)[0] or type(e).__name__
    return None
