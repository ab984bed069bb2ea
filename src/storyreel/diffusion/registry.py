"""Which diffusers pipeline runs a model, and what the model asks of its inputs.

A model is named by its hub id or a local folder, optionally followed by `?key=value&...`
settings (`stabilityai/sd-turbo?steps=2`, `/models/ltx?size=768x512&frames=97`). Known hub ids
map to a `Family` (pipeline class, native size and frame rate, frame-count rule, steps,
guidance); any other model is placed by the `_class_name` in its `model_index.json` (a local
folder whose name ends like a known id, `.../sd-turbo`, gets that id's family).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from storyreel.errors import StoryreelError


@dataclass(frozen=True)
class Family:
    name: str
    kind: str  # "still" | "i2v"
    pipeline: str  # the diffusers class `from_pretrained` is called on
    size: tuple[
        int, int
    ]  # native (width, height); the generation keeps its area, takes the shot's aspect
    steps: int
    guidance: float
    negative: bool = False  # the pipeline takes a negative prompt (and uses it: guidance > 1)
    idiom: str = "natural"  # the look's prompt idiom (storyreel.look)
    max_chars: int = 1500  # prompt length the text encoder reads (CLIP: 77 tokens)
    pack: int = 1  # extra spatial factor of latent packing (FLUX packs 2x2)
    fps: Fraction | None = None  # native frame rate (video)
    max_frames: int = 1  # frames per call (video)
    prompt_free: bool = False  # image-only conditioning (SVD): no prompt at all
    last_frame: str = (
        ""  # how a last frame is given: "last_image" (Wan 2.2), "conditions" (LTX), or ""
    )
    extra: tuple[tuple[str, Any], ...] = ()  # fixed call arguments


STILL = "AutoPipelineForText2Image"
FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family(
            "sd", "still", STILL, (512, 512), 25, 7.5, negative=True, idiom="tags", max_chars=300
        ),
        Family("sd-turbo", "still", STILL, (512, 512), 1, 0.0, idiom="tags", max_chars=300),
        Family(
            "sdxl",
            "still",
            STILL,
            (1024, 1024),
            30,
            5.0,
            negative=True,
            idiom="tags",
            max_chars=300,
        ),
        Family("sdxl-turbo", "still", STILL, (512, 512), 1, 0.0, idiom="tags", max_chars=300),
        Family(
            "flux-schnell",
            "still",
            STILL,
            (1024, 1024),
            4,
            0.0,
            pack=2,
            extra=(("max_sequence_length", 256),),
        ),
        Family("flux", "still", STILL, (1024, 1024), 28, 3.5, pack=2),
        Family("sana-sprint", "still", "SanaSprintPipeline", (1024, 1024), 2, 4.5),
        Family("sana", "still", STILL, (1024, 1024), 20, 4.5, negative=True),
        Family("sd3", "still", STILL, (1024, 1024), 40, 4.5, negative=True),
        Family("sd3-turbo", "still", STILL, (1024, 1024), 4, 0.0),
        Family(
            "ltx",
            "i2v",
            "LTXImageToVideoPipeline",
            (768, 512),
            40,
            3.0,
            negative=True,
            idiom="motion",
            fps=Fraction(24),
            max_frames=257,
            last_frame="conditions",
        ),
        Family(
            "wan-i2v",
            "i2v",
            "WanImageToVideoPipeline",
            (832, 480),
            40,
            5.0,
            negative=True,
            idiom="motion",
            fps=Fraction(16),
            max_frames=81,
        ),
        Family(
            "wan2.2-i2v",
            "i2v",
            "WanImageToVideoPipeline",
            (832, 480),
            40,
            3.5,
            negative=True,
            idiom="motion",
            fps=Fraction(16),
            max_frames=81,
            last_frame="last_image",
        ),
        Family(
            "svd",
            "i2v",
            "StableVideoDiffusionPipeline",
            (1024, 576),
            25,
            3.0,
            prompt_free=True,
            fps=Fraction(7),
            max_frames=25,
        ),
        Family(
            "cogvideox-i2v",
            "i2v",
            "CogVideoXImageToVideoPipeline",
            (720, 480),
            50,
            6.0,
            negative=True,
            idiom="motion",
            fps=Fraction(8),
            max_frames=49,
            extra=(("max_sequence_length", 226),),
        ),
    )
}

MODELS: dict[str, str] = {
    "stabilityai/sd-turbo": "sd-turbo",
    "stabilityai/sdxl-turbo": "sdxl-turbo",
    "stabilityai/stable-diffusion-xl-base-1.0": "sdxl",
    "black-forest-labs/FLUX.1-schnell": "flux-schnell",
    "black-forest-labs/FLUX.1-dev": "flux",
    "Efficient-Large-Model/Sana_Sprint_0.6B_1024px_diffusers": "sana-sprint",
    "Efficient-Large-Model/Sana_Sprint_1.6B_1024px_diffusers": "sana-sprint",
    "stabilityai/stable-diffusion-3.5-medium": "sd3",
    "stabilityai/stable-diffusion-3.5-large": "sd3",
    "stabilityai/stable-diffusion-3.5-large-turbo": "sd3-turbo",
    "Lightricks/LTX-Video": "ltx",
    "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers": "wan-i2v",
    "Wan-AI/Wan2.1-I2V-14B-720P-Diffusers": "wan-i2v",
    "Wan-AI/Wan2.2-I2V-A14B-Diffusers": "wan2.2-i2v",
    "stabilityai/stable-video-diffusion-img2vid-xt": "svd",
    "stabilityai/stable-video-diffusion-img2vid": "svd",
    "THUDM/CogVideoX-5b-I2V": "cogvideox-i2v",
}

# model_index.json `_class_name` → family, for models not in MODELS.
CLASSES: dict[str, str] = {
    "StableDiffusionPipeline": "sd",
    "StableDiffusionXLPipeline": "sdxl",
    "FluxPipeline": "flux",
    "SanaSprintPipeline": "sana-sprint",
    "SanaPipeline": "sana",
    "StableDiffusion3Pipeline": "sd3",
    "LTXPipeline": "ltx",
    "LTXImageToVideoPipeline": "ltx",
    "LTXConditionPipeline": "ltx",
    "WanImageToVideoPipeline": "wan-i2v",
    "StableVideoDiffusionPipeline": "svd",
    "CogVideoXImageToVideoPipeline": "cogvideox-i2v",
}


def _above_zero(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = kind(text)
        if not value > 0:
            raise ValueError(f"{text} is not above 0")
        return value

    return parse


def _at_least_zero(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = kind(text)
        if not value >= 0:
            raise ValueError(f"{text} is below 0")
        return value

    return parse


def _size(text: str) -> tuple[int, int]:
    w, h = (_above_zero(int)(x) for x in text.lower().split("x"))
    return w, h


def _weights(text: str) -> str:
    """IP-Adapter weights: a hub path `owner/repo/[subfolder/]file` or a local file."""
    if not text.endswith((".bin", ".safetensors")):
        raise ValueError("not a .bin or .safetensors file")
    return text


# The parsers of the `?key=value` settings (raising ValueError for a bad value); the backends
# declare them as their options (`storyreel.diffusion.backend`), which checks a spec before use.
PARSE: dict[str, Callable[[str], Any]] = {
    "steps": _above_zero(int),
    "guidance": _at_least_zero(float),
    "size": _size,
    "frames": _above_zero(int),
    "fps": _above_zero(Fraction),
    "batch": _above_zero(int),
    "ip_adapter": _weights,
    "ip_scale": _at_least_zero(float),
}


@dataclass(frozen=True)
class ModelSpec:
    """A model and its settings as a project names them."""

    model: str
    options: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> ModelSpec:
        """A spec's argument, `MODEL?key=value&...`, already checked against the backend's options."""
        model, _, query = text.strip().partition("?")
        return cls(model, tuple(parse_qsl(query, keep_blank_values=True)))

    def get(self, key: str) -> str | None:
        return dict(self.options).get(key)

    def under(self, root: Path | None) -> ModelSpec:
        """The spec with a relative model folder or adapter file read from the project folder."""

        def place(text: str) -> str:
            path = Path(text).expanduser()
            return (
                str(root / path)
                if root and not path.is_absolute() and (root / path).exists()
                else text
            )

        options = tuple((k, place(v) if k == "ip_adapter" else v) for k, v in self.options)
        return replace(self, model=place(self.model), options=options)


def known_family(model: str) -> Family | None:
    """The family of a known hub id, or of a local folder named like one."""
    if model in MODELS:
        return FAMILIES[MODELS[model]]
    tail = model.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1].lower()
    for hub_id, fam in MODELS.items():
        if hub_id.rsplit("/", 1)[-1].lower() == tail:
            return FAMILIES[fam]
    return None


def family_for(spec: ModelSpec, class_name: str, kind: str) -> Family:
    """The family that runs `spec` (whose model_index names `class_name`), with its settings."""
    family = known_family(spec.model)
    if family is None:
        if class_name not in CLASSES:
            raise StoryreelError(
                f"diffusers: {spec.model} is a {class_name}, which storyreel does not "
                f"drive; supported: {', '.join(sorted(CLASSES))}"
            )
        family = FAMILIES[CLASSES[class_name]]
    if family.kind != kind:
        what = "a stills" if family.kind == "still" else "an image-to-video"
        stage = "stills" if kind == "still" else "motion"
        raise StoryreelError(
            f"diffusers: {spec.model} is {what} model; it cannot be the {stage} backend"
        )
    names = {
        "steps": "steps",
        "guidance": "guidance",
        "size": "size",
        "frames": "max_frames",
        "fps": "fps",
    }
    changes = {names[k]: PARSE[k](v) for k, v in spec.options if k in names}
    return replace(family, **changes)
