"""The incremental build: script → shots → stills → clips → timeline → segments → cut + exports.

Every stage asks the store before it computes: its output is looked up by a key that hashes its
inputs, its backend's identity and version, and the keys upstream (`storyreel.run.takes`,
`storyreel.store.keys`). Nothing changed → no frame is touched; one shot changed → its still,
its clip and the segments that show it are redone, and the cut is remuxed.

Clips are frames on demand (`FrameSource`): a clip's frames are computed only while a segment
that shows it is encoded, and the encoded segment is what the store keeps.

A backend that refuses a shot (a `StoryreelError` from its `generate` or `animate`: a bad key, a
content policy, a quota) fails that shot alone: the other shots are made, the cut shows a slate
with the shot id and the vendor's message in its place, and `BuildReport.failed` says so. The
slate is never stored, so the next build asks the backend again (a hosted backend's job ledger
keeps it from paying twice). Errors in the script or the project file still stop the build.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from storyreel.backends import load_backend
from storyreel.errors import StoryreelError
from storyreel.model import Provenance, Shot, ShotList, Still, Take, TransitionKind
from storyreel.run.executors import LocalExecutor
from storyreel.run.identity import breakdown_shots
from storyreel.run.takes import (
    clip_key,
    load_still,
    save_still,
    shot_text_hash,
    still_key,
    take_id,
)
from storyreel.store.db import Database
from storyreel.store.keys import digest, stage_key
from storyreel.store.lock import project_lock
from storyreel.store.objects import CorruptObject, ObjectStore, file_digest, fingerprint
from storyreel.store.project import Project, load_overrides

AI_NOTE = ("Images in this film are AI-generated (synthetic keyframes and camera moves made by "
           "storyreel); provenance of every take: `storyreel provenance`.")
CACHED = ("stills", "clips", "audio", "segments", "cut")  # the stages whose outputs are stored


@dataclass
class BuildReport:
    """What a build did: the files it wrote, what it computed and reused, and how long it took."""

    output: Path | None = None
    files: list[Path] = field(default_factory=list)
    shots: dict[str, list[str]] = field(default_factory=dict)  # added / removed / changed ids
    computed: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in CACHED})
    reused: dict[str, int] = field(default_factory=lambda: {s: 0 for s in CACHED})
    repaired: list[str] = field(default_factory=list)  # corrupt objects found and recomputed
    warnings: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # shot id → its backend's refusal
    frames: int = 0  # frames rendered (0 when nothing changed)
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["output"] = str(self.output) if self.output else None
        data["files"] = [str(p) for p in self.files]
        return data


@dataclass
class _Slate:
    """A failed shot's clip (a `FrameSource`): the same card on every frame."""

    card: Any
    fps: Fraction
    n_frames: int

    @property
    def size(self) -> tuple[int, int]:
        return self.card.shape[1], self.card.shape[0]

    def frame(self, index: int) -> Any:
        return self.card


