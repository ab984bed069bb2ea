"""The diffusers backends on tiny models of the real architectures, loaded from saved folders."""

from __future__ import annotations

import subprocess
import sys
import time
from fractions import Fraction

import av
import numpy as np
import pytest

from storyreel.backends import load_backend
from storyreel.config import ProjectConfig
from storyreel.diffusion import runtime
from storyreel.errors import StoryreelError
from storyreel.look import NEGATIVE, compile_prompt
from storyreel.model import Scene, Shot, SourceSpan, Still
from storyreel.motion.base import ClipRequest
from storyreel.stills.base import StillRequest
from storyreel.stills.takes import take_seed

SPAN = SourceSpan(start=1, end=1)
SCENE = Scene(
    id="s1",
    number="1",
    heading="EXT. PIER - NIGHT",
    int_ext="EXT",
    location="PIER",
    time_of_day="NIGHT",
    lines=SPAN,
)
SHOT = Shot(
    id="sh1",
    scene_id="s1",
    size="WS",
    move="push-in",
    subjects=["MAYA"],
    description="Maya stands at the rail",
    lines=SPAN,
    duration=1.25,
)
PICTURE = (160, 90)


def config(takes: int = 1) -> ProjectConfig:
    return ProjectConfig.model_validate(
        {
            "backends": {"takes": takes},
            "characters": {"MAYA": {"description": "a woman in a grey coat"}},
        }
    )


def still_request(seed: int, take: int = 0, takes: int = 1) -> StillRequest:
    return StillRequest(
        shot=SHOT, scene=SCENE, config=config(takes), seed=seed, size=PICTURE, take=take
    )


def clip_request(still: Still, n_frames: int = 30, root=None) -> ClipRequest:
    return ClipRequest(
        shot=SHOT,
        scene=SCENE,
        still=still,
        config=config(),
        seed=7,
        fps=Fraction(24),
        n_frames=n_frames,
        size=PICTURE,
        project_root=root,
    )


@pytest.fixture(scope="session")
def first_still(sd_turbo) -> Still:
    return load_backend("stills", f"diffusers:{sd_turbo}?size=64x32").generate(still_request(11))


def test_sd_turbo_still_has_the_picture_size_and_the_compiled_prompt(sd_turbo, first_still):
    assert first_still.image.shape == (90, 160, 3) and first_still.image.dtype == np.uint8
    assert first_still.image.std() > 0  # a picture, not a flat fill
    tags = compile_prompt(SHOT, SCENE, config(), "tags", max_chars=300)
    assert first_still.meta["prompt"] == tags.prompt and "wide shot" in tags.prompt
    assert first_still.meta["negative_prompt"] is None  # turbo runs without guidance
    params = first_still.meta["params"]
    assert params["family"] == "sd-turbo" and params["steps"] == 1 and params["guidance"] == 0.0
    assert params["pipeline"] == "StableDiffusionPipeline"
    w, h = params["generated_size"]
    assert w % 8 == 0 and h % 8 == 0 and w > h  # on the model's grid, in the picture's aspect


def test_stills_are_deterministic_per_seed_and_the_pipeline_is_loaded_once(sd_turbo, first_still):
    a = load_backend("stills", f"diffusers:{sd_turbo}?size=64x32")
    loaded = a.loaded()
    assert np.array_equal(a.generate(still_request(11)).image, first_still.image)
    assert not np.array_equal(a.generate(still_request(12)).image, first_still.image)
    b = load_backend("stills", f"diffusers:{sd_turbo}?size=64x32&steps=2")
    assert b.loaded().pipe is loaded.pipe  # other settings, same weights: one pipeline


