"""AAF for Avid Media Composer and Pro Tools, through the OTIO AAF adapter (`otio-aaf-adapter`):
picture (V1), titles (V2), dialogue (A1), music (A2) and the mix's stems, with the media linked
by file name, a sound's channels and rate in its PCM descriptor and a shot's tape named by its
reel.

The adapter writes a transition only from the AAF operation it was read with; a dissolve made
here gets Avid's own (VideoDissolve_2, the effect Media Composer draws for a "Dissolve"), its
cut point at the transition's start, as the timeline puts it. A wipe goes out as that dissolve
too (the adapter writes no other effect).
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import aaf2
import opentimelineio as otio

from storyreel.errors import StoryreelError
from storyreel.files import fsync_dir
from storyreel.handoff.media import AudioFormat, audio_of, reel_of

_DISSOLVE = {
    "PointList": [{"Time": 0.0, "Value": 0.0}, {"Time": 1.0, "Value": 1.0}],
    "OperationGroup": {
        "Operation": {
            "DataDefinition": {"Name": "Picture"},
            "Description": "Video Dissolve",
            "Name": "VideoDissolve_2",
            "Identification": "0c3bea41-fc05-11d2-8a29-0050040ef7d2",
            "IsTimeWarp": False,
            "Bypass": 1,
            "NumberInputs": 2,
            "OperationCategory": "OperationCategory_Effect",
        }
    },
}


def transition_metadata(t: otio.schema.Transition) -> dict:
    """What the adapter needs to write `t` (kept in cut.otio too, so that stock `otioconvert`
    writes an AAF from it)."""
    return {**copy.deepcopy(_DISSOLVE), "CutPoint": t.in_offset.to_frames()}


def essence(sound: AudioFormat) -> dict:
    """The PCM descriptor the adapter writes for a sound (it assumes 48 kHz 16-bit mono)."""
    align = sound.channels * sound.bits // 8
    return {
        "Channels": sound.channels,
        "AudioSamplingRate": sound.rate,
        "SampleRate": sound.rate,
        "QuantizationBits": sound.bits,
        "BlockAlign": align,
        "AverageBPS": sound.rate * align,
    }


def write_aaf(nle: otio.schema.Timeline, path: Path) -> Path:
    """`nle` (an `interchange_copy`) as an AAF at `path`, written under a temporary name."""
    tl = copy.deepcopy(nle)
    for t in tl.find_children(descended_from_type=otio.schema.Transition):
        t.transition_type = otio.schema.TransitionTypes.SMPTE_Dissolve
        t.metadata["AAF"] = transition_metadata(t)
    for track in tl.tracks:
        track.markers.clear()  # the adapter writes no track markers
    for clip in tl.find_clips():
        if (sound := audio_of(clip.media_reference)) is not None:
            clip.media_reference.metadata["AAF"] = {"EssenceDescription": essence(sound)}
    tapes = {
        c.name: reel
        for c in tl.video_tracks()[0].find_clips()
        if (reel := reel_of(c.media_reference)) is not None
    }
    tmp = path.with_name(f".{path.stem}.partial.aaf")
    try:
        otio.adapters.write_to_file(tl, str(tmp), adapter_name="AAF", use_empty_mob_ids=True)
        _name_tapes(tmp, tapes)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except Exception as e:  # the adapter raises its own errors of every kind
        tmp.unlink(missing_ok=True)
        raise StoryreelError(f"cannot write the AAF: {e}", path) from None
    return path


def _name_tapes(path: Path, tapes: dict[str, str]) -> None:
    """The adapter names a shot's tape after its clip; Avid relinks by tape name, so each is
    named by its reel, as in the EDL (pyaaf2, the adapter's own AAF library)."""
    with aaf2.open(str(path), "rw") as f:
        for mob in f.content.sourcemobs():
            if isinstance(mob.descriptor, aaf2.essence.TapeDescriptor) and mob.name in tapes:
                mob.name = tapes[mob.name]
