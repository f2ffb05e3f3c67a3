"""Labelling throughput: the project's labeller against a plain transformers text-classification pipeline.

Both run in this one process over the same sentences (each with its previous sentence as the pair, as the model
reads them) and the same encoder weights. Printed: sentences/s of each, their ratio, peak memory, and the share
of the CPU's compute limit the labeller reaches: the encoder's FLOPs per sentence (from its config and the real
token counts) against the fp32 matmul GFLOP/s measured in the same run. ``--int8-agreement`` also runs the int8
(dynamic quantisation) labeller and reports how often its labels agree with fp32.

    python benchmarks/label_throughput.py [--model DIR] [--sentences 5000] [--int8-agreement] [--sweep 16,32,64]

Without --model it uses models/default if present, else builds a model folder around the real
all-MiniLM-L6-v2 encoder with untrained heads (throughput does not depend on head training).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import psutil  # noqa: E402
import torch  # noqa: E402

from pipeline import paths  # noqa: E402


class PeakRSS:
    """Peak resident memory of this process while the block runs (sampled every 5 ms)."""

    def __enter__(self):
        self._proc = psutil.Process()
        self.start = self.peak = self._proc.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            time.sleep(0.005)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)


def matmul_gflops(seconds: float = 1.5) -> float:
    """Best fp32 GEMM rate of this CPU now (GFLOP/s), over shapes like the encoder's and a square one."""
    best = 0.0
    for m, k, n in ((2048, 384, 1536), (2048, 1536, 384), (1024, 1024, 1024)):
        a, b = torch.randn(m, k), torch.randn(k, n)
        for _ in range(3):
            torch.mm(a, b)
        reps, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds / 3:
            torch.mm(a, b)
            reps += 1
        best = max(best, 2 * m * k * n * reps / (time.perf_counter() - started) / 1e9)
    return best


def encoder_flops(config, tokens: np.ndarray) -> float:
    """Mean forward FLOPs per sentence of a BERT-style encoder: projections, feed-forward and attention."""
    h, inter, layers = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    t = tokens.astype(np.float64)
    per_layer = 8 * t * h * h + 4 * t * h * inter + 4 * t * t * h
    return float((layers * per_layer).mean())


def default_model(workdir: Path) -> Path:
    """models/default if trained, else a folder with the real MiniLM encoder and untrained heads."""
    if (paths.MODELS / "default" / "pipeline.json").is_file():
        return paths.MODELS / "default"
    from transformers import AutoTokenizer

    from pipeline.config import DEFAULT_ENCODER, resolve_encoder
    from pipeline.model import build_model, save_model
    from pipeline.schema import LABELS

    encoder = resolve_encoder(DEFAULT_ENCODER)
    label_maps = {f: list(v) for f, v in LABELS.items()}
    model = build_model(encoder, label_maps, seed=0)
    meta = {"model_id": "minilm-untrained-heads", "label_maps": label_maps,
            "config": {"max_length": 128, "use_context": True}}
    return save_model(model, AutoTokenizer.from_pretrained(encoder), workdir / "minilm", meta)


def corpus_sentences(n: int) -> list[tuple[str, str]]:
    """n (sentence, previous sentence) pairs from the project's articles and annotations, cycled as needed."""
    from pipeline.articles import load_articles
    from pipeline.segment import split_sentences

    docs: list[list[str]] = []
    for text in load_articles().values():
        docs.append([s.text for s in split_sentences(text)])
    if paths.WRITTEN.exists():
        by_doc: dict[str, list[str]] = {}
        for line in paths.WRITTEN.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                by_doc.setdefault(r["doc_id"], []).append(r["text"])
        docs.extend(by_doc.values())
    pairs = [(s, doc[i - 1] if i else "") for doc in docs for i, s in enumerate(doc)]
    return [pairs[i % len(pairs)] for i in range(n)]


def as_articles(pairs: list[tuple[str, str]], per_article: int = 30):
    """The sentences as pseudo-articles of ``per_article`` sentences, for the labeller."""
    from pipeline.label import Prepared

    out = []
    for a, s in enumerate(range(0, len(pairs), per_article)):
        sents = [(t, 0, len(t)) for t, _ in pairs[s : s + per_article]]
        out.append(Prepared(f"bench-{a}", {}, sents))
    return out


def run_labeller(labeller, articles, chunk_sentences: int) -> tuple[list[dict], float, PeakRSS]:
    """Label the pseudo-articles in chunks as the job does; returns (records, seconds, memory)."""
    from pipeline.label import _chunks

    records: list[dict] = []
    with PeakRSS() as mem:
        started = time.perf_counter()
        for chunk in _chunks(iter(articles), 10**9, chunk_sentences):
            for recs in labeller.label(chunk):
                records.extend(recs)
        seconds = time.perf_counter() - started
    return records, seconds, mem


