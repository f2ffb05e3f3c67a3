"""The tables of ``notebooks/batch-review.ipynb``, from the job folder ``stance label`` writes, and the Label Studio
tasks for reviewing its least certain sentences."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..annotation.labelstudio import export_tasks
from ..schema import FIELDS, LABELS, make_id
from .tables import frame, ranked, resolve


_SKIP = re.compile(r"^(errors?|manifest|failed)", re.IGNORECASE)


def label_files(label_dir: Path | str) -> list[Path]:
    """Every *.jsonl under the folder, without error and manifest files; only ``shards/*.jsonl`` where a
    `stance label` job folder has them (the combined ``labels.jsonl`` repeats them and may be stale mid-run)."""
    d = resolve(label_dir)
    if d.is_file():
        return [d]
    if not d.is_dir():
        raise FileNotFoundError(f"no label output at {d}: run `stance label INPUT --out DIR` first")
    files = sorted(p for p in d.rglob("*.jsonl") if not _SKIP.match(p.name) and "manifest" not in p.name.lower())
    shards = [p for p in files if p.parent.name == "shards"]
    return shards or files  # a job folder's shards hold everything labels.jsonl is rebuilt from


def _records(files: Iterable[Path]) -> tuple[list[dict], int]:
    rows, bad = [], 0
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:  # e.g. a line cut off by an interrupted job
                    bad += 1
                    continue
                if isinstance(obj, dict) and obj.get("text") and obj.get("doc_id") is not None:
                    rows.append(obj)
                else:
                    bad += 1
    return rows, bad


def _top(probs: Any) -> float:
    if isinstance(probs, Mapping) and probs:
        try:
            return max(float(v) for v in probs.values())
        except (TypeError, ValueError):
            return float("nan")
    return float("nan")


def load_labels(label_dir: Path | str):
    """The label output as one DataFrame row per sentence, sorted by article and index.

    Adds the article metadata as columns (outlet, date, title, url; 'unknown' outlet where missing), the top
    probability per field as ``conf_<field>``, ``confidence`` (the lowest of those: the least sure head) and
    ``least_sure`` (that field). Unreadable lines are skipped (``df.attrs['skipped_lines']``); a sentence
    written twice (a resumed job) keeps its last record.
    """
    import numpy as np
    import pandas as pd

    files = label_files(label_dir)
    rows, bad = _records(files)
    if bad:
        warnings.warn(f"skipped {bad} unreadable line(s) in {resolve(label_dir)}", stacklevel=2)
    flat = []
    for r in rows:
        meta = r.get("meta") if isinstance(r.get("meta"), Mapping) else {}
        row = {k: v for k, v in r.items() if k not in ("meta", "probs")}
        for k in ("outlet", "date", "title", "url"):
            row[k] = meta.get(k, r.get(k))
        probs = r.get("probs") if isinstance(r.get("probs"), Mapping) else {}
        for f in FIELDS:
            row[f"conf_{f}"] = _top(probs.get(f))
        row["probs"] = probs
        flat.append(row)
    df = pd.DataFrame(flat)
    if df.empty:
        df = pd.DataFrame(columns=["doc_id", "index", "text", "outlet", "date", *FIELDS])
    if "index" not in df:
        df["index"] = df.groupby("doc_id").cumcount()
    df["index"] = pd.to_numeric(df["index"], errors="coerce").fillna(-1).astype(int)
    df["doc_id"] = df["doc_id"].astype(str)
    df["outlet"] = df["outlet"].where(df["outlet"].notna() & (df["outlet"].astype(str).str.strip() != ""), "unknown")
    df = df.drop_duplicates(["doc_id", "index"], keep="last").sort_values(["doc_id", "index"]).reset_index(drop=True)
    conf_cols = [f"conf_{f}" for f in FIELDS if f"conf_{f}" in df and df[f"conf_{f}"].notna().any()]
    if conf_cols:
        c = df[conf_cols].to_numpy(dtype=float)
        has = ~np.isnan(c).all(axis=1)
        filled = np.where(np.isnan(c), np.inf, c)
        df["confidence"] = np.where(has, filled.min(axis=1), np.nan)
        df["least_sure"] = [conf_cols[i][len("conf_"):] if h else None for i, h in zip(filled.argmin(axis=1), has)]
    else:
        df["confidence"] = np.nan
        df["least_sure"] = None
    df.attrs["files"] = [str(f) for f in files]
    df.attrs["skipped_lines"] = bad
    return df


def batch_summary(df):
    models = sorted({str(m) for m in df.get("model_id", []) if m is not None and m == m})
    rows = [("sentences", len(df)), ("articles", df["doc_id"].nunique()), ("outlets", df["outlet"].nunique()),
            ("articles with a date", df.drop_duplicates("doc_id")["date"].notna().sum() if "date" in df else 0),
            ("model", ", ".join(models) or "?"), ("files", len(df.attrs.get("files", []))),
            ("skipped lines", df.attrs.get("skipped_lines", 0)),
            ("median confidence", round(float(df["confidence"].median()), 3) if df["confidence"].notna().any() else None)]
    return frame([{"item": k, "value": v} for k, v in rows], "item")


def counts_by(df, by: str, field: str):
    """Sentences per ``by`` value (rows) and ``field`` label (columns, schema order), with a total column."""
    import pandas as pd

    if df.empty or field not in df:
        return pd.DataFrame()
    t = pd.crosstab(df[by], df[field])
    cols = [lab for lab in LABELS.get(field, ()) if lab in t.columns] + [c for c in t.columns if c not in LABELS.get(field, ())]
    t = t[cols]
    t["total"] = t.sum(axis=1)
    return t.sort_values("total", ascending=False)


def article_counts(df, fields: Sequence[str] = ("stance", "claim")):
    """Per article: outlet, date, sentences and the label counts of ``fields`` (columns ``field:label``)."""
    import pandas as pd

    base = df.groupby("doc_id").agg(outlet=("outlet", "first"), date=("date", "first"), sentences=("text", "size"))
    parts = [base]
    for f in fields:
        if f in df:
            t = counts_by(df, "doc_id", f).drop(columns="total")
            t.columns = [f"{f}:{c}" for c in t.columns]
            parts.append(t)
    out = pd.concat(parts, axis=1)
    counts = [c for c in out.columns if c not in ("outlet", "date")]
    out[counts] = out[counts].fillna(0).astype(int)
    out["date"] = out["date"].fillna("")
    return out


def date_period(value: Any) -> str | None:
    """'2017-12-11', '2017-12' -> '2017-12'; '2018' -> '2018'; None or unparseable -> None."""
    if value is None or value != value:
        return None
    m = re.match(r"^\s*(\d{4})(?:[-/.](\d{1,2}))?", str(value))
    if not m:
        return None
    year, month = m.groups()
    if month and 1 <= int(month) <= 12:
        return f"{year}-{int(month):02d}"
    return year


def stance_by_date(df, field: str = "stance"):
    """Label shares per date (month where every dated article has one, else year); empty without dates."""
    import pandas as pd

    if df.empty or "date" not in df or field not in df:
        return pd.DataFrame()
    periods = df["date"].map(date_period)
    dated = df[periods.notna()].assign(period=periods[periods.notna()])
    if dated.empty:
        return pd.DataFrame()
    if not dated["period"].str.len().eq(7).all():
        dated = dated.assign(period=dated["period"].str[:4])
    t = pd.crosstab(dated["period"], dated[field], normalize="index").round(3)
    cols = [lab for lab in LABELS.get(field, ()) if lab in t.columns] + [c for c in t.columns if c not in LABELS.get(field, ())]
    t = t[cols].sort_index()
    t.index.name = "date"
    t["sentences"] = dated.groupby("period").size().reindex(t.index).astype(int)
    return t


def lowest_confidence(df, n: int = 50):
    """The ``n`` sentences the model is least sure of (lowest ``confidence``), lowest first."""
    cols = [c for c in ("doc_id", "index", "outlet", "confidence", "least_sure", *FIELDS, "speaker", "text") if c in df]
    low = df[df["confidence"].notna()].sort_values(["confidence", "doc_id", "index"]).head(int(n))
    return ranked(low[cols].assign(confidence=low["confidence"].round(3)))


_DOC_BAD = re.compile(r"[^A-Za-z0-9._-]+")


def _review_record(row: Mapping) -> dict:
    """A schema record for a labelled sentence (label fields are placeholders: tasks carry the predictions)."""
    doc = _DOC_BAD.sub("-", str(row["doc_id"])).strip("-") or "doc"
    text = str(row["text"])
    start = row.get("start")
    start = int(start) if start is not None and start == start else 0
    return {"id": make_id(doc, int(row["index"])), "doc_id": doc, "text": text, "start": start,
            "end": start + len(text), "speaker": "author", "speaker_side": "none", "stance": "neutral",
            "claim": "other", "topic": "other", "source": "seed"}


def _prediction(row: Mapping) -> dict:
    pred: dict = {}
    speaker = row.get("speaker")
    if isinstance(speaker, str) and speaker.strip():
        pred["speaker"] = speaker
    for f in FIELDS:
        v = row.get(f)
        if isinstance(v, str) and v in LABELS[f]:
            pred[f] = v
    conf = row.get("confidence")
    if conf is not None and conf == conf:
        pred["score"] = float(conf)
    if row.get("model_id"):
        pred["model_version"] = str(row["model_id"])
    return pred


def export_review_tasks(df, selected, path: Path | str) -> int:
    """Write Label Studio tasks for the ``selected`` sentences (rows of ``df``), lowest confidence first.

    Tasks are pre-annotated with the model's labels so annotators only correct them; each task's context
    is the sentence's real predecessor in its article (all of the article's sentences are passed to
    :func:`pipeline.annotation.labelstudio.export_tasks`, and the file then keeps only the selected tasks).
    Returns the number of tasks written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if len(selected) == 0:
        path.write_text("[]\n", encoding="utf-8")
        return 0
    docs = set(selected["doc_id"])
    article_rows = df[df["doc_id"].isin(docs)].to_dict("records")
    records = [_review_record(r) for r in article_rows]
    predictions = {rec["id"]: _prediction(r) for rec, r in zip(records, article_rows)}
    export_tasks(records, path, predictions=predictions)
    tasks = json.loads(path.read_text(encoding="utf-8"))
    by_id = {t["data"]["id"]: t for t in tasks}
    order = [_review_record(r)["id"] for r in selected.to_dict("records")]
    kept = [by_id[i] for i in order if i in by_id]
    path.write_text(json.dumps(kept, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(kept)
