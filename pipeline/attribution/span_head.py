"""The learned speaker-span head: a linear classifier over frozen encoder token states (:mod:`.token_states`).

Two decisions per sentence, both logistic regressions: whose sentence it is ({``author``, named ``here``,
``back``: the speaker is not named in the sentence — a quote that runs on, "he", an interview's answer}), and for
a ``here`` sentence which tokens are the speaker's mention (B/I/O over the sentence's own tokens, each token read
with its neighbours). Trained on the annotated speakers: a gold speaker found in its sentence (full name, actor
alias, surname) gives the silver span. The mention is then resolved within the article (:func:`.resolution.resolve_mention`):
a role or pronoun to the nearest earlier named speaker that fits, a surname to the fullest name the article
gives, titles and possessives dropped; the side comes from the actors table, else a nationality word.

The weights are a safetensors file with a JSON header (no pickle); prediction is numpy only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
from safetensors.numpy import load_file, save_file

from .actors import SIDES, ActorTable, Attribution, default_actors
from .phrases import strip_titles
from .resolution import resolve_mention, widen

DECISIONS = ("author", "here", "back")
TAGS = ("O", "B", "I")
HEAD_FILE = Path(__file__).parent / "data" / "span_head.safetensors"
_QUOTE_CHARS = '"“”'


class Learned(NamedTuple):
    """The head's reading of one sentence: speaker, side (None: unknown), decision and its probability."""

    speaker: str
    side: str | None
    decision: str
    confidence: float


# --- silver spans ---------------------------------------------------------------------------------------------------

def _word_search(needle: str, text: str, case: bool) -> tuple[int, int] | None:
    m = re.search(rf"(?<![\w-]){re.escape(needle)}(?![\w-])", text, 0 if case else re.I)
    return (m.start(), m.end()) if m else None


def find_mention(text: str, speaker: str, actors: ActorTable) -> tuple[int, int] | None:
    """Where the sentence names ``speaker``: its full form, an actor alias, the form without titles, or (for a
    person's name) the surname; None when it does not."""
    if speaker in ("author", "unknown", ""):
        return None
    forms = [speaker, strip_titles(speaker)]
    actor = actors.get(speaker)
    if actor is not None:
        forms += [actor.name, *actor.aliases]
    forms = sorted({f for f in forms if len(f) >= 2}, key=len, reverse=True)
    for f in forms:
        hit = _word_search(f, text, case=len(f) <= 3 or f.isupper())
        if hit:
            return hit
    words = speaker.split()
    if len(words) >= 2 and all(w[:1].isupper() for w in words) and len(words[-1]) >= 3:
        return _word_search(words[-1], text, case=True)
    return None


def silver_label(text: str, speaker: str, actors: ActorTable) -> tuple[int, tuple[int, int] | None]:
    """(decision index, mention span or None) of one gold sentence: ``author``; ``here`` where the gold speaker's
    mention is found in it (:func:`find_mention`); ``back`` otherwise."""
    span = find_mention(text, speaker, actors)
    return (0 if speaker == "author" else 1 if span else 2), span


def silver_examples(records: Sequence[Mapping], actors: ActorTable) -> list[tuple[str, str, int, tuple | None]]:
    """(sentence, previous sentence, decision index, mention span or None) per gold record, articles grouped by
    ``doc_id`` and ordered by ``id``: what both learned attributors train on."""
    by_doc: dict[str, list[Mapping]] = {}
    for r in records:
        by_doc.setdefault(r["doc_id"], []).append(r)
    out = []
    for doc in by_doc.values():
        prev = ""
        for r in sorted(doc, key=lambda r: r["id"]):
            decision, span = silver_label(r["text"], r["speaker"], actors)
            out.append((r["text"], prev, decision, span))
            prev = r["text"]
    return out


def _surface(text: str, context: str) -> list[float]:
    s = text.lstrip()
    return [float(s[:1] in _QUOTE_CHARS), float(any(c in text for c in _QUOTE_CHARS)),
            float(any(c in context for c in _QUOTE_CHARS)), float(context.count('"') % 2 == 1 or
                                                                   context.count("“") > context.count("”"))]


def _sentence_features(st, text: str, context: str) -> np.ndarray:
    first = st.states[0] if len(st.states) else np.zeros_like(st.pooled)
    return np.concatenate([st.pooled, first, _surface(text, context)]).astype(np.float32)


def _token_features(states: np.ndarray) -> np.ndarray:
    zero = np.zeros((1, states.shape[1]), dtype=states.dtype)
    prev = np.vstack([zero, states[:-1]])
    nxt = np.vstack([states[1:], zero])
    return np.hstack([states, prev, nxt]).astype(np.float32)


def _tags(offsets: np.ndarray, span: tuple[int, int]) -> np.ndarray:
    tags = np.zeros(len(offsets), dtype=np.int64)
    inside = [(a < span[1] and b > span[0] and b > a) for a, b in offsets]
    first = True
    for i, ok in enumerate(inside):
        if ok:
            tags[i] = 1 if first else 2
            first = False
    return tags


# --- the head -------------------------------------------------------------------------------------------------------

class _Linear:
    """Standardised inputs, then a multinomial linear layer (softmax)."""

    def __init__(self, mean, scale, coef, intercept):
        self.mean, self.scale, self.coef, self.intercept = mean, scale, coef, intercept

    def proba(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.scale) @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, n_classes: int, c: float, balanced: bool) -> _Linear:
        from sklearn.linear_model import LogisticRegression

        mean, scale = x.mean(0), x.std(0) + 1e-6
        lr = LogisticRegression(C=c, max_iter=300, class_weight="balanced" if balanced else None)
        lr.fit((x - mean) / scale, y)
        coef = np.zeros((n_classes, x.shape[1]), dtype=np.float32)
        intercept = np.full(n_classes, -30.0, dtype=np.float32)
        coef[lr.classes_] = lr.coef_ if len(lr.classes_) > 2 else np.vstack([-lr.coef_, lr.coef_]) / 2
        intercept[lr.classes_] = lr.intercept_ if len(lr.classes_) > 2 else np.array([-1, 1]) * lr.intercept_ / 2
        return cls(mean.astype(np.float32), scale.astype(np.float32), coef, intercept)


