"""`import-edit`: bring an NLE's edit of the cut back into the project as editorial overrides."""

from __future__ import annotations

from pathlib import Path

import typer

from storyreel.cli.app import command, out
from storyreel.errors import StoryreelError

_PROJECT = typer.Argument(..., help="The project (folder, storyreel.toml or script).")
_EDITED = typer.Argument(None, help="The edited timeline: .otio, .edl, .xml or .fcpxml.")
_DRY = typer.Option(False, "--dry-run", help="Report what changed; store nothing.")
_CLEAR = typer.Option(False, "--clear", help="Forget the stored edit: back to the script's cut.")


def _last_cut(path: Path):
    """The cut the editor started from (for the report), if it is a readable storyreel cut."""
    import opentimelineio as otio

    if not path.is_file():
        return None
    try:
        cut = otio.adapters.read_from_file(str(path), adapter_name="otio_json")
    except Exception:  # an unreadable last cut only costs the comparison
        return None
    return cut if "storyreel" in cut.metadata else None


@command("import-edit")
def import_edit_cmd(
    project: Path = _PROJECT, edited: Path = _EDITED, dry_run: bool = _DRY, clear: bool = _CLEAR
) -> None:
    """Read an edited timeline, map its clips back to shots, and store the order and trims;
    the next render follows them."""
    from storyreel.handoff.import_edit import import_edit
    from storyreel.run.identity import stored_identities
    from storyreel.script.breakdown import breakdown_script
    from storyreel.store.project import Project, load_overrides, save_overrides

    proj = Project.open(project)
    if clear:
        if edited is not None:
            raise StoryreelError("--clear takes no edited timeline", edited)
        had = load_overrides(proj) is not None
        if not dry_run:
            save_overrides(proj, None)
        out(
            "the stored edit is cleared: the next render follows the script"
            if had
            else "no stored edit; the cut follows the script"
        )
        return
    if edited is None:
        raise StoryreelError("name the edited timeline (or use --clear)", proj.root)
    shotlist = breakdown_script(proj.script, proj.config, stored_identities(proj))
    overrides = import_edit(
        edited, shotlist, fps=proj.config.film.fps, reference=_last_cut(proj.out_dir / "cut.otio")
    )
    if not dry_run:
        save_overrides(proj, overrides)
    what = "nothing stored (--dry-run)" if dry_run else "the next render follows this edit"
    out(f"{edited}: {len(overrides.entries)} shots; {what}")
    for line in overrides.changes or ["no changes to the order or lengths"]:
        out(f"  {line}")
