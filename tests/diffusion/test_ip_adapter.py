"""Character consistency on local stills: IP-Adapter reference images and per-character seeds.

The IP-Adapter is a tiny one shaped for the tiny SD-Turbo UNet (image projection, key and value
projections for each cross-attention layer, a CLIP vision encoder beside it), saved the way the
hub's `h94/IP-Adapter` lays its files out and loaded through diffusers' own `load_ip_adapter`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from storyreel.backends import load_backend
from storyreel.config import ProjectConfig
from storyreel.diffusion import runtime
from storyreel.errors import StoryreelError
from storyreel.model import Shot
from storyreel.run.takes import still_key
from storyreel.stills.base import StillRequest
from storyreel.stills.takes import take_seed
from tests.diffusion.architectures import clip_vision, diffusers, torch
from tests.diffusion.test_diffusers_backends import PICTURE, SCENE, SHOT


@pytest.fixture(scope="module")
def ip_adapter(sd_turbo, tmp_path_factory) -> Path:
    """`<dir>/ip-adapter.bin` and `<dir>/image_encoder`, for the tiny SD-Turbo."""
    folder = tmp_path_factory.mktemp("ip")
    encoder = clip_vision(hidden=32, image_size=32)
    encoder.save_pretrained(folder / "image_encoder")
    unet = diffusers.UNet2DConditionModel.from_pretrained(sd_turbo / "unet")
    dim = unet.config.cross_attention_dim
    torch.manual_seed(1)
    image_proj = {
        "proj.weight": torch.randn(4 * dim, encoder.config.projection_dim),
        "proj.bias": torch.randn(4 * dim),
        "norm.weight": torch.ones(dim),
        "norm.bias": torch.zeros(dim),
    }
    layers, key = {}, 1
    for name in unet.attn_processors:  # diffusers numbers the cross-attention layers 1, 3, 5, ...
        if name.endswith("attn2.processor"):
            attention = unet.get_submodule(name.removesuffix(".processor"))
            layers[f"{key}.to_k_ip.weight"] = torch.randn_like(attention.to_k.weight)
            layers[f"{key}.to_v_ip.weight"] = torch.randn_like(attention.to_v.weight)
            key += 2
    assert layers  # the tiny UNet has cross-attention to adapt
    torch.save({"image_proj": image_proj, "ip_adapter": layers}, folder / "ip-adapter.bin")
    return folder / "ip-adapter.bin"


def project(root: Path, takes: int = 1, **maya) -> ProjectConfig:
    """A project with MAYA (given settings) and TOM (none); writes the reference images named."""
    rng = np.random.default_rng(len(maya.get("refs", [])))
    for ref in maya.get("refs", []):
        (root / ref).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (48, 48, 3), dtype=np.uint8)).save(root / ref)
    return ProjectConfig.model_validate(
        {
            "backends": {"takes": takes},
            "characters": {
                "MAYA": {"description": "a woman in a grey coat", **maya},
                "TOM": {"description": "a man"},
            },
        }
    )


def request(config: ProjectConfig, root: Path, shot: Shot = SHOT, take: int = 0) -> StillRequest:
    return StillRequest(
        shot=shot,
        scene=SCENE,
        config=config,
        seed=take_seed(shot, take),
        size=PICTURE,
        project_root=root,
        take=take,
    )


def differ(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(int) - b.astype(int)).mean())


def test_a_reference_image_conditions_the_still_through_the_ip_adapter(
    sd_turbo, ip_adapter, tmp_path, monkeypatch
):
    monkeypatch.setattr(runtime, "_PIPES", {})
    loads = []
    original = diffusers.StableDiffusionPipeline.load_ip_adapter

    def counting(self, *args, **kwargs):
        loads.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(diffusers.StableDiffusionPipeline, "load_ip_adapter", counting)
    config = project(tmp_path, refs=["refs/maya.png"])
    with_ref = load_backend("stills", f"diffusers:{sd_turbo}?size=64x32&ip_adapter={ip_adapter}")
    plain = load_backend("stills", f"diffusers:{sd_turbo}?size=64x32")
    a = with_ref.generate(request(config, tmp_path))
    b = plain.generate(request(config, tmp_path))
    assert differ(a.image, b.image) > 1  # the reference changed the picture, same seed

    params = a.meta["params"]
    ref = tmp_path / "refs" / "maya.png"
    assert params["reference"] == {
        "file": "refs/maya.png",
        "sha256": hashlib.sha256(ref.read_bytes()).hexdigest(),
    }
    assert params["ip_adapter"] == str(ip_adapter) and params["ip_scale"] == 0.6
    assert "ip_adapter=" in with_ref.cache_token(SHOT, tmp_path)
    key = still_key(SHOT, SCENE, config, with_ref, 0, 1, PICTURE, tmp_path)

    Image.fromarray(np.full((48, 48, 3), 250, np.uint8)).save(ref)  # another reference image
    c = with_ref.generate(request(config, tmp_path))
    assert differ(c.image, a.image) > 1
    assert c.meta["params"]["reference"]["sha256"] != params["reference"]["sha256"]
    assert still_key(SHOT, SCENE, config, with_ref, 0, 1, PICTURE, tmp_path) != key

    weaker = load_backend(
        "stills", f"diffusers:{sd_turbo}?size=64x32&ip_adapter={ip_adapter}&ip_scale=0.1"
    )
    d = weaker.generate(request(config, tmp_path))
    assert d.meta["params"]["ip_scale"] == 0.1
    assert differ(d.image, b.image) < differ(c.image, b.image)  # closer to no reference at all

    tom = SHOT.model_copy(
        update={"id": "sh2", "subjects": ["TOM"], "description": "Tom at the desk"}
    )
    e = with_ref.generate(
        request(config, tmp_path, tom)
    )  # nobody with a reference: renders as without
    assert e.meta["params"]["reference"] is None and e.meta["params"]["ip_scale"] == 0.0
    assert (
        np.abs(e.image.astype(int) - plain.generate(request(config, tmp_path, tom)).image).max()
        <= 2
    )
    assert len(loads) == 1 and weaker.loaded().pipe is with_ref.loaded().pipe  # loaded once, shared
    assert plain.loaded().pipe is not with_ref.loaded().pipe


def test_takes_with_a_reference_are_batched(sd_turbo, ip_adapter, tmp_path):
    config = project(tmp_path, takes=2, refs=["refs/maya.png"])
    backend = load_backend("stills", f"diffusers:{sd_turbo}?size=64x32&ip_adapter={ip_adapter}")
    takes = [backend.generate(request(config, tmp_path, take=i)) for i in range(2)]
    assert all(t.meta["params"]["reference"]["file"] == "refs/maya.png" for t in takes)
    assert differ(takes[0].image, takes[1].image) > 1


def test_a_character_seed_gives_every_shot_of_that_character_the_same_noise(sd_turbo, tmp_path):
    config = project(tmp_path, takes=2, seed=7)
    backend = load_backend("stills", f"diffusers:{sd_turbo}?size=64x32")
    again = SHOT.model_copy(update={"id": "sh9"})  # another shot of MAYA, saying the same
    first = [backend.generate(request(config, tmp_path, SHOT, i)) for i in range(2)]
    second = [backend.generate(request(config, tmp_path, again, i)) for i in range(2)]
    assert [s.meta["params"]["noise_seed"] for s in first] == [
        s.meta["params"]["noise_seed"] for s in second
    ]
    assert first[0].meta["params"]["noise_seed"] == 7 and first[1].meta["params"]["noise_seed"] != 7
    assert np.array_equal(first[0].image, second[0].image)  # same noise, same prompt: same picture

    unseeded = project(tmp_path)  # without the character seed each shot has its own noise
    a, b = (backend.generate(request(unseeded, tmp_path, s)) for s in (SHOT, again))
    assert a.meta["params"]["noise_seed"] == take_seed(SHOT, 0) != b.meta["params"]["noise_seed"]
    assert not np.array_equal(a.image, b.image)

    own = SHOT.model_copy(update={"id": "sh3", "seed": 42})  # `[[take: seed 42]]` wins
    assert backend.generate(request(config, tmp_path, own)).meta["params"]["noise_seed"] == 42


def test_ip_adapter_errors_are_clear(sd_turbo, ip_adapter, tmp_path):
    with pytest.raises(StoryreelError, match="no IP-Adapter weights at"):
        load_backend(
            "stills", f"diffusers:{sd_turbo}?ip_adapter={tmp_path}/none/ip-adapter.bin"
        ).loaded()
    bare = tmp_path / "bare"  # weights without their image encoder
    bare.mkdir()
    (bare / "ip-adapter.bin").write_bytes(ip_adapter.read_bytes())
    with pytest.raises(StoryreelError, match="could not load IP-Adapter .*image_encoder"):
        load_backend("stills", f"diffusers:{sd_turbo}?ip_adapter={bare}/ip-adapter.bin").loaded()
    with pytest.raises(StoryreelError, match="bad option ip_adapter='ip.png'"):
        load_backend("stills", f"diffusers:{sd_turbo}?ip_adapter=ip.png")
    with pytest.raises(StoryreelError, match="bad option ip_scale='-1'"):
        load_backend("stills", f"diffusers:{sd_turbo}?ip_adapter={ip_adapter}&ip_scale=-1")
    sana = tmp_path / "Sana_Sprint_0.6B_1024px_diffusers"
    sana.mkdir()
    (sana / "model_index.json").write_text(json.dumps({"_class_name": "SanaSprintPipeline"}))
    with pytest.raises(StoryreelError, match="the sana-sprint family .* cannot take IP-Adapter"):
        load_backend("stills", f"diffusers:{sana}?ip_adapter={ip_adapter}").loaded()
    with pytest.raises(
        StoryreelError, match="diffusers: unknown option 'ip_adapter'"
    ):  # stills only
        load_backend("motion", f"diffusers:{tmp_path}/LTX-Video?ip_adapter={ip_adapter}")


def test_offline_an_undownloaded_hub_adapter_fails_fast(sd_turbo, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    backend = load_backend(
        "stills", f"diffusers:{sd_turbo}?ip_adapter=storyreel-tests/none/models/ip.bin"
    )
    with pytest.raises(
        StoryreelError,
        match="IP-Adapter 'storyreel-tests/none/models/ip.bin' is not "
        "downloaded and HF_HUB_OFFLINE is set",
    ):
        backend.loaded()
