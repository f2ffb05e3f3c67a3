"""Labelling memory against input size: peak RSS of `label` on N articles and on 8N, each in a fresh process.

The job streams articles through in bounded chunks, so its peak memory should stay flat as the input grows. The
input is one JSONL feed of pseudo-articles cut from the project's article and annotation sentences (the same
sentences as benchmarks/label_throughput.py); the small run is the baseline of the large one, in the same run.

    python benchmarks/label_memory.py [--model models/default] [--articles 100] [--factor 8] [--precision fp32]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

#: Run in a child process: label the feed, then report this process's own peak RSS.
CHILD = """
import json, resource, sys, time
from pipeline.labelling import label_paths
feed, out, model, precision = sys.argv[1:5]
started = time.perf_counter()
summary = label_paths([feed], out, model_dir=model, precision=precision, progress=False)
print(json.dumps({"peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "sentences": summary.sentences,
                  "articles": summary.done, "failed": summary.failed, "seconds": time.perf_counter() - started}))
"""


def write_feed(path: Path, articles: int) -> None:
    """A JSONL feed of ``articles`` pseudo-articles (the job re-segments them, so sentence counts differ a little)."""
    from label_throughput import PER_ARTICLE, corpus_sentences

    pairs, _ = corpus_sentences(articles * PER_ARTICLE)
    with path.open("w", encoding="utf-8") as f:
        for a in range(articles):
            text = " ".join(s for s, _ in pairs[a * PER_ARTICLE : (a + 1) * PER_ARTICLE])
            f.write(json.dumps({"id": f"mem-{a}", "text": text, "outlet": "benchmark"}) + "\n")


def run(feed: Path, out: Path, model: Path, precision: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(feed), str(out), str(model), precision],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"label run failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--articles", type=int, default=100, help="articles in the small (baseline) run")
    parser.add_argument("--factor", type=int, default=8, help="the large run has this many times more articles")
    parser.add_argument("--precision", default="fp32")
    args = parser.parse_args(argv)
    if not (args.model / "pipeline.json").is_file():
        raise SystemExit(f"{args.model}: no trained model (run `bash bin/main` or `stance train` first)")
    work = Path(tempfile.mkdtemp(prefix="label-memory-"))
    results = {}
    for name, n in (("small", args.articles), ("large", args.articles * args.factor)):
        feed = work / f"{name}.jsonl"
        write_feed(feed, n)
        results[name] = r = run(feed, work / f"job-{name}", args.model, args.precision)
        if r["failed"] or r["articles"] != n:
            raise SystemExit(f"{name} run: {r['articles']} of {n} articles labelled, {r['failed']} failed")
        print(f"{name:5}: {r['articles']:5} articles, {r['sentences']:6} sentences, "
              f"{feed.stat().st_size / 2**20:6.1f} MB of input, peak RSS {r['peak_rss'] / 2**20:6.0f} MB, "
              f"{r['sentences'] / r['seconds']:6.1f} sentences/s (model load included)", flush=True)
    small, large = results["small"], results["large"]
    print(f"input x{large['sentences'] / small['sentences']:.1f}, peak memory x{large['peak_rss'] / small['peak_rss']:.2f} "
          f"(+{(large['peak_rss'] - small['peak_rss']) / 2**20:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
