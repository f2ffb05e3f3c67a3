"""Inference precision: choosing one, bf16 autocast with fp32 heads, fp32 re-scoring of bf16 near-ties."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from pipeline.model import precision as precision_mod
from pipeline.model import load_model
from pipeline.model.precision import resolve
from pipeline.model.quantize import encoder_linears
from tests._models import tiny_encoder, tiny_model_dir  # noqa: F401
from tests.model.test_quantize import CONTEXTS, SENTENCES


def test_auto_picks_bf16_only_where_it_is_native(monkeypatch):
    monkeypatch.setattr(precision_mod, "native_bf16", lambda device="cpu": True)
    assert resolve("auto") == "bf16"
    monkeypatch.setattr(precision_mod, "native_bf16", lambda device="cpu": False)
    assert resolve("auto") == "fp32"
    assert resolve("int8") == "int8" and resolve("fp32") == "fp32"
    with pytest.warns(UserWarning, match="no native bf16"):
        assert resolve("bf16") == "bf16"
    with pytest.raises(ValueError, match="unknown precision 'fp16'"):
        resolve("fp16")


def bf16(model_dir, margin):
    with warnings.catch_warnings():  # emulated bf16 warns on CPUs without it; it still computes bf16
        warnings.simplefilter("ignore")
        return load_model(model_dir, precision="bf16", fallback_margin=margin)


def test_bf16_runs_the_encoder_in_bf16_and_the_heads_in_fp32(tiny_model_dir):  # noqa: F811
    predictor = bf16(tiny_model_dir, 0.0)
    seen = {}

    def record(name):
        def hook(_module, _inputs, out):
            seen.setdefault(name, out.dtype)
        return hook

    linears = encoder_linears(predictor.model)
    for name in linears:
        linears[name].register_forward_hook(record(name))
    predictor.model.heads["stance"].register_forward_hook(record("head"))
    out = predictor.logits(SENTENCES, CONTEXTS)
    assert {seen[name] for name in linears} == {torch.bfloat16}
    assert seen["head"] == torch.float32
    assert all(v.dtype == np.float32 for v in out.values())


def test_bf16_near_ties_are_rescored_in_fp32(tiny_model_dir):  # noqa: F811
    exact = load_model(tiny_model_dir).logits(SENTENCES, CONTEXTS)
    everything = bf16(tiny_model_dir, float("inf"))
    rescored = everything.logits(SENTENCES, CONTEXTS)
    assert everything.rescored == everything.scored == len(SENTENCES)
    for field in exact:
        np.testing.assert_array_equal(rescored[field], exact[field])
    pure = bf16(tiny_model_dir, 0.0)
    approx = pure.logits(SENTENCES, CONTEXTS)
    assert pure.rescored == 0
    assert any(not np.array_equal(approx[f], exact[f]) for f in exact)  # bf16 really ran
    for field in exact:  # and computed the same function, to bf16 precision
        np.testing.assert_allclose(approx[field], exact[field], atol=0.1)
