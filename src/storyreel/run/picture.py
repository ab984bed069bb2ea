"""The picture stages: the programme encoded as segments, and the segments remuxed into the cut.

The programme is cut into segments at every event's in and out (`render.segments.plan`); each is
keyed by everything it shows, so one changed shot re-encodes only the segments that show it, and
the cut is a remux of stored segments with the AAC mix. A segment that shows a failed shot's
slate is shown but not stored. Before a cut is assembled every segment it copies is hashed
against its name: a segment rotted on disk is removed, reported and encoded again, never remuxed
into a cut.

Two profiles encode the segments. The master's keys and frames are those of storyreel before
profiles: the film look in full and `[render]`'s codec, CRF and preset (x264 medium CRF 18 by
default). The review profile, the default, makes the reel a director watches and mails: x264
ultrafast with CABAC at CRF 25 (`REVIEW_ENCODER`), and the look made in the encoder's Y'CbCr
planes with a lighter, coarser grain drawn from fields made once a render
(`render.planar.PlanarLook`); measured by `benchmarks/first_render.py` (time, size, SSIM
against a lossless encode of the same frames) and `benchmarks/review_encoder.py` (x264's
settings against each other).
The two are separate keys in the store, and share every still and clip. A draft is encoded as
the review is, at half size (`_encoding`).

On a cluster a segment's `SegmentTask` carries the part of the programme it shows, its clips as
recipes, to a worker, which makes the clips' frames, encodes, and sends back the file and what
each clip's backend said (`SegmentMade`); the driver stores it as a local encode would be.

While the reel is encoded, the film's first minute is remuxed to `cut-head.mp4` beside the cut
as soon as its segments are in the store (`HEAD_SECONDS`), something to watch before the end.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import opentimelineio as otio

from storyreel.config import render_workers
from storyreel.edit.timeline import picture_clips
from storyreel.errors import StoryreelError
from storyreel.model import FrameSource
from storyreel.motion.base import MotionBackend
from storyreel.render import heap
from storyreel.render import segments as seg
from storyreel.render.frames import FilmLook
from storyreel.render.planar import REVIEW_CLUMP, REVIEW_FIELDS, REVIEW_GRAIN, PlanarLook
from storyreel.render.program import LazySource, Program
from storyreel.run.clips import ClipRecipe, ClipSource
from storyreel.run.events import CutPlaced, FileWritten
from storyreel.run.pipeline import Pipeline
from storyreel.run.sound import Sound, cut_audio
from storyreel.run.stage import Stage, Stored
from storyreel.run.work import Needs, Task, needs_of, remote
from storyreel.store.keys import stage_key
from storyreel.store.objects import file_digest, fingerprint

AI_NOTE = (
    "Images in this film are AI-generated (synthetic keyframes and camera moves made by "
    "storyreel); provenance of every take: `storyreel provenance`."
)
# x264 ultrafast with CABAC at CRF 25, chosen by `benchmarks/review_encoder.py` (it prints the
# table of the settings tried): against superfast with a 10-frame macroblock tree at CRF 23 it
# takes about two thirds of the encoder's CPU a frame and 70 MB less memory an encoder (no
# lookahead), at an SSIM of 0.986 or more on every kind of segment (0.994 on camera moves and
# grain); the example's reel is 64 MB against 56 (SSIM 0.990 on the whole film, VMAF 94).
REVIEW_ENCODER = {"codec": "h264", "crf": 25, "preset": "ultrafast"}
REVIEW_OPTIONS = {
    "threads": "2",  # two slices a frame (sliced threads add no frame of latency, nor memory)
    "x264-params": "open-gop=0:cabac=1",
}
FRAME_THREADS = 4  # the most threads one segment's frames are made on (as `render_program`)
HEAD_SECONDS = 60  # the first playable section, written once the film's start is encoded


@dataclass(frozen=True)
class Encoding:
    """How a profile encodes segments: the look, the encoder, its options, and what keys hash."""

    look: FilmLook | PlanarLook
    encoder: dict[str, Any]
    options: dict[str, str]
    settings: dict[str, Any]


@dataclass(frozen=True)
class Encoded:
    """A segment of the cut and its encoded file."""

    segment: seg.Segment
    path: Path
    digest: str


@dataclass(frozen=True)
class SegmentMade:
    """What a segment's task sends back: the encoded file, and for each clip it showed (by key)
    the backend's refusal or what the backend said of its frames (params, meta)."""

    mp4: bytes
    refused: dict[str, str]
    made: dict[str, tuple[dict[str, Any], dict[str, Any]]]


