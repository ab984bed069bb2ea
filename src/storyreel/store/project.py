"""A project: its folder, its script, its `storyreel.toml`, and where outputs go.

`storyreel render script.fountain` with no project file works too: the script's folder
becomes the project, with default settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storyreel.backends import check_specs
from storyreel.config import ProjectConfig, load_config
from storyreel.errors import StoryreelError
from storyreel.model import EditOverrides

CONFIG_NAME = "storyreel.toml"
SCRIPT_NAME = "script.fountain"


@dataclass
class Project:
    root: Path
    script: Path
    config_path: Path | None
    config: ProjectConfig

    @property
    def state_dir(self) -> Path:
        return self.root / ".storyreel"

    @property
    def out_dir(self) -> Path:
        return self.root / "out"

    @property
    def db_path(self) -> Path:
        return self.state_dir / "project.db"

    @property
    def objects_dir(self) -> Path:
        return self.state_dir / "objects"

    @classmethod
    def open(cls, path: str | Path) -> Project:
        """A project from its folder, its `storyreel.toml`, or its script."""
        path = Path(path)
        if not path.exists():
            raise StoryreelError("no such file or folder", path)
        if path.is_dir():
            root = path
            script = root / SCRIPT_NAME
            if not script.exists():
                found = sorted(root.glob("*.fountain"))
                if len(found) != 1:
                    raise StoryreelError(
                        f"no {SCRIPT_NAME} here"
                        if not found
                        else "several .fountain files; name one",
                        path,
                    )
                script = found[0]
        elif path.name == CONFIG_NAME:
            root, script = path.parent, path.parent / SCRIPT_NAME
        else:
            root, script = path.parent, path
        config_path = root / CONFIG_NAME
        config_path = config_path if config_path.exists() else None
        config = load_config(config_path)
        check_specs(config, config_path)  # a misspelt backend or option fails here, before any work
        return cls(root=root, script=script, config_path=config_path, config=config)


def load_overrides(project: Project) -> EditOverrides | None:
    """The editorial overrides stored in the project database (a legacy `overrides.json` moves in)."""
    from storyreel.store.db import Database

    with Database(project.db_path) as db:
        legacy = project.state_dir / "overrides.json"
        if legacy.is_file():
            db.overrides_put(legacy.read_text(encoding="utf-8"))
            legacy.unlink()
        data = db.overrides_get()
    return EditOverrides.model_validate_json(data) if data else None


def save_overrides(project: Project, overrides: EditOverrides | None) -> None:
    """Store (or, with None, clear) the project's editorial overrides."""
    from storyreel.store.db import Database

    with Database(project.db_path) as db:
        db.overrides_put(overrides.model_dump_json() if overrides is not None else None)
