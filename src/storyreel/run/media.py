"""The media stage (`render --media`, `[render] media`): each shot's clip with its handles as an
intermediate, and its dialogue lines as Broadcast WAV, in `out/media/`, where the exports point;
and the music bed and the mix's stems (dialogue, music, effects) beside them.

One item a shot, keyed by its clip's key, its lines and the media settings: a changed shot
rewrites its own files alone; a file deleted or touched since is written again. The folder and
the codec are checked before any file is written, so a bad one stops the build with one line
once the cut is written. The stage runs before the exports, so that `cut.otioz` bundles the
media it points at.

The intermediates are encoded here, where the render room's encoder and film look meet the
handoff's names and timecode (`storyreel.handoff.media`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import opentimelineio as otio

from storyreel.edit.timeline import line_key
from storyreel.errors import StoryreelError, did_you_mean
from storyreel.handoff import media
from storyreel.handoff.prepare import MEDIA_DIR, media_name, reels, stem_name
from storyreel.model import SpokenLine
from storyreel.render.encode import CODECS, Encoder
from storyreel.render.frames import FilmLook
from storyreel.run.pipeline import Pipeline
from storyreel.run.stage import Stage, Stored
from storyreel.sound.mix import RATE, decode
from storyreel.store.keys import stage_key
from storyreel.store.objects import file_digest, fingerprint


@dataclass(frozen=True)
class Line:
    """A dialogue line of a shot: its file name, its voice take's WAV, its length in frames."""

    name: str
    wav: str
    frames: int


@dataclass(frozen=True)
class ShotMedia:
    """One shot's media: its clip's frames (`source`), its reel, its lines."""

    shot_id: str
    clip_key: str
    source: Any
    reel: str
    lines: tuple[Line, ...]


MEDIA_CODECS = ("prores", "dnxhr", "h264")  # ProRes 422 HQ, DNxHR HQ, an H.264 proxy


def check_codec(codec: str) -> None:
    """Refuse a media codec this FFmpeg build cannot encode, before anything is written."""
    if codec not in MEDIA_CODECS:
        raise StoryreelError(
            f"unknown media codec {codec!r}{did_you_mean(codec, list(MEDIA_CODECS))};"
            f" one of {', '.join(MEDIA_CODECS)}"
        )
    encoder = CODECS[codec][0]
    if encoder not in av.codecs_available:
        raise StoryreelError(
            f"this FFmpeg build (PyAV {av.__version__}) has no {encoder} encoder, "
            f"needed for {codec} media; choose another `[render] media_codec`"
        )


def write_shot(
    path: Path, frames: Iterable[np.ndarray], look: FilmLook, codec: str, reel: str
) -> Path:
    """The frames of one shot's clip (picture size) as its intermediate at `path`."""
    with Encoder(
        path,
        look.frame_size,
        look.fps,
        codec=codec,
        metadata={"timecode": media.SOURCE_TIMECODE},
        stream_metadata={"reel_name": reel},
    ) as enc:
        for i, picture in enumerate(frames):
            enc.write(look.finish(picture, i, offset=look.fade_in))  # no head fade: the NLE's
    return path


class MediaStage(Stage[ShotMedia, list[Path]]):
    name, kind = "media", "media"

    def __init__(self, p: Pipeline, folder: Path, codec: str, look: FilmLook):
        self.p, self.folder, self.codec, self.look = p, folder, codec, look

    def key(self, item: ShotMedia) -> str:
        return stage_key(
            "media",
            upstream=[item.clip_key],
            codec=self.codec,
            folder=MEDIA_DIR,
            reel=item.reel,
            # a take by its file's name (its digest): the project folder may move
            lines=[[line.name, Path(line.wav).name, line.frames] for line in item.lines],
            look=self.p.config.look,
            frame=self.look.frame_size,
        )

    def label(self, item: ShotMedia) -> str:
        return f"media of shot {item.shot_id}"

    def shot(self, item: ShotMedia) -> str:
        return item.shot_id

    def frames(self, item: ShotMedia) -> int:
        return item.source.n_frames

    def intact(self, item: ShotMedia, stored: Stored) -> bool:
        """Its files are in the folder as written (named in it: a project folder moves)."""
        return all(
            (self.folder / f).is_file() and fingerprint(self.folder / f) == (size, mtime)
            for f, size, mtime in stored.meta["files"]
        )

    def compute(self, item: ShotMedia) -> list[Path]:
        source = item.source
        frames = (source.frame(i) for i in range(source.n_frames))
        written = [
            write_shot(
                self.folder / f"{item.shot_id}.mov", frames, self.look, self.codec, item.reel
            )
        ]
        source.close()
        fps = self.p.config.film.fps
        for line in item.lines:
            blocks = decode(Path(line.wav))
            samples = np.concatenate([b.mean(axis=1) if b.ndim > 1 else b for b in blocks])
            written.append(
                media.write_line(self.folder / line.name, samples, RATE, fps, line.frames)
            )
        return written

    def save(self, item: ShotMedia, value: list[Path]) -> Stored | None:
        if getattr(item.source, "failed", False):
            return None  # a slate: the next build writes the shot's real media
        return Stored({}, {"files": [[f.name, *fingerprint(f)] for f in value]})