@dataclass
class _Kept:
    """A clip of a GPU model an actor keeps until every segment that shows it is encoded."""

    clip: FrameSource
    said: tuple[dict[str, Any], dict[str, Any]]  # its backend's params and meta
    shown: int = 0  # segments encoded with it so far


_kept: dict[str, _Kept] = {}  # by clip key, in the actor's process


@dataclass(frozen=True)
class SegmentTask(Task):
    """A segment encoded on a cluster's worker: the programme of its frames alone, each of its
    clips a `ClipRecipe` (`backend`: the model of its clips that wants a GPU, if one does)."""

    backend: MotionBackend | None
    needs: Needs
    program: Program
    length: int
    encoding: Encoding
    uses: dict[str, int]  # how many segments to encode show each clip (by key)

    def route(self) -> str | None:
        """The GPU clip's key: the segments that show it go to the actor that keeps it."""
        return next(
            (
                e.source.job.key
                for e in self.program.events
                if isinstance(e.source, ClipRecipe) and e.source.job.backend is self.backend
            ),
            None,
        )

    def run(self, backend: MotionBackend | None) -> SegmentMade:
        refused: dict[str, str] = {}
        made: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        sources: dict[int, LazySource] = {}
        recipes: dict[int, ClipRecipe] = {}
        # a task with a GPU model runs in an actor (`backend`: its copy), which keeps its clips
        served = backend if self.backend is not None else None

        def source(recipe: ClipRecipe) -> FrameSource:
            key, keep = recipe.job.key, served is not None and recipe.job.backend is self.backend
            if recipe.failed is not None:
                refused[key] = recipe.failed
                return recipe.slate(recipe.failed)
            if keep and key in _kept:  # made for a segment before: not made twice
                made[key] = _kept[key].said
                return _kept[key].clip
            try:
                clip = recipe.make(served if keep else None)
            except StoryreelError as e:
                refused[key] = recipe.refusal(e)
                return recipe.slate(refused[key])
            made[key] = (recipe.job.backend.params(clip), getattr(clip, "meta", {}) or {})
            if keep:
                _kept[key] = _Kept(clip, made[key])
            return clip

        def lazy(recipe: ClipRecipe) -> LazySource:
            recipes[id(recipe)] = recipe
            if id(recipe) not in sources:
                job, cfg = recipe.job, recipe.config
                sources[id(recipe)] = LazySource(
                    lambda: source(recipe), cfg.film.fps, job.n_frames, cfg.picture_size
                )
            return sources[id(recipe)]

        events = [
            replace(e, source=lazy(e.source)) if isinstance(e.source, ClipRecipe) else e
            for e in self.program.events
        ]
        program, how = replace(self.program, events=events), self.encoding
        with tempfile.TemporaryDirectory(prefix="storyreel-segment-") as tmp:
            path = Path(tmp) / "segment.mp4"
            part = seg.Segment(0, self.length, "")
            seg.encode_segment(program, part, how.look, path, how.encoder, None, how.options)
            for rid, s in sources.items():
                key = recipes[rid].job.key
                if key not in _kept:
                    s.close()
                    continue
                _kept[key].shown += 1
                if _kept[key].shown >= self.uses.get(key, 1):  # its last segment
                    clip = _kept.pop(key).clip
                    if hasattr(clip, "close"):
                        clip.close()
            return SegmentMade(path.read_bytes(), refused, made)


