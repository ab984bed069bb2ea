"""`storyreel write` through a scripted model behind the local OpenAI server: a screenplay that
storyreel renders, stages that are not asked twice, repairs, and bad input that writes nothing."""

from __future__ import annotations

import hashlib
import json
import re

import av
import pytest
from typer.testing import CliRunner

from storyreel.cli import app
from storyreel.config import load_config
from storyreel.script.breakdown import breakdown_script
from storyreel.script.fountain import parse_file
from tests.writers.servers import Model, openai

STORY = {
    "title": "Still Here",
    "logline": "A woman waits on a pier for someone who left long ago.",
    "synopsis": "Maya keeps a promise to wait on the pier, night after night.",
}
PLAN = {
    "characters": [{"name": "Maya", "description": "a woman of 38, short dark hair, grey coat"}],
    "look": {"style": "35mm night, sodium light, rain", "palette": "teal-orange"},
    "scenes": [{"heading": "EXT. PIER - NIGHT", "beat": "Maya waits at the rail and says so."}],
}
SCENE = """EXT. PIER - NIGHT

[[shot: WS, push-in, 1s, "the pier lights in the rain"]]
Waves break under the pier lights.

[[shot: CU MAYA, static, 1s]]
MAYA stands at the rail, hands in her coat.

MAYA
Still here.
"""


def scripted(scene: str | list[str] = SCENE, story=STORY, plan=PLAN):
    """A model that answers each step of `write` as a screenwriter would: the step is told by
    the schema it is asked for (premise, outline) or its absence (a scene)."""
    scenes = [scene] if isinstance(scene, str) else list(scene)

    def answer(body):
        schema = (body.get("response_format") or {}).get("json_schema", {}).get("schema")
        if schema and "logline" in schema["properties"]:
            return json.dumps(story)
        if schema and "scenes" in schema["properties"]:
            return json.dumps(plan)
        return scenes.pop(0) if len(scenes) > 1 else scenes[0]

    return Model(answers=answer)


def spec(server) -> str:
    return f"openai:screenwriter-1?base_url={server.url}/v1&api=chat"


def run(*args: str):
    return CliRunner().invoke(app, ["write", *args])


@pytest.fixture
def film(tmp_path):
    root = tmp_path / "film"
    root.mkdir()
    return root


def test_a_written_project_renders(server, keys, film):
    model = scripted()
    openai(server, model)
    script = film / "script.fountain"
    result = run(
        "A woman waits on a pier.", "--pages", "1", "-o", str(script), "--writer", spec(server)
    )
    assert result.exit_code == 0, result.output
    assert "Still Here: 1 scenes; 3 requests, 36 tokens in, 102 out" in result.output
    parsed = parse_file(script)
    assert parsed.title() == "Still Here"
    assert {f.key for f in parsed.title_page} >= {"Title", "Author", "Draft date"}
    config = load_config(film / "storyreel.toml")
    assert config.characters["MAYA"].description == "a woman of 38, short dark hair, grey coat"
    assert config.look.style == "35mm night, sodium light, rain"
    assert config.backends.writer == spec(server)
    shots = breakdown_script(script, config).shots
    assert [s.size.value for s in shots][:2] == ["WS", "CU"]
    assert model.billed == 3  # premise, outline, one scene
    record = json.loads((film / ".storyreel" / "writing" / "provenance.json").read_text())
    assert record["sha256"] == hashlib.sha256(script.read_bytes()).hexdigest()
    assert [s["step"] for s in record["steps"]] == ["premise", "outline", "scene 1"]
    assert all(s["model"] == "screenwriter-1" and s["tokens_out"] == 34 for s in record["steps"])
    assert record["idea"] == "A woman waits on a pier." and record["writer"] == spec(server)

    toml = film / "storyreel.toml"  # the director picks a small frame for a quick look
    toml.write_text(
        re.sub(r"width = \d+\nheight = \d+", "width = 320\nheight = 180", toml.read_text())
    )
    render = CliRunner().invoke(app, ["render", str(film), "--draft", "--quiet"])
    assert render.exit_code == 0, render.output
    with av.open(str(film / "out" / "draft.mp4")) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    assert len(frames) >= 48 and frames[0].shape[1] == 160
    told = json.loads(CliRunner().invoke(app, ["provenance", str(film)]).stdout)["screenplay"]
    assert told["idea"] == "A woman waits on a pier." and told["edited_since"] is False
    script.write_text(script.read_text() + "\nMAYA\nOne more line.\n")  # the writer takes over
    told = json.loads(CliRunner().invoke(app, ["provenance", str(film)]).stdout)["screenplay"]
    assert told["steps"][0]["step"] == "premise" and told["edited_since"] is True


