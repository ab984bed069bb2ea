"""MusicGen scores each scene through the build's sound stages, from a tiny randomly
initialised model saved in the test and loaded through the same `from_pretrained` path."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

from storyreel.edit.timeline import build_timeline
from storyreel.errors import StoryreelError
from storyreel.run.pipeline import open_pipeline
from storyreel.run.sound import make_cues, mix_sound, per_scene_music
from storyreel.sound.cues import CueRequest
from storyreel.sound.music import MusicGen
from storyreel.store.project import Project
from tests.sound.film import write_film

transformers = pytest.importorskip("transformers")
torch = pytest.importorskip("torch")

from tests.diffusion.text_encoders import T5, t5_tokenizer  # noqa: E402 (needs torch)


def _tiny_musicgen(folder):
    """A tiny random MusicGen saved with its tokenizer; its text side is the diffusion tests' T5."""
    codec = transformers.EncodecConfig(
        sampling_rate=8000,
        audio_channels=1,
        hidden_size=8,
        num_filters=4,
        num_residual_layers=1,
        upsampling_ratios=[4, 4],
        codebook_size=32,
        codebook_dim=8,
        num_lstm_layers=1,
        target_bandwidths=[10.0],  # two codebooks at 500 frames a second
        compress=2,
    )
    decoder = transformers.MusicgenDecoderConfig(
        vocab_size=32,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        ffn_dim=32,
        num_codebooks=2,
        pad_token_id=32,
        bos_token_id=32,
        max_position_embeddings=512,
    )
    config = transformers.MusicgenConfig(
        text_encoder=transformers.T5Config(**T5), audio_encoder=codec, decoder=decoder
    )
    torch.manual_seed(0)
    model = transformers.MusicgenForConditionalGeneration(config)
    for layer in model.audio_encoder.quantizer.layers:  # Encodec starts its codebooks at zero
        layer.codebook.embed.normal_()
    model.generation_config.decoder_start_token_id = 32
    model.generation_config.pad_token_id = 32
    model.save_pretrained(folder)
    t5_tokenizer().save_pretrained(folder)
    return folder


def test_musicgen_scores_each_scene_as_a_stored_take(tmp_path):
    root = write_film(tmp_path / "film", 'music = "musicgen:models/tiny?seconds=0.3"')
    _tiny_musicgen(root / "models" / "tiny")

    def sound():
        with open_pipeline(Project.open(root)) as p:
            shotlist = p.breakdown()
            timeline = build_timeline(shotlist, p.config)
            sounds = make_cues(p, timeline, shotlist, per_scene_music(p, None))
            made = mix_sound(p, timeline, shotlist, None, {}, sounds)
            cues = [p.db.output_get(k) for k in sounds.keys]
            return made, sounds, cues, p.report

    made, sounds, cues, report = sound()
    assert len(sounds.keys) == 2 and len(report.computed["cues"]) == 2  # a cue a scene
    provenance = [c["meta"]["provenance"] for c in cues]
    assert {pr["backend"] for pr in provenance} == {"musicgen:models/tiny?seconds=0.3"}
    assert all(pr["model"] == "models/tiny" for pr in provenance)
    prompts = sorted(pr["prompt"] for pr in provenance)
    assert "BAR" in prompts[0] and "HARBOUR" in prompts[1]
    assert all(pr["sampling_rate"] == 8000 and pr["seconds"] == 0.3 for pr in provenance)
    music, _ = soundfile.read(str(made.stems["music"]))
    assert np.abs(music).max() > 1e-3  # the random model's noise, looped under each scene
    again, _, _, report = sound()
    assert report.computed["cues"] == [] and again.key == made.key  # reused, not generated


def test_musicgen_is_seeded(tmp_path):
    _tiny_musicgen(tmp_path / "tiny")

    def cue(seed):
        request = CueRequest("s1", "instrumental film score", 0.2, seed, tmp_path)
        return soundfile.read(str(MusicGen("tiny").score(request).path))[0]

    first = cue(3)
    assert np.array_equal(first, cue(3))
    assert not np.array_equal(first, cue(4))


def test_a_missing_musicgen_model_is_named(tmp_path):
    backend = MusicGen("models/none")
    with pytest.raises(StoryreelError, match="musicgen: cannot load 'models/none'"):
        backend.score(CueRequest("s1", "a score", 1.0, 1, tmp_path))