class _Build:
    def __init__(self, project: Project, report: BuildReport, say: Callable[[str], None],
                 progress: Progress | None, draft: bool = False):
        self.project, self.report, self.say, self.progress = project, report, say, progress
        self.draft = draft
        # a draft shares the full-size stills, made from `project.config` (nothing is generated
        # or paid for twice), and makes its clips and frames at half size
        self.config = project.config.draft() if draft else project.config
        self.store = ObjectStore(project.objects_dir)
        self.db = Database(project.db_path)
        self.executor = LocalExecutor()
        self.work_dir = project.state_dir / "audio"  # spoken lines, reused across builds
        self._backends: dict[tuple[str, str], Any] = {}
        self._failing = threading.Lock()

    # --- helpers ------------------------------------------------------------------------------

    def backend(self, stage: str, shot: Shot) -> Any:
        b = self.config.backends
        spec = b.shots.get(shot.id, {}).get(stage) or getattr(b, stage)
        if (stage, spec) not in self._backends:
            self._backends[stage, spec] = load_backend(stage, spec)
        return self._backends[stage, spec]

    def refused(self, shot: Shot, backend: Any, error: StoryreelError) -> None:
        """A backend's refusal of `shot`, recorded once and said."""
        with self._failing:
            if shot.id in self.report.failed:
                return
            said = str(error)  # a hosted backend's message names its vendor already
            self.report.failed[shot.id] = said if said.startswith(backend.name) else f"{backend.name}: {said}"
        self.say(f"shot {shot.id} failed: {self.report.failed[shot.id]}")

    def slate(self, shot: Shot, n_frames: int) -> _Slate:
        """The stand-in for a failed shot: a card naming it and its backend's refusal."""
        from storyreel.edit.titles import slate

        size = self.config.picture_size
        card = slate(f"{shot.id} not made", f"{self.report.failed[shot.id]} (render again to retry)",
                     size)
        return _Slate(card, self.config.film.fps, n_frames)

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        start = time.perf_counter()
        task = self.progress.add_task(name, total=total) if self.progress is not None else None

        def tick(n: int = 1) -> None:
            if task is not None:
                self.progress.advance(task, n)

        try:
            yield tick
        finally:
            spent = time.perf_counter() - start + self.report.stage_seconds.get(name, 0.0)
            self.report.stage_seconds[name] = round(spent, 3)
            if task is not None:
                self.progress.update(task, completed=total or 1, total=total or 1)

    def cached(self, key: str, what: str) -> dict[str, Any] | None:
        """A stored output whose objects are all intact; a damaged one is dropped and reported."""
        out = self.db.output_get(key)
        if out is None:
            return None
        for name, (dig, size, mtime) in out["blobs"].items():
            path = self.store.path(dig)
            if path.is_file() and fingerprint(path) == (size, mtime):
                continue
            if self.store.verify(dig):  # touched but intact: refresh its fingerprint
                out["blobs"][name] = [dig, *fingerprint(path)]
                self.db.output_put(key, out["stage"], out["blobs"], out["meta"])
                continue
            self.repair(key, dig, what)
            return None
        return out

    def repair(self, key: str, dig: str, what: str) -> None:
        self.db.output_delete(key)
        message = f"object {dig[:12]} ({what}) was corrupt or missing: removed, recomputing"
        self.report.repaired.append(message)
        self.say(message)

    def unchanged_files(self, key: str) -> list[Path] | None:
        """Files an earlier build wrote for `key`, when every one is still as it left them."""
        out = self.db.output_get(key)
        if out is None:
            return None
        files = [(Path(f), (size, mtime)) for f, size, mtime in out["meta"]["files"]]
        if all(f.is_file() and fingerprint(f) == fp for f, fp in files):
            return [f for f, _ in files]
        return None

    def put_blob(self, dig: str) -> list[Any]:
        return [dig, *fingerprint(self.store.path(dig))]

    # --- stages -------------------------------------------------------------------------------

    def breakdown(self) -> ShotList:
        with self.stage("breakdown"):
            shotlist, self.report.shots = breakdown_shots(self.db, self.project.script, self.config)
        return shotlist

    def stills(self, shotlist: ShotList) -> dict[str, tuple[str, int, Any]]:
        """Every take's still; returns shot id → (still key, take index, backend) of the selection."""
        from storyreel.stills.takes import take_seed

        size = self.project.config.picture_size
        root = self.project.root
        jobs, selected = [], {}
        for shot in shotlist.shots:
            scene = shotlist.scene(shot.scene_id)
            sel, chosen = self.db.selection(shot.id), self.db.selected_take(shot.id)
            n = max(self.config.backends.takes, self.db.n_takes(shot.id), 1 if chosen else sel + 1)
            if n != self.db.n_takes(shot.id):
                self.db.set_n_takes(shot.id, n)
            backend = self.backend("stills", shot)
            for idx in range(n):
                seed = take_seed(shot, idx)
                key = still_key(shot, scene, self.project.config, backend, idx, seed, size, root)
                jobs.append((shot, scene, idx, seed, key, backend))
                if (idx == sel and chosen is None) or take_id(shot.id, "still", key) == chosen:
                    selected[shot.id] = (key, idx, backend)
            if shot.id not in selected:
                idx = min(sel, n - 1)  # of this shot's n jobs, the last ones
                selected[shot.id] = self.kept_still(shot, chosen) or (jobs[idx - n][4], idx, backend)

        def make(job: tuple) -> bool | None:
            shot, scene, idx, seed, key, backend = job
            if self.cached(key, f"still of shot {shot.id}, take {idx + 1}") is not None:
                self._record_still(shot, idx, seed, key, backend)
                return False
            try:
                self.still(shot, scene, idx, seed, key, backend)
            except StoryreelError as e:
                if selected[shot.id][0] == key:
                    self.refused(shot, backend, e)
                else:
                    self.report.warnings.append(f"shot {shot.id}, take {idx + 1}: {backend.name}: {e}")
                return None
            return True

        with self.stage("stills", len(jobs)) as tick:
            for job, made in self.executor.run(make, jobs):
                tick()
                if made is None:
                    continue
                if made:
                    self.report.computed["stills"].append(take_id(job[0].id, "still", job[4]))
                else:
                    self.report.reused["stills"] += 1
        current: dict[str, list[str]] = {}
        for shot, *_, key, _ in jobs:
            current.setdefault(shot.id, []).append(key)
        self.db.mark_current("still", current)
        return selected

    def still(self, shot: Shot, scene: Any, idx: int, seed: int, key: str, backend: Any) -> Still:
        from storyreel.stills.base import StillRequest

        config = self.project.config
        still = backend.generate(StillRequest(shot=shot, scene=scene, config=config, seed=seed,
                                              size=config.picture_size,
                                              project_root=self.project.root, take=idx))
        blobs, meta = save_still(self.store, still)
        self.db.output_put(key, "still", blobs, meta)
        self._record_still(shot, idx, seed, key, backend)
        return still

    def _record_still(self, shot: Shot, idx: int, seed: int, key: str, backend: Any) -> None:
        tid = take_id(shot.id, "still", key)
        if self.db.take(tid) is not None:  # recorded; `sync_shots` keeps its stale flag
            return
        out = self.db.output_get(key) or {"blobs": {}, "meta": {}}
        meta = out["meta"].get("meta", {})
        prov = Provenance(backend=backend.name, version=str(backend.version), seed=seed,
                          prompt=meta.get("prompt"), negative_prompt=meta.get("negative_prompt"),
                          params=meta.get("params", {}), remote_id=meta.get("remote_id"))
        png = out["blobs"].get("png")
        path = str(self.store.path(png[0]).relative_to(self.project.root)) if png else None
        self.db.take_put(tid, shot.id, "still", idx, seed, shot_text_hash(shot),
                         prov.model_dump_json(), key, path)

    def kept_still(self, shot: Shot, chosen: str) -> tuple[str, int, None] | None:
        """A chosen take the shot's text has moved on from: the cut keeps the director's choice
        while its still is intact, and says so; None when it is gone."""
        row = self.db.take(chosen)
        what = f"shot {shot.id}: the selected take {chosen}"
        if row is None or self.cached(row["object_key"], f"still of {chosen}") is None:
            self.report.warnings.append(f"{what} is gone; the cut uses a take of the shot's text")
            return None
        self.report.warnings.append(
            f"{what} (take {row['idx'] + 1}) was made from an earlier text of the shot; the cut "
            f"keeps it (`storyreel select {shot.id} N` chooses a take of the new text)")
        return row["object_key"], row["idx"], None

    def load_selected_still(self, shot: Shot, scene: Any, key: str, idx: int, backend: Any) -> Still:
        from storyreel.stills.takes import take_seed

        out = self.cached(key, f"still of shot {shot.id}, take {idx + 1}")
        if out is not None:
            try:
                return load_still(self.store, out["blobs"], out["meta"])
            except CorruptObject as e:
                self.repair(key, e.digest, f"still of shot {shot.id}, take {idx + 1}")
        if backend is None:  # a kept take of an earlier text cannot be made again
            raise StoryreelError(f"shot {shot.id}: the still of the selected take {idx + 1} was lost; "
                                 f"`storyreel select {shot.id} N` chooses another", self.project.script)
        return self.still(shot, scene, idx, take_seed(shot, idx), key, backend)

    def landing(self, shotlist: ShotList, i: int, backend: Any, selected: dict[str, tuple[str, int, Any]],
                outs: dict[str, int]) -> tuple[Shot, int] | None:
        """(the next shot, the frame to land on) when shot i's clip must arrive at the next
        shot's still: a match cut follows and the motion backend can condition on a last frame."""
        shot = shotlist.shots[i]
        if i + 1 >= len(shotlist.shots) or not getattr(backend, "lands", False) or shot.id not in outs:
            return None
        after = shotlist.shots[i + 1]
        if after.transition_in.kind != TransitionKind.MATCH_CUT or after.id in self.report.failed:
            return None
        return (after, outs[shot.id]) if after.id in selected else None

    def clips(self, shotlist: ShotList, selected: dict[str, tuple[str, int, Any]],
              lengths: dict[str, int], outs: dict[str, int]) -> tuple[dict[str, Any], dict[str, Take]]:
        from storyreel.motion.base import ClipRequest
        from storyreel.render.program import LazySource
        from storyreel.stills.takes import take_seed

        fps, size, root = self.config.film.fps, self.config.picture_size, self.project.root
        sources, takes = {}, {}
        with self.stage("clips", len(lengths)) as tick:
            for i, shot in enumerate(shotlist.shots):
                if shot.id not in lengths:
                    continue
                skey, idx, sbackend = selected[shot.id]
                backend = self.backend("motion", shot)
                seed = take_seed(shot, idx)
                land = self.landing(shotlist, i, backend, selected, outs)
                end = (selected[land[0].id][0], land[1]) if land else None
                key = clip_key(skey, shot, self.config, backend, idx, seed, lengths[shot.id], size, root,
                               end)
                scene = shotlist.scene(shot.scene_id)

                def make(shot=shot, scene=scene, skey=skey, idx=idx, sbackend=sbackend,
                         backend=backend, seed=seed, n=lengths[shot.id], key=key, land=land) -> Any:
                    if shot.id not in self.report.failed:
                        still = self.load_selected_still(shot, scene, skey, idx, sbackend)
                        end_still = end_frame = None
                        if land:
                            after, end_frame = land
                            nkey, nidx, nbackend = selected[after.id]
                            end_still = self.load_selected_still(after, shotlist.scene(after.scene_id),
                                                                 nkey, nidx, nbackend)
                        try:
                            source = backend.animate(ClipRequest(
                                shot=shot, scene=scene, still=still, config=self.config, seed=seed,
                                fps=fps, n_frames=n, size=size, project_root=root, take=idx,
                                end_still=end_still, end_frame=end_frame))
                        except StoryreelError as e:
                            self.refused(shot, backend, e)
                        else:
                            self._record_motion(takes[shot.id], backend, source)
                            return source
                    sources[shot.id].failed = True  # its segments are shown, not stored
                    self.db.output_delete(key)  # so the next build counts the clip as new
                    return self.slate(shot, n)

                sources[shot.id] = LazySource(make, fps, lengths[shot.id], size)
                sources[shot.id].key = key  # what the segments' keys hash
                tid = take_id(shot.id, "clip", key)
                if self.db.output_get(key) is None:
                    self.db.output_put(key, "clip", {}, {"still": skey})
                    self.report.computed["clips"].append(tid)
                else:
                    self.report.reused["clips"] += 1
                row = self.db.take(tid)
                if row is None:
                    still_row = self.db.take(take_id(shot.id, "still", skey))
                    params: dict[str, Any] = {"n_frames": lengths[shot.id], "fps": str(fps)}
                    if land:
                        params.update(end_shot=land[0].id, end_frame=land[1])
                    prov = Provenance(backend=backend.name, version=str(backend.version), seed=seed,
                                      params=params, inputs=[skey, *([end[0]] if end else [])])
                    if still_row is not None and still_row["provenance"]:
                        sp = Provenance.model_validate_json(still_row["provenance"])
                        prov.prompt, prov.negative_prompt = sp.prompt, sp.negative_prompt
                    # no file of its own: a clip's frames are made while its segments encode
                    self.db.take_put(tid, shot.id, "clip", idx, seed, shot_text_hash(shot),
                                     prov.model_dump_json(), key)
                    row = self.db.take(tid)
                takes[shot.id] = Take(id=tid, shot_id=shot.id, kind="clip", seed=row["seed"],
                                      provenance=Provenance.model_validate_json(row["provenance"]),
                                      path=row["path"])
                tick()
        return sources, takes

    def _record_motion(self, take: Take, backend: Any, source: Any) -> None:
        """A clip take's provenance, once its frames exist: the motion backend's own prompt,
        remote job and parameters (its source's `meta`, or the backend's `params(clip)`)."""
        meta = getattr(source, "meta", None) or {}
        params = {**take.provenance.params, **meta.get("params", {})}
        if callable(getattr(backend, "params", None)):
            params.update(backend.params(source))
        update: dict[str, Any] = {"params": json.loads(json.dumps(params, default=str))}
        update.update({k: meta[k] for k in ("prompt", "negative_prompt", "remote_id") if meta.get(k)})
        take.provenance = take.provenance.model_copy(update=update)
        self.db.take_provenance(take.id, take.provenance.model_dump_json())

    def audio(self, timeline: Any, shotlist: ShotList, music: str | None) -> tuple[str, Path | None]:
        """The scratch mix (dialogue and music), stored under a key of the timeline it follows."""
        from storyreel.edit.audio import scratch_audio

        with self.stage("audio"):
            # the mix hears only the audio tracks and the programme's length, not the picture
            tracks = [digest(t.to_json_string().encode()) for t in timeline.audio_tracks()]
            key = stage_key("audio", tracks=tracks, frames=timeline.duration().to_frames(),
                            characters=self.config.characters, fps=self.config.film.fps, music=music)
            out = self.cached(key, "scratch audio")
            if out is not None:
                self.report.reused["audio"] += 1
                return key, (self.store.path(out["blobs"]["wav"][0]) if out["blobs"] else None)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                wav = scratch_audio(timeline, shotlist, self.config, self.work_dir)
            self.report.warnings.extend(str(w.message) for w in caught)
            blobs = {}
            if wav is not None:
                tmp = self.store.temp_path(".wav")
                Path(wav).replace(tmp)
                blobs["wav"] = self.put_blob(self.store.put_file(tmp))
            self.db.output_put(key, "audio", blobs, {})
            self.report.computed["audio"].append(key[:12])
            return key, (self.store.path(blobs["wav"][0]) if blobs else None)

    def aac(self, audio_key: str, wav: Path | None, seconds: Fraction) -> tuple[str, Path | None]:
        """The mix encoded to AAC for the cut's length, once per mix and length."""
        from storyreel.render.segments import encode_audio

        if wav is None:
            return "", None
        key = stage_key("aac", upstream=[audio_key], seconds=seconds)
        out = self.cached(key, "AAC sound")
        if out is None:
            tmp = self.store.temp_path(".m4a")
            encode_audio(wav, seconds, tmp)
            out = {"blobs": {"m4a": self.put_blob(self.store.put_file(tmp))}}
            self.db.output_put(key, "aac", out["blobs"], {})
        return key, self.store.path(out["blobs"]["m4a"][0])

    def beats(self, music: Path, digest: str) -> list[float]:
        from storyreel.edit.rhythm import beat_times

        key = stage_key("beats", music=digest)
        out = self.db.output_get(key)
        if out is None:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                out = {"meta": {"beats": beat_times(music)}}
            self.report.warnings.extend(str(w.message) for w in caught)
            self.db.output_put(key, "beats", {}, out["meta"])
        return out["meta"]["beats"]

    def segments(self, program: Any) -> list[tuple[Any, Path]]:
        from storyreel.render import segments as seg
        from storyreel.render.frames import FilmLook

        cfg = self.config
        look = FilmLook(cfg.look, program.frame_size, program.picture_size, program.fps,
                        project_root=self.project.root)
        encoder = {"codec": cfg.render.codec, "crf": cfg.render.crf, "preset": cfg.render.preset}
        settings = {"look": cfg.look, "lut": _lut_digest(cfg.look.lut, self.project.root),
                    "encoder": encoder, "options": seg.SEGMENT_OPTIONS}
        with self.stage("plan"):
            planned = seg.plan(program, look, settings)
            todo = [s for s in planned if self.cached(s.key, f"segment at frame {s.start}") is None]
        self.report.reused["segments"] += len(planned) - len(todo)
        users: dict[int, int] = {}  # a clip's frames are freed after its last segment
        for s in todo:
            for k in s.sources:
                users[id(program.events[k].source)] = users.get(id(program.events[k].source), 0) + 1
        guard = threading.Lock()
        slated: dict[str, Path] = {}  # segments that show a failed shot's slate

        with self.stage("segments", sum(s.length for s in todo)) as tick:
            def encode(s: Any) -> None:
                tmp = self.store.temp_path(".mp4")
                seg.encode_segment(program, s, look, tmp, encoder, tick)
                dig = self.store.put_file(tmp)
                if any(getattr(program.events[k].source, "failed", False) for k in s.sources):
                    slated[s.key] = self.store.path(dig)
                else:
                    self.db.output_put(s.key, "segment", {"mp4": self.put_blob(dig)},
                                       {"start": s.start, "length": s.length})
                with guard:
                    for k in s.sources:
                        source = program.events[k].source
                        users[id(source)] -= 1
                        if users[id(source)] == 0 and hasattr(source, "close"):
                            source.close()

            for s, _ in self.executor.run(encode, todo):
                self.report.computed["segments"].append(s.key[:12])
                self.report.frames += s.length
        return [(s, slated.get(s.key) or self.store.path(self.db.output_get(s.key)["blobs"]["mp4"][0]))
                for s in planned]

    def cut(self, segments: list[tuple[Any, Path]], audio_key: str, audio: Path | None, output: Path,
            provenance: dict[str, Any]) -> None:
        from storyreel.render.segments import assemble

        with self.stage("cut"):
            key = stage_key("cut", upstream=[audio_key, *(s.key for s, _ in segments)], note=AI_NOTE,
                            failed=self.report.failed)
            last = self.db.last_cut(str(output))
            if (last is not None and last["key"] == key and output.is_file()
                    and fingerprint(output) == (last["size"], last["mtime_ns"])):
                self.report.reused["cut"] += 1
                return
            fps = self.config.film.fps
            aac_key, aac = self.aac(audio_key, audio, Fraction(sum(s.length for s, _ in segments)) / fps)
            assemble([p for _, p in segments], [s.length for s, _ in segments], fps, output,
                     audio=aac, metadata={"title": provenance.get("title") or output.stem,
                                          "comment": AI_NOTE, "description": AI_NOTE})
            self.db.cut_put(key, str(output), file_digest(output), *fingerprint(output),
                            [k for k in (audio_key, aac_key, *(s.key for s, _ in segments)) if k],
                            json.dumps(provenance, default=str))
            self.report.computed["cut"].append(str(output))


