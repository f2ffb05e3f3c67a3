"""Labelling throughput: the project's labeller against a plain transformers text-classification pipeline.

Both run in this one process over the same sentences (each with its previous sentence as the pair, as the model
reads them) and the same encoder weights. Printed: sentences/s of each, their ratio, peak memory, and the share
of the CPU's compute limit the labeller reaches: the encoder's FLOPs per sentence (from its config and the real
token counts) against the fp32 matmul GFLOP/s measured in the same run. ``--int8-agreement`` also runs the int8
labeller (pipeline/quantize.py, with its fp32 re-scoring of near-ties) and reports how often its labels agree with
fp32 and what share of sentences it re-scored; ``--int8-margin 0`` measures int8 without that re-scoring.

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
    """models/default if trained, else the real MiniLM encoder with heads fitted on its frozen features.

    Throughput does not depend on the heads; fitted heads (rather than random ones) make the int8 agreement
    meaningful, since random heads leave near-ties that any rounding flips.
    """
    if (paths.MODELS / "default" / "pipeline.json").is_file():
        return paths.MODELS / "default"
    from transformers import AutoTokenizer

    from pipeline.config import DEFAULT_ENCODER, resolve_encoder
    from pipeline.model import build_model, save_model
    from pipeline.schema import LABELS

    encoder = resolve_encoder(DEFAULT_ENCODER)
    tokenizer = AutoTokenizer.from_pretrained(encoder)
    label_maps = {f: list(v) for f, v in LABELS.items()}
    model = build_model(encoder, label_maps, seed=0).eval()
    fitted = fit_heads(model, tokenizer, label_maps)
    meta = {"model_id": "minilm-frozen+fitted-heads" if fitted else "minilm-untrained-heads",
            "label_maps": label_maps, "config": {"max_length": 128, "use_context": True}}
    return save_model(model, tokenizer, workdir / "minilm", meta)


def fit_heads(model, tokenizer, label_maps, steps: int = 300) -> bool:
    """Fit the heads by logistic regression on the frozen encoder's pooled features of the annotation corpus."""
    from pipeline.corpus import default_files, read_records, with_context
    from pipeline.features import PadCollator, encode

    files = default_files()
    if not files:
        return False
    rows = with_context([r for f in files for r in read_records(f)])
    enc = encode(tokenizer, [r["text"] for r in rows], [r["context"] for r in rows], 128)
    items = [{k: enc[k][i] for k in enc} for i in range(len(rows))]
    order = np.argsort([len(x["input_ids"]) for x in items])
    collate, feats = PadCollator(tokenizer), torch.zeros(len(rows), 2 * model.encoder.config.hidden_size)
    with torch.inference_mode():
        for s in range(0, len(rows), 64):
            idx = order[s : s + 64]
            feats[idx] = model.pool(**collate([items[i] for i in idx]))
    feats = feats.clone()
    for field, labels in label_maps.items():
        y = torch.tensor([labels.index(r[field]) for r in rows])
        head = model.heads[field]
        opt = torch.optim.Adam(head.parameters(), lr=1e-2)
        for _ in range(steps):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(head(feats), y).backward()
            opt.step()
    print(f"fitted heads on frozen features of {len(rows)} annotated sentences")
    return True


#: Sentences per pseudo-article: the labeller reads them as articles, the pipeline gets the same pairs.
PER_ARTICLE = 30


def corpus_sentences(n: int) -> tuple[list[tuple[str, str]], np.ndarray]:
    """n (sentence, previous sentence) pairs: the project's article and annotation sentences in reading order,
    cycled as needed and cut into pseudo-articles of PER_ARTICLE sentences (no previous one at an article start);
    and which of them come from the seed articles (real news text rather than written sentences)."""
    from pipeline.articles import load_articles
    from pipeline.segment import split_sentences

    sentences: list[str] = []
    for text in load_articles().values():
        sentences.extend(s.text for s in split_sentences(text))
    n_real = len(sentences)
    if paths.WRITTEN.exists():
        for line in paths.WRITTEN.read_text(encoding="utf-8").splitlines():
            if line.strip():
                sentences.append(json.loads(line)["text"])
    cycled = [sentences[i % len(sentences)] for i in range(n)]
    real = np.array([i % len(sentences) < n_real for i in range(n)])
    return [(s, cycled[i - 1] if i % PER_ARTICLE else "") for i, s in enumerate(cycled)], real


def as_articles(pairs, per_article: int = PER_ARTICLE):
    """The sentences as pseudo-articles of ``per_article`` sentences, for the labeller."""
    from pipeline.label import Prepared

    out = []
    for a, s in enumerate(range(0, len(pairs), per_article)):
        sents = [(t, 0, len(t)) for t, _ in pairs[s : s + per_article]]
        out.append(Prepared(f"bench-{a}", {}, sents))
    return out


