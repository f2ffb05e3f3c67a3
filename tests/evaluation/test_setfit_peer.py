"""The SetFit peer on the tiny encoder: label ids of the right shape, the same ones for the same seed, a toy
problem learnt, and a clear reason when the optional extra is missing."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from pipeline.config import SetFitConfig
from pipeline.evaluation import baselines, setfit_peer
from pipeline.evaluation.baselines import BASELINES, TEST_PEERS, PeerUnavailable, fit_predict, peer_unavailable

CAP = SetFitConfig(max_steps=12, batch_size=8, max_seq_length=32, body_learning_rate=1e-3)
needs_setfit = pytest.mark.skipif(setfit_peer.unavailable_reason() is not None, reason="the optional peers extra is not installed")

#: Two classes told apart by one word each; the fillers are shared, so nothing else separates them.
FILLERS = ["on Monday", "in a statement", "after the talks", "at the summit", "before the vote", "late last year",
           "to reporters", "in parliament", "during the visit", "on state television"]


def toy(word_a: str = "Moscow warned", word_b: str = "Tokyo welcomed", fillers=FILLERS) -> tuple[list[str], np.ndarray]:
    texts = [f"{w} the plan {f}." for f in fillers for w in (word_a, word_b)]
    return texts, np.array([0, 1] * len(fillers))


def head():
    return LogisticRegression(max_iter=2000, C=10.0, random_state=0)


def test_setfit_is_a_test_split_peer_only():
    assert "setfit" in TEST_PEERS and "setfit" not in BASELINES
    assert set(BASELINES) <= set(TEST_PEERS)
    assert peer_unavailable("tfidf_logreg") is None


def test_missing_extra_is_a_clear_error(monkeypatch):
    for module in (setfit_peer, baselines):
        monkeypatch.setattr(module, "unavailable_reason", lambda: setfit_peer.INSTALL_HINT)
    texts, y = toy()
    with pytest.raises(PeerUnavailable, match=r"\[peers\]"):
        fit_predict("setfit", texts, y, texts[:2], setfit=CAP)
    assert "peers" in baselines.peer_unavailable("setfit")


@needs_setfit
def test_shapes_and_determinism(tiny_encoder):
    texts, y = toy()
    y = np.array([0, 1, 2, 1] * 5)  # three classes, ids as the schema gives them
    test = ["Moscow warned the plan at dawn.", "Tokyo welcomed it.", "Nothing happened."]
    a = setfit_peer.fit_predict_setfit(texts, y, test, str(tiny_encoder), head(), seed=3, cap=CAP)
    b = setfit_peer.fit_predict_setfit(texts, y, test, str(tiny_encoder), head(), seed=3, cap=CAP)
    assert a.shape == (3,) and a.dtype == y.dtype and set(a.tolist()) <= {0, 1, 2}
    assert np.array_equal(a, b)
    assert setfit_peer.fit_predict_setfit(texts, y, [], str(tiny_encoder), head(), cap=CAP).shape == (0,)


@needs_setfit
def test_fields_one_model_each_and_a_constant_field(tiny_encoder):
    texts, y = toy()
    test, _ = toy(fillers=["at noon", "by phone"])
    out = setfit_peer.fit_predict_fields(texts, {"stance": y, "claim": np.full(len(y), 2)}, test, str(tiny_encoder),
                                         head, seed=1, cap=CAP)
    assert set(out) == {"stance", "claim"}
    assert out["stance"].shape == (len(test),) and np.array_equal(out["claim"], np.full(len(test), 2))


@needs_setfit
def test_learns_a_separable_toy_problem(tiny_encoder):
    texts, y = toy()
    test, gold = toy(fillers=["at noon", "by phone", "in the morning", "once more", "this week"])
    cap = SetFitConfig(max_steps=40, batch_size=8, max_seq_length=32, body_learning_rate=1e-3)
    pred = fit_predict("setfit", texts, y, test, seed=5, encoder=str(tiny_encoder), setfit=cap)
    assert (pred == gold).mean() >= 0.9


def separation(embeddings: np.ndarray, y: np.ndarray) -> float:
    """Mean cosine within a class minus mean cosine across classes."""
    e = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    sim = e @ e.T
    same = y[:, None] == y[None, :]
    off = ~np.eye(len(y), dtype=bool)
    return float(sim[same & off].mean() - sim[~same].mean())


@needs_setfit
def test_contrastive_stage_pulls_classes_apart(tiny_encoder):
    from sentence_transformers import SentenceTransformer

    texts, y = toy()
    before = separation(SentenceTransformer(str(tiny_encoder), device="cpu").encode(texts), y)
    cap = SetFitConfig(max_steps=40, batch_size=8, max_seq_length=32, body_learning_rate=1e-3)
    model = setfit_peer.train_setfit(texts, y, str(tiny_encoder), head(), seed=5, cap=cap)
    after = separation(model.model_body.encode(texts), y)
    assert after > before + 0.1
