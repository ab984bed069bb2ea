"""Each vendor's protocol, played by the local server: create a task, report it, serve the result.

A `Job` scripts one task: how many 429s come before the create is accepted, how many polls
report it running, whether it ends failed, and whether the key is refused. Every request's
credentials are checked the way the vendor checks them; a bad one gets the vendor's 401. Each
create's last-frame image (the vendor's own field, decoded) is kept in `Job.ends`.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt

from .film import SRC_H, SRC_W

KEYS = {
    "KLING_ACCESS_KEY": "ak-test-0001",
    "KLING_SECRET_KEY": "sk-test-secret-0002-kling-hs256-key",
    "RUNWAYML_API_SECRET": "key_runway_0003",
    "LUMAAI_API_KEY": "luma-test-0004",
    "REPLICATE_API_TOKEN": "r8_test_0005",
    "FAL_KEY": "fal-test-0006:secret",
    "OPENAI_API_KEY": "sk-openai-test-0007",
    "GEMINI_API_KEY": "gemini-test-0008",
    "MINIMAX_API_KEY": "minimax-test-0009",
    "ARK_API_KEY": "ark-test-0010",
}


@dataclass
class Job:
    throttle: int = 0  # 429s before the create is accepted
    polls: int = 1  # status replies saying "running" before the end
    fail: str | None = None  # the vendor's reason, to end failed
    reject: bool = False  # refuse the key
    retry_after: str = "0"  # the Retry-After header sent with a 429
    created: int = 0
    polled: int = 0
    bad_auth: list[str] = field(default_factory=list)
    inputs: list[Any] = field(default_factory=list)
    ends: list[bytes | None] = field(default_factory=list)  # each create's last-frame image
    refs: list[list[bytes]] = field(
        default_factory=list
    )  # each create's reference images, in order

    def state(self) -> str:
        self.polled += 1
        if self.polled <= self.polls:
            return "running"
        return "failed" if self.fail else "done"


def _bearer(req: Any, token: str) -> bool:
    return req.headers.get("authorization") == f"Bearer {token}"


def _guard(job: Job, ok: bool, req: Any, refusal: Any) -> tuple[int, Any, dict] | None:
    if job.reject or not ok:
        job.bad_auth.append(req.path)
        return 401, refusal, {}
    return None


def _png_uri(uri: str | None) -> bytes | None:
    """The PNG a `data:image/png;base64,` URI carries (None for no URI)."""
    if uri is None:
        return None
    assert uri.startswith("data:image/png;base64,"), uri[:40]
    return base64.b64decode(uri.split(",", 1)[1])


def _throttle(job: Job, body: Any) -> tuple[int, Any, dict] | None:
    if job.throttle > 0:
        job.throttle -= 1
        return 429, body, {"retry-after": job.retry_after}
    return None


def kling(server: Any, job: Job, media: dict[str, bytes], kind: str) -> None:
    path = {
        "clip": "/v1/videos/image2video",
        "text": "/v1/videos/text2video",
        "refs": "/v1/videos/multi-image2video",
    }.get(kind, "/v1/images/generations")
    kind, out = ("clip", "out.mp4") if kind in ("clip", "text", "refs") else (kind, "out.png")

    def authorized(req: Any) -> bool:
        token = req.headers.get("authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(
                token,
                KEYS["KLING_SECRET_KEY"],
                algorithms=["HS256"],
                options={"require": ["iss", "exp", "nbf"]},
            )
        except jwt.PyJWTError:
            return False
        now = time.time()
        return claims["iss"] == KEYS["KLING_ACCESS_KEY"] and claims["nbf"] <= now < claims["exp"]

    refusal = {"code": 1000, "message": "Authorization failed", "request_id": "req-1"}

    @server.route("POST", path)
    def create(req: Any) -> Any:
        if r := _guard(job, authorized(req), req, refusal):
            return r
        if r := _throttle(
            job, {"code": 1302, "message": "API request too frequent", "request_id": "r"}
        ):
            return r
        body = req.json()
        if path.endswith("/image2video"):  # the still, as raw base64 (no data: prefix), first frame
            assert base64.b64decode(body["image"])[:8] == b"\x89PNG\r\n\x1a\n"
        if path.endswith("/multi-image2video"):  # 1 to 4 images, raw base64, no first frame
            assert body["model_name"] == "kling-v1-6" and 1 <= len(body["image_list"]) <= 4
            assert "image" not in body and "image_tail" not in body
        job.refs.append([base64.b64decode(i["image"]) for i in body.get("image_list", [])])
        job.ends.append(base64.b64decode(body["image_tail"]) if "image_tail" in body else None)
        job.inputs.append(body)
        job.created += 1
        return (
            200,
            {
                "code": 0,
                "message": "SUCCEED",
                "request_id": "r",
                "data": {"task_id": "task-861", "task_status": "submitted"},
            },
            {},
        )

    @server.route("GET", path + "/([\\w-]+)")
    def status(req: Any, task_id: str) -> Any:
        if r := _guard(job, authorized(req), req, refusal):
            return r
        state = job.state()
        data: dict[str, Any] = {
            "task_id": task_id,
            "task_status": {"running": "processing", "done": "succeed", "failed": "failed"}[state],
        }
        if state == "failed":
            data["task_status_msg"] = job.fail
        if state == "done":
            key = "videos" if kind == "clip" else "images"
            data["task_result"] = {
                key: [{"id": "v1", "index": 0, "url": f"{server.url}/media/{out}"}]
            }
        return 200, {"code": 0, "message": "SUCCEED", "request_id": "r", "data": data}, {}

    _media(server, media)


def runway(server: Any, job: Job, media: dict[str, bytes], kind: str) -> None:
    def authorized(req: Any) -> bool:
        return _bearer(req, KEYS["RUNWAYML_API_SECRET"]) and bool(
            req.headers.get("x-runway-version")
        )

    refusal = {"error": "Invalid API key"}

    @server.route("POST", "/v1/image_to_video")
    def create(req: Any) -> Any:
        if r := _guard(job, authorized(req), req, refusal):
            return r
        if r := _throttle(job, {"error": "Too many requests"}):
            return r
        body = req.json()
        assert body["promptImage"][0]["position"] == "first"
        assert body["promptImage"][0]["uri"].startswith("data:image/png;base64,")
        last = [image["uri"] for image in body["promptImage"] if image["position"] == "last"]
        job.ends.append(_png_uri(last[0]) if last else None)
        job.inputs.append(body)
        job.created += 1
        return 200, {"id": "17f20503-6c24-4c16-946b-35dbbce2af2f"}, {}

    @server.route("POST", "/v1/text_to_image")
    def image(req: Any) -> Any:
        if r := _guard(job, authorized(req), req, refusal):
            return r
        if r := _throttle(job, {"error": "Too many requests"}):
            return r
        body = req.json()
        references = body.get("referenceImages", [])
        assert len(references) <= 3 and body["promptText"]
        for ref in references:  # a tag Runway accepts, called in the prompt as @tag
            assert (
                re.fullmatch(r"[A-Za-z]\w{2,15}", ref["tag"])
                and f"@{ref['tag']}" in body["promptText"]
            )
        job.refs.append([_data_url(ref["uri"]) for ref in references])
        job.inputs.append(body)
        job.created += 1
        return 200, {"id": "2c4e4f7e-9a0e-4d52-8c1e-6a3c1f0f9b1a"}, {}

    @server.route("GET", "/v1/tasks/([\\w-]+)")
    def task(req: Any, task_id: str) -> Any:
        if r := _guard(job, authorized(req), req, refusal):
            return r
        state = job.state()
        body: dict[str, Any] = {
            "id": task_id,
            "createdAt": "2025-01-01T00:00:00Z",
            "status": {"running": "RUNNING", "done": "SUCCEEDED", "failed": "FAILED"}[state],
        }
        if state == "running":
            body["progress"] = 0.5
        if state == "done":
            body["output"] = [f"{server.url}/media/out.{'mp4' if kind == 'clip' else 'png'}"]
        if state == "failed":
            body |= {"failure": job.fail, "failureCode": "SAFETY.INPUT.IMAGE"}
        return 200, body, {}

    _media(server, media)


def luma(server: Any, job: Job, media: dict[str, bytes], kind: str) -> None:
    asset = "video" if kind == "clip" else "image"
    refusal = {"detail": "Invalid API key"}

    def generation(state: str, gid: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": gid,
            "generation_type": asset,
            "created_at": "2025-01-01T00:00:00Z",
            "model": "ray-2",
            "request": {},
            "failure_reason": None,
            "assets": None,
            "state": {
                "running": "dreaming",
                "done": "completed",
                "failed": "failed",
                "queued": "queued",
            }[state],
        }
        if state == "done":
            body["assets"] = {
                asset: f"{server.url}/media/out.{'mp4' if asset == 'video' else 'png'}"
            }
        if state == "failed":
            body["failure_reason"] = job.fail
        return body

    @server.route("POST", "/generations(?:/video|/image)?")
    def create(req: Any) -> Any:
        if r := _guard(job, _bearer(req, KEYS["LUMAAI_API_KEY"]), req, refusal):
            return r
        if r := _throttle(job, {"detail": "Rate limit exceeded"}):
            return r
        body = req.json()
        if kind == "clip":
            assert body["keyframes"]["frame0"]["url"].startswith("data:image/png;base64,")
            job.ends.append(_png_uri(body["keyframes"].get("frame1", {}).get("url")))
        else:  # one identity of up to 4 images, then style references
            identity = body.get("character_ref", {}).get("identity0", {}).get("images", [])
            assert len(identity) <= 4 and set(body.get("character_ref", {})) <= {"identity0"}
            styles = body.get("style_ref", [])
            assert all(0 <= s["weight"] <= 1 for s in styles)
            job.refs.append([_data_url(url) for url in [*identity, *(s["url"] for s in styles)]])
        job.inputs.append(body)
        job.created += 1
        return 201, generation("queued", "gen-5f1e"), {}

    @server.route("GET", "/generations/([\\w-]+)")
    def get(req: Any, gid: str) -> Any:
        if r := _guard(job, _bearer(req, KEYS["LUMAAI_API_KEY"]), req, refusal):
            return r
        return 200, generation(job.state(), gid), {}

    _media(server, media)


def replicate(server: Any, job: Job, media: dict[str, bytes], kind: str) -> None:
    refusal = {
        "title": "Unauthenticated",
        "detail": "You did not pass a valid authentication token",
        "status": 401,
    }

    def prediction(status: str, pid: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": pid,
            "model": "owner/model",
            "version": "v1",
            "status": status,
            "input": {},
            "output": None,
            "logs": "",
            "error": None,
            "metrics": {},
            "created_at": "2025-01-01T00:00:00Z",
            "urls": {
                "get": f"{server.url}/v1/predictions/{pid}",
                "cancel": f"{server.url}/v1/predictions/{pid}/cancel",
            },
        }
        if status == "succeeded":
            body["output"] = [f"{server.url}/media/out.{'mp4' if kind == 'clip' else 'png'}"]
        if status == "failed":
            body["error"] = job.fail
        return body

    @server.route("POST", "/v1/models/([\\w.-]+)/([\\w.-]+)/predictions")
    def create(req: Any, owner: str, name: str) -> Any:
        if r := _guard(job, _bearer(req, KEYS["REPLICATE_API_TOKEN"]), req, refusal):
            return r
        if r := _throttle(job, {"detail": "Request was throttled.", "status": 429}):
            return r
        body = req.json()
        if kind == "clip":
            assert body["input"]["image"].startswith("data:image/png;base64,")
            job.ends.append(_png_uri(body["input"].get("last_image")))
        job.inputs.append(body)
        job.created += 1
        return 201, prediction("starting", "p-9x2k"), {}

    @server.route("GET", "/v1/predictions/([\\w-]+)")
    def get(req: Any, pid: str) -> Any:
        if r := _guard(job, _bearer(req, KEYS["REPLICATE_API_TOKEN"]), req, refusal):
            return r
        state = job.state()
        return (
            200,
            prediction(
                {"running": "processing", "done": "succeeded", "failed": "failed"}[state], pid
            ),
            {},
        )

    _media(server, media)


def fal(server: Any, job: Job, media: dict[str, bytes], kind: str) -> None:
    app = "fal-ai/kling-video" if kind == "clip" else "fal-ai/flux"
    refusal = {"detail": "Invalid key"}
    ok = f"Key {KEYS['FAL_KEY']}"

    @server.route("POST", f"/{app}(?:/[\\w./-]+)?")
    def submit(req: Any) -> Any:
        if r := _guard(job, req.headers.get("authorization") == ok, req, refusal):
            return r
        if r := _throttle(job, {"detail": "Rate limit"}):
            return r
        body = req.json()
        if kind == "clip":
            assert body["image_url"].startswith("data:image/png;base64,")
            job.ends.append(_png_uri(body.get("tail_image_url")))
        job.inputs.append(body)
        job.created += 1
        base = f"{server.url}/{app}/requests/req-77"
        return (
            200,
            {
                "request_id": "req-77",
                "response_url": base,
                "status_url": base + "/status",
                "cancel_url": base + "/cancel",
            },
            {},
        )

    @server.route("GET", f"/{app}/requests/([\\w-]+)/status")
    def status(req: Any, rid: str) -> Any:
        if r := _guard(job, req.headers.get("authorization") == ok, req, refusal):
            return r
        state = job.state()
        if state == "running":
            return 200, {"status": "IN_PROGRESS", "logs": None}, {}
        return 200, {"status": "COMPLETED", "logs": None, "metrics": {}}, {}

    @server.route("GET", f"/{app}/requests/([\\w-]+)")
    def result(req: Any, rid: str) -> Any:
        if r := _guard(job, req.headers.get("authorization") == ok, req, refusal):
            return r
        if job.fail:
            return 422, {"detail": [{"msg": job.fail, "type": "content_policy_violation"}]}, {}
        if kind == "clip":
            return 200, {"video": {"url": f"{server.url}/media/out.mp4"}}, {}
        return 200, {"images": [{"url": f"{server.url}/media/out.png"}], "seed": 1}, {}

    _media(server, media)


def openai(server: Any, job: Job, media: dict[str, bytes], kind: str) -> None:
    @server.route("POST", "/v1/images/generations")
    def generate(req: Any) -> Any:
        refusal = {
            "error": {
                "message": "Incorrect API key provided",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
            }
        }
        if r := _guard(job, _bearer(req, KEYS["OPENAI_API_KEY"]), req, refusal):
            return r
        if r := _throttle(job, {"error": {"message": "Rate limit reached", "type": "requests"}}):
            return r
        job.inputs.append(req.json())
        job.polled += 1
        if job.fail:
            return (
                400,
                {
                    "error": {
                        "message": job.fail,
                        "type": "image_generation_user_error",
                        "code": "moderation_blocked",
                    }
                },
                {},
            )
        job.created += 1
        return (
            200,
            {
                "created": 1713833628,
                "data": [{"b64_json": base64.b64encode(media["png"]).decode()}],
            },
            {},
        )


def openai_edits(server: Any, job: Job, media: dict[str, bytes], kind: str) -> None:
    """`images.edit`: multipart form with the reference images as `image[]` parts."""

    @server.route("POST", "/v1/images/edits")
    def edit(req: Any) -> Any:
        if r := _guard(
            job, _bearer(req, KEYS["OPENAI_API_KEY"]), req, {"error": {"message": "bad key"}}
        ):
            return r
        assert req.headers["content-type"].startswith("multipart/form-data")
        job.refs.append([data for name, data, _ in _parts(req) if name == "image[]"])
        job.inputs.append(req.body)
        job.created += 1
        return (
            200,
            {
                "created": 1713833629,
                "data": [{"b64_json": base64.b64encode(media["png"]).decode()}],
            },
            {},
        )


def veo(
    server: Any,
    job: Job,
    media: dict[str, bytes],
    kind: str,
    project: str | None = None,
    location: str = "us-central1",
    token: str = "",
    uri: str | None = None,
    model: str = "veo-2.0-generate-001",
) -> None:
    """Veo on Vertex AI: express mode (the API key), or with `project` that project's own endpoints,
    authorized by the OAuth access `token`; `uri`: the video is answered as that Cloud Storage URI.
    A create with `referenceImages` takes neither a first nor a last frame."""
    key = KEYS["GEMINI_API_KEY"]
    scope = f"projects/{project}/locations/{location}/" if project else ""
    resource = f"projects/{project or 'p1'}/locations/{location}/publishers/google/models/{model}"
    refusal = {
        "error": {
            "code": 401,
            "message": "API keys are not supported by this API. Expected OAuth2 "
            "access token or other authentication credentials.",
            "status": "UNAUTHENTICATED",
        }
    }

    def authorized(req: Any) -> bool:
        if project:
            return _bearer(req, token) and "x-goog-api-key" not in req.headers
        return req.headers.get("x-goog-api-key") == key

    @server.route("POST", f"/v1beta1/{scope}publishers/google/models/{model}:predictLongRunning")
    def create(req: Any) -> Any:
        if r := _guard(job, authorized(req), req, refusal):
            return r
        if r := _throttle(
            job,
            {
                "error": {
                    "code": 429,
                    "message": "Resource has been exhausted",
                    "status": "RESOURCE_EXHAUSTED",
                }
            },
        ):
            return r
        body = req.json()
        instance = body["instances"][0]
        assets = instance.get("referenceImages") or []
        if assets:
            assert "image" not in instance and "lastFrame" not in instance
            assert all(a["referenceType"].lower() == "asset" for a in assets)
        else:
            image = instance["image"]
            assert base64.b64decode(image["bytesBase64Encoded"])[:4] == b"\x89PNG"
        job.refs.append([base64.b64decode(a["image"]["bytesBase64Encoded"]) for a in assets])
        last = instance.get("lastFrame")
        if last:
            assert last["mimeType"] == "image/png"
        job.ends.append(base64.b64decode(last["bytesBase64Encoded"]) if last else None)
        job.inputs.append(body)
        job.created += 1
        return 200, {"name": f"{resource}/operations/op-3k9"}, {}

    @server.route("POST", f"/v1beta1/{resource}:fetchPredictOperation")
    def operation(req: Any) -> Any:
        if r := _guard(job, authorized(req), req, refusal):
            return r
        name = req.json()["operationName"]
        state = job.state()
        if state == "running":
            return 200, {"name": name}, {}
        if state == "failed":
            return 200, {"name": name, "done": True, "error": {"code": 3, "message": job.fail}}, {}
        video = (
            {"gcsUri": uri}
            if uri
            else {"bytesBase64Encoded": base64.b64encode(media["mp4"]).decode()}
        )
        video["mimeType"] = "video/mp4"
        return (
            200,
            {
                "name": name,
                "done": True,
                "response": {
                    "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
                    "videos": [video],
                },
            },
            {},
        )


def _parts(req: Any) -> list[tuple[str, bytes, str | None]]:
    """A multipart/form-data body's parts in order: (name, content, a file part's content type)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"content-type: " + req.headers["content-type"].encode() + b"\r\n\r\n" + req.body
    )
    assert message.is_multipart(), req.headers["content-type"]
    return [
        (
            part.get_param("name", header="content-disposition"),
            part.get_payload(decode=True),
            part.get_content_type() if part.get_filename() else None,
        )
        for part in message.iter_parts()
    ]


