"""A cast's reference images reach every backend that takes them, as each vendor documents."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.errors import StoryreelError
from storyreel.hosted.hailuo import HailuoMotion
from storyreel.hosted.kling import KlingMotion
from storyreel.hosted.luma import LumaStills
from storyreel.hosted.openai import OpenAIStills
from storyreel.hosted.runway import RunwayStills, tags
from storyreel.hosted.seedance import SeedanceMotion
from storyreel.hosted.sora import SoraMotion
from storyreel.hosted.veo import VeoMotion
from storyreel.references import Reference, shot_references
from storyreel.store.keys import digest
from tests.hosted import test_hosted

from . import vendors
from .film import clip_request, kling_film, make_png, shot, still_request
from .vendors import Job

env = test_hosted.env
media = test_hosted.media
fast = test_hosted.fast

MAYA = [make_png((200, 10 * i, 10), (64, 64)) for i in range(3)]
LEO = [make_png((10, 200, 10 * i), (64, 64)) for i in range(2)]
LOOK = [make_png((10, 10, 200), (64, 64))]


def cast(root: Path, request: Any, subjects: tuple[str, ...] = ("MAYA", "LEO")) -> Any:
    """`request` for a shot of `subjects`, in a project where Maya has three reference images,
    Leo two and the look one, written under `root`/refs."""
    (root / "refs").mkdir(exist_ok=True)
    names: dict[str, list[str]] = {}
    for owner, images in (("maya", MAYA), ("leo", LEO), ("look", LOOK)):
        names[owner] = []
        for i, png in enumerate(images):
            (root / "refs" / f"{owner}{i}.png").write_bytes(png)
            names[owner].append(f"refs/{owner}{i}.png")
    config = request.config.model_copy(
        update={
            "characters": {
                "MAYA": request.config.characters["MAYA"].model_copy(
                    update={"refs": names["maya"]}
                ),
                "LEO": request.config.characters["MAYA"].model_copy(
                    update={"description": "a tall man", "refs": names["leo"]}
                ),
            },
            "look": request.config.look.model_copy(update={"refs": names["look"]}),
        }
    )
    return replace(request, shot=shot(subjects=list(subjects)), config=config)


ORDER = [MAYA[0], LEO[0], MAYA[1], LEO[1], MAYA[2], LOOK[0]]  # one of each character in turn


def test_the_shots_characters_come_first_one_of_each_in_turn_then_the_look(tmp_path):
    request = cast(tmp_path, still_request(tmp_path))
    refs = shot_references(request.shot, request.config, tmp_path)
    assert [r.data for r in refs] == ORDER
    assert [r.owner for r in refs] == ["MAYA", "LEO", "MAYA", "LEO", "MAYA", "look"]
    assert [r.data for r in shot_references(request.shot, request.config, tmp_path, 3)] == [
        MAYA[0],
        LEO[0],
        MAYA[1],
    ]
    leo = replace(request, shot=shot(subjects=["LEO"]))
    assert [r.data for r in shot_references(leo.shot, leo.config, tmp_path)] == [*LEO, LOOK[0]]
    twice = request.config.model_copy(
        update={"look": request.config.look.model_copy(update={"refs": ["refs/maya0.png"]})}
    )
    assert [r.data for r in shot_references(request.shot, twice, tmp_path)] == ORDER[:5]


def test_png_jpeg_and_webp_are_sent_as_they_are_and_other_images_as_png(tmp_path):
    def encoded(fmt: str) -> bytes:
        buf = io.BytesIO()
        Image.new("RGB", (8, 8), (200, 60, 30)).save(buf, format=fmt)
        return buf.getvalue()

    for fmt, mime in (("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")):
        data = encoded(fmt)
        assert Reference("MAYA", "m", Path("m"), data).sendable() == (data, mime)
    sent, mime = Reference("MAYA", "m.bmp", Path("m.bmp"), encoded("BMP")).sendable()
    assert mime == "image/png" and Image.open(io.BytesIO(sent)).getpixel((4, 4)) == (200, 60, 30)


@dataclass
class Sends:
    cls: type
    model: str
    install: Any
    kind: str
    expected: list[bytes]  # the images the vendor receives, in order
    role: str  # how the provenance says they were sent
    base: str = ""
    look_role: str | None = None  # how the look's were, where it differs


SENDS = {
    "kling-multi-image": Sends(
        KlingMotion, "kling-v1-6?input=refs", vendors.kling, "refs", ORDER[:4], "image_list"
    ),
    "veo-3.1-assets": Sends(
        VeoMotion,
        "veo-3.1-generate-preview?input=refs",
        lambda s, j, m, k: vendors.veo(s, j, m, k, model="veo-3.1-generate-preview"),
        "clip",
        ORDER[:3],
        "reference_images/asset",
    ),
    "seedance-lite-references": Sends(
        SeedanceMotion,
        "seedance-1-0-lite-i2v-250428?input=refs",
        vendors.seedance,
        "clip",
        ORDER[:4],
        "reference_image",
        "/api/v3",
    ),
    "seedance-2-references": Sends(
        SeedanceMotion,
        "dreamina-seedance-2-0-260128?input=refs",
        vendors.seedance,
        "clip",
        ORDER,
        "reference_image",
        "/api/v3",
    ),
    "hailuo-subject": Sends(
        HailuoMotion, "S2V-01", vendors.hailuo, "clip", MAYA[:1], "subject_reference"
    ),
    "runway-gen4-references": Sends(
        RunwayStills,
        "gen4_image",
        vendors.runway,
        "still",
        ORDER[:3],
        "referenceImages @",
    ),
    "luma-photon-character": Sends(
        LumaStills,
        "photon-1",
        vendors.luma,
        "still",
        [*MAYA, LOOK[0]],
        "character_ref.identity0",
        look_role="style_ref",
    ),
    "openai-edits": Sends(
        OpenAIStills, "gpt-image-1", vendors.openai_edits, "still", ORDER, "image[]", "/v1"
    ),
}


@pytest.mark.parametrize("name", list(SENDS))
def test_references_are_sent_as_the_vendor_documents(name, server, env, media, ledger, tmp_path):
    case = SENDS[name]
    job = Job()
    case.install(server, job, media, case.kind)
    backend = case.cls(
        case.model,
        base_url=server.url + case.base,
        ledger=ledger,
        timing=fast(),
        downloads=tmp_path,
    )
    if case.kind == "still":
        out = backend.generate(cast(tmp_path, still_request(tmp_path)))
    else:
        out = backend.animate(cast(tmp_path, clip_request(tmp_path)))
    assert job.created == 1 and job.refs == [case.expected]  # count, order, the bytes themselves
    sent = out.meta["params"]["references"]
    assert [r["sha256"] for r in sent] == [digest(png) for png in case.expected]
    for ref in sent:
        role = case.look_role if ref["owner"] == "look" and case.look_role else case.role
        assert ref["as"].startswith(role)
    assert sent[0]["file"] == "refs/maya0.png"


def test_runway_tags_each_reference_by_its_owner_and_the_prompt_calls_them(
    server, env, media, ledger, tmp_path
):
    job = Job()
    vendors.runway(server, job, media, "still")
    backend = RunwayStills(base_url=server.url, ledger=ledger, timing=fast(), downloads=tmp_path)
    still = backend.generate(cast(tmp_path, still_request(tmp_path)))
    sent = job.inputs[0]
    assert [r["tag"] for r in sent["referenceImages"]] == ["maya", "leo", "maya2"]
    assert sent["promptText"].endswith("@maya is Maya. @leo is Leo. @maya2 is Maya.")
    assert still.meta["prompt"] == sent["promptText"] and len(sent["promptText"]) <= 1000
    odd = [Reference(owner, "x.png", Path("x.png"), b"") for owner in ("AL", "9 LIVES", "look")]
    assert tags(odd) == ["al_", "r9_lives", "look"]  # 3-16 characters, starting with a letter


def test_a_changed_reference_makes_a_new_job_and_the_same_ones_do_not(
    server,
    env,
    media,
    ledger,
    tmp_path,
):
    job = Job()
    vendors.seedance(server, job, media, "clip")

    def render() -> Any:
        backend = SeedanceMotion(
            "seedance-1-0-lite-i2v-250428?input=refs",
            base_url=server.url + "/api/v3",
            ledger=ledger,
            timing=fast(),
            downloads=tmp_path,
        )
        return backend.animate(request)

    request = cast(tmp_path, clip_request(tmp_path))
    render()
    render()
    assert job.created == 1
    (tmp_path / "refs" / "leo0.png").write_bytes(make_png((1, 2, 3), (64, 64)))
    render()
    assert job.created == 2 and job.refs[1][1] == make_png((1, 2, 3), (64, 64))


def test_sora_sends_the_still_at_the_videos_size_as_its_input_reference(
    server,
    env,
    media,
    ledger,
    tmp_path,
):
    job = Job()
    vendors.sora(server, job, media, "clip")
    backend = SoraMotion(
        "sora-2", base_url=server.url + "/v1", ledger=ledger, timing=fast(), downloads=tmp_path
    )
    clip = backend.animate(cast(tmp_path, clip_request(tmp_path)))
    (image,) = job.refs[0]
    with Image.open(io.BytesIO(image)) as still:
        assert still.size == (1280, 720)
        left, right = still.getpixel((100, 360)), still.getpixel((1180, 360))
    assert left == (220, 40, 40) and right == (0, 0, 0)  # the still itself, cropped to fill
    assert job.inputs[0] == {
        "prompt": clip.meta["prompt"],
        "model": "sora-2",
        "seconds": "4",
        "size": "1280x720",
    }


@pytest.mark.parametrize(
    ("cls", "spec", "message"),
    [
        (KlingMotion, "kling-v2-1?input=refs", "made by kling-v1-6 only"),
        (VeoMotion, "veo-3.0-generate-001?input=refs", "Veo 3.1 models only"),
        (SeedanceMotion, "seedance-1-0-pro-250528?input=refs", "takes no reference images"),
    ],
)
def test_references_on_a_model_that_takes_none_are_refused_by_name(cls, spec, message):
    with pytest.raises(StoryreelError, match=message):
        cls.check(spec)


def test_a_model_that_needs_references_says_where_to_give_them(server, env, media, tmp_path):
    with pytest.raises(StoryreelError, match=r"\[characters.NAME\] refs"):
        SeedanceMotion("dreamina-seedance-2-0-260128?input=refs", timing=fast()).animate(
            clip_request(tmp_path)
        )
    with pytest.raises(StoryreelError, match="S2V-01 makes the video from a character's face"):
        HailuoMotion("S2V-01", timing=fast()).animate(clip_request(tmp_path))
    assert server.log == []


SCRIPT = "EXT. ROOFTOP - NIGHT\n\n[[shot: WS static #sc01_sh010 2s]]\nMAYA stands at the edge.\n"


def project(root: Path, toml: str) -> Path:
    (root / "script.fountain").write_text(SCRIPT, encoding="utf-8")
    (root / "storyreel.toml").write_text(toml, encoding="utf-8")
    return root


def storyboard(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["stills", str(root), "-q"])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("sora:sora-2-prp", "sora: unknown model 'sora-2-prp' (did you mean sora-2-pro?)"),
        ("hailuo:MiniMax-Hailuo-23", "(did you mean MiniMax-Hailuo-2.3?)"),
        (
            "seedance:seedance-1-0-pro-250529",
            "(did you mean seedance-1-0-pro-250528?)",
        ),
    ],
)
def test_an_unknown_model_names_its_line_with_a_did_you_mean(tmp_path, spec, message):
    root = project(
        tmp_path, f'[film]\nwidth = 256\nheight = 144\n\n[backends]\nmotion = "{spec}"\n'
    )
    code, text = storyboard(root)
    assert code == 2 and "storyreel.toml:6:" in text and message in text, text
    assert "Traceback" not in text


@pytest.mark.parametrize(
    ("table", "where"), [("look", "look.refs"), ("characters.MAYA", "characters.MAYA.refs")]
)
def test_a_reference_that_is_not_an_image_names_its_line(tmp_path, table, where):
    toml = f'[film]\nwidth = 256\n\n[{table}]\nrefs = ["refs/a.png", "refs/b.png"]\n'
    root = project(tmp_path, toml)
    (root / "refs").mkdir()
    (root / "refs" / "a.png").write_bytes(make_png())
    (root / "refs" / "b.png").write_text("this is not a picture", encoding="utf-8")
    code, text = storyboard(root)
    assert code == 2 and "storyreel.toml:5:" in text, text
    assert f"{where}: 'refs/b.png' is not an image" in text and "Traceback" not in text


def test_a_modelark_endpoint_id_is_taken_in_place_of_a_model():
    endpoint = SeedanceMotion("ep-20250101-abcde")
    assert endpoint.model == "ep-20250101-abcde" and not endpoint.lands
    with pytest.raises(StoryreelError, match="takes no reference images"):
        SeedanceMotion.check("ep-20250101-abcde?input=refs")


def test_a_cast_film_renders_from_its_references_and_a_new_image_remakes_only_its_shots(
    tmp_path, server, media, monkeypatch
):
    root = kling_film(
        tmp_path,
        server,
        monkeypatch,
        '[characters.MAYA]\ndescription = "a woman in a grey coat"\n'
        'refs = ["refs/maya0.png", "refs/maya1.png"]\n'
        '[characters.LEO]\ndescription = "a tall man"\nrefs = ["refs/leo0.png"]\n'
        '[look]\nrefs = ["refs/look0.png"]\n',
    )
    (root / "script.fountain").write_text(
        "EXT. ROOFTOP - NIGHT\n\n[[shot: WS static #sc01_sh010 2s]]\nMAYA stands at the edge.\n\n"
        "[[shot: MCU push-in #sc01_sh020 1.5s]]\nLEO waits by the door.\n"
    )
    toml = (root / "storyreel.toml").read_text()
    (root / "storyreel.toml").write_text(
        toml.replace('"kling:kling-v2-1"', '"seedance:seedance-1-0-lite-i2v-250428?input=refs"')
    )
    monkeypatch.setenv("ARK_BASE_URL", server.url + "/api/v3")
    (root / "refs").mkdir()
    for name, png in (("maya0", MAYA[0]), ("maya1", MAYA[1]), ("leo0", LEO[0]), ("look0", LOOK[0])):
        (root / "refs" / f"{name}.png").write_bytes(png)
    for shot_id in ("sc01_sh010", "sc01_sh020"):
        (root / "exports" / f"{shot_id}.png").write_bytes(make_png((90, 20, 20), (256, 144)))
    job = Job(polls=0)
    vendors.seedance(server, job, media, "clip")
    runner = CliRunner()
    result = runner.invoke(app, ["render", str(root), "--yes"])
    assert result.exit_code == 0, result.output
    assert job.created == 2
    takes = json.loads(runner.invoke(app, ["provenance", str(root)]).stdout)["takes"]
    clips = {t["shot_id"]: t["provenance"] for t in takes if t["kind"] == "clip"}
    sent = {shot_id: p["params"]["references"] for shot_id, p in clips.items()}
    assert {s: [r["file"] for r in refs] for s, refs in sent.items()} == {
        "sc01_sh010": ["refs/maya0.png", "refs/maya1.png", "refs/look0.png"],
        "sc01_sh020": ["refs/leo0.png", "refs/look0.png"],
    }
    assert sorted(job.refs, key=len) == [[LEO[0], LOOK[0]], [MAYA[0], MAYA[1], LOOK[0]]]

    (root / "refs" / "maya1.png").write_bytes(make_png((1, 2, 3), (64, 64)))
    result = runner.invoke(app, ["render", str(root), "--yes"])
    assert result.exit_code == 0, result.output
    assert job.created == 3  # only Maya's shot is made again
    assert job.refs[2] == [MAYA[0], make_png((1, 2, 3), (64, 64)), LOOK[0]]

    (root / "refs" / "look0.png").write_bytes(make_png((3, 2, 1), (64, 64)))
    result = runner.invoke(app, ["render", str(root), "--yes"])
    assert result.exit_code == 0, result.output
    assert job.created == 5  # the look is in every shot
    assert all(refs[-1] == make_png((3, 2, 1), (64, 64)) for refs in job.refs[3:])
