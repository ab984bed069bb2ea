"""`storyreel clip`: one shot's move rendered to a file, for checking a move."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from storyreel.cli.app import command, out
from storyreel.cli.progress import watching
from storyreel.cli.spend_cmds import BUDGET, YES, approval


@command("clip")
def clip(
    project: Annotated[
        Path, typer.Argument(help="Project folder, its storyreel.toml, or a .fountain script.")
    ],
    shot: Annotated[str, typer.Option("--shot", help="Shot id (see `storyreel breakdown`).")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The clip to write (.mp4, or .mov).")
    ],
    codec: Annotated[
        str | None, typer.Option(help="h264 or prores (default: the project's render codec).")
    ] = None,
    move: Annotated[str | None, typer.Option(help="Try another move than the script's.")] = None,
    intensity: Annotated[float | None, typer.Option(help="Move intensity, 0 to 3.")] = None,
    easing: Annotated[
        str | None, typer.Option(help="ease-in-out, linear, ease-in, ease-out.")
    ] = None,
    take: Annotated[
        int, typer.Option(min=0, help="Which take's still to start from (0 = the first).")
    ] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    budget: float = BUDGET,
    yes: bool = YES,
) -> None:
    """Render one shot: its still → its move → film look → encoded clip.

    The shot's own stills and motion backends make it (`[backends]`, `[backends.shots.ID]`), and
    its still is a take of the project's store, shared with `render` and `stills`. A clip that
    would pay hosted backends is estimated and asked for first, within the budget, as a render
    is."""
    from storyreel.model import FrameSource, Shot
    from storyreel.motion.moves import check_intensity, parse_easing, parse_move
    from storyreel.render.encode import Encoder
    from storyreel.render.frames import FilmLook
    from storyreel.render.program import Event, Program, render_program
    from storyreel.run.build import clip_of
    from storyreel.store.project import Project

    proj = Project.open(project)
    config = proj.config
    codec = codec or config.render.codec
    # check everything the user typed before any work is done
    update: dict[str, object] = {}
    if move is not None:
        update["move"] = parse_move(move)
    if intensity is not None:
        update["move_intensity"] = check_intensity(intensity)
    if easing is not None:
        update["easing"] = parse_easing(easing)
    fps, frame_size, picture_size = (
        config.film.fps,
        (config.film.width, config.film.height),
        config.picture_size,
    )
    done: dict[str, tuple[Shot, int]] = {}

    def render(chosen: Shot, source: FrameSource) -> None:
        n = source.n_frames
        program = Program(fps, picture_size, frame_size, [Event(source, 0, n)])
        look = FilmLook(config.look, frame_size, picture_size, fps, proj.root)
        if quiet:
            render_program(program, encoder, look)
        else:
            with Progress(transient=True) as bar:
                task = bar.add_task(f"shot {shot}", total=n)
                render_program(
                    program, encoder, look, progress=lambda k, _: bar.update(task, completed=k)
                )
        done["clip"] = chosen, n

    # the encoder first: a codec or a folder it cannot use is said before any work
    with (
        Encoder(
            output, frame_size, fps, codec=codec, crf=config.render.crf, preset=config.render.preset
        ) as encoder,
        watching(quiet, bar=False) as subscribers,
    ):
        scope = {"shot": shot, "takes": take + 1, "clip": (take, update)}
        approve = approval(subscribers, yes=yes, budget=budget, quiet=quiet, **scope)
        clip_of(
            proj,
            shot,
            update=update,
            take=take,
            subscribers=subscribers,
            render=render,
            approve=approve,
        )
    chosen, n = done["clip"]
    out(
        f"{output}  {n} frames at {fps} fps  ({chosen.move.value}, intensity {chosen.move_intensity})"
    )
