"""Speaker attribution on the seed gold: rules alone, the classifier alone, and both combined (as `label` does).

The classifier's speaker_side and its probability come from the out-of-fold predictions of `stance evaluate`, so
no sentence is judged by a model that trained on it. The combination accepts the classifier's side for a sentence
with no rule-found speaker only at ``attribution.SIDE_MIN_CONFIDENCE`` or above; this script prints the accuracy at
each threshold, the threshold that the whole seed gold picks, and an honest estimate of picking it: for each
article, the threshold picked on the other four, applied to that one.

    python benchmarks/attribution.py [--evaluation reports/default/evaluation.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline import paths
from pipeline.attribution import SIDE_MIN_CONFIDENCE
from pipeline.evaluation import evaluate_attribution
from pipeline.jsonl import iter_jsonl

#: Thresholds tried: from "the classifier's side always stands" (0) to "never, where no name is found" (1.01).
GRID = (0.0, 0.3, 0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01)


def pick_threshold(gold, sides, confidence) -> float:
    """The smallest threshold with the best name + side accuracy on ``gold`` (ties trust the classifier most)."""
    def score(t):
        r = evaluate_attribution(gold, classifier_sides=sides, classifier_confidence=confidence, min_confidence=t)
        return r["name_accuracy"] + r["side_accuracy"]
    return max(GRID, key=lambda t: (round(score(t), 9), -t))


def nested(gold, sides, confidence) -> tuple[dict, dict[str, float]]:
    """Accuracy when each article's threshold is picked on the other articles; and the thresholds picked."""
    docs = sorted({g["doc_id"] for g in gold})
    name_ok = side_ok = 0
    picked = {}
    for doc in docs:
        held_out = [g for g in gold if g["doc_id"] == doc]
        picked[doc] = pick_threshold([g for g in gold if g["doc_id"] != doc], sides, confidence)
        r = evaluate_attribution(held_out, classifier_sides=sides, classifier_confidence=confidence,
                                 min_confidence=picked[doc])
        name_ok += r["name_accuracy"] * len(held_out)
        side_ok += r["side_accuracy"] * len(held_out)
    return {"name_accuracy": name_ok / len(gold), "side_accuracy": side_ok / len(gold)}, picked


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", default=str(paths.SEED))
    ap.add_argument("--evaluation", default="reports/default/evaluation.json")
    args = ap.parse_args()
    gold = [obj for _, obj in iter_jsonl(args.gold)]
    rows = [("rules alone (no name -> author)", evaluate_attribution(gold))]
    ev_path = Path(args.evaluation)
    if not ev_path.is_file():
        print(f"({ev_path} not found: run `stance evaluate` for the figures with the classifier)")
    else:
        preds = {p["id"]: p for p in json.loads(ev_path.read_text())["predictions"]}
        missing = {g["id"] for g in gold} - set(preds)
        if missing:
            raise SystemExit(f"{ev_path}: no out-of-fold prediction for {len(missing)} gold sentences")
        sides = {i: p["pred"]["finetuned"]["speaker_side"] for i, p in preds.items()}
        confidence = {i: p["probs"]["speaker_side"][sides[i]] for i, p in preds.items()}
        classifier_side = sum(sides[g["id"]] == g["speaker_side"] for g in gold) / len(gold)
        print(f"classifier alone (out-of-fold), speaker_side accuracy: {classifier_side:.3f}")
        rows.append(("rules + classifier, side always stands",
                     evaluate_attribution(gold, classifier_sides=sides, min_confidence=0.0)))
        rows.append((f"rules + classifier, p >= {SIDE_MIN_CONFIDENCE:g} (label)",
                     evaluate_attribution(gold, classifier_sides=sides, classifier_confidence=confidence)))
        print("threshold on the classifier's side where no name is found (whole seed gold):")
        for t in GRID:
            r = evaluate_attribution(gold, classifier_sides=sides, classifier_confidence=confidence, min_confidence=t)
            print(f"  p >= {t:4.2f}: name {r['name_accuracy']:.3f}  side {r['side_accuracy']:.3f}")
        best = pick_threshold(gold, sides, confidence)
        note = "" if best == SIDE_MIN_CONFIDENCE else f"  (attribution.SIDE_MIN_CONFIDENCE is {SIDE_MIN_CONFIDENCE:g})"
        print(f"picked on the whole seed gold: {best:g}{note}")
        result, picked = nested(gold, sides, confidence)
        result.update(attributed_name_accuracy=float("nan"), attributed_side_accuracy=float("nan"))
        rows.append(("rules + classifier, nested pick", result))
        print("nested by article (threshold picked on the other four): "
              + ", ".join(f"{d} {t:g}" for d, t in picked.items()))
    print(f"gold: {args.gold} ({len(gold)} sentences)")
    print(f"{'system':40} {'name acc':>9} {'side acc':>9} {'attributed: name':>17} {'side':>6}")
    for name, r in rows:
        print(f"{name:40} {r['name_accuracy']:>9.3f} {r['side_accuracy']:>9.3f} "
              f"{r['attributed_name_accuracy']:>17.3f} {r['attributed_side_accuracy']:>6.3f}")


if __name__ == "__main__":
    main()
