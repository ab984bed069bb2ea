"""The look: a shot, its characters and the film's style compiled into a model's prompt idiom.

Three idioms, all deterministic (the same shot and config give the same text):

- `tags`: Stable-Diffusion-style comma-separated tags, with a negative prompt;
- `natural`: plain sentences, for gpt-image, Kling, Runway, Luma and Veo stills;
- `motion`: natural sentences that lead with the camera move, for image-to-video models.

The compiled text is what a take's `Provenance.prompt` records; the reference images a shot
sends to models that condition on pictures are chosen by `storyreel.references`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyreel.config import ProjectConfig
from storyreel.errors import StoryreelError, did_you_mean
from storyreel.model import Angle, Move, Scene, Shot, ShotSize

IDIOMS = ("tags", "natural", "motion")

NEGATIVE = (
    "blurry, low quality, deformed, distorted face, extra limbs, extra fingers, text, caption, "
    "watermark, logo, signature, jpeg artifacts, oversaturated"
)

SIZES: dict[ShotSize, str] = {
    ShotSize.EWS: "extreme wide shot",
    ShotSize.WS: "wide shot",
    ShotSize.FS: "full shot",
    ShotSize.MWS: "medium wide shot",
    ShotSize.MS: "medium shot",
    ShotSize.MCU: "medium close-up",
    ShotSize.CU: "close-up",
    ShotSize.ECU: "extreme close-up",
    ShotSize.OTS: "over-the-shoulder shot",
    ShotSize.POV: "point-of-view shot",
    ShotSize.INSERT: "insert shot of a detail",
    ShotSize.TWO: "two-shot",
}

ANGLES: dict[Angle, str] = {
    Angle.EYE: "eye-level",
    Angle.LOW: "low angle",
    Angle.HIGH: "high angle",
    Angle.OVERHEAD: "overhead top-down view",
    Angle.DUTCH: "dutch angle, tilted horizon",
}

# What the camera does, as an image-to-video model understands it. `{s}` is the subject.
MOVES: dict[Move, str] = {
    Move.STATIC: "The camera is locked off on a tripod and does not move",
    Move.PUSH_IN: "The camera dollies in toward {s}",
    Move.PULL_OUT: "The camera dollies back away from {s}",
    Move.ZOOM_IN: "The lens zooms in on {s} while the camera stays in place",
    Move.ZOOM_OUT: "The lens zooms out from {s} while the camera stays in place",
    Move.PAN_LEFT: "The camera pans left",
    Move.PAN_RIGHT: "The camera pans right",
    Move.TILT_UP: "The camera tilts up",
    Move.TILT_DOWN: "The camera tilts down",
    Move.TRUCK_LEFT: "The camera trucks sideways to the left, with parallax",
    Move.TRUCK_RIGHT: "The camera trucks sideways to the right, with parallax",
    Move.PEDESTAL_UP: "The camera rises straight up",
    Move.PEDESTAL_DOWN: "The camera lowers straight down",
    Move.CRANE_UP: "The camera cranes up and over {s}",
    Move.CRANE_DOWN: "The camera cranes down toward {s}",
    Move.ARC_LEFT: "The camera arcs to the left around {s}",
    Move.ARC_RIGHT: "The camera arcs to the right around {s}",
    Move.HANDHELD: "Handheld camera with a subtle, natural sway",
    Move.DOLLY_ZOOM: "Dolly zoom: the camera dollies in while the lens zooms out, the background stretching behind {s}",
    Move.RACK_FOCUS: "The focus racks from the foreground to {s}",
}


@dataclass(frozen=True)
class ShotPrompt:
    """A compiled prompt: the text, the negative prompt (None where the idiom has none)."""

    prompt: str
    negative: str | None
    idiom: str


def _pace(intensity: float) -> str:
    if intensity < 0.7:
        return "slowly and gently"
    if intensity > 1.5:
        return "quickly and dramatically"
    return "smoothly"


def _lens(shot: Shot, config: ProjectConfig) -> str:
    """ "85mm" for the shot's lens, else the look's; "" when neither sets one."""
    lens = shot.lens if shot.lens is not None else config.look.lens
    return "" if lens is None else f"{lens:g}mm"


def _article(word: str) -> str:
    """ "an" before a number read with a vowel sound (8, 11, 18, 80-89...), else "a"."""
    return "an" if re.match(r"8|1[18](?!\d)", word) else "a"


def _setting(scene: Scene) -> list[str]:
    where = {"INT": "interior", "EXT": "exterior", "INT/EXT": "interior and exterior"}.get(
        scene.int_ext.upper(), ""
    )
    parts = [where, scene.location.lower(), scene.time_of_day.lower(), *scene.weather]
    return [p for p in parts if p]


def _seen(shot: Shot) -> list[str]:
    """What the picture shows: the director's note, then the action it frames (when different)."""
    texts = [shot.description.strip(), shot.action.strip()]
    return [t for i, t in enumerate(texts) if t and t not in texts[:i]]


