"""Read the annotation corpus and hand it to the model as a ``datasets.Dataset``.

Each sentence gets its preceding sentence of the same article as ``context``, so the model can attribute a
quote that continues from the sentence before. Splits keep whole articles together: the seed articles are
the only test data, written sentences only ever train.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from .. import paths
from ..jsonl import CorpusError, iter_jsonl
from ..schema import FIELDS, LABELS, Record


def read_records(path: Path | str) -> list[Record]:
    """Parse one annotation file strictly; the first problem raises :class:`CorpusError` (use ``validate`` for all)."""
    out = []
    for lineno, obj in iter_jsonl(path):
        try:
            out.append(Record.model_validate(obj))
        except ValidationError as e:  # the first problem, with its field and reason
            err = e.errors()[0]
            where = ".".join(map(str, err["loc"])) or "record"
            raise CorpusError(path, lineno, f"{where}: {err['msg']}") from None
    return out


def default_files() -> list[Path]:
    return [p for p in (paths.SEED, paths.REAL, paths.WRITTEN) if p.exists()]


def with_context(records: Sequence[Record]) -> list[dict]:
    """Records as dicts, each with ``context``: the previous sentence of its article ('' for the first).

    Records are grouped by doc_id, so pass one annotation of each article (not seed.jsonl with second_pass.jsonl).
    """
    by_doc: dict[str, list[Record]] = {}
    for r in records:
        by_doc.setdefault(r.doc_id, []).append(r)
    rows = []
    for doc in by_doc.values():
        doc.sort(key=lambda r: r.index)
        prev = ""
        for r in doc:
            rows.append({**r.model_dump(exclude={"note"}), "context": prev})
            prev = r.text
    return rows


def data_hash(files: Sequence[Path | str]) -> str:
    """SHA-256 over the bytes of the annotation files, recorded with every model trained on them."""
    h = hashlib.sha256()
    for f in sorted(map(str, files)):
        h.update(Path(f).name.encode())
        h.update(Path(f).read_bytes())
    return h.hexdigest()


def load_corpus(files: Sequence[Path | str] | None = None):
    """The corpus as a ``datasets.Dataset`` with ``ClassLabel`` features for every schema field."""
    from datasets import ClassLabel, Dataset, Features, Value

    files = list(files) if files is not None else default_files()
    records = [r for f in files for r in read_records(f)]
    rows = with_context(records)
    features = Features(
        {
            "id": Value("string"),
            "doc_id": Value("string"),
            "source": Value("string"),
            "text": Value("string"),
            "context": Value("string"),
            "speaker": Value("string"),
            "start": Value("int32"),
            "end": Value("int32"),
            **{field: ClassLabel(names=list(LABELS[field])) for field in FIELDS},
        }
    )
    columns = {name: [row[name] for row in rows] for name in features}
    return Dataset.from_dict(columns, features=features)


#: Sources of real news text: the only text folds and test splits score. Written sentences only ever train.
REAL_SOURCES = ("seed", "real")


def split_rows(doc_ids: Sequence[str], test_docs: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """(training rows, test rows): the indices of rows outside and inside the given test articles."""
    in_test = np.isin(np.asarray(doc_ids), np.asarray(sorted(set(test_docs)), dtype=object))
    return np.flatnonzero(~in_test), np.flatnonzero(in_test)


def article_folds(doc_ids: Sequence[str], sources: Sequence[str], n_splits: int = 5, seed: int = 13):
    """Group k-fold over the real articles (seed and real): yields (train_idx, test_idx); written rows always train.

    Each fold's test set is the sentences of whole held-out real articles, never seen in training.
    """
    from sklearn.model_selection import GroupKFold

    doc_ids, sources = np.asarray(doc_ids), np.asarray(sources)
    real_idx = np.flatnonzero(np.isin(sources, REAL_SOURCES))
    written_idx = np.flatnonzero(~np.isin(sources, REAL_SOURCES))
    groups = doc_ids[real_idx]
    n_docs = len(set(groups))
    if n_docs < 2:
        raise ValueError(f"need at least 2 real articles for article-level folds, got {n_docs}")
    gkf = GroupKFold(n_splits=min(n_splits, n_docs), shuffle=True, random_state=seed)
    for train_real, test_real in gkf.split(real_idx, groups=groups):
        yield np.sort(np.concatenate([real_idx[train_real], written_idx])), real_idx[test_real]
