"""Every backend a project names is checked when it opens: a typo fails at its line, before any work."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from storyreel.cli import app

SCRIPT = """EXT. PIER - NIGHT

[[shot: WS static #sh1 1s]]
Waves under the pier lights.
"""

runner = CliRunner()


def project(tmp_path, backends: str):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "script.fountain").write_text(SCRIPT)
    (tmp_path / "storyreel.toml").write_text(
        '[film]\nwidth = 64\nheight = 36\nfps = "24"\n\n[backends]\ntakes = 1\n' + backends
    )
    return tmp_path


BAD = [  # what storyreel.toml says from line 8 on, the line named, the message
    ('stills = "previs"\n', 8, "unknown stills backend 'previs' (did you mean previz?); known: "),
    (
        'motion = "camera"\nstills = "kling:kling-v2?mdoe=pro"\n',
        9,
        "kling: unknown option 'mdoe'; known: none",
    ),
    (
        'motion = "kling:kling-v2-1?mdoe=pro"\n',
        8,
        "kling: unknown option 'mdoe' (did you mean mode?); known: mode, input",
    ),
    (
        'motion = "kling:kling-v2-1?mode=ultra"\n',
        8,
        "kling: bad option mode='ultra' (expected std | pro)",
    ),
    (
        'stills = "diffusers:stabilityai/sd-turbo?stpes=2"\n',
        8,
        "diffusers: unknown option 'stpes' (did you mean steps?)",
    ),
    (
        'stills = "diffusers:stabilityai/sd-turbo?size=64by32"\n',
        8,
        "diffusers: bad option size='64by32' (expected WxH)",
    ),
    ('motion = "diffusers:Lightricks/LTX-Video?batch=2"\n', 8, "diffusers: unknown option 'batch'"),
    ('stills = "folder"\n', 8, "folder: name a folder, e.g. folder:exports/"),
    ('stills = "previz:sketchy"\n', 8, "previz takes no argument (got previz:sketchy)"),
    (
        '\n[backends.shots.sh1]\nmotion = "runway:gen4_turbo?seed=3"\n',
        10,
        "runway: unknown option 'seed'",
    ),
    (
        '\n[backends.shots.sh1]\nstils = "previz"\n',
        10,
        "backends.shots.sh1: unknown stage 'stils' (did you mean stills?)",
    ),
]


@pytest.mark.parametrize("command", ["render", "breakdown"])
@pytest.mark.parametrize(("lines", "line", "message"), BAD, ids=[b[2][:40] for b in BAD])
def test_a_bad_backend_spec_fails_at_its_line_before_any_work(
    tmp_path, command, lines, line, message
):
    root = project(tmp_path, lines)
    result = runner.invoke(app, [command, str(root)])
    assert result.exit_code == 2, result.output
    assert f"storyreel.toml:{line}: {message}" in result.output
    assert "Traceback" not in result.output
    assert not (root / "out").exists() and not (root / ".storyreel" / "objects").exists()


def test_good_specs_open_and_a_project_without_a_file_has_the_defaults(tmp_path):
    root = project(
        tmp_path / "a",
        'stills = "diffusers:stabilityai/sd-turbo?steps=2&size=64x32"\n'
        'motion = "kling:kling-v2-1?mode=pro&input=image"\n'
        '\n[backends.shots.sh1]\nmotion = "folder:exports/"\n',
    )
    assert runner.invoke(app, ["breakdown", str(root)]).exit_code == 0
    bare = tmp_path / "b"
    bare.mkdir()
    (bare / "script.fountain").write_text(SCRIPT)
    assert runner.invoke(app, ["breakdown", str(bare)]).exit_code == 0