def sora(server: Any, job: Job, media: dict[str, bytes], kind: str) -> None:
    """OpenAI's Videos API: a multipart create with `input_reference`, retrieve, download."""

    def refusal(message: str, code: str, kind: str = "invalid_request_error") -> dict[str, Any]:
        return {"error": {"message": message, "type": kind, "code": code, "param": None}}

    bad_key = refusal("Incorrect API key provided", "invalid_api_key")

    def video(state: str, vid: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": vid,
            "object": "video",
            "model": "sora-2",
            "status": {"running": "in_progress", "done": "completed", "failed": "failed"}[state],
            "progress": {"running": 40, "done": 100, "failed": 0}[state],
            "created_at": 1760000000,
            "seconds": "4",
            "size": "1280x720",
        }
        if state == "failed":
            body["error"] = {"code": "moderation_blocked", "message": job.fail}
        return body

    @server.route("POST", "/v1/videos")
    def create(req: Any) -> Any:
        if r := _guard(job, _bearer(req, KEYS["OPENAI_API_KEY"]), req, bad_key):
            return r
        if r := _throttle(job, refusal("Rate limit reached", "rate_limit_exceeded", "requests")):
            return r
        form = {name: (data, mime) for name, data, mime in _parts(req)}
        image, mime = form["input_reference"]
        assert mime == "image/png" and image[:8] == b"\x89PNG\r\n\x1a\n"
        job.refs.append([image])
        job.ends.append(None)
        job.inputs.append({k: v.decode() for k, (v, m) in form.items() if m is None})
        job.created += 1
        return 200, video("running", "video_68d7512d07848190"), {}

    @server.route("GET", "/v1/videos/([\\w-]+)")
    def retrieve(req: Any, vid: str) -> Any:
        if r := _guard(job, _bearer(req, KEYS["OPENAI_API_KEY"]), req, bad_key):
            return r
        return 200, video(job.state(), vid), {}

    @server.route("GET", "/v1/videos/([\\w-]+)/content")
    def content(req: Any, vid: str) -> Any:
        if r := _guard(job, _bearer(req, KEYS["OPENAI_API_KEY"]), req, bad_key):
            return r
        assert req.path.endswith("?variant=video"), req.path
        return 200, media["mp4"], {"content-type": "video/mp4"}


