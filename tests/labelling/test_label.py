"""The labelling job: records, bad inputs, output formats, int8, resumption after a crash or a kill."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest

from pipeline.labelling import job as label_mod
from pipeline.text.clean import clean_text
from pipeline.labelling import JobError, Labeller, Summary, iter_records, label_paths
from pipeline.schema import LABELS
from tests._models import tiny_encoder, tiny_model_dir  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]

ARTICLES = {
    "asahi": "Russian concerns cast shadow over talks\n\nRussia has shown great concern about the Aegis Ashore plan. "
             "Referring to the system, Gerasimov said, \"The equipment will be under U.S. control.\nThat is why we "
             "are concerned.\"\nThe meeting lasted two hours.\nPrint Print\n",
    "kyodo": "MOSCOW (Kyodo) -- Russia complained Tuesday about Japan's missile defense plan. The ministers agreed "
             "to hold annual talks. Japanese officials said the system was purely defensive.\n",
    "stratfor": "What Happened\nJapan and Russia held their third 2+2 meeting on Aug. 1 in Moscow. Russian officials "
                "said the deployment threatened their deterrent. Tokyo rejected that view, saying the system "
                "targets North Korea.\n",
}
JSONL = [
    {"id": "wire-1", "text": "Tokyo is hopeful that the talks will continue. The next round is set for May.",
     "url": "https://example.org/1", "outlet": "Wire", "date": "2018-07-31"},
    {"id": "wire-2", "text": "According to Russian media, new missiles were deployed on the islands.",
     "url": "https://example.org/2", "outlet": "Wire", "date": "2018-08-01"},
    {"id": "wire-3", "text": "A U.S. official said the alliance covers the islands. What comes next?",
     "outlet": "Wire"},
]
#: Legacy encodings that read as articles (decoded, their encoding recorded).
LEGACY = {"latin1": ("Verhandlungen über die Inseln wurden in Moskau fortgesetzt.", "latin-1", "cp1252"),
          "utf16": ("Russia said the deployment threatens its security.", "utf-16", "utf-16")}
TOTAL_GOOD = len(ARTICLES) + len(JSONL) + len(LEGACY)


def make_inputs(folder: Path, bad: bool = True) -> Path:
    """A folder of good articles (txt, html-free jsonl) and, with ``bad``, one input of each bad kind."""
    (folder / "wire").mkdir(parents=True)
    for doc_id, text in ARTICLES.items():
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    lines = [json.dumps(a) for a in JSONL]
    if bad:
        lines.insert(1, '{"id": "broken", "text": ')  # malformed JSON line
        (folder / "odd.txt").write_bytes(b"\xff\xfeR\x00u\x00s")  # a UTF-16 BOM, then an odd byte count
        (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
        (folder / "empty.txt").write_bytes(b"")
        (folder / "huge.txt").write_text("Russia said so. " * 400, encoding="utf-8")  # over the test's 4 kB limit
        (folder / "furniture.txt").write_text("Print Print\nShare this article\nAdvertisement\n", encoding="utf-8")
    for doc_id, (text, encoding, _) in LEGACY.items():
        (folder / f"{doc_id}.txt").write_bytes(text.encode(encoding))
    (folder / "wire" / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def run(inputs, out, model, **kw) -> Summary:
    kw.setdefault("progress", False)
    kw.setdefault("max_bytes", 4096)
    return label_paths([inputs], out, model_dir=model, **kw)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def reference(tmp_path_factory, tiny_model_dir):  # noqa: F811
    """One uninterrupted run over the good and bad inputs: (inputs folder, job folder, summary)."""
    inputs = make_inputs(tmp_path_factory.mktemp("inputs"))
    out = tmp_path_factory.mktemp("reference")
    return inputs, out, run(inputs, out, tiny_model_dir)


def assert_same_records(a: list[dict], b: list[dict]) -> None:
    """Same sentences with the same labels; probabilities equal up to float noise from different batching."""
    assert [r["id"] for r in a] == [r["id"] for r in b]
    for x, y in zip(a, b):
        assert {k: v for k, v in x.items() if k != "probs"} == {k: v for k, v in y.items() if k != "probs"}
        for f, probs in x["probs"].items():
            assert probs == pytest.approx(y["probs"][f], abs=1e-4)


def test_records_carry_labels_probabilities_offsets_model_and_metadata(reference):
    inputs, out, summary = reference
    records = read_jsonl(out / "labels.jsonl")
    assert summary.done == TOTAL_GOOD and summary.output == out / "labels.jsonl"
    assert len({r["id"] for r in records}) == len(records) == summary.sentences
    model_id = json.loads((out / "labels.jsonl").read_text().splitlines()[0])["model_id"]
    assert model_id.startswith("tiny@")
    for r in records:
        for field, labels in LABELS.items():
            assert r[field] in labels
            assert set(r["probs"][field]) == set(labels)
            assert sum(r["probs"][field].values()) == pytest.approx(1.0, abs=1e-4)
        assert r["speaker"] and r["speaker_source"] in ("attribution", "attribution+classifier", "classifier", "default")
        assert (r["speaker"] == "author") == (r["speaker_side"] == "none")
        assert r["id"] == f"{r['doc_id']}:{r['index']:04d}" and r["model_id"] == model_id
    by_doc = {}
    for r in records:
        by_doc.setdefault(r["doc_id"], []).append(r)
    for doc_id, raw in ARTICLES.items():  # offsets index the cleaned text, as in the corpus
        cleaned = clean_text(raw)
        assert [r["index"] for r in by_doc[doc_id]] == list(range(len(by_doc[doc_id])))
        assert all(cleaned[r["start"]:r["end"]] == r["text"] for r in by_doc[doc_id])
        assert all(r["meta"] == {"source": str(inputs / f"{doc_id}.txt"), "encoding": "utf-8"} for r in by_doc[doc_id])
    for doc_id, (text, _, encoding) in LEGACY.items():
        assert [r["text"] for r in by_doc[doc_id]] == [text] and by_doc[doc_id][0]["meta"]["encoding"] == encoding
    assert not any("Print" in r["text"] for r in records)  # page furniture cleaned away
    assert by_doc["wire-1"][0]["meta"] == {"url": "https://example.org/1", "outlet": "Wire", "date": "2018-07-31",
                                           "source": f"{inputs / 'wire' / 'batch.jsonl'}:1", "encoding": "utf-8"}


def test_attribution_names_speakers_and_quote_continuations(reference):
    _, out, _ = reference
    rec = {r["text"]: r for r in read_jsonl(out / "labels.jsonl")}
    quote = rec['Referring to the system, Gerasimov said, "The equipment will be under U.S. control.']
    cont = next(r for t, r in rec.items() if t.startswith("That is why we are concerned."))
    for r in (quote, cont):  # the article never gives his full name: written as it names him (GUIDELINES §2)
        assert (r["speaker"], r["speaker_side"], r["speaker_source"]) == ("Gerasimov", "russian", "attribution")
    media = rec["According to Russian media, new missiles were deployed on the islands."]
    assert (media["speaker"], media["speaker_side"]) == ("Russian media", "russian")
    for r in rec.values():
        if r["speaker_source"] == "classifier":
            assert r["speaker"] == ("author" if r["speaker_side"] == "none" else "unknown")
        if r["speaker_source"] == "default":  # the classifier was unsure: the annotation rule's default side
            assert r["speaker_side"] == ("none" if r["speaker"] == "author" else "other")


def test_each_bad_input_is_an_error_with_its_reason_and_the_batch_goes_on(reference):
    inputs, out, summary = reference
    errors = read_jsonl(out / "errors.jsonl")
    reasons = {Path(e["source"].rsplit(":", 1)[0] if e["source"].endswith(":2") else e["source"]).name:
               e["reason"] for e in errors}
    assert reasons["odd.txt"].startswith("undecodable")
    assert reasons["image.txt"].startswith("binary file")
    assert reasons["empty.txt"] == "empty file"
    assert reasons["huge.txt"].startswith("too large")
    assert reasons["batch.jsonl"].startswith("malformed JSON")
    assert reasons["furniture.txt"].startswith("no sentences")
    assert summary.failed == len(errors) == 6
    assert summary.inputs == TOTAL_GOOD + 6
    assert summary.failures == {"undecodable": 1, "binary file": 1, "empty file": 1, "too large": 1,
                                "malformed JSON": 1, "no sentences": 1}
    assert "failed: 6" in str(summary) and str(out / "errors.jsonl") in str(summary)


def test_rerun_skips_finished_articles_and_keeps_the_output(reference, tiny_model_dir, tmp_path):  # noqa: F811
    inputs, out, _ = reference
    before = (out / "labels.jsonl").read_bytes()
    again = run(inputs, out, tiny_model_dir)
    assert (again.done, again.skipped, again.failed) == (0, TOTAL_GOOD, 6)
    assert (out / "labels.jsonl").read_bytes() == before
    assert len((out / "manifest.jsonl").read_text().splitlines()) == TOTAL_GOOD


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_tabular_formats_hold_the_same_rows_with_flat_probabilities(reference, tiny_model_dir, tmp_path, fmt):  # noqa: F811
    inputs, out, _ = reference
    records = read_jsonl(out / "labels.jsonl")
    job = tmp_path / "job"
    summary = run(inputs, job, tiny_model_dir, fmt=fmt)
    assert summary.output == job / f"labels.{fmt}"
    if fmt == "parquet":
        import pyarrow.parquet as pq

        rows = pq.read_table(summary.output).to_pylist()
    else:
        with open(summary.output, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    for row, rec in zip(rows, records):
        assert row["text"] == rec["text"] and row["speaker"] == rec["speaker"] and row["topic"] == rec["topic"]
        assert int(row["start"]) == rec["start"] and json.loads(row["meta"]) == rec["meta"]
        for field, labels in LABELS.items():
            for lab in labels:
                assert float(row[f"p_{field}_{lab}"]) == pytest.approx(rec["probs"][field][lab], abs=1e-4)


@pytest.mark.parametrize("precision", ["int8", "bf16"])
def test_reduced_precision_runs_and_gives_valid_labels(tiny_model_dir, tmp_path, precision):  # noqa: F811
    inputs = make_inputs(tmp_path / "in", bad=False)
    with warnings.catch_warnings():  # bf16 warns where the CPU emulates it
        warnings.simplefilter("ignore")
        summary = run(inputs, tmp_path / "job", tiny_model_dir, precision=precision)
    records = read_jsonl(summary.output)
    assert summary.done == TOTAL_GOOD and summary.failed == 0
    assert all(r["model_id"].endswith(f"+{precision}") for r in records)
    assert all(r[f] in labels for r in records for f, labels in LABELS.items())


def test_unknown_precision_stops_the_job_before_it_starts(tiny_model_dir, tmp_path):  # noqa: F811
    with pytest.raises(JobError, match="unknown precision 'fp8'"):
        run(make_inputs(tmp_path / "in", bad=False), tmp_path / "job", tiny_model_dir, precision="fp8")
    assert not (tmp_path / "job").exists()


def test_unknown_speakers_stop_the_job_before_it_starts(tiny_model_dir, tmp_path):  # noqa: F811
    with pytest.raises(JobError, match="unknown speakers 'tagger'; choose one of model, rules"):
        run(make_inputs(tmp_path / "in", bad=False), tmp_path / "job", tiny_model_dir, speakers="tagger")
    assert not (tmp_path / "job").exists()


def test_articles_stream_through_in_bounded_chunks(tiny_model_dir, tmp_path, monkeypatch):  # noqa: F811
    inputs = make_inputs(tmp_path / "in", bad=False)
    sizes = []
    original = Labeller.label

    def spy(self, articles):
        sizes.append(len(articles))
        return original(self, articles)

    monkeypatch.setattr(Labeller, "label", spy)
    summary = run(inputs, tmp_path / "job", tiny_model_dir, chunk_articles=2)
    assert summary.done == TOTAL_GOOD and max(sizes) <= 2 and sum(sizes) == TOTAL_GOOD


def test_crash_after_some_articles_then_resume_loses_and_duplicates_nothing(reference, tiny_model_dir, tmp_path,  # noqa: F811
                                                                           monkeypatch):
    inputs, ref_out, _ = reference
    job = tmp_path / "job"
    original = label_mod.write_shard
    calls = []

    def crash_on_third(*args, **kw):
        calls.append(args[1])
        if len(calls) == 3:
            raise RuntimeError("simulated crash")
        return original(*args, **kw)

    monkeypatch.setattr(label_mod, "write_shard", crash_on_third)
    with pytest.raises(RuntimeError, match="simulated crash"):
        run(inputs, job, tiny_model_dir, chunk_articles=2)
    monkeypatch.setattr(label_mod, "write_shard", original)
    assert len((job / "manifest.jsonl").read_text().splitlines()) == 2
    assert not (job / "labels.jsonl").exists() and not (job / "errors.jsonl").exists()
    resumed = run(inputs, job, tiny_model_dir)
    assert (resumed.done, resumed.skipped) == (TOTAL_GOOD - 2, 2)
    assert_same_records(read_jsonl(job / "labels.jsonl"), read_jsonl(ref_out / "labels.jsonl"))


KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    import pipeline.labelling.job as L
    original = L.write_shard
    def slow(*args, **kw):
        name = original(*args, **kw)
        time.sleep(0.4)  # the kill lands between a shard's rename and its manifest line, or mid-chunk
        return name
    L.write_shard = slow
    L.label_paths([sys.argv[1]], sys.argv[2], model_dir=sys.argv[3], progress=False, max_bytes=4096,
                  chunk_articles=2)
""")


