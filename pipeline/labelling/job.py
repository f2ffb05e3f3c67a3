"""Batch-label incoming articles: one output record per sentence, in a resumable, crash-safe job folder.

``label_paths`` reads articles (:mod:`pipeline.text.readers`), cleans and segments them as the corpus is, labels
sentences in length-sorted batches (:class:`Labeller`: the classifier plus rule-based speaker attribution), and
writes each finished article as its own shard (temporary file, fsync, rename) before recording it in the
manifest (append, fsync). Killing the job at any moment therefore loses no finished article and leaves no
half-written file; running it again skips what the manifest lists. Bad inputs go to ``errors.jsonl`` and the
batch goes on. Articles stream through in small chunks, so memory stays flat however large the input.

The job is a pipeline of three stages, so the model never waits for the rest: a reading thread (read, decode,
clean, segment, attribute) keeps the next chunks ready, the engine labels one chunk after another, and a writing
thread writes shards and manifest lines. Queues between them are small (two chunks), so memory stays bounded.
Every input found is accounted for: ``labelled + skipped + failed == inputs``.

The job folder's files are :mod:`.output`'s; the labelling itself is :mod:`.labeller`'s, run by an engine
(:mod:`.engines`).
"""

from __future__ import annotations

import json
import os
import queue
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from ..model.folder import read_meta
from ..model.onnx_backend import BackendUnavailable, resolve_backend
from ..model.precision import PRECISIONS
from ..attribution import default_actors
from ..attribution.article import attribute_parts
from ..text.readers import DEFAULT_FIELDS, DEFAULT_MAX_BYTES, Fields, ReadError, read_inputs
from ..text.segment import DEFAULT_SEGMENTER
from .engines import ENGINES, make_engine
from .errors import JobError
from .labeller import CHARS_PER_TOKEN, DEFAULT_BATCH_SIZE, DEFAULT_MODEL, SPEAKERS, Prepared, prepare
from .output import ERRORS, FORMATS, LOCK, SHARDS, Manifest, write_output, write_shard
from .ray_engine import require_ray

#: A chunk of articles is labelled together (one length-sorted pass); bounded in articles and in sentences.
CHUNK_ARTICLES = 64
CHUNK_SENTENCES = 2048


