"""How well each sentence segmenter of pipeline/text/segment.py finds the gold units of annotations/.

The gold units are the hand-checked sentence spans of every real article: annotations/seed.jsonl (the five seed
articles) and the real corpus (annotations/real.jsonl), each against annotations/articles/<doc_id>.txt.
``--data`` picks the articles: ``test`` (the fixed real test split, annotations/splits/test.txt; the default),
``train`` (every other article, seed included: tune rules only on these), ``all`` or ``seed``.

For each segmenter: precision, recall and F1 of unit boundaries inside a line (a line break is a boundary for
every segmenter, so those are left out), the share of gold units reproduced exactly, pooled over the articles and
(``--per-article``) per article; and every boundary error sorted into a kind:

- merged quote: a boundary inside a multi-sentence quotation that the segmenter missed
- split dateline: a cut inside a dateline that belongs to the first sentence ("TOKYO, July 26. /TASS/. ...")
- glued caption/credit: a caption, credit, byline or heading run on into the next unit
- split credit: a bracketed credit cut off a caption that the gold keeps whole ("... on June 5. (AFP)")
- split at abbreviation: a cut after an abbreviation or an ellipsis inside a sentence ("U.S.", "Gen.", ". . .")
- other missed / other split

    python benchmarks/segmenters.py [--data test|train|all|seed] [--segmenters news pysbd] [--per-article] [--errors]
    python benchmarks/segmenters.py --cost        # seconds per MB for 1 KB, 50 KB, 500 KB inputs (lines and one line)
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import paths  # noqa: E402
from pipeline.annotation.splits import read_split  # noqa: E402
from pipeline.text.segment import SEGMENTERS, split_sentences  # noqa: E402

REAL_GOLD = paths.REAL
GOLD_FILES = (paths.SEED, REAL_GOLD)
KINDS = ("merged quote", "split dateline", "glued caption/credit", "split credit", "split at abbreviation",
         "other missed", "other split")
_QUOTE = re.compile(r"[\"“”]")
_DATELINE_END = re.compile(r"^(?:[A-Z][A-Z.\- ]*[A-Z]\.?(?:, [A-Z][a-z]{2,8}\.? \d{1,2})?\.|/[A-Z][\w\-]*/\.)$")
_ABBREVIATION_END = re.compile(r"(?:\b[A-Z][a-z]{0,3}\.|\b(?:[A-Za-z]\.){1,3}|\. ?\. ?\.|…)$")


def load_gold(files=GOLD_FILES, data: str = "test", split_file: Path = paths.TEST_SPLIT) -> dict[str, list[tuple[int, int]]]:
    """doc_id -> gold unit spans, in order, for the articles ``data`` names."""
    spans: dict[str, list[tuple[int, int]]] = {}
    seed_docs: set[str] = set()
    for path in files:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                spans.setdefault(r["doc_id"], []).append((r["start"], r["end"]))
                if Path(path) == paths.SEED:
                    seed_docs.add(r["doc_id"])
    test = set(read_split(split_file))
    keep = {"test": lambda d: d in test, "train": lambda d: d not in test, "all": lambda d: True,
            "seed": lambda d: d in seed_docs}[data]
    return {d: sorted(s) for d, s in spans.items() if keep(d)}


def inline_boundaries(text: str, spans: list[tuple[int, int]]) -> set[int]:
    """End offsets of units that do not end a line (nor the text)."""
    return {end for _, end in spans if text[end:].lstrip(" \t")[:1] not in ("\n", "")}


def _unit_at(spans: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    """The span that contains ``offset`` (or ends there, for the unit before a boundary)."""
    for s, e in spans:
        if s <= offset < e:
            return s, e
    return offset, offset


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def error_kind(text: str, boundary: int, gold: list[tuple[int, int]], pred: list[tuple[int, int]], missed: bool) -> str:
    """The kind of one boundary error: ``missed`` (a gold boundary the segmenter did not cut) or a spurious cut."""
    left_gold = next(((s, e) for s, e in gold if e == boundary), None) if missed else None
    if missed:
        left = text[left_gold[0]:boundary].rstrip() if left_gold else text[:boundary].rstrip()
        right = text[boundary:].lstrip()
        merged = text[slice(*_unit_at(pred, boundary))]
        if not re.search(r"[.!?…][\"”’)\]]*$", left) or right.startswith("(") or left.endswith(")"):
            return "glued caption/credit"
        if _QUOTE.search(merged):
            return "merged quote"
        return "other missed"
    left_pred = next(((s, e) for s, e in pred if e == boundary), (boundary, boundary))
    left = text[left_pred[0]:boundary].strip()
    right = text[boundary:].lstrip()
    if left_pred[0] - _line_start(text, boundary) <= 40 and _DATELINE_END.match(left.split("/")[0].strip() or left):
        return "split dateline"
    if right.startswith("("):
        return "split credit"
    if _ABBREVIATION_END.search(left) or right[:1].islower():
        return "split at abbreviation"
    return "other split"


def score_article(text: str, gold_spans: list[tuple[int, int]], pred_spans: list[tuple[int, int]]) -> dict:
    g, p = inline_boundaries(text, gold_spans), inline_boundaries(text, pred_spans)
    kinds = Counter(error_kind(text, b, gold_spans, pred_spans, True) for b in g - p)
    kinds.update(error_kind(text, b, gold_spans, pred_spans, False) for b in p - g)
    return {"tp": len(g & p), "fp": len(p - g), "fn": len(g - p), "exact": len(set(gold_spans) & set(pred_spans)),
            "gold": len(gold_spans), "predicted": len(pred_spans), "kinds": kinds,
            "junk": sum(not any(c.isalnum() for c in text[s:e]) for s, e in pred_spans)}


def prf(r: dict) -> tuple[float, float, float, float]:
    precision = r["tp"] / (r["tp"] + r["fp"]) if r["tp"] + r["fp"] else 1.0
    recall = r["tp"] / (r["tp"] + r["fn"]) if r["tp"] + r["fn"] else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, (r["exact"] / r["gold"] if r["gold"] else 0.0)


def score(gold: dict[str, list[tuple[int, int]]], articles_dir: Path, segmenter: str, errors: list | None = None) -> dict:
    """Pooled counts and figures of one segmenter, with its per-article rows under ``articles``."""
    pooled = {"tp": 0, "fp": 0, "fn": 0, "exact": 0, "gold": 0, "predicted": 0, "junk": 0, "kinds": Counter()}
    articles, seconds = {}, 0.0
    for doc_id, gold_spans in gold.items():
        text = (articles_dir / f"{doc_id}.txt").read_text(encoding="utf-8")
        started = time.perf_counter()
        predicted = split_sentences(text, segmenter)
        seconds += time.perf_counter() - started
        pred_spans = [(s.start, s.end) for s in predicted]
        r = score_article(text, gold_spans, pred_spans)
        articles[doc_id] = r
        for k in pooled:
            pooled[k] += r[k]
        if errors is not None:
            gs, ps = set(gold_spans), set(pred_spans)
            errors.extend((segmenter, doc_id, text[s:e]) for s, e in gold_spans if (s, e) not in ps)
            errors.extend((segmenter, doc_id, "  predicted: " + text[s:e]) for s, e in pred_spans if (s, e) not in gs)
    p, r_, f1, exact = prf(pooled)
    return {**pooled, "segmenter": segmenter, "precision": p, "recall": r_, "f1": f1, "exact_share": exact,
            "ms": 1000 * seconds, "articles": articles}


def cost(sizes=(1_000, 50_000, 500_000), segmenters=("news",), rounds: int = 5) -> list[dict]:
    """Seconds per MB of ``split_sentences`` on inputs of each size, and the ratio to the 1 KB figure.

    Every size reads the same text: the gold articles repeated to the largest size, cut into consecutive inputs of
    that size (500 inputs of 1 KB, 10 of 50 KB, one of 500 KB), so only the input's length differs. Two shapes:
    ``lines`` keeps the articles' line breaks; ``one line`` joins everything into a single line, as a transcript
    without newlines is, so only the bounded windows keep its cost flat. Best of ``rounds``.
    """
    corpus = "\n".join((paths.ARTICLES / f"{d}.txt").read_text(encoding="utf-8") for d in sorted(load_gold(data="all")))
    total = max(sizes)
    rows = []
    logging.getLogger("pipeline.text.segment").setLevel(logging.ERROR)  # the one-line text has over-long units
    for name in segmenters:
        for shape in ("lines", "one line"):
            base = corpus if shape == "lines" else " ".join(corpus.split())
            text = ("\n" if shape == "lines" else " ").join([base] * (total // len(base) + 1))[:total]
            best = dict.fromkeys(sizes, float("inf"))
            for _ in range(rounds):  # sizes interleaved, so a busy machine slows every size alike
                for size in sizes:
                    inputs = [text[i : i + size] for i in range(0, total, size)]
                    started = time.perf_counter()
                    for piece in inputs:
                        split_sentences(piece, name)
                    best[size] = min(best[size], time.perf_counter() - started)
            for size in sizes:
                per_mb = best[size] / (total / 1e6)
                rows.append({"segmenter": name, "shape": shape, "bytes": size, "s_per_mb": per_mb,
                             "ratio": best[size] / best[sizes[0]]})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=("test", "train", "all", "seed"), default="test",
                        help="which gold articles (default: the real test split)")
    parser.add_argument("--gold", type=Path, nargs="+", default=list(GOLD_FILES), help="gold record files")
    parser.add_argument("--articles", type=Path, default=paths.ARTICLES, help="folder of cleaned <doc_id>.txt")
    parser.add_argument("--segmenters", nargs="+", default=list(SEGMENTERS), choices=SEGMENTERS)
    parser.add_argument("--per-article", action="store_true", help="also print each article's figures")
    parser.add_argument("--errors", action="store_true", help="print every gold unit missed and unit predicted wrongly")
    parser.add_argument("--cost", action="store_true", help="print seconds per MB for 1 KB, 50 KB and 500 KB inputs")
    args = parser.parse_args(argv)
    if args.cost:
        segs = [s for s in args.segmenters if s in ("news", "pysbd")] or args.segmenters
        print(f"{'segmenter':10} {'shape':9} {'input':>8} {'s per MB':>9} {'x 1 KB':>7}")
        for r in cost(segmenters=segs):
            print(f"{r['segmenter']:10} {r['shape']:9} {r['bytes'] // 1000:>6} KB {r['s_per_mb']:>9.2f} {r['ratio']:>7.2f}")
        return 0
    gold = load_gold(args.gold, args.data)
    print(f"gold: {args.data} ({sum(map(len, gold.values()))} units, {len(gold)} articles)")
    rows, broken, errors = [], [], [] if args.errors else None
    for name in args.segmenters:
        try:
            rows.append(score(gold, args.articles, name, errors))
        except Exception as e:  # a segmenter that cannot run is reported, not fatal
            broken.append(f"{name}: {type(e).__name__}: {e}")
    short = {"merged quote": "quote", "split dateline": "dateline", "glued caption/credit": "glued",
             "split credit": "credit", "split at abbreviation": "abbrev", "other missed": "o-miss",
             "other split": "o-split"}
    print(f"{'segmenter':10} {'units':>6} {'bound. P':>8} {'R':>6} {'F1':>6} {'exact':>6} {'junk':>5} {'ms':>6}  "
          + " ".join(f"{short[k]:>8}" for k in KINDS))
    for line in broken:
        print(f"{line.split(':')[0]:10} failed: {line.split(': ', 1)[1]}")
    for r in rows:
        print(f"{r['segmenter']:10} {r['predicted']:>6} {r['precision']:>8.3f} {r['recall']:>6.3f} {r['f1']:>6.3f} "
              f"{r['exact_share']:>6.3f} {r['junk']:>5} {r['ms']:>6.0f}  " + " ".join(f"{r['kinds'][k]:>8}" for k in KINDS))
    if args.per_article:
        for r in rows:
            print(f"\n{r['segmenter']}: per article (boundary P/R/F1, exact units / gold units, errors by kind)")
            for doc_id, a in r["articles"].items():
                p, rec, f1, _ = prf(a)
                kinds = ", ".join(f"{k} {n}" for k, n in a["kinds"].items()) or "-"
                print(f"  {doc_id:55} {p:.3f} {rec:.3f} {f1:.3f}  {a['exact']:>3}/{a['gold']:<3} {kinds}")
    if errors:
        print("\nunits not reproduced exactly (gold, then the segmenter's wrong units):")
        for seg, doc_id, unit in errors:
            print(f"  [{seg}] {doc_id}: {unit}")
    if rows:
        best = max(rows, key=lambda r: (r["exact_share"], r["f1"]))
        print(f"best by exact unit match: {best['segmenter']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
