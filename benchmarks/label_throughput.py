"""Labelling throughput: the project's labeller against a plain transformers text-classification pipeline.

Both run in this one process over the same sentences (each with its previous sentence as the pair, as the model
reads them) and the same encoder weights. Printed: sentences/s of each, their ratio, peak memory, and the share
of the CPU's compute limit the labeller reaches: the encoder's FLOPs per sentence (from its config and the real
token counts) against the fp32 matmul GFLOP/s measured in the same run. ``--precisions bf16,int8`` also runs the
labeller at those reduced precisions (pipeline/model/precision.py, with their fp32 re-scoring of near-ties) and reports
how often their labels agree with fp32, their raw-logit error, and what share of sentences they re-scored;
``--margin 0`` measures them without that re-scoring. Where the model has a speaker tagger (config ``speaker_tagger``),
each fp32 labeller also runs with ``speakers="rules"`` (no tagger pass), so that the tagger's cost shows in the same run.
bf16 is also held against the bf16 matmul rate. ``--backends onnx`` (the default where onnxruntime is installed)
also runs the fp32 labeller on ONNX Runtime (pipeline/model/onnx_backend.py) and reports its label agreement and
raw-logit difference with the torch fp32 labeller.

A "job" row runs the whole ``label_paths`` (reading, cleaning, segmenting, attribution, labelling, writing) over
the same sentences written as JSONL articles, and its ratio to the labeller says what the job costs around the
model (target: >= 85% of the labeller's sentences/s); ``--ray-actors 2`` adds the same job on the Ray engine.
``--sizes 1,50,500`` times the job (and its reading + segmenting alone) on single articles of those many KB, per
character, to show the cost is linear in the input.

    python benchmarks/label_throughput.py [--model DIR] [--sentences 5000] [--precisions auto] [--sweep 16,32,64]
                                          [--ray-actors 2] [--sizes 1,50,500]

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


def matmul_gflops(seconds: float = 1.5, dtype: torch.dtype = torch.float32) -> float:
    """Best GEMM rate of this CPU now (GFLOP/s) in ``dtype``, over shapes like the encoder's and a square one."""
    best = 0.0
    for m, k, n in ((2048, 384, 1536), (2048, 1536, 384), (1024, 1024, 1024)):
        a, b = torch.randn(m, k).to(dtype), torch.randn(k, n).to(dtype)
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

    Throughput does not depend on the heads; fitted heads (rather than random ones) make the int8/bf16 agreement
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
    from pipeline.annotation.corpus import default_files, read_records, with_context
    from pipeline.model.features import PadCollator, encode

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


#: Labelling throughput against the plain pipeline that issue #12 asks for (fp32).
TARGET_RATIO = 2.5
#: Sentences per pseudo-article: the labeller reads them as articles, the pipeline gets the same pairs.
PER_ARTICLE = 30


def corpus_sentences(n: int) -> tuple[list[tuple[str, str]], np.ndarray]:
    """n (sentence, previous sentence) pairs: the project's article and annotation sentences in reading order,
    cycled as needed and cut into pseudo-articles of PER_ARTICLE sentences (no previous one at an article start);
    and which of them come from the seed articles (real news text rather than written sentences)."""
    from pipeline.text.articles import load_articles
    from pipeline.text.segment import split_sentences

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
    from pipeline.labelling import Prepared

    out = []
    for a, s in enumerate(range(0, len(pairs), per_article)):
        sents = [(t, 0, len(t)) for t, _ in pairs[s : s + per_article]]
        out.append(Prepared(f"bench-{a}", {}, sents))
    return out


def run_labeller(labeller, pairs, chunk_sentences: int) -> tuple[list[dict], float]:
    """Label sentences as the job does (pseudo-articles, chunks of ``chunk_sentences``); (records, seconds)."""
    from pipeline.labelling.job import chunks

    records: list[dict] = []
    started = time.perf_counter()
    for chunk in chunks(iter(as_articles(pairs)), 10**9, chunk_sentences):
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


def as_read(pairs, spec, per_article: int = PER_ARTICLE) -> list[tuple[str, str]]:
    """The pairs as the model reads them: each pseudo-article's contexts built as labelling builds them (previous
    sentence, and the speaker attribution finds where the model was trained with it), so the plain pipeline gets the
    very text pairs the labeller's model gets."""
    from pipeline.model.features import article_contexts

    out: list[tuple[str, str]] = []
    for s in range(0, len(pairs), per_article):
        texts = [t for t, _ in pairs[s : s + per_article]]
        out.extend(zip(texts, article_contexts(texts, spec)))
    return out


