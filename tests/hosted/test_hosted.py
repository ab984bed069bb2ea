"""Every hosted backend against a local server playing the vendor's documented protocol."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pytest

import storyreel.hosted.common as common
from storyreel.backends import load_backend
from storyreel.errors import StoryreelError
from storyreel.hosted.common import Timing
from storyreel.hosted.fal import FalMotion, FalStills
from storyreel.hosted.hailuo import HailuoMotion
from storyreel.hosted.kling import KlingMotion, KlingStills
from storyreel.hosted.luma import LumaMotion, LumaStills
from storyreel.hosted.openai import OpenAIStills
from storyreel.hosted.replicate import ReplicateMotion, ReplicateStills
from storyreel.hosted.runway import RunwayMotion, RunwayStills
from storyreel.hosted.seedance import SeedanceMotion
from storyreel.hosted.sora import SoraMotion
from storyreel.hosted.veo import VeoMotion
from storyreel.store.keys import digest

from . import vendors
from .film import SRC_FPS, SRC_FRAMES, H, W, clip_request, make_mp4, make_png, still_request
from .vendors import KEYS, Job


@dataclass
class Case:
    cls: type
    kind: str  # "still" | "clip"
    install: vendors.Install
    model: str | None = None
    base: str = ""  # appended to the server URL for the SDK's base URL; None: no base_url option
    resumable: bool = True

    def backend(self, server: Any, **kw: Any) -> Any:
        options: dict[str, Any] = {"timing": fast()} | kw
        if self.base is not None:
            options["base_url"] = server.url + self.base
        return self.cls(self.model, **options)


CASES = {
    "kling-motion": Case(KlingMotion, "clip", vendors.kling),
    "kling-stills": Case(KlingStills, "still", vendors.kling),
    "runway-motion": Case(RunwayMotion, "clip", vendors.runway),
    "runway-stills": Case(RunwayStills, "still", vendors.runway),
    "luma-motion": Case(LumaMotion, "clip", vendors.luma),
    "luma-stills": Case(LumaStills, "still", vendors.luma),
    "replicate-motion": Case(ReplicateMotion, "clip", vendors.replicate),
    "replicate-stills": Case(ReplicateStills, "still", vendors.replicate),
    "fal-motion": Case(
        FalMotion, "clip", vendors.fal, "fal-ai/kling-video/v2.1/standard/image-to-video", None
    ),
    "fal-stills": Case(FalStills, "still", vendors.fal, "fal-ai/flux/schnell", None),
    "openai-stills": Case(OpenAIStills, "still", vendors.openai, base="/v1", resumable=False),
    "veo-motion": Case(VeoMotion, "clip", vendors.veo),
    "sora-motion": Case(SoraMotion, "clip", vendors.sora, base="/v1"),
    "hailuo-motion": Case(HailuoMotion, "clip", vendors.hailuo),
    "seedance-motion": Case(SeedanceMotion, "clip", vendors.seedance, base="/api/v3"),
}
ASYNC = [name for name, c in CASES.items() if c.resumable]


def fast(**kw: Any) -> Timing:
    return Timing(
        **(
            {
                "poll_interval": 0.001,
                "poll_max": 0.005,
                "timeout": 20,
                "retries": 3,
                "backoff": 0.001,
            }
            | kw
        )
    )


@pytest.fixture(scope="module")
def media() -> dict[str, bytes]:
    return {"mp4": make_mp4(), "png": make_png()}


@pytest.fixture
def env(monkeypatch, server):
    for var in (
        *common.KEY_VARS,
        "GOOGLE_CLOUD_PROJECT",
    ):  # a project would take Veo off its API key
        monkeypatch.delenv(var, raising=False)
    for var, value in KEYS.items():
        monkeypatch.setenv(var, value)
    import fal_client.client

    monkeypatch.setattr(fal_client.client, "QUEUE_URL_FORMAT", server.url + "/")


def run(case: Case, backend: Any, root: Any) -> Any:
    if case.kind == "clip":
        return backend.animate(clip_request(root))
    return backend.generate(still_request(root))


def check_output(case: Case, out: Any) -> dict[str, Any]:
    if case.kind == "clip":
        assert (out.n_frames, out.size, out.fps) == (48, (W, H), 24)
        frames = [out.frame(i) for i in (0, 24, 47)]
        assert all(f.shape == (H, W, 3) for f in frames)
        # a 30-frame source stretched over 48 frames: first and last source frames at the ends
        assert abs(int(frames[0].mean()) - 40) <= 3
        assert abs(int(frames[2].mean()) - (40 + 6 * (SRC_FRAMES - 1))) <= 3
        assert out.meta["params"]["retimed"] is True
        assert out.meta["params"]["source_fps"] == str(SRC_FPS)
    else:
        assert out.image.shape == (H, W, 3)
        assert tuple(out.image[H // 2, W // 2]) == (200, 60, 30)
    return out.meta


def no_keys_in(*texts: str) -> None:
    for text in texts:
        for value in KEYS.values():
            assert value not in text


@pytest.mark.parametrize("name", list(CASES))
def test_submits_once_polls_and_downloads(name, server, env, media, ledger, tmp_path):
    case = CASES[name]
    job = Job(polls=2)
    case.install(server, job, media, case.kind)
    out = run(case, case.backend(server, ledger=ledger, downloads=tmp_path / "dl"), tmp_path)
    meta = check_output(case, out)
    assert job.created == 1 and not job.bad_auth
    assert job.polled == 1 if not case.resumable else job.polled >= 3  # ran twice, then done
    assert "Maya" in meta["prompt"] and meta["remote_id"]
    assert meta["params"]["vendor"] == case.cls.vendor
    if case.cls.vendor == "kling":  # Kling takes a negative prompt; it is sent and recorded
        assert (
            job.inputs[0]["negative_prompt"] == meta["negative_prompt"]
            and "watermark" in meta["negative_prompt"]
        )
    record = next(iter(ledger._all("SELECT * FROM jobs")))
    assert record["status"] == "succeeded" and record["vendor"] == case.cls.vendor
    files = list((tmp_path / "dl").iterdir())
    assert len(files) == 1 and str(files[0]) == record["result"]
    # keys never land in provenance, the ledger or the downloads
    no_keys_in(
        json.dumps(meta, default=str),
        json.dumps([dict(r) for r in ledger._all("SELECT * FROM jobs")]),
        files[0].read_bytes().decode("latin-1"),
    )


@pytest.mark.parametrize("name", list(CASES))
def test_throttled_then_succeeds(name, server, env, media, ledger, tmp_path):
    case = CASES[name]
    job = Job(throttle=2)
    case.install(server, job, media, case.kind)
    out = run(case, case.backend(server, ledger=ledger, downloads=tmp_path), tmp_path)
    check_output(case, out)
    assert job.created == 1 and job.throttle == 0


@pytest.mark.parametrize("name", list(CASES))
def test_failed_task_fails_the_shot_with_the_vendors_reason(
    name, server, env, media, ledger, tmp_path
):
    case = CASES[name]
    job = Job(fail="The prompt was flagged by content moderation")
    case.install(server, job, media, case.kind)
    with pytest.raises(StoryreelError, match="flagged by content moderation"):
        run(case, case.backend(server, ledger=ledger, downloads=tmp_path), tmp_path)
    if case.resumable:
        assert job.created == 1
        assert ledger._one("SELECT status FROM jobs")["status"] == "failed"


@pytest.mark.parametrize("name", list(CASES))
def test_refused_key_is_not_retried(name, server, env, media, ledger, tmp_path):
    case = CASES[name]
    job = Job(reject=True)
    case.install(server, job, media, case.kind)
    with pytest.raises(StoryreelError) as err:
        run(case, case.backend(server, ledger=ledger, downloads=tmp_path), tmp_path)
    assert case.cls.vendor in str(err.value) and (
        "key" in str(err.value).lower() or "auth" in str(err.value).lower()
    )
    assert len(job.bad_auth) == 1 and job.created == 0
    no_keys_in(str(err.value))


@pytest.mark.parametrize("name", ASYNC)
def test_crash_while_polling_resumes_without_submitting_again(
    name, server, env, media, ledger, tmp_path
):
    case = CASES[name]
    job = Job(polls=3)
    case.install(server, job, media, case.kind)

    def crash(seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(
            case,
            case.backend(server, ledger=ledger, downloads=tmp_path, timing=fast(sleep=crash)),
            tmp_path,
        )
    record = ledger._one("SELECT * FROM jobs")
    assert record["status"] == "submitted" and record["remote_id"] and job.created == 1
    out = run(case, case.backend(server, ledger=ledger, downloads=tmp_path), tmp_path)
    check_output(case, out)
    assert job.created == 1
    assert out.meta["remote_id"] == record["remote_id"]


@pytest.mark.parametrize("name", list(CASES))
def test_same_inputs_never_pay_twice(name, server, env, media, ledger, tmp_path):
    case = CASES[name]
    job = Job()
    case.install(server, job, media, case.kind)
    first = run(case, case.backend(server, ledger=ledger, downloads=tmp_path), tmp_path)
    requests = len(server.log)
    second = run(case, case.backend(server, ledger=ledger, downloads=tmp_path), tmp_path)
    assert job.created == 1 and len(server.log) == requests
    if case.kind == "clip":
        assert np.array_equal(first.frame(10), second.frame(10))
    else:
        assert np.array_equal(first.image, second.image)


@pytest.mark.parametrize("name", list(CASES))
def test_missing_key_names_the_variable(name, server, env, media, monkeypatch, tmp_path):
    case = CASES[name]
    need = [group[0] for group in case.cls.env]
    for var in common.KEY_VARS:
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(StoryreelError, match=need[0]):
        run(case, case.backend(server, downloads=tmp_path), tmp_path)
    assert server.log == []


def test_a_job_times_out_but_stays_on_record(server, env, media, ledger, tmp_path):
    job = Job(polls=10_000)
    vendors.kling(server, job, media, "clip")
    backend = KlingMotion(
        base_url=server.url, ledger=ledger, downloads=tmp_path, timing=fast(timeout=0.05)
    )
    with pytest.raises(StoryreelError, match="next run resumes it"):
        backend.animate(clip_request(tmp_path))
    assert ledger._one("SELECT status FROM jobs")["status"] == "submitted"


def test_the_project_database_is_the_default_ledger(server, env, media, tmp_path):
    job = Job()
    vendors.kling(server, job, media, "still")
    KlingStills(base_url=server.url, timing=fast()).generate(still_request(tmp_path))
    KlingStills(base_url=server.url, timing=fast()).generate(still_request(tmp_path))
    assert job.created == 1
    assert (tmp_path / ".storyreel" / "project.db").is_file()
    assert len(list((tmp_path / ".storyreel" / "hosted").iterdir())) == 1
    open_files = {Path(f.path).name for f in psutil.Process().open_files()}
    assert not open_files & {"project.db", "project.db-wal"}  # closed once the job is done


def test_openai_draws_from_the_characters_reference_images(server, env, media, ledger, tmp_path):
    job = Job()
    vendors.openai_edits(server, job, media, "still")
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "maya.png").write_bytes(make_png((10, 200, 10), (64, 64)))
    request = still_request(tmp_path)
    characters = {
        "MAYA": request.config.characters["MAYA"].model_copy(update={"refs": ["refs/maya.png"]})
    }
    request = replace(request, config=request.config.model_copy(update={"characters": characters}))
    backend = OpenAIStills(
        base_url=server.url + "/v1", ledger=ledger, timing=fast(), downloads=tmp_path
    )
    still = backend.generate(request)
    ref = make_png((10, 200, 10), (64, 64))
    assert job.created == 1 and still.meta["params"]["references"] == [
        {"owner": "MAYA", "file": "refs/maya.png", "sha256": digest(ref), "as": "image[]"}
    ]
    assert (
        b'name="image[]"; filename="maya.png"' in job.inputs[0]
        or b'filename="maya.png"' in job.inputs[0]
    )
    assert make_png((10, 200, 10), (64, 64)) in job.inputs[0]
    missing = replace(
        request,
        config=request.config.model_copy(
            update={
                "characters": {
                    "MAYA": characters["MAYA"].model_copy(update={"refs": ["refs/gone.png"]})
                }
            }
        ),
    )
    with pytest.raises(StoryreelError, match="characters.MAYA.refs: no such image 'refs/gone.png'"):
        backend.generate(missing)


def test_kling_stills_are_guided_by_a_characters_reference(server, env, media, ledger, tmp_path):
    job = Job()
    vendors.kling(server, job, media, "still")
    (tmp_path / "maya.png").write_bytes(make_png((10, 200, 10), (64, 64)))
    request = still_request(tmp_path)
    characters = {
        "MAYA": request.config.characters["MAYA"].model_copy(update={"refs": ["maya.png"]})
    }
    request = replace(request, config=request.config.model_copy(update={"characters": characters}))
    backend = KlingStills(
        "kling-v1-5", base_url=server.url, ledger=ledger, timing=fast(), downloads=tmp_path
    )
    still = backend.generate(request)
    sent = job.inputs[0]
    assert base64.b64decode(sent["image"]) == make_png((10, 200, 10), (64, 64))
    assert sent["image_reference"] == "subject"
    assert [r["file"] for r in still.meta["params"]["references"]] == ["maya.png"]


def test_a_job_the_vendor_no_longer_knows_is_submitted_afresh(server, env, media, ledger, tmp_path):
    @server.route("GET", "/v1/videos/image2video/task-expired")
    def gone(req):
        return 404, {"code": 1203, "message": "task not found", "request_id": "r"}, {}

    job = Job()
    vendors.kling(server, job, media, "clip")

    backend = KlingMotion(base_url=server.url, ledger=ledger, downloads=tmp_path, timing=fast())
    backend.animate(clip_request(tmp_path))  # learn the key, then make it point at a lost task
    key = ledger._one("SELECT cache_key FROM jobs")["cache_key"]
    ledger.job_put(key, "kling", "task-expired")
    (tmp_path / f"{key[:32]}.mp4").unlink()
    clip = KlingMotion(
        base_url=server.url, ledger=ledger, downloads=tmp_path, timing=fast()
    ).animate(clip_request(tmp_path))
    assert job.created == 2 and clip.meta["remote_id"] == "task-861"


def test_kling_options_in_the_spec_choose_text_to_video_and_pro_mode(
    server, env, media, ledger, tmp_path
):
    job = Job()
    vendors.kling(server, job, media, "text")
    backend = load_backend(
        "motion",
        "kling:kling-v2-1?input=text&mode=pro",
        base_url=server.url,
        ledger=ledger,
        downloads=tmp_path,
        timing=fast(),
    )
    clip = backend.animate(clip_request(tmp_path))
    sent = job.inputs[0]
    assert "image" not in sent and sent["mode"] == "pro" and sent["model_name"] == "kling-v2-1"
    assert sent["aspect_ratio"] == "16:9" and clip.meta["params"]["endpoint"] == "text2video"
    assert backend.cache_token(clip_request().shot, None) != KlingMotion("kling-v2-1").cache_token(
        clip_request().shot, None
    )


@pytest.mark.parametrize("name", ["kling-motion", "replicate-stills"])
def test_a_broken_download_is_fetched_again_without_resubmitting(
    name, server, env, media, ledger, tmp_path
):
    case = CASES[name]
    job = Job()
    broken = dict.fromkeys(media, b"<html>502 Bad Gateway</html>")
    case.install(server, job, broken, case.kind)
    with pytest.raises(StoryreelError, match="not a readable .*the next run fetches it again"):
        run(case, case.backend(server, ledger=ledger, downloads=tmp_path), tmp_path)
    assert ledger._one("SELECT status FROM jobs")["status"] == "submitted"
    broken.update(media)  # the vendor serves the real file now
    check_output(case, run(case, case.backend(server, ledger=ledger, downloads=tmp_path), tmp_path))
    assert job.created == 1


def test_retry_after_is_honoured(server, env, media, ledger, tmp_path):
    job = Job(throttle=1, retry_after="7", polls=0)
    vendors.kling(server, job, media, "still")
    waits: list[float] = []
    backend = KlingStills(
        base_url=server.url, ledger=ledger, downloads=tmp_path, timing=fast(sleep=waits.append)
    )
    backend.generate(still_request(tmp_path))
    assert waits == [7.0] and job.created == 1


class Flaky(Exception):
    def __init__(self, status_code: int):
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code


def test_backoff_grows_with_jitter_and_gives_up():
    waits: list[float] = []

    def always_503():
        raise Flaky(503)

    timing = Timing(retries=4, backoff=1.0, backoff_max=5.0, sleep=waits.append)
    with pytest.raises(StoryreelError, match="gave up after 5 tries \\(HTTP 503"):
        common.call("kling", always_503, timing)
    assert len(waits) == 4
    for n, wait in enumerate(waits):
        assert 0.5 * min(5.0, 2**n) <= wait <= min(5.0, 2**n)


def test_a_refusal_is_not_retried():
    calls = []

    def refuse():
        calls.append(1)
        raise Flaky(403)

    with pytest.raises(StoryreelError, match="refused the request \\(HTTP 403\\)"):
        common.call("runway", refuse, Timing(sleep=lambda s: None))
    assert calls == [1]
