"""The ablation table: each addition to the model measured on its own, by cross-validation over the real training
articles only (the test split is never read here).

Every variant is the evaluated config with one change (:data:`ABLATIONS`), cross-validated on the same article folds
as the config itself (the folds follow the config's seed, not the variant's), so differences are paired fold by fold.
Each variant's evaluation is written to ``reports/<name>/ablation/<variant>.json`` as soon as it finishes and reused
by a later run when its config and data are unchanged, so an interrupted ablation loses at most one variant.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from ..annotation.corpus import data_hash
from ..config import TrainConfig
from ..model.folder import FINETUNED
from .crossval import evaluate

#: name -> config changes of one variant. Each is one addition (or removal) on its own; ``seed_*`` re-run the
#: config itself with another training seed (same folds) to show the spread a seed alone makes.
ABLATIONS: dict[str, dict] = {
    "seed_14": {"seed": 14},
    "seed_15": {"seed": 15},
    "speaker_input": {"speaker_input": True},
    "context_next": {"context_next": True},
    "context_headline": {"context_headline": True},
    "no_context": {"use_context": False},
    "no_written": {"written_weight": 0.0},
    "written_half": {"written_weight": 0.5},
    "class_weighting_none": {"class_weighting": "none"},
    "class_weighting_balanced": {"class_weighting": "balanced"},
    "epochs_6": {"epochs": 6.0},
    "unfrozen": {"freeze_layers": 0},
}

BASE = "base"


def variant_config(config: TrainConfig, changes: Mapping) -> TrainConfig:
    """The config with one variant's changes; a change that is already the config's value toggles booleans off."""
    changes = {k: (not getattr(config, k) if isinstance(v, bool) and getattr(config, k) == v else v)
               for k, v in changes.items()}
    return TrainConfig.model_validate({**config.model_dump(), **changes})


def _reusable(path: Path, config: TrainConfig, digest: str, n_folds: int, fold_seed: int) -> dict | None:
    if not path.is_file():
        return None
    result = json.loads(path.read_text(encoding="utf-8"))
    wanted = config.model_copy(update={"eval_folds": n_folds}).model_dump()
    same = (result.get("config") == json.loads(json.dumps(wanted)) and result.get("data_sha256") == digest
            and result.get("fold_seed", config.seed) == fold_seed)
    return result if same and "systems" in result else None


def run_ablation(config: TrainConfig, variants: Sequence[str] | None = None, out_dir: Path | str | None = None,
                 n_folds: int | None = None, progress: bool = True, extra: Mapping[str, Mapping] | None = None) -> dict:
    """Cross-validate the config and each named variant (default: all of :data:`ABLATIONS`; ``extra`` adds variants
    such as another encoder) on the same folds; returns ``{"rows": {variant: {changes, metrics}}}`` and writes it to
    ``<out_dir>/ablation.json``."""
    table = {**ABLATIONS, **(extra or {})}
    names = list(variants) if variants is not None else list(table)
    unknown = [n for n in names if n not in table]
    if unknown:
        raise ValueError(f"unknown ablation variant(s) {unknown}; known: {sorted(table)}")
    out_dir = Path(out_dir) if out_dir is not None else config.evaluation_file().parent / "ablation"
    out_dir.mkdir(parents=True, exist_ok=True)
    n_folds = n_folds or config.eval_folds
    digest = data_hash(config.hashed_files())
    rows: dict = {}
    for name in [BASE, *names]:
        changes = {} if name == BASE else dict(table[name])
        cfg = config if name == BASE else variant_config(config, changes)
        path = out_dir / f"{name}.json"
        result = _reusable(path, cfg, digest, n_folds, config.seed)
        if result is None:
            if progress:
                print(f"ablation: {name} {changes or '(the config itself)'}", flush=True)
            result = evaluate(cfg, path, n_folds, baselines=(), progress=progress, command=f"ablation {name}",
                              test=False, learning_curve=(), fold_seed=config.seed, record=False)
        elif progress:
            print(f"ablation: {name} reused from {path}", flush=True)
        rows[name] = {"changes": {k: getattr(cfg, k) for k in changes}, "file": str(path),
                      "metrics": {f: {k: m[k] for k in ("macro_f1_mean", "macro_f1_std", "folds") if k in m}
                                  for f, m in result["systems"][FINETUNED].items()}}
    summary = {"config": config.model_dump(), "data_sha256": digest, "n_folds": n_folds, "rows": rows}
    (out_dir / "ablation.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def ablation_table(summary: dict) -> str:
    """Macro-F1 mean ± sd over folds per variant (rows) and field, with the change from the base config."""
    rows = summary["rows"]
    base = rows[BASE]["metrics"]
    fields = list(base)
    lines = ["| variant | change | " + " | ".join(fields) + " |", "|---|---|" + "---|" * len(fields)]
    for name, row in rows.items():
        change = ", ".join(f"{k}={v}" for k, v in row["changes"].items()) or "the config itself"
        cells = []
        for f in fields:
            m = row["metrics"][f]
            delta = "" if name == BASE else f" ({m['macro_f1_mean'] - base[f]['macro_f1_mean']:+.3f})"
            cells.append(f"{m['macro_f1_mean']:.3f} ± {m['macro_f1_std']:.3f}{delta}")
        lines.append(f"| {name} | {change} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def seed_spread(summary: dict, seeds: Sequence[str] = ("base", "seed_14", "seed_15")) -> dict[str, tuple[float, float]]:
    """Per field: (mean, sd) of the cross-validated macro-F1 over the training seeds present in the summary."""
    present = [s for s in seeds if s in summary["rows"]]
    fields = list(summary["rows"][BASE]["metrics"])
    return {f: (float(np.mean(v := [summary["rows"][s]["metrics"][f]["macro_f1_mean"] for s in present])),
                float(np.std(v, ddof=1)) if len(v) > 1 else 0.0) for f in fields}
