"""Cross-validation: folds hold out whole seed articles, every system is scored on the same rows."""

import json

import numpy as np
import pytest

from pipeline.evaluation.calibration import expected_calibration_error, fit_temperature, softmax
from pipeline.config import TrainConfig
from pipeline.evaluation.crossval import evaluate, field_metrics, summary_table


def test_ece_known_values():
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    labels = np.array([0, 1, 0, 0])
    # bin 0.9: accuracy 0.5 vs confidence 0.9 -> 0.4; bin 0.6: accuracy 1.0 vs 0.6 -> 0.4; weighted 0.4
    assert expected_calibration_error(probs, labels) == pytest.approx(0.4)
    assert expected_calibration_error(np.array([[1.0, 0.0]]), np.array([0])) == pytest.approx(0.0)


def test_temperature_softens_overconfident_logits():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 400)
    logits = rng.normal(size=(400, 3)) * 0.5
    logits[np.arange(400), labels] += 1.0
    logits *= 8  # far too confident
    t = fit_temperature(logits, labels)
    assert t > 1.5  # softens: the logits were scaled up 8x
    assert expected_calibration_error(softmax(logits, t), labels) < expected_calibration_error(softmax(logits), labels)


def test_field_metrics_per_fold_and_pooled():
    gold = np.array([0, 1, 1, 0, 2, 2])
    pred = np.array([0, 1, 0, 0, 2, 1])
    folds = np.array([0, 0, 0, 1, 1, 1])
    m = field_metrics(gold, pred, folds, ["a", "b", "c"])
    assert [f["accuracy"] for f in m["folds"]] == pytest.approx([2 / 3, 2 / 3])
    assert m["confusion"]["matrix"] == [[2, 0, 0], [1, 1, 0], [0, 1, 1]]
    assert m["report"]["a"]["recall"] == pytest.approx(1.0)


def write_corpus(tmp_path, articles):
    """Seed-like records for three tiny 'articles' plus written rows; offsets point into article files."""
    adir = tmp_path / "articles"
    adir.mkdir()
    rows = []
    for doc, sents in articles.items():
        text = "\n\n".join(s[0] for s in sents) + "\n"
        (adir / f"{doc}.txt").write_text(text)
        pos = 0
        for i, (s, stance, claim) in enumerate(sents):
            start = text.index(s, pos)
            pos = start + len(s)
            rows.append({"id": f"{doc}:{i:04d}", "doc_id": doc, "text": s, "start": start, "end": pos,
                         "speaker": "author", "speaker_side": "none", "stance": stance, "claim": claim,
                         "topic": "diplomacy", "source": "seed" if not doc.startswith("written") else "written"})
    return rows, adir


def test_evaluate_holds_out_whole_articles(tmp_path, tiny_encoder, monkeypatch):
    arts = {
        f"doc{k}": [(f"Russia opposed plan number {k} strongly.", "russian", "claim"),
                    (f"Japan defended plan number {k}.", "japanese", "claim"),
                    (f"The ministers met on day {k}.", "neutral", "fact")]
        for k in range(3)
    }
    rows, adir = write_corpus(tmp_path, arts)
    seed = tmp_path / "seed.jsonl"
    seed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    monkeypatch.setattr("pipeline.paths.ARTICLES", adir)
    import pipeline.annotation.validate as v
    monkeypatch.setattr(v, "validate_files", lambda files, *a, **k: [])  # articles dir is a fixture here

    cfg = TrainConfig(name="t", encoder=str(tiny_encoder), epochs=1, batch_size=4, data=[str(seed)], eval_folds=3)
    res = evaluate(cfg, tmp_path / "eval.json", baselines=("majority", "tfidf_logreg", "minilm_logreg"), progress=False)
    assert res["n_folds"] == 3
    tested = [d for f in res["folds"] for d in f["test_docs"]]
    assert sorted(tested) == ["doc0", "doc1", "doc2"]  # every article tested exactly once
    for p in res["predictions"]:
        fold = res["folds"][p["fold"]]
        assert p["doc_id"] in fold["test_docs"]
    assert set(res["systems"]) == {"finetuned", "majority", "tfidf_logreg", "minilm_logreg"}
    assert 0 <= res["systems"]["finetuned"]["stance"]["macro_f1_mean"] <= 1
    assert "ece" in res["systems"]["finetuned"]["claim"]
    assert json.loads((tmp_path / "eval.json").read_text())["data_sha256"] == res["data_sha256"]
    assert "| stance |" in summary_table(res)


