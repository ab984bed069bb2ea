"""The handoff: what an editor receives (media with handles, .otio .otioz .edl .xml .fcpxml .aaf)
and what comes back from the NLE (`import_edit`). One module per format; `prepare` makes the
copy of the timeline every format writes from; `media` writes the files they point at."""
