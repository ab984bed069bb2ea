"""All the NLE files at once: `<stem>.otio .otioz .edl .xml .fcpxml .aaf`, beside the cut."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from storyreel.edit.timeline import timeline_fps
from storyreel.files import atomic_write
from storyreel.handoff.aaf import write_aaf
from storyreel.handoff.edl import write_edl
from storyreel.handoff.fcp7 import write_xml
from storyreel.handoff.fcpxml import write_fcpxml
from storyreel.handoff.otioz import write_otioz
from storyreel.handoff.prepare import MEDIA_DIR, interchange_copy, relative_copy, with_stems


def export_all(timeline: otio.schema.Timeline, out_dir: Path, stem: str = "cut") -> list[Path]:
    """Write the exports (and the title PNGs they reference, in `media/`) atomically; the
    media the shots and lines point at is written by the media stage when asked. Every
    format but the EDL carries the mix's stems on their own audio tracks when `media/` holds
    them."""
    out_dir = Path(out_dir)
    fps = timeline_fps(timeline)
    nle = with_stems(interchange_copy(timeline, out_dir / MEDIA_DIR), out_dir / MEDIA_DIR)
    local = relative_copy(nle, out_dir)
    return [
        atomic_write(out_dir / f"{stem}.otio", otio.adapters.write_to_string(local, "otio_json")),
        atomic_write(out_dir / f"{stem}.edl", write_edl(nle, fps)),
        atomic_write(out_dir / f"{stem}.xml", write_xml(nle)),
        atomic_write(out_dir / f"{stem}.fcpxml", write_fcpxml(nle)),
        write_aaf(nle, out_dir / f"{stem}.aaf"),
        write_otioz(local, out_dir, out_dir / f"{stem}.otioz"),
    ]
