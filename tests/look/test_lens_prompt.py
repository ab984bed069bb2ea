"""A shot's lens, or the look's, in every prompt idiom."""

from __future__ import annotations

from storyreel.look import compile_prompt
from tests.hosted.film import config, scene, shot


def test_the_shots_lens_is_in_every_idiom():
    tags = compile_prompt(shot(lens=85), scene(), config(), "tags").prompt.split(", ")
    assert tags[:3] == ["medium close-up", "low angle", "85mm lens"]
    natural = compile_prompt(shot(lens=85), scene(), config(), "natural").prompt
    assert "Shot on an 85mm lens." in natural
    assert (
        "Shot on a 35mm lens." in compile_prompt(shot(lens=35), scene(), config(), "motion").prompt
    )
    assert (
        "Shot on a 13.5mm lens."
        in compile_prompt(shot(lens=13.5), scene(), config(), "natural").prompt
    )


def test_the_looks_lens_applies_unless_the_shot_has_one():
    look = config().model_copy(deep=True)
    look.look.lens = 24.0
    assert "Shot on a 24mm lens." in compile_prompt(shot(), scene(), look, "natural").prompt
    assert "24mm lens" in compile_prompt(shot(), scene(), look, "tags").prompt
    assert "Shot on an 85mm lens." in compile_prompt(shot(lens=85), scene(), look, "natural").prompt
    assert "24mm" not in compile_prompt(shot(lens=85), scene(), look, "natural").prompt


def test_no_lens_no_words():
    for idiom in ("tags", "natural", "motion"):
        assert " lens" not in compile_prompt(shot(), scene(), config(), idiom).prompt
