"""The cast as the script introduces them, and a project config dressed by it.

Screenplays introduce a character once, in capitals with a parenthetical: `A young RUTH (35,
white swimsuit under an open shirt)`. `introductions` keeps those words per name (the
`ShotList.cast` of the JSON); `dressed` lends them to characters that storyreel.toml does not
describe, so every stage that reads a character's description (the previz's costumes, the
prompts) sees the same one in every shot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from storyreel.config import CharacterConfig, ProjectConfig
from storyreel.model import ShotList
from storyreel.script.fountain import Element, plain

INTRODUCED = re.compile(r"\b([A-Z][A-Z'’.\-]+(?: [A-Z][A-Z'’.\-]+){0,2}) \((?:\d|early|mid|late)")
_CAPS = re.compile(r"\b[A-Z][A-Z'’.\-]+(?: [A-Z][A-Z'’.\-]+){0,2}\b")


def introductions(elements: Iterable[Element], characters: set[str]) -> dict[str, str]:
    """How the action first introduces each character: `A young RUTH (35, white swimsuit)`
    gives "young 35, white swimsuit"; a character first met in capitals without one, that
    sentence."""
    texts = [plain(e.text) for e in elements if e.kind == "action"]
    out: dict[str, str] = {}
    for text in texts:
        for m in INTRODUCED.finditer(text):
            name = m.group(1).upper()
            close = text.find(")", m.end())
            if name in out or close < 0:
                continue
            start = text.rfind(".", 0, m.start()) + 1
            before = re.findall(r"[A-Za-z'-]+", text[start : m.start()])
            articles = [i for i, w in enumerate(before) if w.lower() in ("a", "an", "the")]
            words = before[articles[-1] + 1 :][-3:] if articles else []  # "a young RUTH"
            out[name] = " ".join([*words, text[m.end(1) : close + 1].strip(" ()")]).strip()
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            for m in _CAPS.finditer(sentence):
                name = m.group(0).upper()
                if name in characters and name not in out:
                    out[name] = sentence.strip()
    return out


def dressed(config: ProjectConfig, shotlist: ShotList) -> ProjectConfig:
    """`config` with the script's introductions as the description of every character the
    project does not describe itself (storyreel.toml wins)."""
    characters = dict(config.characters)
    for name, text in shotlist.cast.items():
        own = characters.get(name)
        if own is None:
            characters[name] = CharacterConfig(description=text)
        elif not own.description:
            characters[name] = own.model_copy(update={"description": text})
    if characters == config.characters:
        return config
    return config.model_copy(update={"characters": characters})
