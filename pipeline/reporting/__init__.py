"""Reports: parameterised notebooks executed and rendered to HTML, and the tables and figures they show.
Needs the ``notebooks`` extra (papermill, nbconvert, pandas, matplotlib).

- :mod:`.render`: :func:`render_report` (papermill + nbconvert)
- :mod:`.evaluation`: the tables of ``notebooks/evaluation.ipynb``
- :mod:`.batch_review`: the tables of ``notebooks/batch-review.ipynb`` and its Label Studio review tasks
- :mod:`.figures`: the figures of both
- :mod:`.tables`: what they share
"""

from .render import ReportError, parse_parameter, render_report

__all__ = ["ReportError", "parse_parameter", "render_report"]
