"""Wall time and peak memory of training the default model on the full corpus, on this machine's CPU.

Compared in the same run against a baseline: the same model fine-tuned the plain way (nothing frozen) for
one epoch, so the printed ratio shows what the partial freezing buys per epoch. Each training runs in its
own process so peak RSS is that training's alone.

    python benchmarks/train_cost.py [--config models/default.toml] [--skip-baseline] [--keep models/default]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS, TARGET_GIB = 600, 3.0


def run_training(config: dict, out: Path) -> tuple[float, float, dict]:
    """Train in a child process; return (wall seconds, peak RSS GiB, metrics.json)."""
    # beside the output in a scratch folder: never `out.with_suffix(".toml")`, which for --keep models/default is
    # the user's own models/default.toml
    cfg_path = Path(tempfile.mkdtemp(prefix="train-cost-")) / f"{out.name}.toml"
    cfg_path.write_text("\n".join(f"{k} = {json.dumps(v)}" for k, v in config.items() if not isinstance(v, dict))
                        + "".join(f"\n[{k}]\n" + "\n".join(f"{a} = {b}" for a, b in v.items())
                                  for k, v in config.items() if isinstance(v, dict)) + "\n")
    code = ("import resource, sys; from pipeline.cli import app; "
            "sys.argv=['stance','train','--config',sys.argv[1],'--out',sys.argv[2],'--no-progress']; "
            "import atexit; atexit.register(lambda: print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)); app()")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, str(cfg_path), str(out)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"})
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"training failed:\n{proc.stderr[-3000:]}")
    rss_kb = max(int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("MAXRSS_KB"))
    return wall, rss_kb / 2**20, json.loads((out / "metrics.json").read_text())["train"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(ROOT / "models" / "default.toml"))
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--keep", metavar="DIR", help="keep the project-config model here (e.g. models/default)")
    args = ap.parse_args()
    config = tomllib.loads(Path(args.config).read_text())
    import torch

    print(f"CPU threads: {torch.get_num_threads()}, torch {torch.__version__}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        project_out = Path(args.keep).resolve() if args.keep else tmp / "project"
        wall, gib, m = run_training(config, project_out)
        epochs = float(config.get("epochs", 1))
        rows.append(("project config", epochs, wall, wall / epochs, gib, m))
        if not args.skip_baseline:
            plain = {**config, "epochs": 1, "freeze_embeddings": False, "freeze_layers": 0}
            bwall, bgib, bm = run_training(plain, tmp / "plain")
            rows.append(("plain fine-tune (1 epoch)", 1.0, bwall, bwall, bgib, bm))
    print(f"\n{'run':28} {'epochs':>6} {'wall s':>8} {'s/epoch':>8} {'peak GiB':>9} {'rows':>6} {'steps':>6}")
    for name, ep, wall, per, gib, m in rows:
        print(f"{name:28} {ep:>6.1f} {wall:>8.1f} {per:>8.1f} {gib:>9.2f} {m['train_rows']:>6} {m['steps']:>6}")
    w, g = rows[0][2], rows[0][4]
    print(f"\ntarget: under {TARGET_SECONDS} s and {TARGET_GIB} GiB -> wall {w:.0f} s ({w / TARGET_SECONDS:.2f} of target), "
          f"peak {g:.2f} GiB ({g / TARGET_GIB:.2f} of target): {'MET' if w < TARGET_SECONDS and g < TARGET_GIB else 'MISSED'}")
    if len(rows) > 1:
        print(f"seconds per epoch, plain / project: {rows[1][3] / rows[0][3]:.2f}x; "
              f"peak memory, plain / project: {rows[1][4] / rows[0][4]:.2f}x")


if __name__ == "__main__":
    main()
