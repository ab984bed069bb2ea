"""A rendered cut at a glance: a frame strip (PNG) and a short animated preview (GIF).

Frames are picked from the cut's timeline (the `.otio` beside the MP4): the middle frame of every
shot's record range, title cards left out unless asked. Without a timeline that matches the
video, or with `every`, they are evenly spaced. Frames are read by seeking, a few at a time.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import opentimelineio as otio
from PIL import Image, ImageDraw

from storyreel.assets import pil_font
from storyreel.edit.timeline import TITLES_TRACK, timeline_fps
from storyreel.errors import StoryreelError
from storyreel.files import atomic_write, png_bytes
from storyreel.model import frames_for
from storyreel.review.contact_sheet import BG, DIM, INK

EVEN_FRAMES = 12  # frames picked when there is no timeline and no `every`
GIF_FPS = 8
GIF_SHOTS = 12
GIF_SECONDS = 2.5  # of each shot
SEEK_AHEAD = 48  # decode on rather than seek when the next frame is at most this far ahead


@dataclass(frozen=True)
class Moment:
    """A frame of the cut (0 = its first frame) in the record range [start, end) it stands for."""

    frame: int
    label: str
    start: int
    end: int


@dataclass
class Cut:
    """A rendered cut: the video, its frame rate and length, and the picture area of its frames."""

    video: Path
    fps: Fraction
    frames: int
    size: tuple[int, int]
    box: tuple[int, int, int, int]  # the picture inside the letterbox, as PIL's (l, t, r, b)
    name: str
    timeline: otio.schema.Timeline | None = None
    notes: list[str] = field(default_factory=list)


def open_cut(video: Path) -> Cut:
    """The cut at `video`, with the timeline beside it (`cut.otio` for `cut.mp4`) when it matches."""
    video = Path(video)
    if not video.is_file():
        raise StoryreelError("no such file", video)
    try:
        with av.open(str(video)) as container:
            streams = container.streams.video
            if not streams or container.duration is None:
                raise StoryreelError("not a video (no moving picture in it)", video)
            stream = streams[0]
            fps = Fraction(stream.average_rate or stream.guessed_rate or 24)
            frames = stream.frames or frames_for(Fraction(container.duration, av.time_base), fps)
            size = (stream.codec_context.width, stream.codec_context.height)
    except av.FFmpegError as e:
        raise StoryreelError(f"not a video ({e.strerror or e})", video) from None
    cut = Cut(video, fps, frames, size, (0, 0, *size), video.stem)
    otio_path = video.with_suffix(".otio")
    if not otio_path.is_file():
        cut.notes.append(f"no {otio_path.name} beside the video: frames are evenly spaced")
        return cut
    try:
        timeline = otio.adapters.read_from_file(str(otio_path))
        fps = timeline_fps(timeline)
        meta = timeline.metadata["storyreel"]
    except (otio.exceptions.OTIOError, ValueError, KeyError, TypeError) as e:
        raise StoryreelError(f"not a storyreel timeline ({e})", otio_path) from None
    if timeline.duration().to_frames() != frames or fps != cut.fps:
        cut.notes.append(
            f"{otio_path.name} does not match the video (an older render?): "
            "frames are evenly spaced"
        )
        return cut
    cut.timeline, cut.name = timeline, timeline.name or cut.name
    (fw, fh), (pw, ph) = meta["frame_size"], meta["picture_size"]
    if tuple(cut.size) == (fw, fh):
        left, top = (fw - pw) // 2, (fh - ph) // 2
        cut.box = (left, top, left + pw, top + ph)
    return cut


def timecode(frame: int, fps: Fraction) -> str:
    """`m:ss` of a frame in the cut."""
    seconds = int(frame / fps)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _card_texts(timeline: otio.schema.Timeline) -> dict[int, str]:
    """First line of each title card's text, by its record start."""
    titles = next((t for t in timeline.video_tracks() if t.name == TITLES_TRACK), [])
    return {
        c.range_in_parent().start_time.to_frames(): str(c.metadata["storyreel"]["text"])
        for c in titles
        if isinstance(c, otio.schema.Clip) and "text" in c.metadata.get("storyreel", {})
    }


