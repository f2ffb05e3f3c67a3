"""Batch-label incoming articles: one output record per sentence, in a resumable, crash-safe job folder.

``label_paths`` reads articles (:mod:`pipeline.readers`), cleans and segments them as the corpus is, labels
sentences in length-sorted batches (:class:`Labeller`: the classifier plus rule-based speaker attribution), and
writes each finished article as its own shard (temporary file, fsync, rename) before recording it in the
manifest (append, fsync). Killing the job at any moment therefore loses no finished article and leaves no
half-written file; running it again skips what the manifest lists. Bad inputs go to ``errors.jsonl`` and the
batch goes on. Articles stream through in small chunks, so memory stays flat however large the input.

Job folder::

    shards/<doc>-<hash>.jsonl   one finished article's records (the unit of resumption)
    manifest.jsonl              finished articles, one JSON line each, in completion order
    errors.jsonl                the last completed run's failures: source, doc_id, reason
    labels.<jsonl|parquet|csv>  every finished article's records, rebuilt from the shards at the end of a run
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from .. import paths
from ..text.readers import DEFAULT_MAX_BYTES, Article, ReadError, read_inputs
from ..schema import make_id

FORMATS = ("jsonl", "parquet", "csv")
ENGINES = ("local", "ray")
#: Sentences per forward pass: the best of 16-128 for MiniLM on 2 CPU threads (label_throughput.py --sweep).
DEFAULT_BATCH_SIZE = 64
DEFAULT_MODEL = paths.MODELS / "default"
#: A chunk of articles is labelled together (one length-sorted pass); bounded in articles and in sentences.
CHUNK_ARTICLES = 64
CHUNK_SENTENCES = 2048
MANIFEST, ERRORS, SHARDS, LOCK = "manifest.jsonl", "errors.jsonl", "shards", ".lock"


class JobError(RuntimeError):
    """A job that cannot run at all (bad format or engine, model missing, folder in use)."""


@dataclass
class Prepared:
    """An article ready to label: cleaned text segmented into sentences (``(text, start, end)``)."""

    doc_id: str
    meta: dict
    sentences: list[tuple[str, int, int]]


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

    @property
    def sentences_per_second(self) -> float:
        return self.sentences / self.seconds if self.seconds > 0 else 0.0

    def __str__(self) -> str:
        lines = [
            f"articles labelled: {self.done}  skipped (already done): {self.skipped}  failed: {self.failed}",
            f"sentences labelled: {self.sentences} in {self.seconds:.1f} s ({self.sentences_per_second:.1f} sentences/s)",
            f"output: {self.output} ({self.total_articles} articles)",
        ]
        if self.failed:
            reasons = ", ".join(f"{k}: {v}" for k, v in sorted(self.failures.items(), key=lambda kv: -kv[1]))
            lines.append(f"errors: {self.errors} ({reasons})")
        return "\n".join(lines)


# --- preparing and labelling ------------------------------------------------------------------------------------

def prepare(article: Article, segmenter: str = "pysbd") -> Prepared | ReadError:
    """Clean and segment an article exactly as the corpus is; an article with no sentence left is an error."""
    from ..text.clean import clean_text
    from ..text.segment import split_sentences

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
        from ..attribution.rules import default_actors

        self.predictor = predictor
        self.batch_size = batch_size
        self.actors = default_actors() if actors is None else actors
        #: Recorded with every output record; a reduced precision is marked as such ("+bf16", "+int8").
        precision = getattr(predictor, "precision", "fp32")
        self.model_id = predictor.model_id + ("" if precision == "fp32" else f"+{precision}")

    @classmethod
    def load(cls, model_dir: Path | str = DEFAULT_MODEL, precision: str = "fp32",
             batch_size: int = DEFAULT_BATCH_SIZE, actors=None) -> Labeller:
        from ..model.classifier import load_model

        return cls(load_model(model_dir, precision=precision), batch_size, actors)

    def predict(self, texts: Sequence[str], contexts: Sequence[str]) -> list[dict]:
        return self.predictor.predict(texts, contexts, batch_size=self.batch_size)

    def label(self, articles: Sequence[Prepared]) -> list[list[dict]]:
        """Output records for each article, in order."""
        from ..attribution.rules import attribute, combine

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


class LocalEngine:
    """Labels chunks in this process."""

    def __init__(self, model_dir, precision="fp32", batch_size=DEFAULT_BATCH_SIZE):
        self.labeller = Labeller.load(model_dir, precision, batch_size)

    def run(self, chunk: list[Prepared]) -> Iterator[tuple[str, list[dict]]]:
        for article, records in zip(chunk, self.labeller.label(chunk)):
            yield article.doc_id, records

    def close(self) -> None:
        pass


# --- the job folder ------------------------------------------------------------------------------------------------

def shard_name(doc_id: str) -> str:
    """A file name for a doc_id: readable, safe on every filesystem, unique by a hash of the exact id."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", doc_id)[:80].strip("._") or "doc"
    return f"{safe}-{hashlib.sha1(doc_id.encode('utf-8')).hexdigest()[:10]}.jsonl"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, write: Callable, mode: str = "w") -> Path:
    """Write ``path`` through ``write(file)`` into a temporary file, fsync it, then rename it into place."""
    tmp = path.with_name(path.name + ".tmp")
    kwargs = {"encoding": "utf-8", "newline": ""} if "b" not in mode else {}
    with open(tmp, mode, **kwargs) as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)
    return path


