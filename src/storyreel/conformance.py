"""The conformance suite: what every stills, motion and voice backend must do, as plain checks.

storyreel runs these over every registered backend (`tests/conformance`); a third-party backend
runs them from its own tests the same way:

    from storyreel import conformance

    conformance.check_declaration(MyStills)
    conformance.check_stills_backend(lambda: MyStills("my-model"), request, secrets=["sk-test"])

Each check raises `ConformanceError` (an `AssertionError`, so a test runner reports a failure)
saying which backend broke which rule. They are plain functions, not a pytest plugin, so the
suite needs no test framework; nothing in the runtime imports this module.

`make` is a callable that builds a fresh instance, so the checks can compare two instances (the
same request must give the same bytes, and the same cache token, from each). For a hosted
backend, both instances share one ledger and `submissions` counts the vendor's jobs: the second
run must reuse the first run's result without paying again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from storyreel.backends import Backend, Landing, Option
from storyreel.errors import StoryreelError
from storyreel.model import FrameSource, Shot, Still
from storyreel.motion.base import ClipRequest, MotionBackend
from storyreel.sound.voices.base import LineRequest, Speech, VoiceBackend
from storyreel.stills.base import StillRequest, StillsBackend
from storyreel.stills.folder import fit_cover

JWT = re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}")  # a JSON Web Token, minted from a key
UNKNOWN = "storyreel_no_such_option"
LANDING_TOLERANCE = 12.0  # mean absolute difference, in 8-bit levels, of a landed frame


class ConformanceError(AssertionError):
    """A backend broke one of the rules every backend keeps."""


def _fail(backend: Any, rule: str) -> ConformanceError:
    name = getattr(backend, "name", type(backend).__name__)
    return ConformanceError(f"{name} ({type(backend).__name__}): {rule}")


# --- the declaration ---------------------------------------------------------------------


def check_declaration(cls: type[Backend]) -> None:
    """The class declares every field with the right type, accepts its declared options and
    argument, and refuses an unknown option (naming it) and an argument it does not take."""
    if not (
        isinstance(cls, type) and issubclass(cls, (StillsBackend, MotionBackend, VoiceBackend))
    ):
        raise ConformanceError(f"{cls!r} is not a StillsBackend, MotionBackend or VoiceBackend")
    for field, kind in (
        ("name", str),
        ("version", str),
        ("stage", str),
        ("gpu", bool),
        ("landing", Landing),
        ("packages", tuple),
        ("env", tuple),
    ):
        if not isinstance(getattr(cls, field, None), kind):
            raise _fail(cls, f"declares no {field} of type {kind.__name__}")
    if not cls.name or cls.stage not in ("stills", "motion", "voice"):
        raise _fail(cls, "needs a non-empty name and a stage of 'stills', 'motion' or 'voice'")
    if cls.stage != "motion" and cls.landing is not Landing.NEVER:
        raise _fail(cls, f"a {cls.stage} backend cannot land on a last frame")
    if not all(isinstance(g, tuple) and g and all(isinstance(v, str) for v in g) for g in cls.env):
        raise _fail(cls, "env must be groups (tuples) of environment variable names")
    if not all(isinstance(k, str) and isinstance(o, Option) for k, o in cls.options.items()):
        raise _fail(cls, "options must map each key to an Option")
    base = cls.argument.example if cls.argument is not None else ""
    for key, option in cls.options.items():
        try:
            _, parsed = cls.check(f"{base}?{key}={option.example}")
        except StoryreelError as e:
            raise _fail(cls, f"refuses its own option {key}={option.example} ({e})") from None
        if key not in parsed:
            raise _fail(cls, f"drops its declared option {key!r}")
    try:
        cls.check(f"{base}?{UNKNOWN}=1")
    except StoryreelError as e:
        if UNKNOWN not in str(e):
            raise _fail(cls, f"refuses an unknown option without naming it: {e}") from None
    else:
        raise _fail(cls, "accepts an option it does not declare")
    if cls.argument is None:
        _refused(cls, "an argument, though it declares none", "storyreel-unexpected")
    elif cls.argument.required:
        _refused(cls, f"no {cls.argument.name}, though it needs one", None)


def _refused(cls: type[Backend], what: str, argument: str | None) -> None:
    try:
        cls.check(argument)
    except StoryreelError:
        return
    raise _fail(cls, f"accepts {what}")


# --- outputs -----------------------------------------------------------------------------


def check_still(backend: StillsBackend, request: StillRequest) -> Still:
    """The still is exactly the requested size, as (height, width, 3) uint8 RGB."""
    still = backend.generate(request)
    w, h = request.size
    image = np.asarray(still.image)
    if image.shape != (h, w, 3) or image.dtype != np.uint8:
        raise _fail(
            backend,
            f"a still of {request.size} came back {image.shape} {image.dtype}, "
            f"not ({h}, {w}, 3) uint8",
        )
    return still


def clip_frames(clip: FrameSource) -> list[np.ndarray]:
    return [np.asarray(clip.frame(i)) for i in range(clip.n_frames)]


def check_clip(
    backend: MotionBackend, request: ClipRequest
) -> tuple[FrameSource, list[np.ndarray]]:
    """The clip has exactly `n_frames` frames at the requested rate, each exactly the size."""
    clip = backend.animate(request)
    w, h = request.size
    if clip.n_frames != request.n_frames or tuple(clip.size) != (w, h) or clip.fps != request.fps:
        raise _fail(
            backend,
            f"asked for {request.n_frames} frames of {request.size} at {request.fps}, "
            f"got {clip.n_frames} of {clip.size} at {clip.fps}",
        )
    frames = clip_frames(clip)
    bad = [i for i, f in enumerate(frames) if f.shape != (h, w, 3) or f.dtype != np.uint8]
    if bad:
        raise _fail(
            backend,
            f"frame {bad[0]} is {frames[bad[0]].shape} {frames[bad[0]].dtype}, "
            f"not ({h}, {w}, 3) uint8",
        )
    return clip, frames


# --- determinism -------------------------------------------------------------------------


def _same_run(backend: Any, submissions: Callable[[], int] | None, run: Callable[[], Any]) -> Any:
    before = submissions() if submissions else 0
    out = run()
    if submissions and submissions() != before:
        raise _fail(backend, "the same request was submitted again instead of reusing its result")
    return out


def check_same_still(
    make: Callable[[], StillsBackend],
    request: StillRequest,
    submissions: Callable[[], int] | None = None,
) -> Still:
    """The same request and seed give the same bytes, from a second instance too."""
    first = check_still(make(), request)
    again = make()
    second = _same_run(again, submissions, lambda: again.generate(request))
    if not np.array_equal(first.image, second.image):
        raise _fail(again, "the same request and seed gave a different still")
    return first


def check_same_clip(
    make: Callable[[], MotionBackend],
    request: ClipRequest,
    submissions: Callable[[], int] | None = None,
) -> list[np.ndarray]:
    """The same request and seed give the same frames, from a second instance too."""
    _, first = check_clip(make(), request)
    again = make()
    second = _same_run(again, submissions, lambda: clip_frames(again.animate(request)))
    if len(first) != len(second) or not all(
        np.array_equal(a, b) for a, b in zip(first, second, strict=True)
    ):
        raise _fail(again, "the same request and seed gave different frames")
    return first


def check_cache_token(make: Callable[[], Backend], shot: Shot, root: Path | None) -> str | None:
    """The cache token is a string or None, and the same from two instances of one spec."""
    a, b = make().cache_token(shot, root), make().cache_token(shot, root)
    if a is not None and not isinstance(a, str):
        raise _fail(make(), f"cache_token gave a {type(a).__name__}, not a string or None")
    if a != b:
        raise _fail(make(), f"cache_token differs between two instances ({a!r}, {b!r})")
    return a


# --- secrets -----------------------------------------------------------------------------


def check_no_secrets(backend: Any, texts: Iterable[str], secrets: Iterable[str]) -> None:
    """No secret (nor a JWT, which is minted from one) appears in any of `texts`."""
    secrets = [s for s in secrets if len(s) >= 4]
    for text in texts:
        for secret in secrets:
            if secret in text:
                raise _fail(backend, f"a secret ({secret[:2]}…) is written out: {text[:200]!r}")
        if JWT.search(text):
            raise _fail(backend, f"a token minted from a key is written out: {text[:200]!r}")


def provenance(backend: Any, out: Still | FrameSource) -> str:
    """Everything a take's provenance records of `out`, as text: its meta and the clip's params."""
    meta = getattr(out, "meta", None) or {}
    params = backend.params(out) if isinstance(backend, MotionBackend) else {}
    return json.dumps({"meta": meta, "params": params}, default=str)


def check_error_without_secrets(
    backend: Any, fail: Callable[[], Any], secrets: Iterable[str]
) -> str:
    """`fail()` (a request the vendor turns down) raises a `StoryreelError` with no secret in it."""
    try:
        fail()
    except StoryreelError as e:
        check_no_secrets(backend, [str(e)], secrets)
        return str(e)
    raise _fail(backend, "a refused request did not raise a StoryreelError")


# --- landing -----------------------------------------------------------------------------


def check_landing(
    backend: MotionBackend,
    request: ClipRequest,
    free: list[np.ndarray],
    tolerance: float | None = LANDING_TOLERANCE,
) -> None:
    """`request` has an `end_still`; `free` are the frames of the same request without one.

    A backend that `lands` arrives at the end still on `request.landing` (within `tolerance`;
    None where the model's pictures cannot be foreseen, e.g. random test weights) and holds it;
    one that does not gives the free clip. `lands` agrees with the class's `landing`.
    """
    if request.end_still is None or request.landing is None:
        raise ConformanceError("check_landing needs a request with an end_still")
    declared = type(backend).landing
    if declared is not Landing.SOME_MODELS and backend.lands != (declared is Landing.ALWAYS):
        raise _fail(
            backend,
            f"declares landing {declared.value!r} but its instance says lands={backend.lands}",
        )
    _, frames = check_clip(backend, request)
    land = request.landing
    if not backend.lands:
        if not all(np.array_equal(a, b) for a, b in zip(frames, free, strict=True)):
            raise _fail(backend, "does not land, yet an end still changed its clip")
        return
    if not all(np.array_equal(frames[land], f) for f in frames[land + 1 :]):
        raise _fail(backend, f"does not hold the landing frame {land} to the end of the clip")
    if tolerance is not None:
        target = fit_cover(request.end_still.image, request.size).astype(np.float32)
        off = float(np.abs(frames[land].astype(np.float32) - target).mean())
        if off > tolerance:
            raise _fail(
                backend, f"frame {land} is {off:.1f} levels off the end still (at most {tolerance})"
            )
    elif all(np.array_equal(a, b) for a, b in zip(frames, free, strict=True)):
        raise _fail(backend, "lands, yet the end still left its clip unchanged")


# --- the whole suite, per stage ----------------------------------------------------------


def check_stills_backend(
    make: Callable[[], StillsBackend],
    request: StillRequest,
    *,
    secrets: Iterable[str] = (),
    submissions: Callable[[], int] | None = None,
) -> Still:
    """Every check of a stills backend: its declaration, size, determinism, cache token and a
    provenance without secrets.

    Args:
        make: builds a fresh instance of the backend (one spec).
        request: a still request (its `project_root` holds any files the backend reads).
        secrets: the key values set in the environment for the run.
        submissions: for a hosted backend, how many jobs the vendor has been sent so far.

    Returns:
        The still.
    """
    backend = make()
    check_declaration(type(backend))
    still = check_same_still(make, request, submissions)
    check_cache_token(make, request.shot, request.project_root)
    check_no_secrets(backend, [provenance(backend, still)], secrets)
    return still


def check_motion_backend(
    make: Callable[[], MotionBackend],
    request: ClipRequest,
    end_still: Still,
    *,
    secrets: Iterable[str] = (),
    submissions: Callable[[], int] | None = None,
    landing_tolerance: float | None = LANDING_TOLERANCE,
) -> None:
    """Every check of a motion backend: its declaration, frame count and size, determinism, cache
    token, a provenance without secrets, and landing on `end_still` where it `lands`.

    Args:
        make: builds a fresh instance of the backend (one spec).
        request: a clip request without an end still.
        end_still: the picture a landing clip must arrive at (on frame `n_frames * 2 // 3`).
        secrets: the key values set in the environment for the run.
        submissions: for a hosted backend, how many jobs the vendor has been sent so far.
        landing_tolerance: how close the landing frame must be (None: only that it is held and
            that the end still changed the clip).
    """
    backend = make()
    check_declaration(type(backend))
    free = check_same_clip(make, request, submissions)
    check_cache_token(make, request.shot, request.project_root)
    clip = backend.animate(request)
    check_no_secrets(backend, [provenance(backend, clip)], secrets)
    landing = replace(request, end_still=end_still, end_frame=request.n_frames * 2 // 3)
    check_landing(backend, landing, free, landing_tolerance)


# --- voices ------------------------------------------------------------------------------


def check_speech(backend: VoiceBackend, request: LineRequest) -> Speech:
    """The line comes back as speech: mono float samples in [-1, 1], some of them not silent, at
    a sample rate audio files use."""
    speech = backend.speak(request)
    samples = np.asarray(speech.samples)
    if samples.ndim != 1 or samples.dtype != np.float32 or not len(samples):
        raise _fail(
            backend, f"speech must be mono float32 samples, got {samples.dtype} {samples.shape}"
        )
    if not np.isfinite(samples).all() or np.abs(samples).max() > 1 or not np.abs(samples).max():
        raise _fail(backend, "speech samples must be finite, within [-1, 1] and not all silent")
    if not 8_000 <= speech.rate <= 96_000:
        raise _fail(backend, f"speech at {speech.rate} Hz is not an audio rate")
    return speech


def check_voice_backend(
    make: Callable[[], VoiceBackend],
    request: LineRequest,
    *,
    secrets: Iterable[str] = (),
    submissions: Callable[[], int] | None = None,
) -> Speech:
    """Every check of a voice backend: its declaration, speech, determinism (from a second
    instance, without paying again), the voice it was asked for accepted and one it lacks
    refused, its token, and a provenance without secrets.

    Args:
        make: builds a fresh instance of the backend (one spec).
        request: a line request (its `project_root` holds any model files the backend reads).
        secrets: the key values set in the environment for the run.
        submissions: for a hosted backend, how many requests the vendor has been sent so far.

    Returns:
        The speech.
    """
    backend = make()
    check_declaration(type(backend))
    root = request.project_root
    backend.prepare(root)
    backend.check_voice(request.voice, root)
    if backend.known_voices(root) is not None:
        _refused_voice(backend, request.voice + "zz", root)
    speech = check_speech(backend, request)
    again = make()
    second = _same_run(again, submissions, lambda: again.speak(request))
    if speech.rate != second.rate or not np.array_equal(speech.samples, second.samples):
        raise _fail(again, "the same line and seed gave different speech")
    tokens = make().token(request.voice, root), make().token(request.voice, root)
    if tokens[0] != tokens[1] or not (tokens[0] is None or isinstance(tokens[0], str)):
        raise _fail(backend, f"token must be a string or None, the same twice: {tokens}")
    check_no_secrets(backend, [json.dumps(speech.meta, default=str)], secrets)
    return speech


def _refused_voice(backend: VoiceBackend, voice: str, root: Path | None) -> None:
    try:
        backend.check_voice(voice, root)
    except StoryreelError as e:
        if "did you mean" not in str(e):
            raise _fail(backend, f"refuses a voice it lacks without a did-you-mean: {e}") from None
        return
    raise _fail(backend, f"accepts a voice it lacks ({voice!r})")