def shot_moments(cut: Cut, cards: bool = False) -> list[Moment]:
    """The middle frame of every shot on the picture track (and of every title card if `cards`)."""
    assert cut.timeline is not None
    texts = _card_texts(cut.timeline) if cards else {}
    moments = []
    for clip in cut.timeline.video_tracks()[0]:
        if not isinstance(clip, otio.schema.Clip):
            continue
        meta = clip.metadata.get("storyreel", {})
        span = clip.range_in_parent()
        start, n = span.start_time.to_frames(), span.duration.to_frames()
        if meta.get("kind") == "shot":
            label = meta["shot_id"]
        elif cards and meta.get("kind") == "slug":
            label = (texts.get(start) or "black").splitlines()[0]
        else:
            continue
        moments.append(Moment(start + n // 2, label, start, start + n))
    return moments


def even_moments(cut: Cut, every: float | None = None) -> list[Moment]:
    """Frames every `every` seconds (EVEN_FRAMES of them spread over the cut when None), each
    in the middle of its stretch; labelled with the shot there, or the time."""
    step = Fraction(cut.frames, EVEN_FRAMES) if every is None else Fraction(every) * cut.fps
    if step <= 0:
        raise StoryreelError(f"--every must be more than 0 seconds, not {every}")
    spans = (
        []
        if cut.timeline is None
        else [
            (c.range_in_parent(), c.metadata.get("storyreel", {}).get("shot_id"))
            for c in cut.timeline.video_tracks()[0]
            if isinstance(c, otio.schema.Clip)
        ]
    )
    moments = []
    for k in range(max(1, math.floor(cut.frames / step))):
        start, end = round(k * step), min(cut.frames, round((k + 1) * step))
        frame = (start + end) // 2
        shot = next(
            (
                sid
                for r, sid in spans
                if r.start_time.to_frames() <= frame < r.end_time_exclusive().to_frames()
            ),
            None,
        )
        moments.append(Moment(frame, shot or timecode(frame, cut.fps), start, end))
    return moments


def pick_moments(
    cut: Cut, every: float | None = None, cards: bool = False
) -> tuple[list[Moment], str]:
    """One frame per shot when the cut's timeline is known and no `every` is given, else evenly
    spaced frames; and how they were picked, in words."""
    if cut.timeline is not None and every is None:
        moments = shot_moments(cut, cards)
        if moments:
            return moments, f"{len(moments)} {'shots and cards' if cards else 'shots'}"
    moments = even_moments(cut, every)
    step = float(cut.frames / cut.fps) / len(moments) if every is None else every
    return moments, f"a frame every {step:.3g} s"


def read_frames(video: Path, frames: Iterable[int]) -> Iterator[tuple[int, np.ndarray]]:
    """The RGB frames at the given indices, in ascending order: seeks to the keyframe before
    each (or decodes on when it is close), so only a few frames are ever held."""
    wanted = sorted(set(frames))
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        rate, base = Fraction(stream.average_rate), Fraction(stream.time_base)
        origin = stream.start_time or 0
        decoded: Iterator[av.VideoFrame] | None = None
        last, frame = -1, None
        for index in wanted:
            if decoded is None or index <= last or index > last + SEEK_AHEAD:
                container.seek(origin + math.floor(index / rate / base), stream=stream)
                decoded = container.decode(stream)
            for frame in decoded:
                last = round((frame.pts - origin) * base * rate)
                if last >= index:
                    break
            if frame is None:
                raise StoryreelError("no picture could be decoded", video)
            yield index, frame.to_ndarray(format="rgb24")


def thumbnail(image: np.ndarray, box: tuple[int, int, int, int], width: int) -> Image.Image:
    """The picture area of a frame, scaled to `width`."""
    picture = Image.fromarray(image).crop(box)
    height = max(1, round(width * picture.height / picture.width))
    return picture.resize((width, height), Image.Resampling.LANCZOS)


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: float) -> str:
    """`text`, cut short with an ellipsis to fit `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


@dataclass
class Strip:
    image: Image.Image
    cells: list[tuple[Moment, tuple[int, int, int, int]]]  # each frame's box on the image


def frame_strip(
    cut: Cut,
    moments: Sequence[Moment],
    columns: int = 6,
    thumb_width: int = 320,
    subtitle: str = "",
) -> Strip:
    """The frames as a grid on a dark page under the film's name, its length and `subtitle`;
    the label (shot id) and time under each frame."""
    if columns < 1:
        raise StoryreelError(f"--columns must be 1 or more, not {columns}")
    if not moments:
        raise StoryreelError("no frames to lay out", cut.video)
    bw, bh = cut.box[2] - cut.box[0], cut.box[3] - cut.box[1]
    tw, th = thumb_width, max(1, round(thumb_width * bh / bw))
    s = thumb_width / 320
    pad, gap, caption = round(24 * s), round(10 * s), round(30 * s)
    header = round(84 * s)
    columns = min(columns, len(moments))
    rows = math.ceil(len(moments) / columns)
    page = Image.new(
        "RGB",
        (
            2 * pad + columns * tw + (columns - 1) * gap,
            header + rows * (th + caption + gap) - gap + pad,
        ),
        BG,
    )
    draw = ImageDraw.Draw(page)
    f_title, f_line = pil_font(round(24 * s), "Black"), pil_font(round(14 * s))
    f_label = pil_font(round(15 * s), "Bold")
    draw.text((pad, pad), cut.name, font=f_title, fill=INK)
    draw.text(
        (pad, pad + round(30 * s)),
        " · ".join(filter(None, [timecode(cut.frames, cut.fps), subtitle])),
        font=f_line,
        fill=DIM,
    )
    by_frame: dict[int, list[int]] = {}
    for i, m in enumerate(moments):
        by_frame.setdefault(m.frame, []).append(i)
    cells: list = [None] * len(moments)
    for index, image in read_frames(cut.video, by_frame):
        thumb = thumbnail(image, cut.box, tw)
        for i in by_frame[index]:
            x = pad + (i % columns) * (tw + gap)
            y = header + (i // columns) * (th + caption + gap)
            page.paste(thumb, (x, y))
            when = timecode(index, cut.fps)
            room = tw - draw.textlength(when, font=f_line) - 8 * s
            draw.text(
                (x, y + th + 6 * s),
                _fit(draw, moments[i].label, f_label, room),
                font=f_label,
                fill=INK,
            )
            draw.text((x + tw, y + th + 7 * s), when, font=f_line, fill=DIM, anchor="ra")
            cells[i] = (moments[i], (x, y, x + tw, y + th))
    return Strip(page, cells)


def gif_frames(
    cut: Cut,
    moments: Sequence[Moment],
    fps: int = GIF_FPS,
    shots: int = GIF_SHOTS,
    seconds: float = GIF_SECONDS,
) -> list[int]:
    """The cut's frames for an animated preview: up to `seconds` around the middle of each of
    up to `shots` moments (evenly chosen), at `fps`, within each moment's record range."""
    if len(moments) > shots:
        moments = [moments[round(k * (len(moments) - 1) / (shots - 1))] for k in range(shots)]
    step, want = cut.fps / fps, frames_for(seconds, Fraction(fps))
    out: list[int] = []
    for m in moments:
        count = max(1, min(want, math.floor((m.end - m.start) / step)))
        first = max(m.start, min(m.frame - round(count * step / 2), m.end - round(count * step)))
        out.extend(min(m.end - 1, first + round(k * step)) for k in range(count))
    return out


def preview_gif(
    cut: Cut, moments: Sequence[Moment], width: int = 480, fps: int = GIF_FPS, colors: int = 64
) -> bytes:
    """An animated GIF of `gif_frames`, `width` pixels wide, with one palette of `colors` for
    all frames (few colours and no dithering keep the film's grain from bloating it)."""
    indices = gif_frames(cut, moments, fps)
    small = {i: thumbnail(image, cut.box, width) for i, image in read_frames(cut.video, indices)}
    images = [small[i] for i in indices]
    sample = images[:: max(1, len(images) // 24)]
    mosaic = Image.new("RGB", (width, sum(im.height for im in sample)))
    for k, im in enumerate(sample):
        mosaic.paste(im, (0, k * im.height))
    palette = mosaic.quantize(colors, method=Image.Quantize.MEDIANCUT)
    frames = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    # GIF times are whole hundredths of a second: 8 fps alternates 0.13 s and 0.12 s
    ends = [round(100 * (k + 1) / fps) for k in range(len(frames))]
    durations = [10 * (end - start) for start, end in zip([0, *ends], ends, strict=False)]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0
    )
    return buffer.getvalue()


def write_strip(
    video: Path, output: Path, columns: int = 6, every: float | None = None, cards: bool = False
) -> tuple[Path, list[str]]:
    """Write a frame strip (`.png`) or an animated preview (`.gif`) of the cut at `video`;
    returns the file and notes for the user (how the frames were picked)."""
    suffix = Path(output).suffix.lower()
    if suffix not in (".png", ".gif"):
        raise StoryreelError("the output must be a .png (frame strip) or a .gif (preview)", output)
    cut = open_cut(video)
    moments, picked = pick_moments(cut, every, cards)
    if suffix == ".gif":
        data = preview_gif(cut, moments)
    else:
        page = frame_strip(cut, moments, columns, subtitle=picked).image
        # 256 colours: a third of the size, and it reads the same
        data = png_bytes(page.quantize(256, method=Image.Quantize.MEDIANCUT), optimize=True)
    atomic_write(Path(output), data)
    return Path(output), cut.notes