class SegmentsStage(Stage[seg.Segment, str]):
    """Encodes one segment into the store; its value is the encoded file's digest."""

    name, kind = "segments", "segment"

    def __init__(
        self,
        p: Pipeline,
        program: Program,
        encoding: Encoding,
        tick: Any,
        users: dict[int, int],
        threads: int = 1,
    ):
        self.p, self.program, self.encoding, self.tick = p, program, encoding, tick
        self.threads = threads  # that make one segment's frames
        self.users, self._guard = users, threading.Lock()  # a clip is closed after its last segment
        self.uses = dict(users)  # segments to encode that show each clip, in all

    def key(self, item: seg.Segment) -> str:
        return item.key

    def label(self, item: seg.Segment) -> str:
        return f"segment at frame {item.start}"

    def frames(self, item: seg.Segment) -> int:
        return item.length

    def compute(self, item: seg.Segment) -> str:
        tmp = self.p.store.temp_path(".mp4")
        e = self.encoding
        seg.encode_segment(
            self.program, item, e.look, tmp, e.encoder, self.tick, e.options, self.threads
        )
        dig = self.p.store.put_file(tmp)
        self._shown(item)
        heap.release()  # the segment's frames and encoder, freed in this worker's arena
        return dig

    def _shown(self, item: seg.Segment) -> None:
        """The segment is encoded: a clip it was the last to show is closed."""
        with self._guard:
            for k in item.sources:
                source = self.program.events[k].source
                self.users[id(source)] -= 1
                if self.users[id(source)] == 0 and hasattr(source, "close"):
                    source.close()

    def task(self, item: seg.Segment) -> SegmentTask | None:
        sub = seg.sub_program(self.program, item.start, item.length)
        recipes: dict[int, ClipRecipe] = {}
        events = []
        for e in sub.events:
            if isinstance(e.source, ClipSource):
                if not remote(e.source.job.backend):
                    return None  # a hosted clip is made on the driver, where its ledger is
                if id(e.source) not in recipes:
                    recipes[id(e.source)] = e.source.recipe()
                e = replace(e, source=recipes[id(e.source)])
            events.append(e)
        # clips of a model that wants a GPU: served by the actor that keeps that model loaded
        gpu = [r.job.backend for r in recipes.values() if needs_of(r.job.backend).gpus]
        return SegmentTask(
            gpu[0] if gpu else None,
            needs_of(gpu[0]) if gpu else Needs(),
            replace(sub, events=events),
            item.length,
            self.encoding,
            {r.job.key: self.uses[k] for k, r in recipes.items()},
        )

    def accept(self, item: seg.Segment, result: SegmentMade) -> str:
        for k in item.sources:
            source = self.program.events[k].source
            if not isinstance(source, ClipSource):
                continue
            if source.key in result.refused:
                source.refused(result.refused[source.key])
            elif source.key in result.made:
                source.made(*result.made[source.key])
        tmp = self.p.store.temp_path(".mp4")
        tmp.write_bytes(result.mp4)
        self.tick(item.length)
        self._shown(item)  # a clip also shown by a segment encoded here is closed after both
        return self.p.store.put_file(tmp)

    def save(self, item: seg.Segment, value: str) -> Stored | None:
        if any(getattr(self.program.events[k].source, "failed", False) for k in item.sources):
            return None  # shows a slate: the next build asks the backend again
        return Stored({"mp4": value}, {"start": item.start, "length": item.length})


