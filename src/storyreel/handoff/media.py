"""The media the exports point at, in `out/media/` under the names `prepare.media_name` gives:
per shot, its clip with handles as an intermediate (encoded by the media stage,
`storyreel.run.media`, with the render room's encoder), and the dialogue lines as Broadcast WAV.

A shot's file holds every frame of its clip (frame 0 is the first frame of its head handle),
graded and framed as the cut shows it (film look, bars), without the film's head and tail fades
(an NLE draws those). Its source timecode starts at 00:00:00:00, so the EDL's, XML's, FCPXML's
and AAF's source in points land on the same frames, and its reel name is the EDL's.
A line's WAV carries a `bext` chunk whose time reference is 0, the start of its source range.
"""

from __future__ import annotations

import os
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from storyreel.errors import StoryreelError

SOURCE_TIMECODE = "00:00:00:00"


def check_folder(folder: Path) -> None:
    """Make `folder` and prove a file can be written there, or say why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise StoryreelError(f"cannot write the media folder: {e.strerror or e}", folder) from None


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