def _data_url(url: str) -> bytes:
    """The image a `data:image/...;base64,` URL carries."""
    head, _, data = url.partition(",")
    assert head.startswith("data:image/") and head.endswith(";base64"), head[:40]
    return base64.b64decode(data)


def hailuo(server: Any, job: Job, media: dict[str, bytes], kind: str) -> None:
    """MiniMax: errors are HTTP 200 with a non-zero `base_resp.status_code`."""

    def base(code: int = 0, message: str = "success") -> dict[str, Any]:
        return {"base_resp": {"status_code": code, "status_msg": message}}

    def authorized(req: Any) -> Any:
        if job.reject or not _bearer(req, KEYS["MINIMAX_API_KEY"]):
            job.bad_auth.append(req.path)
            return 200, base(1004, "login fail: Please carry the API secret key"), {}
        return None

    @server.route("POST", "/v1/video_generation")
    def create(req: Any) -> Any:
        if r := authorized(req):
            return r
        if job.throttle > 0:
            job.throttle -= 1
            return 200, base(1002, "rate limit exceeded(RPM)"), {}
        body = req.json()
        if "subject_reference" in body:
            (subject,) = body["subject_reference"]
            assert subject["type"] == "character" and "first_frame_image" not in body
            job.refs.append([_data_url(url) for url in subject["image"]])
        else:
            assert _data_url(body["first_frame_image"])[:4] == b"\x89PNG"
            job.refs.append([])
        last = body.get("last_frame_image")
        job.ends.append(_data_url(last) if last else None)
        job.inputs.append(body)
        job.created += 1
        return 200, {"task_id": "106916112212032"} | base(), {}

    @server.route("GET", "/v1/query/video_generation")
    def query(req: Any) -> Any:
        if r := authorized(req):
            return r
        task_id = req.path.split("task_id=", 1)[1]
        state = job.state()
        if state == "running":
            return 200, {"task_id": task_id, "status": "Processing"} | base(), {}
        if state == "failed":
            return 200, {"task_id": task_id, "status": "Fail"} | base(1026, job.fail or ""), {}
        reply = {"task_id": task_id, "status": "Success", "file_id": "176844028768320"}
        return 200, reply | {"video_width": SRC_W, "video_height": SRC_H} | base(), {}

    @server.route("GET", "/v1/files/retrieve")
    def retrieve(req: Any) -> Any:
        if r := authorized(req):
            return r
        assert req.path.endswith("file_id=176844028768320"), req.path
        found = {
            "file_id": 176844028768320,
            "bytes": len(media["mp4"]),
            "created_at": 1700469398,
            "filename": "output_aigc.mp4",
            "purpose": "video_generation",
            "download_url": f"{server.url}/media/out.mp4",
        }
        return 200, {"file": found} | base(), {}

    _media(server, media)


