"""Plotting helpers for the report notebooks: every function builds and returns a matplotlib ``Figure``.

Figures are made with the object-oriented API on the Agg canvas (no pyplot state, no display needed), so
they render the same in a notebook kernel, in CI and in a script. :func:`show` puts one figure into a
notebook as exactly one PNG image, which is what the report tests count.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..evaluation.calibration import reliability_bins

#: One colour per system (and a fallback cycle for anything else).
SYSTEM_COLOURS = {"finetuned": "#1f77b4", "majority": "#bbbbbb", "tfidf_logreg": "#ff7f0e", "minilm_logreg": "#2ca02c",
                  "labelling_job": "#9467bd", "setfit": "#d62728"}
_CYCLE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def new_figure(nrows: int = 1, ncols: int = 1, width: float = 10.0, height: float = 4.0, **subplot_kw):
    """A Figure on an Agg canvas and its axes as a flat list."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    return fig, list(axes.ravel())


def grid(n: int, max_cols: int = 2) -> tuple[int, int]:
    cols = min(n, max_cols) or 1
    return math.ceil(n / cols) or 1, cols


def to_png(fig: Figure, dpi: int = 100) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def show(fig: Figure, dpi: int = 100) -> None:
    """Display a figure in the notebook as one PNG image."""
    from IPython.display import Image, display

    display(Image(data=to_png(fig, dpi=dpi), format="png"))


def _colour(name: str, i: int) -> str:
    return SYSTEM_COLOURS.get(name, _CYCLE[i % len(_CYCLE)])


# --- evaluation ---------------------------------------------------------------------------------------

def label_distribution(counts: Mapping, title: str = "Label distribution by source") -> Figure:
    """Grouped bars per field: ``counts[field]`` is a DataFrame (index label, one column per source)."""
    fields = list(counts)
    nrows, ncols = grid(len(fields))
    fig, axes = new_figure(nrows, ncols, width=12, height=3.2 * nrows)
    for ax, field in zip(axes, fields):
        table = counts[field]
        labels, sources = list(table.index), list(table.columns)
        x = np.arange(len(labels))
        width = 0.8 / max(len(sources), 1)
        for i, source in enumerate(sources):
            ax.bar(x + (i - (len(sources) - 1) / 2) * width, table[source].to_numpy(), width, label=str(source),
                   color=_CYCLE[i % len(_CYCLE)])
        ax.set_xticks(x, labels, rotation=30, ha="right")
        ax.set_title(field)
        ax.set_ylabel("sentences")
        ax.legend(fontsize=8)
    for ax in axes[len(fields):]:
        ax.set_visible(False)
    fig.suptitle(title)
    return fig


def confusion_heatmaps(confusions: Mapping[str, Mapping], title: str = "Confusion matrices") -> Figure:
    """One heatmap per field from ``{"labels": [...], "matrix": [[int]]}``: colour = row share, text = count."""
    fields = list(confusions)
    nrows, ncols = grid(len(fields))
    fig, axes = new_figure(nrows, ncols, width=12, height=5.2 * nrows)
    for ax, field in zip(axes, fields):
        labels = list(confusions[field]["labels"])
        m = np.asarray(confusions[field]["matrix"], dtype=float).reshape(len(labels), len(labels))
        rows = m.sum(axis=1, keepdims=True)
        share = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
        ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
        for i in range(len(labels)):
            for j in range(len(labels)):
                if m[i, j]:
                    ax.text(j, i, f"{int(m[i, j])}", ha="center", va="center", fontsize=8,
                            color="white" if share[i, j] > 0.5 else "black")
        ax.set_xticks(range(len(labels)), labels, rotation=40, ha="right", fontsize=8)
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        ax.set_title(field)
    for ax in axes[len(fields):]:
        ax.set_visible(False)
    fig.suptitle(title + " (colour: share of the gold row; numbers: sentences)")
    return fig


def fold_comparison(scores: Mapping[str, Mapping[str, Sequence[float]]], metric: str = "macro-F1",
                    title: str | None = None) -> Figure:
    """Grouped bars: ``scores[system][field]`` are per-fold values; bar = mean, error bar = sd, dots = folds."""
    systems = list(scores)
    fields = list(dict.fromkeys(f for s in systems for f in scores[s]))
    fig, (ax,) = new_figure(width=max(8, 2.2 * len(fields) + 2), height=4.5)
    x = np.arange(len(fields))
    width = 0.8 / max(len(systems), 1)
    for i, system in enumerate(systems):
        offset = (i - (len(systems) - 1) / 2) * width
        means, sds = [], []
        for j, field in enumerate(fields):
            vals = np.asarray(scores[system].get(field, []), dtype=float)
            means.append(vals.mean() if vals.size else np.nan)
            sds.append(vals.std(ddof=0) if vals.size else np.nan)
            if vals.size:
                ax.scatter(np.full(vals.size, x[j] + offset), vals, s=10, color="black", zorder=3, alpha=0.6)
        ax.bar(x + offset, means, width, yerr=sds, capsize=3, label=system, color=_colour(system, i))
    ax.set_xticks(x, fields)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(f"{metric} (mean ± sd over folds; dots: folds)")
    ax.legend(fontsize=8, ncols=min(len(systems), 4), loc="upper right")
    ax.set_title(title or f"Fine-tuned model against the baselines: {metric}")
    return fig


