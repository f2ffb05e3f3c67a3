"""The onnx backend: the same logits as torch fp32, the export cached by weights, a clear error without onnxruntime."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from safetensors.torch import load_file, save_file
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.labelling import JobError, label_paths
from pipeline.model import load_model
from pipeline.model import onnx_backend
from pipeline.model.folder import HEADS_FILE, ONNX_DIR
from pipeline.model.onnx_backend import BackendUnavailable, resolve_backend
from tests._models import tiny_encoder, tiny_model_dir  # noqa: F401
from tests.model.test_quantize import CONTEXTS, SENTENCES

#: Sentences of many lengths, so batches of 3 come in several widths with padding in most of them.
TEXTS = SENTENCES + [" ".join(SENTENCES[: k % 4 + 1])[: 20 + 17 * k] for k in range(11)]
PAIRS = CONTEXTS + [TEXTS[k - 1] if k % 3 else "" for k in range(len(SENTENCES), len(TEXTS))]


@pytest.fixture
def model_copy(tiny_model_dir, tmp_path):  # noqa: F811
    return shutil.copytree(tiny_model_dir, tmp_path / "model")


def test_onnx_logits_equal_torch_fp32_and_the_labels_are_identical(model_copy):
    pytest.importorskip("onnxruntime")
    torch_p = load_model(model_copy, backend="torch")
    onnx_p = load_model(model_copy, backend="onnx")
    assert torch_p.backend == "torch" and onnx_p.backend == "onnx" and onnx_p.precision == "fp32"
    for batch_size in (3, 64):
        a = torch_p.logits(TEXTS, PAIRS, batch_size=batch_size)
        b = onnx_p.logits(TEXTS, PAIRS, batch_size=batch_size)
        for f in a:
            assert b[f].dtype == np.float32 and b[f].shape == a[f].shape
            np.testing.assert_allclose(b[f], a[f], atol=1e-4, rtol=1e-4)
    preds_t, preds_o = torch_p.predict(TEXTS, PAIRS), onnx_p.predict(TEXTS, PAIRS)
    assert [{f: p[f] for f in torch_p.fields} for p in preds_t] == [{f: p[f] for f in onnx_p.fields} for p in preds_o]


def test_the_export_is_cached_by_weights_and_a_retrained_model_gets_a_new_one(model_copy, monkeypatch):
    pytest.importorskip("onnxruntime")
    first = load_model(model_copy, backend="onnx").runner.path
    assert first.parent == model_copy / ONNX_DIR and first.name.startswith("model-")

    def no_export(*args, **kwargs):
        raise AssertionError("exported again although the weights did not change")

    monkeypatch.setattr(onnx_backend, "export", no_export)
    assert load_model(model_copy, backend="onnx").runner.path == first
    monkeypatch.undo()
    heads = load_file(str(model_copy / HEADS_FILE))
    name = next(k for k in heads if k.endswith("bias"))
    heads[name] = heads[name] + 1.0
    save_file(heads, str(model_copy / HEADS_FILE))
    retrained = load_model(model_copy, backend="onnx")
    assert retrained.runner.path != first and not first.exists()
    exact = load_model(model_copy, backend="torch").logits(TEXTS, PAIRS)
    got = retrained.logits(TEXTS, PAIRS)
    for f in exact:
        np.testing.assert_allclose(got[f], exact[f], atol=1e-4, rtol=1e-4)


def test_without_onnxruntime_onnx_fails_clearly_and_auto_runs_torch(model_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(onnx_backend, "available", lambda: False)
    with pytest.raises(BackendUnavailable, match=r"onnxruntime.*pip install"):
        load_model(model_copy, backend="onnx")
    assert load_model(model_copy, backend="auto").backend == "torch"
    assert not (model_copy / ONNX_DIR).exists()
    with pytest.raises(JobError, match="onnxruntime"):
        label_paths([tmp_path], tmp_path / "out", model_dir=model_copy, backend="onnx", progress=False)
    feed = tmp_path / "in.txt"
    feed.write_text("Russia said the system threatens its security.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["label", str(feed), "--out", str(tmp_path / "cli"), "--model", str(model_copy),
                                      "--backend", "onnx", "--no-progress"])
    assert result.exit_code == 2 and "onnxruntime" in result.output


def test_onnx_is_fp32_only_and_backends_are_checked(monkeypatch):
    monkeypatch.setattr(onnx_backend, "available", lambda: True)
    assert resolve_backend("auto", "fp32") == "onnx"
    assert resolve_backend("auto", "int8") == "torch" and resolve_backend("torch", "fp32") == "torch"
    with pytest.raises(ValueError, match="fp32 only"):
        resolve_backend("onnx", "int8")
    with pytest.raises(ValueError, match="unknown backend 'tvm'"):
        resolve_backend("tvm", "fp32")


def test_the_speaker_tagger_runs_on_onnx_with_the_classifier_and_reads_as_torch(model_copy, tiny_encoder):  # noqa: F811
    pytest.importorskip("onnxruntime")
    from pipeline.attribution.span_tagger import SpeakerTagger
    from pipeline.model.folder import TAGGER_DIR

    SpeakerTagger(str(tiny_encoder)).save(model_copy / TAGGER_DIR)  # untrained layers: any weights must read alike
    torch_p, onnx_p = load_model(model_copy, backend="torch"), load_model(model_copy, backend="onnx")
    assert torch_p.tagger.runner is None and onnx_p.tagger.runner.backend == "onnx"
    assert onnx_p.tagger.runner.path.parent == model_copy / ONNX_DIR and onnx_p.tagger.runner.path.name.startswith("tagger-")
    a, b = torch_p.tagger_states(TEXTS, PAIRS), onnx_p.tagger_states(TEXTS, PAIRS)
    assert len(a) == len(b) == len(TEXTS)
    for x, y in zip(a, b):
        np.testing.assert_allclose(y.decision, x.decision, atol=1e-5)
        np.testing.assert_allclose(y.tags, x.tags, atol=1e-5)
        assert (x.offsets == y.offsets).all()
    # both graphs live side by side in the cache: loading again exports neither
    assert load_model(model_copy, backend="onnx").tagger.runner.path == onnx_p.tagger.runner.path
    assert onnx_p.runner.path.exists() and len(list((model_copy / ONNX_DIR).glob("*.onnx"))) == 2
    # reduced precisions keep the tagger on torch
    assert load_model(model_copy, backend="auto", precision="bf16").tagger.runner is None