def token_counts(tokenizer, pairs, max_length: int, use_context: bool) -> np.ndarray:
    from pipeline.model.features import encode

    enc = encode(tokenizer, [s for s, _ in pairs], [c for _, c in pairs] if use_context else None, max_length)
    return np.array([len(ids) for ids in enc["input_ids"]])


def requested_precisions(spec: str) -> list[str]:
    """The reduced precisions named in ``--precisions`` (``auto``: int8, plus bf16 where it is native)."""
    from pipeline.model.precision import native_bf16

    out: list[str] = []
    for name in filter(None, (x.strip() for x in spec.split(","))):
        names = [name]
        if name == "auto":
            names = ["bf16", "int8"] if native_bf16() else ["int8"]
        for p in names:
            if p not in ("bf16", "int8"):
                raise SystemExit(f"--precisions: unknown reduced precision {p!r} (bf16, int8, auto)")
            if p not in out:
                out.append(p)
    if "bf16" in out and not native_bf16():
        print("note: this CPU has no native bf16; bf16 runs emulated and slower than fp32")
    return out


def logit_error(exact, approx, pairs) -> np.ndarray:
    """Quantiles (50, 99, 99.9) of the largest raw-logit difference per sentence, ``approx`` without re-scoring."""
    texts, contexts = [s for s, _ in pairs], [c for _, c in pairs]
    margin, scored, rescored = approx.fallback_margin, approx.scored, approx.rescored
    approx.fallback_margin = 0.0
    try:
        a, b = exact.logits(texts, contexts), approx.logits(texts, contexts)
    finally:
        approx.fallback_margin, approx.scored, approx.rescored = margin, scored, rescored
    err = np.max([np.abs(a[f] - b[f]).max(axis=1) for f in a], axis=0)
    return np.quantile(err, [0.5, 0.99, 0.999])


def write_articles(pairs, path: Path, per_article: int = PER_ARTICLE) -> Path:
    """The sentences as a JSONL feed of articles (``per_article`` sentences each, one paragraph), for the job."""
    with open(path, "w", encoding="utf-8") as f:
        for a, s in enumerate(range(0, len(pairs), per_article)):
            text = " ".join(t for t, _ in pairs[s : s + per_article])
            f.write(json.dumps({"id": f"bench-{a}", "text": text, "url": "https://example.org/" + str(a)}) + "\n")
    return path


def run_job(model_dir: Path, feed: Path, workdir: Path, name: str, **kw):
    """One whole ``label_paths`` run into a fresh job folder; (summary, sentences/s without the model's load)."""
    import shutil

    from pipeline.labelling import label_paths

    out = workdir / name
    shutil.rmtree(out, ignore_errors=True)
    summary = label_paths([feed], out, model_dir=model_dir, progress=False, **kw)
    return summary, summary.sentences / max(summary.seconds - summary.load_seconds, 1e-9)


def article_of(kb: int, pairs) -> str:
    """An article of about ``kb`` KB: the benchmark's sentences in paragraphs of five."""
    out, size, i = [], 0, 0
    while size < kb * 1024:
        para = " ".join(pairs[(i + k) % len(pairs)][0] for k in range(5))
        out.append(para)
        size += len(para.encode()) + 2
        i += 5
    return "\n\n".join(out)


