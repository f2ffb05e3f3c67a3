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
    assert set(res["systems"]) == {"finetuned", "majority", "tfidf_logreg", "minilm_logreg", "labelling_job"}
    job, ft = res["systems"]["labelling_job"], res["systems"]["finetuned"]
    assert job["stance"]["macro_f1_mean"] == ft["stance"]["macro_f1_mean"]  # only speaker_side is the job's own
    assert set(res["job_side_thresholds"]) >= {"0.85", "1.01"}
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


# --- the real test split and the learning curve ------------------------------------------------------------

def _split_corpus(tmp_path, monkeypatch):
    """Two seed articles, six real ones (two of them the test split) and a written mini-article."""
    arts = {f"seed{k}": [(f"Russia opposed plan {k} strongly.", "russian", "claim"),
                         (f"The ministers met on day {k}.", "neutral", "fact")] for k in range(2)}
    arts.update({f"real{k}": [(f"Tokyo defended proposal {k} firmly.", "japanese", "claim"),
                              (f"Moscow rejected proposal {k} again.", "russian", "claim"),
                              (f"Talks were held in city {k}.", "neutral", "fact")] for k in range(6)})
    rows, adir = write_corpus(tmp_path, arts)
    for r in rows:
        if r["doc_id"].startswith("real"):
            r["source"] = "real"
    data = tmp_path / "gold.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    split = tmp_path / "test.txt"
    split.write_text("# test articles\nreal4\nreal5\n")
    monkeypatch.setattr("pipeline.paths.ARTICLES", adir)
    import pipeline.annotation.validate as v
    monkeypatch.setattr(v, "validate_files", lambda files, *a, **k: [])  # articles dir is a fixture here
    monkeypatch.setattr("pipeline.paths.REPORTS", tmp_path / "reports")
    return rows, data, split


def test_evaluate_scores_the_test_split_apart_from_the_folds(tmp_path, tiny_encoder, monkeypatch):
    rows, data, split = _split_corpus(tmp_path, monkeypatch)
    cfg = TrainConfig(name="t", encoder=str(tiny_encoder), epochs=1, batch_size=4, data=[str(data)], eval_folds=3,
                      test_split=str(split))
    res = evaluate(cfg, tmp_path / "eval.json", baselines=("majority", "tfidf_logreg"), progress=False,
                   learning_curve=(0.0, 0.5, 1.0))
    cv_docs = {d for f in res["folds"] for d in f["test_docs"]}
    assert cv_docs == {"seed0", "seed1", "real0", "real1", "real2", "real3"}  # the test split never in a fold
    test = res["test"]
    assert {p["doc_id"] for p in test["predictions"]} == {"real4", "real5"}
    assert test["n_sentences"] == 6 and test["n_articles"] == 2
    assert test["n_train"] == len(rows) - 6
    assert set(test["systems"]) == {"finetuned", "majority", "tfidf_logreg", "labelling_job"}
    assert test["peers_unavailable"] == {}
    assert "ece_calibrated" in test["systems"]["finetuned"]["stance"]
    lc = res["learning_curve"]
    assert lc["fractions"] == [0.0, 0.5, 1.0] and lc["n_real_articles"] == [0, 2, 4]
    assert lc["n_train"][0] == 4 and lc["n_train"][-1] == test["n_train"]  # 0%: the seed sentences only
    assert lc["macro_f1"]["stance"][-1] == pytest.approx(test["systems"]["finetuned"]["stance"]["macro_f1_mean"])
    assert "| stance |" in summary_table(test)


def test_evaluate_without_cross_validation_reads_only_the_test_split(tmp_path, tiny_encoder, monkeypatch):
    _, data, split = _split_corpus(tmp_path, monkeypatch)
    cfg = TrainConfig(name="t", encoder=str(tiny_encoder), epochs=1, batch_size=4, data=[str(data)], test_split=str(split))
    res = evaluate(cfg, tmp_path / "eval.json", baselines=(), progress=False, cross_validation=False, learning_curve=())
    assert "systems" not in res and "learning_curve" not in res
    assert res["test"]["temperatures_from"].startswith("none")
    assert res["model"]["recorded"] is False
    no_test = evaluate(cfg, tmp_path / "cv.json", baselines=(), progress=False, test=False, n_folds=2)
    assert "test" not in no_test and no_test["n_folds"] == 2
    # --no-test (and every ablation variant) still holds the test split out of its folds
    assert not {d for f in no_test["folds"] for d in f["test_docs"]} & {"real4", "real5"}


