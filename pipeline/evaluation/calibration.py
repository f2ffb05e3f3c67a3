"""Calibration: expected calibration error and temperature scaling of a head's logits."""

from __future__ import annotations

import numpy as np


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def reliability_bins(confidence, correct, n_bins: int = 10) -> tuple[list[tuple[float, float, int, float, float]], float]:
    """Equal-width confidence bins over [0, 1]: rows of (lo, hi, n, mean confidence, accuracy), and the ECE,
    the mean |accuracy - confidence| over bins weighted by their size. NaN confidences are dropped."""
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    keep = ~np.isnan(conf)
    conf, ok = conf[keep], ok[keep]
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, n_bins - 1)
    rows, ece = [], 0.0
    for b in range(n_bins):
        sel = idx == b
        n = int(sel.sum())
        mean_conf = float(conf[sel].mean()) if n else float("nan")
        acc = float(ok[sel].mean()) if n else float("nan")
        if n:
            ece += n / len(conf) * abs(acc - mean_conf)
        rows.append((float(edges[b]), float(edges[b + 1]), n, mean_conf, acc))
    return rows, (float(ece) if len(conf) else float("nan"))


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, n_bins: int = 10) -> float:
    """ECE of the top-1 probability of each row of ``probs`` against integer ``labels``."""
    if len(labels) == 0:
        return float("nan")
    return reliability_bins(probs.max(axis=1), probs.argmax(axis=1) == labels, n_bins)[1]


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature T > 0 minimising the negative log-likelihood of softmax(logits / T)."""
    from scipy.optimize import minimize_scalar

    if len(labels) == 0:
        return 1.0

    def nll(log_t: float) -> float:
        p = softmax(logits, float(np.exp(log_t)))
        return float(-np.log(np.clip(p[np.arange(len(labels)), labels], 1e-12, None)).mean())

    res = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(res.x))
