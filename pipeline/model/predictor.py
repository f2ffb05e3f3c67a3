"""Labels sentences with a trained classifier: length-sorted batches, dynamic padding, inference mode, and the
fp32 re-scoring of near-ties for reduced precisions (:mod:`pipeline.model.precision`)."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence

import numpy as np
import torch
from tqdm.auto import tqdm

from ..attribution.tagged import TaggerStates
from ..config import speaker_thresholds
from .classifier import MultiTaskClassifier
from .features import ContextSpec, PadCollator, corpus_contexts, encode


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
                 precision: str = "fp32", runner=None, tagger=None):
        self.model = model.eval().to(device)
        #: The fine-tuned speaker tagger trained with the model (:class:`~pipeline.attribution.span_tagger.
        #: SpeakerTagger`, config ``speaker_tagger``), or None.
        self.tagger = tagger
        #: What computes the logits: ``model`` itself, or a stand-in for it on another backend (``runner.backend``,
        #: e.g. :class:`~pipeline.model.onnx_backend.OnnxClassifier`, exact fp32 like ``model``).
        self.runner = runner if runner is not None else self.model
        self.backend = getattr(runner, "backend", "torch")
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
        #: What the context segment holds (previous/next sentence, headline, speaker), as the model was trained.
        self.context_spec = ContextSpec.from_config(meta.get("config", {}))
        self.use_context = not self.context_spec.empty
        self.temperatures: dict[str, float] = {f: float(meta.get("temperatures", {}).get(f, 1.0)) for f in self.fields}
        self.model_id = meta.get("model_id", "unknown")

    def corpus_contexts(self, doc_ids: Sequence[str], texts: Sequence[str]) -> list[str] | None:
        """The context segment of every corpus row as this model was trained to read it (None: no context)."""
        return None if self.context_spec.empty else corpus_contexts(doc_ids, texts, self.context_spec)

    @property
    def has_speaker_head(self) -> bool:
        """Whether the model finds speaker mentions in the same pass (config ``speaker_head``)."""
        return bool(getattr(self.model, "speaker_head", False))

    @property
    def reads_speakers(self) -> bool:
        """Whether the model has a learned attributor: a speaker tagger, or a speaker head in its own pass."""
        return self.tagger is not None or self.has_speaker_head

    @property
    def speaker_thresholds(self) -> dict[str, float]:
        """The learned attributor's ``min_confidence`` / ``author_confidence`` as the model's config sets them
        (:func:`~pipeline.attribution.tagged.attribute_tagged`): the tagger's where it has one, else the head's."""
        return speaker_thresholds(self.meta.get("config", {}))

    def tagger_states(self, texts: Sequence[str], previous: Sequence[str]) -> list[TaggerStates]:
        """The speaker tagger's reading of each sentence, read with the sentence before it in its article (``''``
        for an article's first); ``[]`` where the model has no tagger."""
        return [] if self.tagger is None else self.tagger.encode(list(texts), list(previous))

    def logits(self, texts: Sequence[str], contexts: Sequence[str] | None = None, batch_size: int = 64,
               progress: bool = False, states: list | None = None) -> dict[str, np.ndarray]:
        """Raw logits per field, in input order (sentences are sorted by length internally). ``states``: a list to
        fill with the speaker head's reading of each sentence (:class:`~pipeline.attribution.tagged.TaggerStates`),
        from the same pass, where the model has the head (left empty where it has none)."""
        texts = list(texts)
        n = len(texts)
        out = {f: np.zeros((n, len(self.label_maps[f])), dtype=np.float32) for f in self.fields}
        if n == 0:
            return out
        ctx = list(contexts) if (contexts is not None and self.use_context) else None
        want = states is not None and self.has_speaker_head
        enc = encode(self.tokenizer, texts, ctx, self.max_length, offsets=want)
        rows = [{k: enc[k][i] for k in enc} for i in range(n)]
        bf16 = self.precision == "bf16"
        found: list | None = [None] * n if want else None
        self._run(self.runner, rows, np.arange(n), out, batch_size, progress, torch.bfloat16 if bf16 else None, found)
        if want and all(st is not None for st in found):  # a runner without the head's outputs gives none
            states.extend(found)
        self.scored += n
        if self.fallback is not None:
            margins = np.stack([_top2_margin(out[f]) for f in self.fields]).min(axis=0)
            near_ties = np.flatnonzero(margins < self.fallback_margin)
            self._run(self.fallback, rows, near_ties, out, batch_size, False)
            self.rescored += len(near_ties)
        return out

    def _run(self, model, rows: list[dict], which: np.ndarray, out: dict[str, np.ndarray], batch_size: int,
             progress: bool, autocast: torch.dtype | None = None, states: list | None = None) -> None:
        """Logits of ``rows[which]`` into ``out``, in length-sorted, dynamically padded batches (under
        ``autocast`` to that dtype if given); ``states``: filled per row with the speaker head's reading."""
        order = which[np.argsort([len(rows[i]["input_ids"]) for i in which], kind="stable")]
        collate = PadCollator(self.tokenizer)
        cast = torch.autocast(torch.device(self.device).type, dtype=autocast) if autocast else contextlib.nullcontext()
        with torch.inference_mode(), cast:
            for s in tqdm(range(0, len(order), batch_size), disable=not progress, desc="predict", unit="batch"):
                idx = order[s : s + batch_size]
                batch = {k: v.to(self.device) for k, v in collate([rows[i] for i in idx]).items()}
                res = model(**batch)
                for f, lg in zip(model.fields, res["logits"]):
                    out[f][idx] = lg.float().cpu().numpy()
                if states is not None and "speaker" in res:
                    decision = _softmax(res["speaker"][0].float().cpu().numpy())
                    tags = _softmax(res["speaker"][1].float().cpu().numpy())
                    for j, i in enumerate(idx):
                        offsets = np.asarray(rows[i]["offset_mapping"], dtype=np.int64).reshape(-1, 2)
                        own = offsets[:, 1] > offsets[:, 0]
                        states[i] = TaggerStates(decision[j], tags[j, : len(offsets)][own], offsets[own])

    def proba(self, logits: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Calibrated probabilities: softmax of logits divided by each field's temperature."""
        return {f: _softmax(lg / self.temperatures.get(f, 1.0)) for f, lg in logits.items()}

    def predict(self, texts: Sequence[str], contexts: Sequence[str] | None = None, batch_size: int = 64,
                progress: bool = False, states: list | None = None) -> list[dict]:
        """One dict per sentence: ``{field: label}`` plus ``probs: {field: {label: p}}``; ``states`` as in
        :meth:`logits`."""
        probs = self.proba(self.logits(texts, contexts, batch_size, progress, states))
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
