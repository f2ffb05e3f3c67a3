"""Reports: execute a parameterised notebook and render it to HTML, plus the data helpers the notebooks call.

:func:`render_report` runs ``notebooks/<name>.ipynb`` with papermill (parameters injected after the cell
tagged ``parameters``) on a kernel that is always the current interpreter, then writes
``<out_dir>/<name>.ipynb`` (executed) and ``<out_dir>/<name>.html`` (nbconvert, PNG figures embedded).
A failing cell raises :class:`ReportError` naming the cell and its section; the partial report is still
written so the failure can be read in context.

The loaders and table builders below keep the notebooks thin: ``evaluation.ipynb`` reads the file written
by ``stance evaluate``, ``batch-review.ipynb`` reads the output folder of ``stance label``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import tempfile
import warnings
from pathlib import Path
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from .. import paths
from ..annotation.corpus import default_files
from ..annotation.labelstudio import export_tasks
from ..evaluation.calibration import reliability_bins
from ..jsonl import iter_jsonl
from ..model.folder import is_model_folder, read_meta
from ..schema import FIELDS, LABELS, make_id

NOTEBOOKS = paths.ROOT / "notebooks"
KERNEL_NAME = "python3"


class ReportError(RuntimeError):
    """A notebook could not be executed or rendered; the message names the failing cell."""


# --- rendering ----------------------------------------------------------------------------------------

def find_notebook(notebook: Path | str) -> Path:
    """A notebook path as given, or a name in ``notebooks/`` (``evaluation`` -> notebooks/evaluation.ipynb)."""
    p = Path(notebook)
    candidates = [p, p.with_suffix(".ipynb"), NOTEBOOKS / p.name, NOTEBOOKS / (p.name + ".ipynb")]
    for c in candidates:
        if c.suffix == ".ipynb" and c.is_file():
            return c
    raise ReportError(f"no notebook {notebook!r} (looked for {', '.join(str(c) for c in candidates)})")


@contextlib.contextmanager
def _kernel_env() -> Iterator[None]:
    """A ``python3`` kernel spec that runs *this* interpreter, first on JUPYTER_PATH; matplotlib on Agg.

    A user-level ``python3`` spec may point at another Python without this package; the temporary spec
    makes the kernel the interpreter that runs the report, so ``import pipeline`` always works.
    """
    saved = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "MPLBACKEND")}
    with tempfile.TemporaryDirectory(prefix="stance-kernel-") as tmp:
        spec_dir = Path(tmp) / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (stance)", "language": "python"}
        (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (tmp, saved["JUPYTER_PATH"]) if p)
        os.environ["MPLBACKEND"] = "Agg"
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def _section_of(nb, index: int) -> str | None:
    """The nearest markdown heading above cell ``index``."""
    for cell in reversed(nb.cells[:index]):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.lstrip().startswith("#"):
                    return line.lstrip("# ").strip()
    return None


def to_html(executed: Path | str, html_path: Path | str, exclude_input: bool = False) -> Path:
    """Render an executed notebook to a standalone HTML file (images embedded as data URIs)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    exporter = HTMLExporter(template_name="lab", exclude_input=exclude_input, embed_images=True)
    body, _ = exporter.from_notebook_node(nb)
    Path(html_path).write_text(body, encoding="utf-8")
    return Path(html_path)


