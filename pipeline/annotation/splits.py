"""The fixed real test split: whole real articles that the default model never trains on.

The split is chosen once (:func:`choose_test_split`, seeded and stratified by gathering batch) and recorded in
``annotations/splits/test.txt``, one doc_id a line; from then on it is only read (:func:`read_split`).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from ..schema import FIELDS, Record


class SplitError(ValueError):
    """A split file that cannot be used, reported as ``file:line: message``."""


def read_split(path: Path | str) -> list[str]:
    """The doc_ids of a split file (one a line; blank lines and ``#`` comments ignored)."""
    path = Path(path)
    docs: list[str] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line in docs:
            raise SplitError(f"{path}:{n}: doc_id {line!r} listed twice")
        docs.append(line)
    return docs


def write_split(path: Path | str, docs: Iterable[str], header: str = "") -> Path:
    """Write a split file: the header as ``#`` comments, then the doc_ids sorted."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"# {h}".rstrip() for h in header.splitlines()] + sorted(docs)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _score(test: set[str], sizes: Mapping[str, int], labels: Mapping[str, Counter], totals: Counter,
           sides: Mapping[str, str], all_sides: set[str], min_sentences: int) -> float | None:
    """How evenly a candidate split samples every (field, label): None where a hard constraint fails."""
    n = sum(sizes[d] for d in test)
    if n < min_sentences or {sides[d] for d in test} != all_sides:
        return None
    got = Counter()
    for d in test:
        got.update(labels[d])
    share = n / sum(sizes.values())
    worst = 0.0
    for key, total in totals.items():
        if got[key] == 0:
            return None  # a label that occurs in the real text must occur in the test split
        worst = max(worst, abs(got[key] / total - share) * math.sqrt(total))
    return worst


def choose_test_split(records: Sequence[Record], outlet_side: Mapping[str, str], batch: Mapping[str, str],
                      n_articles: int = 36, min_sentences: int = 400, seed: int = 13, draws: int = 4000) -> list[str]:
    """Pick ``n_articles`` whole real articles: every label of every field present, outlets of every side, about
    the same share of each batch, and label shares as close to the overall ones as ``draws`` seeded tries find."""
    sizes: Counter = Counter(r.doc_id for r in records)
    labels: dict[str, Counter] = {d: Counter() for d in sizes}
    for r in records:
        labels[r.doc_id].update((f, getattr(r, f)) for f in FIELDS)
    totals = Counter()
    for c in labels.values():
        totals.update(c)
    by_batch: dict[str, list[str]] = {}
    for d in sorted(sizes):
        by_batch.setdefault(batch[d], []).append(d)
    all_sides = {outlet_side[d] for d in sizes}
    quota = {b: round(n_articles * len(ds) / len(sizes)) for b, ds in by_batch.items()}
    rng = random.Random(seed)
    best, best_score = None, math.inf
    for _ in range(draws):
        test = {d for b, ds in by_batch.items() for d in rng.sample(ds, min(quota[b], len(ds)))}
        score = _score(test, sizes, labels, totals, outlet_side, all_sides, min_sentences)
        if score is not None and score < best_score:
            best, best_score = test, score
    if best is None:
        raise SplitError(f"no split of {n_articles} articles in {draws} draws has >= {min_sentences} sentences, "
                         "every label and every outlet side")
    return sorted(best)
