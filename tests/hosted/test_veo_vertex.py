"""Veo on a studio's own Google Cloud project: Vertex AI endpoints, Application Default Credentials."""

from __future__ import annotations

import json
from typing import Any

import google.auth
import pytest
from google.auth.exceptions import DefaultCredentialsError
from google.oauth2.credentials import Credentials

import storyreel.hosted.common as common
from storyreel.errors import StoryreelError
from storyreel.hosted.veo import VeoMotion
from tests.hosted import test_hosted
from tests.hosted.film import clip_request
from tests.hosted.test_backends_cli import rows
from tests.hosted.test_hosted import check_output, fast
from tests.hosted.vendors import KEYS, Job, veo

env = test_hosted.env
media = test_hosted.media

PROJECT, TOKEN = "studio-films-1", "ya29.test-access-token-0009"
MODEL = "veo-2.0-generate-001"


@pytest.fixture
def adc(monkeypatch, env) -> dict[str, Any]:
    """Application Default Credentials holding a fixed access token, and the project to bill."""
    asked: dict[str, Any] = {}

    def default(scopes=None, **kw: Any) -> tuple[Credentials, str | None]:
        asked["scopes"] = scopes
        return asked.get("credentials") or Credentials(token=TOKEN), None

    monkeypatch.setattr(google.auth, "default", default)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    monkeypatch.delenv("GOOGLE_CLOUD_LOCATION", raising=False)
    return asked


def backend(server: Any, ledger: Any, tmp_path: Any, **kw: Any) -> VeoMotion:
    return VeoMotion(
        base_url=server.url, ledger=ledger, downloads=tmp_path / "dl", **({"timing": fast()} | kw)
    )


@pytest.mark.parametrize("location", [None, "europe-west4"])
def test_a_project_renders_with_its_own_credentials(
    location, server, adc, media, ledger, tmp_path, monkeypatch
):
    if location:
        monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", location)
    where = location or "us-central1"
    job = Job(polls=2)
    veo(server, job, media, "clip", project=PROJECT, location=where, token=TOKEN)
    out = backend(server, ledger, tmp_path).animate(clip_request(tmp_path))
    check_output(test_hosted.CASES["veo-motion"], out)  # 48 frames at the shot's size, retimed
    assert (
        job.created == 1 and job.polled == 3 and not job.bad_auth
    )  # bearer token, never the API key
    assert adc["scopes"] == ["https://www.googleapis.com/auth/cloud-platform"]
    resource = f"/v1beta1/projects/{PROJECT}/locations/{where}/publishers/google/models/{MODEL}"
    assert [r.path for r in server.log] == [f"{resource}:predictLongRunning"] + [
        f"{resource}:fetchPredictOperation"
    ] * 3
    assert job.inputs[0]["parameters"]["aspectRatio"] == "16:9"
    assert out.meta["remote_id"].startswith(f"projects/{PROJECT}/locations/{where}/")
    records = [dict(r) for r in ledger._all("SELECT * FROM jobs")]
    assert records[0]["status"] == "succeeded"
    for text in (json.dumps(out.meta, default=str), json.dumps(records)):
        assert TOKEN not in text and KEYS["GEMINI_API_KEY"] not in text


def test_a_failed_operation_fails_the_shot_with_the_vendors_reason(
    server, adc, media, ledger, tmp_path
):
    job = Job(fail="The input image contains content that violates the usage guidelines")
    veo(server, job, media, "clip", project=PROJECT, token=TOKEN)
    with pytest.raises(StoryreelError, match="violates the usage guidelines") as err:
        backend(server, ledger, tmp_path).animate(clip_request(tmp_path))
    assert job.created == 1 and TOKEN not in str(err.value)
    assert ledger._one("SELECT status FROM jobs")["status"] == "failed"


