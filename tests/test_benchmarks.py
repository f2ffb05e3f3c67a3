"""The labelling benchmark runs end to end on a small input (the tiny model), job row and article sizes included,
so CI (bin/test via .ci/run) executes it and it cannot rot."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tests._models import tiny_encoder, tiny_model_dir  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]


def test_label_throughput_benchmark_runs_on_a_small_input(tiny_model_dir, capsys):  # noqa: F811
    spec = importlib.util.spec_from_file_location("label_throughput", ROOT / "benchmarks" / "label_throughput.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.main(["--model", str(tiny_model_dir), "--sentences", "240", "--rounds", "1", "--skip-pipeline",
                       "--sizes", "1,50"]) == 0
    out = capsys.readouterr().out
    assert "job local" in out and "target job >= 85% of the labeller's sentences/s" in out
    assert "    1 KB" in out and "   50 KB" in out


def test_setfit_cost_holds_out_real_articles_outside_the_test_split():
    spec = importlib.util.spec_from_file_location("setfit_cost", ROOT / "benchmarks" / "setfit_cost.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    docs = [f"r{i}" for i in range(8) for _ in range(3)] + ["t0"] * 3 + ["w0"] * 3
    ds = {"doc_id": docs, "source": ["real"] * 24 + ["real"] * 3 + ["written"] * 3}
    train, held = bench.held_out_rows(ds, ["t0"], n_articles=3, seed=1)
    held_docs = {docs[i] for i in held}
    assert len(held_docs) == 3 and held_docs <= {f"r{i}" for i in range(8)}
    assert not {docs[i] for i in train} & held_docs and "t0" not in {docs[i] for i in train}
    assert {i for i in range(len(docs)) if docs[i] == "w0"} <= set(train.tolist())
    assert len(train) + len(held) == 27


def test_attribution_benchmark_rules_only_scores_the_seed_articles_without_an_encoder(monkeypatch, capsys):
    import sys

    spec = importlib.util.spec_from_file_location("attribution_bench", ROOT / "benchmarks" / "attribution.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(bench, "TokenEncoder", None)  # it must not be needed
    monkeypatch.setattr(sys, "argv", ["attribution.py", "--split", "seed", "--rules-only"])
    bench.main()
    rows = {line.split("  ")[0].strip(): line.split() for line in capsys.readouterr().out.splitlines()
            if line.startswith(("rules alone", "rules + resolution", "learned alone"))}
    assert set(rows) == {"rules alone", "rules + resolution"}
    name, side = float(rows["rules + resolution"][3]), float(rows["rules + resolution"][5])
    assert 0.5 < name <= 1 and 0.5 < side <= 1