def reliability_diagram(data: Mapping[str, tuple[Sequence[float], Sequence[bool]]], n_bins: int = 10,
                        title: str = "Reliability diagram") -> Figure:
    """One panel per field from (confidence, correct): accuracy per confidence bin against the diagonal."""
    fields = list(data)
    nrows, ncols = grid(len(fields), max_cols=4)
    fig, axes = new_figure(nrows, ncols, width=3.4 * ncols, height=3.6 * nrows)
    for ax, field in zip(axes, fields):
        conf, ok = data[field]
        rows, ece = reliability_bins(conf, ok, n_bins)
        centres = [(lo + hi) / 2 for lo, hi, *_ in rows]
        acc = [r[4] if r[2] else 0.0 for r in rows]
        counts = np.array([r[2] for r in rows], dtype=float)
        ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1)
        ax.bar(centres, acc, width=1 / n_bins, edgecolor="black", color="#1f77b4", alpha=0.8, label="accuracy")
        if counts.sum():
            ax.bar(centres, counts / counts.sum(), width=1 / n_bins * 0.4, color="#ff7f0e", alpha=0.7,
                   label="share of sentences")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("confidence")
        ax.set_ylabel("accuracy")
        ax.set_title(f"{field}: ECE {ece:.3f}")
        ax.legend(fontsize=7, loc="lower right")
    for ax in axes[len(fields):]:
        ax.set_visible(False)
    fig.suptitle(title)
    return fig


# --- batch review -------------------------------------------------------------------------------------

def stacked_bars(table, title: str, ylabel: str = "sentences", horizontal: bool = False) -> Figure:
    """Stacked bars from a DataFrame: one bar per index value, one segment per column."""
    n = len(table.index)
    if horizontal:
        fig, (ax,) = new_figure(width=10, height=max(2.5, 0.35 * n + 1.5))
    else:
        fig, (ax,) = new_figure(width=max(6, 0.6 * n + 3), height=4.2)
    bottom = np.zeros(n)
    pos = np.arange(n)
    for i, col in enumerate(table.columns):
        vals = table[col].to_numpy(dtype=float)
        if horizontal:
            ax.barh(pos, vals, left=bottom, label=str(col), color=_CYCLE[i % len(_CYCLE)])
        else:
            ax.bar(pos, vals, bottom=bottom, label=str(col), color=_CYCLE[i % len(_CYCLE)])
        bottom += vals
    labels = [str(v) for v in table.index]
    if horizontal:
        ax.set_yticks(pos, labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(ylabel)
    else:
        ax.set_xticks(pos, labels, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, bbox_to_anchor=(1.01, 1), loc="upper left")
    ax.set_title(title)
    return fig


def histogram(values: Sequence[float], title: str, xlabel: str, bins: int = 20, marker: float | None = None) -> Figure:
    fig, (ax,) = new_figure(width=8, height=3.5)
    vals = np.asarray(values, dtype=float)
    vals = vals[~np.isnan(vals)]
    ax.hist(vals, bins=bins, range=(0, 1), color="#1f77b4", edgecolor="black")
    if marker is not None:
        ax.axvline(marker, color="#d62728", ls="--", label=f"review threshold {marker:.2f}")
        ax.legend(fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("sentences")
    ax.set_title(title)
    return fig


def learning_curve(curve: Mapping, title: str = "Learning curve on the real test split") -> Figure:
    """Test-split macro-F1 per field against the share of real training articles (``evaluate``'s learning curve)."""
    fig, (ax,) = new_figure(width=8.0, height=4.0)
    x = [100 * f for f in curve.get("fractions", [])]
    for i, (field, scores) in enumerate((curve.get("macro_f1") or {}).items()):
        ax.plot(x, scores, marker="o", color=_colour(field, i), label=field)
    labels = [f"{p:.0f}%\n({k})" for p, k in zip(x, curve.get("n_real_articles", []))]
    ax.set_xticks(x, labels)
    ax.set_xlabel("share of the real training articles (articles), seed and written sentences always in")
    ax.set_ylabel("macro-F1")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title(title)
    return fig
