"""What every hosted backend shares: retries, the job ledger, polling and downloads.

A hosted job runs submit → record the remote id → poll → download. The remote id is in the
ledger (the project database) before polling starts, so a crash or Ctrl-C between submit and
result resumes polling on the next run instead of paying twice; a finished job's download is
reused for the same job key (`storyreel.store.keys.job_key`). 429s, 5xx and network errors are retried with exponential backoff
and jitter (a `Retry-After` header wins); any other 4xx (bad key, content policy, quota) fails
the shot with the vendor's own message. Keys are read from the environment when a request is
made and never written anywhere; what is made from them (a JWT) is registered with `minted`;
every text from a vendor (errors, a failed job's reason, a remote id) passes through `redact`.
"""

from __future__ import annotations

import base64
import collections
import importlib
import io
import json
import os
import random
import re
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from storyreel.backends import Argument, Backend
from storyreel.errors import StoryreelError, did_you_mean
from storyreel.files import atomic_write, png_bytes
from storyreel.hosted.charges import Quoted, account
from storyreel.look import ShotPrompt
from storyreel.model import Shot, Still
from storyreel.motion.base import ClipRequest
from storyreel.motion.folder import ConformedClip, conform_video
from storyreel.stills.folder import fit_cover, read_image
from storyreel.store.db import Database
from storyreel.store.keys import digest, job_key

KEY_VARS = (
    "KLING_ACCESS_KEY",
    "KLING_SECRET_KEY",
    "RUNWAYML_API_SECRET",
    "LUMAAI_API_KEY",
    "REPLICATE_API_TOKEN",
    "FAL_KEY",
    "OPENAI_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "ANTHROPIC_API_KEY",
    "HF_TOKEN",
    "MINIMAX_API_KEY",
    "ARK_API_KEY",
    "ELEVENLABS_API_KEY",
)


class VendorRefused(StoryreelError):
    """A vendor said no (a 4xx other than a rate limit); `status` is the HTTP status."""

    def __init__(self, message: str, status: int | None):
        super().__init__(message)
        self.status = status


@dataclass
class Poll:
    """A job's state as the vendor reports it: running, done (with a URL or bytes) or failed."""

    state: str  # "running" | "done" | "failed"
    url: str | None = None
    data: bytes | None = None
    message: str = ""
    remote_id: str | None = None  # set by synchronous vendors, whose submit is the whole job
    headers: dict[str, str] = field(default_factory=dict)  # for the download, e.g. an API key
    cost: float | None = None  # what the vendor's response says the job cost, in US dollars


@dataclass
class Timing:
    """Polling and retry timing; tests make these tiny."""

    poll_interval: float = 5.0
    poll_max: float = 30.0
    timeout: float = 1800.0
    retries: int = 5
    backoff: float = 1.0
    backoff_max: float = 60.0
    sleep: Callable[[float], None] = time.sleep


