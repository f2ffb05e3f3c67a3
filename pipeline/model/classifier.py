"""The multi-task classifier: one shared transformer encoder, one linear head per annotation field.

Saved as a folder: ``encoder/`` (safetensors weights, config, tokenizer — loadable by any transformers
tool), ``heads.safetensors`` and ``pipeline.json`` (label maps, training config, temperatures, data hash,
package versions). Loading never runs remote code and never unpickles.
"""

from __future__ import annotations

import contextlib
import json
import warnings
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
        hidden = self.encoder(**kwargs).last_hidden_state.float()  # pooled in fp32 under bf16 autocast too
        mask_all = attention_mask.unsqueeze(-1).to(hidden.dtype)
        mask_sent = (sentence_mask if sentence_mask is not None else attention_mask).unsqueeze(-1).to(hidden.dtype)
        mean_all = (hidden * mask_all).sum(1) / mask_all.sum(1).clamp(min=1.0)
        mean_sent = (hidden * mask_sent).sum(1) / mask_sent.sum(1).clamp(min=1.0)
        return torch.cat([mean_sent, mean_all], dim=-1)

    def forward(self, input_ids, attention_mask, sentence_mask=None, token_type_ids=None, **labels):
        pooled = self.dropout(self.pool(input_ids, attention_mask, sentence_mask, token_type_ids))
        with torch.autocast(pooled.device.type, enabled=False):  # the heads decide the labels: always fp32
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


def _top2_margin(logits: np.ndarray) -> np.ndarray:
    """Per row: the largest logit minus the second largest (infinite where there is one class)."""
    if logits.shape[-1] < 2:
        return np.full(len(logits), np.inf, dtype=logits.dtype)
    top2 = np.partition(logits, -2, axis=-1)[:, -2:]
    return top2[:, 1] - top2[:, 0]


def _softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


class Predictor:
    """Labels sentences with a trained classifier: batched by length, dynamic padding, inference mode."""

    def __init__(self, model: MultiTaskClassifier, tokenizer, meta: dict, device: str = "cpu",
                 fallback: MultiTaskClassifier | None = None, fallback_margin: float = 0.0,
                 precision: str = "fp32"):
        self.model = model.eval().to(device)
        #: fp32, int8 (``model`` is then an int8 copy) or bf16 (``model`` runs under bf16 autocast).
        self.precision = precision
        #: An exact (fp32) model that re-scores sentences whose top-two logit margin in any field is below
        #: ``fallback_margin`` under ``model`` (reduced precision): near-ties are where rounding flips labels.
        self.fallback = fallback.eval().to(device) if fallback is not None else None
        self.fallback_margin = float(fallback_margin)
        #: Sentences scored, and those re-scored by the fallback, since this predictor was made.
        self.scored = self.rescored = 0
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
        from .features import encode

        texts = list(texts)
        n = len(texts)
        out = {f: np.zeros((n, len(self.label_maps[f])), dtype=np.float32) for f in self.fields}
        if n == 0:
            return out
        ctx = list(contexts) if (contexts is not None and self.use_context) else None
        enc = encode(self.tokenizer, texts, ctx, self.max_length)
        rows = [{k: enc[k][i] for k in enc} for i in range(n)]
        bf16 = self.precision == "bf16"
        self._run(self.model, rows, np.arange(n), out, batch_size, progress, torch.bfloat16 if bf16 else None)
        self.scored += n
        if self.fallback is not None:
            margins = np.stack([_top2_margin(out[f]) for f in self.fields]).min(axis=0)
            near_ties = np.flatnonzero(margins < self.fallback_margin)
            self._run(self.fallback, rows, near_ties, out, batch_size, False)
            self.rescored += len(near_ties)
        return out

    def _run(self, model, rows: list[dict], which: np.ndarray, out: dict[str, np.ndarray], batch_size: int,
             progress: bool, autocast: torch.dtype | None = None) -> None:
        """Logits of ``rows[which]`` into ``out``, in length-sorted, dynamically padded batches (under
        ``autocast`` to that dtype if given)."""
        from tqdm.auto import tqdm

        from .features import PadCollator

        order = which[np.argsort([len(rows[i]["input_ids"]) for i in which], kind="stable")]
        collate = PadCollator(self.tokenizer)
        cast = torch.autocast(torch.device(self.device).type, dtype=autocast) if autocast else contextlib.nullcontext()
        with torch.inference_mode(), cast:
            for s in tqdm(range(0, len(order), batch_size), disable=not progress, desc="predict", unit="batch"):
                idx = order[s : s + batch_size]
                batch = {k: v.to(self.device) for k, v in collate([rows[i] for i in idx]).items()}
                res = model(**batch)["logits"]
                for f, lg in zip(model.fields, res):
                    out[f][idx] = lg.float().cpu().numpy()

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


def load_model(path: Path | str, device: str = "cpu", precision: str = "fp32",
               fallback_margin: float | None = None) -> Predictor:
    """Load a saved classifier folder as a :class:`Predictor`.

    ``precision`` (:mod:`pipeline.precision`): fp32, bf16, int8 (:mod:`pipeline.quantize`) or auto. Reduced
    precisions keep the fp32 model to re-score near-ties whose top-two logit margin is below ``fallback_margin``
    (default ``precision.FALLBACK_MARGINS``; 0 turns it off).
    """
    from .precision import FALLBACK_MARGINS, resolve

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
    precision = resolve(precision, device)
    if precision == "fp32":
        return Predictor(model, tokenizer, meta, device=device)
    margin = FALLBACK_MARGINS[precision] if fallback_margin is None else fallback_margin
    fast = model  # bf16: the same weights, run under autocast
    if precision == "int8":
        from .quantize import load_calibration, quantize_int8

        maxima = load_calibration(path)
        if maxima is None:
            warnings.warn(f"{path}: no int8 calibration; int8 labels will agree less with fp32 "
                          "(`stance calibrate-int8` records it)", stacklevel=2)
        fast = quantize_int8(model, maxima)
    return Predictor(fast, tokenizer, meta, device=device, fallback=model, fallback_margin=margin, precision=precision)
