"""Tiny, randomly initialised models of the real architectures, saved as diffusers folders.

Each is built once per session by `architectures.py` (no download) and saved with
`save_pretrained`; the backends load them back through the same `from_pretrained` call a user's
run makes with a hub id. Folder names follow the hub ids' last part, so the registry gives each
the real model's family.
"""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch", reason="the diffusion extra is not installed")
pytest.importorskip("diffusers")
pytest.importorskip("transformers")

from tests.diffusion import architectures  # noqa: E402 (needs the extra checked above)

torch.set_num_threads(2)


def saved(pipeline, path: Path) -> Path:
    pipeline.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def models(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def sd_turbo(models) -> Path:
    return saved(architectures.sd_turbo(), models / "sd-turbo")


@pytest.fixture(scope="session")
def ltx(models) -> Path:
    return saved(architectures.ltx(), models / "LTX-Video")


@pytest.fixture(scope="session")
def svd(models) -> Path:
    return saved(architectures.svd(), models / "stable-video-diffusion-img2vid-xt")


@pytest.fixture(scope="session")
def wan(models) -> Path:
    return saved(architectures.wan21(), models / "Wan2.1-I2V-14B-480P-Diffusers")


@pytest.fixture(scope="session")
def wan22(models) -> Path:
    return saved(architectures.wan22(), models / "Wan2.2-I2V-A14B-Diffusers")


@pytest.fixture(scope="session")
def cogvideox(models) -> Path:
    return saved(architectures.cogvideox(), models / "CogVideoX-5b-I2V")


STILL_MODELS = {  # fixture name → builder and the hub id's last part
    "sdxl_turbo": (architectures.sdxl_turbo, "sdxl-turbo"),
    "flux_schnell": (architectures.flux_schnell, "FLUX.1-schnell"),
    "sd35": (architectures.sd35_medium, "stable-diffusion-3.5-medium"),
    "sd35_large": (architectures.sd35_large, "stable-diffusion-3.5-large"),
    "sd35_large_turbo": (architectures.sd35_large, "stable-diffusion-3.5-large-turbo"),
    "sana_sprint": (architectures.sana_sprint, "Sana_Sprint_0.6B_1024px_diffusers"),
}


@pytest.fixture(scope="session")
def still_model(models, request) -> Path:
    build, folder = STILL_MODELS[request.param]
    return saved(build(), models / folder)
