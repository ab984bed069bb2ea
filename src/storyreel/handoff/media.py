"""The media the exports point at, in `out/media/` under the names `prepare.media_name` gives:
per shot, its clip with handles as an intermediate (encoded by the media stage,
`storyreel.run.media`, with the render room's encoder), and the dialogue lines as Broadcast WAV.

A shot's file holds every frame of its clip (frame 0 is the first frame of its head handle),
graded and framed as the cut shows it (film look, bars), without the film's head and tail fades
(an NLE draws those). Its source timecode starts at 00:00:00:00, so the EDL's, XML's, FCPXML's
and AAF's source in points land on the same frames, and its reel name is the EDL's.
A line's WAV carries a `bext` chunk whose time reference is 0, the start of its source range.

What each format is told of a file travels on its media reference in the timeline the formats
are written from: a sound's channels, rate and depth (`audio_of`), a shot's reel (`reel_of`).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio

from storyreel.errors import StoryreelError

SOURCE_TIMECODE = "00:00:00:00"


@dataclass(frozen=True)
class AudioFormat:
    """What an NLE is told of a sound file: its channels, sample rate and bits a sample."""

    channels: int
    rate: int
    bits: int


LINE = AudioFormat(1, 48000, 16)  # a dialogue line as `write_line` writes it


def set_audio(ref: otio.core.MediaReference, sound: AudioFormat) -> None:
    ref.metadata["storyreel"] = {"audio": asdict(sound)}


def audio_of(ref: otio.core.MediaReference) -> AudioFormat | None:
    """The sound format `interchange_copy` or `with_stems` recorded on a reference."""
    found = ref.metadata.get("storyreel", {}).get("audio")
    return AudioFormat(**found) if found else None


def reel_of(ref: otio.core.MediaReference) -> str | None:
    """The reel `interchange_copy` gave a picture clip's media."""
    return ref.metadata.get("storyreel", {}).get("reel")


def audio_format(path: Path) -> AudioFormat | None:
    """The format of the sound file at `path` (None: no file there, or no sound in it)."""
    try:
        with av.open(str(path)) as c:
            s = c.streams.audio[0]
            bits = re.fullmatch(r"pcm_[su](\d+)[bl]?e?", s.codec_context.name)
            return AudioFormat(
                s.channels, s.sample_rate, int(bits[1]) if bits else s.format.bits or 16
            )
    except (OSError, IndexError, av.FFmpegError):
        return None


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
    """One dialogue line (float32 mono samples at `rate`, `LINE`'s) as a Broadcast WAV of
    `length` frames at `path`."""
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
