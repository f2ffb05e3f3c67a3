"""What the report notebooks share: paths given as parameters, and tables as DataFrames."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .. import paths


def resolve(path: Path | str) -> Path:
    """A path as given if it exists (relative to the current directory), else under the repository root."""
    p = Path(path).expanduser()
    if p.is_absolute() or p.exists():
        return p
    return paths.ROOT / p if (paths.ROOT / p).exists() else p


def as_paths(value: str | Sequence[str] | None) -> list[Path]:
    """A list parameter from a list, or a comma-separated string ('' or None -> [])."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [resolve(str(v).strip()) for v in items if str(v).strip()]


def frame(rows: list[dict], index: str | None = None):
    import pandas as pd

    df = pd.DataFrame(rows)
    return df.set_index(index) if index and not df.empty else df


def ranked(df):
    """Index 1..n named 'rank' (for tables sorted worst first)."""
    df = df.reset_index(drop=True)
    df.index = df.index + 1
    df.index.name = "rank"
    return df
