"""Combining the rules' attribution with the classifier's ``speaker_side``: which of the two decides, and when."""

from __future__ import annotations

from .actors import Attribution, WriterView

#: Where the rules find no speaker (or no side for the one they find), a classifier side other than ``none`` stands
#: only at this calibrated probability or above; below it the annotation default holds (the author's sentence; a
#: named speaker of unknown side is ``other``). Chosen by cross-validation over the real training articles
#: (``job_side_thresholds`` of ``stance evaluate`` / ``stance ablation``): with the speaker given to the classifier
#: as input, the labelling job's speaker_side macro-F1 was 0.781 at 0, 0.807 at 0.6, 0.809 at 0.7, 0.804 at 0.85 and
#: 0.802 at 1.01 (3 folds, 100 articles). (It was 0.85 when chosen on the seed articles alone.)
SIDE_MIN_CONFIDENCE = 0.7


def combine(found: Attribution, classifier_side: str, confidence: float = 1.0,
            min_confidence: float = SIDE_MIN_CONFIDENCE, claim: str | None = None) -> tuple[str, str, str]:
    """(speaker, speaker_side, how) from the rules' attribution and the classifier's side (with its probability).

    A named speaker whose side is known (actors table or nationality word) wins. Otherwise the classifier's side is
    used where its ``confidence`` reaches ``min_confidence``, and the annotation rule's default where it does not
    (how: ``default``): a named speaker of unknown side is ``other``; a sentence with no name found is the author's.
    A named speaker keeps its name whatever the classifier says; with no name found, the speaker is ``author`` for
    side ``none`` and ``unknown`` for any other side. A commentary writer (:class:`WriterView`) speaks only the
    sentences whose ``claim`` (the classifier's) is not ``fact``: the writer's narration is the author's.
    """
    if isinstance(found, WriterView) and claim == "fact":
        found = Attribution(None, None)
    if found.speaker and found.side:
        return found.speaker, found.side, "attribution"
    sure = confidence >= min_confidence
    if found.speaker:
        if classifier_side != "none" and sure:
            return found.speaker, classifier_side, "attribution+classifier"
        return found.speaker, "other", "default"
    if classifier_side == "none":
        return "author", "none", "classifier"
    if not sure:
        return "author", "none", "default"
    return "unknown", classifier_side, "classifier"