class SpanHead:
    """The sentence decision and the token tagger; :meth:`fit` trains both, :meth:`save`/:meth:`load` persist."""

    def __init__(self, decision: _Linear, tagger: _Linear, meta: dict | None = None):
        self.decision, self.tagger, self.meta = decision, tagger, meta or {}

    @classmethod
    def fit(cls, encoder, records: Sequence[Mapping], texts: Mapping[str, str] | None = None,
            actors: ActorTable | None = None, c_decision: float = 0.05, c_tagger: float = 0.05) -> SpanHead:
        """Train on gold records (grouped by ``doc_id``, ordered by ``id``; context: the sentence before)."""
        actors = default_actors() if actors is None else actors
        examples = silver_examples(records, actors)
        states = encoder.encode([e[0] for e in examples], [e[1] for e in examples])
        xd, yd, xt, yt = [], [], [], []
        for st, (text, ctx, label, span) in zip(states, examples):
            xd.append(_sentence_features(st, text, ctx))
            yd.append(label)
            if span and len(st.states):
                tags = _tags(st.offsets, span)
                if tags.any():
                    xt.append(_token_features(st.states))
                    yt.append(tags)
        decision = _Linear.fit(np.vstack(xd), np.array(yd), len(DECISIONS), c_decision, balanced=False)
        tagger = _Linear.fit(np.vstack(xt), np.concatenate(yt), len(TAGS), c_tagger, balanced=False)
        meta = {"encoder": getattr(encoder, "name", ""), "sentences": len(yd), "tagged_sentences": len(yt),
                "decisions": list(DECISIONS), "tags": list(TAGS), "c_decision": c_decision, "c_tagger": c_tagger}
        return cls(decision, tagger, meta)

    def save(self, path: Path | str = HEAD_FILE) -> Path:
        path = Path(path)
        tensors = {f"{name}.{part}": getattr(lin, part) for name, lin in (("decision", self.decision),
                                                                         ("tagger", self.tagger))
                   for part in ("mean", "scale", "coef", "intercept")}
        save_file({k: np.ascontiguousarray(v, dtype=np.float32) for k, v in tensors.items()}, str(path),
                  metadata={"meta": json.dumps(self.meta)})
        return path

    @classmethod
    def load(cls, path: Path | str = HEAD_FILE) -> SpanHead:
        from safetensors import safe_open

        t = load_file(str(path))
        with safe_open(str(path), framework="numpy") as f:
            meta = json.loads((f.metadata() or {}).get("meta", "{}"))
        lin = {n: _Linear(*(t[f"{n}.{p}"] for p in ("mean", "scale", "coef", "intercept"))) for n in ("decision", "tagger")}
        return cls(lin["decision"], lin["tagger"], meta)

    def read(self, st, text: str, context: str) -> tuple[str, float, tuple[int, int] | None]:
        """(decision, its probability, the mention's character span in ``text`` or None) for one sentence."""
        p = self.decision.proba(_sentence_features(st, text, context)[None])[0]
        k = int(p.argmax())
        span = None
        if len(st.states):
            tp = self.tagger.proba(_token_features(st.states))
            span = _best_span(tp, st.offsets)
        if DECISIONS[k] == "here" and span is None:
            k = 2
        return DECISIONS[k], float(p[k]), span


def _best_span(tp: np.ndarray, offsets: np.ndarray) -> tuple[int, int] | None:
    """The run of tokens most likely to be the mention: it starts at the likeliest B and runs on over I tokens."""
    valid = np.array([b > a for a, b in offsets])
    if not valid.any():
        return None
    b_scores = np.where(valid, tp[:, 1], -1)
    start = int(b_scores.argmax())
    if b_scores[start] < 0.2:
        return None
    end = start
    while end + 1 < len(tp) and valid[end + 1] and tp[end + 1, 2] >= 0.3:
        end += 1
    return int(offsets[start][0]), int(offsets[end][1])


# --- resolution within the article ----------------------------------------------------------------------------------


def decode_article(head: SpanHead, encoder, sentences: Sequence[str], actors: ActorTable,
                   article: str | None = None, states=None) -> list[Learned]:
    """The head's speaker for each sentence of one article, in order."""
    article = " ".join(sentences) if article is None else article
    contexts = [""] + list(sentences[:-1])
    states = encoder.encode(list(sentences), contexts) if states is None else states
    out: list[Learned] = []
    history: list[Attribution] = []
    for text, ctx, st in zip(sentences, contexts, states):
        decision, p, span = head.read(st, text, ctx)
        found = None
        if decision == "here" and span is not None:
            found = resolve_mention(widen(text, span), history, article, actors)
            if not found.speaker:
                found = None
        if found is None and decision != "author":
            prev = out[-1] if out else None
            if prev is not None and prev.speaker != "author":
                found = Attribution(prev.speaker, prev.side)
            elif history:
                found = history[-1]
        if found is None:
            out.append(Learned("author", "none", decision, p))
            continue
        history.append(found)
        # an unknown side stays None, as the rules' does: the article's context and then the classifier decide it
        # (``combine_learned``, ``combine``); readers of the tagger alone give it the annotation default, ``other``
        out.append(Learned(found.speaker, found.side if found.side in SIDES else None, decision, p))
    return out
