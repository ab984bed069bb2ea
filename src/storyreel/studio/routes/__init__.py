"""The studio's routes, one module a subject: script, shots and takes, notes, media, events, board."""
