"""The studio: the script on the left, the reel on the right, in a browser, on this machine.

`storyreel studio` serves a small FastAPI app (`app.create_app`): a Fountain editor, a player of
the draft cut, the shot cards and their takes, notes, and the build's events as they happen. It
runs the same build as `storyreel render` (`storyreel.run.build.build`), under the same project
lock, so the studio and a terminal never build at once.
"""
