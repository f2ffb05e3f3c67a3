"""Reports: parameterised notebooks executed and rendered to HTML, and the tables and figures they show.
Needs the ``notebooks`` extra (papermill, nbconvert, pandas, matplotlib)."""

from .notebooks import ReportError, parse_parameter, render_report

__all__ = ["ReportError", "parse_parameter", "render_report"]
