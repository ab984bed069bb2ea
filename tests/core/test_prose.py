"""Prose is read for what it shows, not for what it says has ended or is absent."""

import pytest

from storyreel.prose import affirmed


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "Rain over a harbour city. Neon signs bleed.",
            "Rain over a harbour city. Neon signs bleed.",
        ),
        ("Maya stands alone. The rain has stopped. Neon below.", "Maya stands alone. Neon below."),
        ("No rain tonight.", ""),
        ("It doesn't snow here.", ""),
        ("The fog lifts off the water.", ""),
    ],
)
def test_negated_sentences_are_left_out(text, kept):
    assert affirmed(text) == kept
