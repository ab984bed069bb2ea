"""Loading pipelines once per process, on the right device, and what a loaded model allows.

bf16 on CUDA, float32 on the CPU. A pipeline is keyed by (model, pipeline class) and kept for the
life of the process, so every shot of a build reuses it; calls into one pipeline are serialised
by its lock (the build runs stages on a thread pool). A hub id that is not downloaded fails fast
with a message when the hub is unreachable or `HF_HUB_OFFLINE=1`, instead of hanging.
"""

from __future__ import annotations

import importlib
import inspect
import json
import math
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from storyreel.diffusion.registry import Family, ModelSpec, family_for
from storyreel.errors import StoryreelError

EXTRA_HINT = "pip install 'storyreel[diffusion]'"


def require(name: str) -> Any:
    """Import torch, diffusers or transformers, or say which extra installs them."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise StoryreelError(
            f"diffusers backends need the Python package {name!r}; {EXTRA_HINT}"
        ) from None


def device_dtype() -> tuple[str, Any]:
    torch = require("torch")
    if torch.cuda.is_available():
        return "cuda", torch.bfloat16
    return "cpu", torch.float32


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _reachable(endpoint: str) -> bool:
    """Whether the hub answers a TCP connection within 3 s (so a machine without network fails fast)."""
    url = urlparse(endpoint)
    try:
        socket.create_connection((url.hostname, url.port or 443), timeout=3).close()
        return True
    except (OSError, TypeError):
        return False


def model_index(model: str) -> tuple[str, dict[str, Any]]:
    """(where `from_pretrained` loads from, the parsed model_index.json) of a folder or hub id."""
    local = Path(model).expanduser()
    if local.is_dir():
        index = local / "model_index.json"
        if not index.is_file():
            raise StoryreelError("not a diffusers model folder (no model_index.json)", local)
        return str(local), json.loads(index.read_text())
    if model.count("/") != 1 or model.startswith(("/", ".", "~")):
        raise StoryreelError(
            f"diffusers: no model folder {model!r}, and it is not a hub id (owner/name)"
        )
    path = _hub_file(
        model,
        "model_index.json",
        f"model {model!r}",
        f"`hf download {model}`",
        "a local folder: diffusers:/path/to/model",
    )
    return model, json.loads(Path(path).read_text())


def _hub_file(repo: str, filename: str, what: str, download: str, local: str) -> str:
    """The cached path of a hub file, fetched if the hub answers; else an error naming `what`."""
    hub = require("huggingface_hub")
    try:  # in the cache: no network needed
        return hub.hf_hub_download(repo, filename, local_files_only=True)
    except Exception:
        pass
    host = urlparse(hub.constants.ENDPOINT).hostname or "huggingface.co"
    if _offline() or not _reachable(hub.constants.ENDPOINT):
        why = "HF_HUB_OFFLINE is set" if _offline() else f"{host} cannot be reached"
        raise StoryreelError(
            f"diffusers: {what} is not downloaded and {why}. Download it where there "
            f"is network ({download}) or name {local}"
        )
    try:
        return hub.hf_hub_download(repo, filename, etag_timeout=5)
    except Exception as e:  # unknown, gated or private repository
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise StoryreelError(f"diffusers: cannot fetch {what} from {host}: {first}") from None


def ip_adapter_weights(where: str) -> tuple[str, str, str]:
    """(repository or folder, subfolder, file name) of IP-Adapter weights named by `ip_adapter=`.

    `where` is a local file or a hub path `owner/repo/[subfolder/]weights`; the image encoder is
    the `image_encoder` folder beside the weights. Weights that are not there fail here, at once.
    """
    local = Path(where).expanduser()
    if local.is_file():
        return str(local.parent), "", local.name
    parts = where.split("/")
    if local.is_absolute() or where.startswith((".", "~")) or len(parts) < 3:
        raise StoryreelError(f"diffusers: no IP-Adapter weights at {where!r} (ip_adapter=)", local)
    repo, subfolder = "/".join(parts[:2]), "/".join(parts[2:-1])
    encoder = f"{subfolder}/image_encoder" if subfolder else "image_encoder"
    _hub_file(
        repo,
        "/".join(parts[2:]),
        f"IP-Adapter {where!r}",
        f"`hf download {repo} --include {'/'.join(parts[2:])} '{encoder}/*'`",
        "a local file: ip_adapter=/path/to/ip-adapter.bin",
    )
    return repo, subfolder, parts[-1]


@dataclass
class Loaded:
    """A pipeline ready to call, with its family (settings) and what its model allows."""

    pipe: Any
    family: Family
    device: str
    multiple: int  # width and height must be multiples of this
    frame_step: int  # frame counts are frame_step * k + 1 (1: any count)
    lock: threading.Lock = field(default_factory=threading.Lock)
    variants: dict[str, Any] = field(
        default_factory=dict
    )  # other pipeline classes over the same weights

    def picture_size(self, aspect: float) -> tuple[int, int]:
        """A generation size of about the family's native area, at `aspect`, on the model's grid."""
        fixed = _fixed_size(self.pipe)
        if fixed:
            return fixed
        w0, h0 = self.family.size
        area, m = w0 * h0, self.multiple
        h = math.sqrt(area / aspect)
        return max(m, round(h * aspect / m) * m), max(m, round(h / m) * m)

    def frame_count(self, seconds: float) -> int:
        """Frames to generate at the native rate to cover `seconds`, on the model's frame rule."""
        fixed = _fixed_frames(self.pipe)
        if fixed:
            return fixed
        fps = self.family.fps or 24
        need = max(2, math.ceil(seconds * fps))
        step = self.frame_step
        count = step * math.ceil((need - 1) / step) + 1
        cap = step * ((self.family.max_frames - 1) // step) + 1
        return max(step + 1, min(count, cap))

    def variant(self, pipeline: str) -> Any:
        """The diffusers class `pipeline` built over this pipeline's loaded components (once; no
        weights are loaded again). Call it holding `lock`."""
        if pipeline not in self.variants:
            cls = getattr(require("diffusers"), pipeline)
            accepted = inspect.signature(cls.__init__).parameters
            pipe = cls(**{k: v for k, v in self.pipe.components.items() if k in accepted})
            pipe.set_progress_bar_config(disable=True)
            self.variants[pipeline] = pipe
        return self.variants[pipeline]

    def generators(self, seeds: list[int]) -> list[Any]:
        torch = require("torch")
        return [torch.Generator(device="cpu").manual_seed(int(s)) for s in seeds]


def _config(module: Any) -> dict[str, Any]:
    return dict(getattr(module, "config", {}) or {})


def _fixed_size(pipe: Any) -> tuple[int, int] | None:
    """CogVideoX 1.0 learned positional embeddings: one size only."""
    cfg = _config(getattr(pipe, "transformer", None))
    if cfg.get("use_learned_positional_embeddings"):
        s = pipe.vae_scale_factor_spatial
        return cfg["sample_width"] * s, cfg["sample_height"] * s
    return None


def _fixed_frames(pipe: Any) -> int | None:
    cfg = _config(getattr(pipe, "transformer", None))
    if cfg.get("use_learned_positional_embeddings"):
        return int(cfg["sample_frames"])
    unet = _config(getattr(pipe, "unet", None))
    return int(unet["num_frames"]) if "num_frames" in unet else None


def _grid(pipe: Any, family: Family) -> tuple[int, int]:
    """(size multiple, frame step) of a loaded pipeline, read from its VAE and denoiser."""
    vae = next(
        (
            int(getattr(pipe, a))
            for a in (
                "vae_spatial_compression_ratio",
                "vae_scale_factor_spatial",
                "vae_scale_factor",
            )
            if getattr(pipe, a, None)
        ),
        8,
    )
    t_cfg = _config(getattr(pipe, "transformer", None))
    patch = t_cfg.get("patch_size", 1) or 1
    patch = int(patch[-1] if isinstance(patch, (list, tuple)) else patch)
    u_cfg = _config(getattr(pipe, "unet", None))
    if u_cfg:
        patch = 2 ** (len(u_cfg.get("block_out_channels", (0,))) - 1)
    step = next(
        (
            int(getattr(pipe, a))
            for a in ("vae_temporal_compression_ratio", "vae_scale_factor_temporal")
            if getattr(pipe, a, None)
        ),
        1,
    )
    return max(8, vae * patch * family.pack), step


_PIPES: dict[tuple[str, str, str | None], Loaded] = {}
_LOADING = threading.Lock()


def load(spec: ModelSpec, kind: str) -> Loaded:
    """The pipeline for `spec` (loaded on first use, then reused for the life of the process).

    A pipeline with an IP-Adapter (`ip_adapter=`) is its own: the adapter changes its attention.
    """
    source, index = model_index(spec.model)
    class_name = str(index.get("_class_name", ""))
    family = family_for(spec, class_name, kind)
    adapter = spec.get("ip_adapter")
    if adapter:
        _check_ip_adapter(family, class_name, kind)
    key = (source, family.pipeline, adapter)
    with _LOADING:
        if key not in _PIPES:
            _PIPES[key] = _load(source, family, adapter)
    loaded = _PIPES[key]
    if loaded.family != family:  # same weights, other settings: share the pipeline
        return Loaded(
            loaded.pipe,
            family,
            loaded.device,
            loaded.multiple,
            loaded.frame_step,
            loaded.lock,
            loaded.variants,
        )
    return loaded


def _check_ip_adapter(family: Family, class_name: str, kind: str) -> None:
    """IP-Adapter reference images need a stills pipeline that loads adapters the SD/SDXL way."""
    diffusers = require("diffusers")
    cls = getattr(diffusers, class_name, None)
    if kind != "still" or not (
        isinstance(cls, type) and issubclass(cls, diffusers.loaders.IPAdapterMixin)
    ):
        raise StoryreelError(
            f"diffusers: the {family.name} family ({class_name or family.pipeline}) cannot "
            "take IP-Adapter reference images (ip_adapter=); SD 1.5, SD-Turbo, SDXL and "
            "SDXL-Turbo pipelines can"
        )


def _load_ip_adapter(pipe: Any, where: str, repo: str, subfolder: str, weights: str) -> None:
    """Load IP-Adapter weights and their image encoder into `pipe`, or say what is missing."""
    try:
        pipe.load_ip_adapter(
            repo, subfolder=subfolder, weight_name=weights, local_files_only=_offline()
        )
    except (OSError, ValueError, KeyError, RuntimeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise StoryreelError(
            f"diffusers: could not load IP-Adapter {where!r} (weights and their "
            f"image_encoder folder): {first}"
        ) from None


def _load(source: str, family: Family, adapter: str | None = None) -> Loaded:
    require("torch")
    diffusers = require("diffusers")
    device, dtype = device_dtype()
    cls = getattr(diffusers, family.pipeline)
    diffusers.utils.logging.disable_progress_bar()
    require("transformers").utils.logging.disable_progress_bar()
    ip = (adapter, *ip_adapter_weights(adapter)) if adapter else None  # before the model: fail fast
    major, minor = (int(x) for x in diffusers.__version__.split(".")[:2])
    dtype_arg = "dtype" if (major, minor) >= (0, 36) else "torch_dtype"
    try:
        pipe = cls.from_pretrained(source, local_files_only=_offline(), **{dtype_arg: dtype})
    except (OSError, ValueError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise StoryreelError(
            f"diffusers: could not load {source} as {family.pipeline}: {first}"
        ) from None
    pipe.to(device)
    if ip:
        _load_ip_adapter(pipe, *ip)
    pipe.set_progress_bar_config(disable=True)
    multiple, step = _grid(pipe, family)
    return Loaded(pipe, family, device, multiple, step)


def to_uint8(images: Any) -> np.ndarray:
    """Pipeline output (`output_type="np"`, floats in 0..1) as uint8."""
    return (np.clip(np.asarray(images, dtype=np.float32), 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
