"""The article store: cleaned article texts under annotations/articles/ and their manifest.

``prepare_articles`` rebuilds the cleaned texts from the raw seed files named in the manifest, so the
corpus can be regenerated (and checked) from ``../shared/seeds`` at any time.
"""

from __future__ import annotations

import json
from pathlib import Path

from .. import paths
from .clean import clean_text


def read_manifest(path: Path = paths.MANIFEST) -> list[dict]:
    """The manifest rows (doc_id, seed_file, outlet, title, date, ...) in file order."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def article_path(doc_id: str, articles_dir: Path = paths.ARTICLES) -> Path:
    return Path(articles_dir) / f"{doc_id}.txt"


def load_articles(articles_dir: Path = paths.ARTICLES) -> dict[str, str]:
    """doc_id -> cleaned text for every article in the manifest."""
    rows = read_manifest(Path(articles_dir) / "manifest.jsonl")
    return {r["doc_id"]: article_path(r["doc_id"], articles_dir).read_text(encoding="utf-8") for r in rows}


def prepare_articles(seeds_dir: Path = paths.SEEDS, articles_dir: Path = paths.ARTICLES) -> list[Path]:
    """Clean every seed file named in the manifest and write it as ``<doc_id>.txt``; returns the paths."""
    written = []
    for row in read_manifest(Path(articles_dir) / "manifest.jsonl"):
        raw = (Path(seeds_dir) / row["seed_file"]).read_text(encoding="utf-8")
        out = article_path(row["doc_id"], articles_dir)
        out.write_text(clean_text(raw), encoding="utf-8")
        written.append(out)
    return written
