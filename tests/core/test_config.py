"""storyreel.toml: defaults, frame rates, picture size, and errors that name file and line."""

from fractions import Fraction

import pytest

from storyreel.config import load_config, parse_fps
from storyreel.errors import StoryreelError
from storyreel.store.project import Project


def write(tmp_path, text):
    path = tmp_path / "storyreel.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_gives_defaults(tmp_path):
    config = load_config(tmp_path / "storyreel.toml")
    assert config.film.fps == 24
    assert config.picture_size == (1920, 804)


@pytest.mark.parametrize(
    ("text", "fps"),
    [("24", Fraction(24)), ("24000/1001", Fraction(24000, 1001)), (25, Fraction(25))],
)
def test_rational_frame_rates(text, fps):
    assert parse_fps(text) == fps


def test_inexact_frame_rate_is_refused():
    with pytest.raises(ValueError, match="24000/1001"):
        parse_fps(23.976)


@pytest.mark.parametrize(
    ("aspect", "size"),
    [
        ("2.39:1", (1920, 804)),
        ("1.85:1", (1920, 1038)),
        ("16:9", (1920, 1080)),
        ("9:16", (608, 1080)),
    ],
)
def test_picture_size_letterbox_and_pillarbox(tmp_path, aspect, size):
    config = load_config(write(tmp_path, f'[look]\naspect = "{aspect}"\n'))
    assert config.picture_size == size


def test_unknown_aspect_names_line_and_suggests(tmp_path):
    path = write(tmp_path, '[film]\nfps = 24\n\n[look]\nstyle = "noir"\naspect = "2.93:1"\n')
    with pytest.raises(StoryreelError) as e:
        load_config(path)
    assert e.value.line == 6
    assert "did you mean 2.39:1" in str(e.value)
    assert str(e.value).startswith(f"{path}:6:")


def test_negative_resolution(tmp_path):
    path = write(tmp_path, "[film]\nwidth = -1920\n")
    with pytest.raises(StoryreelError) as e:
        load_config(path)
    assert e.value.line == 2 and "film.width" in e.value.message


def test_malformed_character_colour(tmp_path):
    path = write(tmp_path, '[characters.maya]\ndescription = "a diver"\ncolor = "red"\n')
    with pytest.raises(StoryreelError) as e:
        load_config(path)
    assert e.value.line == 3 and "#rrggbb" in e.value.message


def test_character_names_are_upper_case(tmp_path):
    config = load_config(write(tmp_path, '[characters.maya]\ncolor = "#c8553d"\n'))
    assert config.characters["MAYA"].color == "#c8553d"


def test_unknown_setting_and_bad_toml(tmp_path):
    with pytest.raises(StoryreelError, match="unknown setting 'film.fsp'"):
        load_config(write(tmp_path, "[film]\nfsp = 24\n"))
    with pytest.raises(StoryreelError) as e:
        load_config(write(tmp_path, "[film]\nfps = = 24\n"))
    assert e.value.line == 2


def test_project_from_script_folder_or_config(tmp_path):
    (tmp_path / "script.fountain").write_text("INT. ROOM - DAY\n\nA chair.\n")
    write(tmp_path, "[film]\nfps = 25\n")
    for path in (tmp_path, tmp_path / "script.fountain", tmp_path / "storyreel.toml"):
        project = Project.open(path)
        assert project.script == tmp_path / "script.fountain"
        assert project.config.film.fps == 25


def test_missing_project(tmp_path):
    with pytest.raises(StoryreelError, match="no such file"):
        Project.open(tmp_path / "nowhere.fountain")
