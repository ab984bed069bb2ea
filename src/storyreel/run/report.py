"""The `BuildReport`: what a build did, folded from its events.

The report is one more subscriber of the build's events (`storyreel.run.events`), so what
`render` prints at the end, what `--json` streams and what a studio shows cannot disagree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from storyreel.run.events import (
    Computed,
    Event,
    Failed,
    FileWritten,
    LoudnessMeasured,
    Repaired,
    Reused,
    ShotsChanged,
    StageFinished,
    Warned,
)

CACHED = (
    "stills",
    "clips",
    "voice",
    "cues",
    "audio",
    "segments",
    "cut",
)  # the stages whose outputs are stored


@dataclass
class BuildReport:
    """What a build did: the files it wrote, what it computed and reused, and how long it took."""

    output: Path | None = None
    files: list[Path] = field(default_factory=list)
    shots: dict[str, list[str]] = field(default_factory=dict)  # added / removed / changed ids
    computed: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in CACHED})
    reused: dict[str, int] = field(default_factory=lambda: {s: 0 for s in CACHED})
    repaired: list[str] = field(default_factory=list)  # corrupt objects found and recomputed
    warnings: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # shot id → its backend's refusal
    frames: int = 0  # frames rendered (0 when nothing changed)
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    loudness: dict[str, float] | None = None  # the mix: integrated LUFS, true peak dBTP, target

    def __call__(self, event: Event) -> None:
        """Fold one build event into the report."""
        match event:
            case ShotsChanged():
                self.shots = {
                    "added": event.added,
                    "removed": event.removed,
                    "changed": event.changed,
                }
            case Computed(stage=stage) if stage in self.computed:
                self.computed[stage].append(event.item)
                self.frames += event.frames
            case Reused(stage=stage) if stage in self.reused:
                self.reused[stage] += 1
            case Failed(fatal=True, shot=str(shot)):
                self.failed.setdefault(shot, event.message)
            case Failed():
                self.warnings.append(event.message)
            case Warned() if event.message not in self.warnings:
                self.warnings.append(event.message)
            case Repaired():
                self.repaired.append(event.message)
            case FileWritten():
                self.files.append(Path(event.path))
            case LoudnessMeasured():
                self.loudness = {
                    "integrated": event.integrated,
                    "true_peak": event.true_peak,
                    "target": event.target,
                }
            case StageFinished():
                spent = event.seconds + self.stage_seconds.get(event.stage, 0.0)
                self.stage_seconds[event.stage] = round(spent, 3)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["output"] = str(self.output) if self.output else None
        data["files"] = [str(p) for p in self.files]
        return data
