"""The one exception a user sees: a message that names the file and line where it applies."""

from __future__ import annotations

from pathlib import Path


class StoryreelError(Exception):
    """Bad input or a failed stage, reported as `path:line: message` with a non-zero exit."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __str__(self) -> str:
        if self.path and self.line:
            return f"{self.path}:{self.line}: {self.message}"
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """` (did you mean X?)` for the closest choice, or an empty string."""
    import difflib

    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]}?)" if close else ""
