"""Score any trained model folder against any labelled JSONL file (a user's own gold): the same ``test`` section
that ``evaluate`` writes for the real test split, so the evaluation notebook reads both alike."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import datetime, UTC
from pathlib import Path

import numpy as np

from .. import paths
from ..annotation.corpus import data_hash, load_corpus
from ..model.features import previous_sentences
from ..model.folder import FINETUNED, load_model, record_temperatures
from ..schema import LABELS
from .calibration import softmax
from .crossval import calibration_on, cross_fitted_calibration, learned_attribution, scored_section
from .job_side import LABELLING_JOB, corpus_attribution_parts, job_predictions

#: Article folds over which :func:`score_model` checks that temperatures fitted on a gold file help held-out ECE.
CALIBRATION_FOLDS = 3


def score_model(model_dir: Path | str, gold_files: Sequence[Path | str], out_path: Path | str | None = None,
                command: str = "stance evaluate --model --gold", batch_size: int = 64,
                fit_temperatures: bool = False) -> dict:
    """Label the gold files' sentences with the model (its own temperatures) and score every field it predicts, and
    the labelling job's speaker_side (attribution first) beside the model's own.

    With ``fit_temperatures``, the gold must be new to the model (none of its training files): per field a temperature
    is fitted on the gold's logits and kept where, fitted on the other article folds, it lowers the held-out ECE
    (as the cross-validation decides it), then written to the model folder (a calibration set for a model whose
    cross-validation is too costly to run)."""
    started = time.perf_counter()
    model_dir, gold_files = Path(model_dir), [Path(f) for f in gold_files]
    predictor = load_model(model_dir)
    if fit_temperatures:
        trained_on = {Path(f).resolve() for f in predictor.meta.get("data", {}).get("files", [])}
        if seen := [str(f) for f in gold_files if f.resolve() in trained_on]:
            raise ValueError(f"{model_dir} was trained on {', '.join(seen)}: temperatures need gold the model never saw")
    fields = [f for f in predictor.meta["label_maps"] if f in LABELS]
    for f in fields:
        if list(predictor.meta["label_maps"][f]) != list(LABELS[f]):
            raise ValueError(f"{model_dir}: the labels of {f!r} differ from the schema's; it cannot be scored here")
    ds = load_corpus(gold_files)
    rows = np.arange(len(ds))
    doc_ids, texts = list(ds["doc_id"]), list(ds["text"])
    # the learned attributor's reading of every sentence: the tagger's own pass, or the speaker head's, filled by the
    # pass that labels (empty for a model with neither)
    tagged = predictor.tagger is not None
    states = predictor.tagger_states(texts, previous_sentences(doc_ids, texts)) if tagged else []
    logits = predictor.logits(texts, predictor.corpus_contexts(doc_ids, texts), batch_size=batch_size,
                              states=None if tagged else states)
    temperatures = {f: float(predictor.meta.get("temperatures", {}).get(f, 1.0)) for f in fields}
    temperatures_from = predictor.meta.get("temperatures_from", "the model folder")
    fitted: dict = {}
    if fit_temperatures:
        docs = sorted(set(doc_ids))
        fold_of = np.asarray([docs.index(d) % CALIBRATION_FOLDS for d in doc_ids])
        for f in fields:
            ece, ece_cal, t = cross_fitted_calibration(logits[f], np.asarray(ds[f]), fold_of)
            temperatures[f] = t if ece_cal < ece else 1.0  # apply scaling only where it helped held-out ECE
            fitted[f] = {"ece": ece, "ece_held_out_folds": ece_cal, "temperature": t, "applied": temperatures[f]}
        temperatures_from = f"fitted on {', '.join(f.name for f in gold_files)} ({len(docs)} articles new to the model)"
    preds = {FINETUNED: {f: logits[f].argmax(1) for f in fields}}
    attribution = None
    if "speaker_side" in fields:  # speakers as `stance label` reads them: the rules with the learned attributor
        rules, found = corpus_attribution_parts(doc_ids, texts)
        side_probs = softmax(logits["speaker_side"], temperatures["speaker_side"])
        found, attribution = learned_attribution(ds, rows, found, rules, states,
                                                 "speaker_tagger" if tagged else "speaker_head",
                                                 predictor.speaker_thresholds, side_probs, preds[FINETUNED].get("claim"))
        preds[LABELLING_JOB] = job_predictions(preds[FINETUNED], found, side_probs)
    section = scored_section(ds, rows, np.zeros(len(rows), dtype=int), preds, logits, temperatures, fields)
    if attribution is not None:
        section["attribution"] = attribution
    calibration_on(section, logits, {f: np.asarray(ds[f]) for f in fields}, temperatures)
    section.update({"gold_files": [str(f) for f in gold_files], "temperatures": temperatures,
                    "temperatures_from": temperatures_from})
    if fitted:
        section["temperature_fit"] = fitted
        record_temperatures(model_dir, temperatures, temperatures_from)
    result = {
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": {"dir": str(model_dir), "model_id": predictor.meta.get("model_id"), "recorded": bool(fitted),
                  "reason": f"temperatures {temperatures_from} recorded" if fitted else
                  "scoring a model against a gold file never changes the model"},
        "gold_sha256": data_hash(gold_files),
        "config": predictor.meta.get("config"),
        "test": section,
        "seconds": round(time.perf_counter() - started, 1),
    }
    out = Path(out_path) if out_path else paths.REPORTS / model_dir.name / f"gold-{gold_files[0].stem}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return result
