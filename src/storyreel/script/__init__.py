"""Screenplay in, shot list out: Fountain parsing, shot directives, breakdown, timing."""
