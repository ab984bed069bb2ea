"""Google Veo (`veo:MODEL`) on Vertex AI through the official `google-genai` SDK.

Two ways in: with `GOOGLE_CLOUD_PROJECT` set (and `GOOGLE_CLOUD_LOCATION`, default
`us-central1`), the studio's own project with Application Default Credentials (a service
account, or `gcloud auth application-default login`); otherwise express mode, keyed by
`GEMINI_API_KEY` or `GOOGLE_API_KEY` (sent as `x-goog-api-key`). `generate_videos` starts a
long-running operation from the shot's still; its name is the remote id, polled with
`operations.get` until done; the video comes back inline, or as a URI fetched with the key.
A video written to Cloud Storage (`gs://`) is not fetched: no output bucket is ever asked for.
On Veo 2 and Veo 3.1 (not Veo 3.0), a clip asked to arrive at a still sends it as the config's
`last_frame`. `base_url` points the SDK elsewhere.

References (`?input=refs`, Veo 3.1): the clip is made from the prompt and up to 3 of the shot's
reference images (its characters', then the look's) as the config's `reference_images` of type
`asset` (https://ai.google.dev/gemini-api/docs/video, "Using reference images"; the SDK's
`GenerateVideosConfig.reference_images`), which take neither a first nor a last frame, and an
8-second clip, as Google documents for reference images.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

from storyreel.backends import Landing, Option, choice
from storyreel.errors import StoryreelError
from storyreel.files import png_bytes
from storyreel.hosted.common import (
    HostedBackend,
    Poll,
    nearest_ratio,
    redact,
    require_key,
    require_module,
)
from storyreel.look import compile_prompt
from storyreel.motion.base import ClipRequest, MotionBackend
from storyreel.motion.folder import ConformedClip
from storyreel.references import required, shot_references
from storyreel.store.keys import digest

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
MAX_REFS = 3  # asset reference images
REFS_SECONDS = 8  # the one duration Veo 3.1 makes from reference images
T = TypeVar("T")


def authorized(fn: Callable[[], T]) -> T:
    """`fn()`; Application Default Credentials missing or refused become an error saying how to fix them."""
    exceptions = require_module("google.auth.exceptions", "veo")
    try:
        return fn()
    except (exceptions.DefaultCredentialsError, exceptions.RefreshError) as e:
        raise StoryreelError(
            f"veo: no usable Google Cloud credentials for GOOGLE_CLOUD_PROJECT="
            f"{os.environ.get('GOOGLE_CLOUD_PROJECT')} ({redact(str(e))}); run "
            "`gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a "
            "service-account key file (or unset GOOGLE_CLOUD_PROJECT to use an API key)"
        ) from None


class VeoMotion(HostedBackend, MotionBackend):
    vendor: ClassVar[str] = "veo"
    name: ClassVar[str] = "veo"
    default_model: ClassVar[str] = "veo-2.0-generate-001"
    env: ClassVar[tuple[tuple[str, ...], ...]] = (
        ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_CLOUD_PROJECT"),
    )
    packages: ClassVar[tuple[str, ...]] = ("google.genai",)
    landing: ClassVar[Landing] = Landing.SOME_MODELS
    options: ClassVar[Mapping[str, Option]] = {
        "input": choice(
            "image: from the shot's still; refs: from up to 3 of the shot's reference images "
            "(Veo 3.1)",
            "image",
            "refs",
        ),
    }

    @classmethod
    def check(cls, argument: str | None) -> tuple[str | None, dict[str, Any]]:
        model, options = super().check(argument)
        if options.get("input") == "refs" and not (model or cls.default_model).startswith(
            "veo-3.1-"
        ):
            raise StoryreelError(
                "veo: input=refs (reference images) is made by the Veo 3.1 models only; "
                "name one: veo:veo-3.1-generate-preview?input=refs"
            )
        return model, options

    @property
    def from_refs(self) -> bool:
        return self.settings.get("input") == "refs"

    @property
    def lands(self) -> bool:
        return not self.from_refs and self.model.startswith(("veo-2.0-", "veo-3.1-"))

    def _client(self, types: Any) -> tuple[Any, str | None, dict[str, str]]:
        """The SDK client, the API key it uses (None on a project), and what names the project in a job key."""
        genai = require_module("google.genai", self.vendor)
        options = types.HttpOptions(base_url=self.base_url) if self.base_url else None
        project = os.environ.get("GOOGLE_CLOUD_PROJECT")
        if not project:  # express mode; the error names every way in
            key = require_key(
                self.vendor, "GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_CLOUD_PROJECT"
            )
            return genai.Client(vertexai=True, api_key=key, http_options=options), key, {}
        location = os.environ.get("GOOGLE_CLOUD_LOCATION") or "us-central1"
        auth = require_module("google.auth", self.vendor)
        credentials, _ = authorized(lambda: auth.default(scopes=[SCOPE]))
        client = genai.Client(
            vertexai=True,
            project=project,
            location=location,
            credentials=credentials,
            http_options=options,
        )
        return client, None, {"project": project, "location": location}

    def animate(self, request: ClipRequest) -> ConformedClip:
        types = require_module("google.genai.types", self.vendor)
        client, key, where = self._client(types)
        prompt = compile_prompt(
            request.shot, request.scene, request.config, "motion", negative=True
        )
        png = png_bytes(request.still.image)
        ratio = nearest_ratio(request.size, ("16:9", "9:16"))
        seconds = self._seconds(request, (REFS_SECONDS,) if self.from_refs else (5, 6, 7, 8))
        end, ending = self._ending(request)
        last = types.Image(image_bytes=end, mime_type="image/png") if end is not None else None
        references = []
        if self.from_refs:
            chosen = shot_references(request.shot, request.config, request.project_root, MAX_REFS)
            references = required(chosen, "veo")
        assets = [
            types.VideoGenerationReferenceImage(
                image=types.Image(image_bytes=data, mime_type=mime),
                reference_type=types.VideoGenerationReferenceType.ASSET,
            )
            for data, mime in (r.sendable() for r in references)
        ]
        first = None if assets else types.Image(image_bytes=png, mime_type="image/png")

        def submit() -> str:
            op = authorized(
                lambda: client.models.generate_videos(
                    model=self.model,
                    source=types.GenerateVideosSource(prompt=prompt.prompt, image=first),
                    config=types.GenerateVideosConfig(
                        number_of_videos=1,
                        duration_seconds=seconds,
                        aspect_ratio=ratio,
                        negative_prompt=prompt.negative,
                        last_frame=last,
                        reference_images=assets or None,
                    ),
                )
            )
            return op.name

        def check(name: str) -> Poll:
            op: Any = authorized(
                lambda: client.operations.get(types.GenerateVideosOperation(name=name))
            )
            if not op.done:
                return Poll("running")
            if op.error:
                return Poll("failed", message=str(op.error.get("message") or op.error))
            videos = (op.response.generated_videos or []) if op.response else []
            video = videos[0].video if videos else None
            if video and video.video_bytes:
                return Poll("done", data=video.video_bytes)
            if video and video.uri and video.uri.startswith("http") and key:
                return Poll("done", url=video.uri, headers={"x-goog-api-key": key})
            if (
                video and video.uri
            ):  # the job stays on record: the next run polls it, it does not pay again
                raise StoryreelError(
                    f"veo job {name}: the video went to {video.uri}, which storyreel does not "
                    "download (fetch it with `gcloud storage cp`); without an output bucket "
                    "(storage URI) set, Vertex AI returns the video inline"
                )
            reasons = (
                getattr(op.response, "rai_media_filtered_reasons", None) if op.response else None
            )
            return Poll("failed", message="; ".join(reasons or []) or "no video returned")

        sent = {"refs": [r.sha256 for r in references]} if references else {"image": digest(png)}
        inputs = (
            {"prompt": prompt.prompt, "ratio": ratio, "seconds": seconds} | sent | ending | where
        )
        file, remote_id = self._run("clip", request.project_root, ".mp4", inputs, submit, check)
        meta = self._meta(
            prompt,
            remote_id,
            aspect_ratio=ratio,
            duration_seconds=seconds,
            references=[r.record("reference_images/asset") for r in references],
            **ending,
        )
        return self._clip(file, request, meta)