def run_labeller(labeller, pairs, chunk_sentences: int) -> tuple[list[dict], float]:
    """Label sentences as the job does (pseudo-articles, chunks of ``chunk_sentences``); (records, seconds)."""
    from pipeline.label import _chunks

    records: list[dict] = []
    started = time.perf_counter()
    for chunk in _chunks(iter(as_articles(pairs)), 10**9, chunk_sentences):
        for recs in labeller.label(chunk):
            records.extend(recs)
    return records, time.perf_counter() - started


def plain_pipeline(model_dir: Path, max_length: int, use_context: bool):
    """A plain ``pipeline("text-classification")`` over the same encoder (default settings); a callable on pairs."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    tok = AutoTokenizer.from_pretrained(model_dir / "encoder")
    model = AutoModelForSequenceClassification.from_pretrained(model_dir / "encoder", num_labels=5)
    clf = pipeline("text-classification", model=model, tokenizer=tok, device=-1)

    def run(pairs) -> float:
        inputs = [{"text": s, "text_pair": c} if (use_context and c) else s for s, c in pairs]
        started = time.perf_counter()
        out = clf(inputs, truncation=True, max_length=max_length)
        assert len(out) == len(pairs)
        return time.perf_counter() - started

    return run


def token_counts(tokenizer, pairs, max_length: int, use_context: bool) -> np.ndarray:
    from pipeline.features import encode

    enc = encode(tokenizer, [s for s, _ in pairs], [c for _, c in pairs] if use_context else None, max_length)
    return np.array([len(ids) for ids in enc["input_ids"]])


class Meter:
    """Total seconds and peak memory of one system over the rounds."""

    def __init__(self, name: str):
        self.name, self.seconds, self.peak, self.growth = name, 0.0, 0, 0

    def add(self, seconds: float, mem: PeakRSS) -> None:
        self.seconds += seconds
        self.peak = max(self.peak, mem.peak)
        self.growth = max(self.growth, mem.peak - mem.start)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None, help="model folder (default: models/default or MiniLM)")
    parser.add_argument("--sentences", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=None, help="labeller batch size (default: the job's)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    parser.add_argument("--rounds", type=int, default=10, help="the systems alternate over this many slices of the "
                        "sentences, each slice after a fresh matmul measurement, so load from other processes "
                        "falls on all of them alike")
    parser.add_argument("--int8-agreement", action="store_true", help="also run int8 and compare its labels")
    parser.add_argument("--int8-margin", type=float, default=None,
                        help="int8 top-two logit margin re-scored in fp32 (default: pipeline.quantize.FALLBACK_MARGIN)")
    parser.add_argument("--sweep", default="", help="comma-separated batch sizes to time on 1,000 sentences first")
    parser.add_argument("--skip-pipeline", action="store_true", help="do not run the plain pipeline")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    from pipeline.label import CHUNK_SENTENCES, DEFAULT_BATCH_SIZE, Labeller
    from pipeline.model import load_model

    batch_size = args.batch_size or DEFAULT_BATCH_SIZE
    workdir = Path(tempfile.mkdtemp(prefix="label-bench-"))
    model_dir = args.model or default_model(workdir)
    pairs, real = corpus_sentences(args.sentences)
    predictor = load_model(model_dir)
    max_length, use_context = predictor.max_length, predictor.use_context
    config = predictor.model.encoder.config
    tokens = token_counts(predictor.tokenizer, pairs, max_length, use_context)
    flops = encoder_flops(config, tokens)
    print(f"model: {model_dir} ({predictor.model_id}); torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{psutil.cpu_count(logical=True)} logical CPUs, load average {psutil.getloadavg()[0]:.1f}")
    print(f"sentences: {len(pairs)} (sentence + previous sentence pairs), tokens per input: mean {tokens.mean():.1f}, "
          f"max {tokens.max()}; encoder forward: {flops / 1e9:.3f} GFLOP per sentence; labeller batch {batch_size}")

    labeller = Labeller(predictor, batch_size)
    run_labeller(labeller, pairs[:64], CHUNK_SENTENCES)  # warm-up
    if args.sweep:
        sub = pairs[:1000]
        print(f"batch-size sweep ({len(sub)} sentences):")
        for bs in (int(x) for x in args.sweep.split(",")):
            labeller.batch_size = bs
            g = matmul_gflops(0.6)
            _, sec = run_labeller(labeller, sub, CHUNK_SENTENCES)
            print(f"  batch {bs:>4}: {len(sub) / sec:7.1f} sentences/s  ({len(sub) * flops / sec / 1e9 / g:.0%} of "
                  f"the {g:.0f} GFLOP/s measured just before)")
        labeller.batch_size = batch_size
    systems = {"labeller fp32": Meter("labeller fp32")}
    pipe = None
    if not args.skip_pipeline:
        pipe = plain_pipeline(model_dir, max_length, use_context)
        pipe(pairs[:8])
        systems["plain pipeline"] = Meter("plain pipeline")
    int8 = None
    if args.int8_agreement:
        int8 = Labeller(load_model(model_dir, quantize=True, fallback_margin=args.int8_margin), batch_size)
        run_labeller(int8, pairs[:64], CHUNK_SENTENCES)
        int8.predictor.scored = int8.predictor.rescored = 0
        systems["labeller int8"] = Meter("labeller int8")

    records, int8_records, gflops, peak_seconds = [], [], [], 0.0
    bounds = (np.linspace(0, len(pairs) / PER_ARTICLE, args.rounds + 1).round() * PER_ARTICLE).astype(int)
    bounds[-1] = len(pairs)
    for r in range(args.rounds):
        part = pairs[bounds[r] : bounds[r + 1]]
        g = matmul_gflops(0.6)
        gflops.append(g)
        gc.collect()
        with PeakRSS() as mem:
            recs, sec = run_labeller(labeller, part, CHUNK_SENTENCES)
        systems["labeller fp32"].add(sec, mem)
        records.extend(recs)
        peak_seconds += sec * g  # GFLOP the CPU could have done at its measured rate meanwhile
        if pipe is not None:
            with PeakRSS() as mem:
                sec = pipe(part)
            systems["plain pipeline"].add(sec, mem)
        if int8 is not None:
            with PeakRSS() as mem:
                recs, sec = run_labeller(int8, part, CHUNK_SENTENCES)
            systems["labeller int8"].add(sec, mem)
            int8_records.extend(recs)
        print(f"  round {r + 1}/{args.rounds}: matmul {g:.0f} GFLOP/s, "
              + ", ".join(f"{m.name} {bounds[r + 1] / m.seconds:.1f}/s" for m in systems.values()), flush=True)

    n = len(pairs)
    gmean = float(np.mean(gflops))
    efficiency = n * flops / 1e9 / peak_seconds
    rate = {k: n / m.seconds for k, m in systems.items()}
    print(f"\nmatmul fp32: {gmean:.1f} GFLOP/s mean over rounds (min {min(gflops):.1f}, max {max(gflops):.1f}) "
          f"-> compute limit {gmean * 1e9 / flops:.1f} sentences/s")
    print(f"{'system':16} {'sentences/s':>12} {'vs pipeline':>12} {'of limit':>9} {'peak RSS MB':>12} {'+MB':>6}")
    for k, m in systems.items():
        ratio = f"{rate[k] / rate['plain pipeline']:11.2f}x" if pipe is not None else f"{'-':>12}"
        share = n * flops / 1e9 / (m.seconds * gmean)
        print(f"{k:16} {rate[k]:12.1f} {ratio} {share:9.0%} {m.peak / 2**20:12.0f} {m.growth / 2**20:6.0f}")
    print("(of limit: the encoder FLOPs done per second over the matmul GFLOP/s; for the labeller fp32 the rate "
          f"measured before each round weights its own round: {efficiency:.0%})")
    if pipe is not None:
        x = rate["labeller fp32"] / rate["plain pipeline"]
        print(f"target >= 3x the plain pipeline: {'met' if x >= 3 else 'NOT met'} ({x:.2f}x)")
    print(f"target >= 50% of the compute limit: {'met' if efficiency >= 0.5 else 'NOT met'} ({efficiency:.0%})")
    if int8 is not None:
        fields = list(predictor.fields)
        per_field = {f: float(np.mean([a[f] == b[f] for a, b in zip(records, int8_records)])) for f in fields}
        all_fields = np.mean([all(a[f] == b[f] for f in fields) for a, b in zip(records, int8_records)])
        speakers = np.mean([a["speaker"] == b["speaker"] for a, b in zip(records, int8_records)])
        print("int8 vs fp32 label agreement: " + ", ".join(f"{f} {v:.2%}" for f, v in per_field.items())
              + f"; all four fields {all_fields:.2%}; speaker {speakers:.2%} "
              + f"(target >= 99% per field: {'met' if min(per_field.values()) >= 0.99 else 'NOT met'})")
        same = {f: np.array([a[f] == b[f] for a, b in zip(records, int8_records)]) for f in fields}
        print(f"  of which on the {int(real.sum())} seed-article sentences (real news text; the rest are written): "
              + ", ".join(f"{f} {same[f][real].mean():.2%}" for f in fields))
        p = int8.predictor
        print(f"int8 near-ties re-scored in fp32 (top-two logit margin < {p.fallback_margin:g} in any field): "
              f"{p.rescored} of {p.scored} sentences ({p.rescored / max(p.scored, 1):.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