def test_takes_of_a_shot_are_made_in_one_batched_call(sd_turbo):
    backend = load_backend("stills", f"diffusers:{sd_turbo}?size=64x32")
    pipe = backend.loaded().pipe
    calls = []
    original = type(pipe).__call__

    def counting(self, *args, **kwargs):
        calls.append(len(kwargs["generator"]))
        return original(self, *args, **kwargs)

    seeds = [take_seed(SHOT, i) for i in range(3)]
    try:
        type(pipe).__call__ = counting
        batch = [backend.generate(still_request(seeds[i], take=i, takes=3)) for i in range(3)]
    finally:
        type(pipe).__call__ = original
    assert calls == [3]  # one call, three generators
    alone = [backend.generate(still_request(s)) for s in seeds]
    for made_in_batch, made_alone in zip(batch, alone, strict=True):
        diff = np.abs(made_in_batch.image.astype(int) - made_alone.image.astype(int))
        assert diff.max() <= 2  # the same picture per seed, batched or not
    assert not np.array_equal(batch[0].image, batch[1].image)


I2V = [  # fixture, family, native fps, frame rule (step, fixed count or None)
    ("ltx", "ltx", 24, 8, None),
    ("svd", "svd", 7, 1, 9),
    ("wan", "wan-i2v", 16, 4, None),
    ("wan22", "wan2.2-i2v", 16, 4, None),
    ("cogvideox", "cogvideox-i2v", 8, 4, 9),
]


@pytest.mark.parametrize(
    ("fixture", "family", "fps", "step", "fixed"), I2V, ids=[i[0] for i in I2V]
)
def test_image_to_video_clip_is_conformed_to_the_shot(
    request, tmp_path, first_still, fixture, family, fps, step, fixed
):
    model = request.getfixturevalue(fixture)
    backend = load_backend("motion", f"diffusers:{model}?size=64x32&steps=2")
    clip = backend.animate(clip_request(first_still, n_frames=30, root=tmp_path))
    assert (clip.n_frames, clip.fps, clip.size) == (30, Fraction(24), PICTURE)
    frames = [clip.frame(i) for i in range(clip.n_frames)]
    assert all(f.shape == (90, 160, 3) for f in frames)
    params = clip.meta["params"]
    assert params["family"] == family and params["native_fps"] == str(fps)
    n = params["generated_frames"]
    files = list((tmp_path / ".storyreel" / "diffusion").glob("*.mkv"))
    assert len(files) == 1
    with av.open(str(files[0])) as kept:  # what the model made, kept losslessly at its own rate
        assert len(list(kept.decode(video=0))) == n
        assert kept.streams.video[0].average_rate == fps
    if fixed:
        assert n == fixed
    else:  # the model's frame rule, covering the shot's 1.25 s at the native rate
        assert (n - 1) % step == 0 and n >= 1.25 * fps and n - step < 1.25 * fps
    assert clip.retimed == (n / fps < 1.25)
    motion = compile_prompt(SHOT, SCENE, config(), "motion")
    if family == "svd":  # image-only conditioning
        assert clip.meta["prompt"] is None
    else:
        assert (
            clip.meta["prompt"].startswith(motion.prompt[:40])
            and "dollies in" in clip.meta["prompt"]
        )
        assert clip.meta["negative_prompt"] == NEGATIVE
    # The generated clip is kept: asking again reuses the file instead of running the model.
    stamp = files[0].stat().st_mtime_ns
    again = backend.animate(clip_request(first_still, n_frames=30, root=tmp_path))
    assert files[0].stat().st_mtime_ns == stamp
    assert np.array_equal(again.frame(29), frames[29])


def test_wan22_denoises_with_both_experts(wan22, first_still, tmp_path):
    """High noise on `transformer`, then low noise on `transformer_2` past the boundary."""
    backend = load_backend("motion", f"diffusers:{wan22}?size=64x32&steps=2")
    pipe = backend.loaded().pipe
    assert pipe.image_encoder is None and pipe.config.boundary_ratio == 0.9
    steps = {"transformer": 0, "transformer_2": 0}
    hooks = [
        getattr(pipe, name).register_forward_hook(
            lambda *_, name=name: steps.__setitem__(name, steps[name] + 1)
        )
        for name in steps
    ]
    try:
        clip = backend.animate(clip_request(first_still, n_frames=30, root=tmp_path))
    finally:
        for hook in hooks:
            hook.remove()
    assert steps == {
        "transformer": 2,
        "transformer_2": 2,
    }  # one step each, with and without the prompt
    assert clip.meta["params"]["guidance"] == 3.5 and clip.n_frames == 30


