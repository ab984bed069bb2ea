"""Final Cut Pro 7 / Premiere XML (xmeml 4) through OTIO's FCP adapter, then put right:

- the sequence's `<format>` carries the frame size and rate (the adapter writes it empty, and
  Premiere and Resolve then guess the frame size);
- a transition that starts at its cut is aligned `start` (the adapter writes `start-black`, a
  dip from black on the incoming clip, not a cross-dissolve), one that ends at it `end`;
- a clip after a transition gets its record position (the adapter writes `-1`, which some
  readers, Kdenlive's among them, drop with the fade that leads into it);
- scene and section markers are sequence markers.
The adapter writes "Cross Dissolve" unless a transition carries its own effect, so a wipe
carries an "Edge Wipe" (`prepare.interchange_copy`).
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

import opentimelineio as otio

_ALIGN = {"start-black": "start", "end-black": "end"}


def write_xml(nle: otio.schema.Timeline) -> str:
    """The FCP7 XML text of `nle` (an `interchange_copy`)."""
    tl = copy.deepcopy(nle)
    v1 = tl.video_tracks()[0]
    tl.tracks.markers.extend(copy.deepcopy(list(v1.markers)))
    v1.markers.clear()
    root = ET.fromstring(otio.adapters.write_to_string(tl, "fcp_xml"))
    width, height = tl.metadata["storyreel"]["frame_size"]
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
