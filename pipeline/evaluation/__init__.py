"""Evaluation: grouped cross-validation of the fine-tuned model against baselines, calibration, attribution scores.

- :mod:`.crossval`: :func:`evaluate`, article-level folds over the seed articles
- :mod:`.baselines`: majority, TF-IDF + LR, frozen MiniLM + LR on the same folds
- :mod:`.calibration`: ECE, reliability bins, temperature scaling
- :mod:`.attribution`: speaker-name and side accuracy of the attribution rules against gold records
"""

from .attribution import evaluate_attribution, same_speaker
from .baselines import BASELINES
from .calibration import expected_calibration_error, fit_temperature, reliability_bins
from .crossval import evaluate, field_metrics, summary_table

__all__ = ["BASELINES", "evaluate", "evaluate_attribution", "expected_calibration_error", "field_metrics", "fit_temperature",
           "reliability_bins", "same_speaker", "summary_table"]
