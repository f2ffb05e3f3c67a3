"""Scoring speaker attribution against gold records: lenient name matching, name and side accuracy."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..attribution import SIDE_MIN_CONFIDENCE, ActorTable, attribute, combine, default_actors
from ..attribution.phrases import strip_titles
from ..attribution.vocabulary import DETERMINERS, TITLES


_NORM_DROP = DETERMINERS | {t.lower().rstrip(".") for t in TITLES}


def _norm_tokens(name: str) -> list[str]:
    words = re.findall(r"[\w.'’-]+", name.lower().replace("’s", "").replace("'s", ""))
    words = [w.strip(".'’-") for w in words]
    return [w for w in words if w and w not in _NORM_DROP]


def _drop_determiners(name: str) -> str:
    return " ".join(w for w in name.lower().split() if w not in DETERMINERS)


def same_speaker(predicted: str, gold: str, actors: ActorTable | None = None) -> bool:
    """Lenient name match: equal after dropping titles and determiners, the same surname or head word, one name's
    words all inside the other's ("Kono" ~ "Taro Kono", "officials" ~ "Japanese officials"), or the same actor
    by alias ("U.S." ~ "the United States")."""
    if predicted.lower() == gold.lower() or _drop_determiners(predicted) == _drop_determiners(gold):
        return True
    if "author" in (predicted, gold) or "unknown" in (predicted, gold):
        return False
    if actors is not None:
        a, b = actors.get(strip_titles(predicted)) or actors.get(predicted), actors.get(strip_titles(gold)) or actors.get(gold)
        if a is not None and a is b:
            return True
    p, g = _norm_tokens(predicted), _norm_tokens(gold)
    if not p or not g:
        return False
    return p == g or p[-1] == g[-1] or set(p) <= set(g) or set(g) <= set(p)


def evaluate_attribution(gold_records: Iterable[Mapping], actors: ActorTable | None = None,
                         classifier_sides: Mapping[str, str] | None = None,
                         classifier_confidence: Mapping[str, float] | None = None,
                         min_confidence: float = SIDE_MIN_CONFIDENCE) -> dict:
    """Speaker-name and speaker_side accuracy of attribution against gold records (``speaker``, ``speaker_side``).

    Sentences are grouped by ``doc_id`` and ordered by ``id``; :func:`combine` decides, as in labelling. Without
    ``classifier_sides`` (record id -> side) the rules stand alone, as if the classifier always said ``none``: no
    name found predicts ``author``/``none``, and a named speaker of unknown nationality ``other`` (the annotation
    rule for unnamed or foreign sources). With them, each side's probability comes from ``classifier_confidence``
    (record id -> p; 1.0 where absent).
    Returns overall accuracies, accuracies on gold non-author sentences, counts and the errors.
    """
    actors = default_actors() if actors is None else actors
    by_doc: dict[str, list[Mapping]] = {}
    for r in gold_records:
        by_doc.setdefault(r["doc_id"], []).append(r)
    n = name_ok = side_ok = quoted = quoted_name_ok = quoted_side_ok = 0
    errors = []
    for doc in by_doc.values():
        doc = sorted(doc, key=lambda r: r["id"])
        for r, found in zip(doc, attribute([r["text"] for r in doc], actors)):
            classifier_side = classifier_sides[r["id"]] if classifier_sides is not None else "none"
            confidence = (classifier_confidence or {}).get(r["id"], 1.0)
            speaker, side, _ = combine(found, classifier_side, confidence, min_confidence)
            ok_name = same_speaker(speaker, r["speaker"], actors)
            ok_side = side == r["speaker_side"]
            n += 1
            name_ok += ok_name
            side_ok += ok_side
            if r["speaker"] != "author":
                quoted += 1
                quoted_name_ok += ok_name
                quoted_side_ok += ok_side
            if not (ok_name and ok_side):
                errors.append({"id": r["id"], "gold": (r["speaker"], r["speaker_side"]), "predicted": (speaker, side)})
    nan = float("nan")
    return {
        "sentences": n,
        "name_accuracy": name_ok / n if n else nan,
        "side_accuracy": side_ok / n if n else nan,
        "attributed_sentences": quoted,
        "attributed_name_accuracy": quoted_name_ok / quoted if quoted else nan,
        "attributed_side_accuracy": quoted_side_ok / quoted if quoted else nan,
        "errors": errors,
    }
