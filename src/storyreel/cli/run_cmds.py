"""`render`, `watch`, `gc`, `strip`: the build of a project's cut, once or on every save; a look at it."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from storyreel.cli.app import command, console, os_error, say
from storyreel.cli.progress import watching
from storyreel.cli.spend_cmds import BUDGET, YES, approval
from storyreel.config import RunConfig
from storyreel.errors import StoryreelError
from storyreel.run.build import BuildReport, build, collect_garbage
from storyreel.run.spend import gate
from storyreel.store.project import Project

_TARGET = typer.Argument(..., help="The script (.fountain), its project folder or storyreel.toml.")
_OUTPUT = typer.Option(None, "-o", "--output", help="The cut (default: out/cut.mp4).")
_MUSIC = typer.Option(None, "--music", help="A music bed (A2); cuts snap to its beats.")
_HERE = typer.Argument(Path("."), help="The project (folder, toml or script).")
_DRAFT = typer.Option(
    False,
    "--draft",
    help="Half size, fast encode, to out/draft.mp4, no exports; shares the full render's stills.",
)
_MASTER = typer.Option(
    False,
    "--master",
    help="The master profile: [render]'s codec, CRF and "
    "preset (x264 medium CRF 18) and the full grain, not the review reel's fast "
    'encode (also `[render] profile = "master"`).',
)
INCOMPLETE = 3  # `render`'s exit status when the cut was written with slates for failed shots


def _summary(report: BuildReport) -> str:
    made = ", ".join(f"{len(v)} {k}" for k, v in report.computed.items() if v) or "nothing"
    sound = report.loudness
    heard = (
        f"; sound {sound['integrated']:.1f} LUFS (target {sound['target']:g}), "
        f"true peak {sound['true_peak']:.1f} dBTP"
        if sound
        else ""
    )
    return (
        f"{report.output} in {report.seconds:.2f} s; computed {made}; "
        f"{report.frames} frames rendered{heard}"
    )


def _stage_times(report: BuildReport) -> str:
    """Where the time went: the stages that took a tenth of a second or more, longest first."""
    spent = sorted(report.stage_seconds.items(), key=lambda kv: -kv[1])
    return "time: " + (", ".join(f"{k} {v:.1f} s" for k, v in spent if v >= 0.1) or "none")


@command("render")
def render(
    target: Path = _TARGET,
    output: Path = _OUTPUT,
    music: Path = _MUSIC,
    burn_subtitles: bool = typer.Option(
        False, "--burn-subtitles", help="Subtitles in the picture."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress, no summary."),
    as_json: bool = typer.Option(
        False,
        "--json",
        help="Print the build's events as JSON, one per "
        "line, the last with the report (docs/events.md).",
    ),
    draft: bool = _DRAFT,
    media: bool = typer.Option(
        False,
        "--media",
        help="Also write out/media/: each shot with its "
        "handles and the dialogue lines, where the NLE exports point.",
    ),
    master: bool = _MASTER,
    executor: str = typer.Option(
        None,
        "--executor",
        help="Where the work runs: local, ray (RAY_ADDRESS's cluster, or a Ray started for the "
        "render) or ray://HEAD:10001 (also `[run] executor`; docs/cluster.md).",
    ),
    budget: float = BUDGET,
    yes: bool = YES,
) -> None:
    """Render the cut and its exports, redoing only what changed since the last render.

    The default review profile makes the reel to watch and send, fast; `--master` makes it at
    the master's quality, reusing the review's stills and clips. The contact sheet and the
    film's first minute (cut-head.mp4) are written, and named, while the reel renders.

    A shot its backend refused is shown as a slate, the rest of the cut is written, and the
    command exits 3 after naming the failed shots; rendering again retries only those.

    A render that would pay hosted backends prints the estimate first and asks (`--yes`
    approves); over the budget it stops before submitting anything."""
    project = Project.open(target)
    if music is not None and not music.is_file():  # said before any work
        raise StoryreelError(
            "no such file or directory" if not music.exists() else "is a directory", music
        )
    with watching(quiet, as_json) as subscribers:
        approve = approval(subscribers, yes=yes, budget=budget, quiet=quiet or as_json, music=music)
        report = build(
            project,
            output=output,
            music=music,
            burn_subtitles=burn_subtitles,
            draft=draft,
            media=media,
            profile="master" if master else None,
            subscribers=subscribers,
            on_wait=_say,
            executor=_executor(executor),
            approve=approve,
        )
    if not (quiet or as_json):
        for message in report.warnings:
            say(message, "warning:", "yellow")
        say(_summary(report))
        say(_stage_times(report))
    if report.failed:
        say(
            f"{len(report.failed)} of the cut's shots failed and show a slate; render again to "
            "retry them",
            "incomplete:",
            "bold red",
        )
        for shot_id, message in report.failed.items():
            say(f"  {shot_id}: {message}")
        raise typer.Exit(INCOMPLETE)


def _executor(spec: str | None) -> str | None:
    """`--executor`'s value, checked as `[run] executor` is."""
    if spec is None:
        return None
    try:
        return RunConfig(executor=spec).executor
    except ValueError as e:
        message = e.errors()[0]["msg"].removeprefix("Value error, ")
        raise StoryreelError(f"--executor: {message}") from None


