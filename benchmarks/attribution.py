"""Speaker attribution on the seed gold: rules alone, the classifier alone, and both combined (as `label` does).

The classifier's speaker_side comes from the out-of-fold predictions of `stance evaluate`, so no sentence is
judged by a model that trained on it.

    python benchmarks/attribution.py [--evaluation reports/default/evaluation.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline import paths
from pipeline.attribute import evaluate_attribution
from pipeline.corpus import iter_jsonl


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", default=str(paths.SEED))
    ap.add_argument("--evaluation", default="reports/default/evaluation.json")
    args = ap.parse_args()
    gold = [obj for _, obj in iter_jsonl(args.gold)]
    rows = [("rules alone (no name -> author)", evaluate_attribution(gold))]
    ev_path = Path(args.evaluation)
    if ev_path.is_file():
        ev = json.loads(ev_path.read_text())
        oof = {p["id"]: p["pred"]["finetuned"]["speaker_side"] for p in ev["predictions"] if "speaker_side" in p["pred"]["finetuned"]}
        if set(oof) >= {g["id"] for g in gold}:
            classifier_side = sum(oof[g["id"]] == g["speaker_side"] for g in gold) / len(gold)
            rows.append(("rules + out-of-fold classifier", evaluate_attribution(gold, classifier_sides=oof)))
            print(f"classifier alone (out-of-fold), speaker_side accuracy: {classifier_side:.3f}")
    else:
        print(f"({ev_path} not found: run `stance evaluate` for the combined figure)")
    print(f"gold: {args.gold} ({len(gold)} sentences)")
    print(f"{'system':36} {'name acc':>9} {'side acc':>9} {'attributed: name':>17} {'side':>6}")
    for name, r in rows:
        print(f"{name:36} {r['name_accuracy']:>9.3f} {r['side_accuracy']:>9.3f} "
              f"{r['attributed_name_accuracy']:>17.3f} {r['attributed_side_accuracy']:>6.3f}")


if __name__ == "__main__":
    main()
