"""Fountain (https://fountain.io/syntax) → a flat list of elements, each with its source lines.

Written here rather than taken from PyPI: the maintained parsers we looked at (screenplain 0.12,
Jouvence 0.4, fountain 0.1) build a document without source positions, and everything downstream
(shot directives, stable shot ids, `file:line` errors, `[[ ]]` notes that steer the breakdown)
needs the line each element came from. The parser works in two passes: `_clean` removes the
boneyard and lifts notes out of the text while mapping every remaining line to its original
line number; `_elements` then classifies lines by the spec's rules.

Kinds: title page fields (in `Script.title_page`), ``scene_heading``, ``action``, ``character``,
``parenthetical``, ``dialogue``, ``lyrics``, ``transition``, ``centered``, ``page_break``,
``section``, ``synopsis`` and ``note`` (a line holding only notes). Notes inside other elements
are kept on that element. Emphasis markup stays in `Element.text`; `plain()` and `runs()`
read it.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from storyreel.errors import StoryreelError

KINDS = (
    "scene_heading",
    "action",
    "character",
    "parenthetical",
    "dialogue",
    "lyrics",
    "transition",
    "centered",
    "page_break",
    "section",
    "synopsis",
    "note",
)
# a feature is about 0.2 MB; 50 times that is not one script (its breakdown holds 1.3 GB)
MAX_SCRIPT_BYTES = 10 * 10**6
_NOTE = "\ue000"  # stands in for a lifted note inside the cleaned text
_HEADING = re.compile(r"^(?:INT\.?/EXT|INT/EXT|I/E|INT|EXT|EST)[.\s]", re.IGNORECASE)
_SCENE_NUMBER = re.compile(r"\s*#([\w.\-]+)#\s*$")
_TITLE_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9 _\-]*):(.*)$")
_PAGE_BREAK = re.compile(r"^={3,}$")
_EXTENSION = re.compile(r"\(([^)]*)\)")
_TRANSITIONS = ("FADE OUT.", "FADE TO BLACK.", "CUT TO BLACK.", "FADE IN:", "FADE OUT")


@dataclass
class Note:
    text: str
    start: int
    end: int


@dataclass
class Element:
    kind: str
    text: str  # as written, emphasis markup kept, notes lifted out
    start: int  # 1-based source lines, inclusive
    end: int
    forced: bool = False
    scene_number: str | None = None  # scene_heading: from `#1A#`
    level: int = 0  # section depth
    name: str = ""  # character: the name alone
    extension: str | None = None  # character: "V.O.", "O.S.", "CONT'D" ...
    dual: bool = False  # character: one side of a dual-dialogue pair
    notes: list[Note] = field(default_factory=list)


@dataclass
class TitleField:
    key: str
    value: str  # lines joined with "\n"
    start: int
    end: int


@dataclass
class Script:
    path: str
    title_page: list[TitleField]
    elements: list[Element]

    def title(self) -> str:
        return next((plain(f.value) for f in self.title_page if f.key.lower() == "title"), "")


@dataclass
class _Line:
    text: str
    start: int
    end: int
    notes: list[Note]

    @property
    def blank(self) -> bool:
        return not self.text.replace(_NOTE, "").strip()

    @property
    def note_only(self) -> bool:
        return bool(self.notes) and self.blank


def read_script(path: Path) -> str:
    """The text of a script file; a binary, non-UTF-8 or oversized file is a `StoryreelError`."""
    try:
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > MAX_SCRIPT_BYTES:
                raise StoryreelError(
                    f"the script is {size:,} bytes, over the limit of "
                    f"{MAX_SCRIPT_BYTES:,} (a feature is about 200,000); "
                    f"split it into parts",
                    path,
                )
            data = f.read()
    except OSError as e:
        raise StoryreelError(f"cannot read: {e.strerror}", path) from None
    if b"\x00" in data[:8192]:
        raise StoryreelError("a binary file, not a Fountain screenplay", path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise StoryreelError(
            f"not UTF-8 text (byte 0x{data[e.start]:02x}); save the script as UTF-8", path, line
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_file(path: Path) -> Script:
    return parse(read_script(path), str(path))


def parse(text: str, path: str = "<script>") -> Script:
    """Parse Fountain text; an unterminated boneyard or note is a `StoryreelError`."""
    lines = _clean(text.replace(_NOTE, "").expandtabs(4), path)
    title_page, first = _title_page(lines)
    return Script(path=path, title_page=title_page, elements=_elements(lines[first:]))


def _clean(text: str, path: str) -> list[_Line]:
    """Drop the boneyard, lift notes out; each remaining line keeps its source line numbers."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset)

    pieces: list[tuple[str, int]] = []  # (text, offset of its first char)
    notes: list[Note] = []
    pos = 0
    while True:
        bone, note = text.find("/*", pos), text.find("[[", pos)
        if bone < 0 and note < 0:
            pieces.append((text[pos:], pos))
            break
        if bone >= 0 and (note < 0 or bone < note):
            close = text.find("*/", bone + 2)
            if close < 0:
                raise StoryreelError(
                    "unterminated boneyard: /* without a closing */", path, line_of(bone)
                )
            pieces.append((text[pos:bone], pos))
            pos = close + 2
        else:
            close = text.find("]]", note + 2)
            if close < 0:
                raise StoryreelError(
                    "unterminated note: [[ without a closing ]]", path, line_of(note)
                )
            pieces.append((text[pos:note], pos))
            pieces.append((_NOTE, note))
            notes.append(Note(text[note + 2 : close].strip(), line_of(note), line_of(close)))
            pos = close + 2

    out: list[_Line] = []
    current: list[str] = []
    held: list[Note] = []
    start = end = 1
    note_iter = iter(notes)
    for piece, offset in pieces:
        if piece == _NOTE:
            n = next(note_iter)
            current.append(piece)
            held.append(n)
            end = max(end, n.end)
            continue
        seg = 0
        while (nl := piece.find("\n", seg)) >= 0:
            current.append(piece[seg:nl])
            end = max(end, line_of(offset + nl))
            out.append(_Line("".join(current), start, end, held))
            current, held = [], []
            start = end = line_of(offset + nl + 1)
            seg = nl + 1
        if seg < len(piece):
            current.append(piece[seg:])
            end = max(end, line_of(offset + len(piece) - 1))
    out.append(_Line("".join(current), start, end, held))
    return out


