"""Sentences -> model inputs: a (sentence, context) text pair and a mask of the sentence's tokens.

The context is what an annotator looks at besides the sentence: the previous sentence, and as the config asks
the next one, the article's headline and the speaker that attribution found (:class:`ContextSpec`). The
sentence goes first so truncation never cuts it before the context; ``sentence_mask`` marks its tokens so the
model pools the sentence (contextualised by attention over the context) apart from the context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..attribution import Attribution, attribute_article, default_actors
from ..attribution.span_head import DECISIONS, _tags, silver_label

#: The optional per-row loss weight column (``written_weight``).
SAMPLE_WEIGHT = "sample_weight"
#: The speaker head's target columns (``speaker_head``): the decision per row, B/I/O per token.
SPEAKER_DECISION, SPEAKER_TAGS = "speaker_decision", "speaker_tags"
#: The shortest unit (in words) taken for an article's headline; shorter first units are datelines or dates.
HEADLINE_MIN_WORDS = 4
#: How many leading units are searched for the headline.
HEADLINE_SEARCH = 3


@dataclass(frozen=True)
class ContextSpec:
    """Which parts of an article the context segment holds, read from a model's config."""

    previous: bool = True
    following: bool = False
    headline: bool = False
    speaker: bool = False

    @classmethod
    def from_config(cls, config: Mapping | object) -> ContextSpec:
        get = config.get if isinstance(config, Mapping) else (lambda k, d: getattr(config, k, d))
        return cls(bool(get("use_context", True)), bool(get("context_next", False)),
                   bool(get("context_headline", False)), bool(get("speaker_input", False)))

    @property
    def empty(self) -> bool:
        return not (self.previous or self.following or self.headline or self.speaker)


def headline_of(texts: Sequence[str]) -> str:
    """The article's headline as the units give it: the first of its leading units with enough words."""
    for t in texts[:HEADLINE_SEARCH]:
        if len(t.split()) >= HEADLINE_MIN_WORDS:
            return t
    return texts[0] if texts else ""


def speaker_phrase(found: Attribution) -> str:
    """Attribution's finding as words the encoder reads: ``speaker: <name> (<side>)``, or that none was found."""
    if not found.speaker:
        return "speaker: none found"
    return f"speaker: {found.speaker} ({found.side or 'side unknown'})"


def article_contexts(texts: Sequence[str], spec: ContextSpec, found: Sequence[Attribution] | None = None) -> list[str]:
    """The context string of each sentence of one article (in order); ``found``: its attribution when the spec
    asks for the speaker (computed with the default actors when not given)."""
    texts = list(texts)
    if spec.speaker and found is None:
        found = attribute_article(texts, default_actors())
    head = headline_of(texts) if spec.headline else ""
    out = []
    for i in range(len(texts)):
        parts = []
        if spec.speaker:
            parts.append(speaker_phrase(found[i]))
        if spec.headline and i > 0 and texts[i] != head and not (spec.previous and texts[i - 1] == head):
            parts.append(f"headline: {head}")
        if spec.previous and i > 0:
            parts.append(texts[i - 1])
        if spec.following and i + 1 < len(texts):
            parts.append(f"next: {texts[i + 1]}")
        out.append(" | ".join(parts))  # the previous sentence alone stays as it is
    return out


def article_rows(doc_ids: Sequence[str]) -> list[list[int]]:
    """The row indices of each article, in first-seen order of the articles and reading order within each."""
    by_doc: dict[str, list[int]] = {}
    for i, d in enumerate(doc_ids):
        by_doc.setdefault(d, []).append(i)
    return list(by_doc.values())


def previous_sentences(doc_ids: Sequence[str], texts: Sequence[str]) -> list[str]:
    """The sentence before each row in its article (``''`` for an article's first; rows in reading order)."""
    out = [""] * len(texts)
    for rows in article_rows(doc_ids):
        for before, i in zip(rows, rows[1:]):
            out[i] = texts[before]
    return out


def corpus_contexts(doc_ids: Sequence[str], texts: Sequence[str], spec: ContextSpec, speaker_noise: float = 0.0,
                    seed: int = 0) -> list[str]:
    """The context string of every row of a corpus (rows of one article in reading order, as
    :func:`pipeline.annotation.corpus.load_corpus` gives them). ``speaker_noise``: for training only, the share of
    rows whose speaker input is that of another sentence of the same article (seeded), see :func:`shuffled_speakers`."""
    out = [""] * len(texts)
    rng = np.random.default_rng(seed)
    for rows in article_rows(doc_ids):
        article = [texts[i] for i in rows]
        found = None
        if spec.speaker:
            found = attribute_article(article, default_actors())
            if speaker_noise > 0:
                found = shuffled_speakers(found, speaker_noise, rng)
        for i, c in zip(rows, article_contexts(article, spec, found)):
            out[i] = c
    return out