class Manifest:
    """The finished articles of a job folder; appended and fsynced once per article, after its shard is in place."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / MANIFEST
        self.shards = out_dir / SHARDS
        self.entries: dict[str, dict] = {}
        if self.path.exists():
            data = self.path.read_bytes()
            if data and not data.endswith(b"\n"):  # a torn last line from a kill mid-append: drop it
                data = data[: data.rfind(b"\n") + 1]
                with open(self.path, "r+b") as f:
                    f.truncate(len(data))
            for line in data.splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry, dict) and (self.shards / str(entry.get("shard"))).is_file():
                    self.entries[entry["doc_id"]] = entry  # later lines win (an article redone)
        self._f = open(self.path, "a", encoding="utf-8")

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self.entries

    def add(self, doc_id: str, shard: str, sentences: int) -> None:
        entry = {"doc_id": doc_id, "shard": shard, "sentences": sentences}
        self._f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._f.flush()
        os.fsync(self._f.fileno())
        self.entries[doc_id] = entry

    def close(self) -> None:
        self._f.close()


def write_shard(out_dir: Path, doc_id: str, records: Sequence[dict]) -> str:
    """One finished article's records as ``shards/<name>.jsonl``, atomically; returns the file name."""
    name = shard_name(doc_id)
    atomic_write(out_dir / SHARDS / name,
                 lambda f: f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return name


def iter_records(out_dir: Path | str) -> Iterator[dict]:
    """Every record of every finished article of a job folder, in manifest order."""
    out_dir = Path(out_dir)
    manifest = Manifest(out_dir)
    manifest.close()
    for entry in manifest.entries.values():
        with open(out_dir / SHARDS / entry["shard"], encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)


# --- combined output -----------------------------------------------------------------------------------------------

def flat_columns(label_maps: Mapping[str, Sequence[str]]) -> list[str]:
    """Columns of the tabular (Parquet / CSV) output: one probability column per field and label."""
    probs = [f"p_{f}_{lab}" for f, labels in label_maps.items() for lab in labels]
    return ["id", "doc_id", "index", "text", "start", "end", "speaker", "speaker_side", "speaker_source",
            *[f for f in label_maps if f != "speaker_side"], *probs, "model_id", "meta"]


def flatten(record: Mapping, label_maps: Mapping[str, Sequence[str]]) -> dict:
    """A record as one flat row: ``probs`` spread into ``p_<field>_<label>`` columns, ``meta`` as a JSON string."""
    row = {k: v for k, v in record.items() if k not in ("probs", "meta")}
    for f, labels in label_maps.items():
        for lab in labels:
            row[f"p_{f}_{lab}"] = record["probs"][f][lab]
    row["meta"] = json.dumps(record.get("meta", {}), ensure_ascii=False, sort_keys=True)
    return row


def write_output(out_dir: Path, fmt: str, label_maps: Mapping[str, Sequence[str]], rows_per_group: int = 4096) -> Path:
    """Rebuild ``labels.<fmt>`` from the shards, streaming, atomically."""
    path = out_dir / f"labels.{fmt}"
    records = iter_records(out_dir)
    if fmt == "jsonl":
        atomic_write(path, lambda f: f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    elif fmt == "csv":
        columns = flat_columns(label_maps)

        def write_csv(f):
            w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
            w.writeheader()
            for r in records:
                w.writerow(flatten(r, label_maps))

        atomic_write(path, write_csv)
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = flat_columns(label_maps)
        types = {"index": pa.int64(), "start": pa.int64(), "end": pa.int64()}
        schema = pa.schema([(c, pa.float64() if c.startswith("p_") else types.get(c, pa.string())) for c in columns])

        def write_parquet(f):
            with pq.ParquetWriter(f, schema) as writer:
                batch: list[dict] = []
                for r in records:
                    batch.append(flatten(r, label_maps))
                    if len(batch) >= rows_per_group:
                        writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                        batch = []
                if batch:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))

        atomic_write(path, write_parquet, mode="wb")
    else:
        raise JobError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return path


