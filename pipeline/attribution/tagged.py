"""Speakers from a fine-tuned tagger's reading of each sentence, combined with the rules.

A tagger (the classifier's own speaker head, :mod:`pipeline.model.classifier`, or the stand-alone
:mod:`.span_tagger`) gives per sentence the probabilities of the three decisions (``author``, named ``here``,
``back``) and of B/I/O for each of the sentence's tokens, with the tokens' character offsets
(:class:`TaggerStates`). :func:`attribute_tagged` decodes them within the article
(:func:`.span_head.decode_article`) and lets them speak beside the rules (:func:`.article.combine_learned`).
Numpy only: the states are computed by whoever ran the encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .actors import ActorTable, Attribution, default_actors
from .article import combine_learned
from .rules import attribute
from .span_head import DECISIONS, _best_span, decode_article

#: With the rules: a tagger's speaker stands where the rules find none at this decision probability or above, and
#: its ``author`` overrules a rule-found speaker at :data:`AUTHOR_CONFIDENCE`. Chosen for the stand-alone tagger on
#: the fresh batch b10 before it joined (56 articles, 635 sentences, tagger trained on every other non-test article):
#: rules + resolution name .813 / side .794; with the tagger at 0.9/0.8 .824/.805, at 0.9/1.01 .817/.798, at
#: 1.01/0.9 .819/.800, at 0.8/0.8 .817/.800. A model's config can set its own (``speaker_head_min_confidence``).
MIN_CONFIDENCE = 0.9
AUTHOR_CONFIDENCE = 0.8


class TaggerStates(NamedTuple):
    """A tagger's reading of one sentence: decision probabilities (3), B/I/O probabilities of the sentence's own
    tokens (n x 3) and their character offsets in the sentence (n x 2)."""

    decision: np.ndarray
    tags: np.ndarray
    offsets: np.ndarray


def read_states(st: TaggerStates, text: str = "", context: str = "") -> tuple[str, float, tuple[int, int] | None]:
    """(decision, its probability, the mention's character span in the sentence or None); a ``here`` without a
    span to name reads as ``back``."""
    k = int(np.asarray(st.decision).argmax())
    span = _best_span(st.tags, st.offsets) if len(st.offsets) else None
    if DECISIONS[k] == "here" and span is None:
        k = DECISIONS.index("back")
    return DECISIONS[k], float(st.decision[k]), span


class _StatesReader:
    """The ``head`` that :func:`.span_head.decode_article` asks to read a sentence's states."""

    read = staticmethod(read_states)


def attribute_tagged(sentences: Sequence[str], states: Sequence[TaggerStates], actors: ActorTable | None = None,
                     article: str | None = None, rules: Sequence[Attribution] | None = None,
                     min_confidence: float = MIN_CONFIDENCE,
                     author_confidence: float = AUTHOR_CONFIDENCE) -> list[Attribution]:
    """Speaker and side of each sentence of one article from the rules and the tagger's ``states`` (one per
    sentence); ``rules``: the rules' own finding (:func:`.rules.attribute`) where the caller has it already."""
    actors = default_actors() if actors is None else actors
    texts = list(sentences)
    article = "\n".join(texts) if article is None else article
    learned = decode_article(_StatesReader, None, texts, actors, article=article, states=list(states))
    rules = attribute(texts, actors) if rules is None else rules
    return combine_learned(rules, learned, article, actors, texts, min_confidence, author_confidence)
