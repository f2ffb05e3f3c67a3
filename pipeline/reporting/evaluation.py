"""The tables of ``notebooks/evaluation.ipynb``, from the file ``stance evaluate`` writes (and the model folder and
annotation files it names)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..annotation.corpus import default_files
from ..evaluation.calibration import reliability_bins
from ..jsonl import iter_jsonl
from ..model.folder import is_model_folder, read_meta
from ..schema import FIELDS, LABELS
from .tables import as_paths, frame, ranked, resolve


def load_evaluation(path: Path | str) -> dict:
    p = resolve(path)
    if not p.is_file():
        raise FileNotFoundError(f"no evaluation file at {p}: run `stance evaluate` first")
    ev = json.loads(p.read_text(encoding="utf-8"))
    if not isinstance(ev, dict) or not ("systems" in ev or "test" in ev):
        raise ValueError(f"{p} is not an evaluation file (neither cross-validation 'systems' nor a 'test' section)")
    return ev


def _systems(ev: dict) -> dict:
    """The scored systems of an evaluation (its cross-validation, else its test section) or of one section."""
    return ev.get("systems") or (ev.get("test") or {}).get("systems") or {}


def eval_systems(ev: dict) -> list[str]:
    """Systems in display order: the fine-tuned model first, then the baselines as stored."""
    systems = list(_systems(ev))
    return sorted(systems, key=lambda s: (s != "finetuned", systems.index(s)))


def eval_fields(ev: dict) -> list[str]:
    """The fields evaluated, in schema order (then any others as stored)."""
    present = list(dict.fromkeys(f for s in _systems(ev).values() for f in s))
    return [f for f in FIELDS if f in present] + [f for f in present if f not in FIELDS]


def run_summary(ev: dict, metrics_file: Path | str | None = None):
    cfg = ev.get("config") or {}
    rows = [
        ("evaluation file", str(metrics_file) if metrics_file else ""),
        ("command", ev.get("command", "")),
        ("created", ev.get("created", "")),
        ("model config", cfg.get("name", "")),
        ("encoder", cfg.get("encoder", "")),
        ("data sha256", (ev.get("data_sha256") or "")[:16]),
        ("folds", ev.get("n_folds", len(ev.get("folds", [])))),
        ("held-out sentences", len(ev.get("predictions", []))),
        ("systems", ", ".join(eval_systems(ev))),
        ("fields", ", ".join(eval_fields(ev))),
    ]
    return frame([{"item": k, "value": v} for k, v in rows], "item")


def test_summary(ev: dict):
    """What the test section scored: the split or gold file, articles, sentences, training rows, temperatures."""
    t = ev.get("test") or {}
    rows = [("scored", t.get("split_file") or ", ".join(t.get("gold_files", []))), ("articles", t.get("n_articles", "")),
            ("sentences", t.get("n_sentences", "")), ("training sentences", t.get("n_train", "the model folder's")),
            ("temperatures from", t.get("temperatures_from", ""))]
    return frame([{"item": k, "value": v} for k, v in rows], "item")


def learning_curve_table(ev: dict):
    """Test-split macro-F1 per field (rows) after each share of the real training articles (columns)."""
    lc = ev.get("learning_curve") or {}
    cols = [f"{p:.0%} ({k} articles, {n} sentences)" for p, k, n in zip(lc.get("fractions", []), lc.get("n_real_articles", []),
                                                                       lc.get("n_train", []))]
    return frame([{"field": f, **{c: round(float(v), 3) for c, v in zip(cols, scores)}}
                  for f, scores in (lc.get("macro_f1") or {}).items()], "field")


def folds_table(ev: dict):
    return frame([{"fold": f["fold"], "test articles": ", ".join(f.get("test_docs", [])),
                    "train sentences": f.get("n_train"), "test sentences": f.get("n_test")}
                   for f in ev.get("folds", [])], "fold")


def model_summary(model_dir: Path | str | None):
    """What a trained model folder records about itself (pipeline.json), or None when there is none."""
    if not model_dir:
        return None
    if not is_model_folder(resolve(model_dir)):
        return None
    meta = read_meta(resolve(model_dir))
    data = meta.get("data", {})
    rows = [("model folder", str(resolve(model_dir))), ("model id", meta.get("model_id", "")),
            ("encoder", meta.get("config", {}).get("encoder", "")), ("training sentences", data.get("rows", "")),
            ("by source", ", ".join(f"{k}: {v}" for k, v in data.get("by_source", {}).items())),
            ("data sha256", (data.get("sha256") or "")[:16]),
            ("temperatures", ", ".join(f"{k}: {v:.2f}" for k, v in (meta.get("temperatures") or {}).items()))]
    return frame([{"item": k, "value": v} for k, v in rows], "item")


def corpus_files(corpus: str | Sequence[str] | None, ev: dict | None = None) -> list[Path]:
    """The corpus parameter, else the files the evaluation was run on, else the default annotation files."""
    files = as_paths(corpus)
    if not files and ev is not None:
        files = as_paths((ev.get("config") or {}).get("data"))
    if not files:
        files = default_files()
    return [f for f in files if f.is_file()]


def label_counts_by_source(files: Sequence[Path | str], ev: dict | None = None) -> dict:
    """{field: DataFrame(label x source)} from the annotation files; from the evaluation's gold labels
    (source 'held-out (gold)') when no file is readable."""
    import pandas as pd


    rows = []
    for f in files:
        for _, obj in iter_jsonl(f):
            rows.append({"source": obj.get("source", "seed"), **{k: obj.get(k) for k in FIELDS}})
    if not rows and ev is not None:
        rows = [{"source": "held-out (gold)", **p.get("gold", {})} for p in ev.get("predictions", [])]
    df = pd.DataFrame(rows)
    fields = eval_fields(ev) if ev is not None else list(FIELDS)
    out = {}
    for field in fields:
        if field not in df:
            continue
        t = pd.crosstab(df[field], df["source"])
        schema = list(LABELS.get(field, ()))
        out[field] = t.reindex(schema + [lab for lab in t.index if lab not in schema], fill_value=0).astype(int)
        out[field].index.name = field
    return out


def distribution_table(counts: Mapping):
    """The per-field crosstabs as one long table: field, label, one column per source, total."""
    import pandas as pd

    parts = []
    for field, t in counts.items():
        t = t.copy()
        t["total"] = t.sum(axis=1)
        t.index = pd.MultiIndex.from_product([[field], t.index], names=["field", "label"])
        parts.append(t)
    return pd.concat(parts).fillna(0).astype(int) if parts else pd.DataFrame()


def systems_table(ev: dict, metric: str = "macro_f1"):
    """Mean ± sd over folds per field (rows) and system (columns), as two numeric columns per system."""
    rows = []
    for field in eval_fields(ev):
        row = {"field": field}
        for s in eval_systems(ev):
            m = ev["systems"][s].get(field)
            if m:
                row[f"{s} mean"] = round(float(m[f"{metric}_mean"]), 3)
                row[f"{s} sd"] = round(float(m[f"{metric}_std"]), 3)
        rows.append(row)
    return frame(rows, "field")


def fold_scores(ev: dict, metric: str = "macro_f1") -> dict:
    """{system: {field: [per-fold metric]}} for the fold comparison chart."""
    return {s: {f: [float(x[metric]) for x in ev["systems"][s][f]["folds"]] for f in eval_fields(ev) if f in ev["systems"][s]}
            for s in eval_systems(ev)}


def classification_table(report: Mapping):
    """An sklearn ``classification_report(output_dict=True)`` as a table (labels, then macro/weighted avg)."""
    rows = []
    for name, m in report.items():
        if isinstance(m, Mapping):
            rows.append({"label": name, "precision": round(float(m["precision"]), 3), "recall": round(float(m["recall"]), 3),
                         "f1": round(float(m["f1-score"]), 3), "support": int(m["support"])})
    df = frame(rows, "label")
    if "accuracy" in report and not df.empty:
        total = int(report.get("macro avg", {}).get("support", 0))
        acc = round(float(report["accuracy"]), 3)
        df.loc["accuracy"] = [None, None, acc, total]
    return df


def calibration_table(ev: dict, system: str = "finetuned"):
    """Per field: ECE raw and calibrated and the fitted temperature (as ``evaluate`` wrote them), the temperature
    applied to the reported confidences, and the ECE of those confidences recomputed here."""
    data = calibration_data(ev, system)
    rows = []
    for field in eval_fields(ev):
        m = ev["systems"].get(system, {}).get(field, {})
        row = {"field": field}
        for key in ("ece", "ece_calibrated", "temperature"):
            if key in m:
                row[key] = round(float(m[key]), 4)
        if field in (ev.get("temperatures") or {}):
            row["temperature applied"] = round(float(ev["temperatures"][field]), 4)
        if field in data:
            row["ece (reported confidences)"] = round(reliability_bins(*data[field])[1], 4)
        rows.append(row)
    return frame(rows, "field")


def calibration_data(ev: dict, system: str = "finetuned") -> dict:
    """{field: (confidence, correct)} over the held-out predictions that carry a confidence."""
    out = {}
    preds = ev.get("predictions", [])
    for field in eval_fields(ev):
        conf, ok = [], []
        for p in preds:
            c = (p.get("confidence") or {}).get(field)
            pred = (p.get("pred") or {}).get(system, {}).get(field)
            if c is None or pred is None or field not in p.get("gold", {}):
                continue
            conf.append(float(c))
            ok.append(pred == p["gold"][field])
        if conf:
            out[field] = (conf, ok)
    return out


def per_article(ev: dict, system: str = "finetuned"):
    """Per held-out article: fold, sentences, the system's accuracy per field, its mean, and the best baseline's."""
    by_doc: dict[str, list[dict]] = {}
    for p in ev.get("predictions", []):
        by_doc.setdefault(p["doc_id"], []).append(p)
    fields = eval_fields(ev)
    baselines = [s for s in eval_systems(ev) if s != system]

    def acc(preds: list[dict], s: str, f: str) -> float | None:
        pairs = [(p["pred"].get(s, {}).get(f), p["gold"].get(f)) for p in preds]
        pairs = [(a, b) for a, b in pairs if a is not None and b is not None]
        return sum(a == b for a, b in pairs) / len(pairs) if pairs else None

    rows = []
    for doc, preds in sorted(by_doc.items()):
        row = {"article": doc, "fold": preds[0].get("fold"), "sentences": len(preds)}
        vals = []
        for f in fields:
            a = acc(preds, system, f)
            row[f"{f} acc"] = None if a is None else round(a, 3)
            if a is not None:
                vals.append(a)
        row[f"{system} mean acc"] = round(sum(vals) / len(vals), 3) if vals else None
        best = None
        for b in baselines:
            bv = [a for a in (acc(preds, b, f) for f in fields) if a is not None]
            if bv and (best is None or sum(bv) / len(bv) > best[1]):
                best = (b, sum(bv) / len(bv))
        if best:
            row["best baseline"] = best[0]
            row["best baseline mean acc"] = round(best[1], 3)
        rows.append(row)
    return frame(rows, "article")


def worst_errors(ev: dict, n: int = 20, system: str = "finetuned"):
    """The most confident wrong predictions: one row per (sentence, field) error, highest confidence first."""
    rows = []
    for p in ev.get("predictions", []):
        for field in eval_fields(ev):
            gold = p.get("gold", {}).get(field)
            pred = p.get("pred", {}).get(system, {}).get(field)
            if gold is None or pred is None or gold == pred:
                continue
            conf = (p.get("confidence") or {}).get(field)
            rows.append({"id": p.get("id"), "field": field, "gold": gold, "predicted": pred,
                         "confidence": None if conf is None else round(float(conf), 3), "text": p.get("text", "")})
    rows.sort(key=lambda r: -(r["confidence"] if r["confidence"] is not None else -1))
    return ranked(frame(rows[: int(n)], None))
