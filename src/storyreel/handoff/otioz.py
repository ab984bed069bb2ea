"""The OTIOZ bundle: the timeline and the media it points at in one zip file, to hand the cut
to someone else whole (OTIO's own `otioz` adapter). Media not written (no `--media`) stays out,
as a missing reference the receiver relinks."""

from __future__ import annotations

import os
from pathlib import Path

import opentimelineio as otio
from opentimelineio.adapters import file_bundle_utils as bundle

from storyreel.files import fsync_dir


def write_otioz(local: otio.schema.Timeline, out_dir: Path, path: Path) -> Path:
    """`local` (a `prepare.relative_copy`, URLs relative to `out_dir`) bundled at `path`."""
    tl = local.deepcopy()
    for clip in tl.find_clips():
        ref = clip.media_reference
        if isinstance(ref, otio.schema.ExternalReference) and "://" not in ref.target_url:
            ref.target_url = (out_dir / ref.target_url).resolve().as_uri()
    tmp = path.with_name(f".{path.stem}.partial.otioz")
    try:
        otio.adapters.write_to_file(
            tl,
            str(tmp),
            adapter_name="otioz",
            media_policy=bundle.MediaReferencePolicy.MissingIfNotFile,
        )
        os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return path
