"""The build: the order of the stages, script → shots → stills → clips → timeline → sound →
segments → cut + exports, and where each command stops.

Every stage asks the store before it computes (`storyreel.run.stage`): nothing changed → no frame
is touched; one shot changed → its still, its clip and the segments that show it are redone, and
the cut is remuxed. `render` runs them all; `stills` and `storyboard` stop after the stills,
`clip` after one shot's clip. Each publishes the same build events (`storyreel.run.events`), which
the progress bar, `--json` and the report follow.

A backend that refuses a shot fails that shot alone (`storyreel.run.clips`); errors in the script
or the project file still stop the build.
"""

from __future__ import annotations

import json
import shutil
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from storyreel.edit.notes import Note, add_note_markers
from storyreel.edit.playback import program_from_timeline
from storyreel.edit.subtitles import subtitle_overlays
from storyreel.edit.timeline import build_timeline, media_lengths, out_points
from storyreel.errors import StoryreelError, did_you_mean
from storyreel.files import atomic_write, png_bytes
from storyreel.model import FrameSource, Shot, ShotList, Still, Take, frames_for
from storyreel.review.contact_sheet import SheetEntry, contact_sheet
from storyreel.run.clips import make_clips, plan_clips
from storyreel.run.events import BuildFinished, BuildStarted, FileWritten, Subscriber
from storyreel.run.exports import make_exports
from storyreel.run.media import make_media
from storyreel.run.picture import AI_NOTE, make_cut, make_segments, placed
from storyreel.run.pipeline import OLD_STILLS, Pipeline, open_pipeline
from storyreel.run.report import BuildReport
from storyreel.run.sound import (
    Music,
    beats,
    make_cues,
    mix_sound,
    music_file,
    per_scene_music,
    write_stems,
)
from storyreel.run.stills import Stills, load_take, make_later, make_stills
from storyreel.run.voices import heard, make_voices
from storyreel.store.db import Database
from storyreel.store.lock import project_lock
from storyreel.store.objects import ObjectStore, file_digest
from storyreel.store.project import Project, load_overrides

__all__ = ["AI_NOTE", "BuildReport", "build", "clip_of", "collect_garbage", "stills_of"]


def cut_provenance(shotlist: ShotList, takes: dict[str, Take], config: Any) -> dict[str, Any]:
    """The cut's provenance: the film, its settings, and every take it uses."""
    return {
        "title": shotlist.title,
        "source": shotlist.source,
        "generator": "storyreel",
        "ai_generated": True,
        "note": AI_NOTE,
        "config": json.loads(config.model_dump_json()),
        "takes": [
            {"shot_id": sid, "take_id": t.id, **t.provenance.model_dump(mode="json")}
            for sid, t in takes.items()
        ],
    }


