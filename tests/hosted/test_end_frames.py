"""A clip asked to arrive at the next shot's still: the hosted backends whose model takes a last
frame send it in the vendor's field, key the job on it, and hold it from the landing frame on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from storyreel.files import png_bytes
from storyreel.hosted.fal import FalMotion
from storyreel.hosted.hailuo import HailuoMotion
from storyreel.hosted.kling import KlingMotion
from storyreel.hosted.luma import LumaMotion
from storyreel.hosted.replicate import ReplicateMotion
from storyreel.hosted.runway import RunwayMotion
from storyreel.hosted.seedance import SeedanceMotion
from storyreel.hosted.sora import SoraMotion
from storyreel.hosted.veo import VeoMotion
from storyreel.model import Still
from tests.hosted import test_hosted

from . import vendors
from .film import SRC_FRAMES, H, W, clip_request
from .vendors import Job

env = test_hosted.env
media = test_hosted.media

N, LAND = 48, 36  # the shot's frames, and the out point the clip must arrive on


@dataclass
class Lander:
    cls: type
    install: vendors.Install
    model: str | None = None
    base: str | None = ""  # None: the SDK takes no base URL (fal reads its host elsewhere)

    def backend(self, server: Any, **kw: Any) -> Any:
        options = {"timing": test_hosted.fast()} | kw
        if self.base is not None:
            options["base_url"] = server.url + self.base
        return self.cls(self.model, **options)


LANDERS = {
    "kling-pro": Lander(KlingMotion, vendors.kling, "kling-v2-1?mode=pro"),
    "luma": Lander(LumaMotion, vendors.luma),
    "runway-veo3.1": Lander(RunwayMotion, vendors.runway, "veo3.1"),
    "veo": Lander(VeoMotion, vendors.veo),
    "fal-kling-pro": Lander(
        FalMotion, vendors.fal, "fal-ai/kling-video/v2.1/pro/image-to-video", None
    ),
    "replicate": Lander(ReplicateMotion, vendors.replicate),
    "hailuo-02": Lander(HailuoMotion, vendors.hailuo, "MiniMax-Hailuo-02"),
    "seedance": Lander(SeedanceMotion, vendors.seedance, base="/api/v3"),
    "seedance-1.5": Lander(
        SeedanceMotion, vendors.seedance, "seedance-1-5-pro-251215", base="/api/v3"
    ),
}
IGNORERS = {  # the default models of these vendors take no last frame
    "kling": Lander(KlingMotion, vendors.kling),
    "runway": Lander(RunwayMotion, vendors.runway),
    "fal": Lander(FalMotion, vendors.fal, None, None),
    "sora": Lander(SoraMotion, vendors.sora, base="/v1"),
    "hailuo": Lander(HailuoMotion, vendors.hailuo),
    "seedance-pro-fast": Lander(
        SeedanceMotion, vendors.seedance, "seedance-1-0-pro-fast-251015", base="/api/v3"
    ),
}


def end_still(color: tuple[int, int, int]) -> Still:
    return Still(image=np.full((H, W, 3), color, np.uint8))


def arriving(root: Any, still: Still) -> Any:
    return clip_request(root, n_frames=N, end_still=still, end_frame=LAND)


@pytest.mark.parametrize("name", list(LANDERS))
def test_the_end_still_is_sent_once_and_the_clip_holds_it(
    name, server, env, media, ledger, tmp_path
):
    case = LANDERS[name]
    job = Job()
    case.install(server, job, media, "clip")
    blue = end_still((20, 40, 220))
    backend = case.backend(server, ledger=ledger, downloads=tmp_path)
    assert backend.lands
    clip = backend.animate(arriving(tmp_path, blue))
    again = case.backend(server, ledger=ledger, downloads=tmp_path).animate(
        arriving(tmp_path, blue)
    )

    assert job.created == 1 and job.ends == [png_bytes(blue.image)]
    assert clip.n_frames == N and again.n_frames == N
    frames = [clip.frame(i) for i in range(N)]
    # the vendor's whole clip runs over 0..LAND: its first frame opens, its last lands and holds
    assert abs(int(frames[0].mean()) - 40) <= 3
    assert abs(int(frames[LAND].mean()) - (40 + 6 * (SRC_FRAMES - 1))) <= 3
    assert int(frames[LAND - 1].mean()) < int(frames[LAND].mean())
    assert all(np.array_equal(frames[LAND], f) for f in frames[LAND + 1 :])
    params = clip.meta["params"]
    assert params["end_frame"] == LAND and len(params["end_image"]) == 64
    assert np.array_equal(again.frame(N - 1), frames[N - 1])

    red = end_still((220, 30, 30))
    other = case.backend(server, ledger=ledger, downloads=tmp_path).animate(arriving(tmp_path, red))
    assert job.created == 2 and job.ends[1] == png_bytes(red.image)
    assert other.meta["params"]["end_image"] != params["end_image"]


@pytest.mark.parametrize("name", list(IGNORERS))
def test_a_model_without_a_last_frame_ignores_the_end_still_and_says_so(
    name, server, env, media, ledger, tmp_path
):
    case = IGNORERS[name]
    job = Job()
    case.install(server, job, media, "clip")
    backend = case.backend(server, ledger=ledger, downloads=tmp_path)
    assert not backend.lands
    clip = backend.animate(arriving(tmp_path, end_still((20, 40, 220))))
    assert job.created == 1 and job.ends == [None]
    assert clip.meta["params"]["end_frame"] == "ignored" and "end_image" not in clip.meta["params"]
    # a free clip: trimmed/retimed over the whole shot, nothing held after the out point
    assert clip.n_frames == N and not np.array_equal(clip.frame(LAND), clip.frame(N - 1))


@pytest.mark.parametrize(
    ("backend", "lands"),
    [
        (KlingMotion(), False),
        (KlingMotion("kling-v2-1?mode=pro"), True),
        (KlingMotion("kling-v2-1?mode=pro&input=text"), False),
        (KlingMotion("kling-v2-master?mode=pro"), False),
        (RunwayMotion(), False),
        (RunwayMotion("veo3.1_fast"), True),
        (VeoMotion(), True),
        (VeoMotion("veo-3.0-generate-001"), False),
        (VeoMotion("veo-3.1-generate-001"), True),
        (FalMotion(), False),
        (FalMotion("fal-ai/kling-video/v2.5-turbo/pro/image-to-video"), True),
        (ReplicateMotion(), True),
        (ReplicateMotion("wan-video/wan-2.2-i2v-fast:abc123"), True),
        (ReplicateMotion("owner/other-i2v"), False),
        (LumaMotion(), True),
        (SoraMotion("sora-2-pro"), False),
        (HailuoMotion(), False),
        (HailuoMotion("MiniMax-Hailuo-02"), True),
        (SeedanceMotion(), True),
        (SeedanceMotion("seedance-1-0-pro-fast-251015"), False),
        (SeedanceMotion("seedance-1-0-lite-i2v-250428?input=refs"), False),
        (VeoMotion("veo-3.1-generate-preview?input=refs"), False),
    ],
)
def test_which_models_take_a_last_frame(backend, lands):
    assert backend.lands is lands


def test_a_landing_clip_asks_the_vendor_for_the_length_up_to_its_landing_frame(
    server, env, media, ledger, tmp_path
):
    """A 6.5 s shot whose out point is at 4 s asks Kling for 5 s, not 10: the tail holds the still."""
    case = LANDERS["kling-pro"]
    job = Job()
    case.install(server, job, media, "clip")
    backend = case.backend(server, ledger=ledger, downloads=tmp_path)
    backend.animate(
        clip_request(tmp_path, n_frames=156, end_still=end_still((9, 9, 9)), end_frame=95)
    )
    backend.animate(clip_request(tmp_path, n_frames=156))  # the same shot, free: the whole of it
    assert [body["duration"] for body in job.inputs] == ["5", "10"]
