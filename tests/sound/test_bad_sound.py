"""Bad sound settings through the CLI: one line naming storyreel.toml:LINE, a non-zero exit."""

from __future__ import annotations

from tests.badinput.helpers import cli, line_of, one_line_error, project


def test_an_unknown_loudness_target_is_one_line_at_its_line(tmp_path):
    root = project(tmp_path / "film")
    toml = root / "storyreel.toml"
    toml.write_text(toml.read_text() + '\n[sound]\nloudness = "podcast"\n')
    one_line_error(
        cli("render", root, "-q"),
        f"storyreel.toml:{line_of(toml, 'loudness')}:",
        "unknown loudness target 'podcast'",
        "broadcast, streaming",
    )


def test_a_loudness_out_of_range_is_one_line_at_its_line(tmp_path):
    root = project(tmp_path / "film")
    toml = root / "storyreel.toml"
    toml.write_text(toml.read_text() + "\n[sound]\nloudness = 3\n")
    one_line_error(
        cli("render", root, "-q"), f"storyreel.toml:{line_of(toml, 'loudness')}:", "-70 to -5"
    )


def test_a_music_file_that_is_not_audio_stops_the_render_at_its_line(tmp_path):
    root = project(tmp_path / "film")
    (root / "score.wav").write_bytes(b"RIFF\x00\x00garbage" * 10)
    toml = root / "storyreel.toml"
    text = toml.read_text()
    if "[backends]" in text:
        text = text.replace("[backends]", '[backends]\nmusic = "file:score.wav"', 1)
    else:
        text += '\n[backends]\nmusic = "file:score.wav"\n'
    toml.write_text(text)
    said = one_line_error(
        cli("render", root, "-q"), f"storyreel.toml:{line_of(toml, 'music =')}:", "score.wav"
    )
    assert "audio" in said
    assert not (root / "out").exists()  # said before any picture is made
