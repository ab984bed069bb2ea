"""storyreel: generative cinema from a screenplay."""

__version__ = "0.1.0"