def test_train_never_sees_the_test_split(tmp_path, tiny_encoder, monkeypatch):
    from pipeline.model import train

    rows, data, split = _split_corpus(tmp_path, monkeypatch)
    cfg = TrainConfig(name="t", encoder=str(tiny_encoder), epochs=1, batch_size=4, data=[str(data)], test_split=str(split))
    meta = json.loads((train(cfg, tmp_path / "m", progress=False) / "pipeline.json").read_text())
    assert meta["data"]["rows"] == len(rows) - 6
    assert meta["data"]["test_split"] == {"file": str(split), "articles": 2, "rows_held_out": 6}
    other = cfg.model_copy(update={"test_split": None})
    assert json.loads((train(other, tmp_path / "m2", progress=False) / "pipeline.json").read_text())["data"]["rows"] == len(rows)
    assert meta["data"]["sha256"] != json.loads((tmp_path / "m2" / "pipeline.json").read_text())["data"]["sha256"]


def test_a_missing_split_file_is_a_config_error(tmp_path, tiny_encoder, monkeypatch):
    from pipeline.config import ConfigError
    from pipeline.model import train

    _, data, _ = _split_corpus(tmp_path, monkeypatch)
    cfg = TrainConfig(name="t", encoder=str(tiny_encoder), epochs=1, data=[str(data)], test_split=str(tmp_path / "nope.txt"))
    with pytest.raises(ConfigError, match="nope.txt not found"):
        train(cfg, tmp_path / "m", progress=False)


def test_score_model_against_a_users_gold(tmp_path, tiny_model_dir, monkeypatch):
    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.evaluation.gold import score_model

    rows, data, _ = _split_corpus(tmp_path, monkeypatch)
    before = _model_files(tiny_model_dir)
    res = score_model(tiny_model_dir, [data], tmp_path / "gold.json")
    assert res["test"]["n_sentences"] == len(rows) and set(res["test"]["systems"]) == {"finetuned", "labelling_job"}
    assert res["model"]["recorded"] is False and _model_files(tiny_model_dir) == before
    job = [p["pred"]["labelling_job"] for p in res["test"]["predictions"]]
    assert all(j["stance"] == p["pred"]["finetuned"]["stance"] for j, p in zip(job, res["test"]["predictions"]))
    stance = res["test"]["systems"]["finetuned"]["stance"]
    gold = [r["stance"] for r in rows]
    pred = [p["pred"]["finetuned"]["stance"] for p in res["test"]["predictions"]]
    assert stance["accuracy_mean"] == pytest.approx(sum(g == p for g, p in zip(gold, pred)) / len(gold))
    out = CliRunner().invoke(app, ["evaluate", "--model", str(tiny_model_dir), "--gold", str(data), "--out", str(tmp_path / "g.json")])
    assert out.exit_code == 0, out.output
    assert "| stance |" in out.output and json.loads((tmp_path / "g.json").read_text())["test"]["n_sentences"] == len(rows)
    bad = CliRunner().invoke(app, ["evaluate", "--model", str(tiny_model_dir)])
    assert bad.exit_code == 2 and "--gold" in bad.output


def test_temperatures_fitted_on_new_gold_are_recorded_and_refused_on_training_data(tmp_path, tiny_model_dir, monkeypatch):
    """--fit-temperatures: fitted on gold the model never saw, kept per field only where held-out folds' ECE drops,
    written into the model folder (which the next scoring then uses); gold the model trained on is refused."""
    import shutil

    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.evaluation.gold import score_model
    from pipeline.model.folder import read_meta, write_meta

    rows, data, _ = _split_corpus(tmp_path, monkeypatch)
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    res = score_model(model, [data], tmp_path / "fit.json", fit_temperatures=True)
    fit = res["test"]["temperature_fit"]
    assert set(fit) == set(res["test"]["temperatures"]) and res["model"]["recorded"] is True
    for x in fit.values():
        assert x["applied"] == (x["temperature"] if x["ece_held_out_folds"] < x["ece"] else 1.0)
    meta = read_meta(model)
    assert meta["temperatures_from"].startswith("fitted on gold.jsonl (8 articles")
    assert meta["temperatures"] == {f: pytest.approx(x["applied"]) for f, x in fit.items()}
    again = score_model(model, [data], tmp_path / "again.json")
    assert again["test"]["temperatures_from"] == meta["temperatures_from"] and again["model"]["recorded"] is False
    meta.setdefault("data", {})["files"] = [str(data)]
    write_meta(model, meta)
    with pytest.raises(ValueError, match="trained on .*gold.jsonl"):
        score_model(model, [data], tmp_path / "no.json", fit_temperatures=True)
    bad = CliRunner().invoke(app, ["evaluate", "--fit-temperatures"])
    assert bad.exit_code == 2 and "--model and --gold" in bad.output


