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
