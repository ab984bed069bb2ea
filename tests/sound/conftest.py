"""A tiny project whose cast speaks, and tiny randomly initialised Kokoro and Piper models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.hosted.conftest import ledger, server  # noqa: F401, F811  (the vendors' local server)

OPENAI_KEY, ELEVEN_KEY = "sk-openai-test-voice-0001", "xi-test-voice-0002"

TOML = """[film]
fps = "24"
width = 160
height = 90

[look]
aspect = "16:9"

[characters.MAYA]
description = "a woman in a grey coat"
{maya}
[characters.ELIAS]
description = "a man of forty"

[backends]
voice = "{voice}"
voice_takes = {takes}
"""

SCRIPT = """Title: Lines

INT. ARCHIVE - NIGHT

[[shot: MS MAYA, static, 1s, #sh1]]
MAYA reads.

MAYA
(whispering)
Still here.

ELIAS (O.S.)
Who is there?

[[shot: CU ELIAS, static, 1s, #sh2]]
ELIAS turns.

ELIAS
(beat)
It was never yours.
"""


def make_project(
    root: Path, voice: str = "espeak", maya: str = "", takes: int = 1, script: str = SCRIPT
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "storyreel.toml").write_text(TOML.format(voice=voice, maya=maya, takes=takes))
    (root / "script.fountain").write_text(script)
    return root


@pytest.fixture
def keys(monkeypatch, server):  # noqa: F811
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
    monkeypatch.setenv("ELEVENLABS_API_KEY", ELEVEN_KEY)
    monkeypatch.setenv("ELEVENLABS_BASE_URL", server.url)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "film")


def kokoro_model(folder: Path, voices: tuple[str, ...] = ("af_heart", "am_michael")) -> Path:
    """A Kokoro v1.0 graph with its real inputs and output (tokens int64 [1, n], style float32
    [1, 256], speed float32 [1] → audio float32 [samples]), random weights: 600 samples a token,
    scaled by the speed's inverse, so a faster line is shorter. And a voices file of `voices`."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.normal(0, 0.002, (1, 600)).astype(np.float32), "w")
    nodes = [
        helper.make_node("Cast", ["tokens"], ["t"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["t", "axis"], ["t3"]),
        helper.make_node("MatMul", ["t3", "w"], ["frames"]),
        helper.make_node("ReduceMean", ["style"], ["s"], keepdims=0),
        helper.make_node("Mul", ["frames", "s"], ["styled"]),
        helper.make_node("Tanh", ["styled"], ["wave"]),
        helper.make_node("Reshape", ["wave", "flat"], ["audio_full"]),
        helper.make_node("Reciprocal", ["speed"], ["slow"]),
        helper.make_node("Shape", ["audio_full"], ["n"]),
        helper.make_node("Cast", ["n"], ["nf"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["nf", "slow"], ["keepf"]),
        helper.make_node("Cast", ["keepf"], ["keep"], to=TensorProto.INT64),
        helper.make_node("Slice", ["audio_full", "zero", "keep"], ["audio"]),
    ]
    graph = helper.make_graph(
        nodes,
        "kokoro-tiny",
        [
            helper.make_tensor_value_info("tokens", TensorProto.INT64, [1, "n"]),
            helper.make_tensor_value_info("style", TensorProto.FLOAT, [1, 256]),
            helper.make_tensor_value_info("speed", TensorProto.FLOAT, [1]),
        ],
        [helper.make_tensor_value_info("audio", TensorProto.FLOAT, ["samples"])],
        [
            w,
            numpy_helper.from_array(np.array([2], np.int64), "axis"),
            numpy_helper.from_array(np.array([-1], np.int64), "flat"),
            numpy_helper.from_array(np.array([0], np.int64), "zero"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(model, folder / "kokoro-v1.0.onnx")
    styles = {
        v: (1 + i + rng.random((510, 1, 256))).astype(np.float32) for i, v in enumerate(voices)
    }
    with open(folder / "voices-v1.0.bin", "wb") as f:
        np.savez(f, **styles)
    return folder


PHONEMES = "_^$ !'(),-.:;?abcdefghijklmnopqrstuvwxyzæçðøħŋœǀǁǂǃɐɑɒɓɔɕɖɗɘəɚɛɜɝɞɟɠɡɢɣɤɥɦɧɨɪɫɬɭɮɯɰɱɲɳɴɵɶɸɹɺɻɽɾʀʁʂʃʄʈʉʊʋʌʍʎʏʐʑʒʔʕʘʙʛʜʝʟʡʢʲˈˌːˑ˞βθχᵻⱱ"


def piper_voice(folder: Path, name: str = "en_US-tiny-medium") -> Path:
    """A Piper (VITS) graph with its real inputs and output (input int64 [1, n], input_lengths
    int64 [1], scales float32 [3] → output float32 [1, 1, 1, samples]), random weights: 128
    samples a phoneme id times the length scale (up to 2); and its `.onnx.json` config."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(1)
    w = numpy_helper.from_array(rng.normal(0, 0.01, (1, 256)).astype(np.float32), "w")
    nodes = [
        helper.make_node("Cast", ["input"], ["x"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["x", "axis"], ["x3"]),
        helper.make_node("MatMul", ["x3", "w"], ["frames"]),
        helper.make_node("Tanh", ["frames"], ["wave"]),
        helper.make_node("Reshape", ["wave", "flat"], ["full"]),
        helper.make_node("Gather", ["scales", "one"], ["length_scale"]),
        helper.make_node("Shape", ["full"], ["n"]),
        helper.make_node("Cast", ["n"], ["nf"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["nf", "length_scale"], ["scaled"]),
        helper.make_node("Mul", ["scaled", "half"], ["keepf"]),
        helper.make_node("Min", ["keepf", "nf"], ["keepm"]),
        helper.make_node("Cast", ["keepm"], ["keep"], to=TensorProto.INT64),
        helper.make_node("Slice", ["full", "zero", "keep"], ["cut"]),
        helper.make_node("Reshape", ["cut", "shape4"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "piper-tiny",
        [
            helper.make_tensor_value_info("input", TensorProto.INT64, [1, "n"]),
            helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
            helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
        ],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, 1, "samples"])],
        [
            w,
            numpy_helper.from_array(np.array([2], np.int64), "axis"),
            numpy_helper.from_array(np.array([-1], np.int64), "flat"),
            numpy_helper.from_array(np.array([1], np.int64), "one"),
            numpy_helper.from_array(np.array([0], np.int64), "zero"),
            numpy_helper.from_array(np.array([1, 1, 1, -1], np.int64), "shape4"),
            numpy_helper.from_array(np.array(0.5, np.float32), "half"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(model, folder / f"{name}.onnx")
    config = {
        "audio": {"sample_rate": 22050},
        "espeak": {"voice": "en-us"},
        "phoneme_type": "espeak",
        "num_symbols": len(PHONEMES),
        "num_speakers": 1,
        "inference": {"noise_scale": 0.667, "length_scale": 1.0, "noise_w": 0.8},
        "phoneme_id_map": {p: [i] for i, p in enumerate(PHONEMES)},
    }
    (folder / f"{name}.onnx.json").write_text(json.dumps(config, ensure_ascii=False))
    return folder / f"{name}.onnx"