_MINTED: collections.deque[str] = collections.deque(maxlen=256)  # the latest minted secrets
_CREDENTIALS = (  # what a credential looks like wherever a vendor or a proxy echoes one
    (re.compile(r"\b(bearer)\s+[A-Za-z0-9._~+/=-]{16,}", re.IGNORECASE), r"\1 ***"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"), "***"),  # a JWT
    (
        re.compile(
            r"([?&](?:x-amz-(?:signature|credential|security-token)|x-goog-(?:signature|credential)"
            r"|signature|sig|_?jwt|token|access_token|api_key|apikey|key|policy|key-pair-id)=)"
            r"[^&#\s\"'<>]+",
            re.IGNORECASE,
        ),
        r"\1***",
    ),  # a signed URL's credentials
)


def minted(secret: str) -> str:
    """Register a credential made from a key (a JWT, a signed request), so that `redact` masks
    it as it masks the keys; returns it."""
    if len(secret) >= 8:
        _MINTED.append(secret)
    return secret


def redact(text: str) -> str:
    """`text` with every credential masked: the key variables set in the environment, the
    secrets `minted` from them, and anything shaped like a bearer token, a JWT or a signed
    URL's query credentials."""
    for value in (*(os.environ.get(var) for var in KEY_VARS), *_MINTED):
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    for pattern, mask in _CREDENTIALS:
        text = pattern.sub(mask, text)
    return text


def require_key(vendor: str, *names: str) -> str:
    """The first of `names` set in the environment, or an error naming the variable."""
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    alts = " or ".join(names)
    raise StoryreelError(f"{vendor}: no API key; set the environment variable {alts}")


def require_module(name: str, vendor: str) -> Any:
    """Import a vendor SDK, or say which extra installs it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise StoryreelError(
            f"{vendor}: the Python package {name!r} is missing; pip install 'storyreel[hosted]'"
        ) from None


# --- errors and retries ----------------------------------------------------------------------


def _response(exc: BaseException) -> Any:
    return getattr(exc, "response", None)


def status_of(exc: BaseException) -> int | None:
    """The HTTP status an SDK or httpx error carries, if any."""
    for attr in ("status_code", "status", "code"):
        value = getattr(exc, attr, None)
        if isinstance(value, int) and 100 <= value < 600:
            return value
    value = getattr(_response(exc), "status_code", None)
    return value if isinstance(value, int) else None


def retry_after(exc: BaseException) -> float | None:
    headers = getattr(_response(exc), "headers", None) or {}
    try:
        return max(0.0, float(headers.get("retry-after", "")))
    except (TypeError, ValueError):
        return None


def message_of(body: Any) -> str:
    """The human part of a vendor's error body (JSON or text)."""
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body)
        except ValueError:
            return str(body.decode("utf-8", "replace") if isinstance(body, bytes) else body).strip()
    if isinstance(body, dict):
        for key in ("message", "detail", "failure", "error", "failure_reason", "title"):
            value = body.get(key)
            if isinstance(value, dict):
                return message_of(value)
            if isinstance(value, list) and value:
                return "; ".join(message_of(v) if isinstance(v, dict) else str(v) for v in value)
            if value:
                code = body.get("code")
                return (
                    f"{value} (code {code})"
                    if code not in (None, "", 0) and key == "message"
                    else str(value)
                )
    return json.dumps(body)[:500]


def _describe(exc: BaseException) -> str:
    response = _response(exc)
    try:
        text = message_of(response.content) if response is not None else ""
    except Exception:  # a streamed or closed response: fall back on the exception's text
        text = ""
    body = getattr(exc, "body", None)  # SDKs without a response on the error (elevenlabs)
    if not text and isinstance(body, (dict, str, bytes)):
        text = message_of(body)
    return redact(text or str(exc) or exc.__class__.__name__)


def _transient(exc: BaseException, status: int | None) -> bool:
    if status is not None:
        return status in (408, 425, 429) or status >= 500
    name = type(exc).__name__
    return isinstance(exc, (ConnectionError, TimeoutError)) or any(
        word in name for word in ("Connect", "Timeout", "Transport", "Network", "RemoteProtocol")
    )


def call(vendor: str, fn: Callable[[], Any], timing: Timing) -> Any:
    """`fn()`, retried on 429, 5xx and network errors; a refusal becomes a `StoryreelError`."""
    attempt = 0
    while True:
        try:
            return fn()
        except StoryreelError:
            raise
        except Exception as e:
            status = status_of(e)
            if not _transient(e, status):
                what = f"refused the request (HTTP {status})" if status else "failed"
                raise VendorRefused(f"{vendor} {what}: {_describe(e)}", status) from None
            if attempt >= timing.retries:
                what = f"HTTP {status}" if status else type(e).__name__
                raise StoryreelError(
                    f"{vendor}: gave up after {attempt + 1} tries ({what}: {_describe(e)})"
                ) from None
            wait = retry_after(e)
            if wait is None:
                wait = min(timing.backoff_max, timing.backoff * 2**attempt) * random.uniform(
                    0.5, 1.0
                )
            timing.sleep(wait)
            attempt += 1


