"""Rhythm: transition lengths, J/L-cut offsets, and cuts snapped to the music's beats.

Beats come from librosa (the optional `beats` extra). The snapping itself is a few lines of
integer arithmetic over frame counts, so it is written here rather than borrowed.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

from storyreel.errors import StoryreelError
from storyreel.model import Transition, TransitionKind, frames_for

# Default lengths (seconds) when the script names a transition without a length.
DEFAULT_SECONDS = {
    TransitionKind.DISSOLVE: 1.0,
    TransitionKind.FADE_IN: 1.0,
    TransitionKind.FADE_OUT: 1.0,
    TransitionKind.WIPE: 0.5,
}
J_CUT_SECONDS = 0.25  # sound leads picture into a shot by this much
SNAP_TOLERANCE_SECONDS = 0.35  # a cut moves to a beat at most this far
MIN_SHOT_SECONDS = 1.0  # snapping never makes a shot shorter than this


def transition_frames(transition: Transition, fps: Fraction) -> int:
    """Frames of overlap for a shot's incoming transition (0 for cuts, smash and match cuts)."""
    if transition.frames:
        return transition.frames
    seconds = DEFAULT_SECONDS.get(transition.kind)
    return frames_for(seconds, fps) if seconds else 0


def j_cut_frames(fps: Fraction) -> int:
    return frames_for(J_CUT_SECONDS, fps)


def audio_duration(path: Path) -> float:
    """Seconds of audio in a file; a file that is not audio raises StoryreelError naming it."""
    import av

    try:
        with av.open(str(path)) as container:
            streams = container.streams.audio
            if not streams:
                raise StoryreelError("not an audio file (no audio stream)", path)
            stream = streams[0]
            if stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base)
            if container.duration is not None:
                return container.duration / av.time_base
            return sum(f.samples / f.sample_rate for f in container.decode(stream))
    except StoryreelError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as e:
        raise StoryreelError(f"not an audio file ({e.__class__.__name__})", path) from None


def beat_times(path: Path) -> list[float]:
    """Beat positions in seconds (librosa's beat tracker); [] with a warning without librosa."""
    audio_duration(path)  # refuses a file that is not audio, naming it
    with warnings.catch_warnings():  # librosa's audio stack warns about its own imports
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        try:
            import librosa
        except ImportError:
            librosa = None
        if librosa is not None:
            try:
                y, sr = librosa.load(str(path), sr=22050, mono=True)
            except Exception as e:  # audioread/soundfile raise many kinds
                raise StoryreelError(f"cannot read the music: {e}", path) from None
            _, frames = librosa.beat.beat_track(y=y, sr=sr)
    if librosa is None:
        warnings.warn(
            "cuts are not snapped to the music: install storyreel[beats] (librosa)", stacklevel=2
        )
        return []
    return [float(t) for t in librosa.frames_to_time(frames, sr=sr)]


def snap_lengths(
    lengths: Sequence[int],
    fixed: Sequence[bool],
    beats: Sequence[float],
    fps: Fraction,
    offset: int = 0,
    tolerance: float = SNAP_TOLERANCE_SECONDS,
    min_seconds: float = MIN_SHOT_SECONDS,
) -> list[int]:
    """Shot lengths whose cuts land on beats, where a beat is within `tolerance`.

    `offset` is the frame the first shot starts at (the music starts at frame 0). Shots a
    director fixed keep their length; no shot drops below `min_seconds`.
    """
    beat_frames = sorted({frames_for(b, fps) for b in beats if b > 0})
    tol, floor = frames_for(tolerance, fps), frames_for(min_seconds, fps)
    out: list[int] = []
    start = offset
    for length, is_fixed in zip(lengths, fixed, strict=True):
        cut = start + length
        if not is_fixed and beat_frames:
            near = [
                b for b in beat_frames if abs(b - cut) <= tol and b - start >= min(floor, length)
            ]
            if near:
                cut = min(near, key=lambda b: (abs(b - cut), b))
        out.append(cut - start)
        start = cut
    return out