def _title_page(lines: list[_Line]) -> tuple[list[TitleField], int]:
    """Title page fields from the top of the script, and the index of the first body line."""
    i = 0
    while i < len(lines) and lines[i].blank and not lines[i].notes:
        i += 1
    if i >= len(lines) or not _TITLE_KEY.match(lines[i].text):
        return [], 0
    fields: list[TitleField] = []
    while i < len(lines) and not lines[i].blank:
        line = lines[i]
        m = _TITLE_KEY.match(line.text)
        if m and not line.text[:1].isspace():
            fields.append(TitleField(m.group(1).strip(), m.group(2).strip(), line.start, line.end))
        elif fields and (line.text.startswith("   ") or line.text.startswith("\t")):
            f = fields[-1]
            f.value = (f.value + "\n" + line.text.strip()).strip("\n")
            f.end = line.end
        else:
            break
        i += 1
    return fields, i


def _elements(lines: list[_Line]) -> list[Element]:
    els: list[Element] = []
    n = len(lines)
    prev_blank = True
    i = 0

    def next_blank(j: int) -> bool:
        j += 1
        while j < n and lines[j].note_only:
            j += 1
        return j >= n or lines[j].blank

    def emit(kind: str, line: _Line, text: str, **kw) -> None:
        els.append(
            Element(
                kind,
                text.replace(_NOTE, "").strip(),
                line.start,
                line.end,
                notes=list(line.notes),
                **kw,
            )
        )

    while i < n:
        line = lines[i]
        if line.note_only:
            for note in line.notes:
                els.append(Element("note", note.text, note.start, note.end, notes=[note]))
            i += 1
            continue
        if line.blank:
            prev_blank = True
            i += 1
            continue
        raw = line.text
        s = raw.strip()
        if _PAGE_BREAK.match(s):
            emit("page_break", line, "")
        elif s.startswith("!"):
            i = _action(lines, i, els, raw.lstrip()[1:], forced=True)
            prev_blank = False
            continue
        elif s.startswith("@") and _EXTENSION.sub("", s[1:]).strip("^ ") and not next_blank(i):
            i = _dialogue(lines, i, els, s[1:], forced=True)
            prev_blank = False
            continue
        elif s.startswith("~"):
            emit("lyrics", line, s[1:])
        elif s.startswith(".") and not s.startswith("..") and len(s) > 1:
            _heading(emit, line, s[1:], forced=True)
        elif s.startswith("#"):
            level = len(s) - len(s.lstrip("#"))
            emit("section", line, s[level:], level=level)
        elif s.startswith("=") and not s.startswith("=="):
            emit("synopsis", line, s[1:])
        elif s.startswith(">") and s.endswith("<") and len(s) > 1:
            emit("centered", line, s[1:-1])
        elif s.startswith(">"):
            emit("transition", line, s[1:], forced=True)
        elif prev_blank and _HEADING.match(s):
            _heading(emit, line, s, forced=False)
        elif (
            prev_blank
            and next_blank(i)
            and s.isupper()
            and (s.endswith("TO:") or s in _TRANSITIONS)
        ):
            emit("transition", line, s)
        elif prev_blank and not next_blank(i) and _is_cue(s):
            i = _dialogue(lines, i, els, s, forced=False)
            prev_blank = False
            continue
        else:
            i = _action(lines, i, els, raw, forced=False)
            prev_blank = False
            continue
        prev_blank = False
        i += 1
    return els


def _heading(emit, line: _Line, s: str, forced: bool) -> None:
    number = None
    m = _SCENE_NUMBER.search(s)
    if m:
        number, s = m.group(1), s[: m.start()]
    emit("scene_heading", line, s, forced=forced, scene_number=number)


