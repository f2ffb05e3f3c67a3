"""Per-field scores of predicted labels against gold: macro-F1 and accuracy per fold, pooled report, confusion."""

from __future__ import annotations

import numpy as np


def field_metrics(gold: np.ndarray, pred: np.ndarray, fold_of: np.ndarray, labels: list[str]) -> dict:
    """Per-fold macro-F1/accuracy (mean, sd) and the pooled report and confusion matrix over all folds."""
    from sklearn.metrics import (
        accuracy_score,
        classification_report,
        confusion_matrix,
        f1_score,
    )

    folds = []
    for k in np.unique(fold_of):
        sel = fold_of == k
        folds.append({
            "fold": int(k),
            "macro_f1": float(f1_score(gold[sel], pred[sel], average="macro", zero_division=0)),
            "accuracy": float(accuracy_score(gold[sel], pred[sel])),
        })
    ids = list(range(len(labels)))
    f1s = np.array([f["macro_f1"] for f in folds])
    accs = np.array([f["accuracy"] for f in folds])
    return {
        "folds": folds,
        "macro_f1_mean": float(f1s.mean()), "macro_f1_std": float(f1s.std()),
        "accuracy_mean": float(accs.mean()), "accuracy_std": float(accs.std()),
        "macro_f1_pooled": float(f1_score(gold, pred, labels=ids, average="macro", zero_division=0)),
        "report": classification_report(gold, pred, labels=ids, target_names=labels, output_dict=True, zero_division=0),
        "confusion": {"labels": labels, "matrix": confusion_matrix(gold, pred, labels=ids).tolist()},
    }