def size_timings(model_dir: Path, pairs, sizes: list[int], workdir: Path) -> None:
    """Per-character cost of reading + segmenting, and of the whole job, on single articles of ``sizes`` KB."""
    from pipeline.labelling import prepare
    from pipeline.text.readers import Article

    print(f"\n{'article':>9} {'chars':>9} {'sentences':>9} {'prepare s':>10} {'us/char':>8} {'job s':>8} {'us/char':>8}")
    for kb in sizes:
        text = article_of(kb, pairs)
        started = time.perf_counter()
        prepared = prepare(Article("size", text, {}), max_chars=640)
        prep = time.perf_counter() - started
        feed = workdir / f"size-{kb}.jsonl"
        feed.write_text(json.dumps({"id": f"size-{kb}", "text": text}) + "\n", encoding="utf-8")
        summary, _ = run_job(model_dir, feed, workdir, f"size-{kb}", max_bytes=64 * 2**20)
        job = summary.seconds - summary.load_seconds
        print(f"{kb:>6} KB {len(text):>9} {len(prepared.sentences):>9} {prep:>10.2f} {prep / len(text) * 1e6:>8.1f} "
              f"{job:>8.2f} {job / len(text) * 1e6:>8.1f}")


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
    parser.add_argument("--precisions", default="", help="reduced precisions to run and compare with fp32: a comma "
                        "list of bf16, int8, or auto (int8, plus bf16 where this CPU has it natively)")
    parser.add_argument("--margin", type=float, default=None, help="top-two logit margin re-scored in fp32 "
                        "(default: pipeline.model.precision.FALLBACK_MARGINS)")
    parser.add_argument("--error-sentences", type=int, default=1000,
                        help="sentences whose raw logits are compared for the error quantiles")
    parser.add_argument("--sweep", default="", help="comma-separated batch sizes to time on 1,000 sentences first")
    parser.add_argument("--backends", default=None, help="other fp32 backends of the labeller to run beside torch: "
                        "onnx, or '' for none (default: onnx where onnxruntime is installed)")
    parser.add_argument("--skip-pipeline", action="store_true", help="do not run the plain pipeline")
    parser.add_argument("--skip-job", action="store_true", help="do not run the whole label job")
    parser.add_argument("--ray-actors", type=int, default=0, help="also run the job on the Ray engine with this "
                        "many actors (one torch thread each)")
    parser.add_argument("--sizes", default="", help="comma-separated article sizes in KB to time the job on, "
                        "e.g. 1,50,500")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    from pipeline.labelling import Labeller
    from pipeline.labelling.job import CHUNK_SENTENCES
    from pipeline.labelling.labeller import DEFAULT_BATCH_SIZE
    from pipeline.model import load_model
    from pipeline.model.onnx_backend import available as onnx_available

    batch_size = args.batch_size or DEFAULT_BATCH_SIZE
    workdir = Path(tempfile.mkdtemp(prefix="label-bench-"))
    model_dir = args.model or default_model(workdir)
    pairs, real = corpus_sentences(args.sentences)
    predictor = load_model(model_dir)
    max_length, use_context = predictor.max_length, predictor.use_context
    config = predictor.model.encoder.config
    read = as_read(pairs, predictor.context_spec)  # what the model reads: the plain pipeline gets the same pairs
    tokens = token_counts(predictor.tokenizer, read, max_length, use_context)
    flops = encoder_flops(config, tokens)
    print(f"model: {model_dir} ({predictor.model_id}); torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{psutil.cpu_count(logical=True)} logical CPUs ({torch.backends.cpu.get_cpu_capability()}), load average "
          f"{psutil.getloadavg()[0]:.1f}")
    print(f"sentences: {len(pairs)} (sentence + context pairs as the model reads them), tokens per input: mean {tokens.mean():.1f}, "
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
    reduced = {}
    backends = [b for b in (args.backends if args.backends is not None else "onnx" * onnx_available()).split(",") if b]
    for backend in backends:
        started = time.perf_counter()
        lab = Labeller(load_model(model_dir, backend=backend), batch_size)
        print(f"labeller {backend} fp32: loaded in {time.perf_counter() - started:.1f} s "
              f"(the first load exports the graph into the model folder)")
        run_labeller(lab, pairs[:64], CHUNK_SENTENCES)
        reduced[f"{backend} fp32"] = lab
        systems[f"labeller {backend} fp32"] = Meter(f"labeller {backend} fp32")
    if predictor.tagger is not None:  # what the model's speaker tagger costs: the same labellers with the rules alone
        for name, pred in [("fp32", predictor), *((k, lab.predictor) for k, lab in list(reduced.items()))]:
            key = f"{name} rules-speakers"
            reduced[key] = Labeller(pred, batch_size, speakers="rules")
            systems[f"labeller {key}"] = Meter(f"labeller {key}")
    for precision in requested_precisions(args.precisions):
        lab = Labeller(load_model(model_dir, precision=precision, fallback_margin=args.margin), batch_size)
        run_labeller(lab, pairs[:64], CHUNK_SENTENCES)
        lab.predictor.scored = lab.predictor.rescored = 0
        reduced[precision] = lab
        systems[f"labeller {precision}"] = Meter(f"labeller {precision}")

    records = {name: [] for name in systems}
    gflops, peak_seconds = [], 0.0
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
        records["labeller fp32"].extend(recs)
        peak_seconds += sec * g  # GFLOP the CPU could have done at its measured rate meanwhile
        if pipe is not None:
            with PeakRSS() as mem:
                sec = pipe(read[bounds[r] : bounds[r + 1]])
            systems["plain pipeline"].add(sec, mem)
        for precision, lab in reduced.items():
            with PeakRSS() as mem:
                recs, sec = run_labeller(lab, part, CHUNK_SENTENCES)
            systems[f"labeller {precision}"].add(sec, mem)
            records[f"labeller {precision}"].extend(recs)
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
          f"measured before each round weights its own round: {efficiency:.0%}; the limit is torch's (MKL) matmul, "
          "which another backend's kernels can beat)")
    if pipe is not None:
        for k in (k for k in systems if k.startswith("labeller")):
            x = rate[k] / rate["plain pipeline"]
            print(f"target >= {TARGET_RATIO}x the plain pipeline, {k}: {'met' if x >= TARGET_RATIO else 'NOT met'} ({x:.2f}x)")
    print(f"target >= 50% of the compute limit: {'met' if efficiency >= 0.5 else 'NOT met'} ({efficiency:.0%})")
    if not args.skip_job:
        feed = write_articles(pairs, workdir / "feed.jsonl")
        from pipeline.model.onnx_backend import resolve_backend

        job_backend = resolve_backend("auto", "fp32")
        base = f"labeller {job_backend} fp32" if f"labeller {job_backend} fp32" in rate else "labeller fp32"
        jobs = [("job local", {"backend": job_backend if base != "labeller fp32" else "torch"})]
        if args.ray_actors:
            jobs.append((f"job ray x{args.ray_actors}", {"engine": "ray", "num_actors": args.ray_actors,
                                                            "backend": jobs[0][1]["backend"]}))
        print(f"\n{'job':16} {'sentences':>10} {'wall s':>8} {'load s':>7} {'sentences/s':>12} {'vs labeller':>12}"
              f"  (job backend: {jobs[0][1]['backend']}, against the {base} row)")
        for name, kw in jobs:
            gc.collect()
            summary, job_rate = run_job(model_dir, feed, workdir, name.replace(" ", "-"), batch_size=batch_size, **kw)
            ratio = job_rate / rate[base]
            print(f"{name:16} {summary.sentences:>10} {summary.seconds:>8.1f} {summary.load_seconds:>7.1f} "
                  f"{job_rate:>12.1f} {ratio:>11.0%}")
            if name == "job local":
                print(f"target job >= 85% of the labeller's sentences/s: {'met' if ratio >= 0.85 else 'NOT met'} "
                      f"({ratio:.0%})")
    if args.sizes:
        size_timings(model_dir, pairs, [int(x) for x in args.sizes.split(",")], workdir)
    if "bf16" in reduced:
        g16 = matmul_gflops(1.5, torch.bfloat16)
        share = n * flops / 1e9 / (systems["labeller bf16"].seconds * g16)
        print(f"matmul bf16: {g16:.1f} GFLOP/s ({g16 / gmean:.1f}x fp32); labeller bf16 reaches {share:.0%} of it")
    fp32 = records["labeller fp32"]
    fields = list(predictor.fields)
    for precision, lab in reduced.items():
        other = records[f"labeller {precision}"]
        same = {f: np.array([a[f] == b[f] for a, b in zip(fp32, other)]) for f in fields}
        all_fields = np.mean([all(a[f] == b[f] for f in fields) for a, b in zip(fp32, other)])
        speakers = np.mean([a["speaker"] == b["speaker"] for a, b in zip(fp32, other)])
        if precision.endswith("rules-speakers"):
            print(f"{precision}: speakers the same as with the tagger for {speakers:.2%} of sentences; fields "
                  f"{all_fields:.2%} the same")
            continue
        worst = min(v.mean() for v in same.values())
        print(f"{precision} vs torch fp32 label agreement: " + ", ".join(f"{f} {v.mean():.2%}" for f, v in same.items())
              + f"; all four fields {all_fields:.2%} ({round((1 - all_fields) * len(fp32))} of {len(fp32)} "
              + f"sentences differ); speaker {speakers:.2%} "
              + f"(target >= 99% per field: {'met' if worst >= 0.99 else 'NOT met'})")
        print(f"  of which on the {int(real.sum())} seed-article sentences (real news text; the rest are written): "
              + ", ".join(f"{f} {same[f][real].mean():.2%}" for f in fields))
        p = lab.predictor
        if p.fallback is not None:
            print(f"  near-ties re-scored in fp32 (top-two logit margin < {p.fallback_margin:g} in any field): "
                  f"{p.rescored} of {p.scored} sentences ({p.rescored / max(p.scored, 1):.1%})")
        q = logit_error(predictor, p, pairs[: args.error_sentences])
        print(f"  raw-logit error before re-scoring (largest over fields, per sentence; {args.error_sentences} "
              f"sentences): median {q[0]:.3g}, 99th percentile {q[1]:.3g}, 99.9th {q[2]:.3g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
