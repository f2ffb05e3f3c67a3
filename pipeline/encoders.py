"""Partial freezing of a transformer encoder for fine-tuning, shared by the classifier and the speaker tagger."""

from __future__ import annotations

import re

__all__ = ["freeze"]


def freeze(encoder, embeddings: bool, layers: int) -> None:
    """Stop gradients into the token embeddings and/or the bottom ``layers`` transformer blocks.

    Layers are found by the ``layer.<i>.`` / ``layers.<i>.`` part of parameter names, which BERT, RoBERTa,
    MiniLM, DeBERTa and most encoders share; with nothing frozen, backward runs through the whole network.
    """
    if embeddings:
        encoder.get_input_embeddings().weight.requires_grad_(False)
    if layers:
        for name, param in encoder.named_parameters():
            m = re.search(r"\blayers?\.(\d+)\.", name)
            if (m and int(m.group(1)) < layers) or (name.startswith("embeddings.") and embeddings):
                param.requires_grad_(False)
