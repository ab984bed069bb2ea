"""The encoder, checked by decoding its files with PyAV."""

from __future__ import annotations

import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from storyreel.errors import StoryreelError
from storyreel.render.encode import Encoder, x264_settings

SIZE = (256, 144)


def flat(rgb: tuple[int, int, int]) -> np.ndarray:
    return np.full((SIZE[1], SIZE[0], 3), rgb, np.uint8)


def write_wav(path: Path, seconds: float, rate: int = 22050, channels: int = 1) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    tone = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.repeat(tone, channels).tobytes())
    return path


def encode(path: Path, n: int, fps: Fraction = Fraction(24), **kw: object) -> Path:
    with Encoder(path, SIZE, fps, **kw) as enc:
        for i in range(n):
            enc.write(flat((i * 9 % 256, 80, 40)))
    return path


@pytest.mark.parametrize("codec", ["h264", "prores"])
def test_tagged_bt709_and_colours_survive(tmp_path: Path, codec: str) -> None:
    colours = [
        (200, 80, 40),
        (255, 0, 0),
        (0, 255, 0),
        (0, 0, 255),
        (16, 16, 16),
        (235, 235, 235),
        (90, 140, 200),
    ]
    path = tmp_path / ("a.mp4" if codec == "h264" else "a.mov")
    with Encoder(path, SIZE, Fraction(25), codec=codec, crf=4) as enc:
        for c in colours:
            enc.write(flat(c))
    with av.open(str(path)) as c:
        cc = c.streams.video[0].codec_context
        assert (cc.color_primaries, cc.color_trc, cc.colorspace, cc.color_range) == (1, 1, 1, 1)
        if codec == "h264":
            assert (cc.name, cc.pix_fmt) == ("h264", "yuv420p")
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    for colour, frame in zip(colours, frames, strict=True):
        error = np.abs(frame[40:100, 60:200].astype(int) - colour).max()
        assert error <= 4, f"{colour} came back as {frame[70, 130].tolist()}"


def test_crf_controls_quality(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (SIZE[1], SIZE[0], 3), dtype=np.uint8) for _ in range(6)]
    sizes = []
    for crf in (10, 40):
        path = tmp_path / f"crf{crf}.mp4"
        with Encoder(path, SIZE, Fraction(24), crf=crf, preset="ultrafast") as enc:
            for f in frames:
                enc.write(f)
        sizes.append(path.stat().st_size)
    assert sizes[0] > 2 * sizes[1]


def test_prores_422_hq_in_mov(tmp_path: Path) -> None:
    path = encode(tmp_path / "a.mov", 7, Fraction(24000, 1001), codec="prores")
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        assert (s.codec_context.name, s.codec_context.pix_fmt, s.codec_context.profile) == (
            "prores",
            "yuv422p10le",
            "HQ",
        )
        assert s.codec_context.colorspace == 1
        assert sum(1 for _ in c.decode(video=0)) == 7
    with pytest.raises(StoryreelError, match=r"prores goes in a \.mov file"):
        Encoder(tmp_path / "a.mp4", SIZE, Fraction(24), codec="prores")


@pytest.mark.parametrize("source_seconds", [0.4, 3.0])
def test_audio_is_aac_48k_stereo_padded_or_trimmed_to_the_picture(
    tmp_path: Path, source_seconds: float
) -> None:
    wav = write_wav(tmp_path / "t.wav", source_seconds)
    fps = Fraction(24000, 1001)
    path = encode(tmp_path / "a.mp4", 30, fps, audio=wav)
    picture = Fraction(30) / fps
    with av.open(str(path)) as c:
        a = c.streams.audio[0]
        assert (a.codec_context.name, a.rate, a.codec_context.channels) == ("aac", 48000, 2)
        samples = sum(f.samples for f in c.decode(audio=0))
    # AAC adds its priming samples; the payload ends within one frame of the picture
    assert abs(samples - picture * 48000) <= 2048
    assert abs(a.duration * a.time_base - picture) < Fraction(1, 40)


def test_metadata_is_written(tmp_path: Path) -> None:
    path = encode(tmp_path / "a.mp4", 2, metadata={"title": "NEGATIVE SPACE"})
    with av.open(str(path)) as c:
        assert c.metadata.get("title") == "NEGATIVE SPACE"


def test_missing_output_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoryreelError, match="does not exist"):
        Encoder(tmp_path / "nope" / "a.mp4", SIZE, Fraction(24))
    assert not (tmp_path / "nope").exists()


def test_a_codec_the_ffmpeg_build_lacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(av, "codecs_available", av.codecs_available - {"libx264"})
    with pytest.raises(StoryreelError, match="this FFmpeg build has no libx264 encoder"):
        Encoder(tmp_path / "a.mp4", SIZE, Fraction(24))
    with pytest.raises(
        StoryreelError, match=r"unknown codec 'prores4444' \(did you mean prores\?\)"
    ):
        Encoder(tmp_path / "a.mov", SIZE, Fraction(24), codec="prores4444")
    assert list(tmp_path.iterdir()) == []


def test_failure_midway_leaves_nothing_under_the_output_name(tmp_path: Path) -> None:
    path = tmp_path / "a.mp4"
    path.write_bytes(b"the previous cut")
    with pytest.raises(RuntimeError), Encoder(path, SIZE, Fraction(24)) as enc:
        enc.write(flat((1, 2, 3)))
        raise RuntimeError("render failed")
    assert path.read_bytes() == b"the previous cut"  # untouched, and no temporary left over
    assert list(tmp_path.iterdir()) == [path]
    with (
        pytest.raises(StoryreelError, match=r"expected \(144, 256, 3\) uint8"),
        Encoder(tmp_path / "b.mp4", SIZE, Fraction(24)) as enc,
    ):
        enc.write(np.zeros((10, 10, 3), np.uint8))
    assert list(tmp_path.iterdir()) == [path]


def test_extra_encoder_options(tmp_path: Path) -> None:
    def reordered(path: Path) -> bool:
        with av.open(str(path)) as c:
            pts = [p.pts for p in c.demux(video=0) if p.size]
        return pts != sorted(pts)

    assert reordered(encode(tmp_path / "default.mp4", 12))  # B-frames by default
    assert not reordered(encode(tmp_path / "a.mp4", 12, options={"bf": "0"}))


def test_the_threads_asked_for_reach_x264(tmp_path: Path) -> None:
    one = x264_settings(encode(tmp_path / "one.mp4", 4, options={"threads": "1"}))
    two = x264_settings(encode(tmp_path / "two.mp4", 4, options={"threads": "2"}))
    assert (one["threads"], two["threads"]) == ("1", "2")
    assert two["sliced_threads"] == "1"  # slices of one frame: no frame of latency added
    assert x264_settings(encode(tmp_path / "a.mov", 2, codec="prores")) == {}
