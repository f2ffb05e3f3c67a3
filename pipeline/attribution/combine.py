"""Combining the rules' attribution with the classifier's ``speaker_side``: which of the two decides, and when."""

from __future__ import annotations

from .actors import Attribution, WriterView

#: Where the rules find no speaker (or no side for the one they find), a classifier side other than ``none`` stands
#: only at this calibrated probability or above; below it the annotation default holds (the author's sentence; a
#: named speaker of unknown side is ``other``). Out of fold on the seed articles the classifier gave
#: such a side to 28 sentences with no rule-found speaker, none above 0.83, and 26 of them were narration (gold
#: ``none``): it tends to read whose position a sentence carries as who says it. The value is the smallest that
#: maximises name + side accuracy on the seed gold (``benchmarks/attribution.py`` prints that choice and the
#: accuracy of choosing it by article-nested cross-validation).
SIDE_MIN_CONFIDENCE = 0.85


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