@dataclass
class Summary:
    """What a run did: articles labelled now, skipped as already done, failed; where the output is."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    sentences: int = 0
    seconds: float = 0.0
    out_dir: Path | None = None
    output: Path | None = None
    errors: Path | None = None
    total_articles: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    #: every input found (a file, or a JSONL line / CSV row): labelled + skipped + failed
    inputs: int = 0
    #: seconds spent loading the model (part of ``seconds``)
    load_seconds: float = 0.0

    @property
    def sentences_per_second(self) -> float:
        return self.sentences / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        lines = [
            f"inputs found: {self.inputs}  articles labelled: {self.done}  skipped (already done): {self.skipped}  "
            f"failed: {self.failed}",
            f"sentences labelled: {self.sentences} in {self.seconds:.1f} s ({self.sentences_per_second:.1f} sentences/s)",
            f"output: {self.output} ({self.total_articles} articles)",
        ]
        if self.failed:
            reasons = ", ".join(f"{k}: {v}" for k, v in sorted(self.failures.items(), key=lambda kv: -kv[1]))
            lines.append(f"errors: {self.errors} ({reasons})")
        return "\n".join(lines)


# --- the job -------------------------------------------------------------------------------------------------------

def chunks(items: Iterable[Prepared], max_articles: int, max_sentences: int) -> Iterator[list[Prepared]]:
    chunk: list[Prepared] = []
    n = 0
    for item in items:
        chunk.append(item)
        n += len(item.sentences)
        if len(chunk) >= max_articles or n >= max_sentences:
            yield chunk
            chunk, n = [], 0
    if chunk:
        yield chunk


_END = object()


class _Stage(threading.Thread):
    """A pipeline stage in its own thread; its exception is kept for the job to raise."""

    def __init__(self, name: str, target, stop: threading.Event):
        super().__init__(name=name, daemon=True)
        self._target_fn, self.stop, self.error = target, stop, None

    def run(self) -> None:
        try:
            self._target_fn()
        except BaseException as e:  # noqa: BLE001 - handed to the main thread
            self.error = e
            self.stop.set()


def _put(q: queue.Queue, item, stop: threading.Event) -> bool:
    """Put ``item`` unless the job is stopping; False when it was not put."""
    while not stop.is_set():
        try:
            q.put(item, timeout=0.05)
            return True
        except queue.Full:
            continue
    return False


def _drain(q: queue.Queue, stop: threading.Event) -> Iterator:
    """Items of ``q`` up to the end marker (or until the job is stopping)."""
    while True:
        try:
            item = q.get(timeout=0.05)
        except queue.Empty:
            if stop.is_set():
                return
            continue
        if item is _END:
            return
        yield item


def _lock(out_dir: Path):
    """An exclusive lock on the job folder, so two runs never write the same shards and manifest."""
    f = open(out_dir / LOCK, "w")
    try:
        import fcntl

        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # not POSIX: no lock
        pass
    except OSError:
        f.close()
        raise JobError(f"{out_dir} is in use by another labelling run") from None
    return f


def reason_kind(reason: str) -> str:
    """The kind of a failure, for the summary's counts: its reason up to any detail (``(...)``, ``: ...``, a quoted
    name): "too large (2048 bytes > limit 1024)" -> "too large", "duplicate doc_id 'x'" -> "duplicate doc_id"."""
    return re.split(r" \(|:| '", reason, maxsplit=1)[0]


def label_paths(
    inputs: Sequence[Path | str],
    out_dir: Path | str,
    model_dir: Path | str = DEFAULT_MODEL,
    fmt: str = "jsonl",
    engine: str = "local",
    batch_size: int = DEFAULT_BATCH_SIZE,
    precision: str = "fp32",
    progress: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
    segmenter: str = DEFAULT_SEGMENTER,
    chunk_articles: int | None = None,
    chunk_sentences: int = CHUNK_SENTENCES,
    num_actors: int | None = None,
    fields: Fields = DEFAULT_FIELDS,
    backend: str = "auto",
    speakers: str = "model",
) -> Summary:
    """Label every article under ``inputs`` into the job folder ``out_dir``; returns the run's :class:`Summary`.

    Articles already in the folder's manifest are skipped, so the same call resumes an interrupted job. The
    model is loaded only when there is something to label. ``precision``: fp32, bf16, int8 or auto
    (:mod:`pipeline.model.precision`). ``engine='ray'`` labels through Ray (:mod:`pipeline.labelling.ray_engine`)
    with ``num_actors`` long-lived model actors; output is the same as the local engine's. ``fields`` maps the
    JSONL/CSV field names (:class:`pipeline.text.readers.Fields`). ``backend``: auto, torch or onnx
    (:mod:`pipeline.model.onnx_backend`; auto runs fp32 on ONNX Runtime where it is installed). ``speakers``: model
    (the rules with the model's speaker tagger or head) or rules (the rules alone: faster with a tagger).
    """
    if fmt not in FORMATS:
        raise JobError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if engine not in ENGINES:
        raise JobError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if speakers not in SPEAKERS:
        raise JobError(f"unknown speakers {speakers!r}; choose one of {', '.join(SPEAKERS)}")
    if precision not in PRECISIONS:
        raise JobError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    try:
        resolve_backend(backend, "fp32" if precision in ("fp32", "auto") else precision)
    except (ValueError, BackendUnavailable) as e:
        raise JobError(str(e)) from None
    model_dir = Path(model_dir)
    try:
        meta = read_meta(model_dir)
    except FileNotFoundError as e:
        raise JobError(str(e)) from None
    label_maps = meta["label_maps"]
    max_chars = CHARS_PER_TOKEN * int(meta.get("config", {}).get("max_length", 128))
    if engine == "ray":
        require_ray()
    out = Path(out_dir)
    (out / SHARDS).mkdir(parents=True, exist_ok=True)
    lock = _lock(out)
    for stale in (out / SHARDS).glob("*.tmp"):  # left by a killed run; never part of the output
        stale.unlink()
    started = time.perf_counter()
    summary = Summary(out_dir=out, errors=out / ERRORS)
    manifest = Manifest(out)
    errors_tmp = open(out / (ERRORS + ".tmp"), "w", encoding="utf-8")
    runner = None
    bar = None
    stop = threading.Event()
    ready: queue.Queue = queue.Queue(maxsize=2)  # prepared chunks waiting for the model
    done: queue.Queue = queue.Queue(maxsize=2 * CHUNK_ARTICLES)  # labelled articles waiting to be written
    # attribution runs ahead in the reading thread for the local engine (Ray's actors attribute their own batches)
    actors = default_actors() if engine == "local" else None
    try:
        bar = tqdm(desc="label", unit=" articles", disable=not progress, dynamic_ncols=True)
        labelling_started = time.perf_counter()

        def fail(err: ReadError) -> None:
            errors_tmp.write(json.dumps(err.to_dict(), ensure_ascii=False) + "\n")
            errors_tmp.flush()
            summary.failed += 1
            kind = reason_kind(err.reason)
            summary.failures[kind] = summary.failures.get(kind, 0) + 1

        def todo() -> Iterator[Prepared]:
            seen: set[str] = set()
            for item in read_inputs(inputs, max_bytes, fields):
                summary.inputs += 1
                if isinstance(item, ReadError):
                    fail(item)
                    continue
                if item.doc_id in seen:
                    fail(ReadError(item.meta.get("source", "?"), f"duplicate doc_id {item.doc_id!r}", item.doc_id))
                    continue
                seen.add(item.doc_id)
                if item.doc_id in manifest:
                    summary.skipped += 1
                    continue
                prepared = prepare(item, segmenter, max_chars)
                if isinstance(prepared, ReadError):
                    fail(prepared)
                    continue
                if actors is not None:
                    prepared.rules, prepared.found = attribute_parts([s[0] for s in prepared.sentences], actors)
                yield prepared

        n_chunk = chunk_articles or CHUNK_ARTICLES

        def read_stage() -> None:
            try:
                for chunk in chunks(todo(), n_chunk, chunk_sentences):
                    if not _put(ready, chunk, stop):
                        return
            finally:
                _put(ready, _END, stop)

        def write_stage() -> None:
            for doc_id, records in _drain(done, stop):
                manifest.add(doc_id, write_shard(out, doc_id, records), len(records))
                summary.done += 1
                summary.sentences += len(records)
                bar.update(1)
                rate = summary.sentences / max(time.perf_counter() - labelling_started, 1e-9)
                bar.set_postfix(sent_per_s=f"{rate:.1f}", failed=summary.failed, skipped=summary.skipped, refresh=False)

        reader = _Stage("label-read", read_stage, stop)
        writer = _Stage("label-write", write_stage, stop)
        reader.start()
        writer.start()
        try:
            pending = _drain(ready, stop)
            first = next(pending, None)
            if first is not None:
                load_started = time.perf_counter()
                runner = make_engine(engine, model_dir, precision, batch_size, num_actors, backend, speakers)
                summary.load_seconds = time.perf_counter() - load_started
                labelling_started = time.perf_counter()  # sentences/s without the model's load time

                def all_chunks() -> Iterator[list[Prepared]]:
                    yield first
                    yield from pending

                for item in runner.stream(all_chunks()):
                    if not _put(done, item, stop):
                        break
        finally:
            _put(done, _END, stop)
            writer.join()
            stop.set()
            reader.join()
        for stage in (writer, reader):
            if stage.error is not None:
                raise stage.error
        errors_tmp.close()
        os.replace(out / (ERRORS + ".tmp"), out / ERRORS)
        summary.total_articles = len(manifest.entries)
        summary.output = write_output(out, fmt, label_maps)
    finally:
        stop.set()
        if bar is not None:
            bar.close()
        if not errors_tmp.closed:
            errors_tmp.close()
        manifest.close()
        if runner is not None:
            runner.close()
        lock.close()
    summary.seconds = time.perf_counter() - started
    assert summary.done + summary.skipped + summary.failed == summary.inputs, summary
    return summary
