"""Runway's image-to-video models each take their own ratios and durations: the request carries the
model's ratio nearest the picture and its shortest duration that covers the shot."""

from __future__ import annotations

from typing import Any

import pytest

from storyreel.files import png_bytes
from storyreel.hosted.runway import RunwayMotion
from storyreel.store.keys import digest, job_key
from tests.hosted import test_hosted

from . import vendors
from .film import H, W, clip_request
from .vendors import Job

env = test_hosted.env
media = test_hosted.media

SHORT, LONG = 72, 168  # 3 s and 7 s at 24 fps; the picture is W x H, about 2.39:1

# model: (ratio sent, or None for none; duration for the 3 s shot; for the 7 s shot; seed sent)
MODELS = {
    "gen4_turbo": ("1584:672", 5, 10, True),
    "gen4.5": ("1584:672", 3, 7, True),  # any whole second from 2 to 10
    "veo3.1": ("1280:720", 4, 8, True),  # 4, 6 or 8 s; 16:9 at 720p of its 720p and 1080p
    "kling2.5_turbo_pro": (None, 5, 10, False),  # no ratio: the video keeps the still's framing
    "kling3.0_pro": ("1920:1080", 3, 7, False),
}


def animate(
    server: Any, model: str | None, n_frames: int, root: Any, **kw: Any
) -> tuple[dict, Any]:
    job = Job()
    vendors.runway(server, job, kw.pop("media"), "clip")
    backend = RunwayMotion(model, base_url=server.url, timing=test_hosted.fast(), **kw)
    out = backend.animate(clip_request(root, n_frames=n_frames))
    assert job.created == 1 and out.n_frames == n_frames and out.size == (W, H)
    return job.inputs[0], out.meta["params"]


@pytest.mark.parametrize("n_frames", [SHORT, LONG])
@pytest.mark.parametrize("model", list(MODELS))
def test_each_model_gets_its_own_ratio_and_duration(
    model, n_frames, server, env, media, ledger, tmp_path
):
    ratio, short, long, seeded = MODELS[model]
    body, params = animate(
        server, model, n_frames, tmp_path, media=media, ledger=ledger, downloads=tmp_path
    )
    duration = short if n_frames == SHORT else long
    assert body["model"] == model and body["duration"] == duration
    assert body.get("ratio") == ratio and ("seed" in body) == seeded
    assert (params["ratio"], params["duration"]) == (ratio, duration) and "warning" not in params


def test_a_model_that_follows_the_still_is_sent_auto(server, env, media, ledger, tmp_path):
    body, params = animate(
        server, "wan3", LONG, tmp_path, media=media, ledger=ledger, downloads=tmp_path
    )
    assert body["ratio"] == "auto_720p" and body["duration"] == 10
    assert "no duration range for 'wan3'" in params["warning"]


def test_gen4_turbo_keeps_the_job_keys_on_record(server, env, media, ledger, tmp_path):
    body, params = animate(
        server, None, SHORT, tmp_path, media=media, ledger=ledger, downloads=tmp_path
    )
    still = clip_request(tmp_path).still
    key = job_key(
        "runway",
        "gen4_turbo",
        "clip",
        prompt=body["promptText"],
        image=digest(png_bytes(still.image)),
        ratio="1584:672",
        duration=5,
        seed=7,
    )
    assert [r["cache_key"] for r in ledger._all("SELECT * FROM jobs")] == [key]
    assert (body["ratio"], body["duration"], body["seed"]) == ("1584:672", 5, 7)


def test_an_unknown_model_falls_back_on_gen4_turbo_with_a_warning(
    server, env, media, ledger, tmp_path
):
    body, params = animate(
        server, "gen3a_turbo", LONG, tmp_path, media=media, ledger=ledger, downloads=tmp_path
    )
    assert (body["model"], body["ratio"], body["duration"], body["seed"]) == (
        "gen3a_turbo",
        "1584:672",
        10,
        7,
    )
    assert "'gen3a_turbo' is not an image-to-video model" in params["warning"]
    assert "gen4_turbo" in params["warning"]
