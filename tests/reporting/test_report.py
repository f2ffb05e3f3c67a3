"""Report notebooks: executed end to end on real-format inputs, rendered to HTML and checked for content.

The evaluation file is built here in exactly the format `stance evaluate` writes (random but valid
predictions over the schema labels, metrics computed with sklearn); the label output is a folder of
shards in the format of `stance label --out DIR`, with an errors file, a manifest and a cut-off line.
"""

from __future__ import annotations

import json
import random
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from pipeline import paths
from pipeline.schema import FIELDS, LABELS
from tests._models import tiny_encoder, tiny_model_dir  # noqa: F401

NOTEBOOKS = paths.ROOT / "notebooks"
SYSTEMS = ("finetuned", "majority", "tfidf_logreg", "minilm_logreg")
#: Figures each notebook draws (with dates in the label output): the image counts checked below.
EVALUATION_FIGURES = 4  # label distribution, fold comparison, confusion matrices, reliability diagram
BATCH_FIGURES = 4  # stance per outlet, stance per article, stance by date, confidence histogram
N_LOWEST = 7


# --- builders -----------------------------------------------------------------------------------------

def _probs(rng: random.Random, labels: tuple[str, ...], top_label: str, top: float) -> dict:
    rest = [lab for lab in labels if lab != top_label]
    weights = [rng.random() + 1e-3 for _ in rest]
    scale = (1 - top) / sum(weights)
    probs = {lab: round(w * scale, 5) for lab, w in zip(rest, weights)}
    probs[top_label] = round(top, 5)
    return {lab: probs[lab] for lab in labels}


def _mean(v: list[float]) -> float:
    return sum(v) / len(v)


def _sd(v: list[float]) -> float:  # population sd, as numpy's default (what `evaluate` writes)
    return (sum((x - _mean(v)) ** 2 for x in v) / len(v)) ** 0.5


