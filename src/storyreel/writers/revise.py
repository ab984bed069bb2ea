"""`storyreel revise`: notes on the reel → the writer → a revised script, proposed scene by scene.

The writer answers with the whole script, revised; the proposal is the difference, cut into one
hunk a scene (difflib's opcodes grouped by the scene of the lines they touch), so the director
accepts or refuses a scene's change as a screenwriter would. An answer that storyreel's own parser
and breakdown cannot read goes back to the writer with the error (file:line) a bounded number of
times, then fails clearly. A proposal is applied only to the script it was made from (its digest),
accepted hunks in one atomic write; a refused hunk leaves its lines byte for byte as they were.
A shot whose text survives keeps its id, takes and selection on the next build, by the build's
own identity matching.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storyreel.config import ProjectConfig
from storyreel.errors import StoryreelError
from storyreel.files import atomic_write
from storyreel.model import Shot, ShotList
from storyreel.script.breakdown import breakdown
from storyreel.script.fountain import parse
from storyreel.writers.base import Completion, Message, WriterBackend

REPAIRS = 2  # how many times an unreadable answer goes back to the writer
_TIMECODE = re.compile(r"^\s*(\d{1,2}:\d{2}:\d{2}[:;]\d{2})\s+(.+)$", re.S)
_SHOT_NOTE = re.compile(r"^\s*([A-Za-z0-9][\w.\-]*)\s*:\s*(.+)$", re.S)
_FENCE = re.compile(r"^\s*```[\w-]*\s*\n(.*?)\n?```\s*$", re.S)


@dataclass(frozen=True)
class ReelNote:
    """A note the writer revises by: on a shot, at a timecode of the cut, or on the film."""

    text: str
    shot_id: str | None = None
    timecode: str | None = None
    author: str = "director"
    id: int | None = None  # the project database's note, when it came from there


def notes_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[ReelNote]:
    """The project database's open notes (`Database.notes(include_resolved=False)`)."""
    return [
        ReelNote(r["text"], r["shot_id"], r["timecode"], r["author"], r["id"])
        for r in rows
        if str(r["text"]).strip()
    ]


