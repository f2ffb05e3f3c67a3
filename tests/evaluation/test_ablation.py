"""The ablation table: each variant is the config with one change, on the base config's folds, reused when unchanged."""

import json

import pytest

from pipeline.config import TrainConfig
from pipeline.evaluation import ablation
from pipeline.evaluation.ablation import ablation_table, run_ablation, seed_spread, variant_config


def test_variant_changes_one_thing_and_toggles_a_boolean_already_on():
    base = TrainConfig(speaker_input=True)
    assert variant_config(base, {"speaker_input": True}).speaker_input is False
    assert variant_config(base, {"context_next": True}).context_next is True
    assert variant_config(base, {"written_weight": 0.0}).model_dump() == {**base.model_dump(), "written_weight": 0.0}


def _fake_evaluate(calls):
    def fake(cfg, path, n_folds, baselines=(), progress=True, command="", test=True, learning_curve=(),
             fold_seed=None, record=True):
        calls.append((cfg.seed, cfg.written_weight, fold_seed, record, test))
        score = 0.5 + 0.1 * (cfg.written_weight == 0.0) + 0.01 * (cfg.seed - 13)
        m = {"macro_f1_mean": score, "macro_f1_std": 0.02, "folds": []}
        result = {"config": cfg.model_copy(update={"eval_folds": n_folds}).model_dump(), "fold_seed": fold_seed,
                  "data_sha256": "x", "systems": {"finetuned": {"stance": m}}}
        path.write_text(json.dumps(result))
        return result
    return fake


def test_ablation_runs_each_variant_on_the_base_folds_and_reuses_finished_ones(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(ablation, "evaluate", _fake_evaluate(calls))
    monkeypatch.setattr(ablation, "data_hash", lambda files: "x")
    cfg = TrainConfig(data=[], test_split="")
    summary = run_ablation(cfg, ["no_written", "seed_14"], tmp_path, n_folds=3, progress=False)
    assert [c[2] for c in calls] == [13, 13, 13] and not any(c[3] or c[4] for c in calls)  # same folds, no test
    assert summary["rows"]["no_written"]["changes"] == {"written_weight": 0.0}
    table = ablation_table(summary)
    assert "| no_written | written_weight=0.0 | 0.600 ± 0.020 (+0.100) |" in table
    assert seed_spread(summary)["stance"][0] == pytest.approx(0.505)
    run_ablation(cfg, ["no_written"], tmp_path, n_folds=3, progress=False)
    assert len(calls) == 3  # nothing re-run: config and data unchanged
    with pytest.raises(ValueError, match="unknown ablation variant"):
        run_ablation(cfg, ["no_such"], tmp_path, n_folds=3, progress=False)
