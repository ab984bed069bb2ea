"""Stills become clips: the backend protocol, its registry and the backends."""