def _lut_digest(lut: str | None, root: Path) -> str | None:
    if not lut:
        return None
    path = root / lut
    return file_digest(path) if path.is_file() else f"missing:{lut}"


def cut_provenance(shotlist: ShotList, takes: dict[str, Take], config: Any) -> dict[str, Any]:
    """The cut's provenance: the film, its settings, and every take it uses."""
    return {
        "title": shotlist.title, "source": shotlist.source, "generator": "storyreel",
        "ai_generated": True, "note": AI_NOTE,
        "config": json.loads(config.model_dump_json()),
        "takes": [{"shot_id": sid, "take_id": t.id, **t.provenance.model_dump(mode="json")}
                  for sid, t in takes.items()],
    }


def _run(b: _Build, output: Path, music: Path | None, burn_subtitles: bool) -> None:
    from storyreel.edit.audio import dialogue_lengths
    from storyreel.edit.interchange import export_all, write_atomic
    from storyreel.edit.playback import program_from_timeline
    from storyreel.edit.subtitles import subtitle_overlays, write_subtitles
    from storyreel.edit.timeline import build_timeline, media_lengths, out_points
    from storyreel.script.export import to_csv

    report, cfg, root = b.report, b.config, b.project.root
    shotlist = b.breakdown()
    selected = b.stills(shotlist)
    overrides = load_overrides(b.project)
    with b.stage("timeline"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lines = dialogue_lengths(shotlist, cfg, b.work_dir)
        music_digest = file_digest(music) if music else None
        beats = b.beats(music, music_digest) if music else None
        edit = {"dialogue_lengths": lines, "overrides": overrides, "music": music, "beats": beats,
                "project_root": root}
        script_cut = build_timeline(shotlist, cfg, **edit)
        lengths, outs = media_lengths(script_cut), out_points(script_cut)
    report.warnings.extend(dict.fromkeys(str(w.message) for w in caught))
    sources, takes = b.clips(shotlist, selected, lengths, outs)
    with b.stage("timeline"):
        timeline = build_timeline(shotlist, cfg, takes=takes, **edit)
    audio_key, audio = b.audio(timeline, shotlist, music_digest)
    with b.stage("program"):
        program = program_from_timeline(timeline, sources, cfg)
        if burn_subtitles:
            program.overlays.extend(subtitle_overlays(timeline))
    segments = b.segments(program)
    provenance = cut_provenance(shotlist, takes, cfg)
    if report.failed:
        provenance["failed"] = report.failed  # shots the cut shows as slates
    b.cut(segments, audio_key, audio, output, provenance)
    report.output = output
    if b.draft:  # a draft is for watching; the exports stay those of the full cut
        report.files = [output]
        report.warnings = list(dict.fromkeys(report.warnings))
        return
    with b.stage("exports"):
        out_dir, csv = b.project.out_dir, to_csv(shotlist)
        key = stage_key("exports", timeline=digest(timeline.to_json_string().encode()),
                        csv=csv, out_dir=out_dir, stem=output.stem)
        files = b.unchanged_files(key)
        if files is None:
            files = [*export_all(timeline, out_dir, stem=output.stem),
                     *write_subtitles(timeline, out_dir, stem=output.stem),
                     write_atomic(out_dir / "shotlist.csv", csv)]
            b.db.output_put(key, "exports", {}, {"files": [[str(f), *fingerprint(f)] for f in files]})
    report.files = [output, *files]
    report.warnings = list(dict.fromkeys(report.warnings))


def build(project: Project, *, output: Path | None = None, progress: bool = True,
          quiet: bool = False, music: Path | None = None, burn_subtitles: bool = False,
          lock_timeout: float = 600.0, draft: bool = False) -> BuildReport:
    """Bring the project's cut up to date, computing only what changed. Holds the project lock.

    `draft`: half the frame size and a fast encoder, to out/draft.mp4 and without exports."""
    console = Console(stderr=True, quiet=quiet)
    report = BuildReport()
    start = time.perf_counter()
    output = Path(output) if output else project.out_dir / ("draft.mp4" if draft else "cut.mp4")

    def say(message: str) -> None:
        console.print(message, highlight=False, markup=False)

    loud = Console(stderr=True)  # a wait on the lock is said even with --quiet
    with project_lock(project.state_dir, timeout=lock_timeout,
                      on_wait=lambda m: loud.print(m, highlight=False, markup=False)):
        show = progress and not quiet
        bar = Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), console=console, transient=True, disable=not show)
        with bar:
            b = _Build(project, report, say, bar if show else None, draft)
            try:
                _run(b, output, Path(music) if music else None, burn_subtitles)
            finally:
                b.db.close()
    report.seconds = round(time.perf_counter() - start, 3)
    return report


def collect_garbage(project: Project) -> tuple[int, int]:
    """Remove stored outputs and objects that no take and no latest cut reaches: (objects, bytes)."""
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
        return ObjectStore(project.objects_dir).gc(keep)