def make_media(
    p: Pipeline,
    timeline: otio.schema.Timeline,
    sources: dict[str, Any],
    stems: dict[str, Path] | None = None,
    dialogue: Mapping[str, SpokenLine] | None = None,
) -> list[Path]:
    """Every shot's media in `out/media/` (written, or found as it was), the music bed and the
    mix's stems (`stems`: bus → WAV) beside them; `dialogue` holds the lines' voice takes by
    line key."""
    folder, codec = p.project.out_dir / MEDIA_DIR, p.config.render.media_codec
    check_codec(codec)
    media.check_folder(folder)
    look = FilmLook(
        p.config.look,
        (p.config.film.width, p.config.film.height),
        p.config.picture_size,
        p.config.film.fps,
        project_root=p.root,
    )
    shots = list(dict.fromkeys(sid for sid in sources))
    names = reels(shots)
    lines: dict[str, list[Line]] = {sid: [] for sid in shots}
    for track in timeline.audio_tracks():
        for clip in track:
            info = clip.metadata.get("storyreel", {}) if isinstance(clip, otio.schema.Clip) else {}
            if info.get("kind") != "dialogue" or info["shot_id"] not in lines:
                continue
            spoken = (dialogue or {}).get(line_key(info["shot_id"], info["line"]))
            if spoken is not None:
                lines[info["shot_id"]].append(
                    Line(
                        media_name(clip),
                        str(spoken.wav),
                        clip.media_reference.available_range.duration.to_frames(),
                    )
                )
    items = [
        ShotMedia(sid, sources[sid].key, sources[sid], names[sid], tuple(lines[sid]))
        for sid in shots
    ]
    files: list[Path] = []
    with p.runner.stage("media", len(items)) as tick:
        for _, outcome in p.runner.ensure(MediaStage(p, folder, codec, look), items, tick):
            if outcome.error is not None:
                continue
            if outcome.stored is not None:
                files.extend(folder / f for f, *_ in outcome.stored.meta["files"])
    return files + copy_sound(timeline, stems or {}, folder)


def copy_sound(timeline: otio.schema.Timeline, stems: dict[str, Path], folder: Path) -> list[Path]:
    """The music bed (A2) and the stems into the media folder, under the names the exports give
    them; a file already there with the same size and content is left as it is. The stems (a
    film's are hundreds of megabytes) are hard links to the render's `out/cut-*.wav` where the
    file system allows; the bed, the user's own file, is copied."""
    wanted: list[tuple[Path, Path, bool]] = []
    for track in timeline.audio_tracks():
        for clip in track.find_clips(shallow_search=True):
            if clip.metadata.get("storyreel", {}).get("kind") == "music":
                source = Path(otio.url_utils.filepath_from_url(clip.media_reference.target_url))
                wanted.append((source, folder / media_name(clip), False))
    wanted += [(path, folder / stem_name(bus), True) for bus, path in stems.items()]
    for source, dest, link in wanted:
        same = dest.is_file() and dest.stat().st_size == source.stat().st_size
        if same and (os.path.samefile(dest, source) or file_digest(dest) == file_digest(source)):
            continue
        tmp = dest.with_name(f".{dest.name}.partial")
        tmp.unlink(missing_ok=True)
        try:
            if not link:
                raise OSError
            os.link(source, tmp)
        except OSError:  # the bed, or a file system without links
            shutil.copyfile(source, tmp)
        os.replace(tmp, dest)
    return [dest for _, dest, _ in wanted]
