"""Voice backends: a line of dialogue in, the character's take of it out (`base.VoiceBackend`)."""
