"""`write` as stored, keyed stages: premise → outline → one stage item a scene → the screenplay.

Each step's key covers the brief (idea, pages, genre, seed), the writer (its name, version and
spec), the prompts' version and the keys of the steps before it, so a rerun with the same idea
and seed asks the model nothing, and an edited outline (`--outline FILE`) redoes the scenes and
nothing above them. The answers are JSON objects in the project's store, checked on read like
every other output. Nothing is written to the project's files until every step has checked:
an existing script is never replaced without `force`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyreel.config import ProjectConfig, load_config
from storyreel.errors import StoryreelError
from storyreel.files import atomic_write
from storyreel.run.events import EventBus, FileWritten, Subscriber
from storyreel.run.stage import Runner, Stage, Stored
from storyreel.store.db import Database
from storyreel.store.keys import canonical, digest, stage_key
from storyreel.store.lock import project_lock
from storyreel.store.objects import ObjectStore
from storyreel.store.project import CONFIG_NAME
from storyreel.writers import write
from storyreel.writers.base import WriterBackend
from storyreel.writers.write import Answer, Brief, Conversation

PARALLEL = 4  # scenes asked for at once of a hosted writer
_ORDER = {"premise": 0, "outline": 1, "scene": 2}


def _in_order(record: dict[str, Any]) -> tuple[int, int]:
    kind, _, number = record["step"].partition(" ")
    return _ORDER[kind], int(number or 0)


@dataclass(frozen=True)
class Step:
    """One step of the writing: its key, what it is called, and how to make its answer."""

    name: str  # "premise", "outline", "scene 2"
    key: str
    make: Callable[[], Answer]


class WriteStage(Stage[Step, Answer]):
    name, kind = "write", "writing"

    def __init__(self, store: ObjectStore):
        self.store = store

    def key(self, item: Step) -> str:
        return item.key

    def label(self, item: Step) -> str:
        return f"the {item.name} of the screenplay"

    def item_id(self, item: Step, key: str) -> str:
        return item.name

    def compute(self, item: Step) -> Answer:
        return item.make()

    def save(self, item: Step, value: Answer) -> Stored:
        data = value.to_json()
        usage = {k: v for k, v in data.items() if k != "value"}
        return Stored({"json": self.store.put_bytes(canonical(data))}, {"step": item.name, **usage})

    def load(self, item: Step, stored: Stored) -> Answer:
        return Answer(**json.loads(self.store.read_bytes(stored.blobs["json"])))


@dataclass(frozen=True)
class Written:
    """What `write` made: the screenplay, the config draft, and what the steps cost."""

    script: str
    config: str
    writer: str
    brief: dict[str, Any]
    story: dict[str, str]
    plan: dict[str, Any]
    usage: dict[str, Any]  # tokens in and out, cost (None when unknown), requests made
    steps: list[dict[str, Any]]  # each step's provenance: key, model, tries, tokens, cost

    def provenance(self) -> dict[str, Any]:
        """How the screenplay was written, as `.storyreel/writing/provenance.json` keeps it."""
        return {"ai_generated": True, "writer": self.writer, "steps": self.steps, **self.brief}


class Writing:
    """The steps of one `write`, run on a project's store."""

    def __init__(
        self,
        runner: Runner,
        writer: WriterBackend,
        spec: str,
        brief: Brief,
        base: ProjectConfig,
        repairs: int = write.REPAIRS,
        on_text: Callable[[str], None] | None = None,
    ):
        self.runner, self.writer, self.brief, self.base = runner, writer, brief, base
        self.on_text = on_text
        self.stage = WriteStage(runner.store)
        self.repairs = repairs
        self.inputs = {
            "idea": brief.idea.strip(),
            "pages": brief.pages,
            "genre": brief.genre,
            "seed": brief.seed,
            "writer": spec,
            "model": writer.cache_token(None, None),  # what else decides its answers
            "prompts": write.PROMPTS,
            "repairs": repairs,
        }
        self.identity = (writer.name, str(writer.version))
        self.answers: list[Answer] = []  # those made now
        self.steps: list[dict[str, Any]] = []  # every step's provenance, made or reused

    def _talk(self, step: str, what: str) -> Conversation:
        return Conversation(
            self.writer, step, what, self.brief.seed, repairs=self.repairs, on_text=self.on_text
        )

    def _run(self, span: str, steps: Sequence[Step]) -> list[Answer]:
        """Each step's answer, stored or made; the scenes are asked for a few at a time (one
        at a time of a writer on this machine's GPU). The first refusal, in order, is raised,
        after the other steps are done and stored."""
        done: dict[str, Answer] = {}
        errors: dict[str, StoryreelError] = {}
        workers = 1 if self.writer.gpu else PARALLEL
        with self.runner.stage(span, len(steps)) as tick:
            for step, outcome in self.runner.ensure(self.stage, steps, tick, workers):
                if outcome.error is not None:
                    errors[step.name] = outcome.error
                    continue
                if outcome.computed:
                    done[step.name] = outcome.value  # type: ignore[assignment]
                    self.answers.append(done[step.name])
                else:
                    done[step.name] = self.stage.load(step, outcome.stored)  # type: ignore[arg-type]
                record = {k: v for k, v in done[step.name].to_json().items() if k != "value"}
                self.steps.append(
                    {"step": step.name, "key": step.key, "reused": not outcome.computed, **record}
                )
        for step in steps:
            if step.name in errors:
                raise errors[step.name]
        return [done[step.name] for step in steps]

    def premise(self) -> tuple[str, dict[str, str]]:
        key = stage_key("write.premise", backend=self.identity, **self.inputs)
        talk = self._talk("premise", "the JSON object asked for")
        [answer] = self._run(
            "premise", [Step("premise", key, lambda: write.premise(talk, self.brief))]
        )
        return key, answer.value

    def outline(
        self, premise_key: str, story: dict[str, str], given: dict[str, Any] | None
    ) -> tuple[str, dict[str, Any]]:
        if given is not None:
            key = stage_key("write.outline", given=given)
            self.steps.append({"step": "outline", "key": key, "given": True})
            return key, given
        key = stage_key(
            "write.outline", backend=self.identity, upstream=[premise_key], **self.inputs
        )
        talk = self._talk("outline", "the JSON object asked for")
        step = Step("outline", key, lambda: write.outline(talk, self.brief, story))
        [answer] = self._run("outline", [step])
        return key, answer.value

    def scenes(
        self, keys: list[str], story: dict[str, str], plan: dict[str, Any], config: ProjectConfig
    ) -> list[str]:
        steps = []
        for i in range(len(plan["scenes"])):
            key = stage_key(
                "write.scene",
                backend=self.identity,
                upstream=keys,
                index=i,
                characters=config.characters,
                **self.inputs,
            )
            talk = self._talk(f"scene {i + 1}", "the scene in Fountain")
            steps.append(
                Step(
                    f"scene {i + 1}",
                    key,
                    lambda talk=talk, i=i: write.scene(talk, self.brief, story, plan, i, config),
                )
            )
        return [a.value for a in self._run("scenes", steps)]

    def usage(self) -> dict[str, Any]:
        costs = [a.cost for a in self.answers]
        return {
            "requests": sum(a.tries for a in self.answers),
            "tokens_in": sum(a.tokens_in for a in self.answers),
            "tokens_out": sum(a.tokens_out for a in self.answers),
            "cost": None if any(c is None for c in costs) else sum(costs),
        }


