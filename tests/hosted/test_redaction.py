"""A credential the program mints (Kling's JWT) echoed back by a vendor is masked everywhere."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.hosted.common import minted, redact
from tests.folder.test_folder import midjourney_png
from tests.run.conftest import json_report

from . import vendors
from .film import kling_film, make_mp4, make_png
from .vendors import Job


@pytest.fixture
def film(tmp_path, server, monkeypatch):
    root = kling_film(tmp_path, server, monkeypatch)
    midjourney_png(root / "exports" / "sc01_sh010.png")
    midjourney_png(root / "exports" / "sc01_sh020.png", color=(90, 20, 20), how="plain")
    return root


def _tokens(server) -> set[str]:
    """Every JWT the program sent the vendor."""
    tokens = {r.headers.get("authorization", "").removeprefix("Bearer ") for r in server.log}
    return {t for t in tokens if t}


def _assert_nowhere(film, tokens, *texts):
    assert tokens
    stored = [p.read_bytes() for p in film.rglob("*") if p.is_file()]  # database, journal, cut ...
    for token in tokens:
        signature = token.rsplit(".", 1)[1]
        for text in texts:
            assert token not in text and signature not in text
        for data in stored:
            assert signature.encode() not in data


@pytest.mark.parametrize("echo", ["error", "result"])
def test_a_kling_token_echoed_by_the_vendor_is_never_printed_or_stored(film, server, echo):
    job = Job(polls=0, fail="placeholder" if echo == "result" else None)
    if echo == "error":  # the create is refused with the request's own header in the message

        @server.route("POST", "/v1/videos/image2video")
        def refuse(req):
            return 400, {"code": 1201, "message": f"bad header {req.headers['authorization']}"}, {}
    else:  # the task ends failed, its reason quoting the token the poll carried

        @server.route("GET", "/v1/videos/image2video/([\\w-]+)")
        def failed(req, task_id):
            token = req.headers["authorization"].removeprefix("Bearer ")
            return (
                200,
                {
                    "code": 0,
                    "message": "SUCCEED",
                    "data": {
                        "task_id": task_id,
                        "task_status": "failed",
                        "task_status_msg": f"token {token} is not valid for this proxy",
                    },
                },
                {},
            )

    vendors.kling(server, job, {"mp4": make_mp4(), "png": make_png()}, "clip")
    runner = CliRunner()
    result = runner.invoke(app, ["render", str(film), "--json", "--yes"])
    assert result.exit_code == 3, result.output
    failed = json_report(result.stdout)["failed"]
    assert set(failed) == {"sc01_sh010", "sc01_sh020"}
    said = "Bearer ***" if echo == "error" else "token *** is not valid"
    assert all(said in message for message in failed.values()), failed
    provenance = runner.invoke(app, ["provenance", str(film)]).stdout
    _assert_nowhere(film, _tokens(server), result.stdout, result.stderr, provenance)


def test_redact_masks_keys_minted_secrets_bearers_jwts_and_signed_urls(monkeypatch):
    monkeypatch.setenv("RUNWAYML_API_SECRET", "key_runway_0003")
    secret = minted("opaque-session-9f8e7d6c5b4a")
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhayJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    text = redact(
        f"key key_runway_0003; session {secret}; Authorization: Bearer abc.def-ghi_jkl012345; "
        f"jwt {jwt}; https://cdn.example.com/a.mp4?X-Amz-Signature=deadbeef&X-Amz-Credential="
        f"AKIA%2F2025&size=9 and https://x.example/v.mp4?_jwt=abc123&token=t0k3n"
    )
    assert text == (
        "key ***; session ***; Authorization: Bearer ***; jwt ***; "
        "https://cdn.example.com/a.mp4?X-Amz-Signature=***&X-Amz-Credential=***&size=9 "
        "and https://x.example/v.mp4?_jwt=***&token=***"
    )
    assert (
        redact("Bearer token expired; the key is wrong") == "Bearer token expired; the key is wrong"
    )