def _three_articles():
    return {
        f"doc{k}": [(f"Russia opposed plan number {k} strongly.", "russian", "claim"),
                    (f"Japan defended plan number {k}.", "japanese", "claim"),
                    (f"The ministers met on day {k}.", "neutral", "fact")]
        for k in range(3)
    }


def _model_files(model_dir):
    return {p.name: p.read_bytes() for p in sorted(model_dir.iterdir()) if p.is_file()}


@pytest.fixture
def trained(tmp_path, tiny_encoder, monkeypatch):
    """A model folder trained on a three-article corpus by `train`, with the config it was trained with."""
    from pipeline.model import train

    rows, adir = write_corpus(tmp_path, _three_articles())
    seed = tmp_path / "seed.jsonl"
    seed.write_text("".join(json.dumps(r) + "\n" for r in rows))
    monkeypatch.setattr("pipeline.paths.ARTICLES", adir)
    import pipeline.annotation.validate as v
    monkeypatch.setattr(v, "validate_files", lambda files, *a, **k: [])  # articles dir is a fixture here
    monkeypatch.setattr("pipeline.paths.REPORTS", tmp_path / "reports")
    cfg = TrainConfig(name="t", encoder=str(tiny_encoder), epochs=2, batch_size=4, data=[str(seed)], eval_folds=3)
    return cfg, train(cfg, tmp_path / "model", progress=False)


def test_evaluate_of_another_configuration_leaves_the_model_untouched(trained, tmp_path):
    cfg, model_dir = trained
    before = _model_files(model_dir)
    for override in ({"n_folds": 2}, {"config": cfg.model_copy(update={"epochs": 1.0})}):
        args = {"config": cfg, **override}
        res = evaluate(args.pop("config"), tmp_path / "other.json", baselines=(), progress=False, model_dir=model_dir, **args)
        assert res["model"]["recorded"] is False
        assert "not the one" in res["model"]["reason"]
        assert _model_files(model_dir) == before  # temperatures, metrics and model card as trained
    assert "Not yet evaluated" in (model_dir / "README.md").read_text()


def test_evaluate_of_the_trained_configuration_records_in_the_model(trained, tmp_path):
    cfg, model_dir = trained
    res = evaluate(cfg, tmp_path / "same.json", baselines=("majority",), progress=False, model_dir=model_dir)
    assert res["model"] == {"dir": str(model_dir), "recorded": True, "reason": ""}
    meta = json.loads((model_dir / "pipeline.json").read_text())
    assert meta["temperatures"] == {f: pytest.approx(t) for f, t in res["temperatures"].items()}
    metrics = json.loads((model_dir / "metrics.json").read_text())
    assert set(metrics["cross_validation"]) == set(cfg.fields) and "majority" in metrics["baselines"]
    assert "Grouped cross-validation" in (model_dir / "README.md").read_text()


def test_cli_evaluate_with_overrides_says_the_model_is_left_untouched(trained, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from pipeline.cli import app

    cfg, model_dir = trained
    monkeypatch.setattr("pipeline.paths.MODELS", model_dir.parent)
    (model_dir.parent / "t").symlink_to(model_dir)  # models/<name>/ is where the CLI looks
    toml = tmp_path / "t.toml"
    toml.write_text(f'name = "t"\nencoder = "{cfg.encoder}"\nepochs = 2.0\nbatch_size = 4\neval_folds = 3\n'
                    f'data = ["{cfg.data[0]}"]\n')
    before = _model_files(model_dir)
    result = CliRunner().invoke(app, ["evaluate", "--config", str(toml), "--folds", "2", "--epochs", "1",
                                      "--no-baselines", "--no-progress", "--out", str(tmp_path / "x.json")])
    assert result.exit_code == 0, result.output
    assert "left untouched" in result.output and "epochs" in result.output and "eval_folds" in result.output
    assert _model_files(model_dir) == before
