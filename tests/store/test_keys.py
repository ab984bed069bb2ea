from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np

from storyreel.config import ProjectConfig
from storyreel.store.keys import canonical, job_key, stage_key


def test_key_is_stable_and_order_independent():
    a = stage_key(
        "still", backend=("previz", "1"), shot={"b": 1, "a": [1, 2]}, fps=Fraction(24000, 1001)
    )
    b = stage_key(
        "still", backend=("previz", "1"), fps=Fraction(24000, 1001), shot={"a": [1, 2], "b": 1}
    )
    assert a == b and len(a) == 64


def test_key_changes_with_inputs_backend_version_and_upstream():
    base = stage_key("clip", backend=("camera", "1"), upstream=["k1"], frames=48)
    assert stage_key("clip", backend=("camera", "2"), upstream=["k1"], frames=48) != base
    assert stage_key("clip", backend=("camera", "1"), upstream=["k2"], frames=48) != base
    assert stage_key("clip", backend=("camera", "1"), upstream=["k1"], frames=49) != base
    assert stage_key("still", backend=("camera", "1"), upstream=["k1"], frames=48) != base


def test_canonical_encodes_models_arrays_and_special_floats():
    cfg = ProjectConfig()
    assert canonical(cfg) == canonical(ProjectConfig.model_validate(cfg.model_dump()))
    other = ProjectConfig.model_validate({"look": {"grain": 0.1}})
    assert canonical(cfg) != canonical(other)
    img = np.zeros((4, 4, 3), np.uint8)
    img2 = img.copy()
    img2[0, 0, 0] = 1
    assert canonical(img) != canonical(img2)
    assert canonical(math.inf) != canonical(1e308)


def test_hosted_job_keys_stay_those_the_ledgers_of_existing_projects_hold():
    """A changed job key would submit (and pay for) a finished job again."""
    assert job_key(
        "runway",
        "gen4_turbo",
        "clip",
        prompt="Maya at the edge, 85mm lens",
        image="ab" * 32,
        ratio="1584:672",
        duration=5,
        seed=7,
    ) == ("e513a3841124e96dafd8bbfc9014b69d994d9e47dddb8251df99367d89846e39")
    assert job_key(
        "kling",
        "kling-v2-1",
        "still",
        prompt="é",
        refs=[Path("refs/a.png")],
        fps=Fraction(24000, 1001),
        image=None,
    ) == ("ef1aeadbf7ee3e3337fcefdeef901c5640e59dba0d7698908fc8f947037d4f6c")
    assert job_key("runway", "gen4_turbo", "clip", seed=8) != job_key(
        "runway", "gen4_turbo", "clip", seed=7
    )
