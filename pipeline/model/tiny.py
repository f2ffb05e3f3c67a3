"""A tiny randomly initialised BERT encoder with the default tokenizer, for fast tests and CI notebooks.

It exercises every code path of training and labelling in seconds; its predictions mean nothing.
"""

from __future__ import annotations

from pathlib import Path

from ..config import DEFAULT_ENCODER, resolve_encoder


def make_tiny_encoder(out_dir: Path | str, hidden_size: int = 32, layers: int = 2, seed: int = 0) -> Path:
    """Write a random ``hidden_size``-wide, ``layers``-deep BERT plus the MiniLM tokenizer to ``out_dir``."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    out = Path(out_dir)
    if (out / "config.json").is_file():
        return out
    tokenizer = AutoTokenizer.from_pretrained(resolve_encoder(DEFAULT_ENCODER))
    config = BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=hidden_size, num_hidden_layers=layers,
        num_attention_heads=2, intermediate_size=2 * hidden_size, max_position_embeddings=512,
    )
    torch.manual_seed(seed)
    BertModel(config).save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    return out
