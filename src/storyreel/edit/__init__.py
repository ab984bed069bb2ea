"""The cut as an OpenTimelineIO timeline: rhythm, titles, subtitles, audio."""