def shuffled_speakers(found: Sequence[Attribution], share: float, rng: np.random.Generator) -> list[Attribution]:
    """``found`` with about ``share`` of its sentences given another sentence's attribution: on articles its rules
    were not written from, attribution errs more often than on the training articles, and a model trained only on the
    latter learns to trust its speaker input more than it deserves."""
    found = list(found)
    if len(found) < 2:
        return found
    original = list(found)
    for i in np.flatnonzero(rng.random(len(found)) < share):
        j = int(rng.integers(len(found) - 1))
        found[i] = original[j + (j >= i)]
    return found


def encode(tokenizer, texts: Sequence[str], contexts: Sequence[str] | None, max_length: int,
           offsets: bool = False) -> dict[str, list]:
    """Tokenize without padding (the collator pads per batch) and add ``sentence_mask``; ``offsets``: also
    ``offset_mapping`` (character spans in the sentence of its own tokens, (0, 0) for every other token), which the
    speaker head's tags are read against."""
    texts = list(texts)
    pairs = list(contexts) if contexts is not None else None
    if pairs is not None and not any(pairs):
        pairs = None
    enc = tokenizer(
        texts,
        pairs if pairs is None else [c if c else "" for c in pairs],
        truncation="longest_first" if pairs is not None else True,
        max_length=max_length,
        return_token_type_ids=None,
        return_offsets_mapping=offsets,
    )
    enc["sentence_mask"] = [
        [1 if s == 0 else 0 for s in enc.sequence_ids(i)] for i in range(len(texts))
    ]
    out = dict(enc)
    if offsets:
        out["offset_mapping"] = [[tuple(o) if m else (0, 0) for o, m in zip(offs, mask)]
                                 for offs, mask in zip(enc["offset_mapping"], enc["sentence_mask"])]
    return out


def speaker_targets(texts: Sequence[str], speakers: Sequence[str], offsets: Sequence[Sequence[tuple[int, int]]],
                    actors=None) -> tuple[list[int], list[list[int]]]:
    """The speaker head's training targets per row from the gold speaker: the decision (``author``; ``here``: the
    speaker's mention is found in the sentence, :func:`~pipeline.attribution.span_head.silver_label`; ``back``) and
    B/I/O per token over the mention (-100 on tokens outside the sentence, which the loss ignores)."""
    actors = default_actors() if actors is None else actors
    decisions, tags = [], []
    for text, speaker, offs in zip(texts, speakers, offsets):
        decision, span = silver_label(text, speaker, actors)
        span = None if decision == DECISIONS.index("author") else span
        decisions.append(decision)
        arr = np.asarray(offs, dtype=np.int64).reshape(-1, 2)
        row = _tags(arr, span) if span else np.zeros(len(arr), dtype=np.int64)
        own = arr[:, 1] > arr[:, 0]
        tags.append(np.where(own, row, -100).tolist())
    return decisions, tags


class PadCollator:
    """Pad a list of encoded examples to the longest in the batch; label columns become LongTensors."""

    def __init__(self, tokenizer, label_fields: Sequence[str] = ()):
        self.pad_id = tokenizer.pad_token_id or 0
        self.label_fields = tuple(label_fields)

    def __call__(self, batch: list[dict]):
        import torch

        width = max(len(b["input_ids"]) for b in batch)
        out = {}
        for key, fill in (("input_ids", self.pad_id), ("attention_mask", 0), ("token_type_ids", 0), ("sentence_mask", 0)):
            if key in batch[0]:
                arr = np.full((len(batch), width), fill, dtype=np.int64)
                for i, b in enumerate(batch):
                    arr[i, : len(b[key])] = b[key]
                out[key] = torch.from_numpy(arr)
        for field in self.label_fields:
            if field in batch[0]:
                out[field] = torch.tensor([b[field] for b in batch], dtype=torch.long)
        if SPEAKER_DECISION in batch[0]:  # the speaker head's targets (training only)
            out[SPEAKER_DECISION] = torch.tensor([b[SPEAKER_DECISION] for b in batch], dtype=torch.long)
            tags = np.full((len(batch), width), -100, dtype=np.int64)
            for i, b in enumerate(batch):
                tags[i, : len(b[SPEAKER_TAGS])] = b[SPEAKER_TAGS]
            out[SPEAKER_TAGS] = torch.from_numpy(tags)
        if SAMPLE_WEIGHT in batch[0]:
            out[SAMPLE_WEIGHT] = torch.tensor([b[SAMPLE_WEIGHT] for b in batch], dtype=torch.float32)
        return out
