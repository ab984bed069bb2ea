"""Final Cut Pro 7 / Premiere XML (xmeml 4) through OTIO's FCP adapter, then put right:

- the sequence's `<format>` carries the frame size and rate (the adapter writes it empty, and
  Premiere and Resolve then guess the frame size);
- a transition that starts at its cut is aligned `start` (the adapter writes `start-black`, a
  dip from black on the incoming clip, not a cross-dissolve), one that ends at it `end`;
- a clip after a transition gets its record position (the adapter writes `-1`, which some
  readers, Kdenlive's among them, drop with the fade that leads into it);
- scene and section markers are sequence markers;
- the sequence's sound has the rate, depth and outputs of its richest source;
- each file says what it holds (the adapter gives every file an empty `<audio/>`, a picture
  included): a picture its frame size, a sound its channels, rate and depth; a shot's file
  its reel (the EDL's, the one in its timecode track);
- a sound of n channels (a stem, a stereo music bed) goes on n tracks, one channel each
  (`<sourcetrack>`), as FCP 7 and Premiere lay out a stereo clip, each track sent to the
  output of its channel (`<outputchannelindex>`).
The adapter writes "Cross Dissolve" unless a transition carries its own effect, so a wipe
carries an "Edge Wipe" (`prepare.interchange_copy`).
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

import opentimelineio as otio

from storyreel.handoff.media import audio_of, reel_of

_ALIGN = {"start-black": "start", "end-black": "end"}


def write_xml(nle: otio.schema.Timeline) -> str:
    """The FCP7 XML text of `nle` (an `interchange_copy`)."""
    tl = copy.deepcopy(nle)
    v1 = tl.video_tracks()[0]
    tl.tracks.markers.extend(copy.deepcopy(list(v1.markers)))
    v1.markers.clear()
    channels = _one_channel_a_track(tl)
    root = ET.fromstring(otio.adapters.write_to_string(tl, "fcp_xml"))
    width, height = tl.metadata["storyreel"]["frame_size"]
    refs = {c.media_reference.target_url: c.media_reference for c in tl.find_clips()}
    sounds = {c.media_reference.target_url for t in tl.audio_tracks() for c in t.find_clips()}
    for file in root.iter("file"):
        if (ref := refs.get(url := file.findtext("pathurl"))) is not None:
            _describe(file, ref, url in sounds, (width, height))
    sequence = next(root.iter("sequence"))
    _sequence_sound(sequence.find("media/audio"), tl)
    items: dict[str, ET.Element] = {}
    for track, (channel, of) in zip(sequence.findall("media/audio/track"), channels, strict=True):
        for at, item in enumerate(list(track)):
            if item.tag == "clipitem":
                track[at] = _on_channel(item, channel, items)
        if of > 1:  # a channel of a stereo pair goes out on its own side
            ET.SubElement(track, "outputchannelindex").text = str(channel)
    for sequence in root.iter("sequence"):
        fmt = sequence.find("media/video/format")
        if fmt is not None and not len(fmt):
            chars = ET.SubElement(fmt, "samplecharacteristics")
            chars.append(copy.deepcopy(sequence.find("rate")))
            for tag, text in (
                ("width", width),
                ("height", height),
                ("anamorphic", "FALSE"),
                ("pixelaspectratio", "square"),
                ("fielddominance", "none"),
            ):
                ET.SubElement(chars, tag).text = str(text)
    for track in root.iter("track"):
        items = list(track)
        for i, item in enumerate(items):
            if item.tag == "transitionitem":
                align = item.find("alignment")
                align.text = _ALIGN.get(align.text, align.text)
                _place(items, i, item)
    ET.indent(root, "    ")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n'
        + ET.tostring(root, encoding="unicode")
        + "\n"
    )


def _place(items: list[ET.Element], i: int, transition: ET.Element) -> None:
    """Record positions of the clips on either side of a transition, where the adapter left
    `-1`: the cut is where a start-aligned transition starts (an end-aligned one ends)."""
    align = transition.findtext("alignment")
    cut = transition.findtext("end" if align == "end" else "start")
    if i + 1 < len(items) and items[i + 1].findtext("start") == "-1":
        items[i + 1].find("start").text = cut
    if i > 0 and items[i - 1].findtext("end") == "-1":
        items[i - 1].find("end").text = cut


def _one_channel_a_track(tl: otio.schema.Timeline) -> list[tuple[int, int]]:
    """Each audio track of n channels followed by n - 1 copies; the source channel each of
    the audio tracks now plays, and of how many."""
    channels = []
    for track in list(tl.audio_tracks()):
        n = max(
            (s.channels for c in track.find_clips() if (s := audio_of(c.media_reference))),
            default=1,
        )
        at = list(tl.tracks).index(track)
        for k in range(2, n + 1):
            tl.tracks.insert(at + k - 1, copy.deepcopy(track))
        channels.extend((k, n) for k in range(1, n + 1))
    return channels


def _describe(
    file: ET.Element, ref: otio.schema.ExternalReference, sound: bool, size: tuple[int, int]
) -> None:
    """What `file` holds, in its `<media>`; and a shot's reel, in its `<timecode>`."""
    media = file.find("media")
    media.clear()
    if sound:
        audio = ET.SubElement(media, "audio")
        if (found := audio_of(ref)) is not None:  # None: a music file that could not be read
            chars = ET.SubElement(audio, "samplecharacteristics")
            ET.SubElement(chars, "depth").text = str(found.bits)
            ET.SubElement(chars, "samplerate").text = str(found.rate)
            ET.SubElement(audio, "channelcount").text = str(found.channels)
    else:
        chars = ET.SubElement(ET.SubElement(media, "video"), "samplecharacteristics")
        ET.SubElement(chars, "width").text = str(size[0])
        ET.SubElement(chars, "height").text = str(size[1])
    if (reel := reel_of(ref)) is not None:
        ET.SubElement(ET.SubElement(file.find("timecode"), "reel"), "name").text = reel


def _on_channel(item: ET.Element, channel: int, items: dict[str, ET.Element]) -> ET.Element:
    """`item` playing source channel `channel` of its file. The adapter writes a clip that is
    on several tracks once and refers to it after (`<clipitem id="clipitem-9"/>`): each
    channel gets its own clipitem, its file referred to."""
    if len(item):
        items[item.get("id")] = item
    else:
        first = items[item.get("id")]
        item = copy.deepcopy(first)
        item.set("id", f"{first.get('id')}-{channel}")
        item.remove(item.find("sourcetrack"))
        file = item.find("file")
        file.clear()
        file.set("id", first.find("file").get("id"))
    source = ET.Element("sourcetrack")
    ET.SubElement(source, "mediatype").text = "audio"
    ET.SubElement(source, "trackindex").text = str(channel)
    item.insert(list(item).index(item.find("file")) + 1, source)
    return item


def _sequence_sound(audio: ET.Element | None, tl: otio.schema.Timeline) -> None:
    """The sequence's sound: the rate, depth and channels of its richest source (the mix's
    stems: 48 kHz, 24-bit, stereo)."""
    found = [
        s for t in tl.audio_tracks() for c in t.find_clips() if (s := audio_of(c.media_reference))
    ]
    if audio is None or not found:
        return
    fmt = ET.Element("format")
    chars = ET.SubElement(fmt, "samplecharacteristics")
    ET.SubElement(chars, "depth").text = str(max(s.bits for s in found))
    ET.SubElement(chars, "samplerate").text = str(max(s.rate for s in found))
    count = ET.Element("numOutputChannels")
    count.text = str(max(s.channels for s in found))
    audio[:0] = [count, fmt]
