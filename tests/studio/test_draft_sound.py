"""The player plays the draft's sound (FLAC in the MP4, its pieces joined) in a real browser."""

from __future__ import annotations

from pathlib import Path

import av

from storyreel.studio.server import running
from tests.studio.test_browser import TIMEOUT, open_studio


def test_the_player_decodes_the_drafts_sound(film: Path, browser):
    with running(film) as r:
        page, errors = open_studio(browser, r)
        with av.open(str(film / "out" / "draft.mp4")) as c:
            assert c.streams.audio[0].codec_context.name == "flac"
        page.evaluate(
            "(() => { const v = document.getElementById('player'); v.muted = true; v.play(); })()"
        )
        page.wait_for_function(
            "(() => { const v = document.getElementById('player');"
            " return v.currentTime > 1.5 && v.webkitAudioDecodedByteCount > 10000; })()",
            timeout=TIMEOUT,
        )
        assert page.evaluate("document.getElementById('player').error") is None
        assert not errors
