"""Prepared articles -> output records: cleaning and segmenting as the corpus is, classifier predictions for every
sentence, speakers from the attribution rules (:mod:`pipeline.attribution`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .. import paths
from ..attribution import attribute, combine, default_actors
from ..model.folder import load_model
from ..schema import make_id
from ..text.clean import clean_text
from ..text.readers import Article, ReadError
from ..text.segment import DEFAULT_SEGMENTER, split_sentences

#: Sentences per forward pass: the best of 16-128 for MiniLM on 2 CPU threads (label_throughput.py --sweep).
DEFAULT_BATCH_SIZE = 64
DEFAULT_MODEL = paths.MODELS / "default"


@dataclass
class Prepared:
    """An article ready to label: cleaned text segmented into sentences (``(text, start, end)``)."""

    doc_id: str
    meta: dict
    sentences: list[tuple[str, int, int]]


def prepare(article: Article, segmenter: str = DEFAULT_SEGMENTER) -> Prepared | ReadError:
    """Clean and segment an article exactly as the corpus is; an article with no sentence left is an error."""
    text = clean_text(article.text)
    sentences = [(s.text, s.start, s.end) for s in split_sentences(text, segmenter)]
    if not sentences:
        return ReadError(article.meta.get("source", article.doc_id), "no sentences (nothing left after cleaning)",
                         article.doc_id)
    return Prepared(article.doc_id, article.meta, sentences)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, musl, Windows)."""
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError, TypeError):
        return None


def release_freed_memory() -> None:
    """Hand the heap pages that the last chunk's tensors freed back to the OS.

    Without it glibc keeps them, fragmented by tensors of ever-changing shapes, and a long job's resident memory
    grew by about 40 MB per chunk (benchmarks/label_memory.py: 8x the input, 1.6x the peak); with it, flat.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


class Labeller:
    """Labels prepared articles: classifier predictions for every sentence, speakers from attribution rules.

    Every sentence of a call is predicted in one length-sorted, dynamically padded pass under
    ``torch.inference_mode`` (``Predictor.predict``); each sentence's context is the sentence before it.
    """

    def __init__(self, predictor, batch_size: int = DEFAULT_BATCH_SIZE, actors=None):
        self.predictor = predictor
        self.batch_size = batch_size
        self.actors = default_actors() if actors is None else actors
        #: Recorded with every output record; a reduced precision is marked as such ("+bf16", "+int8").
        precision = getattr(predictor, "precision", "fp32")
        self.model_id = predictor.model_id + ("" if precision == "fp32" else f"+{precision}")

    @classmethod
    def load(cls, model_dir: Path | str = DEFAULT_MODEL, precision: str = "fp32",
             batch_size: int = DEFAULT_BATCH_SIZE, actors=None) -> Labeller:
        return cls(load_model(model_dir, precision=precision), batch_size, actors)

    def predict(self, texts: Sequence[str], contexts: Sequence[str]) -> list[dict]:
        return self.predictor.predict(texts, contexts, batch_size=self.batch_size)

    def label(self, articles: Sequence[Prepared]) -> list[list[dict]]:
        """Output records for each article, in order."""
        texts, contexts = [], []
        for a in articles:
            prev = ""
            for text, _, _ in a.sentences:
                texts.append(text)
                contexts.append(prev)
                prev = text
        predictions = iter(self.predict(texts, contexts))
        out = []
        for a in articles:
            found = attribute([s[0] for s in a.sentences], self.actors)
            records = []
            for i, ((text, start, end), who) in enumerate(zip(a.sentences, found)):
                pred = next(predictions)
                side_p = pred["probs"]["speaker_side"][pred["speaker_side"]]
                speaker, side, how = combine(who, pred["speaker_side"], side_p)
                records.append({
                    "id": make_id(a.doc_id, i), "doc_id": a.doc_id, "index": i, "text": text,
                    "start": start, "end": end, "speaker": speaker, "speaker_side": side, "speaker_source": how,
                    **{f: pred[f] for f in self.predictor.fields if f != "speaker_side"},
                    "probs": pred["probs"], "model_id": self.model_id, "meta": a.meta,
                })
            out.append(records)
        release_freed_memory()
        return out
