"""int8 inference: calibration, smoothing exact in fp32, what gets quantised, fp32 re-scoring of near-ties.

That smoothing brings int8 closer to fp32 is a property of real encoders: tested in test_e2e_default.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn
from torch.ao.nn.quantized import dynamic as nnqd
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.model import load_model
from pipeline.model.folder import CALIBRATION_FILE, load_calibration
from pipeline.model.quantize import SmoothedLinear, encoder_linears, quantize_int8, smooth
from tests._models import tiny_encoder, tiny_model_dir  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SENTENCES = ["Russia said the Aegis Ashore system threatens its security.",
             "The ministers met in Moscow on July 31.",
             "Japan's defense minister said the system is purely defensive, and that talks would go on.",
             "What comes next?"]
CONTEXTS = [""] + SENTENCES[:-1]


def outlier_inputs(n: int = 256, width: int = 64) -> torch.Tensor:
    """Activations like a transformer's: most channels small, two channels 40x larger."""
    x = torch.randn(n, width, generator=torch.Generator().manual_seed(0))
    x[:, :2] *= 40
    return x


def test_calibration_is_written_by_training_and_covers_every_encoder_linear(tiny_model_dir):  # noqa: F811
    maxima = load_calibration(tiny_model_dir)
    predictor = load_model(tiny_model_dir)
    linears = encoder_linears(predictor.model)
    assert maxima is not None and set(maxima) == set(linears)
    for name, linear in linears.items():
        assert maxima[name].shape == (linear.in_features,) and bool((maxima[name] > 0).all())


def test_smoothing_leaves_the_fp32_function_unchanged(tiny_model_dir):  # noqa: F811
    import copy

    predictor = load_model(tiny_model_dir)
    before = predictor.logits(SENTENCES, CONTEXTS)
    predictor.model = smooth(copy.deepcopy(predictor.model), load_calibration(tiny_model_dir))
    after = predictor.logits(SENTENCES, CONTEXTS)
    for field in before:
        np.testing.assert_allclose(after[field], before[field], atol=1e-4)


def test_quantize_int8_quantises_encoder_linears_but_query_and_key_and_keeps_the_original():
    layer = nn.ModuleDict({n: nn.Linear(64, 64) for n in ("query", "key", "value", "dense")})
    model = nn.ModuleDict({"encoder": layer, "heads": nn.Linear(64, 3)})
    x = outlier_inputs()
    maxima = {f"encoder.{n}": x.abs().amax(0) for n in ("query", "key", "value")}  # none for dense
    q = quantize_int8(model, maxima)
    assert isinstance(q["encoder"]["value"], SmoothedLinear)
    assert isinstance(q["encoder"]["value"].linear, nnqd.Linear)
    assert isinstance(q["encoder"]["dense"], nnqd.Linear)
    assert type(q["encoder"]["query"]) is nn.Linear and type(q["encoder"]["key"]) is nn.Linear
    assert type(q["heads"]) is nn.Linear
    assert all(type(m) is nn.Linear for m in layer.values())  # the fp32 model is untouched
    x = torch.randn(256, 64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():  # and int8 computes the same function, to int8 precision
        exact, approx = layer["dense"](x), q["encoder"]["dense"](x)
        assert float((approx - exact).norm() / exact.norm()) < 0.05


def test_near_ties_are_rescored_in_fp32(tiny_model_dir):  # noqa: F811
    exact = load_model(tiny_model_dir).logits(SENTENCES, CONTEXTS)
    everything = load_model(tiny_model_dir, precision="int8", fallback_margin=float("inf"))
    rescored = everything.logits(SENTENCES, CONTEXTS)
    assert everything.rescored == everything.scored == len(SENTENCES)
    for field in exact:
        np.testing.assert_array_equal(rescored[field], exact[field])
    pure = load_model(tiny_model_dir, precision="int8", fallback_margin=0.0)
    int8 = pure.logits(SENTENCES, CONTEXTS)
    assert pure.rescored == 0
    assert any(not np.array_equal(int8[f], exact[f]) for f in exact)  # int8 really ran


def test_calibrate_int8_command_restores_a_missing_calibration(tiny_model_dir, tmp_path):  # noqa: F811
    model = shutil.copytree(tiny_model_dir, tmp_path / "model", ignore=shutil.ignore_patterns("checkpoints"))
    (model / CALIBRATION_FILE).unlink()
    with pytest.warns(UserWarning, match="no int8 calibration"):
        load_model(model, precision="int8")
    runner = CliRunner()
    no_files = runner.invoke(app, ["calibrate-int8", str(model)])
    assert no_files.exit_code == 1 and "no training files recorded" in no_files.output
    done = runner.invoke(app, ["calibrate-int8", str(model), "--data", str(ROOT / "annotations" / "seed.jsonl")])
    assert done.exit_code == 0, done.output
    assert load_calibration(model) is not None
