from __future__ import annotations

import json
from pathlib import Path

import av
import opentimelineio as otio

from storyreel.run.build import AI_NOTE, build, collect_garbage
from storyreel.store.db import Database
from storyreel.store.project import Project
from tests.run.conftest import decode, make_project

OUTPUTS = (
    "cut.mp4",
    "cut.otio",
    "cut.edl",
    "cut.xml",
    "cut.fcpxml",
    "cut.srt",
    "cut.vtt",
    "shotlist.csv",
)


def render(root: Path):
    return build(Project.open(root))


def edit(root: Path, old: str, new: str) -> None:
    path = root / "script.fountain"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def shot_ids(root: Path) -> list[str]:
    with Database(Project.open(root).db_path) as db:
        return list(db.shots())


def test_render_writes_the_cut_and_exports_and_a_rebuild_computes_nothing(project):
    first = render(project)
    out = project / "out"
    for name in OUTPUTS:
        assert (out / name).is_file(), name
    frames = decode(out / "cut.mp4")
    assert len(frames) == first.frames > 0
    with av.open(str(out / "cut.mp4")) as c:
        assert AI_NOTE in c.metadata.get("comment", "")
        video, audio = c.streams.video[0], c.streams.audio[0]  # the scratch line, as AAC
        assert audio.codec_context.name == "aac"
        assert abs(float(video.duration * video.time_base) - len(frames) / 24) < 1e-6
        assert abs(float(audio.duration * audio.time_base) - len(frames) / 24) < 0.05
    stat = (out / "cut.mp4").stat().st_mtime_ns

    again = render(project)
    assert again.frames == 0
    assert all(not v for v in again.computed.values()), again.computed
    assert again.reused["stills"] == len(shot_ids(project)) and again.reused["cut"] == 1
    assert (out / "cut.mp4").stat().st_mtime_ns == stat


def test_one_shot_edit_redoes_only_that_shot(project):
    render(project)
    edit(project, "She looks at the reel.", "She holds the reel to the light.")
    report = render(project)
    assert report.shots["changed"] == ["sh3"] and not report.shots["added"]
    assert [t.split(".")[0] for t in report.computed["stills"]] == ["sh3"]
    assert [t.split(".")[0] for t in report.computed["clips"]] == ["sh3"]
    # its own segment, and at most the transition regions on either side of it
    assert 1 <= len(report.computed["segments"]) <= 3
    assert report.frames <= 24 + 2 * 12
    assert len(decode(project / "out" / "cut.mp4")) > 0


def test_selection_is_used_and_survives_edits_to_other_shots(tmp_path):
    from typer.testing import CliRunner

    from storyreel.cli import app

    root = make_project(tmp_path / "film", takes=2)
    render(root)
    first = "sh1"
    result = CliRunner().invoke(app, ["select", first, "2", "-p", str(root)])
    assert result.exit_code == 0, result.output
    render(root)

    def used_take() -> str:
        tl = otio.adapters.read_from_file(str(root / "out" / "cut.otio"))
        clip = next(
            c
            for c in tl.video_tracks()[0].find_clips()
            if c.metadata.get("storyreel", {}).get("shot_id") == first
        )
        return clip.metadata["storyreel"]["take_id"]

    with Database(Project.open(root).db_path) as db:
        take = db.take(used_take())
        assert take["kind"] == "clip" and take["idx"] == 1

    edit(root, "A film can on the desk.", "Two film cans on the desk.")
    render(root)
    with Database(Project.open(root).db_path) as db:
        assert db.take(used_take())["idx"] == 1

    listing = CliRunner().invoke(app, ["takes", first, "-p", str(root), "--json"])
    rows = json.loads(listing.output)
    assert [r["take"] for r in rows if r["selected"]] == [2]


def test_changed_shot_keeps_its_old_takes_marked_stale(project):
    from typer.testing import CliRunner

    from storyreel.cli import app

    render(project)
    shot = "sh2"
    edit(project, "MAYA stands at the rail.", "MAYA leans on the rail.")
    render(project)
    rows = json.loads(CliRunner().invoke(app, ["takes", shot, "-p", str(project), "--json"]).output)
    assert sorted(r["stale"] for r in rows) == [False, True]
    assert all(r["thumbnail"] and (project / r["thumbnail"]).is_file() for r in rows)


def test_clip_take_records_the_motion_backends_own_prompt_and_job(project, monkeypatch):
    import storyreel.run.pipeline as run_build
    from storyreel.motion.base import MotionBackend

    class Hosted(MotionBackend):  # a motion backend whose clips carry a vendor's prompt and job id
        name, version = "hosted-i2v", "1"

        def __init__(self, inner):
            self.inner = inner

        def animate(self, request):
            clip = self.inner.animate(request)
            clip.meta = {
                "prompt": f"slow move on {request.shot.id}",
                "remote_id": "job-7",
                "params": {"model": "i2v-2"},
            }
            return clip

    real = run_build.load_backend
    monkeypatch.setattr(
        run_build,
        "load_backend",
        lambda stage, spec: Hosted(real(stage, spec)) if stage == "motion" else real(stage, spec),
    )
    render(project)
    with Database(Project.open(project).db_path) as db:
        stills = {r["shot_id"]: r for r in db.takes(kind="still")}
        for row in db.takes(kind="clip"):
            prov = json.loads(row["provenance"])
            assert prov["backend"] == "hosted-i2v" and prov["remote_id"] == "job-7"
            assert prov["prompt"] == f"slow move on {row['shot_id']}"
            assert prov["params"]["model"] == "i2v-2" and prov["params"]["n_frames"] > 0
            assert prov["inputs"] == [stills[row["shot_id"]]["object_key"]]


def test_corrupt_objects_are_noticed_and_recomputed(project):
    render(project)
    before = decode(project / "out" / "cut.mp4")
    with Database(Project.open(project).db_path) as db:
        outputs = db.outputs()
    objects = project / ".storyreel" / "objects"
    seg = next(o["blobs"]["mp4"][0] for o in outputs.values() if o["stage"] == "segment")
    png = next(o["blobs"]["png"][0] for o in outputs.values() if o["stage"] == "still")
    for dig in (seg, png):
        path = objects / dig[:2] / dig[2:]
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    report = render(project)
    assert any(seg[:12] in m for m in report.repaired) and any(
        png[:12] in m for m in report.repaired
    )
    assert len(report.computed["segments"]) == 1 and len(report.computed["stills"]) == 1
    after = decode(project / "out" / "cut.mp4")
    assert len(after) == len(before)


def test_gc_drops_what_nothing_uses(project):
    render(project)
    edit(project, "Waves under the pier lights.", "Rain on the pier.")
    render(project)
    objects = project / ".storyreel" / "objects"
    count_before = sum(1 for p in objects.rglob("*") if p.is_file())
    removed, size = collect_garbage(Project.open(project))
    assert removed >= 1 and size > 0  # at least the segment of the old first shot
    assert sum(1 for p in objects.rglob("*") if p.is_file()) == count_before - removed
    report = render(project)
    assert report.frames == 0 and not report.computed["stills"]
