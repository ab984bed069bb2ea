"""`storyreel storyboard`: the PDF of a small project's shots, six panels a page."""

from __future__ import annotations

import re

from tests.stills.test_cli import project, run, shot_ids


def test_storyboard_pdf(tmp_path):
    root = project(tmp_path)
    code, text = run("storyboard", root, "-o", tmp_path / "board.pdf", "-q")
    assert code == 0, text
    data = (tmp_path / "board.pdf").read_bytes()
    pages = -(-len(shot_ids(root)) // 6)
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type /Page\b", data)) == pages
    assert b"Lato" in data  # the bundled typeface is embedded