def make_segments(
    p: Pipeline, program: Program, profile: str = "review", head: Path | None = None
) -> list[Encoded]:
    """Every segment of the programme in `profile`, encoded (or found in the store); the film's
    first minute remuxed to `head` as soon as it is encoded, when more is still to come."""
    encoding = _encoding(p, program, profile)
    found: dict[str, str] = {}
    with p.runner.stage("plan"):
        planned = seg.plan(program, encoding.look, encoding.settings)
        for s in planned:
            stored = p.runner.lookup(s.key, f"segment at frame {s.start}")
            if stored is not None:
                found[s.key] = stored.blobs["mp4"]
                p.runner.reused("segments", s.key[:12])
    todo = [s for s in planned if s.key not in found]
    _encode(
        p,
        program,
        encoding,
        todo,
        found,
        _first_minute(p, program, planned, head) if head and todo else None,
    )
    return [Encoded(s, p.store.path(found[s.key]), found[s.key]) for s in planned]


def _first_minute(p: Pipeline, program: Program, planned: list[seg.Segment], head: Path) -> Any:
    """A callback for `_encode`: once the segments of the film's first `HEAD_SECONDS` are all
    in `found`, they are remuxed (picture only) to `head`, once."""
    need = round(HEAD_SECONDS * program.fps)
    first: list[seg.Segment] = []
    for s in planned:
        if sum(f.length for f in first) >= need:
            break
        first.append(s)
    if sum(s.length for s in planned) <= need or len(first) == len(planned):
        return None  # the cut itself is as soon
    written = False

    def check(found: dict[str, str]) -> None:
        nonlocal written
        if written or any(s.key not in found for s in first):
            return
        written = True
        seg.assemble(
            [p.store.path(found[s.key]) for s in first],
            [s.length for s in first],
            program.fps,
            head,
        )
        p.events.publish(FileWritten(str(head)))

    return check


def _encode(
    p: Pipeline,
    program: Program,
    encoding: Encoding,
    todo: list[seg.Segment],
    found: dict[str, str],
    done: Any = None,
) -> None:
    """Encode `todo` into the store on the executor, noting each one's digest in `found` (and
    calling `done(found)` after each)."""
    users: dict[int, int] = {}
    for s in todo:
        for k in s.sources:
            users[id(program.events[k].source)] = users.get(id(program.events[k].source), 0) + 1
    workers = render_workers(p.config)
    side = min(workers, len(todo))
    threads = frame_threads(side)
    heap.release()  # what the stills stage's threads freed: not under the segments' peak
    with (
        p.runner.stage("segments", sum(s.length for s in todo)) as tick,
        seg.side_by_side(side * threads),
    ):
        stage = SegmentsStage(p, program, encoding, tick, users, threads)
        if done is not None:
            done(found)
        for s, outcome in p.runner.ensure(stage, todo, workers=workers):
            found[s.key] = outcome.value
            if done is not None:
                done(found)