def notes_from_file(path: Path, shot_ids: Iterable[str]) -> list[ReelNote]:
    """Notes from a text file, a paragraph each: `SHOT: text` is a note on that shot (when SHOT
    is one of `shot_ids`), `HH:MM:SS:FF text` a note at that timecode of the cut, anything else a
    note on the film. A missing or empty file is a `StoryreelError`."""
    path = Path(path)
    if not path.is_file():
        raise StoryreelError("no such notes file", path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise StoryreelError(f"the notes are not UTF-8 text ({e.reason})", path) from None
    known = set(shot_ids)
    notes = []
    for paragraph in re.split(r"\n\s*\n", text):
        para = paragraph.strip()
        if not para:
            continue
        if m := _TIMECODE.match(para):
            notes.append(ReelNote(m.group(2).strip(), timecode=m.group(1)))
        elif (m := _SHOT_NOTE.match(para)) and m.group(1) in known:
            notes.append(ReelNote(m.group(2).strip(), shot_id=m.group(1)))
        else:
            notes.append(ReelNote(para))
    if not notes:
        raise StoryreelError("the notes file is empty: nothing to revise by", path)
    return notes


def gather_notes(
    inline: Sequence[str] | None,
    notes_file: Path | None,
    rows: Iterable[Mapping[str, Any]],
    shot_ids: Sequence[str],
    cut: Path,
) -> list[ReelNote]:
    """The notes a revision is asked by: `--note` texts and a `--notes` file when given, else the
    project's open notes (`rows`); a note at a timecode is placed on the shot the cut (`cut`, its
    .otio) shows there. No note at all is a `StoryreelError`."""
    notes = [ReelNote(t.strip()) for t in inline or [] if t.strip()]
    if inline and not notes:
        raise StoryreelError("--note is empty: nothing to revise by")
    if notes_file is not None:
        notes += notes_from_file(notes_file, shot_ids)
    if notes_file is None and not inline:
        notes = notes_from_rows(rows)
        if not notes:
            raise StoryreelError(
                'no notes to revise by: the reel has no open notes; give --note "..." or '
                "--notes FILE"
            )
    return [
        replace(n, shot_id=shot_at(cut, n.timecode)) if n.timecode and not n.shot_id else n
        for n in notes
    ]


def shot_at(cut_otio: Path, timecode: str) -> str | None:
    """The shot the cut shows at a record timecode (from its OpenTimelineIO file), if any."""
    import opentimelineio as otio

    if not cut_otio.is_file():
        return None
    timeline = otio.adapters.read_from_file(str(cut_otio))
    rate = timeline.global_start_time.rate if timeline.global_start_time else 24.0
    tracks = timeline.video_tracks()
    if not tracks:
        return None
    try:
        record = otio.opentime.from_timecode(timecode.replace(";", ":"), rate)
    except ValueError:
        return None
    start = timeline.global_start_time
    frame = (record - start).to_frames() if start is not None else record.to_frames()
    for clip in tracks[0].find_clips():
        r = clip.trimmed_range_in_parent()
        shot = clip.metadata.get("storyreel", {}).get("shot_id")
        if shot and r.start_time.to_frames() <= frame < r.end_time_exclusive().to_frames():
            return str(shot)
    return None


# --- asking the writer ----------------------------------------------------------------------

_REVISER = (
    "You are the screenwriter of the film, revising its screenplay from the director's notes on "
    "the reel. Answer with the complete revised screenplay in Fountain format and nothing else: "
    "no commentary, no code fences. Change only what the notes ask for; copy every other line "
    "exactly as it is, including the title page, scene headings, and the shot directives in "
    "double brackets ([[shot: ...]], [[cut: ...]]), so that the shots nobody noted stay the same."
)


def prompt(script_text: str, notes: Sequence[ReelNote], shotlist: ShotList) -> str:
    """The user message: each note with the shot it is on (its scene and its lines), then the
    script."""
    lines = script_text.splitlines()
    shots = {s.id: s for s in shotlist.shots}
    parts = []
    for n, note in enumerate(notes, 1):
        by = f" ({note.author})" if note.author else ""
        shot = shots.get(note.shot_id or "")
        if shot is not None:
            scene = shotlist.scene(shot.scene_id)
            quoted = "\n".join(f"    {x}" for x in lines[shot.lines.start - 1 : shot.lines.end])
            where = (
                f"on shot {shot.id} ({shot.size}) in scene {scene.number} "
                f"({scene.heading or 'untitled'}), lines {shot.lines.start}-{shot.lines.end}:\n"
                f"{quoted}\n"
            )
        elif note.shot_id:
            where = f"on shot {note.shot_id} (no longer in the script): "
        elif note.timecode:
            where = f"at {note.timecode} of the cut: "
        else:
            where = "on the film: "
        parts.append(f"Note {n}{by}, {where}{note.text}")
    return "Notes on the reel:\n\n" + "\n\n".join(parts) + "\n\nThe screenplay:\n\n" + script_text


def revised_script(
    writer: WriterBackend,
    script_text: str,
    notes: Sequence[ReelNote],
    shotlist: ShotList,
    config: ProjectConfig,
    path: str,
    seed: int | None = 0,
) -> str:
    """The writer's revision of the script: a screenplay storyreel reads, after at most `REPAIRS`
    returns of the parser's error. Raises `StoryreelError` when the writer does not give one."""
    if not notes:
        raise StoryreelError("no notes to revise by")
    messages = [Message("system", _REVISER), Message("user", prompt(script_text, notes, shotlist))]
    problem = ""
    for _ in range(REPAIRS + 1):
        reply = writer.complete(Completion(messages=messages, seed=seed, max_tokens=16384))
        answer = _unfenced(reply.text)
        problem = _unreadable(answer, config, path)
        if not problem:
            return answer
        messages = [
            *messages,
            Message("assistant", reply.text),
            Message(
                "user",
                f"storyreel cannot read that as the screenplay: {problem}. Answer again with "
                "the complete revised screenplay in Fountain, and nothing else.",
            ),
        ]
    raise StoryreelError(
        f"the writer's answer is not a screenplay storyreel can read "
        f"({REPAIRS + 1} tries; the last: {problem}); the script is unchanged",
        path,
    )


def _unfenced(text: str) -> str:
    m = _FENCE.match(text)
    body = m.group(1) if m else text
    return body.strip("\n") + "\n"


def _unreadable(answer: str, config: ProjectConfig, path: str) -> str:
    """Why `answer` is not a screenplay (empty when it is one)."""
    try:
        script = parse(answer, path)
        if not any(e.kind == "scene_heading" for e in script.elements):
            first = " ".join(answer.split())[:60]
            return f'it has no scene heading (it begins "{first}")'
        breakdown(script, config)
    except StoryreelError as e:
        where = f"line {e.line}: " if e.line else ""
        return f"{where}{e.message}"
    return ""


# --- the proposal: a hunk a scene -----------------------------------------------------------


@dataclass(frozen=True)
class Hunk:
    """One scene's change: the script's lines `start:end` (0-based, end exclusive) become `new`."""

    number: int  # 1, 2 ... in script order
    scene: str  # the heading of the scene it changes ("the title page" before the first)
    start: int
    end: int
    old: tuple[str, ...]
    new: tuple[str, ...]
    shots: tuple[str, ...] = ()  # the shots whose lines it touches (their takes will go stale)

    def diff(self, name: str) -> str:
        """The hunk as a unified diff of the script."""
        body = difflib.unified_diff(
            [x.rstrip("\r\n") + "\n" for x in self.old],
            [x.rstrip("\r\n") + "\n" for x in self.new],
            name,
            f"{name} (revised)",
            n=0,
            lineterm="\n",
        )
        text = "".join(body)
        touched = (
            f" (shot{'s' * (len(self.shots) > 1)} {', '.join(self.shots)})" if self.shots else ""
        )
        head = f"hunk {self.number}, {self.scene}{touched}:\n"
        return head + _renumbered(text, self.start)


def _renumbered(diff: str, start: int) -> str:
    """difflib numbers from the hunk's first line; the script's numbers read better."""

    def shift(m: re.Match[str]) -> str:
        def one(sign: str, spec: str) -> str:
            first, _, count = spec.partition(",")
            n = int(first) + start if int(first) or count != "0" else start
            return f"{sign}{n}" + (f",{count}" if count else "")

        return f"@@ {one('-', m.group(1))} {one('+', m.group(2))} @@"

    return re.sub(r"^@@ -(\S+) \+(\S+) @@", shift, diff, flags=re.M)


@dataclass
class Proposal:
    """A revision to accept or refuse, hunk by hunk, against the script it was made from."""

    script: str  # the script's path, relative to the project
    digest: str  # sha256 of the script's bytes when proposed
    notes: list[ReelNote]
    hunks: list[Hunk]
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Proposal:
        data = json.loads(text)
        return cls(
            script=data["script"],
            digest=data["digest"],
            notes=[ReelNote(**n) for n in data["notes"]],
            hunks=[
                Hunk(**{**h, "old": tuple(h["old"]), "new": tuple(h["new"])}) for h in data["hunks"]
            ],
            created=data["created"],
        )

    def diff(self) -> str:
        return "".join(h.diff(self.script) for h in self.hunks)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def propose(
    script_bytes: bytes,
    revised: str,
    name: str,
    notes: Sequence[ReelNote],
    shots: Sequence[Shot] = (),
) -> Proposal:
    """The proposal that turns the script (its bytes) into `revised`, a hunk a scene; each hunk
    names the `shots` (the script's, with their source lines) whose lines it touches."""
    text = script_bytes.decode("utf-8")
    old = text.splitlines(keepends=True)
    newline = "\r\n" if old and old[0].endswith("\r\n") else "\n"
    new = [x + newline for x in revised.splitlines()]
    if old and not old[-1].endswith(("\n", "\r")) and new:
        new[-1] = new[-1].rstrip("\r\n")
    heads = [e.start - 1 for e in parse(text, name).elements if e.kind == "scene_heading"]

    def scene_of(i: int) -> int:
        return sum(1 for h in heads if h <= i)

    groups: list[list[tuple[int, int, int, int]]] = []
    last_scene = None
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        scene = scene_of(i1 if i2 > i1 else max(i1 - 1, 0))
        if groups and scene == last_scene:
            groups[-1].append((i1, i2, j1, j2))
        else:
            groups.append([(i1, i2, j1, j2)])
        last_scene = scene
    hunks = []
    for n, group in enumerate(groups, 1):
        a, b = group[0][0], group[-1][1]
        c, d = group[0][2], group[-1][3]
        k = scene_of(a if b > a else max(a - 1, 0))
        heading = old[heads[k - 1]].strip() if k else "the title page"
        touched = tuple(
            s.id for s in shots if s.lines.start - 1 < max(b, a + 1) and s.lines.end > a
        )
        hunks.append(Hunk(n, heading, a, b, tuple(old[a:b]), tuple(new[c:d]), touched))
    return Proposal(name, digest(script_bytes), list(notes), hunks)


def accepted_text(script_bytes: bytes, proposal: Proposal, accepted: Iterable[int]) -> bytes:
    """The script with the accepted hunks (by number) applied; the others' lines untouched."""
    if digest(script_bytes) != proposal.digest:
        raise StoryreelError(
            "the script has changed since this revision was proposed; run `storyreel revise` again",
            proposal.script,
        )
    chosen = set(accepted)
    unknown = chosen - {h.number for h in proposal.hunks}
    if unknown:
        known = ", ".join(str(h.number) for h in proposal.hunks) or "none"
        raise StoryreelError(
            f"no hunk {min(unknown)} in the proposal; its hunks: {known}", proposal.script
        )
    lines = script_bytes.decode("utf-8").splitlines(keepends=True)
    for h in sorted(proposal.hunks, key=lambda h: h.start, reverse=True):
        if h.number in chosen:
            lines[h.start : h.end] = list(h.new)
    return "".join(lines).encode("utf-8")


def apply(script: Path, proposal: Proposal, accepted: Iterable[int]) -> bool:
    """Write the accepted hunks into `script` atomically; False (and nothing written) when none
    was accepted."""
    chosen = set(accepted)
    before = script.read_bytes()
    after = accepted_text(before, proposal, chosen)
    if not chosen or after == before:
        return False
    atomic_write(script, after)
    return True


def save(proposal: Proposal, state_dir: Path) -> Path:
    """Keep the proposal under `.storyreel/revisions/` (JSON, and the diff beside it)."""
    stamp = proposal.created.replace(":", "").replace("-", "").replace("+0000", "")
    folder = state_dir / "revisions"
    path = folder / f"{stamp[:15]}.json"
    n = 1
    while path.exists():
        path, n = folder / f"{stamp[:15]}-{n}.json", n + 1
    atomic_write(path.with_suffix(".diff"), proposal.diff())
    atomic_write(path, proposal.to_json())
    return path


def load(state_dir: Path, name: str) -> Proposal:
    """A saved proposal by name (its file's stem), or the newest with "latest"."""
    folder = state_dir / "revisions"
    found = sorted(folder.glob("*.json"))
    if name == "latest":
        if not found:
            raise StoryreelError("no saved revision yet: run `storyreel revise` first", folder)
        path = found[-1]
    else:
        path = folder / f"{Path(name).stem}.json"
        if path not in found:
            known = ", ".join(p.stem for p in found) or "none"
            raise StoryreelError(f"no saved revision {name!r}; saved: {known}", folder)
    try:
        return Proposal.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError) as e:
        raise StoryreelError(f"not a saved revision ({e})", path) from None
