"""A folder of the user's own effects (`effects.folder:sfx/`), matched by name: `rain.wav`,
`harbour-night.flac`, `door_slam_02.mp3` answer for rain, harbour and door. Of several files for
one word, the seed picks one, the same every run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from storyreel.backends import Argument
from storyreel.errors import StoryreelError
from storyreel.sound.cues import Cue, EffectRequest, EffectsBackend

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".aif", ".aiff", ".m4a")


class FolderEffects(EffectsBackend):
    name: ClassVar[str] = "folder"
    version: ClassVar[str] = "1"
    argument: ClassVar[Argument | None] = Argument(
        "folder",
        "a folder of effects in the project, named by what they sound like",
        "sfx/",
        required=True,
    )

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def _root(self, root: Path | None) -> Path:
        return root / self.folder if root is not None else self.folder

    def files(self, root: Path | None) -> list[Path]:
        folder = self._root(root)
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES)

    def cache_token(self, shot: Any, root: Path | None) -> str | None:
        return ";".join(f"{p.name}:{p.stat().st_size}" for p in self.files(root))

    def sound(self, request: EffectRequest) -> Cue:
        folder = self._root(request.project_root)
        if not folder.is_dir():
            raise StoryreelError(f"effects folder {self.folder} does not exist")
        word = re.compile(rf"(^|[^a-z]){re.escape(request.word)}", re.I)
        found = [p for p in self.files(request.project_root) if word.search(p.stem)]
        if not found:
            raise StoryreelError(
                f"no effect for {request.word!r} in {self.folder}/ "
                f"(name a file after it, e.g. {request.word}.wav)"
            )
        path = found[request.seed % len(found)]
        return Cue(path, {"file": str(path.relative_to(folder)), "word": request.word})
