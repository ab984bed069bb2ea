"""Shots compiled into each model's prompt idiom."""

from __future__ import annotations

import pytest

from storyreel.errors import StoryreelError
from storyreel.look import NEGATIVE, compile_prompt
from tests.hosted.film import config, scene, shot


def test_tags_idiom_is_comma_tags_with_a_negative_prompt():
    p = compile_prompt(shot(), scene(), config(), "tags")
    tags = p.prompt.split(", ")
    assert tags[:2] == ["medium close-up", "low angle"]
    assert "a woman in her thirties" in tags and "short dark hair" in tags
    assert "exterior" in tags and "rooftop" in tags and "night" in tags
    assert "anamorphic 35mm" in tags and "moody" in tags
    assert "Maya" not in p.prompt  # a name means nothing to a diffusion model
    assert p.negative == NEGATIVE and "watermark" in p.negative


def test_natural_idiom_is_sentences_naming_the_characters():
    p = compile_prompt(shot(), scene(), config(), "natural")
    assert p.prompt.startswith("Medium close-up, low angle, of Maya, a woman in her thirties")
    assert "Maya looks out over the city." in p.prompt
    assert "Exterior, rooftop, night." in p.prompt
    assert p.prompt.endswith("Style: anamorphic 35mm, moody.")
    assert p.negative is None
    assert compile_prompt(shot(), scene(), config(), "natural", negative=True).negative == NEGATIVE


def test_motion_idiom_leads_with_the_camera_move():
    p = compile_prompt(shot(), scene(), config(), "motion")
    assert p.prompt.startswith("The camera dollies in toward Maya smoothly.")
    slow = compile_prompt(shot(move="zoom-in", move_intensity=0.4), scene(), config(), "motion")
    assert slow.prompt.startswith(
        "The lens zooms in on Maya while the camera stays in place slowly"
    )
    still = compile_prompt(shot(move="static", subjects=[]), scene(), config(), "motion")
    assert still.prompt.startswith("The camera is locked off on a tripod and does not move.")
    assert "of " not in still.prompt.split(".")[1]


def test_every_move_and_size_has_words():
    from storyreel.model import Move, ShotSize

    for move in Move:
        assert compile_prompt(shot(move=move), scene(), config(), "motion").prompt
    for size in ShotSize:
        assert compile_prompt(shot(size=size), scene(), config(), "tags").prompt


def test_deterministic_and_clipped_at_a_word():
    a = compile_prompt(shot(), scene(), config(), "motion", max_chars=60)
    b = compile_prompt(shot(), scene(), config(), "motion", max_chars=60)
    assert a == b and len(a.prompt) <= 60
    full = compile_prompt(shot(), scene(), config(), "motion").prompt
    assert full.startswith(a.prompt) and full[len(a.prompt)] in " ,."


def test_a_character_without_a_description_is_named_or_generic():
    s = shot(subjects=["MAYA", "JONAH"])
    assert "and Jonah" in compile_prompt(s, scene(), config(), "natural").prompt
    assert "a person" in compile_prompt(s, scene(), config(), "tags").prompt


def test_unknown_idiom():
    with pytest.raises(StoryreelError, match="did you mean tags"):
        compile_prompt(shot(), scene(), config(), "tag")


def test_the_action_a_note_frames_and_the_scenes_weather_are_in_the_prompt():
    framed = shot(description="her face in the neon", action="MAYA turns from the rail.")
    wet = scene().model_copy(update={"weather": ["rain"]})
    natural = compile_prompt(framed, wet, config(), "natural").prompt
    assert (
        "Her face in the neon. Maya turns from the rail. Exterior, rooftop, night, rain." in natural
    )
    tags = compile_prompt(framed, wet, config(), "tags").prompt.split(", ")
    assert "her face in the neon" in tags and "rain" in tags
    assert any(t.startswith("a woman in her thirties turns from the rail") for t in tags)
    same = shot(description="Maya looks out over the city.", action="Maya looks out over the city.")
    assert compile_prompt(same, scene(), config(), "natural").prompt.count("looks out") == 1