def render_report(notebook: Path | str, parameters: Mapping[str, Any] | None = None, out_dir: Path | str = "reports",
                  exclude_input: bool = False, timeout: int = 600) -> Path:
    """Execute ``notebook`` with ``parameters`` and render it; returns ``<out_dir>/<stem>.html``.

    Also writes the executed notebook ``<out_dir>/<stem>.ipynb``. Relative paths in parameters are read
    from the current directory (the kernel runs there), falling back to the repository root.
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    src = find_notebook(notebook)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    executed = out / f"{src.stem}.ipynb"
    html = out / f"{src.stem}.html"
    failure: ReportError | None = None
    with _kernel_env():
        try:
            papermill.execute_notebook(
                str(src), str(executed), parameters=dict(parameters or {}), kernel_name=KERNEL_NAME,
                language="python", progress_bar=False, log_output=False, cwd=os.getcwd(), execution_timeout=timeout,
            )
        except PapermillExecutionError as e:
            # papermill's index counts its injected cells: find the cell in the notebook as written
            nb = nbformat.read(str(src), as_version=4)
            index = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source == e.source), None)
            if index is None:
                where = f"the injected parameters cell (In [{e.exec_count}])"
            else:
                section = _section_of(nb, index)
                where = f"cell {index + 1} (In [{e.exec_count}])" + (f" in section '{section}'" if section else "")
            first = next((ln for ln in e.source.splitlines() if ln.strip() and not ln.startswith("#")), "").strip()
            failure = ReportError(f"{src.name}: {where} failed: {e.ename}: {e.evalue}\n    {first}\n"
                                  f"  partial report: {html}")
        except Exception as e:  # kernel did not start, bad notebook, timeout
            raise ReportError(f"{src.name}: could not execute: {type(e).__name__}: {e}") from e
    if executed.exists():
        to_html(executed, html, exclude_input=exclude_input)
    if failure is not None:
        raise failure
    return html


def parse_parameter(text: str) -> tuple[str, Any]:
    """``key=value`` from the command line: value as JSON where it parses (numbers, lists, true), else a string."""
    if "=" not in text:
        raise ValueError(f"parameter {text!r} is not key=value")
    key, value = text.split("=", 1)
    key = key.strip()
    if not key.isidentifier():
        raise ValueError(f"parameter name {key!r} is not a Python identifier")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


# --- shared helpers -----------------------------------------------------------------------------------

def resolve(path: Path | str) -> Path:
    """A path as given if it exists (relative to the current directory), else under the repository root."""
    p = Path(path).expanduser()
    if p.is_absolute() or p.exists():
        return p
    return paths.ROOT / p if (paths.ROOT / p).exists() else p


def as_paths(value: str | Sequence[str] | None) -> list[Path]:
    """A list parameter from a list, or a comma-separated string ('' or None -> [])."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [resolve(str(v).strip()) for v in items if str(v).strip()]


def _table(rows: list[dict], index: str | None = None):
    import pandas as pd

    df = pd.DataFrame(rows)
    return df.set_index(index) if index and not df.empty else df


def _ranked(df):
    """Index 1..n named 'rank' (for tables sorted worst first)."""
    df = df.reset_index(drop=True)
    df.index = df.index + 1
    df.index.name = "rank"
    return df


# --- evaluation ---------------------------------------------------------------------------------------

def load_evaluation(path: Path | str) -> dict:
    p = resolve(path)
    if not p.is_file():
        raise FileNotFoundError(f"no evaluation file at {p}: run `stance evaluate` first")
    ev = json.loads(p.read_text(encoding="utf-8"))
    if not isinstance(ev, dict) or "systems" not in ev:
        raise ValueError(f"{p} is not an evaluation file (no 'systems')")
    return ev


def eval_systems(ev: dict) -> list[str]:
    """Systems in display order: the fine-tuned model first, then the baselines as stored."""
    systems = list(ev["systems"])
    return sorted(systems, key=lambda s: (s != "finetuned", systems.index(s)))


def eval_fields(ev: dict) -> list[str]:
    """The fields evaluated, in schema order (then any others as stored)."""
    present = list(dict.fromkeys(f for s in ev["systems"].values() for f in s))
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
    return _table([{"item": k, "value": v} for k, v in rows], "item")


def folds_table(ev: dict):
    return _table([{"fold": f["fold"], "test articles": ", ".join(f.get("test_docs", [])),
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
    return _table([{"item": k, "value": v} for k, v in rows], "item")


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
    return _table(rows, "field")


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
    df = _table(rows, "label")
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
    return _table(rows, "field")


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
    return _table(rows, "article")


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
    return _ranked(_table(rows[: int(n)], None))


# --- batch review (the output of `stance label`) ------------------------------------------------------

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
    return _table([{"item": k, "value": v} for k, v in rows], "item")


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
    return _ranked(low[cols].assign(confidence=low["confidence"].round(3)))


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
    :func:`pipeline.labelstudio.export_tasks`, and the file then keeps only the selected tasks).
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
