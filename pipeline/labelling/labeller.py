"""Prepared articles -> output records: cleaning and segmenting as the corpus is, classifier predictions for every
sentence, speakers from the attribution rules (:mod:`pipeline.attribution`) and the model's learned attributor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .. import paths
from ..attribution import combine, default_actors
from ..attribution.article import attribute_parts
from ..attribution.tagged import attribute_tagged
from ..model.features import article_contexts
from ..model.folder import load_model
from ..schema import make_id
from ..text.clean import clean_text
from ..text.readers import Article, ReadError
from ..text.segment import DEFAULT_SEGMENTER, MAX_SENTENCE_CHARS, split_sentences

#: Sentences per forward pass: the best of 16-128 for MiniLM on 2 CPU threads (label_throughput.py --sweep).
DEFAULT_BATCH_SIZE = 64
DEFAULT_MODEL = paths.MODELS / "default"

#: Where the speakers written come from (:class:`Labeller` ``speakers``).
SPEAKERS = ("model", "rules")

#: Characters per model token assumed when bounding a sentence to what the model reads (``max_length`` tokens).
CHARS_PER_TOKEN = 5


@dataclass
class Prepared:
    """An article ready to label: cleaned text segmented into sentences (``(text, start, end)``).

    ``notes``: sentence index -> a note for a sentence that is not the segmenter's whole sentence (one longer than
    the model reads, cut into pieces). ``found``: attribution's result per sentence (rules and resolution), and
    ``rules``: the rules' own, when they were worked out ahead of the model (the job does that while the model
    labels the chunk before)."""

    doc_id: str
    meta: dict
    sentences: list[tuple[str, int, int]]
    notes: dict[int, str] = field(default_factory=dict)
    found: list | None = None
    rules: list | None = None


def prepare(article: Article, segmenter: str = DEFAULT_SEGMENTER, max_chars: int | None = None) -> Prepared | ReadError:
    """Clean and segment an article exactly as the corpus is; an article with no sentence left is an error.

    The segmenter reads each line on its own and a very long line in bounded windows (cost linear in the text). A
    sentence over ``max_chars`` characters (more than the model reads) comes out cut at spaces, each piece with a
    note, so no sentence is ever sent whole to be silently truncated.
    """
    text = clean_text(article.text)
    limit = min(max_chars, MAX_SENTENCE_CHARS) if max_chars else MAX_SENTENCE_CHARS
    sentences: list[tuple[str, int, int]] = []
    notes: dict[int, str] = {}
    for s in split_sentences(text, segmenter, max_chars=limit):
        if s.note:
            notes[len(sentences)] = f"{s.note} (the model reads about {limit} characters)"
        sentences.append((s.text, s.start, s.end))
    if not sentences:
        return ReadError(article.meta.get("source", article.doc_id), "no sentences (nothing left after cleaning)",
                         article.doc_id)
    return Prepared(article.doc_id, article.meta, sentences, notes)


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
    ``torch.inference_mode`` (``Predictor.predict``); each sentence's context is what the model was trained to read (``ContextSpec``).
    """

    def __init__(self, predictor, batch_size: int = DEFAULT_BATCH_SIZE, actors=None, speakers: str = "model"):
        if speakers not in SPEAKERS:
            raise ValueError(f"unknown speakers {speakers!r}; choose one of {', '.join(SPEAKERS)}")
        self.predictor = predictor
        self.batch_size = batch_size
        self.actors = default_actors() if actors is None else actors
        #: "model": the rules with the model's learned attributor, where it has one; "rules": the rules alone (faster
        #: where the model has a speaker tagger: no second encoder pass).
        self.speakers = speakers
        #: Recorded with every output record; a reduced precision is marked as such ("+bf16", "+int8"), and so are
        #: speakers from the rules alone where the model has a learned attributor ("+rules-speakers").
        precision = getattr(predictor, "precision", "fp32")
        self.model_id = predictor.model_id + ("" if precision == "fp32" else f"+{precision}")
        if speakers == "rules" and getattr(predictor, "reads_speakers", False):
            self.model_id += "+rules-speakers"

    @classmethod
    def load(cls, model_dir: Path | str = DEFAULT_MODEL, precision: str = "fp32",
             batch_size: int = DEFAULT_BATCH_SIZE, actors=None, backend: str = "auto",
             speakers: str = "model") -> Labeller:
        """``backend``: auto (fp32 on ONNX Runtime where installed, else torch), torch or onnx (``load_model``);
        ``speakers``: model or rules (see :attr:`speakers`)."""
        return cls(load_model(model_dir, precision=precision, backend=backend), batch_size, actors, speakers)

    def predict(self, texts: Sequence[str], contexts: Sequence[str], states: list | None = None) -> list[dict]:
        return self.predictor.predict(texts, contexts, batch_size=self.batch_size, states=states)

    def label(self, articles: Sequence[Prepared]) -> list[list[dict]]:
        """Output records for each article, in order. Where the model has a learned attributor (a speaker tagger,
        else a speaker head read in the same pass), the speakers written are the rules' combined with its reading of
        each sentence (:func:`~pipeline.attribution.tagged.attribute_tagged`); the model's speaker input stays the
        rules' finding, as it was trained."""
        texts, contexts, previous, founds, rules = [], [], [], [], []
        spec = self.predictor.context_spec
        for a in articles:
            sentences = [s[0] for s in a.sentences]
            if a.found is None or a.rules is None:
                a.rules, a.found = attribute_parts(sentences, self.actors)
            founds.append(a.found)
            rules.append(a.rules)
            texts.extend(sentences)
            previous.extend(["", *sentences[:-1]])
            contexts.extend(article_contexts(sentences, spec, a.found))
        learned = self.speakers == "model"
        states: list = self.predictor.tagger_states(texts, previous) if learned else []
        head: list | None = [] if learned and not states else None  # the speaker head's reading, in the same pass
        predictions = iter(self.predict(texts, contexts, head))
        states = states or head or []
        if states:
            thresholds = self.predictor.speaker_thresholds
            pos = 0
            for k, a in enumerate(articles):
                n = len(a.sentences)
                founds[k] = attribute_tagged([s[0] for s in a.sentences], states[pos:pos + n], self.actors,
                                             rules=rules[k], **thresholds)
                pos += n
        out = []
        for a, found in zip(articles, founds):
            records = []
            for i, ((text, start, end), who) in enumerate(zip(a.sentences, found)):
                pred = next(predictions)
                side_p = pred["probs"]["speaker_side"][pred["speaker_side"]]
                speaker, side, how = combine(who, pred["speaker_side"], side_p, claim=pred.get("claim"))
                records.append({
                    "id": make_id(a.doc_id, i), "doc_id": a.doc_id, "index": i, "text": text,
                    "start": start, "end": end, "speaker": speaker, "speaker_side": side, "speaker_source": how,
                    **{f: pred[f] for f in self.predictor.fields if f != "speaker_side"},
                    "probs": pred["probs"], "model_id": self.model_id, "meta": a.meta,
                })
                if i in a.notes:
                    records[-1]["note"] = a.notes[i]
            out.append(records)
        release_freed_memory()
        return out
