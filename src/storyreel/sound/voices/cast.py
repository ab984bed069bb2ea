"""Who speaks in which voice: each character's voice spec, from `storyreel.toml`.

`[characters.NAME] voice` names a spec (`kokoro:af_heart`, `openai:coral`) or, as before voices
had backends, a bare espeak-ng voice (`en-gb+f3`); a character without one speaks in the
project's `[backends] voice`, cast by name from that backend's voices.
"""

from __future__ import annotations

from collections.abc import Iterable

from storyreel.backends import split_spec
from storyreel.config import ProjectConfig
from storyreel.errors import StoryreelError, did_you_mean


def voice_spec(config: ProjectConfig, character: str, backends: Iterable[str]) -> str:
    """The voice spec `character` speaks in; raises for a `NAME:VOICE` whose NAME is no voice
    backend (with a did-you-mean)."""
    chosen = config.characters.get(character.strip().upper())
    own = chosen.voice.strip() if chosen is not None and chosen.voice else None
    if not own:
        return config.backends.voice
    name, _ = split_spec(own)
    known = list(backends)
    if name in known:
        return own
    if ":" in own:
        raise StoryreelError(
            f"unknown voice backend {name!r}{did_you_mean(name, known)}; known: {', '.join(known)}"
        )
    return f"espeak:{own}"
