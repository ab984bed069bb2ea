"""`storyreel clip`: one shot's camera move rendered to a file, for checking a move."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from storyreel.cli.app import command, out
from storyreel.errors import StoryreelError, did_you_mean
from storyreel.model import frames_for


@command("clip")
def clip(
    project: Annotated[Path, typer.Argument(help="Project folder, its storyreel.toml, or a .fountain script.")],
    shot: Annotated[str, typer.Option("--shot", help="Shot id (see `storyreel breakdown`).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The clip to write (.mp4, or .mov).")],
    codec: Annotated[str | None, typer.Option(help="h264 or prores (default: the project's render codec).")] = None,
    move: Annotated[str | None, typer.Option(help="Try another move than the script's.")] = None,
    intensity: Annotated[float | None, typer.Option(help="Move intensity, 0 to 3.")] = None,
    easing: Annotated[str | None, typer.Option(help="ease-in-out, linear, ease-in, ease-out.")] = None,
    take: Annotated[int, typer.Option(min=0, help="Which take's seed to use (0 = the first).")] = 0,
    stills: Annotated[str, typer.Option(help="Stills backend for the keyframe.")] = "previz",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Render one shot: keyframe still → camera move → film look → encoded clip."""
    from storyreel.backends import load_backend
    from storyreel.motion.base import ClipRequest
    from storyreel.motion.camera import CameraBackend
    from storyreel.motion.moves import check_intensity, parse_easing, parse_move
    from storyreel.render.encode import Encoder
    from storyreel.render.frames import FilmLook
    from storyreel.render.program import Event, Program, render_program
    from storyreel.run.identity import stored_identities
    from storyreel.script.breakdown import breakdown_script
    from storyreel.stills.base import StillRequest
    from storyreel.stills.takes import take_seed
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
    fps = config.film.fps
    frame_size = (config.film.width, config.film.height)
    picture_size = config.picture_size
    shotlist = breakdown_script(proj.script, config, stored_identities(proj))
    ids = [s.id for s in shotlist.shots]
    if shot not in ids:
        raise StoryreelError(f"no shot {shot!r}{did_you_mean(shot, ids)}", proj.script)
    chosen = shotlist.shot(shot).model_copy(update=update)
    scene = shotlist.scene(chosen.scene_id)
    n = frames_for(chosen.duration, fps)
    with Encoder(output, frame_size, fps, codec=codec, crf=config.render.crf,
                 preset=config.render.preset) as encoder:
        seed = take_seed(chosen, take)
        backend = load_backend("stills", stills)
        still = backend.generate(StillRequest(chosen, scene, config, seed, picture_size, proj.root))
        source = CameraBackend().animate(ClipRequest(chosen, scene, still, config, seed, fps, n,
                                                     picture_size, proj.root))
        program = Program(fps, picture_size, frame_size, [Event(source, 0, n)])
        look = FilmLook(config.look, frame_size, picture_size, fps, proj.root)
        if quiet:
            render_program(program, encoder, look)
        else:
            with Progress(transient=True) as bar:
                task = bar.add_task(f"shot {shot}", total=n)
                render_program(program, encoder, look, progress=lambda done, _: bar.update(task, completed=done))
    out(f"{output}  {n} frames at {fps} fps  ({chosen.move.value}, intensity {chosen.move_intensity})")