def download(vendor: str, url: str, timing: Timing, headers: dict[str, str] | None = None) -> bytes:
    import httpx

    def get() -> bytes:
        r = httpx.get(url, headers=headers or {}, follow_redirects=True, timeout=120)
        r.raise_for_status()
        return r.content

    return call(vendor, get, timing)


# --- jobs ---------------------------------------------------------------------------------


AUDIO_SUFFIXES = (".mp3", ".wav", ".flac", ".ogg")


def _readable(data: bytes, suffix: str) -> bool:
    """Whether `data` decodes: one video frame or audio frame, or the whole image."""
    import av

    try:
        if suffix in AUDIO_SUFFIXES:
            with av.open(io.BytesIO(data)) as container:
                next(container.decode(audio=0))
        elif suffix == ".mp4":
            with av.open(io.BytesIO(data)) as container:
                next(container.decode(video=0))
        else:
            with Image.open(io.BytesIO(data)) as img:
                img.load()
    except Exception:  # any decoder failure means the same thing here
        return False
    return True


def reusable(record: dict[str, Any] | None, check: Callable[[str], Poll] | None) -> bool:
    """Whether `run_job` gets a job on record without paying again: finished with its download
    at hand, or not failed at a vendor that can be asked about it (resumed)."""
    if not record:
        return False
    if (
        record["status"] == "succeeded"
        and record.get("result")
        and Path(record["result"]).is_file()
    ):
        return True
    return record["status"] != "failed" and check is not None


def run_job(
    vendor: str,
    key: str,
    *,
    ledger: Database | None,
    folder: Path,
    suffix: str,
    timing: Timing,
    submit: Callable[[], str | Poll],
    check: Callable[[str], Poll] | None,
    charge: dict[str, Any] | None = None,
) -> tuple[Path, str]:
    """Submit once per key (or resume), poll to the end, download: (local file, remote id).

    `check` is None for a synchronous vendor, whose `submit` returns the finished `Poll`.
    `charge` is what the submission costs, as the ledger records it (`Database.job_put`); a
    vendor whose response says what it charged (`Poll.cost`) corrects it.
    """
    record = ledger.job_get(key) if ledger else None
    if (
        record
        and record["status"] == "succeeded"
        and record.get("result")
        and Path(record["result"]).is_file()
    ):
        return Path(record["result"]), record["remote_id"]
    poll: Poll | None = None
    if record and record["status"] != "failed" and check is not None:
        remote_id = record["remote_id"]  # resume: poll the job we already paid for
        try:
            poll = call(vendor, lambda: check(remote_id), timing)
        except VendorRefused as e:
            if e.status != 404:
                raise
            record = None  # the vendor no longer knows the job: nothing to resume
    if not record or record["status"] == "failed" or check is None:
        out = call(vendor, submit, timing)
        poll = out if isinstance(out, Poll) else None
        remote_id = (poll.remote_id or "") if poll else str(out)
        if ledger:
            ledger.job_put(key, vendor, remote_id, charge=charge)
    named = redact(remote_id)  # the id as messages say it: a vendor's text like any other
    deadline = time.monotonic() + timing.timeout
    interval = timing.poll_interval
    while True:
        if poll is None:
            assert check is not None
            poll = call(vendor, lambda: check(remote_id), timing)
        if poll.state == "done":
            break
        if poll.state == "failed":
            message = redact(poll.message or "no reason given")
            if ledger:
                ledger.job_update(key, "failed", message)
            raise StoryreelError(f"{vendor} job {named} failed: {message}")
        if time.monotonic() > deadline:
            raise StoryreelError(
                f"{vendor} job {named} still running after {timing.timeout:g} s; "
                "it stays on record and the next run resumes it"
            )
        timing.sleep(interval)
        interval = min(interval * 1.5, timing.poll_max)
        poll = None
    if ledger and poll.cost is not None:
        ledger.job_charge(key, str(poll.cost), "USD", "vendor")
    if poll.data is not None:
        data = poll.data
    elif poll.url:
        data = download(vendor, poll.url, timing, poll.headers)
    else:
        raise StoryreelError(f"{vendor} job {named} finished without a result")
    if not _readable(data, suffix):  # an error page or a cut-off file: fetch it again next time
        raise StoryreelError(
            f"{vendor} job {named}: the download is not a readable "
            f"{_what(suffix)}; the next run fetches it again"
        )
    path = folder / f"{key[:32]}{suffix}"
    atomic_write(path, data)
    if ledger:
        ledger.job_update(key, "succeeded", str(path))
    return path, remote_id


