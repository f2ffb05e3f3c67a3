"""Where the project keeps its data, found relative to the repository so every entry point agrees."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANNOTATIONS = ROOT / "annotations"
ARTICLES = ANNOTATIONS / "articles"
MANIFEST = ARTICLES / "manifest.jsonl"
SEED = ANNOTATIONS / "seed.jsonl"
WRITTEN = ANNOTATIONS / "written.jsonl"
REAL = ANNOTATIONS / "real.jsonl"
REAL_SECOND_PASS = ANNOTATIONS / "real_second_pass.jsonl"
#: The fixed real test split: doc_ids of whole real articles never trained on by the default model.
TEST_SPLIT = ANNOTATIONS / "splits" / "test.txt"
MODELS = ROOT / "models"
#: Generated reports: reports/<name>/evaluation.json from `stance evaluate`, rendered notebooks.
REPORTS = ROOT / "reports"
#: The five seed articles live beside the checkout; STANCE_SEEDS overrides.
SEEDS = Path(os.environ.get("STANCE_SEEDS", ROOT.parent / "shared" / "seeds"))
