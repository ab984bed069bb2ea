"""Frames to a file with PyAV: H.264 (yuv420p), ProRes 422 HQ or DNxHR HQ, tagged BT.709, exact
timestamps; a `timecode` in the file's metadata becomes its `tmcd` track (the reel name, from
the picture stream's `reel_name`, goes with it).

The stream's time base is 1/fps and frame `i` has pts `i`, so any rational rate (24000/1001
included) lands on exact timestamps. Audio, when given, is decoded with PyAV, resampled to
48 kHz stereo and encoded as AAC in step with the picture (so the muxer never queues the whole
film), then trimmed or padded with silence to the picture's duration. The file is written under
a temporary name in the same folder, fsynced and renamed: on any failure nothing is left under
the output name.

A draft's sound is encoded a piece at a time (`flac_frames`) and its pieces' packets joined in
the remux. FLAC, not AAC: FLAC's frames are lossless and each stands alone, in any length, so
packets encoded apart decode as one stream, sample for sample. AAC's 1024-sample frames overlap
their neighbours and each stream starts with the encoder's priming, so AAC packets encoded apart
do not join, and a piece moved by a length that is no multiple of 1024 samples would have to be
encoded again (and the whole film's AAC takes seconds). Browsers play FLAC in MP4.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import tempfile
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import cv2
import numpy as np
from av.video.reformatter import ColorPrimaries, ColorRange, Colorspace, ColorTrc, VideoReformatter

from storyreel.errors import StoryreelError, did_you_mean
from storyreel.files import file_mode


@functools.cache
def _has_avx512() -> bool:
    """Whether this CPU has AVX-512: x264's AVX-512 kernels make the macroblock tree of a frame's
    last macroblocks differ from run to run (one segment in about fifty came out a few code
    values apart at its bottom right), so such a CPU encodes with the kernels up to AVX2, which
    every other x86-64 machine uses too: the same frames wherever a segment is encoded."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            return any(line.startswith("flags") and " avx512f" in line for line in f)
    except OSError:
        return False


# codec word → (FFmpeg encoder, pixel format, stream options, containers it belongs in)
CODECS: dict[str, tuple[str, str, dict[str, str], tuple[str, ...]]] = {
    "h264": ("libx264", "yuv420p", {}, (".mp4", ".mov", ".mkv")),
    "prores": ("prores_ks", "yuv422p10le", {"profile": "3", "vendor": "apl0"}, (".mov",)),
    "dnxhr": ("dnxhd", "yuv422p", {"profile": "dnxhr_hq"}, (".mov", ".mxf")),
}
# x264 presets whose rate-control lookahead (40 to 60 frames) would hold over 100 MB of 1080p
# pictures; capped at 20 (the "fast" preset's) so that a render's memory stays bounded
_DEEP_LOOKAHEAD = {"medium", "slow", "slower", "veryslow", "placebo"}
AUDIO_RATE = 48_000
_AUDIO_CHUNK = 1024  # AAC frame size
# a draft's sound: a fast level, nearly as small as the default, in frames of 96 ms (fewer packets
# to remux than the level's own 24 ms)
FLAC_OPTIONS = {"compression_level": "2", "frame_size": "4608"}


