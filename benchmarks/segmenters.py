"""How well each sentence segmenter of pipeline/text/segment.py finds the gold sentences of annotations/.

For every gold article (annotations/articles/<doc_id>.txt) the segmenter's sentences are compared with the gold
records' (start, end) spans: precision, recall and F1 of sentence boundaries inside a line (a line break is a
boundary for every segmenter, so those are left out), the share of gold sentences reproduced exactly, and
pieces that are no sentence at all (punctuation only, e.g. a lone closing quote).

    python benchmarks/segmenters.py [--gold annotations/seed.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import paths  # noqa: E402
from pipeline.text.segment import SEGMENTERS, split_sentences  # noqa: E402


def load_gold(path: Path) -> dict[str, list[tuple[int, int]]]:
    """doc_id -> gold sentence spans, in order."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            spans.setdefault(r["doc_id"], []).append((r["start"], r["end"]))
    return {d: sorted(s) for d, s in spans.items()}


def inline_boundaries(text: str, spans: list[tuple[int, int]]) -> set[int]:
    """End offsets of sentences that do not end a line (nor the text)."""
    return {end for _, end in spans if text[end:].lstrip(" \t")[:1] not in ("\n", "")}


def score(gold: dict[str, list[tuple[int, int]]], articles_dir: Path, segmenter: str) -> dict:
    tp = fp = fn = exact = n_gold = n_pred = junk = 0
    seconds = 0.0
    for doc_id, gold_spans in gold.items():
        text = (articles_dir / f"{doc_id}.txt").read_text(encoding="utf-8")
        started = time.perf_counter()
        predicted = split_sentences(text, segmenter)
        seconds += time.perf_counter() - started
        pred_spans = [(s.start, s.end) for s in predicted]
        g, p = inline_boundaries(text, gold_spans), inline_boundaries(text, pred_spans)
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
        exact += len(set(gold_spans) & set(pred_spans))
        n_gold += len(gold_spans)
        n_pred += len(pred_spans)
        junk += sum(not any(c.isalnum() for c in s.text) for s in predicted)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "segmenter": segmenter, "gold": n_gold, "predicted": n_pred,
        "precision": precision, "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "exact": exact / n_gold if n_gold else 0.0, "junk": junk, "ms": 1000 * seconds,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=paths.SEED if paths.SEED.exists() else paths.ANNOTATIONS / "second_pass.jsonl",
                        help="gold records with doc_id, start, end (default: annotations/seed.jsonl)")
    parser.add_argument("--articles", type=Path, default=paths.ARTICLES, help="folder of cleaned <doc_id>.txt")
    args = parser.parse_args(argv)
    gold = load_gold(args.gold)
    print(f"gold: {args.gold} ({sum(map(len, gold.values()))} sentences, {len(gold)} articles)")
    rows, broken = [], []
    for name in SEGMENTERS:
        try:
            rows.append(score(gold, args.articles, name))
        except Exception as e:  # a segmenter that cannot run is reported, not fatal
            broken.append(f"{name}: {type(e).__name__}: {e}")
    print(f"{'segmenter':10} {'sentences':>9} {'boundary P':>10} {'R':>6} {'F1':>6} {'exact match':>11} "
          f"{'junk':>5} {'time ms':>8}")
    for line in broken:
        print(f"{line.split(':')[0]:10} failed: {line.split(': ', 1)[1]}")
    for r in rows:
        print(f"{r['segmenter']:10} {r['predicted']:>9} {r['precision']:>10.3f} {r['recall']:>6.3f} {r['f1']:>6.3f} "
              f"{r['exact']:>11.3f} {r['junk']:>5} {r['ms']:>8.0f}")
    best = max(rows, key=lambda r: (r["exact"], r["f1"]))
    print(f"best by exact sentence match: {best['segmenter']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
