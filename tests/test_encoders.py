"""Partial freezing of an encoder: what is frozen gets no gradient, the rest still trains."""

from __future__ import annotations

from transformers import AutoModel

from pipeline.encoders import freeze


def _trainable(encoder):
    return {n for n, p in encoder.named_parameters() if p.requires_grad}


def test_freeze_embeddings_and_bottom_layers(tiny_encoder):
    encoder = AutoModel.from_pretrained(str(tiny_encoder))
    everything = _trainable(encoder)
    freeze(encoder, embeddings=True, layers=1)
    left = _trainable(encoder)
    assert not any(n.startswith("embeddings.") or ".layer.0." in n for n in left)
    assert any(".layer.1." in n for n in left) and left < everything


def test_nothing_frozen_leaves_every_parameter_trainable(tiny_encoder):
    encoder = AutoModel.from_pretrained(str(tiny_encoder))
    everything = _trainable(encoder)
    freeze(encoder, embeddings=False, layers=0)
    assert _trainable(encoder) == everything
