"""The sound department: voices for the cast (espeak, local neural, hosted), the mix and its
stems, music cues, effects and ambience."""