class Encoder:
    """`with Encoder(path, (w, h), fps) as enc: enc.write(rgb)` — one picture stream, maybe audio."""

    def __init__(
        self,
        path: Path,
        size: tuple[int, int],
        fps: Fraction,
        codec: str = "h264",
        crf: int = 18,
        preset: str = "medium",
        audio: Path | None = None,
        metadata: dict[str, str] | None = None,
        options: dict[str, str] | None = None,
        stream_metadata: dict[str, str] | None = None,
    ):
        self.path = Path(path)
        self.size = (int(size[0]), int(size[1]))
        self.fps = Fraction(fps)
        if codec not in CODECS:
            raise StoryreelError(
                f"unknown codec {codec!r}{did_you_mean(codec, list(CODECS))}; "
                f"one of {', '.join(CODECS)}"
            )
        self.codec = codec
        encoder, self._pix_fmt, self._options, suffixes = CODECS[codec]
        if encoder not in av.codecs_available:
            raise StoryreelError(f"this FFmpeg build has no {encoder} encoder (needed for {codec})")
        if self.path.suffix.lower() not in suffixes:
            raise StoryreelError(f"{codec} goes in a {' or '.join(suffixes)} file", self.path)
        if not self.path.parent.is_dir():
            raise StoryreelError(f"folder {str(self.path.parent)!r} does not exist", self.path)
        w, h = self.size
        if codec == "h264" and (w % 2 or h % 2):
            raise StoryreelError(f"H.264 needs an even frame size, not {w}x{h}", self.path)
        if not 0 <= crf <= 51:
            raise StoryreelError(f"crf {crf} is out of range (0 to 51)", self.path)
        if audio is not None and not Path(audio).is_file():
            raise StoryreelError("no such audio file", audio)
        self._encoder_name, self._crf, self._preset = encoder, crf, preset
        self._audio_path, self._metadata = audio, dict(metadata or {})
        self._stream_metadata = dict(stream_metadata or {})
        self._extra_options = dict(options or {})  # FFmpeg encoder options, e.g. {"bf": "0"}
        self.frames_written = 0
        self._container: av.container.OutputContainer | None = None
        self._tmp: Path | None = None

    # --- life cycle ------------------------------------------------------------------------

    def __enter__(self) -> Encoder:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.stem}.", suffix=f".part{self.path.suffix}", dir=self.path.parent
        )
        os.close(fd)
        self._tmp = Path(tmp)
        try:
            self._open()
        except BaseException:
            self._discard()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self._discard()
            return
        try:
            self._finish()
        except BaseException:
            self._discard()
            raise

    def _open(self) -> None:
        fmt = "mov" if self.path.suffix.lower() == ".mov" else None
        try:
            self._container = av.open(str(self._tmp), "w", format=fmt)
        except av.FFmpegError as e:
            raise StoryreelError(f"cannot write: {e}", self.path) from None
        c = self._container
        for key, value in self._metadata.items():
            c.metadata[key] = value
        stream = c.add_stream(self._encoder_name, rate=self.fps)
        for key, value in self._stream_metadata.items():
            stream.metadata[key] = value
        stream.width, stream.height = self.size
        stream.pix_fmt = self._pix_fmt
        self._time_base = Fraction(1) / self.fps
        stream.time_base = self._time_base
        cc = stream.codec_context
        cc.time_base = self._time_base
        cc.color_primaries = ColorPrimaries.BT709
        cc.color_trc = ColorTrc.BT709
        cc.colorspace = Colorspace.ITU709
        cc.color_range = ColorRange.MPEG
        options = dict(self._options)
        if self.codec == "h264":
            options.update(crf=str(self._crf), preset=self._preset)
            if self._preset in _DEEP_LOOKAHEAD:
                options["rc-lookahead"] = "20"  # x264 holds 40-60 frames ahead otherwise
        options.update(self._extra_options)
        if self.codec == "h264" and _has_avx512():
            params = options.get("x264-params")
            options["x264-params"] = f"{params}:asm=avx2" if params else "asm=avx2"
        stream.options = options
        self._video = stream
        self._reformatter = VideoReformatter()  # keeps its scaler context from frame to frame
        self._audio = AudioFeed(c, Path(self._audio_path)) if self._audio_path else None
        try:
            c.start_encoding()
        except av.FFmpegError as e:
            raise StoryreelError(
                f"cannot start the {self._encoder_name} encoder: {e}", self.path
            ) from None

    def write(self, frame: np.ndarray) -> None:
        """Append one frame: (H, W, 3) uint8 RGB of the encoder's size, or for H.264 the
        planes themselves, BT.709 yuv420p in FFmpeg's layout ((H·3/2, W) uint8)."""
        if self._container is None:
            raise RuntimeError("Encoder.write outside its `with` block")
        w, h = self.size
        planar = self._pix_fmt == "yuv420p" and frame.shape == (h * 3 // 2, w)
        if (frame.shape != (h, w, 3) and not planar) or frame.dtype != np.uint8:
            raise StoryreelError(
                f"frame {self.frames_written} is {frame.shape} {frame.dtype}; "
                f"expected ({h}, {w}, 3) uint8"
            )
        if planar:
            vf = av.VideoFrame.from_ndarray(frame, format="yuv420p")
        elif self._pix_fmt == "yuv420p":
            vf = av.VideoFrame.from_ndarray(_yuv420p(frame), format="yuv420p")
        else:
            vf = self._reformatter.reformat(
                av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24"),
                format=self._pix_fmt,
                dst_colorspace=Colorspace.ITU709,
                dst_color_range=ColorRange.MPEG,
            )
        vf.colorspace, vf.color_range = Colorspace.ITU709, ColorRange.MPEG
        vf.pts = self.frames_written
        vf.time_base = self._time_base
        self._container.mux(self._video.encode(vf))
        self.frames_written += 1
        if self._audio is not None:
            self._audio.feed_until(self.frames_written / self.fps, final=False)

    def _finish(self) -> None:
        c = self._container
        assert c is not None and self._tmp is not None
        if self.frames_written == 0:
            raise StoryreelError("nothing to encode: no frames were written", self.path)
        c.mux(self._video.encode(None))
        if self._audio is not None:
            self._audio.feed_until(self.frames_written / self.fps, final=True)
        c.close()
        self._container = None
        with open(self._tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(self._tmp, file_mode())  # mkstemp makes it private; a clip is an ordinary file
        os.replace(self._tmp, self.path)
        self._tmp = None

    def _discard(self) -> None:
        if self._container is not None:
            with contextlib.suppress(av.FFmpegError):
                self._container.close()
            self._container = None
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None


def x264_settings(path: Path) -> dict[str, str]:
    """The settings x264 wrote into an H.264 file's first SEI (`threads`, `rc_lookahead`,
    `crf` ...): what the encoder used, whatever it was asked; empty for another encoder."""
    with av.open(str(path)) as c:
        for packet in c.demux(c.streams.video[0]):
            found = re.search(rb"x264 - core .*? options: ([^\x00]*)", bytes(packet))
            if found:
                words = found.group(1).decode("ascii", "replace").split()
                return dict(w.split("=", 1) for w in words if "=" in w)
            break  # the SEI comes with the first frame
    return {}


# RGB → BT.709 limited-range Y'CbCr (8-bit), as one 3×4 matrix for cv2.transform
_BT709 = np.array([[0.2126, 0.7152, 0.0722], [-0.1146, -0.3854, 0.5], [0.5, -0.4542, -0.0458]])
_TO_YUV = np.hstack([np.diag([219, 224, 224]) / 255 @ _BT709, [[16], [128], [128]]]).astype(
    np.float32
)


def _yuv420p(rgb: np.ndarray) -> np.ndarray:
    """RGB → planar 4:2:0 (chroma averaged over 2×2) in FFmpeg's layout: (H·3/2, W) uint8.

    OpenCV's own RGB→I420 uses BT.601; this matrix is BT.709 to match the stream's tags, and
    runs several times faster than a per-frame swscale conversion."""
    h, w = rgb.shape[:2]
    y, u, v = cv2.split(cv2.transform(rgb, _TO_YUV))
    half = (w // 2, h // 2)
    u = cv2.resize(u, half, interpolation=cv2.INTER_AREA)
    v = cv2.resize(v, half, interpolation=cv2.INTER_AREA)
    return np.concatenate([y.reshape(-1), u.reshape(-1), v.reshape(-1)]).reshape(h * 3 // 2, w)


class AudioFeed:
    """Decodes an audio file lazily into an AAC stream, never ahead of the picture."""

    def __init__(self, container: av.container.OutputContainer, path: Path):
        try:
            self._input = av.open(str(path))
            if not self._input.streams.audio:
                raise StoryreelError("has no audio stream", path)
        except av.FFmpegError as e:
            raise StoryreelError(f"cannot read audio: {e}", path) from None
        self._path = path
        self._frames = self._input.decode(self._input.streams.audio[0])
        self._resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
        self._fifo = av.AudioFifo()
        self._stream = container.add_stream("aac", rate=AUDIO_RATE)
        self._stream.layout = "stereo"
        self._stream.time_base = self._stream.codec_context.time_base = Fraction(1, AUDIO_RATE)
        self._container = container
        self._sent = 0
        self._exhausted = False

    def _pull(self, samples: int) -> None:
        """Fill the FIFO to `samples`, with silence once the source has ended."""
        while self._fifo.samples < samples and not self._exhausted:
            try:
                frame = next(self._frames)
            except StopIteration:
                self._exhausted = True
                for out in self._resampler.resample(None):
                    self._fifo.write(out)
                self._input.close()
                break
            except av.FFmpegError as e:
                raise StoryreelError(f"cannot decode audio: {e}", self._path) from None
            frame.pts = None
            for out in self._resampler.resample(frame):
                self._fifo.write(out)
        missing = samples - self._fifo.samples
        if missing > 0:
            silence = av.AudioFrame.from_ndarray(
                np.zeros((2, missing), np.float32), format="fltp", layout="stereo"
            )
            silence.sample_rate = AUDIO_RATE
            self._fifo.write(silence)

    def feed_until(self, seconds: Fraction, final: bool) -> None:
        target = int(seconds * AUDIO_RATE)
        while self._sent < target:
            n = min(_AUDIO_CHUNK, target - self._sent)
            if n < _AUDIO_CHUNK and not final:
                return
            self._pull(n)
            frame = self._fifo.read(n)
            frame.pts = self._sent
            frame.time_base = Fraction(1, AUDIO_RATE)
            self._container.mux(self._stream.encode(frame))
            self._sent += n
        if final:
            self._container.mux(self._stream.encode(None))
            if not self._exhausted:
                self._input.close()


def _flac(codec_context: av.CodecContext) -> None:
    codec_context.sample_rate = AUDIO_RATE
    codec_context.layout = "stereo"
    codec_context.format = "s16"
    codec_context.time_base = Fraction(1, AUDIO_RATE)
    codec_context.options = dict(FLAC_OPTIONS)


def flac_frames(samples: np.ndarray) -> list[tuple[bytes, int]]:
    """Samples (n, 2) at 48 kHz in [-1, 1] as 16-bit FLAC frames, each (packet, its samples):
    the packets of any number of these, one after another, are one stream (`add_flac_stream`)."""
    ctx = av.CodecContext.create("flac", "w")
    _flac(ctx)
    ctx.open()
    pcm = np.clip(np.round(samples * 32768), -32768, 32767).astype(np.int16)
    out: list[tuple[bytes, int]] = []
    for a in range(0, len(pcm), ctx.frame_size):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(pcm[a : a + ctx.frame_size]).reshape(1, -1),
            format="s16",
            layout="stereo",
        )
        frame.sample_rate, frame.pts = AUDIO_RATE, a
        frame.time_base = Fraction(1, AUDIO_RATE)
        out += [(bytes(p), p.duration) for p in ctx.encode(frame)]
    out += [(bytes(p), p.duration) for p in ctx.encode(None)]
    return [(data, n) for data, n in out if n]  # the encoder's last word is a header, not sound


def add_flac_stream(container: av.container.OutputContainer) -> av.audio.stream.AudioStream:
    """A FLAC stream of `flac_frames`' settings in `container`, for their packets to be muxed."""
    stream = container.add_stream("flac", rate=AUDIO_RATE)
    _flac(stream.codec_context)
    stream.time_base = Fraction(1, AUDIO_RATE)
    return stream