def test_kill_at_any_moment_then_resume(reference, tiny_model_dir, tmp_path):  # noqa: F811
    inputs, ref_out, _ = reference
    job = tmp_path / "job"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(inputs), str(job), str(tiny_model_dir)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    manifest = job / "manifest.jsonl"
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if manifest.exists() and len(manifest.read_text().splitlines()) >= 2:
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(30)
    finished = len(manifest.read_text().splitlines())
    assert 2 <= finished < TOTAL_GOOD
    for shard in (job / "shards").glob("*.jsonl"):  # every file in place is whole
        assert all(json.loads(line)["doc_id"] for line in shard.read_text().splitlines())
    assert not (job / "labels.jsonl").exists()
    resumed = run(inputs, job, tiny_model_dir)
    assert (resumed.done, resumed.skipped) == (TOTAL_GOOD - finished, finished)
    assert not list(job.rglob("*.tmp"))
    assert_same_records(read_jsonl(job / "labels.jsonl"), read_jsonl(ref_out / "labels.jsonl"))


def test_a_torn_manifest_line_is_dropped_and_the_article_redone(reference, tiny_model_dir, tmp_path):  # noqa: F811
    inputs, ref_out, _ = reference
    job = tmp_path / "job"
    run(inputs, job, tiny_model_dir)
    lines = (job / "manifest.jsonl").read_text().splitlines()
    (job / "manifest.jsonl").write_text("\n".join(lines[:-1]) + "\n" + lines[-1][:15])  # killed mid-append
    again = run(inputs, job, tiny_model_dir)
    assert (again.done, again.skipped) == (1, TOTAL_GOOD - 1)
    assert_same_records(list(iter_records(job)), read_jsonl(ref_out / "labels.jsonl"))


