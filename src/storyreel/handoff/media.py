"""The media the exports point at: per shot, its clip with handles as an intermediate, and the
dialogue lines as Broadcast WAV, in `out/media/` under the names `prepare.media_name` gives.

A shot's file holds every frame of its clip (frame 0 is the first frame of its head handle),
graded and framed as the cut shows it (film look, bars), without the film's head and tail fades
(an NLE draws those). Its source timecode starts at 00:00:00:00, so the EDL's, XML's, FCPXML's
and AAF's source in points land on the same frames, and its reel name is the EDL's.
A line's WAV carries a `bext` chunk whose time reference is 0, the start of its source range.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from storyreel.errors import StoryreelError, did_you_mean
from storyreel.render.encode import CODECS, Encoder
from storyreel.render.frames import FilmLook

# media codec word → the encoder's codec word (ProRes 422 HQ, DNxHR HQ, an H.264 proxy)
MEDIA_CODECS = {"prores": "prores", "dnxhr": "dnxhr", "h264": "h264"}
SOURCE_TIMECODE = "00:00:00:00"


def check_codec(codec: str) -> None:
    """Refuse a media codec this FFmpeg build cannot encode, before anything is written."""
    if codec not in MEDIA_CODECS:
        raise StoryreelError(f"unknown media codec {codec!r}{did_you_mean(codec, list(MEDIA_CODECS))};"
                             f" one of {', '.join(MEDIA_CODECS)}")
    encoder = CODECS[MEDIA_CODECS[codec]][0]
    if encoder not in av.codecs_available:
        raise StoryreelError(f"this FFmpeg build (PyAV {av.__version__}) has no {encoder} encoder, "
                             f"needed for {codec} media; choose another `[render] media_codec`")


def check_folder(folder: Path) -> None:
    """Make `folder` and prove a file can be written there, or say why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise StoryreelError(f"cannot write the media folder: {e.strerror or e}", folder) from None


def write_shot(path: Path, frames: Iterable[np.ndarray], look: FilmLook, codec: str,
               reel: str) -> Path:
    """The frames of one shot's clip (picture size) as its intermediate at `path`."""
    with Encoder(path, look.frame_size, look.fps, codec=MEDIA_CODECS[codec],
                 metadata={"timecode": SOURCE_TIMECODE}, stream_metadata={"reel_name": reel}
                 ) as enc:
        for i, picture in enumerate(frames):
            enc.write(look.finish(picture, i, offset=look.fade_in))  # no head fade: see above
    return path


def write_line(path: Path, samples: np.ndarray, rate: int, fps: Fraction, length: int) -> Path:
    """One dialogue line (float32 mono samples) as a Broadcast WAV of `length` frames at `path`."""
    n = round(Fraction(length) / fps * rate)
    pcm = np.zeros(n, np.int16)
    body = np.clip(samples[:n], -1, 1)
    pcm[: len(body)] = (body * 32767).astype(np.int16)
    tmp = path.with_name(f".{path.stem}.partial.wav")
    try:
        with av.open(str(tmp), "w", format="wav", options={"write_bext": "1"}) as out:
            out.metadata["time_reference"] = "0"
            stream = out.add_stream("pcm_s16le", rate=rate, layout="mono")
            frame = av.AudioFrame.from_ndarray(pcm[None, :], format="s16", layout="mono")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                out.mux(packet)
            for packet in stream.encode(None):
                out.mux(packet)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
