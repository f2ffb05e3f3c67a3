"""Sentences -> model inputs: a (sentence, previous sentence) text pair and a mask of the sentence's tokens.

The sentence goes first so truncation never cuts it before the context; ``sentence_mask`` marks its tokens
so the model pools the sentence (contextualised by attention over the context) apart from the context.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def encode(tokenizer, texts: Sequence[str], contexts: Sequence[str] | None, max_length: int) -> dict[str, list]:
    """Tokenize without padding (the collator pads per batch) and add ``sentence_mask``."""
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
    )
    enc["sentence_mask"] = [
        [1 if s == 0 else 0 for s in enc.sequence_ids(i)] for i in range(len(texts))
    ]
    return dict(enc)


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
        return out