def test_duplicate_doc_ids_fail_after_the_first(tiny_model_dir, tmp_path):  # noqa: F811
    p = tmp_path / "dup.jsonl"
    p.write_text("\n".join(json.dumps({"id": "same", "text": t}) for t in ("Russia said no.", "Japan said yes.")))
    summary = label_paths([p], tmp_path / "job", model_dir=tiny_model_dir, progress=False)
    assert (summary.done, summary.failed) == (1, 1)
    assert read_jsonl(tmp_path / "job" / "errors.jsonl")[0]["reason"] == "duplicate doc_id 'same'"


def test_a_job_folder_in_use_or_a_missing_model_cannot_start(tiny_model_dir, tmp_path):  # noqa: F811
    job = tmp_path / "job"
    job.mkdir()
    held = label_mod._lock(job)
    try:
        with pytest.raises(JobError, match="in use"):
            label_paths([tmp_path], job, model_dir=tiny_model_dir, progress=False)
    finally:
        held.close()
    with pytest.raises(JobError, match="not a trained model folder"):
        label_paths([tmp_path], job, model_dir=tmp_path / "nope", progress=False)
    with pytest.raises(JobError, match="unknown format"):
        label_paths([tmp_path], job, model_dir=tiny_model_dir, fmt="xlsx", progress=False)