def _people(shot: Shot, config: ProjectConfig, *, named: bool) -> list[str]:
    people = []
    for name in shot.subjects:
        desc = config.characters.get(name.upper())
        text = desc.description.strip() if desc else ""
        if named:
            people.append(f"{name.title()}, {text}" if text else name.title())
        else:
            people.append(text or "a person")
    return people


def _unname(text: str, config: ProjectConfig) -> str:
    """Character names in `text` replaced by who they are: a name means nothing to a tag model."""
    for name, character in sorted(config.characters.items()):
        who = character.description.split(",")[0].strip() or "a person"
        text = re.sub(rf"\b{re.escape(name)}\b", who, text, flags=re.IGNORECASE)
    return text


def _names(text: str, shot: Shot, config: ProjectConfig) -> str:
    """Character names as a reader says them (a screenplay writes them in capitals)."""
    for name in sorted({*config.characters, *shot.subjects}):
        text = re.sub(rf"\b{re.escape(name)}\b", name.title(), text, flags=re.IGNORECASE)
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _clip(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[: limit + 1].rsplit(" ", 1)[0].rstrip(",;: ")


def compile_prompt(
    shot: Shot,
    scene: Scene,
    config: ProjectConfig,
    idiom: str = "natural",
    *,
    max_chars: int | None = None,
    negative: bool = False,
) -> ShotPrompt:
    """The shot in `idiom` ("tags", "natural" or "motion"), clipped at a word to `max_chars`.

    Tags always come with a negative prompt; the sentence idioms when `negative` is asked for
    (for models that take one, such as Kling and Veo).
    """
    if idiom not in IDIOMS:
        raise StoryreelError(f"unknown prompt idiom {idiom!r}{did_you_mean(idiom, IDIOMS)}")
    style = config.look.style.strip()
    size, angle, lens = SIZES[shot.size], ANGLES[shot.angle], _lens(shot, config)
    if idiom == "tags":
        seen = [_unname(t, config).rstrip(".") for t in _seen(shot)]
        tags = [
            size,
            angle,
            f"{lens} lens" if lens else "",
            *_people(shot, config, named=False),
            *seen,
            *_setting(scene),
            style,
            "cinematic film still",
            "highly detailed",
        ]
        text = ", ".join(t for t in tags if t)
        return ShotPrompt(_clip(text, max_chars), NEGATIVE, idiom)

    people = _people(shot, config, named=True)
    subject = " and ".join(n.title() for n in shot.subjects) or "the scene"
    framing = f"{size[0].upper()}{size[1:]}, {angle}"
    framing += f", of {'; and '.join(people)}" if people else ""
    setting = _setting(scene)
    parts = []
    if idiom == "motion":
        move = MOVES[shot.move].format(s=subject)
        pace = "" if shot.move in (Move.STATIC, Move.HANDHELD) else f" {_pace(shot.move_intensity)}"
        parts.append(_sentence(move + pace))
    parts += [
        _sentence(framing),
        _sentence(f"Shot on {_article(lens)} {lens} lens") if lens else "",
        *(_sentence(_names(t, shot, config)) for t in _seen(shot)),
        _sentence(", ".join(setting)) if setting else "",
        _sentence(f"Style: {style}") if style else "",
    ]
    text = " ".join(p for p in parts if p)
    return ShotPrompt(_clip(text, max_chars), NEGATIVE if negative else None, idiom)
