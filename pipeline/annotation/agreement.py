"""Inter-annotator agreement between two labellings of the same sentences.

Per label field: raw agreement, Cohen's kappa and Krippendorff's alpha (nominal) over the ids both annotators
labelled; for the free-text speaker, exact-match agreement. Chance-corrected scores are ``nan`` where they
are undefined (both annotators used one and the same label), never an exception.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from ..schema import FIELDS, LABELS, Record


def _as_dict(record: Record | Mapping) -> Mapping:
    return record.model_dump() if isinstance(record, Record) else record


def _by_id(records: Iterable[Record | Mapping]) -> dict[str, Mapping]:
    return {r["id"]: r for r in map(_as_dict, records)}


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's kappa (sklearn), ``nan`` when there are no pairs or chance agreement is 1."""
    from sklearn.metrics import cohen_kappa_score

    if not a or len(set(a) | set(b)) < 2:
        return math.nan
    return float(cohen_kappa_score(a, b))


def krippendorff_alpha(a: Sequence[str], b: Sequence[str]) -> float:
    """Krippendorff's alpha, nominal, for two coders with no missing values; ``nan`` where undefined."""
    import krippendorff

    values = sorted(set(a) | set(b))
    if not a or len(values) < 2:
        return math.nan
    code = {v: i for i, v in enumerate(values)}
    data = np.array([[code[v] for v in a], [code[v] for v in b]], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def _pairs(a: dict[str, Mapping], b: dict[str, Mapping], ids: list[str], field: str) -> tuple[list, list]:
    pairs = [(a[i][field], b[i][field]) for i in ids if a[i].get(field) is not None and b[i].get(field) is not None]
    return [x for x, _ in pairs], [y for _, y in pairs]


def agreement(records_a: Iterable[Record | Mapping], records_b: Iterable[Record | Mapping],
              fields: Sequence[str] = FIELDS) -> dict:
    """Agreement of two annotators over the ids both labelled.

    Returns ``{"n_a", "n_b", "n_shared", "fields": {field: {"n", "agreement", "kappa", "alpha"}},
    "speaker": {"n", "agreement"}}``; a field's ``n`` counts the shared ids where both gave that field.
    """
    unknown = [f for f in fields if f not in LABELS]
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}; choose from {', '.join(FIELDS)}")
    a, b = _by_id(records_a), _by_id(records_b)
    shared = sorted(a.keys() & b.keys())
    out: dict = {"n_a": len(a), "n_b": len(b), "n_shared": len(shared), "fields": {}}
    for field in fields:
        x, y = _pairs(a, b, shared, field)
        out["fields"][field] = {
            "n": len(x),
            "agreement": float(np.mean([p == q for p, q in zip(x, y)])) if x else math.nan,
            "kappa": cohen_kappa(x, y),
            "alpha": krippendorff_alpha(x, y),
        }
    x, y = _pairs(a, b, shared, "speaker")
    out["speaker"] = {"n": len(x), "agreement": float(np.mean([p == q for p, q in zip(x, y)])) if x else math.nan}
    return out


def format_table(result: dict) -> str:
    """The agreement result as a fixed-width text table, one row per field and one for speaker."""

    def num(v: float) -> str:
        return f"{v:7.3f}" if not math.isnan(v) else f"{'nan':>7}"

    lines = [
        f"{result['n_shared']} shared ids ({result['n_a']} in A, {result['n_b']} in B)",
        f"{'field':<14}{'n':>6}{'agree':>8}{'kappa':>8}{'alpha':>8}",
    ]
    for field, m in result["fields"].items():
        lines.append(f"{field:<14}{m['n']:>6} {num(m['agreement'])} {num(m['kappa'])} {num(m['alpha'])}")
    s = result["speaker"]
    lines.append(f"{'speaker':<14}{s['n']:>6} {num(s['agreement'])} {'-':>7} {'-':>7}")
    return "\n".join(lines)
