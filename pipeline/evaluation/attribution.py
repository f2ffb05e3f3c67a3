"""Scoring speaker attribution against gold records: lenient name matching, name and side accuracy."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from ..attribution import SIDE_MIN_CONFIDENCE, ActorTable, Attribution, attribute, combine, default_actors
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


def score_found(found: Sequence[Attribution], gold_speakers: Sequence[str], gold_sides: Sequence[str],
                actors: ActorTable | None = None) -> dict:
    """Speaker-name and side accuracy of attribution results on gold sentence units, with the annotation defaults
    for what they leave open (nobody: ``author`` / ``none``; a speaker of unknown side: ``other``)."""
    actors = default_actors() if actors is None else actors
    names = sides = 0
    for f, speaker, side in zip(found, gold_speakers, gold_sides):
        name, got = combine(f, None)[:2]
        names += same_speaker(name, speaker, actors)
        sides += got == side
    n = len(gold_speakers)
    return {"n": n, "name_accuracy": names / n if n else 0.0, "side_accuracy": sides / n if n else 0.0}


def evaluate_attribution(gold_records: Iterable[Mapping], actors: ActorTable | None = None,
                         classifier_sides: Mapping[str, str] | None = None,
                         classifier_confidence: Mapping[str, float] | None = None,
                         min_confidence: float = SIDE_MIN_CONFIDENCE) -> dict:
    """Speaker-name and speaker_side accuracy of attribution against gold records (``speaker``, ``speaker_side``).

    Sentences are grouped by ``doc_id`` and ordered by ``id``; :func:`combine` decides, as in labelling. Without
    ``classifier_sides`` (record id -> side) the rules stand alone (``combine(found, None)``): no
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
            classifier_side = classifier_sides[r["id"]] if classifier_sides is not None else None
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


# --- end to end: raw article text -> segmented sentences -> attribution, scored against gold sentences ---------------

#: The kinds of miss the issue names, as :func:`miss_kind` tells them apart.
MISS_KINDS = ("verb", "role", "name_form", "dateline", "narration", "signed_interview", "other")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
_ROLE_WORDS = {"he", "she", "they", "it", "minister", "president", "spokesman", "spokeswoman", "leader", "official",
               "secretary", "ambassador", "chief", "envoy"}


def normalise_name(name: str) -> str:
    """Case, curly quotes, whitespace and a leading "the" normalised: the match the end-to-end benchmark reports
    ("The Kremlin" and "Kremlin" are one name, GUIDELINES case 58)."""
    words = name.translate(_QUOTES).lower().split()
    return " ".join(words[1:] if len(words) > 1 and words[0] == "the" else words)


def miss_kind(gold: Mapping, predicted: str, genre: str | None = None) -> str:
    """Which kind of miss of the issue a wrong speaker name is (a heuristic for the benchmark's counts)."""
    text, want = gold["text"], gold["speaker"]
    g, p = normalise_name(want), normalise_name(predicted)
    if genre in ("interview", "opinion", "editorial") and want != "author":
        return "signed_interview"
    if want == "author":
        if predicted.isupper() or re.match(rf"^\W*{re.escape(predicted)}\b[^.]{{0,40}}(?:\(|--|—)", text):
            return "dateline"
        return "narration"
    if predicted not in ("author", "unknown"):
        if re.match(rf"^\W*{re.escape(predicted)}\b[^.]{{0,40}}(?:\(|--|—)", text) or predicted.isupper():
            return "dateline"
        gw, pw = set(_norm_tokens(want)), set(_norm_tokens(predicted))
        if p.split()[-1:] and p.split()[-1] in _ROLE_WORDS:
            return "role"
        if gw & pw or g in p or p in g:
            return "name_form"
        return "other"
    surname = want.split()[-1]
    if re.search(rf"(?<!\w){re.escape(surname)}(?!\w)", text, re.I):
        return "verb"  # named in the sentence, and nobody found
    if re.search(r"(?i)\b(?:he|she|they|the (?:[\w.-]+ ){0,3}(?:minister|president|spokes\w+|leader|official|"
                 r"secretary|ambassador|chief|envoy))\b", text):
        return "role"
    return "other"


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def evaluate_end_to_end(gold_records: Iterable[Mapping], systems: Mapping[str, object],
                        article_text: Callable[[str], str], segment: Callable[[str], list],
                        genres: Mapping[str, str] | None = None) -> dict[str, dict]:
    """Name (normalised and exact) and side accuracy of each system, end to end from raw article text.

    Each article's text is segmented by ``segment`` (objects with ``text``, ``start``, ``end``), each system is
    called as ``system(doc_id, [sentence texts]) -> [(speaker, side)]``, and each gold sentence is scored with the
    prediction of the segmented sentence that overlaps it most. Errors carry :func:`miss_kind`.
    """
    by_doc: dict[str, list[Mapping]] = {}
    for r in gold_records:
        by_doc.setdefault(r["doc_id"], []).append(r)
    genres = genres or {}
    out = {}
    for name, system in systems.items():
        n = exact = norm = side_ok = 0
        errors = []
        for doc_id, gold in by_doc.items():
            sentences = segment(article_text(doc_id))
            predicted = system(doc_id, [s.text for s in sentences])
            for g in sorted(gold, key=lambda r: r["id"]):
                span = (g["start"], g["end"])
                best = max(range(len(sentences)), key=lambda i: _overlap(span, (sentences[i].start, sentences[i].end)))
                speaker, side = predicted[best]
                n += 1
                exact += speaker == g["speaker"]
                ok = normalise_name(speaker) == normalise_name(g["speaker"])
                norm += ok
                side_ok += side == g["speaker_side"]
                if not ok or side != g["speaker_side"]:
                    errors.append({"id": g["id"], "text": g["text"], "gold": (g["speaker"], g["speaker_side"]),
                                   "predicted": (speaker, side),
                                   "kind": None if ok else miss_kind(g, speaker, genres.get(doc_id))})
        out[name] = {"sentences": n, "name_accuracy": norm / n if n else float("nan"),
                     "name_exact": exact / n if n else float("nan"),
                     "side_accuracy": side_ok / n if n else float("nan"), "errors": errors}
    return out
