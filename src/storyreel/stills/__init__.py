"""Keyframe stills: the backend protocol, its registry and the backends."""
