"""Corpus statistics: counts per source, side, genre and outlet, and labels with the test split's share."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pipeline.annotation.corpus import read_records
from pipeline.annotation.stats import corpus_stats
from pipeline.cli import app


def test_counts_per_source_side_genre_and_labels(corpus):
    manifest = corpus.articles_dir / "manifest.jsonl"
    rows = [json.loads(line) for line in manifest.read_text().splitlines()]
    rows[0].update(side="japanese", genre="wire", outlet="Kyodo")
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows))
    records = read_records(corpus.seed)
    text = corpus_stats(records, manifest, test_docs=[rows[0]["doc_id"]])
    n_first = sum(1 for r in records if r.doc_id == rows[0]["doc_id"])
    assert f"| seed (test split) | 1 | {n_first} |" in text
    assert f"| japanese | 1 | {n_first} |" in text and f"| Kyodo | 1 | {n_first} |" in text
    n_claim = sum(1 for r in records if r.claim == "claim")
    n_claim_test = sum(1 for r in records if r.claim == "claim" and r.doc_id == rows[0]["doc_id"])
    assert f"claim {n_claim} ({n_claim_test})" in text


def test_cli_corpus_stats_on_the_shipped_corpus():
    out = CliRunner().invoke(app, ["corpus-stats"])
    assert out.exit_code == 0 and "| real (test split) |" in out.output and "| us |" in out.output
