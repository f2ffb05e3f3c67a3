"""Fuzzing the labelling job: hundreds of generated malformed inputs, none of which may crash it or go missing.

Each input is a file (or a JSONL line / CSV row): random bytes, truncated UTF-8, mixed encodings, NUL bytes, giant
lines, deeply nested or huge JSON, HTML without a body, empty articles, unsupported and compressed files, a 50 MB
file, an unreadable file, symlink loops, and good articles in legacy encodings among them. The job must finish,
account for every input (labelled + failed == inputs found), write valid output, and label nothing twice on a rerun.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import time
from collections import Counter
from pathlib import Path

from pipeline.labelling import label_paths
from pipeline.labelling.job import reason_kind
from pipeline.schema import LABELS
from tests._models import tiny_encoder, tiny_model_dir  # noqa: F401

SENTENCES = ["Russia said the islands became Russian after the war.", "Japan lodged a protest on Tuesday.",
             "Onodera said the Aegis Ashore system is purely defensive.", "“We will keep talking,” Abe’s aide said.",
             "A U.S. official said the alliance covers the islands.", "Moscow deployed coastal missiles in 2016."]
MAX_BYTES = 1 << 20


def _text(rng: random.Random, n: int = 4) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(n))


def _line_bytes(rng: random.Random, n: int) -> bytes:
    """Random bytes for one JSONL line: no newline, no NUL (which would make the whole file binary), not blank."""
    return b"x" + bytes(b for b in rng.randbytes(n) if b not in (0, 10))


def make_fuzz_inputs(root: Path, seed: int = 13) -> int:
    """Write the generated inputs under ``root``; returns how many inputs (files, JSONL lines, CSV rows) there are."""
    rng = random.Random(seed)
    root.mkdir(parents=True)
    n = 0

    def put(name: str, data: bytes) -> None:
        nonlocal n
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        n += 1

    for i in range(50):
        put(f"random/random-{i}.txt", rng.randbytes(rng.randint(1, 3000)))
    for i in range(50):
        data = (_text(rng) + " Née à Москва.").encode("utf-8")
        put(f"truncated/truncated-{i}.txt", data[: len(data) - rng.randint(1, 8)])
    for i in range(40):
        put(f"mixed/mixed-{i}.txt", _text(rng).encode() + " Café, “quoted”.".encode("cp1252") + "Straße".encode())
    for i in range(30):
        data = bytearray(_text(rng).encode())
        data.insert(rng.randrange(len(data)), 0)
        put(f"nul/nul-{i}.txt", bytes(data))
    for i in range(5):
        put(f"giant/giant-{i}.txt", " ".join(rng.choice(SENTENCES)[:-1] for _ in range(2000)).encode())  # a 100 kB line
    for i in range(30):
        put(f"html/nobody-{i}.html", rng.choice([b"<html><head><title>x</title></head></html>", b"<html></html>",
                                                 b"<html><body></body></html>", b"<<<>>>", b"<html><body><img>"]))
    for i in range(20):
        put(f"html/good-{i}.html", f"<html><body><article><p>{_text(rng, 6)}</p><p>{_text(rng, 6)}</p></article>"
                                   "</body></html>".encode())
    for i in range(30):
        put(f"empty/empty-{i}.txt", rng.choice([b"", b"   \n\n\t", b"Print Print\nAdvertisement\n", b"\xef\xbb\xbf"]))
    for i in range(40):
        enc = rng.choice(["cp1252", "latin-1", "utf-16", "utf-32", "utf-8"])
        text = _text(rng).replace("“", '"').replace("”", '"').replace("’", "'") if enc == "latin-1" else _text(rng)
        put(f"legacy/legacy-{i}.txt", (text + " Über die Inseln.").encode(enc))
    for i, ext in enumerate([".pdf", ".docx", ".png", ".jpg", ".zip", ".tar.gz", ".pdf.gz", ".xml", ".md", ""] * 3):
        put(f"unsupported/unsupported-{i}{ext}", rng.randbytes(100))
    for i in range(20):
        data = _text(rng).encode()
        put(f"gz/gz-{i}.txt.gz", gzip.compress(data) if i % 2 else gzip.compress(data)[: rng.randint(2, 20)])
    for f in range(8):  # JSONL feeds: every line an input
        lines = []
        for j in range(20):
            kind = rng.randrange(8)
            if kind == 0:
                lines.append(json.dumps({"id": f"feed{f}-{j}", "text": _text(rng), "url": "https://www.nhk.or.jp/a"}))
            elif kind == 1:
                lines.append(json.dumps({"doc_id": f"feed{f}-d{j}", "text": _text(rng)}))
            elif kind == 2:
                lines.append("[" * rng.randint(1000, 100_000) + "]" * rng.randint(0, 10))
            elif kind == 3:
                lines.append(json.dumps({"id": f"huge{f}-{j}", "text": "x" * (MAX_BYTES + 10)}))
            elif kind == 4:
                lines.append(_line_bytes(rng, 300).decode("latin-1"))
            elif kind == 5:
                lines.append(json.dumps({"id": {"nested": [1, 2]}, "text": 3}))
            elif kind == 6:
                lines.append(json.dumps({"id": f"e{f}-{j}", "text": "   "}))
            else:
                lines.append(json.dumps({"id": f"feed{f}-{j}", "text": _text(rng)})[: rng.randint(1, 40)])
        (root / "feeds").mkdir(exist_ok=True)
        (root / "feeds" / f"{f}.jsonl").write_bytes("\n".join(lines).encode("latin-1") + b"\n")
        n += len(lines)
    rows = ["id,text,url"] + [f"row{j},{_text(rng)},https://kyodonews.net/{j}" for j in range(10)] + [",no id,"]
    (root / "feeds" / "table.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    n += 11
    with open(root / "fifty-mb.txt", "wb") as f:  # sparse: rejected by its size before a byte is read
        f.truncate(50 * 1024 * 1024)
    n += 1
    put("dup/legacy-0.txt", b"Russia said so.")  # the doc_id of legacy/legacy-0.txt again
    put("locked.txt", _text(rng).encode())
    os.chmod(root / "locked.txt", 0)
    (root / "loop").symlink_to(root)  # a folder symlink loop
    (root / "self.txt").symlink_to(root / "self.txt")  # a file symlink loop
    n += 2
    return n


def test_hundreds_of_malformed_inputs_are_all_accounted_for_and_a_rerun_labels_nothing_twice(
        tiny_model_dir, tmp_path):  # noqa: F811
    expected = make_fuzz_inputs(tmp_path / "in")
    assert expected >= 500
    started = time.perf_counter()
    out = tmp_path / "job"
    first = label_paths([tmp_path / "in"], out, model_dir=tiny_model_dir, progress=False, max_bytes=MAX_BYTES)
    elapsed = time.perf_counter() - started
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    counts = Counter(reason_kind(e["reason"]) for e in errors)
    print(f"\nfuzz: {expected} inputs, {first.done} labelled, {first.failed} failed in {elapsed:.1f} s: "
          + ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    assert first.inputs == expected and first.done + first.failed == expected and first.skipped == 0
    assert len(errors) == first.failed and all(e["reason"] and e["source"] for e in errors)
    assert dict(counts) == first.failures
    assert first.done >= 100  # the good articles among them (legacy encodings included) were labelled
    records = [json.loads(line) for line in (out / "labels.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len({r["id"] for r in records}) == len(records) == first.sentences
    assert len({r["doc_id"] for r in records}) == first.done
    for r in records:
        assert all(r[f] in labels for f, labels in LABELS.items()) and r["text"].strip()
    assert elapsed < 120

    before = (out / "labels.jsonl").read_bytes()
    again = label_paths([tmp_path / "in"], out, model_dir=tiny_model_dir, progress=False, max_bytes=MAX_BYTES)
    assert (again.done, again.skipped, again.failed, again.inputs) == (0, first.done, first.failed, expected)
    assert (out / "labels.jsonl").read_bytes() == before