def test_cli_prints_the_summary_and_exits_1_when_articles_failed(tiny_model_dir, tmp_path):  # noqa: F811
    from typer.testing import CliRunner

    from pipeline.cli import app

    runner = CliRunner()
    inputs = make_inputs(tmp_path / "in")
    res = runner.invoke(app, ["label", str(inputs), "--out", str(tmp_path / "job"), "--model", str(tiny_model_dir),
                              "--max-bytes", "4096", "--no-progress", "--format", "csv"])
    assert res.exit_code == 1, res.output
    assert f"articles labelled: {TOTAL_GOOD}" in res.output and "failed: 6" in res.output
    assert (tmp_path / "job" / "labels.csv").exists()
    clean = make_inputs(tmp_path / "clean", bad=False)
    res = runner.invoke(app, ["label", str(clean), "--out", str(tmp_path / "job2"), "--model", str(tiny_model_dir),
                              "--no-progress"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["label", str(clean), "--out", str(tmp_path / "job3"), "--model", str(tmp_path)])
    assert res.exit_code == 2
    help_text = runner.invoke(app, ["label", "--help"], env={"COLUMNS": "200"}).output
    assert "Exit status" in help_text and "1 when any article failed" in help_text


# --- long inputs, field mapping, the pipelined job ---------------------------------------------------------------------

def test_a_one_line_transcript_is_labelled_whole_with_offsets_into_the_text(tiny_model_dir, tmp_path):  # noqa: F811
    """A 31 kB article on one line (the segmenter reads it in bounded windows: tests/text/test_segment.py)."""
    one_line = " ".join(f"Russia said on day {i} that the islands are Russian." for i in range(600))  # ~31 kB
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "transcript.txt").write_text(one_line + "\n", encoding="utf-8")
    summary = run(tmp_path / "in", tmp_path / "job", tiny_model_dir, max_bytes=10**6)
    assert summary.done == 1
    records = read_jsonl(tmp_path / "job" / "labels.jsonl")
    cleaned = clean_text(one_line)
    assert len(records) == 600 and all(cleaned[r["start"]:r["end"]] == r["text"] for r in records)