# --- the job -------------------------------------------------------------------------------------------------------

def _chunks(items: Iterable[Prepared], max_articles: int, max_sentences: int) -> Iterator[list[Prepared]]:
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


def _reason_kind(reason: str) -> str:
    return reason.split(" (")[0].split(":")[0]


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
    segmenter: str = "pysbd",
    chunk_articles: int | None = None,
    chunk_sentences: int = CHUNK_SENTENCES,
    num_actors: int | None = None,
) -> Summary:
    """Label every article under ``inputs`` into the job folder ``out_dir``; returns the run's :class:`Summary`.

    Articles already in the folder's manifest are skipped, so the same call resumes an interrupted job. The
    model is loaded only when there is something to label. ``precision``: fp32, bf16, int8 or auto
    (:mod:`pipeline.precision`). ``engine='ray'`` labels through Ray Data
    (:mod:`pipeline.ray_engine`) with ``num_actors`` model actors; output is the same as the local engine's.
    """
    if fmt not in FORMATS:
        raise JobError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if engine not in ENGINES:
        raise JobError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    from ..model.precision import PRECISIONS

    if precision not in PRECISIONS:
        raise JobError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    model_dir = Path(model_dir)
    meta_file = model_dir / "pipeline.json"
    if not meta_file.is_file():
        raise JobError(f"{model_dir}: not a trained model folder (no pipeline.json); run `stance train` first")
    label_maps = json.loads(meta_file.read_text(encoding="utf-8"))["label_maps"]
    if engine == "ray":
        from .ray_engine import require_ray

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
    try:
        from tqdm.auto import tqdm

        bar = tqdm(desc="label", unit=" articles", disable=not progress, dynamic_ncols=True)
        labelling_started = time.perf_counter()

        def fail(err: ReadError) -> None:
            errors_tmp.write(json.dumps(err.to_dict(), ensure_ascii=False) + "\n")
            errors_tmp.flush()
            summary.failed += 1
            kind = _reason_kind(err.reason)
            summary.failures[kind] = summary.failures.get(kind, 0) + 1

        def todo() -> Iterator[Prepared]:
            seen: set[str] = set()
            for item in read_inputs(inputs, max_bytes):
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
                prepared = prepare(item, segmenter)
                if isinstance(prepared, ReadError):
                    fail(prepared)
                    continue
                yield prepared

        n_chunk = chunk_articles or (CHUNK_ARTICLES if engine == "local" else 512)
        for chunk in _chunks(todo(), n_chunk, chunk_sentences if engine == "local" else 16 * chunk_sentences):
            if runner is None:
                if engine == "ray":
                    from .ray_engine import RayEngine

                    runner = RayEngine(model_dir, precision, batch_size, num_actors=num_actors)
                else:
                    runner = LocalEngine(model_dir, precision, batch_size)
                labelling_started = time.perf_counter()  # sentences/s without the model's load time
            for doc_id, records in runner.run(chunk):
                manifest.add(doc_id, write_shard(out, doc_id, records), len(records))
                summary.done += 1
                summary.sentences += len(records)
                bar.update(1)
                rate = summary.sentences / max(time.perf_counter() - labelling_started, 1e-9)
                bar.set_postfix(sent_per_s=f"{rate:.1f}", failed=summary.failed, skipped=summary.skipped, refresh=False)
        errors_tmp.close()
        os.replace(out / (ERRORS + ".tmp"), out / ERRORS)
        summary.total_articles = len(manifest.entries)
        summary.output = write_output(out, fmt, label_maps)
    finally:
        if bar is not None:
            bar.close()
        if not errors_tmp.closed:
            errors_tmp.close()
        manifest.close()
        if runner is not None:
            runner.close()
        lock.close()
    summary.seconds = time.perf_counter() - started
    return summary