def frame_threads(segments: int) -> int:
    """Threads that make each segment's frames while `segments` are encoded side by side: the
    cores they leave (a studio's edit encodes one segment, on every core), four at most."""
    return max(1, min(FRAME_THREADS, (os.cpu_count() or 1) // max(1, segments)))


def placed(
    timeline: otio.schema.Timeline, segments: list[Encoded], output: Path, fps: Fraction
) -> CutPlaced:
    """Each shot's place in the cut of `timeline` and the segments it is made of, in frames."""
    shots = []
    for clip in picture_clips(timeline):
        r = clip.range_in_parent()
        start = round(r.start_time.rescaled_to(float(fps)).value)
        end = round(r.end_time_exclusive().rescaled_to(float(fps)).value)
        shots.append(
            {"shot": clip.metadata["storyreel"]["shot_id"], "start": start, "length": end - start}
        )
    return CutPlaced(
        str(output),
        str(fps),
        sum(e.segment.length for e in segments),
        shots,
        [
            {"start": e.segment.start, "length": e.segment.length, "digest": e.digest}
            for e in segments
        ],
    )


def make_cut(
    p: Pipeline,
    program: Program,
    segments: list[Encoded],
    sound: Sound,
    output: Path,
    provenance: dict[str, Any],
    profile: str = "review",
) -> None:
    """The cut at `output`: the programme's segments remuxed with the mix, unless it is there."""
    with p.runner.stage("cut"):
        key = stage_key(
            "cut",
            upstream=[sound.key, *(e.segment.key for e in segments)],
            note=AI_NOTE,
            failed=p.report.failed,
            timecode=p.config.film.start_timecode,
        )
        last = p.db.last_cut(str(output))
        if (
            last is not None
            and last["key"] == key
            and output.is_file()
            and fingerprint(output) == (last["size"], last["mtime_ns"])
        ):
            p.runner.reused("cut", str(output))
            return
        segments = _intact(p, program, segments, profile)
        fps = p.config.film.fps
        seconds = Fraction(sum(e.segment.length for e in segments)) / fps
        audio_keys, audio = cut_audio(p, sound, seconds)
        seg.assemble(
            [e.path for e in segments],
            [e.segment.length for e in segments],
            fps,
            output,
            audio=audio,
            metadata={
                "title": provenance.get("title") or output.stem,
                "comment": AI_NOTE,
                "description": AI_NOTE,
                "timecode": p.config.film.start_timecode,
            },
        )
        p.db.cut_put(
            key,
            str(output),
            file_digest(output),
            *fingerprint(output),
            [k for k in (sound.key, *audio_keys, *(e.segment.key for e in segments)) if k],
            json.dumps(provenance, default=str),
        )
        p.runner.computed("cut", str(output))


def _intact(p: Pipeline, program: Program, segments: list[Encoded], profile: str) -> list[Encoded]:
    """`segments` after hashing each against its name; rotted ones are encoded again."""
    bad = [e for e in segments if not p.store.verify(e.digest)]
    if not bad:
        return segments
    for e in bad:
        p.runner.repair(e.segment.key, e.digest, f"segment at frame {e.segment.start}")
    found = {e.segment.key: e.digest for e in segments if e not in bad}
    _encode(p, program, _encoding(p, program, profile), [e.segment for e in bad], found)
    return [
        Encoded(e.segment, p.store.path(found[e.segment.key]), found[e.segment.key])
        for e in segments
    ]


def _encoding(p: Pipeline, program: Program, profile: str) -> Encoding:
    """How the programme's segments are encoded in `profile`; a draft (watched while writing,
    one segment at a time in the studio) has the review's look and encoder at its own CRF."""
    cfg = p.config
    review = profile == "review" or p.draft
    look = FilmLook(
        cfg.look, program.frame_size, program.picture_size, program.fps, project_root=p.root
    )
    lut = _lut_digest(cfg.look.lut, p.root)
    if not review:  # the keys of storyreel before profiles: its master segments stay reusable
        encoder = {"codec": cfg.render.codec, "crf": cfg.render.crf, "preset": cfg.render.preset}
        return Encoding(
            look,
            encoder,
            {},
            {"look": cfg.look, "lut": lut, "encoder": encoder, "options": seg.SEGMENT_OPTIONS},
        )
    encoder, extra = REVIEW_ENCODER, REVIEW_OPTIONS
    if p.draft:  # one segment at a time while writing: more x264 threads, a fixed number of
        # them, since x264's frames depend on it (its slices: a laptop and a node must agree)
        encoder = {**REVIEW_ENCODER, "crf": cfg.render.crf}
        extra = {**REVIEW_OPTIONS, "threads": "4"}
    grain = {"share": REVIEW_GRAIN, "clump": REVIEW_CLUMP, "fields": REVIEW_FIELDS}
    return Encoding(
        PlanarLook(look),
        encoder,
        extra,
        {
            "profile": "draft" if p.draft else "review",
            "look": cfg.look,
            "lut": lut,
            "grain": grain,
            "planes": "yuv420p",  # PlanarLook: the look made in the encoder's planes
            "encoder": encoder,
            "options": {**seg.SEGMENT_OPTIONS, **extra},
        },
    )


def _lut_digest(lut: str | None, root: Path) -> str | None:
    if not lut:
        return None
    path = root / lut
    return file_digest(path) if path.is_file() else f"missing:{lut}"
