"""The exports stage: the timeline for the NLEs (OTIO, OTIOZ, EDL, FCP7 XML, FCPXML, AAF), the subtitles and
the shot list, written beside the cut, and rewritten only when the timeline or the shots change
or a file was touched since."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyreel.edit.subtitles import write_subtitles
from storyreel.files import atomic_write as write_atomic
from storyreel.handoff.exports import export_all
from storyreel.run.pipeline import Pipeline
from storyreel.run.stage import Stage, Stored
from storyreel.script.export import to_csv
from storyreel.store.keys import digest, stage_key
from storyreel.store.objects import fingerprint


@dataclass(frozen=True)
class Exports:
    timeline: Any
    csv: str  # the shot list
    out_dir: Path
    stem: str  # the cut's file name without its suffix: cut.otio beside cut.mp4
    media: tuple[Path, ...] = ()  # the shots' media files, which cut.otioz carries


class ExportsStage(Stage[Exports, list[Path]]):
    name = kind = "exports"

    def key(self, item: Exports) -> str:
        return stage_key(
            "exports",
            timeline=digest(item.timeline.to_json_string().encode()),
            csv=item.csv,
            out_dir=item.out_dir,
            stem=item.stem,
            **({"media": [[f, *fingerprint(f)] for f in item.media]} if item.media else {}),
        )

    def label(self, item: Exports) -> str:
        return "exports"

    def intact(self, item: Exports, stored: Stored) -> bool:
        return all(
            Path(f).is_file() and fingerprint(Path(f)) == (size, mtime)
            for f, size, mtime in stored.meta["files"]
        )

    def compute(self, item: Exports) -> list[Path]:
        return [
            *export_all(item.timeline, item.out_dir, stem=item.stem),
            *write_subtitles(item.timeline, item.out_dir, stem=item.stem),
            write_atomic(item.out_dir / "shotlist.csv", item.csv),
        ]

    def save(self, item: Exports, value: list[Path]) -> Stored:
        return Stored({}, {"files": [[str(f), *fingerprint(f)] for f in value]})


def make_exports(
    p: Pipeline, timeline: Any, shotlist: Any, output: Path, media: list[Path] | None = None
) -> list[Path]:
    """The export files beside `output` (`media`: the files `cut.otioz` bundles)."""
    item = Exports(timeline, to_csv(shotlist), p.project.out_dir, output.stem, tuple(media or ()))
    with p.runner.stage("exports"):
        outcome = p.runner.one(ExportsStage(), item)
    return [Path(f) for f, *_ in outcome.stored.meta["files"]]