def test_a_sentence_longer_than_the_model_reads_is_split_with_a_note(tiny_model_dir, tmp_path):  # noqa: F811
    from pipeline.labelling.labeller import CHARS_PER_TOKEN

    limit = CHARS_PER_TOKEN * 64  # the tiny model reads 64 tokens
    words = "and the ministers then spoke again about the islands " * 20  # one sentence of ~1,000 characters
    text = f"Russia said so. Lavrov said {words.strip()}. Japan disagreed."
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "long.txt").write_text(text, encoding="utf-8")
    run(tmp_path / "in", tmp_path / "job", tiny_model_dir)
    records = read_jsonl(tmp_path / "job" / "labels.jsonl")
    assert max(len(r["text"]) for r in records) <= limit
    parts = [r for r in records if "note" in r]
    assert len(parts) >= 2 and parts[0]["note"].startswith("cut: a sentence of")
    assert "note" not in records[0] and records[0]["text"] == "Russia said so."
    assert all(text[r["start"]:r["end"]] == r["text"] for r in records)


def test_cli_maps_jsonl_and_csv_field_names(tiny_model_dir, tmp_path):  # noqa: F811
    from typer.testing import CliRunner

    from pipeline.cli import app

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "feed.jsonl").write_text(json.dumps(
        {"guid": "f1", "body": "Russia said no.", "headline": "No", "published": "2018-08-01",
         "url": "https://www.japantimes.co.jp/x"}) + "\n", encoding="utf-8")
    (tmp_path / "in" / "feed.csv").write_text("guid,body,headline\nc1,Japan said yes.,Yes\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["label", str(tmp_path / "in"), "--out", str(tmp_path / "job"), "--model",
                                   str(tiny_model_dir), "--no-progress", "--id-field", "guid", "--text-field", "body",
                                   "--title-field", "headline", "--date-field", "published"])
    assert res.exit_code == 0, res.output
    assert "inputs found: 2" in res.output
    meta = {r["doc_id"]: r["meta"] for r in read_jsonl(tmp_path / "job" / "labels.jsonl")}
    assert meta["c1"]["title"] == "Yes"
    assert (meta["f1"]["title"], meta["f1"]["date"], meta["f1"]["outlet"]) == ("No", "2018-08-01", "japantimes.co.jp")