def _render(
    p: Pipeline,
    output: Path,
    music: Path | None,
    burn_subtitles: bool,
    media: bool = False,
    profile: str = "review",
    approve: Callable[[Pipeline, ShotList], None] | None = None,
) -> None:
    cfg = p.config
    shotlist = p.breakdown()
    scored = per_scene_music(p, music)
    music = music_file(p, music)  # a file that is not audio is said before any work
    if approve is not None:  # before anything is made, or paid for (hosted voices too)
        approve(p, shotlist)
    voices = make_voices(p, shotlist)  # first: a line's length holds its shot on screen
    stills = make_stills(p, shotlist, first=p.draft)  # a draft: the other takes after its cut
    selected = stills.selected
    if not p.draft:  # a draft comes in seconds: the sheet and the first minute are for renders
        _contact_sheet(p, shotlist, stills)
    with p.runner.stage("timeline"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        edit = edit_inputs(p, shotlist, music, voices.lengths)
        script_cut = build_timeline(shotlist, cfg, **edit)
        lengths, outs = media_lengths(script_cut), out_points(script_cut)
    for message in dict.fromkeys(str(w.message) for w in caught):
        p.warn(message)
    music_digest = file_digest(music) if music else None
    sources, takes = make_clips(p, plan_clips(p, shotlist, selected, lengths, outs))
    with p.runner.stage("timeline"):
        timeline = build_timeline(shotlist, cfg, takes=takes, **edit)
    sounds = make_cues(p, timeline, shotlist, scored)
    sound = mix_sound(p, timeline, shotlist, music_digest, heard(voices), sounds)
    with p.runner.stage("program"):
        program = program_from_timeline(timeline, sources, cfg)
        if burn_subtitles:
            program.overlays.extend(subtitle_overlays(timeline))
    head = None if p.draft else output.with_name(f"{output.stem}-head{output.suffix}")
    segments = make_segments(p, program, profile, head=head)
    p.events.publish(placed(timeline, segments, output, cfg.film.fps))
    provenance = cut_provenance(shotlist, takes, cfg)
    provenance["profile"] = "draft" if p.draft else profile
    if p.report.failed:
        provenance["failed"] = dict(p.report.failed)  # shots the cut shows as slates
    make_cut(p, program, segments, sound, output, provenance, profile)
    p.report.output = output
    p.events.publish(FileWritten(str(output)))
    if p.draft:  # a draft is for watching; the exports stay those of the full cut
        make_later(p, stills)
        return
    stems = dict(zip(sound.stems, write_stems(p, sound, output), strict=True))
    for path in stems.values():
        p.events.publish(FileWritten(str(path)))
    with p.runner.stage("timeline"):  # again: the takes' provenance is whole once frames exist
        timeline = build_timeline(shotlist, cfg, takes=takes, **edit)
        add_note_markers(timeline, [Note.from_row(r) for r in p.db.notes(include_resolved=False)])
    made = (
        make_media(p, timeline, sources, stems, voices.lines) if media or cfg.render.media else []
    )
    for path in [*made, *make_exports(p, timeline, shotlist, output, made)]:
        p.events.publish(FileWritten(str(path)))


def edit_inputs(
    p: Pipeline,
    shotlist: ShotList,
    music: Path | None,
    lengths: Mapping[str, float],
) -> dict[str, Any]:
    """What the timeline is cut from besides the shots: the lines' spoken lengths (`lengths`,
    the voice stage's), the imported edit, the music and its beats (`build_timeline`'s
    keywords)."""
    cuts_on = beats(p, Music(music, file_digest(music))) if music else None
    return {
        "dialogue_lengths": lengths,
        "overrides": load_overrides(p.project),
        "music": music,
        "beats": cuts_on,
        "project_root": p.root,
    }


def _contact_sheet(p: Pipeline, shotlist: ShotList, stills: Stills) -> None:
    """out/contact-sheet.png, the takes on one page, as soon as the stills are made: something
    to look at while the reel renders. Written when a still was made or the sheet is missing;
    each take's picture is read from its stored PNG at a quarter of its size (no layers)."""
    path = p.project.out_dir / "contact-sheet.png"
    if path.is_file() and not p.report.computed["stills"]:
        return
    entries = []
    for shot in shotlist.shots:
        mine = []
        for ref in stills.takes:
            stored = p.db.output_get(ref.key) if ref.shot == shot else None
            png = (stored or {"blobs": {}})["blobs"].get("png")
            image = (
                cv2.imread(str(p.store.path(png[0])), cv2.IMREAD_REDUCED_COLOR_4) if png else None
            )
            if image is not None and ref.key not in stills.refused:
                mine.append((ref.seed, cv2.cvtColor(image, cv2.COLOR_BGR2RGB)))
        if mine:
            entries.append(SheetEntry(shot, mine))
    if not entries:
        return
    title = (shotlist.title or p.root.name).strip("*_ ").replace("**", "")
    image = contact_sheet(entries, title=title, grain=p.project.config.look.grain)
    atomic_write(path, png_bytes(np.asarray(image)))
    p.events.publish(FileWritten(str(path)))


@contextmanager
def _session(
    project: Project,
    output: Path,
    *,
    until: str | None,
    draft: bool,
    subscribers: tuple[Subscriber, ...],
    lock_timeout: float,
    on_wait: Callable[[str], None] | None,
    executor: str | None = None,
) -> Iterator[Pipeline]:
    """A pipeline whose build is framed by `build_started` and `build_finished`."""
    start = time.perf_counter()
    with open_pipeline(
        project,
        *subscribers,
        draft=draft,
        lock_timeout=lock_timeout,
        on_wait=on_wait,
        executor=executor,
    ) as p:
        p.events.publish(BuildStarted(str(project.root), str(output), draft, until))
        yield p
        p.report.seconds = round(time.perf_counter() - start, 3)
        p.events.publish(BuildFinished(p.report.to_json()))


def build(
    project: Project,
    *,
    output: Path | None = None,
    music: Path | None = None,
    burn_subtitles: bool = False,
    draft: bool = False,
    media: bool = False,
    profile: str | None = None,
    subscribers: tuple[Subscriber, ...] = (),
    lock_timeout: float = 600.0,
    on_wait: Callable[[str], None] | None = None,
    executor: str | None = None,
    approve: Callable[[Pipeline, ShotList], None] | None = None,
) -> BuildReport:
    """Bring the project's cut up to date, computing only what changed. Holds the project lock.

    Args:
        output: the cut (default: out/cut.mp4, or out/draft.mp4 for a draft).
        music: a music bed; cuts snap to its beats.
        draft: half the frame size and a fast encoder, without exports; shares the stills.
        media: also write out/media/, the shots with handles and the lines the exports point
            at (as `[render] media` in the project file does).
        profile: "review" (fast, a reel to mail) or "master" (`[render]`'s encoder, the full
            grain); by default the project's `[render] profile`. Both share stills and clips.
        subscribers: called with every build event (the progress bar, `--json`, a studio).
        on_wait: told when the build waits for another build's lock.
        executor: where the work runs: "local", "ray" (`RAY_ADDRESS`'s cluster, or one started
            for the build) or "ray://HOST:PORT"; by default the project's `[run] executor`.
        approve: called with the pipeline and the shots before anything is made; raises to
            stop the build (`storyreel.run.spend.gate`: the estimate, the budget, the approval).
    Returns:
        The report of what the build did.
    """
    output = Path(output) if output else project.out_dir / ("draft.mp4" if draft else "cut.mp4")
    with _session(
        project,
        output,
        until=None,
        draft=draft,
        subscribers=subscribers,
        lock_timeout=lock_timeout,
        on_wait=on_wait,
        executor=executor,
    ) as p:
        _render(
            p,
            output,
            Path(music) if music else None,
            burn_subtitles,
            media,
            profile or project.config.render.profile,
            approve,
        )
    return p.report


@dataclass(frozen=True)
class ShotStills:
    """A shot and its takes' stills (take number from 1, seed, still), for sheets and boards."""

    shot: Shot
    takes: list[tuple[int, int, Still]]


def _pick(shotlist: ShotList, only: str | None) -> list[Shot]:
    if only is None:
        return shotlist.shots
    ids = [s.id for s in shotlist.shots]
    if only not in ids:
        raise StoryreelError(f"no shot {only!r}{did_you_mean(only, ids)}", shotlist.source)
    return [shotlist.shot(only)]


def stills_of(
    project: Project,
    *,
    shot: str | None = None,
    takes: int | None = None,
    selected: bool = False,
    subscribers: tuple[Subscriber, ...] = (),
    lock_timeout: float = 600.0,
    approve: Callable[[Pipeline, ShotList], None] | None = None,
) -> tuple[ShotList, list[ShotStills], BuildReport]:
    """Make (or find) the stills of every shot, or of `shot`, in the project's one take store.

    Args:
        takes: at least this many takes a shot (kept: `storyreel takes` lists them).
        selected: give only the take each shot's cut uses (a storyboard), not all of them.
        approve: as `build`'s, before any still is made.
    Returns:
        The shot list, each shot with its stills, and the report.
    """
    output = project.out_dir / "contact-sheet.png"
    with _session(
        project,
        output,
        until="stills",
        draft=False,
        subscribers=subscribers,
        lock_timeout=lock_timeout,
        on_wait=None,
    ) as p:
        shotlist = p.breakdown()
        shots = _pick(shotlist, shot)
        if approve is not None:  # before anything is made, or paid for
            approve(p, shotlist)
        made = make_stills(p, shotlist, shots, takes)
        found = []
        for s in shots:
            mine = (
                [made.selected[s.id]]
                if selected
                else [r for r in made.takes if r.shot == s][:takes]
            )  # --takes N: N of them
            found.append(
                ShotStills(
                    s,
                    [
                        (r.index + 1, r.seed, load_take(p, r))
                        for r in mine
                        if r.key not in made.refused
                    ],
                )
            )
    return shotlist, found, p.report


def clip_of(
    project: Project,
    shot: str,
    *,
    update: dict[str, Any] | None = None,
    take: int = 0,
    subscribers: tuple[Subscriber, ...] = (),
    render: Callable[[Shot, FrameSource], None],
    approve: Callable[[Pipeline, ShotList], None] | None = None,
) -> BuildReport:
    """One shot's clip through its own stills and motion backends, handed to `render` while the
    project is held (the `clip` command encodes it to a file).

    Args:
        update: shot fields to try instead of the script's (`move`, `move_intensity`, `easing`).
        take: which take of the shot (0-based) the clip starts from.
        approve: as `build`'s, before the still or the clip is made.
    """
    output = project.out_dir / f"{shot}.clip"
    with _session(
        project,
        output,
        until="clips",
        draft=False,
        subscribers=subscribers,
        lock_timeout=600.0,
        on_wait=None,
    ) as p:
        shotlist = p.breakdown()
        [original] = _pick(shotlist, shot)
        if approve is not None:  # before anything is made, or paid for
            approve(p, shotlist)
        made = make_stills(p, shotlist, [original], take + 1)
        still = made.takes[take]
        if still.key in made.refused:
            raise StoryreelError(f"shot {shot}: {p.report.failed.get(shot) or 'its still failed'}")
        tried = original.model_copy(update=update or {})
        n = frames_for(tried.duration, p.config.film.fps)
        [job] = plan_clips(p, _alone(shotlist, tried), {shot: still}, {shot: n}, {})
        sources, _ = make_clips(p, [job], tried=True)
        render(tried, sources[shot])
        if p.failed(shot):
            raise StoryreelError(f"shot {shot}: {p.report.failed[shot]}")
    return p.report


def _alone(shotlist: ShotList, shot: Shot) -> ShotList:
    """A shot list of `shot` alone, in its scene (a clip tried on its own lands nowhere)."""
    return shotlist.model_copy(update={"shots": [shot]})


def collect_garbage(project: Project) -> tuple[int, int]:
    """Remove stored outputs and objects that no take and no latest cut reaches: (objects, bytes).

    Also removes `.storyreel/stills/`, the take folder of storyreel before 0.2."""
    with project_lock(project.state_dir, timeout=0.0), Database(project.db_path) as db:
        live = {row["object_key"] for row in db.takes()}
        latest: dict[str, Any] = {}
        for row in db.cuts():
            latest[row["path"]] = row
        for row in latest.values():
            live.update(json.loads(row["blobs"]))
        outputs = db.outputs()
        db.outputs_delete([k for k in outputs if k not in live])
        keep = {b[0] for k, o in outputs.items() if k in live for b in o["blobs"].values()}
        shutil.rmtree(project.state_dir / "thumbs", ignore_errors=True)  # links made by `takes`
        shutil.rmtree(project.root / OLD_STILLS, ignore_errors=True)
        db.compact_journal()
        return ObjectStore(project.objects_dir).gc(keep)
