"""The speaker_side the labelling job writes, on gold sentence units: attribution's side where it finds a speaker of
known side, the classifier's where it is sure enough, the annotation default otherwise
(:func:`pipeline.attribution.combine`). Scored beside the classifier's own side, it is the figure users get."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..attribution import SIDE_MIN_CONFIDENCE, Attribution, combine, default_actors
from ..attribution.article import attribute_parts
from ..attribution.tagged import attribute_tagged
from ..model.features import article_rows
from ..model.folder import LABELLING_JOB
from ..schema import LABELS

__all__ = ["GRID", "LABELLING_JOB", "corpus_attribution", "corpus_attribution_parts", "job_predictions", "job_sides",
           "tagged_attribution", "threshold_grid"]
#: Thresholds on the classifier's calibrated side probability tried by cross-validation (:func:`threshold_grid`).
GRID = (0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.01)


def corpus_attribution(doc_ids: Sequence[str], texts: Sequence[str]) -> list[Attribution]:
    """Attribution of every corpus row, each article attributed as a whole in reading order (as the job does)."""
    return corpus_attribution_parts(doc_ids, texts)[1]


def corpus_attribution_parts(doc_ids: Sequence[str], texts: Sequence[str]) -> tuple[list[Attribution], list[Attribution]]:
    """(the rules' own finding, :func:`corpus_attribution`'s) for every corpus row, the rules walked once: what
    :func:`tagged_attribution` combines a tagger's reading with."""
    actors = default_actors()
    rules: list[Attribution] = [Attribution(None, None)] * len(texts)
    found: list[Attribution] = [Attribution(None, None)] * len(texts)
    for rows in article_rows(doc_ids):
        for i, r, f in zip(rows, *attribute_parts([texts[i] for i in rows], actors)):
            rules[i], found[i] = r, f
    return rules, found


def tagged_attribution(doc_ids: Sequence[str], texts: Sequence[str], rows: Sequence[int], states: Sequence,
                       min_confidence: float, author_confidence: float,
                       rules: Sequence[Attribution] | None = None) -> list[Attribution]:
    """Attribution of ``rows`` (whole articles, in reading order within each) from the rules and the learned
    attributor's ``states`` of those rows (:func:`pipeline.attribution.tagged.attribute_tagged`), in the order of
    ``rows``; ``rules``: the rules' finding for every corpus row (:func:`corpus_attribution_parts`), where the
    caller has it, so that they are not walked again."""
    actors = default_actors()
    rows = [int(r) for r in rows]
    at = {r: k for k, r in enumerate(rows)}
    out: list[Attribution] = [Attribution(None, None)] * len(rows)
    for article in article_rows([doc_ids[r] for r in rows]):
        which = [rows[k] for k in article]
        found = attribute_tagged([texts[r] for r in which], [states[at[r]] for r in which], actors,
                                 rules=None if rules is None else [rules[r] for r in which],
                                 min_confidence=min_confidence, author_confidence=author_confidence)
        for r, f in zip(which, found):
            out[at[r]] = f
    return out


def job_sides(found: Sequence[Attribution], side_probs: np.ndarray, min_confidence: float = SIDE_MIN_CONFIDENCE,
              claims: Sequence[int] | None = None) -> np.ndarray:
    """Label ids of the side the job writes per row, from attribution, the classifier's calibrated side probabilities
    and its claim label ids (a commentary writer's narration of fact is the author's, as in the labeller)."""
    labels, claim_labels = list(LABELS["speaker_side"]), list(LABELS["claim"])
    best = side_probs.argmax(1)
    claim_of = [None] * len(found) if claims is None else [claim_labels[int(c)] for c in claims]
    return np.array([labels.index(combine(f, labels[b], float(p[b]), min_confidence, claim=c)[1])
                     for f, b, p, c in zip(found, best, side_probs, claim_of)], dtype=int)


def job_predictions(finetuned: dict[str, np.ndarray], found: Sequence[Attribution],
                    side_probs: np.ndarray) -> dict[str, np.ndarray]:
    """The labelling job's label ids per field: the fine-tuned model's, its speaker_side decided as the job decides
    it (:func:`job_sides`, with the model's own claim)."""
    return {**finetuned, "speaker_side": job_sides(found, side_probs, claims=finetuned.get("claim"))}


def threshold_grid(found: Sequence[Attribution], side_probs: np.ndarray, gold: np.ndarray,
                   grid: Sequence[float] = GRID, claims: Sequence[int] | None = None) -> dict[str, dict[str, float]]:
    """Accuracy and macro-F1 of the job's side at each threshold (choose it on cross-validation, never on test)."""
    from sklearn.metrics import accuracy_score, f1_score

    out = {}
    for t in grid:
        pred = job_sides(found, side_probs, t, claims)
        out[f"{t:g}"] = {"accuracy": float(accuracy_score(gold, pred)),
                         "macro_f1": float(f1_score(gold, pred, average="macro", zero_division=0))}
    return out
