"""Every backend `storyreel backends` lists passes the conformance suite (`storyreel.conformance`).

Hosted backends run against the local server that plays their vendor's protocol; it answers a
clip that was sent a last frame with a video ending on that picture (a model that honours it).
Diffusers backends run on the tiny random models, folder backends on files made here. Backends
broken on purpose show that the suite fails them.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from storyreel import conformance
from storyreel.cli import app
from storyreel.conformance import ConformanceError
from storyreel.model import Still
from storyreel.motion.camera import CameraBackend
from storyreel.motion.diffusers import DiffusersMotion
from storyreel.motion.folder import FolderMotion
from storyreel.stills.diffusers import DiffusersStills
from storyreel.stills.folder import FolderStills
from storyreel.stills.previz import PrevizBackend
from tests.hosted import test_hosted
from tests.hosted.film import H, W, clip_request, make_mp4, make_png, still_request
from tests.hosted.vendors import KEYS, Job
from tests.sound.test_voice_conformance import VOICES

N_FRAMES = 24
HOSTED = {  # entry point → the hosted tests' case
    "motion.kling": "kling-motion",
    "stills.kling": "kling-stills",
    "motion.runway": "runway-motion",
    "motion.luma": "luma-motion",
    "stills.luma": "luma-stills",
    "motion.replicate": "replicate-motion",
    "stills.replicate": "replicate-stills",
    "motion.fal": "fal-motion",
    "stills.fal": "fal-stills",
    "stills.openai": "openai-stills",
    "motion.veo": "veo-motion",
    "motion.sora": "sora-motion",
    "motion.hailuo": "hailuo-motion",
    "motion.seedance": "seedance-motion",
    "stills.runway": "runway-stills",
}
LOCAL = {
    "stills.previz",
    "motion.camera",
    "stills.folder",
    "motion.folder",
    "stills.diffusers",
    "motion.diffusers",
}


def listed() -> list[str]:
    result = CliRunner().invoke(app, ["backends", "--json"])
    assert result.exit_code == 0, result.output
    return sorted(f"{r['stage']}.{r['name']}" for r in json.loads(result.stdout))


def test_every_listed_backend_has_a_conformance_case():
    # the writers answer conversations, not shots: tests/writers/test_declared.py has theirs;
    # the music and effects backends give sounds: tests/sound/test_declared.py has theirs; the
    # voices speak lines: tests/sound/test_voice_conformance.py has theirs
    others = ("writer.", "music.", "effects.")
    pictures = {name for name in listed() if not name.startswith(others)}
    assert pictures == set(HOSTED) | LOCAL | set(VOICES)


def end_still() -> Still:
    """A smooth picture (a landed frame survives the video codec's chroma subsampling)."""
    x = np.linspace(0, 1, W)[None, :, None]
    y = np.linspace(0, 1, H)[:, None, None]
    image = np.concatenate([40 + 180 * x + 0 * y, 200 - 150 * y + 0 * x, 90 + 60 * x * y], axis=2)
    return Still(image=image.astype(np.uint8))


@pytest.fixture(scope="module")
def previz_still() -> Still:
    return PrevizBackend().generate(still_request())


def motion_request(still: Still, root) -> Any:
    return replace(clip_request(root, n_frames=N_FRAMES), still=still)


class Echo(dict):
    """The vendors' media: a clip that ends on the last frame the vendor was sent, if any."""

    def __init__(self, job: Job, media: dict[str, bytes]):
        super().__init__(media)
        self.job = job

    def __getitem__(self, ext: str) -> bytes:
        end = self.job.ends[-1] if self.job.ends else None
        if ext != "mp4" or end is None:
            return super().__getitem__(ext)
        last = np.asarray(Image.open(io.BytesIO(end)).convert("RGB"))
        buf = io.BytesIO()
        with av.open(buf, "w", format="mp4") as out:
            stream = out.add_stream("libx264", rate=24)
            stream.width, stream.height, stream.pix_fmt = last.shape[1], last.shape[0], "yuv420p"
            stream.options = {"crf": "0", "preset": "ultrafast"}
            for t in np.linspace(0.0, 1.0, 30):
                picture = (np.full_like(last, 128) * (1 - t) + last * t + 0.5).astype(np.uint8)
                out.mux(stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")))
            out.mux(stream.encode())
        return buf.getvalue()


@dataclass
class Local:
    make: Callable[[], Any]
    tolerance: float | None = conformance.LANDING_TOLERANCE


def local_case(name: str, request, tmp_path) -> Local:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "sc01_sh010.png").write_bytes(make_png(size=(200, 100)))
    (exports / "sc01_sh010.mp4").write_bytes(make_mp4())
    if name == "stills.diffusers":
        model = request.getfixturevalue("sd_turbo")
        return Local(lambda: DiffusersStills(f"{model}?size=64x32&batch=1"))
    if (
        name == "motion.diffusers"
    ):  # Wan 2.2 takes a last frame; random weights draw no picture of it
        model = request.getfixturevalue("wan22")
        return Local(lambda: DiffusersMotion(f"{model}?size=64x32&steps=2"), tolerance=None)
    return Local(
        {
            "stills.previz": PrevizBackend,
            "motion.camera": CameraBackend,
            "stills.folder": lambda: FolderStills("exports"),
            "motion.folder": lambda: FolderMotion("exports"),
        }[name]
    )


@pytest.mark.parametrize("name", sorted(LOCAL))
def test_local_backends_conform(name, request, tmp_path, previz_still, env):
    case = local_case(name, request, tmp_path)
    secrets = list(KEYS.values())
    if name.startswith("stills."):
        conformance.check_stills_backend(case.make, still_request(tmp_path), secrets=secrets)
    else:
        conformance.check_motion_backend(
            case.make,
            motion_request(previz_still, tmp_path),
            end_still(),
            secrets=secrets,
            landing_tolerance=case.tolerance,
        )


# the models of each vendor whose clips land on a last frame, beside the defaults (which do not)
LANDERS = [
    ("motion.kling", "kling-v2-1?mode=pro"),
    ("motion.runway", "veo3.1"),
    ("motion.fal", "fal-ai/kling-video/v2.1/pro/image-to-video"),
    ("motion.hailuo", "MiniMax-Hailuo-02"),
]


@pytest.mark.parametrize(
    ("name", "model"),
    [(n, None) for n in sorted(HOSTED)] + LANDERS,
    ids=[*sorted(HOSTED), *(f"{n}:{m}" for n, m in LANDERS)],
)
def test_hosted_backends_conform(name, model, server, env, media, ledger, tmp_path, previz_still):
    case = test_hosted.CASES[HOSTED[name]]
    if model is not None:
        case = replace(case, model=model)
    job = Job()
    case.install(server, job, Echo(job, media), case.kind)

    def make(**kw: Any) -> Any:
        return case.backend(server, **({"ledger": ledger, "downloads": tmp_path / "dl"} | kw))

    secrets = list(KEYS.values())
    if case.kind == "still":
        request = still_request(tmp_path)
        conformance.check_stills_backend(
            make, request, secrets=secrets, submissions=lambda: job.created
        )
    else:
        request = motion_request(previz_still, tmp_path)
        conformance.check_motion_backend(
            make, request, end_still(), secrets=secrets, submissions=lambda: job.created
        )
    # the vendor turns the next job down, quoting every key back: the error shows none of them
    job.fail = "refused for " + " ".join(KEYS.values())
    run = (
        (lambda: make(ledger=None).generate(request))
        if case.kind == "still"
        else (lambda: make(ledger=None).animate(request))
    )
    conformance.check_error_without_secrets(make(), run, secrets)


# --- backends broken on purpose fail the suite --------------------------------------------


class TooSmall(PrevizBackend):
    name = "too-small"

    def generate(self, request):
        still = super().generate(request)
        return replace(still, image=still.image[:, 1:])


class Leaky(PrevizBackend):
    name = "leaky"

    def generate(self, request):
        still = super().generate(request)
        return replace(still, meta=still.meta | {"params": {"key": os.environ["KLING_SECRET_KEY"]}})


class MintsTokens(PrevizBackend):
    name = "mints-tokens"

    def generate(self, request):
        import jwt

        token = jwt.encode({"iss": os.environ["KLING_ACCESS_KEY"]}, os.environ["KLING_SECRET_KEY"])
        still = super().generate(request)
        return replace(still, meta=still.meta | {"remote_id": token})


class Noisy(PrevizBackend):
    name = "noisy"

    def generate(self, request):
        still = super().generate(request)
        noise = np.random.default_rng().integers(0, 2, still.image.shape, dtype=np.uint8)
        return replace(still, image=still.image ^ noise)


class TakesAnything(PrevizBackend):
    """Swallows unknown options, the way backends used to with `**_`."""

    name = "takes-anything"

    @classmethod
    def check(cls, argument):
        return None, {}


class ShortClip(CameraBackend):
    name = "short-clip"

    def animate(self, request):
        return super().animate(replace(request, n_frames=request.n_frames - 1))


class ClaimsToLand(CameraBackend):
    """Says it lands but ignores the end still."""

    name = "claims-to-land"
    landing = conformance.Landing.ALWAYS


@pytest.mark.parametrize(
    ("cls", "rule"),
    [
        (TooSmall, r"came back \(108, 255, 3\) uint8, not \(108, 256, 3\)"),
        (Leaky, "a secret .* is written out"),
        (MintsTokens, "a token minted from a key is written out"),
        (Noisy, "the same request and seed gave a different still"),
        (TakesAnything, "accepts an option it does not declare"),
    ],
)
def test_a_broken_stills_backend_fails_the_suite(cls, rule, env, tmp_path):
    with pytest.raises(ConformanceError, match=rule):
        conformance.check_stills_backend(cls, still_request(tmp_path), secrets=KEYS.values())


@pytest.mark.parametrize(
    ("cls", "rule"),
    [
        (ShortClip, "asked for 24 frames .* got 23"),
        (ClaimsToLand, "does not hold the landing frame 16"),
    ],
)
def test_a_broken_motion_backend_fails_the_suite(cls, rule, tmp_path, previz_still):
    with pytest.raises(ConformanceError, match=rule):
        conformance.check_motion_backend(cls, motion_request(previz_still, tmp_path), end_still())


def test_a_landing_far_from_the_end_still_fails(tmp_path, previz_still):
    class LandsElsewhere(CameraBackend):
        """Holds its first frame from the landing on: held, but not the end still."""

        name, landing = "lands-elsewhere", conformance.Landing.ALWAYS

        def animate(self, request):
            return super().animate(
                replace(request, shot=request.shot.model_copy(update={"move": "static"}))
            )

    with pytest.raises(ConformanceError, match="levels off the end still"):
        conformance.check_motion_backend(
            LandsElsewhere, motion_request(previz_still, tmp_path), end_still()
        )


def test_a_cache_token_that_changes_between_instances_fails(tmp_path):
    class Counting(PrevizBackend):
        made = 0

        def __init__(self):
            Counting.made += 1
            self.n = Counting.made

        def cache_token(self, shot, root):
            return str(self.n)

    with pytest.raises(ConformanceError, match="cache_token differs between two instances"):
        conformance.check_cache_token(Counting, still_request().shot, tmp_path)


def test_a_refusal_that_quotes_the_key_fails(env):
    def refuse():
        from storyreel.errors import StoryreelError

        raise StoryreelError(f"bad key {os.environ['OPENAI_API_KEY']}")

    with pytest.raises(ConformanceError, match="a secret .* is written out"):
        conformance.check_error_without_secrets(PrevizBackend(), refuse, KEYS.values())


def test_the_runtime_does_not_import_the_suite():
    import subprocess
    import sys

    code = (
        "import sys, storyreel.cli, storyreel.run.build, storyreel.store.project\n"
        "import storyreel.conformance\n"
        "assert 'pytest' not in sys.modules, 'the suite imported pytest'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    code = (
        "import sys, storyreel.cli, storyreel.run.build, storyreel.store.project\n"
        "assert 'storyreel.conformance' not in sys.modules, 'the runtime imported the suite'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