def run_pipeline(model_dir: Path, pairs, max_length: int, use_context: bool) -> tuple[float, PeakRSS]:
    """A plain ``pipeline("text-classification")`` over the same encoder and inputs (default settings)."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    tok = AutoTokenizer.from_pretrained(model_dir / "encoder")
    model = AutoModelForSequenceClassification.from_pretrained(model_dir / "encoder", num_labels=5)
    clf = pipeline("text-classification", model=model, tokenizer=tok, device=-1)
    inputs = [{"text": s, "text_pair": c} if (use_context and c) else s for s, c in pairs]
    clf(inputs[:8], truncation=True, max_length=max_length)  # warm-up
    with PeakRSS() as mem:
        started = time.perf_counter()
        out = clf(inputs, truncation=True, max_length=max_length)
        seconds = time.perf_counter() - started
    assert len(out) == len(pairs)
    return seconds, mem


def token_counts(tokenizer, pairs, max_length: int, use_context: bool) -> np.ndarray:
    from pipeline.features import encode

    enc = encode(tokenizer, [s for s, _ in pairs], [c for _, c in pairs] if use_context else None, max_length)
    return np.array([len(ids) for ids in enc["input_ids"]])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="model folder (default: models/default or MiniLM)")
    parser.add_argument("--sentences", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=None, help="labeller batch size (default: the job's)")
    parser.add_argument("--int8-agreement", action="store_true", help="also run int8 and compare its labels")
    parser.add_argument("--sweep", default="", help="comma-separated batch sizes to time on 1,000 sentences first")
    parser.add_argument("--skip-pipeline", action="store_true", help="do not run the plain pipeline")
    args = parser.parse_args(argv)

    from pipeline.label import CHUNK_SENTENCES, DEFAULT_BATCH_SIZE, Labeller
    from pipeline.model import load_model

    batch_size = args.batch_size or DEFAULT_BATCH_SIZE
    workdir = Path(tempfile.mkdtemp(prefix="label-bench-"))
    model_dir = args.model or default_model(workdir)
    pairs = corpus_sentences(args.sentences)
    articles = as_articles(pairs)
    predictor = load_model(model_dir)
    max_length, use_context = predictor.max_length, predictor.use_context
    tokens = token_counts(predictor.tokenizer, pairs, max_length, use_context)
    flops = encoder_flops(predictor.model.encoder.config, tokens)
    print(f"model: {model_dir} ({predictor.model_id}); torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{psutil.cpu_count(logical=True)} logical CPUs")
    print(f"sentences: {len(pairs)} (sentence + previous sentence pairs), tokens per input: mean {tokens.mean():.1f}, "
          f"max {tokens.max()}; encoder forward: {flops / 1e9:.3f} GFLOP per sentence")

    labeller = Labeller(predictor, batch_size)
    run_labeller(labeller, articles[:4], CHUNK_SENTENCES)  # warm-up
    if args.sweep:
        print("batch-size sweep (1,000 sentences):")
        sub = as_articles(pairs[:1000])
        for bs in (int(x) for x in args.sweep.split(",")):
            labeller.batch_size = bs
            _, sec, _ = run_labeller(labeller, sub, CHUNK_SENTENCES)
            print(f"  batch {bs:>4}: {1000 / sec:7.1f} sentences/s")
        labeller.batch_size = batch_size

    gflops_before = matmul_gflops()
    records, lab_sec, lab_mem = run_labeller(labeller, articles, CHUNK_SENTENCES)
    rows = [("labeller fp32", len(pairs) / lab_sec, lab_mem)]
    if not args.skip_pipeline:
        gc.collect()
        pipe_sec, pipe_mem = run_pipeline(model_dir, pairs, max_length, use_context)
        rows.append(("plain pipeline", len(pairs) / pipe_sec, pipe_mem))
    int8_records = None
    if args.int8_agreement:
        q = Labeller(load_model(model_dir, quantize=True), batch_size)
        run_labeller(q, articles[:4], CHUNK_SENTENCES)
        int8_records, q_sec, q_mem = run_labeller(q, articles, CHUNK_SENTENCES)
        rows.append(("labeller int8", len(pairs) / q_sec, q_mem))
    gflops = max(gflops_before, matmul_gflops())
    limit = gflops * 1e9 / flops

    print(f"\nmatmul: {gflops:.1f} GFLOP/s fp32 (best of before/after) -> compute limit {limit:.1f} sentences/s")
    print(f"{'system':16} {'sentences/s':>12} {'vs pipeline':>12} {'of limit':>9} {'peak RSS MB':>12} {'+MB':>7}")
    pipe_rate = rows[1][1] if not args.skip_pipeline else None
    for name, rate, mem in rows:
        ratio = f"{rate / pipe_rate:11.2f}x" if pipe_rate else f"{'-':>12}"
        print(f"{name:16} {rate:12.1f} {ratio} {rate / limit:9.0%} {mem.peak / 2**20:12.0f} "
              f"{(mem.peak - mem.start) / 2**20:7.0f}")
    if pipe_rate:
        ok = rows[0][1] >= 3 * pipe_rate
        print(f"target >= 3x the plain pipeline: {'met' if ok else 'NOT met'} ({rows[0][1] / pipe_rate:.2f}x)")
    print(f"target >= 50% of the compute limit: {'met' if rows[0][1] >= 0.5 * limit else 'NOT met'} "
          f"({rows[0][1] / limit:.0%})")
    if int8_records is not None:
        fields = [f for f in predictor.fields]
        per_field = {f: np.mean([a[f] == b[f] for a, b in zip(records, int8_records)]) for f in fields}
        all_fields = np.mean([all(a[f] == b[f] for f in fields) for a, b in zip(records, int8_records)])
        speakers = np.mean([a["speaker"] == b["speaker"] for a, b in zip(records, int8_records)])
        print("int8 vs fp32 label agreement: " + ", ".join(f"{f} {v:.2%}" for f, v in per_field.items())
              + f"; all four fields {all_fields:.2%}; speaker {speakers:.2%} "
              + f"(target >= 99%: {'met' if min(per_field.values()) >= 0.99 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
