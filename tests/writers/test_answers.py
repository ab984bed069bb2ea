"""How `write` reads a model's answers: JSON with or without a fence or a word around it, a
scene as storyreel's parser and directive grammar read it."""

from __future__ import annotations

import pytest

from storyreel.config import CharacterConfig, ProjectConfig
from storyreel.errors import StoryreelError
from storyreel.writers.write import PREMISE_SCHEMA, _json, check_scene

PREMISE = '{"title": "T", "logline": "L", "synopsis": "S"}'


@pytest.mark.parametrize(
    "answer",
    [PREMISE, f"```json\n{PREMISE}\n```", f"Here is the premise:\n{PREMISE}\nEnjoy!"],
    ids=["bare", "fenced", "said around"],
)
def test_a_json_answer_is_read_as_a_model_says_it(answer):
    assert _json(answer, PREMISE_SCHEMA) == {"title": "T", "logline": "L", "synopsis": "S"}


@pytest.mark.parametrize(
    "answer, said",
    [
        ("Once upon a time.", "line 1: not JSON"),
        ('{"title": "T", "logline": "L"}', "the answer has no 'synopsis'"),
        ('{"title": "", "logline": "L", "synopsis": "S"}', "the answer.title must be a non-empty"),
        ('["T", "L", "S"]', "the answer must be a JSON object"),
    ],
)
def test_a_json_answer_that_does_not_check_says_why(answer, said):
    with pytest.raises(StoryreelError, match=said):
        _json(answer, PREMISE_SCHEMA)


def test_a_scene_is_read_by_storyreels_own_parser():
    cast = ProjectConfig(characters={"ANA": CharacterConfig(description="a girl of nine")})
    scene = "INT. ROOM - DAY\n\n[[shot: CU ANA, push-in, 2s]]\nANA waits.\n"
    assert check_scene(f"```fountain\n{scene}```", "scene 1", cast) == scene.strip()
    with pytest.raises(StoryreelError, match="scene 1:3: unknown word 'ANA'"):
        check_scene(scene, "scene 1", ProjectConfig())  # a subject the outline's cast lacks
    with pytest.raises(StoryreelError, match="scene 1:1: a scene begins with its heading"):
        check_scene("Ana waits in a room.", "scene 1", cast)
    with pytest.raises(StoryreelError, match="scene 1:1: a scene has no title page"):
        check_scene("Title: Mine\n\nINT. ROOM - DAY\n\nAna.", "scene 1", cast)
    with pytest.raises(StoryreelError, match=r"scene 1:3: .*'zoomy'"):
        check_scene("INT. ROOM - DAY\n\n[[shot: CU ANA, zoomy]]\nAna.", "scene 1", cast)
