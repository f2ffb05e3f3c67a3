"""Shared fixtures: valid records and a tiny corpus on disk (articles, manifest, seed and written files).

Keep fixtures here small and generic; topic-specific fixtures belong in their own test module.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline.jsonl import write_jsonl
from pipeline.schema import make_id
from tests._models import tiny_encoder, tiny_model_dir  # noqa: F401  (model fixtures for every test module)

#: Labels cycled over the tiny corpus so every field sees several values.
_LABELS = [
    ("author", "none", "neutral", "fact", "diplomacy"),
    ("Sergey Lavrov", "russian", "russian", "claim", "territory"),
    ("Itsunori Onodera", "japanese", "japanese", "claim", "missile_defense"),
    ("a U.S. official", "us", "us", "claim", "military"),
    ("author", "none", "japanese", "claim", "north_korea"),
]


def record(doc_id: str, index: int, text: str, start: int, source: str = "seed", **labels) -> dict:
    """A valid record dict; ``labels`` override the default (author/none/neutral/fact/other) labels."""
    rec = {"id": make_id(doc_id, index), "doc_id": doc_id, "text": text, "start": start, "end": start + len(text),
           "speaker": "author", "speaker_side": "none", "stance": "neutral", "claim": "fact", "topic": "other",
           "source": source}
    rec.update(labels)
    return rec


def _labelled(i: int) -> dict:
    speaker, side, stance, claim, topic = _LABELS[i % len(_LABELS)]
    return {"speaker": speaker, "speaker_side": side, "stance": stance, "claim": claim, "topic": topic}


def article_records(doc_id: str, paragraphs: list[list[str]]) -> tuple[str, list[dict]]:
    """An article text (paragraphs separated by a blank line) and one labelled seed record per sentence."""
    text = "\n\n".join(" ".join(p) for p in paragraphs) + "\n"
    records, cursor = [], 0
    for sentence in (s for p in paragraphs for s in p):
        start = text.index(sentence, cursor)
        records.append(record(doc_id, len(records), sentence, start, **_labelled(len(records))))
        cursor = start + len(sentence)
    return text, records


def written_records(doc_id: str, sentences: list[str], offset: int = 0) -> list[dict]:
    """Records of one written mini-article: offsets into its sentences joined by one space."""
    out, cursor = [], 0
    for i, s in enumerate(sentences):
        out.append(record(doc_id, i, s, cursor, source="written", **_labelled(i + offset)))
        cursor += len(s) + 1
    return out


ARTICLES = {
    "paper-2018-01": [
        ["Japan and Russia hold talks"],
        ["The foreign ministers met in Moscow on Tuesday.", "Lavrov said the islands became Russian after the war."],
        ["Onodera said the Aegis Ashore system is purely defensive.", "A U.S. official said the alliance is firm."],
    ],
    "paper-2018-02": [
        ["Missile plan draws concern"],
        ["Russia has voiced concern over the radar sites.", "Tokyo says the plan targets North Korean launches."],
    ],
    "paper-2018-03": [
        ["Islands see new deployments", "Photo: Reuters"],
        ["Moscow deployed coastal missile systems on two islands last year.", "Japan lodged a protest."],
    ],
}

WRITTEN = {
    "written-a-001": ["Officials from both countries met in Sapporo.", "They agreed to keep talking about fishing rights.",
                      "A Foreign Ministry spokeswoman called the meeting useful."],
    "written-b-001": ["Seoul said it was watching the patrols closely.", "Analysts expect further drills this summer."],
}


@pytest.fixture
def corpus(tmp_path: Path) -> SimpleNamespace:
    """A clean tiny corpus: ``articles_dir`` (texts + manifest), ``seed`` and ``written`` files and their records."""
    articles_dir = tmp_path / "articles"
    articles_dir.mkdir()
    seed_records, texts = [], {}
    for doc_id, paragraphs in ARTICLES.items():
        texts[doc_id], recs = article_records(doc_id, paragraphs)
        (articles_dir / f"{doc_id}.txt").write_text(texts[doc_id], encoding="utf-8")
        seed_records += recs
    (articles_dir / "manifest.jsonl").write_text(
        "".join(json.dumps({"doc_id": d, "seed_file": f"{d}.raw"}) + "\n" for d in ARTICLES), encoding="utf-8")
    written = [r for i, (doc, sents) in enumerate(WRITTEN.items()) for r in written_records(doc, sents, offset=i)]
    write_jsonl(tmp_path / "seed.jsonl", seed_records)
    write_jsonl(tmp_path / "written.jsonl", written)
    return SimpleNamespace(root=tmp_path, articles_dir=articles_dir, articles=texts, seed=tmp_path / "seed.jsonl",
                           written=tmp_path / "written.jsonl", seed_records=seed_records, written_records=written)


@pytest.fixture
def write_lines(tmp_path: Path):
    """Write a file of lines (dicts become JSON, str/bytes go in as they are); returns its path."""

    def write(name: str, lines: list) -> Path:
        path = tmp_path / name
        data = b"".join((json.dumps(x).encode() if isinstance(x, dict) else x.encode() if isinstance(x, str) else x)
                        + b"\n" for x in lines)
        path.write_bytes(data)
        return path

    return write
