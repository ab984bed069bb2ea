"""Frames to files: compositing, the film look, encoding with PyAV."""