def write_screenplay(
    root: Path,
    open_writer: Callable[[Database, Path], WriterBackend],
    spec: str,
    brief: Brief,
    *,
    script_name: str,
    outline_file: Path | None = None,
    repairs: int = write.REPAIRS,
    subscribers: Sequence[Subscriber] = (),
    on_text: Callable[[str], None] | None = None,
) -> Written:
    """Run every step of `write` for the project at `root` (its store, database and lock).

    Args:
        open_writer: (the project database, the folder of finished answers) → the writer, so
            a hosted writer's requests go in the project's ledger.
        spec: the writer's spec, as its key and the config draft name it.
        script_name: the screenplay's path, as error messages name it.
        outline_file: an outline to use when the file exists; else where to write the model's.
        on_text: the model's words as they come (a step already stored says nothing).
    """
    config_path = root / CONFIG_NAME
    base = load_config(config_path if config_path.exists() else None)
    given = _given_outline(outline_file, brief)
    state = root / ".storyreel"
    state.mkdir(parents=True, exist_ok=True)
    with project_lock(state), Database(state / "project.db") as db:
        events = EventBus(*subscribers)
        runner = Runner(ObjectStore(state / "objects"), db, events)
        writer = open_writer(db, state / "writers")
        w = Writing(runner, writer, spec, brief, base, repairs, on_text)
        premise_key, story = w.premise()
        outline_key, plan = w.outline(premise_key, story, given)
        if outline_file is not None and given is None:
            atomic_write(outline_file, json.dumps(plan, indent=2, ensure_ascii=False) + "\n")
            events.publish(FileWritten(str(outline_file)))
        config = write.cast_config(plan, base)
        scenes = w.scenes([premise_key, outline_key], story, plan, config)
        script = write.screenplay(story, scenes, config, script_name)
        w.steps.sort(key=_in_order)
        return Written(
            script,
            write.draft_config(plan, spec, brief.genre),
            spec,
            {k: w.inputs[k] for k in ("idea", "pages", "genre", "seed")},
            story,
            plan,
            w.usage(),
            w.steps,
        )


def _given_outline(path: Path | None, brief: Brief) -> dict[str, Any] | None:
    """The director's outline, checked as the model's would be; None when there is no file."""
    if path is None or not path.exists():
        return None
    try:
        return write.check_outline(path.read_text(encoding="utf-8"), brief)
    except StoryreelError as e:
        raise StoryreelError(e.message, path) from None


def save_written(
    written: Written, script: Path, *, force: bool, events: Sequence[Subscriber] = ()
) -> tuple[Path, Path]:
    """Write the screenplay, and the config draft as `storyreel.toml` where the project has none
    (else beside it, in `.storyreel/writing/`): (the script, the draft). An existing script is
    replaced only with `force`; an existing `storyreel.toml`, never."""
    if script.exists() and not force:
        raise StoryreelError("exists; --force replaces it", script)
    config = script.parent / CONFIG_NAME
    if config.exists():
        config = script.parent / ".storyreel" / "writing" / CONFIG_NAME
    paths = (atomic_write(script, written.script), atomic_write(config, written.config))
    record = {
        "script": str(script),
        "sha256": digest(written.script.encode()),
        **written.provenance(),
    }
    atomic_write(
        script.parent / ".storyreel" / "writing" / "provenance.json", json.dumps(record, indent=2)
    )
    bus = EventBus(*events)
    for path in paths:
        bus.publish(FileWritten(str(path)))
    return paths