@command("watch")
def watch(
    target: Path = _TARGET,
    draft: bool = _DRAFT,
    budget: float = BUDGET,
    yes: bool = typer.Option(
        False, "--yes", "-y", help="Let rebuilds pay hosted backends (within the budget)."
    ),
) -> None:
    """Rebuild the cut on every save of the script or storyreel.toml (Ctrl-C to stop).

    A rebuild that would pay hosted backends is refused, keeping the last good cut, unless
    `--yes` lets it (and then within the budget)."""
    from watchfiles import watch as watch_files

    project = Project.open(target)
    approve = gate(budget=budget, yes=yes, ask=None, tell=lambda est: None)
    _rebuild(target, draft, approve)
    watched = {project.script.resolve(), (project.root / "storyreel.toml").resolve()}
    _say(f"watching {project.script.name} and storyreel.toml in {project.root}")
    for changes in watch_files(
        project.root, watch_filter=lambda _, p: Path(p).resolve() in watched
    ):
        _say(f"saved: {', '.join(sorted({Path(p).name for _, p in changes}))}")
        _rebuild(target, draft, approve)


def _say(line: str) -> None:
    """One unwrapped line on stderr (the watcher's log is read by people and scripts)."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def _rebuild(target: Path, draft: bool = False, approve: Any = None) -> None:
    """One build; any failure (a bad script or project file, a full disk, a bug, a refusal to
    pay) is reported in one line and the last good cut stays."""
    start = time.perf_counter()
    try:
        report = build(Project.open(target), draft=draft, approve=approve)
    except StoryreelError as e:
        _say(f"error: {e}  (keeping the last good cut)")
        return
    except OSError as e:
        _say(f"error: {os_error(e)}  (keeping the last good cut)")
        return
    except Exception as e:  # the watcher outlives any one build
        _say(f"error: {type(e).__name__}: {e}  (keeping the last good cut)".replace("\n", " "))
        return
    for what in ("added", "removed", "changed"):
        if report.shots.get(what):
            _say(f"  {what}: {', '.join(report.shots[what])}")
    for message in report.repaired + report.warnings:
        _say(f"  {message}")
    for shot_id, message in report.failed.items():
        _say(f"  failed, shown as a slate: {shot_id}: {message}")
    _say(f"rebuilt in {time.perf_counter() - start:.2f} s: {_summary(report)}")


@command("gc")
def gc(target: Path = _HERE) -> None:
    """Delete stored objects that no take and no latest cut uses."""
    count, size = collect_garbage(Project.open(target))
    console.print(f"removed {count} objects ({size / 1e6:.1f} MB)")


@command("strip")
def strip(
    video: Annotated[
        Path, typer.Argument(help="A rendered cut (out/cut.mp4, with out/cut.otio beside it).")
    ],
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "-o", "--output", help="strip.png (a frame strip) or reel.gif (a preview); repeatable."
        ),
    ] = None,
    columns: int = typer.Option(6, "--columns", help="Frames per row of the strip."),
    every: float | None = typer.Option(
        None, "--every", help="A frame every SECONDS instead of one per shot."
    ),
    cards: bool = typer.Option(False, "--cards", help="Title cards too, not only shots."),
) -> None:
    """A frame strip (PNG) or an animated preview (GIF) of a rendered cut: a frame per shot."""
    from storyreel.review.strip import write_strip

    for path in output or [video.with_name(f"{video.stem}-strip.png")]:
        written, notes = write_strip(video, path, columns=columns, every=every, cards=cards)
        for note in notes:
            console.print(f"note: {note}", highlight=False, markup=False)
        console.print(
            f"{written} ({written.stat().st_size / 1e6:.1f} MB)", highlight=False, markup=False
        )
