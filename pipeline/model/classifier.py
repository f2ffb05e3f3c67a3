"""The multi-task classifier: one shared transformer encoder, one linear head per annotation field, and optionally
the speaker head (whose sentence it is, and B/I/O over the sentence's tokens for the speaker's mention) on the
same encoder pass."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import nn

from ..attribution.span_head import DECISIONS, TAGS
from .features import SPEAKER_DECISION, SPEAKER_TAGS  # the head's layers in ``heads`` are named as its targets


class MultiTaskClassifier(nn.Module):
    """Encoder + per-field heads over [mean of the sentence's tokens; mean of all tokens]."""

    def __init__(
        self,
        encoder: nn.Module,
        label_maps: Mapping[str, Sequence[str]],
        dropout: float = 0.1,
        loss_weights: Mapping[str, float] | None = None,
        class_weights: Mapping[str, Sequence[float]] | None = None,
        speaker_head: bool = False,
        speaker_weight: float = 1.0,
    ):
        super().__init__()
        self.encoder = encoder
        self.fields = list(label_maps)
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.heads = nn.ModuleDict({f: nn.Linear(2 * hidden, len(labels)) for f, labels in label_maps.items()})
        #: The speaker head (:mod:`pipeline.attribution.tagged` reads it): its layers live in ``heads`` too, so they are
        #: saved, loaded and trained at the heads' learning rate with them.
        self.speaker_head = bool(speaker_head)
        self.speaker_weight = float(speaker_weight)
        if self.speaker_head:
            self.heads[SPEAKER_DECISION] = nn.Linear(2 * hidden, len(DECISIONS))
            self.heads[SPEAKER_TAGS] = nn.Linear(hidden, len(TAGS))
        self.loss_weights = {f: float((loss_weights or {}).get(f, 1.0)) for f in self.fields}
        for f in self.fields:
            w = (class_weights or {}).get(f)
            self.register_buffer(
                f"class_weight_{f}",
                torch.tensor(w, dtype=torch.float32) if w is not None else torch.ones(len(label_maps[f])),
                persistent=False,
            )

    def states(self, input_ids, attention_mask, token_type_ids=None) -> torch.Tensor:
        kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            kwargs["token_type_ids"] = token_type_ids
        return self.encoder(**kwargs).last_hidden_state.float()  # pooled in fp32 under bf16 autocast too

    @staticmethod
    def _pool(hidden, attention_mask, sentence_mask=None) -> torch.Tensor:
        mask_all = attention_mask.unsqueeze(-1).to(hidden.dtype)
        mask_sent = (sentence_mask if sentence_mask is not None else attention_mask).unsqueeze(-1).to(hidden.dtype)
        mean_all = (hidden * mask_all).sum(1) / mask_all.sum(1).clamp(min=1.0)
        mean_sent = (hidden * mask_sent).sum(1) / mask_sent.sum(1).clamp(min=1.0)
        return torch.cat([mean_sent, mean_all], dim=-1)

    def pool(self, input_ids, attention_mask, sentence_mask=None, token_type_ids=None) -> torch.Tensor:
        return self._pool(self.states(input_ids, attention_mask, token_type_ids), attention_mask, sentence_mask)

    def forward(self, input_ids, attention_mask, sentence_mask=None, token_type_ids=None, sample_weight=None,
                speaker_decision=None, speaker_tags=None, **labels):
        """``{"logits": (per field), "loss"?}``, and with the speaker head ``"speaker": (decision logits (B x 3),
        tag logits (B x T x 3))``; ``speaker_decision`` / ``speaker_tags``: its training targets (-100: none)."""
        hidden = self.states(input_ids, attention_mask, token_type_ids)
        pooled = self.dropout(self._pool(hidden, attention_mask, sentence_mask))
        with torch.autocast(pooled.device.type, enabled=False):  # the heads decide the labels: always fp32
            logits = [self.heads[f](pooled) for f in self.fields]
            speaker = ((self.heads[SPEAKER_DECISION](pooled), self.heads[SPEAKER_TAGS](self.dropout(hidden)))
                       if self.speaker_head else None)
        out = {"logits": tuple(logits)}
        if speaker is not None:
            out["speaker"] = speaker
        present = [(f, lg) for f, lg in zip(self.fields, logits) if labels.get(f) is not None]
        if present:
            out["loss"] = sum(self.loss_weights[f] * self._loss(f, lg, labels[f], sample_weight) for f, lg in present)
        if speaker is not None and speaker_decision is not None and self.speaker_weight > 0:
            decision, tags = speaker
            loss = nn.functional.cross_entropy(decision, speaker_decision, ignore_index=-100)
            if speaker_tags is not None and bool((speaker_tags != -100).any()):
                loss = loss + nn.functional.cross_entropy(tags.reshape(-1, tags.shape[-1]), speaker_tags.reshape(-1),
                                                          ignore_index=-100)
            out["loss"] = out.get("loss", 0.0) + self.speaker_weight * loss
        return out

    def _loss(self, field: str, logits, gold, sample_weight=None):
        """Class-weighted cross-entropy, its mean weighted as torch weights it (by the gold class's weight), times
        the per-row ``sample_weight`` where given."""
        weight = getattr(self, f"class_weight_{field}")
        if sample_weight is None:
            return nn.functional.cross_entropy(logits, gold, weight=weight)
        per_row = nn.functional.cross_entropy(logits, gold, weight=weight, reduction="none")
        norm = (weight[gold] * sample_weight).sum().clamp(min=1e-12)
        return (per_row * sample_weight).sum() / norm


def build_model(encoder_path: str, label_maps, dropout=0.1, loss_weights=None, class_weights=None, seed=None,
                speaker_head: bool = False, speaker_weight: float = 1.0):
    """A fresh classifier on a pretrained encoder (heads initialised from ``seed``)."""
    from transformers import AutoModel

    if seed is not None:
        torch.manual_seed(seed)
    encoder = AutoModel.from_pretrained(encoder_path, trust_remote_code=False)
    return MultiTaskClassifier(encoder, label_maps, dropout, loss_weights, class_weights, speaker_head, speaker_weight)
