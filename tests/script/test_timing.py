"""Timing: pacing presets that follow published shot-length data; runtime against page count."""

from __future__ import annotations

from pathlib import Path

from storyreel.config import ProjectConfig, load_config
from storyreel.model import DialogueLine, ShotSize, SourceSpan
from storyreel.pacing import PACINGS
from storyreel.script.breakdown import breakdown
from storyreel.script.fountain import parse_file
from storyreel.script.timing import pages, shot_seconds

EXAMPLE = Path(__file__).parents[2] / "examples" / "footage"


def test_presets_follow_the_published_average_shot_lengths():
    # Salt; Cutting et al.: drama about 4-6 s, action about 2-3 s, slow cinema longer.
    assert 4 <= PACINGS["drama"].median <= 6
    assert 2 <= PACINGS["action"].median <= 3
    assert PACINGS["contemplative"].median > PACINGS["drama"].median
    for p in PACINGS.values():
        lo, hi = p.bounds
        assert lo < p.median < hi


def test_the_example_runs_about_a_minute_a_page():
    script = parse_file(EXAMPLE / "script.fountain")
    n_pages = pages(script)
    shotlist = breakdown(script, load_config(EXAMPLE / "storyreel.toml"))
    minutes = shotlist.runtime / 60
    assert 3 <= n_pages <= 5
    assert 3 <= minutes <= 6
    assert 0.7 <= minutes / n_pages <= 1.4


def test_pacing_changes_the_cut_and_its_average_shot_length():
    script = parse_file(EXAMPLE / "script.fountain")
    asl = {}
    for name in PACINGS:
        sl = breakdown(script, ProjectConfig.model_validate({"film": {"pacing": name}}))
        asl[name] = sum(s.duration for s in sl.shots if not s.duration_fixed) / len(sl.shots)
    assert asl["action"] < asl["drama"] < asl["contemplative"]
    assert 2 <= asl["action"] <= 4 and 3.5 <= asl["drama"] <= 6.5


def test_dialogue_holds_as_long_as_it_takes_to_say():
    speech = " ".join(["word"] * 60)  # 60 words: 24 s at 150 words a minute
    line = DialogueLine(character="MAYA", text=speech, lines=SourceSpan(start=1, end=2))
    for p in PACINGS.values():
        assert shot_seconds(ShotSize.MCU, "", [line], p) >= 60 / p.words_per_second
    short = line.model_copy(update={"text": "No."})
    drama = PACINGS["drama"]
    assert drama.bounds[0] <= shot_seconds(ShotSize.MCU, "", [short], drama) < 4


def test_action_grows_with_its_text_within_the_bounds():
    p = PACINGS["drama"]
    short = shot_seconds(ShotSize.MS, "She waits.", [], p)
    long = shot_seconds(ShotSize.MS, " ".join(["the long slow night goes on"] * 20), [], p)
    assert p.bounds[0] <= short < long <= p.bounds[1]
