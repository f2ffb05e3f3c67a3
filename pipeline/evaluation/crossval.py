"""Grouped cross-validation over the seed articles: the fine-tuned model against the baselines.

Each fold holds out whole seed articles, trains on the other seed articles plus every written sentence,
and scores only the held-out seed sentences. All systems see exactly the same folds in the same run.
Probabilities are calibrated by temperature scaling fitted on the *other* folds' out-of-fold logits
(cross-fitted), so the calibrated ECE is an honest held-out figure.

The result is written to ``reports/<name>/evaluation.json`` and recorded in the model folder
(:func:`pipeline.model.folder.record_evaluation`: temperatures, cross-validated metrics, model card) only when
the evaluated configuration, folds included, is the one that model was trained with, on the same data; an
evaluation of any other configuration leaves the model untouched and says why in ``result["model"]``.
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import datetime, UTC
from pathlib import Path

import numpy as np

from ..annotation.corpus import article_folds, data_hash, load_corpus
from ..config import TrainConfig, resolve_encoder
from ..model.folder import FINETUNED, record_evaluation
from ..model.train import check_corpus, fit
from ..schema import LABELS
from .baselines import BASELINES, embed, fit_predict
from .calibration import expected_calibration_error, fit_temperature, softmax


def field_metrics(gold: np.ndarray, pred: np.ndarray, fold_of: np.ndarray, labels: list[str]) -> dict:
    """Per-fold macro-F1/accuracy (mean, sd) and the pooled report and confusion matrix over all folds."""
    from sklearn.metrics import (
        accuracy_score,
        classification_report,
        confusion_matrix,
        f1_score,
    )

    folds = []
    for k in np.unique(fold_of):
        sel = fold_of == k
        folds.append({
            "fold": int(k),
            "macro_f1": float(f1_score(gold[sel], pred[sel], average="macro", zero_division=0)),
            "accuracy": float(accuracy_score(gold[sel], pred[sel])),
        })
    ids = list(range(len(labels)))
    f1s = np.array([f["macro_f1"] for f in folds])
    accs = np.array([f["accuracy"] for f in folds])
    return {
        "folds": folds,
        "macro_f1_mean": float(f1s.mean()), "macro_f1_std": float(f1s.std()),
        "accuracy_mean": float(accs.mean()), "accuracy_std": float(accs.std()),
        "macro_f1_pooled": float(f1_score(gold, pred, labels=ids, average="macro", zero_division=0)),
        "report": classification_report(gold, pred, labels=ids, target_names=labels, output_dict=True, zero_division=0),
        "confusion": {"labels": labels, "matrix": confusion_matrix(gold, pred, labels=ids).tolist()},
    }


def cross_fitted_calibration(logits: np.ndarray, gold: np.ndarray, fold_of: np.ndarray) -> tuple[float, float, float]:
    """(ECE raw, ECE after temperatures fitted on the other folds, temperature fitted on all folds)."""
    calibrated = np.zeros_like(logits)
    for k in np.unique(fold_of):
        sel = fold_of == k
        t = fit_temperature(logits[~sel], gold[~sel]) if (~sel).any() else 1.0
        calibrated[sel] = softmax(logits[sel], t)
    return (expected_calibration_error(softmax(logits), gold), expected_calibration_error(calibrated, gold),
            fit_temperature(logits, gold))


def evaluate(config: TrainConfig, out_path: Path | str | None = None, n_folds: int | None = None,
             baselines: tuple[str, ...] = BASELINES, progress: bool = True, command: str = "stance evaluate",
             model_dir: Path | str | None = None) -> dict:
    """Run the cross-validation, record it in the model folder ``model_dir`` (default ``models/<name>/``) where it
    evaluated that model's own configuration, and write the evaluation JSON (see module doc); returns it."""
    files = config.data_files()
    check_corpus(files)
    ds = load_corpus(files)
    fields = list(config.fields)
    gold_all = {f: np.asarray(ds[f]) for f in fields}
    texts = np.asarray(ds["text"], dtype=object)
    contexts = np.asarray(ds["context"], dtype=object)
    ids = np.asarray(ds["id"], dtype=object)
    sources, doc_ids = np.asarray(ds["source"]), np.asarray(ds["doc_id"])
    n_folds = n_folds or config.eval_folds
    evaluated = config if n_folds == config.eval_folds else config.model_copy(update={"eval_folds": n_folds})
    folds = list(article_folds(doc_ids, sources, n_folds, config.seed))
    emb = embed(list(texts), resolve_encoder(config.encoder)) if "minilm_logreg" in baselines else None

    test_rows = np.concatenate([te for _, te in folds])
    fold_of = np.concatenate([np.full(len(te), k) for k, (_, te) in enumerate(folds)])
    systems = [FINETUNED, *baselines]
    preds = {s: {f: np.zeros(len(test_rows), dtype=int) for f in fields} for s in systems}
    logits = {f: np.zeros((len(test_rows), len(LABELS[f])), dtype=np.float32) for f in fields}
    fold_info = []
    started = time.perf_counter()
    pos = 0
    for k, (tr, te) in enumerate(folds):
        span = slice(pos, pos + len(te))
        pos += len(te)
        fold_info.append({"fold": k, "test_docs": sorted(set(doc_ids[te])), "n_train": len(tr), "n_test": len(te)})
        if progress:
            print(f"fold {k + 1}/{len(folds)}: test {', '.join(fold_info[-1]['test_docs'])} ({len(te)} sentences)", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            predictor, _ = fit(config, ds.select(tr), Path(tmp), progress=progress, save=False)
        lg = predictor.logits(list(texts[te]), list(contexts[te]))
        for f in fields:
            logits[f][span] = lg[f]
            preds[FINETUNED][f][span] = lg[f].argmax(1)
            for b in baselines:
                preds[b][f][span] = fit_predict(
                    b, texts[tr], gold_all[f][tr], texts[te], config.seed,
                    None if emb is None else emb[tr], None if emb is None else emb[te],
                )
    result_systems: dict = {s: {} for s in systems}
    temperatures = {}
    for f in fields:
        gold = gold_all[f][test_rows]
        for s in systems:
            result_systems[s][f] = field_metrics(gold, preds[s][f], fold_of, list(LABELS[f]))
        ece, ece_cal, t = cross_fitted_calibration(logits[f], gold, fold_of)
        result_systems[FINETUNED][f].update({"ece": ece, "ece_calibrated": ece_cal, "temperature": t})
        temperatures[f] = t if ece_cal < ece else 1.0  # apply scaling only where it helped held-out ECE

    predictions = []
    for j, row in enumerate(test_rows):
        probs = {f: softmax(logits[f][j], temperatures[f]) for f in fields}
        predictions.append({
            "id": str(ids[row]), "doc_id": str(doc_ids[row]), "fold": int(fold_of[j]),
            "text": str(texts[row]), "context": str(contexts[row]),
            "gold": {f: LABELS[f][gold_all[f][row]] for f in fields},
            "pred": {s: {f: LABELS[f][preds[s][f][j]] for f in fields} for s in systems},
            "confidence": {f: float(probs[f].max()) for f in fields},
            "probs": {f: {lab: round(float(p), 5) for lab, p in zip(LABELS[f], probs[f])} for f in fields},
        })
    result = {
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": evaluated.model_dump(),
        "data_sha256": data_hash(files),
        "n_folds": len(folds),
        "seconds": round(time.perf_counter() - started, 1),
        "folds": fold_info,
        "temperatures": temperatures,
        "systems": result_systems,
        "predictions": predictions,
    }
    model_dir = Path(model_dir) if model_dir is not None else config.output_dir()
    recorded = record_evaluation(result, model_dir)
    result["model"] = {"dir": str(model_dir), "recorded": recorded.recorded, "reason": recorded.reason}
    out = Path(out_path) if out_path else config.evaluation_file()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return result


def summary_table(result: dict) -> str:
    """Macro-F1 mean ± sd per field (rows) and system (columns), as a Markdown table."""
    systems = list(result["systems"])
    fields = list(result["systems"][systems[0]])
    lines = ["| field | " + " | ".join(systems) + " |", "|---|" + "---|" * len(systems)]
    for f in fields:
        cells = [f"{result['systems'][s][f]['macro_f1_mean']:.3f} ± {result['systems'][s][f]['macro_f1_std']:.3f}" for s in systems]
        lines.append(f"| {f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