def test_evaluate_without_cv_uses_the_model_folders_fitted_temperatures(tmp_path, tiny_encoder, monkeypatch):
    from pipeline.model import train
    from pipeline.model.folder import record_temperatures

    _, data, split = _split_corpus(tmp_path, monkeypatch)
    cfg = TrainConfig(name="t", encoder=str(tiny_encoder), epochs=1, batch_size=4, data=[str(data)], test_split=str(split))
    model_dir = train(cfg, tmp_path / "model", progress=False)
    plain = evaluate(cfg, tmp_path / "p.json", baselines=(), progress=False, model_dir=model_dir, learning_curve=(),
                     cross_validation=False)["test"]
    assert plain["temperatures_from"] == "none (T = 1)" and set(plain["temperatures"].values()) == {1.0}
    record_temperatures(model_dir, {"stance": 2.5}, "fitted on new.jsonl")
    res = evaluate(cfg, tmp_path / "e.json", baselines=(), progress=False, model_dir=model_dir, learning_curve=(),
                   cross_validation=False)["test"]
    assert res["temperatures_from"] == "fitted on new.jsonl" and res["temperatures"]["stance"] == 2.5
    assert res["temperatures"]["claim"] == 1.0
    assert res["systems"]["finetuned"]["stance"]["macro_f1_mean"] == plain["systems"]["finetuned"]["stance"]["macro_f1_mean"]


def test_evaluate_scores_the_trained_model_folder_on_the_test_split(tmp_path, tiny_encoder, monkeypatch):
    """The model `train` wrote with this config on this data is the test-split model: evaluate scores it (no
    retraining) and records the test-split figures in its metrics and card."""
    from pipeline.model import train

    _, data, split = _split_corpus(tmp_path, monkeypatch)
    cfg = TrainConfig(name="t", encoder=str(tiny_encoder), epochs=1, batch_size=4, data=[str(data)], eval_folds=2,
                      test_split=str(split))
    model_dir = train(cfg, tmp_path / "model", progress=False)
    res = evaluate(cfg, tmp_path / "e.json", baselines=(), progress=False, model_dir=model_dir, learning_curve=())
    assert res["test"]["model"] == str(model_dir) and res["model"]["recorded"] is True
    metrics = json.loads((model_dir / "metrics.json").read_text())
    assert metrics["test_split"]["sentences"] == 6
    assert "The real test split (2 articles" in (model_dir / "README.md").read_text()
    other = evaluate(cfg.model_copy(update={"epochs": 2.0}), tmp_path / "o.json", baselines=(), progress=False,
                     model_dir=model_dir, learning_curve=(), cross_validation=False)
    assert other["test"]["model"] == "trained by this evaluation"


def test_a_test_peer_that_cannot_run_is_listed_with_its_reason(tmp_path, tiny_encoder, monkeypatch):
    import pipeline.evaluation.crossval as crossval

    _, data, split = _split_corpus(tmp_path, monkeypatch)
    monkeypatch.setattr(crossval, "peer_unavailable", lambda b: "extra 'peers' not installed" if b == "setfit" else None)
    cfg = TrainConfig(name="t", encoder=str(tiny_encoder), epochs=1, batch_size=4, data=[str(data)], eval_folds=2,
                      test_split=str(split))
    res = evaluate(cfg, tmp_path / "eval.json", baselines=("majority",), progress=False, cross_validation=False,
                   learning_curve=(), test_peers=("majority", "setfit"))
    assert res["test"]["peers_unavailable"] == {"setfit": "extra 'peers' not installed"}
    assert "setfit" not in res["test"]["systems"] and "majority" in res["test"]["systems"]