def seedance(server: Any, job: Job, media: dict[str, bytes], kind: str) -> None:
    """BytePlus ModelArk content generation tasks."""
    tasks = "/api/v3/contents/generations/tasks"

    def error(code: str, message: str, kind: str) -> dict[str, Any]:
        return {"error": {"code": code, "message": message, "param": "", "type": kind}}

    bad_key = error(
        "AuthenticationError", "The API key in the request is missing or invalid.", "Unauthorized"
    )

    @server.route("POST", tasks)
    def create(req: Any) -> Any:
        if r := _guard(job, _bearer(req, KEYS["ARK_API_KEY"]), req, bad_key):
            return r
        if r := _throttle(
            job,
            error("RateLimitExceeded.EndpointRPMExceeded", "Too many requests", "TooManyRequests"),
        ):
            return r
        body = req.json()
        text, *images = body["content"]
        assert text["type"] == "text" and text["text"]
        assert all(item["type"] == "image_url" for item in images)
        roles = [item["role"] for item in images]
        by_role = {
            role: [_data_url(i["image_url"]["url"]) for i in images if i["role"] == role]
            for role in roles
        }
        if "reference_image" in by_role:
            assert "first_frame" not in by_role and "last_frame" not in by_role
        else:
            assert roles[0] == "first_frame" and by_role["first_frame"][0][:4] == b"\x89PNG"
        job.refs.append(by_role.get("reference_image", []))
        job.ends.append((by_role.get("last_frame") or [None])[0])
        job.inputs.append(body)
        job.created += 1
        return 200, {"id": "cgt-20250331175019-68d9t"}, {}

    @server.route("GET", tasks + "/([\\w-]+)")
    def get(req: Any, task_id: str) -> Any:
        if r := _guard(job, _bearer(req, KEYS["ARK_API_KEY"]), req, bad_key):
            return r
        state = job.state()
        task: dict[str, Any] = {
            "id": task_id,
            "model": "seedance-1-0-pro-250528",
            "status": {"running": "running", "done": "succeeded", "failed": "failed"}[state],
            "created_at": 1743414619,
            "updated_at": 1743414673,
        }
        if state == "done":
            task["content"] = {"video_url": f"{server.url}/media/out.mp4"}
            task["usage"] = {"completion_tokens": 108900, "total_tokens": 108900}
        if state == "failed":
            task["error"] = {"code": "OutputVideoSensitiveContentDetected", "message": job.fail}
        return 200, task, {}

    _media(server, media)


def _media(server: Any, media: dict[str, bytes]) -> None:
    @server.route("GET", "/media/out.(mp4|png)")
    def serve(req: Any, ext: str) -> Any:
        return 200, media[ext], {"content-type": "video/mp4" if ext == "mp4" else "image/png"}


Install = Callable[[Any, Job, dict[str, bytes], str], None]
