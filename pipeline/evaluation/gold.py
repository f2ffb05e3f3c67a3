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
from ..model.folder import FINETUNED, load_model
from ..schema import LABELS
from .calibration import softmax
from .crossval import calibration_on, learned_attribution, scored_section
from .job_side import LABELLING_JOB, corpus_attribution_parts, job_predictions


def score_model(model_dir: Path | str, gold_files: Sequence[Path | str], out_path: Path | str | None = None,
                command: str = "stance evaluate --model --gold", batch_size: int = 64) -> dict:
    """Label the gold files' sentences with the model (its own temperatures) and score every field it predicts, and
    the labelling job's speaker_side (attribution first) beside the model's own."""
    started = time.perf_counter()
    model_dir, gold_files = Path(model_dir), [Path(f) for f in gold_files]
    predictor = load_model(model_dir)
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
                    "temperatures_from": "the model folder"})
    result = {
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": {"dir": str(model_dir), "model_id": predictor.meta.get("model_id"), "recorded": False,
                  "reason": "scoring a model against a gold file never changes the model"},
        "gold_sha256": data_hash(gold_files),
        "config": predictor.meta.get("config"),
        "test": section,
        "seconds": round(time.perf_counter() - started, 1),
    }
    out = Path(out_path) if out_path else paths.REPORTS / model_dir.name / f"gold-{gold_files[0].stem}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return result
