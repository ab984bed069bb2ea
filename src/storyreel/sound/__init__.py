"""The sound department: the mix and its stems, music cues, effects and ambience."""
