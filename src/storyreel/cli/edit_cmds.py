"""`import-edit`: bring an NLE's edit of the cut back into the project as editorial overrides."""

from __future__ import annotations

from pathlib import Path

import typer

from storyreel.cli.app import command, out

_PROJECT = typer.Argument(..., help="The project (folder, storyreel.toml or script).")
_EDITED = typer.Argument(..., help="The edited timeline: .otio, .edl, .xml or .fcpxml.")


@command("import-edit")
def import_edit_cmd(project: Path = _PROJECT, edited: Path = _EDITED) -> None:
    """Read an edited timeline, map its clips back to shots, and store the order and trims;
    the next render follows them."""
    import opentimelineio as otio

    from storyreel.edit.interchange import import_edit
    from storyreel.script.breakdown import breakdown_script
    from storyreel.store.project import Project, save_overrides

    proj = Project.open(project)
    shotlist = breakdown_script(proj.script, proj.config)
    reference = None
    previous = proj.out_dir / "cut.otio"
    if previous.is_file():
        try:
            reference = otio.adapters.read_from_file(str(previous), adapter_name="otio_json")
        except Exception:  # an unreadable last cut only costs the comparison
            reference = None
        if reference is not None and "storyreel" not in reference.metadata:
            reference = None
    overrides = import_edit(edited, shotlist, fps=proj.config.film.fps, reference=reference)
    save_overrides(proj, overrides)
    out(f"{edited}: {len(overrides.entries)} shots; the next render follows this edit")
    for line in overrides.changes or ["no changes to the order or lengths"]:
        out(f"  {line}")
