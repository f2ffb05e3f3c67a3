"""Baselines the fine-tuned model must beat, fitted on exactly the same folds.

- ``majority``: the most frequent training label.
- ``tfidf_logreg``: TF-IDF word 1-2-grams of the sentence + logistic regression.
- ``minilm_logreg``: frozen all-MiniLM-L6-v2 sentence embeddings (mean pooled) + logistic regression.
- ``setfit``: the same encoder contrastively fine-tuned per field (SetFit), then the same logistic regression
  (:mod:`.setfit_peer`; optional extra ``peers``). Too costly for every fold, so it is in :data:`TEST_PEERS`
  (the test split) and not in :data:`BASELINES` (cross-validation).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..config import DEFAULT_ENCODER, SetFitConfig, resolve_encoder
from .setfit_peer import PeerUnavailable, fit_predict_setfit, unavailable_reason

#: The peers cross-validation fits on every fold.
BASELINES = ("majority", "tfidf_logreg", "minilm_logreg")
#: The peers fitted once, on the test split's training rows: the cross-validated ones plus SetFit.
TEST_PEERS = BASELINES + ("setfit",)

__all__ = ["BASELINES", "TEST_PEERS", "PeerUnavailable", "embed", "fit_predict", "peer_unavailable"]


def peer_unavailable(name: str) -> str | None:
    """Why peer ``name`` cannot run in this environment (an optional extra missing), or None when it can."""
    return unavailable_reason() if name == "setfit" else None


def embed(texts: Sequence[str], encoder_path: str, batch_size: int = 64, max_length: int = 128) -> np.ndarray:
    """Frozen encoder embeddings: attention-masked mean of the last hidden state, L2-normalised."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(encoder_path, trust_remote_code=False)
    model = AutoModel.from_pretrained(encoder_path, trust_remote_code=False).eval()
    out = []
    with torch.inference_mode():
        for s in range(0, len(texts), batch_size):
            enc = tok(list(texts[s : s + batch_size]), padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).float()
            v = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            out.append(torch.nn.functional.normalize(v, dim=-1).numpy())
    return np.concatenate(out) if out else np.zeros((0, 0), dtype=np.float32)


def _logreg(seed: int):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=3000, class_weight="balanced", C=2.0, random_state=seed)


def fit_predict(name: str, train_texts, train_y: np.ndarray, test_texts, seed: int = 13,
                train_emb: np.ndarray | None = None, test_emb: np.ndarray | None = None,
                encoder: str = DEFAULT_ENCODER, setfit: SetFitConfig | None = None) -> np.ndarray:
    """Fit baseline ``name`` on one field's training labels and predict the test rows' label ids.
    ``encoder`` and ``setfit`` (its cost cap) are read by ``setfit`` only, which raises :class:`PeerUnavailable`
    when its extra is not installed."""
    if len(set(train_y.tolist())) < 2 or name == "majority":
        values, counts = np.unique(train_y, return_counts=True)
        return np.full(len(test_texts), values[counts.argmax()])
    if name == "tfidf_logreg":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline

        clf = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1), _logreg(seed))
        return clf.fit(list(train_texts), train_y).predict(list(test_texts))
    if name == "minilm_logreg":
        if train_emb is None or test_emb is None:
            raise ValueError("minilm_logreg needs precomputed embeddings")
        return _logreg(seed).fit(train_emb, train_y).predict(test_emb)
    if name == "setfit":
        return fit_predict_setfit(list(train_texts), train_y, list(test_texts), resolve_encoder(encoder), _logreg(seed),
                                  seed, setfit)
    raise ValueError(f"unknown baseline {name!r}; choose from {TEST_PEERS}")
