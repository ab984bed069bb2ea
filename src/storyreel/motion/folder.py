"""`folder:PATH` clips (Kling or other MP4 downloads), and the conform every video source shares.

`conform_video` makes any decodable video exactly what the timeline asked for: `n_frames` frames
at `fps`, at the picture size. A source longer than the shot is trimmed (its head is kept and
resampled to the shot's rate, blending neighbouring frames where the rates differ); a shorter
one is retimed across the whole shot by frame blending, so a clip is never the wrong length.
A clip that was generated to arrive at a picture (`land=k`: its last frame is the shot's out
point) is retimed whole onto frames 0..k, and the frames after k hold its last frame.
The source is decoded once into an unlinked, memory-mapped temporary file, as its YUV 4:2:0
planes at the source size (1.5 bytes a pixel; RGB for odd sizes): random access for the render
without holding the clip in memory. A frame is blended, converted and resized when asked for.
"""

from __future__ import annotations

import math
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

import av
import cv2
import numpy as np

from storyreel.backends import Argument
from storyreel.errors import StoryreelError
from storyreel.model import Shot
from storyreel.motion.base import ClipRequest, MotionBackend
from storyreel.stills.folder import (
    FOLDER,
    VIDEO_EXTS,
    files_token,
    find_takes,
    fit_cover,
    pick_take,
    resolve_folder,
)


def _decode(path: Path, seconds: Fraction | None) -> tuple[np.memmap, Fraction, bool]:
    """The first video stream's frames (YUV 4:2:0 planes, or RGB for odd sizes) in a temp file.

    Decoding stops once the frames cover `seconds` plus one frame (a longer source is only
    trimmed); `None` decodes them all. The map outlives the closed, unlinked file; the space is freed when the map goes.
    Returns the frames, the source rate, and whether they are YUV.
    """
    count, rate, shape, yuv = 0, Fraction(24), (0, 0), True
    with tempfile.TemporaryFile(prefix="storyreel-clip-") as store:
        try:
            with av.open(str(path)) as container:
                if not container.streams.video:
                    raise StoryreelError("no video stream in this file", path)
                stream = container.streams.video[0]
                rate = Fraction(stream.average_rate or stream.guessed_rate or 24)
                enough = math.inf if seconds is None else math.floor(seconds * rate) + 2
                for frame in container.decode(stream):
                    if count == 0:
                        yuv = frame.width % 2 == 0 and frame.height % 2 == 0
                    planes = frame.to_ndarray(format="yuv420p" if yuv else "rgb24")
                    shape = planes.shape
                    store.write(np.ascontiguousarray(planes).data)
                    count += 1
                    if count >= enough:
                        break
        except (av.FFmpegError, OSError, ValueError) as e:
            raise StoryreelError(
                f"not a readable video ({e.__class__.__name__}: {e})", path
            ) from None
        if count == 0:
            raise StoryreelError("the video has no frames", path)
        store.flush()
        frames = np.memmap(store, dtype=np.uint8, mode="r", shape=(count, *shape))
    return frames, rate, yuv


class ConformedClip:
    """A FrameSource over a video file: exactly `n_frames` at `fps` and `size`."""

    def __init__(
        self,
        path: Path,
        n_frames: int,
        fps: Fraction,
        size: tuple[int, int],
        meta: dict[str, Any] | None = None,
        land: int | None = None,
    ):
        self.path = Path(path)
        self.n_frames, self.fps, self.size = n_frames, Fraction(fps), (int(size[0]), int(size[1]))
        self.meta = meta or {}
        self.land = None if land is None else max(1, min(int(land), n_frames - 1))
        self._load()

    def _load(self) -> None:
        if self.land is not None:  # the whole source onto 0..land, then hold its last frame
            self._frames, self.source_fps, self._yuv = _decode(self.path, None)
            m = len(self._frames)
            self.retimed = True
            ramp = np.arange(self.n_frames) * ((m - 1) / self.land)
            self._positions = np.minimum(ramp, m - 1)
            return
        wanted_seconds = Fraction(self.n_frames) / self.fps
        self._frames, self.source_fps, self._yuv = _decode(self.path, wanted_seconds)
        m = len(self._frames)
        source_seconds = Fraction(m) / self.source_fps
        self.retimed = source_seconds < wanted_seconds
        if self.retimed:  # stretch the whole source over the shot
            step = (m - 1) / (self.n_frames - 1) if self.n_frames > 1 else 0.0
            self._positions = np.arange(self.n_frames) * step
        else:  # keep the head, sampled at the shot's rate
            self._positions = np.minimum(
                np.arange(self.n_frames) * float(self.source_fps / self.fps), m - 1
            )

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for k in ("_frames", "_positions"):
            state.pop(k, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._load()

    @property
    def source_frames(self) -> int:
        return len(self._frames)

    def frame(self, index: int) -> np.ndarray:
        if not 0 <= index < self.n_frames:
            raise IndexError(f"frame {index} outside 0..{self.n_frames - 1}")
        pos = float(self._positions[index])
        lo = int(pos)
        frac = pos - lo
        picture = self._frames[lo]
        if frac >= 1e-6 and lo + 1 < len(self._frames):
            picture = cv2.addWeighted(picture, 1.0 - frac, self._frames[lo + 1], frac, 0.0)
        rgb = cv2.cvtColor(np.asarray(picture), cv2.COLOR_YUV2RGB_I420) if self._yuv else picture
        return fit_cover(np.asarray(rgb), self.size)


def conform_video(
    path: Path,
    n_frames: int,
    fps: Fraction,
    size: tuple[int, int],
    meta: dict[str, Any] | None = None,
    land: int | None = None,
) -> ConformedClip:
    """A video file conformed to the shot: `n_frames` frames at `fps`, `size` (width, height);
    with `land`, its last frame lands on frame `land` and is held after it."""
    return ConformedClip(path, n_frames, fps, size, meta, land)


class FolderMotion(MotionBackend):
    """Clips from a folder of video files, one take a file."""

    name: ClassVar[str] = "folder"
    version: ClassVar[str] = "1"
    argument: ClassVar[Argument | None] = FOLDER

    def __init__(self, path: str | None = None):
        self.path, _ = self.check(path)

    def cache_token(self, shot: Shot, root: Path | None) -> str:
        return files_token(find_takes(resolve_folder(self.path, root), shot.id, VIDEO_EXTS))

    def animate(self, request: ClipRequest) -> ConformedClip:
        folder = resolve_folder(self.path, request.project_root)
        file = pick_take(folder, request.shot.id, request.take, VIDEO_EXTS, "video")
        clip = conform_video(
            file,
            request.n_frames,
            request.fps,
            request.size,
            meta={"params": {"file": file.name}, "source": str(file)},
        )
        clip.meta["params"].update(
            source_frames=clip.source_frames, source_fps=str(clip.source_fps), retimed=clip.retimed
        )
        return clip