def test_a_rerun_asks_nothing_and_an_edited_outline_redoes_only_the_scenes(server, keys, film):
    model = scripted()
    openai(server, model)
    script, outline = film / "script.fountain", film / "outline.json"
    args = ["A woman waits on a pier.", "-o", str(script), "--writer", spec(server)]
    assert run(*args, "--outline", str(outline)).exit_code == 0
    assert model.billed == 3 and json.loads(outline.read_text())["scenes"][0]["heading"]
    first = script.read_bytes()
    again = run(*args, "--outline", str(outline), "--force")
    assert again.exit_code == 0, again.output
    assert model.billed == 3 and script.read_bytes() == first  # every step was stored

    plan = json.loads(outline.read_text())
    plan["scenes"][0]["beat"] = "Maya gives up and walks away."
    outline.write_text(json.dumps(plan))
    assert run(*args, "--outline", str(outline), "--force").exit_code == 0
    assert model.billed == 4  # the scene again; neither the premise nor the outline
    assert "Maya gives up and walks away." in json.dumps(model.bodies[-1])


def test_a_bad_directive_goes_back_with_its_line_and_is_repaired(server, keys, film):
    wrong = SCENE.replace("CU MAYA, static", "MCX MAYA, static")
    model = scripted([wrong, SCENE])
    openai(server, model)
    script = film / "script.fountain"
    result = run("A pier.", "-o", str(script), "--writer", spec(server))
    assert result.exit_code == 0, result.output
    assert model.billed == 4
    repair = model.bodies[-1]["messages"]
    assert repair[-2] == {"role": "assistant", "content": wrong}
    assert (
        "scene 1:6: unknown word 'MCX' in [[shot: ...]] (did you mean MCU?)"
        in repair[-1]["content"]
    )
    assert "[[shot: CU MAYA, static, 1s]]" in script.read_text()


def test_an_answer_that_is_not_fountain_fails_after_the_repairs_and_writes_nothing(
    server, keys, film
):
    model = scripted("Sure! Here is a lovely story about a woman on a pier, in prose.")
    openai(server, model)
    script = film / "script.fountain"
    script.write_text("Title: Mine\n\nINT. ROOM - DAY\n\nMy own words.\n")
    before = script.read_bytes()
    result = run("A pier.", "-o", str(script), "--writer", spec(server), "--force")
    assert result.exit_code == 2
    assert "the writer's scene 1 is not the scene in Fountain after 3 tries" in result.output
    assert "a scene begins with its heading" in result.output
    assert "Traceback" not in result.output
    assert model.billed == 2 + 3
    assert script.read_bytes() == before and not (film / "storyreel.toml").exists()


def test_an_existing_script_is_kept_and_nothing_is_asked(server, keys, film):
    model = scripted()
    openai(server, model)
    script = film / "script.fountain"
    script.write_text("INT. ROOM - DAY\n\nMine.\n")
    result = run("A pier.", "-o", str(script), "--writer", spec(server))
    assert result.exit_code == 2 and "exists; --force replaces it" in result.output
    assert model.billed == 0 and script.read_text() == "INT. ROOM - DAY\n\nMine.\n"


def test_an_empty_idea_is_refused(film):
    result = run("   ", "-o", str(film / "script.fountain"), "--writer", "openai:gpt-4.1-mini")
    assert result.exit_code == 2 and "the idea is empty" in result.output
    assert list(film.iterdir()) == []


