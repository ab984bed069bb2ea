"""A clip before a match cut arrives at the next shot's still: Wan 2.2's last image, LTX keyframes."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import replace

import numpy as np
import pytest

from storyreel.backends import load_backend
from storyreel.diffusion import runtime
from storyreel.model import Still
from storyreel.stills.folder import fit_cover
from tests.diffusion.test_diffusers_backends import PICTURE, clip_request

diffusers = pytest.importorskip("diffusers")
GENERATED = (64, 32)  # ?size=64x32 in the picture's 16:9 aspect


def picture(seed: int) -> Still:
    rng = np.random.default_rng(seed)
    return Still(image=rng.integers(0, 256, (PICTURE[1], PICTURE[0], 3), dtype=np.uint8))


FIRST, END, OTHER_END = picture(1), picture(2), picture(3)


def spy(monkeypatch, cls) -> list[dict]:
    """Record the keyword arguments of every call of pipeline class `cls` (which still runs)."""
    calls: list[dict] = []
    original = cls.__call__

    @functools.wraps(original)
    def recording(self, *args, **kwargs):
        calls.append(kwargs)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "__call__", recording)
    return calls


def same(image, still: Still) -> bool:
    return np.array_equal(np.asarray(image), fit_cover(still.image, GENERATED))


LANDERS = [  # fixture, family, the pipeline class that is called, native fps, frame step
    ("wan22", "wan2.2-i2v", "WanImageToVideoPipeline", 16, 4),
    ("ltx", "ltx", "LTXConditionPipeline", 24, 4),  # the tiny VAE compresses time 4x
]


@pytest.mark.parametrize(
    ("fixture", "family", "pipeline", "fps", "step"), LANDERS, ids=[m[0] for m in LANDERS]
)
def test_a_clip_lands_on_the_end_still_and_holds_it(
    request, monkeypatch, tmp_path, fixture, family, pipeline, fps, step
):
    backend = load_backend(
        "motion", f"diffusers:{request.getfixturevalue(fixture)}?size=64x32&steps=2"
    )
    assert backend.lands
    calls = spy(monkeypatch, getattr(diffusers, pipeline))
    asked = replace(clip_request(FIRST, n_frames=30, root=tmp_path), end_still=END, end_frame=20)
    clip = backend.animate(asked)

    params = clip.meta["params"]
    n = params["generated_frames"]
    assert params["family"] == family
    assert (
        params["end_frame"] == 20
        and params["end_still"] == hashlib.sha256(END.image.tobytes()).hexdigest()
    )
    assert (
        (n - 1) % step == 0 and n >= 21 / 24 * fps and n - step < 21 / 24 * fps
    )  # covers frames 0..20
    assert len(calls) == 1 and calls[0]["num_frames"] == n
    (kwargs,) = calls
    if family == "ltx":  # keyframes on the first and the last generated frame
        first, last = kwargs["conditions"]
        assert (first.frame_index, last.frame_index) == (0, n - 1)
        assert same(first.image, FIRST) and same(last.image, END) and "image" not in kwargs
        loaded = backend.loaded()  # the condition pipeline runs on the weights already loaded
        assert loaded.variants[pipeline].transformer is loaded.pipe.transformer
    else:
        assert same(kwargs["image"], FIRST) and same(kwargs["last_image"], END)

    assert (clip.n_frames, clip.size) == (30, PICTURE)
    frames = [clip.frame(i) for i in range(30)]
    assert all(np.array_equal(frames[20], f) for f in frames[21:])  # the landing frame is held
    assert not np.array_equal(frames[19], frames[20])  # it moves until it lands

    # Another end still is another clip: its own file, its own key.
    folder = tmp_path / ".storyreel" / "diffusion"
    before = {p.name for p in folder.glob("*.mkv")}
    other = backend.animate(replace(asked, end_still=OTHER_END))
    made = {p.name for p in folder.glob("*.mkv")} - before
    assert len(made) == 1 and other.meta["source"].endswith(made.pop())
    assert other.meta["params"]["end_still"] != params["end_still"]
    assert len(calls) == 2


def test_a_model_without_a_last_frame_ignores_the_end_still(wan, tmp_path):
    """Wan 2.1 I2V reads one picture's image tokens: the clip is the free clip, and says so."""
    backend = load_backend("motion", f"diffusers:{wan}?size=64x32&steps=2")
    assert not backend.lands
    free = backend.animate(clip_request(FIRST, n_frames=30, root=tmp_path))
    asked = backend.animate(
        replace(clip_request(FIRST, n_frames=30, root=tmp_path), end_still=END, end_frame=20)
    )
    assert (
        asked.meta["params"]["end_frame"] == "ignored" and "end_still" not in asked.meta["params"]
    )
    assert asked.meta["source"] == free.meta["source"]  # made once
    assert np.array_equal(asked.frame(29), free.frame(29))


LANDS = [  # model, whether it takes a last frame
    ("Lightricks/LTX-Video", True),
    ("Wan-AI/Wan2.2-I2V-A14B-Diffusers", True),
    ("Wan-AI/Wan2.1-I2V-14B-480P-Diffusers", False),
    ("stabilityai/stable-video-diffusion-img2vid-xt", False),
    ("THUDM/CogVideoX-5b-I2V", False),
]


@pytest.mark.parametrize(("model", "lands"), LANDS, ids=[m[0].split("/")[1] for m in LANDS])
def test_whether_a_model_lands_is_known_without_loading_it(monkeypatch, model, lands):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # none of these is downloaded: the registry knows
    monkeypatch.setattr(runtime, "_PIPES", {})
    assert load_backend("motion", f"diffusers:{model}").lands is lands
    assert runtime._PIPES == {}


@pytest.mark.parametrize(
    ("class_name", "lands"),
    [
        ("LTXConditionPipeline", True),
        ("StableVideoDiffusionPipeline", False),
        ("CogVideoXImageToVideoPipeline", False),
    ],
)
def test_an_unknown_folder_lands_by_its_pipeline_class(tmp_path, class_name, lands):
    (tmp_path / "model_index.json").write_text(json.dumps({"_class_name": class_name}))
    assert load_backend("motion", f"diffusers:{tmp_path}").lands is lands


def test_a_model_that_is_not_there_does_not_land(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert not load_backend("motion", "diffusers:storyreel-tests/no-such-model").lands
    assert not load_backend("motion", f"diffusers:{tmp_path / 'missing'}").lands