def _is_cue(s: str) -> bool:
    name = _EXTENSION.sub("", s.replace(_NOTE, "")).rstrip("^ ").strip()
    return bool(name) and any(c.isalpha() for c in name) and name == name.upper()


def _kept_blank(line: _Line) -> bool:
    """Two spaces on an otherwise empty line keep a paragraph together (the spec's rule)."""
    return len(line.text) >= 2 and not line.text.strip(" ")


def _action(lines: list[_Line], i: int, els: list[Element], first: str, forced: bool) -> int:
    """An action paragraph: this line and the following ones up to a blank or a note line."""
    texts, notes, start, end = [first], list(lines[i].notes), lines[i].start, lines[i].end
    i += 1
    while i < len(lines) and (not lines[i].blank or _kept_blank(lines[i])):
        texts.append(lines[i].text)
        notes += lines[i].notes
        end = lines[i].end
        i += 1
    text = "\n".join(t.replace(_NOTE, "").rstrip() for t in texts).strip("\n")
    els.append(Element("action", text, start, end, forced=forced, notes=notes))
    return i


def _dialogue(lines: list[_Line], i: int, els: list[Element], cue: str, forced: bool) -> int:
    """A character cue and its parentheticals, dialogue and lyrics, up to a blank line."""
    line = lines[i]
    cue = cue.replace(_NOTE, "").strip()
    dual = cue.endswith("^")
    cue = cue.rstrip("^").strip()
    ext = [e.strip() for e in _EXTENSION.findall(cue)]
    name = _EXTENSION.sub("", cue).strip()
    if dual:
        prev = next((e for e in reversed(els) if e.kind == "character"), None)
        if prev is not None:
            prev.dual = True
    els.append(
        Element(
            "character",
            cue,
            line.start,
            line.end,
            forced=forced,
            name=name,
            extension=" ".join(ext) or None,
            dual=dual,
            notes=list(line.notes),
        )
    )
    i += 1
    speech: Element | None = None
    while i < len(lines):
        line = lines[i]
        if line.note_only:
            for note in line.notes:
                els.append(Element("note", note.text, note.start, note.end, notes=[note]))
            speech = None
            i += 1
            continue
        if line.blank and not _kept_blank(line):
            break
        s = line.text.replace(_NOTE, "").strip()
        if s.startswith("(") and s.endswith(")"):
            speech = None
            els.append(Element("parenthetical", s, line.start, line.end, notes=list(line.notes)))
        elif s.startswith("~"):
            speech = None
            els.append(
                Element("lyrics", s[1:].strip(), line.start, line.end, notes=list(line.notes))
            )
        elif speech is not None:
            speech.text += "\n" + s
            speech.end = line.end
            speech.notes += line.notes
        else:
            speech = Element("dialogue", s, line.start, line.end, notes=list(line.notes))
            els.append(speech)
        i += 1
    return i


# --- emphasis ------------------------------------------------------------------------------

_ESCAPES = {"\\*": "\ue001", "\\_": "\ue002"}
_MARKS = (
    ("***", frozenset({"bold", "italic"})),
    ("**", frozenset({"bold"})),
    ("*", frozenset({"italic"})),
    ("_", frozenset({"underline"})),
)


def runs(text: str) -> list[tuple[str, frozenset[str]]]:
    """Emphasis as (text, styles) runs; styles ⊆ {bold, italic, underline}. `\\*` is literal."""
    for esc, ph in _ESCAPES.items():
        text = text.replace(esc, ph)
    out: list[tuple[str, frozenset[str]]] = []
    _runs(text, frozenset(), out)
    back = {ph: esc[1] for esc, ph in _ESCAPES.items()}
    merged: list[tuple[str, frozenset[str]]] = []
    for t, st in out:
        for ph, ch in back.items():
            t = t.replace(ph, ch)
        if merged and merged[-1][1] == st:
            merged[-1] = (merged[-1][0] + t, st)
        elif t:
            merged.append((t, st))
    return merged


def _runs(text: str, styles: frozenset[str], out: list[tuple[str, frozenset[str]]]) -> None:
    pos = 0
    while pos < len(text):
        best = None
        for mark, st in _MARKS:
            found = _opening(text, pos, mark)
            if found and (best is None or found[0] < best[0]):
                best = (found[0], found[1], mark, st)
        if best is None:
            out.append((text[pos:], styles))
            return
        j, close, mark, st = best
        out.append((text[pos:j], styles))
        _runs(text[j + len(mark) : close], styles | st, out)
        pos = close + len(mark)


def _opening(text: str, pos: int, mark: str) -> tuple[int, int] | None:
    """The first `mark` from `pos` closed on the same line, hugging non-space text."""
    j = text.find(mark, pos)
    while j >= 0:
        inner = j + len(mark)
        eol = text.find("\n", inner)
        eol = len(text) if eol < 0 else eol
        close = text.find(mark, inner + 1)
        if (
            inner < eol
            and not text[inner].isspace()
            and 0 < close < eol
            and not text[close - 1].isspace()
        ):
            return j, close
        j = text.find(mark, j + 1)
    return None


def plain(text: str) -> str:
    """The text without emphasis markup."""
    return "".join(t for t, _ in runs(text))
