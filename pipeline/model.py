"""The multi-task classifier: one shared transformer encoder, one linear head per annotation field.

Saved as a folder: ``encoder/`` (safetensors weights, config, tokenizer — loadable by any transformers
tool), ``heads.safetensors`` and ``pipeline.json`` (label maps, training config, temperatures, data hash,
package versions). Loading never runs remote code and never unpickles.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

HEADS_FILE = "heads.safetensors"
META_FILE = "pipeline.json"


class MultiTaskClassifier(nn.Module):
    """Encoder + per-field heads over [mean of the sentence's tokens; mean of all tokens]."""

    def __init__(
        self,
        encoder: nn.Module,
        label_maps: Mapping[str, Sequence[str]],
        dropout: float = 0.1,
        loss_weights: Mapping[str, float] | None = None,
        class_weights: Mapping[str, Sequence[float]] | None = None,
    ):
        super().__init__()
        self.encoder = encoder
        self.fields = list(label_maps)
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.heads = nn.ModuleDict({f: nn.Linear(2 * hidden, len(labels)) for f, labels in label_maps.items()})
        self.loss_weights = {f: float((loss_weights or {}).get(f, 1.0)) for f in self.fields}
        for f in self.fields:
            w = (class_weights or {}).get(f)
            self.register_buffer(
                f"class_weight_{f}",
                torch.tensor(w, dtype=torch.float32) if w is not None else torch.ones(len(label_maps[f])),
                persistent=False,
            )

    def pool(self, input_ids, attention_mask, sentence_mask=None, token_type_ids=None) -> torch.Tensor:
        kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
        if token_type_ids is not None:
            kwargs["token_type_ids"] = token_type_ids
        hidden = self.encoder(**kwargs).last_hidden_state
        mask_all = attention_mask.unsqueeze(-1).to(hidden.dtype)
        mask_sent = (sentence_mask if sentence_mask is not None else attention_mask).unsqueeze(-1).to(hidden.dtype)
        mean_all = (hidden * mask_all).sum(1) / mask_all.sum(1).clamp(min=1.0)
        mean_sent = (hidden * mask_sent).sum(1) / mask_sent.sum(1).clamp(min=1.0)
        return torch.cat([mean_sent, mean_all], dim=-1)

    def forward(self, input_ids, attention_mask, sentence_mask=None, token_type_ids=None, **labels):
        pooled = self.dropout(self.pool(input_ids, attention_mask, sentence_mask, token_type_ids))
        logits = [self.heads[f](pooled) for f in self.fields]
        out = {"logits": tuple(logits)}
        present = [(f, lg) for f, lg in zip(self.fields, logits) if labels.get(f) is not None]
        if present:
            out["loss"] = sum(
                self.loss_weights[f]
                * nn.functional.cross_entropy(lg, labels[f], weight=getattr(self, f"class_weight_{f}"))
                for f, lg in present
            )
        return out


def build_model(encoder_path: str, label_maps, dropout=0.1, loss_weights=None, class_weights=None, seed=None):
    """A fresh classifier on a pretrained encoder (heads initialised from ``seed``)."""
    from transformers import AutoModel

    if seed is not None:
        torch.manual_seed(seed)
    encoder = AutoModel.from_pretrained(encoder_path, trust_remote_code=False)
    return MultiTaskClassifier(encoder, label_maps, dropout, loss_weights, class_weights)


def save_model(model: MultiTaskClassifier, tokenizer, out_dir: Path | str, meta: dict) -> Path:
    """Write encoder/, heads.safetensors and pipeline.json (meta must hold label_maps)."""
    from safetensors.torch import save_file

    out = Path(out_dir)
    (out / "encoder").mkdir(parents=True, exist_ok=True)
    model.encoder.save_pretrained(out / "encoder", safe_serialization=True)
    tokenizer.save_pretrained(out / "encoder")
    save_file({k: v.detach().contiguous().cpu() for k, v in model.heads.state_dict().items()}, str(out / HEADS_FILE))
    (out / META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    return out


def _softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


class Predictor:
    """Labels sentences with a trained classifier: batched by length, dynamic padding, inference mode."""

    def __init__(self, model: MultiTaskClassifier, tokenizer, meta: dict, device: str = "cpu"):
        self.model = model.eval().to(device)
        self.tokenizer = tokenizer
        self.meta = meta
        self.device = device
        self.label_maps: dict[str, list[str]] = {f: list(v) for f, v in meta["label_maps"].items()}
        self.fields = list(self.label_maps)
        self.max_length = int(meta.get("config", {}).get("max_length", 128))
        self.use_context = bool(meta.get("config", {}).get("use_context", True))
        self.temperatures: dict[str, float] = {f: float(meta.get("temperatures", {}).get(f, 1.0)) for f in self.fields}
        self.model_id = meta.get("model_id", "unknown")

    def logits(self, texts: Sequence[str], contexts: Sequence[str] | None = None, batch_size: int = 64,
               progress: bool = False) -> dict[str, np.ndarray]:
        """Raw logits per field, in input order (sentences are sorted by length internally)."""
        from tqdm.auto import tqdm

        from .features import PadCollator, encode

        texts = list(texts)
        n = len(texts)
        out = {f: np.zeros((n, len(self.label_maps[f])), dtype=np.float32) for f in self.fields}
        if n == 0:
            return out
        ctx = list(contexts) if (contexts is not None and self.use_context) else None
        enc = encode(self.tokenizer, texts, ctx, self.max_length)
        rows = [{k: enc[k][i] for k in enc} for i in range(n)]
        order = np.argsort([len(r["input_ids"]) for r in rows], kind="stable")
        collate = PadCollator(self.tokenizer)
        with torch.inference_mode():
            for s in tqdm(range(0, n, batch_size), disable=not progress, desc="predict", unit="batch"):
                idx = order[s : s + batch_size]
                batch = {k: v.to(self.device) for k, v in collate([rows[i] for i in idx]).items()}
                res = self.model(**batch)["logits"]
                for f, lg in zip(self.model.fields, res):
                    out[f][idx] = lg.float().cpu().numpy()
        return out

    def proba(self, logits: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Calibrated probabilities: softmax of logits divided by each field's temperature."""
        return {f: _softmax(lg / self.temperatures.get(f, 1.0)) for f, lg in logits.items()}

    def predict(self, texts: Sequence[str], contexts: Sequence[str] | None = None, batch_size: int = 64,
                progress: bool = False) -> list[dict]:
        """One dict per sentence: ``{field: label}`` plus ``probs: {field: {label: p}}``."""
        probs = self.proba(self.logits(texts, contexts, batch_size, progress))
        results = []
        for i in range(len(texts)):
            rec: dict = {}
            rec_probs: dict = {}
            for f in self.fields:
                p = probs[f][i]
                rec[f] = self.label_maps[f][int(p.argmax())]
                rec_probs[f] = {lab: round(float(v), 6) for lab, v in zip(self.label_maps[f], p)}
            rec["probs"] = rec_probs
            results.append(rec)
        return results


def quantize_int8(model: MultiTaskClassifier) -> MultiTaskClassifier:
    """int8 dynamic quantisation of the encoder's linear layers, per output channel; the small heads stay fp32.

    Per-channel scales keep labels closer to fp32 than one scale per tensor (benchmarks/label_throughput.py
    --int8-agreement measures the agreement).
    """
    import warnings

    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    spec = {name: per_channel_dynamic_qconfig for name, mod in model.named_modules()
            if isinstance(mod, nn.Linear) and not name.startswith("heads")}
    with warnings.catch_warnings():  # torch.ao's deprecation notice, printed once per layer
        warnings.simplefilter("ignore")
        return quantize_dynamic(model, spec, dtype=torch.qint8)


def load_model(path: Path | str, device: str = "cpu", quantize: bool = False) -> Predictor:
    """Load a saved classifier folder as a :class:`Predictor`; ``quantize`` applies int8 dynamic quantisation."""
    from safetensors.torch import load_file
    from transformers import AutoModel, AutoTokenizer

    path = Path(path)
    meta_path = path / META_FILE
    if not meta_path.is_file():
        raise FileNotFoundError(f"{path}: not a trained model folder (no {META_FILE}); run `stance train` first")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    tokenizer = AutoTokenizer.from_pretrained(path / "encoder", trust_remote_code=False)
    encoder = AutoModel.from_pretrained(path / "encoder", trust_remote_code=False, use_safetensors=True)
    model = MultiTaskClassifier(encoder, meta["label_maps"], dropout=0.0)
    model.heads.load_state_dict(load_file(str(path / HEADS_FILE)))
    model.eval()
    if quantize:
        model = quantize_int8(model)
    return Predictor(model, tokenizer, meta, device=device)
