"""Commands of this room (see storyreel.cli.app.command)."""