def test_no_writer_says_how_to_get_one(film, monkeypatch):
    result = run("A pier.", "-o", str(film / "script.fountain"))
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "ollama pull llama3.2" in said
    assert "openai:llama3.2?base_url=http://localhost:11434/v1" in said
    assert "OPENAI_API_KEY" in said and "ANTHROPIC_API_KEY" in said
    assert list(film.iterdir()) == []


def test_a_missing_key_names_the_variable_and_writes_nothing(film, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    result = run("A pier.", "-o", str(film / "script.fountain"), "--writer", "openai:gpt-4.1-mini")
    assert result.exit_code == 2
    assert "set the environment variable OPENAI_API_KEY" in result.output
    assert not (film / "script.fountain").exists() and not (film / "storyreel.toml").exists()


def test_the_projects_writer_is_used_and_its_config_kept(server, keys, film):
    model = scripted()
    openai(server, model)
    toml = f'[film]\nwidth = 320\nheight = 180\n\n[backends]\nwriter = "{spec(server)}"\n'
    (film / "storyreel.toml").write_text(toml)
    result = run("A woman waits on a pier.", "-o", str(film / "script.fountain"))
    assert result.exit_code == 0, result.output
    assert (film / "storyreel.toml").read_text() == toml  # never replaced
    draft = load_config(film / ".storyreel" / "writing" / "storyreel.toml")
    assert "MAYA" in draft.characters
    assert "kept" in result.output and model.billed == 3


def test_no_key_lands_in_the_project(server, keys, film):
    openai(server, scripted())
    result = run("A pier.", "-o", str(film / "script.fountain"), "--writer", spec(server))
    assert result.exit_code == 0, result.output
    secret = keys["OPENAI_API_KEY"].encode()
    files = [p for p in film.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" and "writers" in p.parts for p in files)  # answers kept
    assert not [p for p in files if secret in p.read_bytes()]


def test_show_prints_the_models_words_as_they_come(server, keys, film):
    openai(server, scripted())
    script = film / "script.fountain"
    result = run("A pier.", "-o", str(script), "--writer", spec(server), "--show")
    assert result.exit_code == 0, result.output
    assert "Waves break under the pier lights." in result.output and '"logline"' in result.output


def test_scenes_asked_for_at_once_land_in_the_outlines_order(server, keys, film):
    headings = ["EXT. PIER - NIGHT", "INT. ARCHIVE - NIGHT", "EXT. HARBOUR - DAWN"]
    plan = {
        **PLAN,
        "scenes": [{"heading": h, "beat": f"Beat {i}."} for i, h in enumerate(headings)],
    }

    def answer(body):
        schema = (body.get("response_format") or {}).get("json_schema", {}).get("schema")
        if schema:
            return json.dumps(STORY if "logline" in schema["properties"] else plan)
        [heading] = re.findall(
            r"Begin with its heading, exactly: (.*)", body["messages"][-1]["content"]
        )
        return SCENE.replace("EXT. PIER - NIGHT", heading)

    model = Model(answers=answer)
    openai(server, model)
    script = film / "script.fountain"
    result = run(
        "A pier.",
        "--pages",
        "4",
        "--genre",
        "Contemplative",
        "-o",
        str(script),
        "--writer",
        spec(server),
    )
    assert result.exit_code == 0, result.output
    found = [e.text for e in parse_file(script).elements if e.kind == "scene_heading"]
    assert found == headings and model.billed == 5
    assert load_config(film / "storyreel.toml").film.pacing == "contemplative"  # the genre's


def test_a_refusal_stops_the_writing_in_the_models_words(server, keys, film):
    model = Model(refuse="I can't write that story.")
    openai(server, model)
    result = run("A pier.", "-o", str(film / "script.fountain"), "--writer", spec(server))
    assert result.exit_code == 2
    assert "openai (screenwriter-1) refused: I can't write that story." in result.output
    assert model.billed == 1 and not (film / "script.fountain").exists()
