"""Evaluation: grouped cross-validation of the fine-tuned model against baselines, calibration, attribution scores.

- :mod:`.crossval`: :func:`evaluate`, article-level folds over the seed articles
- :mod:`.baselines`: majority, TF-IDF + LR, frozen MiniLM + LR on the same folds
- :mod:`.calibration`: ECE, reliability bins, temperature scaling
"""

from .baselines import BASELINES
from .calibration import expected_calibration_error, fit_temperature, reliability_bins
from .crossval import evaluate, field_metrics, summary_table

__all__ = ["BASELINES", "evaluate", "expected_calibration_error", "field_metrics", "fit_temperature",
           "reliability_bins", "summary_table"]
