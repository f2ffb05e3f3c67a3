"""The SetFit peer at its default cap, off the test split: macro-F1 per field and wall time, TF-IDF+LR beside it.

Wall time depends on what else the machine runs; CPU time (all threads of this process) is the steadier figure.
Trains on every row outside the test split (seed, real, written) except ``--held-out`` real articles drawn by
``--seed``, and scores those articles' sentences. The test split is neither scored nor read beyond its doc_ids.

    OMP_NUM_THREADS=2 python benchmarks/setfit_cost.py                  # 20 held-out articles, default cap
    python benchmarks/setfit_cost.py --max-steps 40 --fields stance     # a quick look at one field
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from pipeline.annotation.corpus import REAL_SOURCES, load_corpus, split_rows
from pipeline.config import SetFitConfig, load_config, resolve_encoder
from pipeline.evaluation.baselines import embed, fit_predict
from pipeline.model.train import load_test_split
from pipeline.schema import FIELDS
from sklearn.metrics import f1_score


def held_out_rows(ds, test_docs: list[str], n_articles: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training rows, held-out rows): ``n_articles`` real articles outside the test split, drawn by ``seed``."""
    pool, _ = split_rows(ds["doc_id"], test_docs)
    doc_ids, sources = np.asarray(ds["doc_id"]), np.asarray(ds["source"])
    real_docs = sorted({doc_ids[i] for i in pool if sources[i] in REAL_SOURCES})
    held = set(np.random.default_rng(seed).choice(real_docs, size=n_articles, replace=False).tolist())
    in_held = np.isin(doc_ids, sorted(held))
    return pool[~in_held[pool]], pool[in_held[pool]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--held-out", type=int, default=20, help="real articles held out and scored")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--max-steps", type=int, default=None, help="contrastive steps per field (default: SetFitConfig's)")
    ap.add_argument("--fields", nargs="*", default=list(FIELDS))
    ap.add_argument("--systems", nargs="*", default=["tfidf_logreg", "minilm_logreg", "setfit"])
    args = ap.parse_args()

    config = load_config()
    ds = load_corpus(config.data_files())
    train, held = held_out_rows(ds, load_test_split(config), args.held_out, args.seed)
    cap = SetFitConfig() if args.max_steps is None else SetFitConfig(max_steps=args.max_steps)
    texts = np.asarray(ds["text"], dtype=object)
    print(f"train {len(train)} rows, held out {len(held)} sentences of {args.held_out} real articles; cap {cap.model_dump()}")
    result: dict = {"n_train": len(train), "n_held_out": len(held), "cap": cap.model_dump(), "systems": {}}
    for system in args.systems:
        result["systems"][system] = {}
        emb = None  # minilm_logreg: frozen embeddings of the training and held-out rows only (never the test split)
        if system == "minilm_logreg":
            rows = np.concatenate([train, held])
            vectors = embed(list(texts[rows]), resolve_encoder(config.encoder))
            emb = np.zeros((len(texts), vectors.shape[1]), dtype=vectors.dtype)
            emb[rows] = vectors
        for f in args.fields:
            gold = np.asarray(ds[f])
            t0, c0 = time.perf_counter(), time.process_time()
            pred = fit_predict(system, texts[train], gold[train], texts[held], args.seed, None if emb is None else emb[train],
                               None if emb is None else emb[held], encoder=config.encoder, setfit=cap)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            f1 = f1_score(gold[held], pred, average="macro", zero_division=0)  # over the labels present, as per fold
            result["systems"][system][f] = {"macro_f1": round(float(f1), 4), "wall_s": round(wall, 1), "cpu_s": round(cpu, 1)}
            print(f"{system:13s} {f:13s} macro-F1 {f1:.3f}  {wall:6.1f} s wall  {cpu:6.1f} s CPU", flush=True)
        total = {k: sum(v[k] for v in result["systems"][system].values()) for k in ("wall_s", "cpu_s")}
        print(f"{system:13s} total {total['wall_s']:.1f} s wall, {total['cpu_s']:.1f} s CPU")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