def test_a_long_shot_is_generated_at_the_model_limit_and_retimed(ltx, first_still, tmp_path):
    backend = load_backend("motion", f"diffusers:{ltx}?size=64x32&steps=2&frames=17")
    clip = backend.animate(clip_request(first_still, n_frames=48, root=tmp_path))
    assert clip.meta["params"]["generated_frames"] == 17 and clip.retimed
    assert clip.n_frames == 48 and clip.frame(47).shape == (90, 160, 3)


def test_an_undownloaded_hub_id_offline_fails_fast(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    backend = load_backend("stills", "diffusers:storyreel-tests/no-such-model")
    start = time.monotonic()
    with pytest.raises(StoryreelError, match="not downloaded and HF_HUB_OFFLINE is set"):
        backend.generate(still_request(1))
    assert time.monotonic() - start < 10


def test_a_missing_extra_names_it(monkeypatch, sd_turbo):
    monkeypatch.setattr(runtime, "_PIPES", {})
    monkeypatch.setitem(sys.modules, "torch", None)
    backend = load_backend("stills", f"diffusers:{sd_turbo}")
    with pytest.raises(StoryreelError, match=r"pip install 'storyreel\[diffusion\]'"):
        backend.generate(still_request(1))


def test_bad_specs_are_clear(sd_turbo, ltx, tmp_path):
    with pytest.raises(StoryreelError, match=r"unknown option 'stpes' \(did you mean steps\?\)"):
        load_backend("stills", f"diffusers:{sd_turbo}?stpes=2")
    with pytest.raises(StoryreelError, match="bad option size='64by32'"):
        load_backend("stills", f"diffusers:{sd_turbo}?size=64by32")
    with pytest.raises(StoryreelError, match="bad option steps='0'"):
        load_backend("stills", f"diffusers:{sd_turbo}?steps=0")
    with pytest.raises(StoryreelError, match="cannot be the motion backend"):
        load_backend("motion", f"diffusers:{sd_turbo}").loaded()
    with pytest.raises(StoryreelError, match="cannot be the stills backend"):
        load_backend("stills", f"diffusers:{ltx}").loaded()
    with pytest.raises(StoryreelError, match="no model_index.json"):
        load_backend("stills", f"diffusers:{tmp_path}").loaded()
    with pytest.raises(StoryreelError, match="name a model"):
        load_backend("stills", "diffusers")


def test_importing_storyreel_does_not_import_torch():
    code = (
        "import sys, storyreel, storyreel.cli, storyreel.backends, storyreel.stills.diffusers, "
        "storyreel.motion.diffusers, storyreel.diffusion.runtime\n"
        "from storyreel.backends import available\n"
        "[ep.load() for ep in available('stills').values()]\n"
        "assert 'torch' not in sys.modules and 'diffusers' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


STILLS = [  # fixture param, family, pipeline class, idiom, takes a negative prompt
    ("sdxl_turbo", "sdxl-turbo", "StableDiffusionXLPipeline", "tags", False),
    ("flux_schnell", "flux-schnell", "FluxPipeline", "natural", False),
    ("sd35", "sd3", "StableDiffusion3Pipeline", "natural", True),
    ("sd35_large", "sd3", "StableDiffusion3Pipeline", "natural", True),
    ("sd35_large_turbo", "sd3-turbo", "StableDiffusion3Pipeline", "natural", False),
    ("sana_sprint", "sana-sprint", "SanaSprintPipeline", "natural", False),
]


@pytest.mark.parametrize(
    ("still_model", "family", "pipeline", "idiom", "negative"),
    STILLS,
    indirect=["still_model"],
    ids=[s[0] for s in STILLS],
)
def test_other_still_architectures(still_model, family, pipeline, idiom, negative):
    backend = load_backend("stills", f"diffusers:{still_model}?size=64x32&steps=2")
    still = backend.generate(still_request(5))
    assert still.image.shape == (90, 160, 3) and still.image.std() > 0
    params = still.meta["params"]
    assert (params["family"], params["pipeline"]) == (family, pipeline)
    assert (
        still.meta["prompt"]
        == compile_prompt(
            SHOT, SCENE, config(), idiom, max_chars=backend.loaded().family.max_chars
        ).prompt
    )
    assert (still.meta["negative_prompt"] == NEGATIVE) is negative
    assert np.array_equal(backend.generate(still_request(5)).image, still.image)


def test_an_undownloaded_hub_id_without_network_fails_fast(monkeypatch):
    import huggingface_hub

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", "/nonexistent-storyreel-cache")
    monkeypatch.setattr(
        huggingface_hub.constants, "ENDPOINT", "http://127.0.0.1:9"
    )  # nothing listens
    start = time.monotonic()
    with pytest.raises(StoryreelError, match="not downloaded and 127.0.0.1 cannot be reached"):
        load_backend("motion", "diffusers:Lightricks/LTX-Video").loaded()
    assert time.monotonic() - start < 10


def test_a_hub_id_in_the_cache_loads_offline(monkeypatch, tmp_path, sd_turbo):
    """The hub-id path a user's run takes, with the model in a (local) hub cache."""
    import shutil

    import huggingface_hub

    snapshot = tmp_path / "models--stabilityai--sd-turbo" / "snapshots" / ("0" * 40)
    shutil.copytree(sd_turbo, snapshot)
    (snapshot.parents[1] / "refs").mkdir()
    (snapshot.parents[1] / "refs" / "main").write_text("0" * 40)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    backend = load_backend("stills", "diffusers:stabilityai/sd-turbo?size=64x32")
    still = backend.generate(still_request(11))
    assert still.image.shape == (90, 160, 3) and still.meta["params"]["family"] == "sd-turbo"
    assert still.meta["params"]["model"] == "stabilityai/sd-turbo"


REAL_GRIDS = [  # family, size multiple and frame step of the real checkpoints (VAE x patch)
    ("sd-turbo", 64, 1),
    ("sdxl-turbo", 32, 1),
    ("flux-schnell", 16, 1),
    ("sana-sprint", 32, 1),
    ("sd3", 16, 1),
    ("ltx", 32, 8),
    ("wan-i2v", 16, 4),
    ("wan2.2-i2v", 16, 4),
]


@pytest.mark.parametrize(("family", "multiple", "step"), REAL_GRIDS, ids=[g[0] for g in REAL_GRIDS])
@pytest.mark.parametrize("aspect", [16 / 9, 2.39, 1.0, 9 / 16])
def test_real_sizes_and_frame_counts_follow_the_model_rules(family, multiple, step, aspect):
    from storyreel.diffusion.registry import FAMILIES

    fam = FAMILIES[family]
    loaded = runtime.Loaded(
        pipe=object(), family=fam, device="cuda", multiple=multiple, frame_step=step
    )
    w, h = loaded.picture_size(aspect)
    assert w % multiple == 0 and h % multiple == 0
    assert abs(w * h / (fam.size[0] * fam.size[1]) - 1) < 0.15  # about the native area
    assert abs(w / h / aspect - 1) < 0.2  # the picture's aspect, to the grid
    if fam.kind != "i2v":
        return
    for seconds in (0.1, 1.0, 2.5, 5.0, 60.0):
        n = loaded.frame_count(seconds)
        assert (n - 1) % step == 0 and n <= fam.max_frames
        assert (
            n >= seconds * fam.fps or n + step > fam.max_frames
        )  # covers the shot, or the most it can
