"""What the annotated corpus holds: articles and sentences per source, outlet side, genre and outlet, and label
counts per field, as Markdown tables (``stance corpus-stats``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from ..schema import FIELDS, LABELS, Record
from ..text.articles import read_manifest


def _table(title: str, counts: dict[str, tuple[int, int]]) -> str:
    lines = [f"| {title} | articles | sentences |", "|---|---|---|"]
    lines += [f"| {k} | {a} | {s} |" for k, (a, s) in sorted(counts.items(), key=lambda kv: (-kv[1][1], kv[0]))]
    return "\n".join(lines)


def corpus_stats(records: Sequence[Record], manifest: Path | str, test_docs: Sequence[str] = ()) -> str:
    """Markdown: article/sentence counts by source, outlet side, genre and outlet; label counts per field (with the
    test split's share in brackets)."""
    rows = {r["doc_id"]: r for r in read_manifest(manifest)}
    per_doc = Counter(r.doc_id for r in records)
    source = {r.doc_id: r.source for r in records}
    test = set(test_docs)

    def by(key) -> dict[str, tuple[int, int]]:
        out: dict[str, list[int]] = {}
        for doc, n in per_doc.items():
            k = key(doc)
            out.setdefault(k, [0, 0])
            out[k][0] += 1
            out[k][1] += n
        return {k: (a, s) for k, (a, s) in out.items()}

    meta = lambda doc, key, default="seed article": str(rows.get(doc, {}).get(key) or default)  # noqa: E731
    parts = [
        _table("source", by(lambda d: source[d] + (" (test split)" if d in test else ""))),
        _table("outlet side", by(lambda d: meta(d, "side", "seed (not recorded)"))),
        _table("genre", by(lambda d: meta(d, "genre", "seed (not recorded)"))),
        _table("outlet", by(lambda d: meta(d, "outlet"))),
    ]
    lines = ["| field | labels (test split in brackets) |", "|---|---|"]
    for f in FIELDS:
        all_ = Counter(getattr(r, f) for r in records)
        in_test = Counter(getattr(r, f) for r in records if r.doc_id in test)
        lines.append(f"| {f} | " + ", ".join(f"{lab} {all_[lab]}" + (f" ({in_test[lab]})" if test else "")
                                            for lab in LABELS[f] if all_[lab]) + " |")
    parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
