"""The embedded previz generator: cinematic silhouette keyframes with no model and no network."""

from storyreel.stills.previz.backend import PrevizBackend

__all__ = ["PrevizBackend"]