def _what(suffix: str) -> str:
    return "audio" if suffix in AUDIO_SUFFIXES else "video" if suffix == ".mp4" else "image"


# --- media --------------------------------------------------------------------------------


def data_uri(png: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(png).decode("ascii")


def fitted_png(image: np.ndarray, size: tuple[int, int]) -> bytes:
    """The still as a PNG of exactly `size` (cropped to fill), for a vendor that wants the image
    at the video's resolution."""
    return png_bytes(fit_cover(image, size))


def nearest_ratio(
    size: tuple[int, int], choices: list[str] | tuple[str, ...], sep: str = ":"
) -> str:
    """The choice ("16:9", "1280:720", "1024x1024" ...) closest in aspect to `size`."""
    target = size[0] / size[1]

    def off(choice: str) -> float:
        w, h = (float(x) for x in choice.split(sep))
        return abs(np.log(w / h / target))

    return min(choices, key=off)


def seconds_for(n_frames: int, fps: Fraction, choices: tuple[int, ...]) -> int:
    """The shortest offered duration that covers the shot, else the longest."""
    need = n_frames / fps
    return next((c for c in sorted(choices) if c >= need), max(choices))


class HostedBackend(Backend):
    """Base of the hosted backends: settings, the ledger, and the shared job plumbing.

    A vendor's class declares `landing` ("some models" where its `lands` property asks the
    model), in `options` the `?key=value` settings its spec takes, and in `models` the model ids
    its vendor documents, where it has a fixed list (a spec naming another is refused, with a
    did-you-mean).
    """

    vendor: ClassVar[str]
    default_model: ClassVar[str]
    models: ClassVar[tuple[str, ...]] = ()
    extra: ClassVar[str | None] = "hosted"
    version: ClassVar[str] = "1"

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if "default_model" in cls.__dict__:  # the listing and errors name each class's own default
            cls.argument = Argument(
                "model",
                f"the {cls.vendor} model id (default {cls.default_model})",
                cls.default_model,
            )

    @classmethod
    def check(cls, argument: str | None) -> tuple[str | None, dict[str, Any]]:
        model, options = super().check(argument)
        if cls.models and model is not None and not cls.known(model):
            raise StoryreelError(
                f"{cls.name}: unknown model {model!r}{did_you_mean(model, list(cls.models))}; "
                f"known: {', '.join(cls.models)}"
            )
        return model, options

    @classmethod
    def known(cls, model: str) -> bool:
        """Whether `model` is one the vendor documents (where `models` lists them)."""
        return model in cls.models

    def __init__(
        self,
        model: str | None = None,
        *,
        ledger: Database | None = None,
        base_url: str | None = None,
        timing: Timing | None = None,
        downloads: Path | None = None,
    ):
        """`model` is the spec's argument: a model id, with options after `?` (`kling-v2-1?mode=pro`);
        `ledger`, `base_url`, `timing` and `downloads` replace the project's (tests, scripts)."""
        self.check(model)
        model, _, query = (model or "").partition("?")
        self.model = model or self.default_model
        self.settings = dict(urllib.parse.parse_qsl(query))  # as given: the cache token keeps them
        self.ledger = ledger
        self.base_url = base_url
        self.timing = timing or Timing()
        self.downloads = downloads

    def cache_token(self, shot: Shot, root: Path | None) -> str:
        return json.dumps([self.model, self.settings], sort_keys=True)

    def _folder(self, root: Path | None) -> Path:
        if self.downloads is not None:
            return self.downloads
        if root is not None:
            return root / ".storyreel" / "hosted"
        return Path(tempfile.gettempdir()) / "storyreel-hosted"

    def _run(
        self,
        kind: str,
        root: Path | None,
        suffix: str,
        inputs: dict[str, Any],
        submit: Callable[[], str | Poll],
        check: Callable[[str], Poll] | None,
    ) -> tuple[Path, str]:
        """Run one job on the given ledger, else on the project database's, open for that job."""
        key = job_key(self.vendor, self.model, kind, **inputs)
        paying = account()
        try:
            charge = paying.book.charge(self.vendor, self.model, kind, inputs)
        except StoryreelError as e:  # a price in another currency: said by the estimate
            if paying.quote:
                raise Quoted(key, None, str(e)) from None
            charge = None
        row = {"shot_id": paying.shot, "item": paying.item} | (charge.row() if charge else {})

        def run(ledger: Database | None) -> tuple[Path, str]:
            if paying.quote:  # a dry run: what this job would pay, and nothing submitted
                if reusable(ledger.job_get(key) if ledger else None, check):
                    raise Quoted(key, None)
                raise Quoted(
                    key, charge, None if charge else f"no price for {self.vendor}:{self.model}"
                )
            return run_job(
                self.vendor,
                key,
                ledger=ledger,
                folder=self._folder(root),
                suffix=suffix,
                timing=self.timing,
                submit=submit,
                check=check,
                charge=row,
            )

        if self.ledger is not None or root is None:
            return run(self.ledger)
        with Database(root / ".storyreel" / "project.db") as ledger:
            return run(ledger)

    def _meta(self, prompt: ShotPrompt, remote_id: str, **params: Any) -> dict[str, Any]:
        return {
            "prompt": prompt.prompt,
            "negative_prompt": prompt.negative,
            "remote_id": redact(remote_id),
            "params": {"vendor": self.vendor, "model": self.model, **params},
        }

    def _still(self, path: Path, size: tuple[int, int], meta: dict[str, Any]) -> Still:
        rgb, _ = read_image(path)
        meta["params"]["source_size"] = [rgb.shape[1], rgb.shape[0]]
        return Still(image=fit_cover(rgb, size), meta=meta)

    def _landing(self, request: ClipRequest) -> int | None:
        """The frame the clip lands on when this backend sends the end still (it `lands` and one
        was asked for), else None."""
        return request.landing if request.end_still is not None and self.lands else None

    def _ending(self, request: ClipRequest) -> tuple[bytes | None, dict[str, str]]:
        """The end still's PNG when this backend sends it, and the entry naming it for the job key
        and the provenance: `(None, {})` otherwise."""
        if self._landing(request) is None:
            return None, {}
        png = png_bytes(request.end_still.image)
        return png, {"end_image": digest(png)}

    def _seconds(self, request: ClipRequest, choices: tuple[int, ...]) -> int:
        """The vendor's duration for the clip: to cover the shot, or, for a clip that lands on
        the next still, to cover it up to its landing frame (the rest holds that frame)."""
        land = self._landing(request)
        return seconds_for(request.n_frames if land is None else land + 1, request.fps, choices)

    def _clip(self, path: Path, request: ClipRequest, meta: dict[str, Any]) -> ConformedClip:
        """The downloaded video conformed to the shot; a clip sent the end still has its last
        frame placed on the shot's landing frame."""
        land = self._landing(request)
        if request.end_still is not None:
            meta["params"]["end_frame"] = "ignored" if land is None else land
        clip = conform_video(path, request.n_frames, request.fps, request.size, meta, land)
        meta["params"].update(
            source_frames=clip.source_frames, source_fps=str(clip.source_fps), retimed=clip.retimed
        )
        return clip
