"""Shared model fixtures: a tiny random encoder and a tiny trained model folder (session-scoped, seconds)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory):
    from pipeline.model.tiny import make_tiny_encoder

    return make_tiny_encoder(tmp_path_factory.mktemp("tiny-encoder"))


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, tiny_encoder):
    """A model folder trained for 1 epoch on a few synthetic sentences with the tiny encoder."""
    from datasets import ClassLabel, Dataset, Features, Value

    from pipeline.config import TrainConfig
    from pipeline.schema import FIELDS, LABELS
    from pipeline.model.train import fit

    texts = [
        ("Russia said the Aegis Ashore system threatens its security.", "russian", "russian", "claim", "missile_defense"),
        ("Japan's defense minister said the system is purely defensive.", "japanese", "japanese", "claim", "missile_defense"),
        ("The ministers met in Moscow on July 31.", "none", "neutral", "fact", "diplomacy"),
        ("A U.S. official said the alliance covers the islands.", "us", "us", "claim", "territory"),
        ("China's foreign ministry criticised the deployment.", "other", "neutral", "claim", "military"),
        ("What comes next?", "none", "neutral", "other", "other"),
    ] * 3
    feats = Features({"text": Value("string"), "context": Value("string"), "doc_id": Value("string"),
                      "source": Value("string"), **{f: ClassLabel(names=list(LABELS[f])) for f in FIELDS}})
    rows = {"text": [t[0] for t in texts], "context": [""] + [t[0] for t in texts[:-1]],
            "doc_id": ["d"] * len(texts), "source": ["written"] * len(texts)}
    for i, f in enumerate(FIELDS):
        rows[f] = [t[i + 1] for t in texts]
    out = tmp_path_factory.mktemp("tiny-model")
    config = TrainConfig(name="tiny", encoder=str(tiny_encoder), epochs=1, batch_size=8, max_length=64)
    fit(config, Dataset.from_dict(rows, features=feats), out, progress=False)
    return out
