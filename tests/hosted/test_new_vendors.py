"""What is particular to Sora, MiniMax Hailuo and Seedance beyond the shared hosted suite."""

from __future__ import annotations

from typing import Any

import pytest

from storyreel.errors import StoryreelError
from storyreel.hosted.hailuo import HailuoMotion
from storyreel.hosted.seedance import SeedanceMotion
from storyreel.hosted.sora import SoraMotion
from tests.hosted import test_hosted

from . import vendors
from .film import clip_request
from .vendors import KEYS, Job

env = test_hosted.env
media = test_hosted.media


@pytest.mark.parametrize(
    ("code", "message"),
    [(1008, "insufficient balance"), (1026, "input new_sensitive")],
)
def test_hailuo_refusals_in_base_resp_are_not_retried(
    code, message, server, env, media, ledger, tmp_path
):
    """MiniMax says no with HTTP 200 and a code; only its rate limit (1002) is retried."""
    asked = []

    @server.route("POST", "/v1/video_generation")
    def create(req: Any) -> Any:
        asked.append(req)
        return 200, {"task_id": "", "base_resp": {"status_code": code, "status_msg": message}}, {}

    backend = HailuoMotion(
        base_url=server.url, ledger=ledger, downloads=tmp_path, timing=test_hosted.fast()
    )
    with pytest.raises(
        StoryreelError, match=f"hailuo refused the request .*{message} \\(code {code}\\)"
    ):
        backend.animate(clip_request(tmp_path))
    assert len(asked) == 1 and ledger._one("SELECT COUNT(*) AS n FROM jobs")["n"] == 0


def test_sora_moderation_at_submission_is_not_retried(server, env, media, ledger, tmp_path):
    asked = []

    @server.route("POST", "/v1/videos")
    def create(req: Any) -> Any:
        asked.append(req)
        error = {
            "message": "Your request was blocked by our moderation system.",
            "type": "invalid_request_error",
            "code": "moderation_blocked",
            "param": None,
        }
        return 400, {"error": error}, {}

    backend = SoraMotion(
        base_url=server.url + "/v1", ledger=ledger, downloads=tmp_path, timing=test_hosted.fast()
    )
    with pytest.raises(
        StoryreelError, match=r"sora refused the request \(HTTP 400\): .*moderation"
    ):
        backend.animate(clip_request(tmp_path))
    assert (
        len(asked) == 1 and asked[0].headers["authorization"] == f"Bearer {KEYS['OPENAI_API_KEY']}"
    )


def test_seedance_sends_its_documented_fields_and_names_a_failed_tasks_code(
    server, env, media, ledger, tmp_path
):
    job = Job(fail="The output video may contain sensitive information")
    vendors.seedance(server, job, media, "clip")
    backend = SeedanceMotion(
        "seedance-1-0-pro-250528?resolution=1080p",
        base_url=server.url + "/api/v3",
        ledger=ledger,
        downloads=tmp_path,
        timing=test_hosted.fast(),
    )
    with pytest.raises(
        StoryreelError, match=r"sensitive information \(OutputVideoSensitiveContentDetected\)"
    ):
        backend.animate(clip_request(tmp_path))
    body = job.inputs[0]
    assert {k: v for k, v in body.items() if k != "content"} == {
        "model": "seedance-1-0-pro-250528",
        "ratio": "21:9",
        "duration": 5,
        "resolution": "1080p",
        "seed": 7,
        "watermark": False,
    }
    assert [item.get("role") for item in body["content"]] == [None, "first_frame"]