def test_a_crash_while_polling_resumes_on_the_project_without_paying_twice(
    server, adc, media, ledger, tmp_path
):
    job = Job(polls=3)
    veo(server, job, media, "clip", project=PROJECT, token=TOKEN)

    def crash(seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backend(server, ledger, tmp_path, timing=fast(sleep=crash)).animate(clip_request(tmp_path))
    record = ledger._one("SELECT * FROM jobs")
    assert record["status"] == "submitted" and job.created == 1
    out = backend(server, ledger, tmp_path).animate(clip_request(tmp_path))
    assert out.n_frames == 48 and out.meta["remote_id"] == record["remote_id"]
    assert job.created == 1 and not job.bad_auth


def test_a_project_job_is_not_polled_with_the_api_key(
    server, adc, media, ledger, tmp_path, monkeypatch
):
    on_project, express = Job(polls=3), Job()
    veo(server, on_project, media, "clip", project=PROJECT, token=TOKEN)
    veo(server, express, media, "clip")

    def crash(seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        backend(server, ledger, tmp_path, timing=fast(sleep=crash)).animate(clip_request(tmp_path))
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT")  # back to express mode: a job of its own
    out = backend(server, ledger, tmp_path).animate(clip_request(tmp_path))
    assert (
        out.n_frames == 48
        and express.created == 1
        and not (express.bad_auth or on_project.bad_auth)
    )


def test_a_video_left_in_cloud_storage_says_what_to_do(server, adc, media, ledger, tmp_path):
    job = Job(polls=0)
    veo(
        server,
        job,
        media,
        "clip",
        project=PROJECT,
        token=TOKEN,
        uri="gs://studio-renders/veo/sample_0.mp4",
    )
    with pytest.raises(
        StoryreelError, match="gs://studio-renders/veo/sample_0.mp4.*gcloud storage cp"
    ):
        backend(server, ledger, tmp_path).animate(clip_request(tmp_path))
    assert (
        ledger._one("SELECT status FROM jobs")["status"] == "submitted"
    )  # the next run polls, not pays
    assert job.created == 1 and not (tmp_path / "dl").exists()


@pytest.mark.parametrize("credentials", ["missing", "unrefreshable"])
def test_unusable_credentials_say_how_to_log_in(
    credentials, server, adc, media, ledger, tmp_path, monkeypatch
):
    if credentials == "missing":

        def default(**kw: Any) -> Any:
            raise DefaultCredentialsError("Your default credentials were not found.")

        monkeypatch.setattr(google.auth, "default", default)
    else:  # no token and nothing to refresh one with
        adc["credentials"] = Credentials(token=None)
    veo(server, Job(), media, "clip", project=PROJECT, token=TOKEN)
    with pytest.raises(StoryreelError) as err:
        backend(server, ledger, tmp_path).animate(clip_request(tmp_path))
    message = str(err.value)
    assert message.startswith(
        "veo: no usable Google Cloud credentials for GOOGLE_CLOUD_PROJECT=studio-films-1"
    )
    assert (
        "gcloud auth application-default login" in message
        and "GOOGLE_APPLICATION_CREDENTIALS" in message
    )
    assert server.log == [] and ledger._one("SELECT count(*) AS n FROM jobs")["n"] == 0


def test_without_key_or_project_every_way_in_is_named(server, env, media, tmp_path, monkeypatch):
    for var in (*common.KEY_VARS, "GOOGLE_CLOUD_PROJECT"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(
        StoryreelError, match="GEMINI_API_KEY or GOOGLE_API_KEY or GOOGLE_CLOUD_PROJECT"
    ):
        VeoMotion(base_url=server.url, downloads=tmp_path).animate(clip_request(tmp_path))
    assert server.log == []
    assert rows("veo")["motion.veo"]["missing"] == [
        "$GEMINI_API_KEY or $GOOGLE_API_KEY or $GOOGLE_CLOUD_PROJECT"
    ]
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    assert rows("veo")["motion.veo"]["ready"] is True