def build_evaluation(tmp: Path, fields=FIELDS, n_docs: int = 4, per_doc: int = 12, n_folds: int = 2, seed: int = 0) -> Path:
    """An evaluation.json in the format of `stance evaluate`, plus the seed/written corpus it names."""
    from sklearn.metrics import accuracy_score, classification_report, confusion_matrix, f1_score

    rng = random.Random(seed)
    docs = [f"paper{d}-2018-0{d + 1}" for d in range(n_docs)]
    fold_of_doc = {doc: i % n_folds for i, doc in enumerate(docs)}
    preds, seed_rows = [], []
    for doc in docs:
        offset = 0
        for i in range(per_doc):
            text = f"Sentence {i} of {doc} about the islands and Aegis Ashore."
            gold = {f: rng.choice(LABELS[f]) for f in fields}
            pred, conf, probs = {}, {}, {}
            for s in SYSTEMS:
                pred[s] = {}
                for f in fields:
                    if s == "majority":
                        pred[s][f] = LABELS[f][0]
                    else:
                        p_right = 0.75 if s == "finetuned" else 0.45
                        pred[s][f] = gold[f] if rng.random() < p_right else rng.choice(LABELS[f])
            for f in fields:
                conf[f] = round(rng.uniform(1 / len(LABELS[f]) + 0.01, 0.99), 5)
                probs[f] = _probs(rng, LABELS[f], pred["finetuned"][f], conf[f])
            sid = f"{doc}:{i:04d}"
            preds.append({"id": sid, "doc_id": doc, "fold": fold_of_doc[doc], "text": text,
                          "context": "", "gold": gold, "pred": pred, "confidence": conf, "probs": probs})
            seed_rows.append({"id": sid, "doc_id": doc, "text": text, "start": offset, "end": offset + len(text),
                              "speaker": "author", "speaker_side": "none", "source": "seed",
                              **{f: gold.get(f, LABELS[f][0]) for f in FIELDS}})
            offset += len(text) + 1
    written_rows = [{"id": f"w{j}:0000", "doc_id": f"w{j}", "text": f"Written sentence {j}.", "start": 0,
                     "end": len(f"Written sentence {j}."), "speaker": "Tokyo", "speaker_side": "japanese",
                     "source": "written", **{f: rng.choice(LABELS[f]) for f in ("stance", "claim", "topic")}}
                    for j in range(20)]
    (tmp / "seed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in seed_rows), encoding="utf-8")
    (tmp / "written.jsonl").write_text("".join(json.dumps(r) + "\n" for r in written_rows), encoding="utf-8")

    systems: dict = {s: {} for s in SYSTEMS}
    for s in SYSTEMS:
        for f in fields:
            labels = list(LABELS[f])
            gold = [p["gold"][f] for p in preds]
            pred = [p["pred"][s][f] for p in preds]
            folds = []
            for k in range(n_folds):
                sel = [j for j, p in enumerate(preds) if p["fold"] == k]
                g, q = [gold[j] for j in sel], [pred[j] for j in sel]
                folds.append({"fold": k, "macro_f1": float(f1_score(g, q, average="macro", zero_division=0)),
                              "accuracy": float(accuracy_score(g, q))})
            f1s = [x["macro_f1"] for x in folds]
            accs = [x["accuracy"] for x in folds]
            m = {"folds": folds, "macro_f1_mean": _mean(f1s), "macro_f1_std": _sd(f1s),
                 "accuracy_mean": _mean(accs), "accuracy_std": _sd(accs),
                 "report": classification_report(gold, pred, labels=labels, output_dict=True, zero_division=0),
                 "confusion": {"labels": labels, "matrix": confusion_matrix(gold, pred, labels=labels).tolist()}}
            if s in ("finetuned", "tfidf_logreg", "minilm_logreg"):
                m["ece"] = rng.uniform(0.05, 0.3)
            if s == "finetuned":
                m["ece_calibrated"] = rng.uniform(0.02, 0.1)
                m["temperature"] = rng.uniform(0.8, 2.5)
            systems[s][f] = m
    ev = {
        "command": "stance evaluate --config models/tiny.toml",
        "created": "2025-01-01T00:00:00+00:00",
        "config": {"name": "tiny", "encoder": "tiny-encoder", "fields": list(fields),
                   "data": [str(tmp / "seed.jsonl"), str(tmp / "written.jsonl")]},
        "data_sha256": "0" * 64,
        "n_folds": n_folds,
        "folds": [{"fold": k, "test_docs": sorted(d for d in docs if fold_of_doc[d] == k),
                   "n_train": 20 + per_doc * (n_docs - sum(1 for d in docs if fold_of_doc[d] == k)),
                   "n_test": per_doc * sum(1 for d in docs if fold_of_doc[d] == k)} for k in range(n_folds)],
        "systems": systems,
        "predictions": preds,
    }
    path = tmp / "reports" / "tiny" / "evaluation.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(ev, indent=1), encoding="utf-8")
    return path


def build_label_output(tmp: Path, n_docs: int = 5, per_doc: int = 9, seed: int = 1) -> Path:
    """A `stance label --out DIR` folder: two shards, an errors file, a manifest and one cut-off line."""
    rng = random.Random(seed)
    out = tmp / "labels"
    out.mkdir()
    outlets = ["The Asahi Shimbun", "TASS", "The Japan News"]
    dates = ["2017-12-11", "2018-07", "2018-07-31", "2019-01-15", None]
    shards: list[list[str]] = [[], []]
    for d in range(n_docs):
        doc = f"batch-{d}"
        meta = {"outlet": outlets[d % len(outlets)], "title": f"Article {d}", "url": f"https://example.org/{d}"}
        if dates[d % len(dates)]:
            meta["date"] = dates[d % len(dates)]
        offset = 0
        for i in range(per_doc):
            text = f"Article {d} sentence {i}: Moscow and Tokyo discussed the Kurils."
            side = rng.choice(LABELS["speaker_side"])
            row = {"doc_id": doc, "index": i, "text": text, "start": offset, "end": offset + len(text),
                   "speaker": "author" if side == "none" else "Foreign Ministry", "speaker_side": side,
                   "stance": rng.choice(LABELS["stance"]), "claim": rng.choice(LABELS["claim"]),
                   "topic": rng.choice(LABELS["topic"]), "model_id": "tiny-0001"}
            row["probs"] = {f: _probs(rng, LABELS[f], row[f], rng.uniform(1 / len(LABELS[f]) + 0.02, 0.999)) for f in FIELDS}
            if d != n_docs - 1:  # the last article has no metadata at all
                row["meta"] = meta
            shards[d % 2].append(json.dumps(row))
            offset += len(text) + 1
    (out / "labels-00000.jsonl").write_text("\n".join(shards[0]) + "\n", encoding="utf-8")
    (out / "labels-00001.jsonl").write_text("\n".join(shards[1]) + "\n" + shards[1][0][:40], encoding="utf-8")
    (out / "errors.jsonl").write_text(json.dumps({"doc_id": "broken", "text": "x", "error": "boom"}) + "\n", encoding="utf-8")
    (out / "manifest.jsonl").write_text(json.dumps({"doc_id": "batch-0", "text": "not a sentence"}) + "\n", encoding="utf-8")
    return out


def expected_lowest(label_dir: Path, n: int) -> list[str]:
    """Ids of the n least confident sentences, computed straight from the raw shards."""
    rows = []
    for f in sorted(label_dir.glob("labels-*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                continue
            conf = min(max(p.values()) for p in r["probs"].values())
            rows.append((conf, r["doc_id"], r["index"]))
    return [f"{doc}:{i:04d}" for _, doc, i in sorted(rows)[:n]]


# --- HTML checks --------------------------------------------------------------------------------------

class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells, self._in, self.images = [], False, 0

    def handle_starttag(self, tag, attrs):
        if tag == "td":
            self._in, self._buf = True, []
        if tag == "img" and dict(attrs).get("src", "").startswith("data:image/png;base64,"):
            self.images += 1

    def handle_data(self, data):
        if self._in:
            self._buf.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._in:
            self.cells.append("".join(self._buf).strip())
            self._in = False


def parse_html(path: Path) -> _Cells:
    p = _Cells()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def numbers(cells: list[str]) -> list[float]:
    out = []
    for c in cells:
        try:
            v = float(c)
        except ValueError:
            continue
        if v == v:  # not NaN
            out.append(v)
    return out


def assert_clean_run(executed: Path) -> None:
    nb = nbformat.read(str(executed), as_version=4)
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error", f"error output in {executed}: {o.get('ename')}: {o.get('evalue')}"


# --- tests --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["evaluation", "batch-review"])
def test_notebooks_committed_without_outputs(name):
    nb = nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1
    assert sum(c.cell_type == "markdown" and c.source.lstrip().startswith("## ") for c in nb.cells) >= 5


def test_all_notebooks_are_covered():
    assert {p.stem for p in NOTEBOOKS.glob("*.ipynb")} == {"evaluation", "batch-review"}


def test_evaluation_report(tmp_path):
    from pipeline.reporting import render_report

    metrics = build_evaluation(tmp_path)
    out = tmp_path / "out"
    html = render_report(NOTEBOOKS / "evaluation.ipynb",
                         {"metrics_file": str(metrics), "model_dir": str(tmp_path / "no-model"), "n_worst": 15},
                         out_dir=out)
    assert html == out / "evaluation.html" and (out / "evaluation.ipynb").is_file()
    assert_clean_run(out / "evaluation.ipynb")
    page = parse_html(html)
    assert page.images >= EVALUATION_FIGURES
    nums = numbers(page.cells)
    assert len(nums) > 200
    assert any(0 < v < 1 for v in nums)  # scores, not only counts
    text = html.read_text(encoding="utf-8")
    for heading in ("Label distribution", "against the baselines", "Classification reports", "Confusion matrices",
                    "Per-article results", "Calibration", "Worst errors"):
        assert heading in text
    # the worst-errors table holds real sentences with their confidence
    assert "Sentence " in text and "paper0-2018-01" in text


def test_evaluation_report_with_fewer_fields(tmp_path):
    """Configs may train fewer fields: the notebook iterates over what the file holds."""
    from pipeline.reporting import render_report

    metrics = build_evaluation(tmp_path, fields=("stance", "claim"), n_docs=3, per_doc=6)
    html = render_report("evaluation", {"metrics_file": str(metrics)}, out_dir=tmp_path / "out")
    page = parse_html(html)
    assert page.images >= EVALUATION_FIGURES
    assert numbers(page.cells)


def test_batch_review_report(tmp_path):
    from pipeline.reporting import render_report

    label_dir = build_label_output(tmp_path)
    export_dir = tmp_path / "review"
    html = render_report(NOTEBOOKS / "batch-review.ipynb",
                         {"label_dir": str(label_dir), "out_dir": str(export_dir), "n_lowest": N_LOWEST},
                         out_dir=tmp_path / "out")
    assert_clean_run(tmp_path / "out" / "batch-review.ipynb")
    page = parse_html(html)
    assert page.images >= BATCH_FIGURES
    nums = numbers(page.cells)
    assert len(nums) > 50 and any(0 < v < 1 for v in nums)
    text = html.read_text(encoding="utf-8")
    assert "TASS" in text and "unknown" in text  # outlets, and the article without metadata
    assert "2018-07" in text  # stance by month
    tasks = json.loads((export_dir / "review-tasks.json").read_text(encoding="utf-8"))
    assert [t["data"]["id"] for t in tasks] == expected_lowest(label_dir, N_LOWEST)
    assert (export_dir / "labelling-config.xml").read_text(encoding="utf-8").startswith("<View>")


def test_label_studio_export_of_lowest_confidence(tmp_path):
    """The active-learning export: the least confident sentences, pre-annotated, with their real context,
    and an annotated export of them reads back as valid schema records."""
    from pipeline.annotation.labelstudio import import_export
    from pipeline.reporting.batch_review import export_review_tasks, load_labels, lowest_confidence

    label_dir = build_label_output(tmp_path)
    with pytest.warns(UserWarning, match="skipped 1 unreadable"):
        df = load_labels(label_dir)
    assert len(df) == 5 * 9 and "broken" not in set(df["doc_id"])
    low = lowest_confidence(df, 5)
    assert list(low["confidence"]) == sorted(low["confidence"])
    path = tmp_path / "tasks.json"
    assert export_review_tasks(df, low, path) == 5
    tasks = json.loads(path.read_text(encoding="utf-8"))
    want = expected_lowest(label_dir, 5)
    assert [t["data"]["id"] for t in tasks] == want
    texts = {(r.doc_id, r.index): r.text for r in df.itertuples()}
    for task in tasks:
        doc, idx = task["data"]["doc_id"], int(task["data"]["id"].rsplit(":", 1)[1])
        assert task["data"]["text"] == texts[(doc, idx)]
        assert task["data"]["context"] == texts.get((doc, idx - 1), "")  # the real previous sentence
        (pred,) = task["predictions"]
        assert pred["model_version"] == "tiny-0001" and 0 < pred["score"] < 1
        row = df[(df["doc_id"] == doc) & (df["index"] == idx)].iloc[0]
        choices = {r["from_name"]: r["value"].get("choices", [None])[0] for r in pred["result"]}
        assert {f: choices[f] for f in FIELDS} == {f: row[f] for f in FIELDS}
        task["annotations"] = [{"result": pred["result"], "created_at": "2025-01-02T00:00:00Z"}]
    path.write_text(json.dumps(tasks), encoding="utf-8")
    back = import_export(path, annotator="R")
    assert [r["id"] for r in back] == want and all(r["annotator"] == "R" for r in back)


def test_failing_cell_is_named(tmp_path):
    from pipeline.reporting import ReportError, render_report

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    params = nbformat.v4.new_code_cell("x = 1")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_markdown_cell("## Broken section"),
                nbformat.v4.new_code_cell("y = x + 1\nraise ValueError(f'bad value {y}')")]
    src = tmp_path / "broken.ipynb"
    nbformat.write(nb, str(src))
    with pytest.raises(ReportError) as err:
        render_report(src, {"x": 41}, out_dir=tmp_path / "out")
    msg = str(err.value)
    assert "broken.ipynb" in msg and "Broken section" in msg and "ValueError: bad value 42" in msg
    assert re.search(r"cell \d+ \(In \[\d+\]\)", msg)
    assert (tmp_path / "out" / "broken.html").is_file()  # the partial report is still rendered


def test_report_cli(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.reporting import parse_parameter

    assert parse_parameter("n=3") == ("n", 3)
    assert parse_parameter("files=[\"a\", \"b\"]") == ("files", ["a", "b"])
    assert parse_parameter("path=reports/x.json") == ("path", "reports/x.json")
    with pytest.raises(ValueError):
        parse_parameter("novalue")

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    params = nbformat.v4.new_code_cell("n = 1\nlabel = 'a'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("import pipeline\nprint(f'n={n} label={label}')")]
    src = tmp_path / "tiny.ipynb"
    nbformat.write(nb, str(src))
    runner = CliRunner()
    res = runner.invoke(app, ["report", str(src), "-p", "n=5", "-p", "label=xyz", "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    assert "n=5 label=xyz" in (tmp_path / "r" / "tiny.html").read_text(encoding="utf-8")
    res = runner.invoke(app, ["report", str(tmp_path / "missing.ipynb")])
    assert res.exit_code == 1 and "no notebook" in res.output


# --- end to end: the real `evaluate` and `label` code on a small model --------------------------------

def _evaluate_and_label(tmp_path: Path, encoder: Path, model_dir: Path, data: list[Path], articles: list[Path],
                        folds: int) -> tuple[Path, Path]:
    from pipeline.config import TrainConfig
    from pipeline.evaluation.crossval import evaluate
    from pipeline.labelling import label_paths

    metrics = tmp_path / "reports" / "ci-tiny" / "evaluation.json"
    cfg = TrainConfig(name="ci-tiny", encoder=str(encoder), epochs=1, batch_size=16, max_length=64,
                      data=[str(f) for f in data], eval_folds=folds)
    evaluate(cfg, metrics, progress=False)
    job = tmp_path / "job"
    label_paths(articles, job, model_dir=model_dir, progress=False)
    return metrics, job


def _check_reports(tmp_path: Path, metrics: Path, job: Path, model_dir: Path, batch_figures: int) -> None:
    from pipeline.reporting import render_report

    out = tmp_path / "out"
    html = render_report("evaluation", {"metrics_file": str(metrics), "model_dir": str(model_dir)}, out_dir=out)
    assert_clean_run(out / "evaluation.ipynb")
    page = parse_html(html)
    assert page.images >= EVALUATION_FIGURES and len(numbers(page.cells)) > 50
    html = render_report("batch-review", {"label_dir": str(job), "out_dir": str(tmp_path / "review"), "n_lowest": 5},
                         out_dir=out)
    assert_clean_run(out / "batch-review.ipynb")
    page = parse_html(html)
    assert page.images >= batch_figures and numbers(page.cells)
    tasks = json.loads((tmp_path / "review" / "review-tasks.json").read_text(encoding="utf-8"))
    assert [t["data"]["id"] for t in tasks] == expected_lowest_job(job, 5)


def expected_lowest_job(job: Path, n: int) -> list[str]:
    rows = []
    for f in sorted((job / "shards").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            rows.append((min(max(p.values()) for p in r["probs"].values()), r["doc_id"], r["index"]))
    return [f"{doc}:{i:04d}" for _, doc, i in sorted(rows)[:n]]


def test_notebooks_on_real_evaluate_and_label_output(tmp_path, corpus, tiny_encoder, tiny_model_dir, monkeypatch):  # noqa: F811
    """Both notebooks on what `stance evaluate` and `stance label` really write (tiny model, tiny corpus)."""
    import pipeline.annotation.validate as validate

    monkeypatch.setattr("pipeline.paths.ARTICLES", corpus.articles_dir)
    monkeypatch.setattr(validate, "validate_files", lambda files, *a, **k: [])  # the fixture's articles dir
    metrics, job = _evaluate_and_label(tmp_path, tiny_encoder, tiny_model_dir, [corpus.seed, corpus.written],
                                       sorted(corpus.articles_dir.glob("*.txt")), folds=3)
    _check_reports(tmp_path, metrics, job, tiny_model_dir, batch_figures=BATCH_FIGURES - 1)  # .txt: no dates


@pytest.mark.slow
def test_notebooks_on_the_repository_corpus(tmp_path, tiny_encoder, tiny_model_dir):  # noqa: F811
    """CI: the notebooks against the project's own annotation corpus and seed articles, with the tiny model."""
    from pipeline.annotation.corpus import default_files

    files = default_files()
    articles = sorted(paths.ARTICLES.glob("*.txt"))
    if not files or not articles:
        pytest.skip("no annotation corpus in annotations/ yet")
    metrics, job = _evaluate_and_label(tmp_path, tiny_encoder, tiny_model_dir, files, articles, folds=2)
    _check_reports(tmp_path, metrics, job, tiny_model_dir, batch_figures=BATCH_FIGURES - 1)


def test_evaluation_notebook_shows_the_test_split_and_learning_curve(tmp_path, tiny_encoder, tiny_model_dir, monkeypatch):  # noqa: F811
    """An evaluation with a test split and a learning curve, and a --model --gold file: both notebooks run clean."""
    from pipeline.config import TrainConfig
    from pipeline.evaluation.crossval import evaluate
    from pipeline.evaluation.gold import score_model
    from pipeline.reporting.render import render_report
    from tests.evaluation.test_evaluate import _split_corpus

    _, data, split = _split_corpus(tmp_path, monkeypatch)
    cfg = TrainConfig(name="t", encoder=str(tiny_encoder), epochs=1, batch_size=4, data=[str(data)], eval_folds=2,
                      test_split=str(split))
    metrics = tmp_path / "eval.json"
    evaluate(cfg, metrics, baselines=("majority",), progress=False, learning_curve=(0.0, 1.0))
    out = tmp_path / "out"
    html = render_report("evaluation", {"metrics_file": str(metrics), "model_dir": str(tiny_model_dir)}, out_dir=out,
                         exclude_input=True)
    assert_clean_run(out / "evaluation.ipynb")
    page = parse_html(html)
    assert page.images >= EVALUATION_FIGURES + 2  # + the test split's confusion matrices and the learning curve
    assert "real4" in " ".join(page.cells)
    assert "No test section" not in html.read_text(encoding="utf-8") and "No learning curve" not in html.read_text(encoding="utf-8")

    gold = tmp_path / "gold.json"
    score_model(tiny_model_dir, [data], gold)
    html = render_report("evaluation", {"metrics_file": str(gold), "model_dir": str(tiny_model_dir)}, out_dir=tmp_path / "g",
                         exclude_input=True)
    assert_clean_run(tmp_path / "g" / "evaluation.ipynb")
    page = html.read_text(encoding="utf-8")
    assert "No cross-validation in this file" in page and "No learning curve in this file" in page
    assert "No test section" not in page