def test_reading_and_writing_run_beside_the_model(tiny_model_dir, tmp_path, monkeypatch):  # noqa: F811
    import threading

    threads = {}
    original_prepare, original_write = label_mod.prepare, label_mod.write_shard

    def spy_prepare(*a, **kw):
        threads["prepare"] = threading.current_thread().name
        return original_prepare(*a, **kw)

    def spy_write(*a, **kw):
        threads["write"] = threading.current_thread().name
        return original_write(*a, **kw)

    monkeypatch.setattr(label_mod, "prepare", spy_prepare)
    monkeypatch.setattr(label_mod, "write_shard", spy_write)
    summary = run(make_inputs(tmp_path / "in", bad=False), tmp_path / "job", tiny_model_dir, chunk_articles=2)
    assert summary.done == TOTAL_GOOD
    assert threads == {"prepare": "label-read", "write": "label-write"}


def test_labeller_gives_the_model_the_context_it_was_trained_with(tmp_path, tiny_encoder):  # noqa: F811
    """A model trained to read the next sentence and the speaker gets them when labelling, built from the article."""
    from datasets import ClassLabel, Dataset, Features, Value

    from pipeline.config import TrainConfig
    from pipeline.labelling.labeller import Prepared
    from pipeline.model.train import fit
    from pipeline.schema import FIELDS, LABELS

    texts = ["Russia's Foreign Minister Sergei Lavrov said the islands are Russian.", "Japan disagreed.",
             "The talks ended on Friday."] * 2
    feats = Features({"text": Value("string"), "doc_id": Value("string"), "source": Value("string"),
                      **{f: ClassLabel(names=list(LABELS[f])) for f in FIELDS}})
    rows = {"text": texts, "doc_id": ["a"] * 3 + ["b"] * 3, "source": ["written"] * 6,
            **{f: [0] * 6 for f in FIELDS}}
    cfg = TrainConfig(name="ctx", encoder=str(tiny_encoder), epochs=1, batch_size=4, max_length=64,
                      context_next=True, speaker_input=True)
    predictor, _ = fit(cfg, Dataset.from_dict(rows, features=feats), tmp_path, progress=False, save=False)
    seen = {}
    original = predictor.logits

    def spy(texts, contexts=None, *a, **k):
        seen["contexts"] = list(contexts)
        return original(texts, contexts, *a, **k)

    predictor.logits = spy
    article = Prepared("doc", {}, [(t, 0, len(t)) for t in texts[:3]])
    records = Labeller(predictor).label([article])[0]
    assert len(records) == 3
    assert seen["contexts"][0].startswith("speaker: Sergei Lavrov (russian)")
    assert seen["contexts"][0].endswith(f"next: {texts[1]}")
    assert seen["contexts"][1].startswith("speaker: ") and texts[0] in seen["contexts"][1]
