"""The Ray engine for ``label``: the same labelling through Ray Data, with a pool of model actors.

Each chunk of prepared articles becomes a Ray Dataset; ``map_batches`` sends batches of articles to a pool of
actors that each load the model once (one CPU and one torch thread per actor) and return each article's records,
which the driver writes as shards exactly as the local engine does. Ray is optional (``pip install .[ray]``) and
imported only here; on a cluster, the model folder must be readable by every node at the same path.
"""

from __future__ import annotations

import json
from pathlib import Path
from collections.abc import Iterator

from .errors import JobError
from .labeller import DEFAULT_BATCH_SIZE, Labeller, Prepared

#: Articles per ``map_batches`` call on an actor.
ARTICLES_PER_BATCH = 16


def require_ray():
    """Import ray (and ray.data) or fail with the install command."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise JobError("--engine ray needs the optional Ray extra: pip install 'stance-pipeline[ray]' "
                       "(or pip install 'ray[data]')") from None
    return ray


class LabelActor:
    """A Ray Data actor: loads the model once, labels batches of serialised articles."""

    def __init__(self, model_dir: str, precision: str, batch_size: int, threads: int = 1):
        import torch

        torch.set_num_threads(threads)
        self.labeller = Labeller.load(model_dir, precision=precision, batch_size=batch_size)

    def __call__(self, batch: dict) -> dict:
        import numpy as np

        articles = [Prepared(str(d), json.loads(m), [tuple(s) for s in json.loads(ss)])
                    for d, m, ss in zip(batch["doc_id"], batch["meta"], batch["sentences"])]
        labelled = self.labeller.label(articles)
        return {
            "doc_id": np.array([a.doc_id for a in articles], dtype=object),
            "records": np.array([json.dumps(r, ensure_ascii=False) for r in labelled], dtype=object),
        }


class RayEngine:
    """Labels chunks of prepared articles on Ray; starts a local Ray instance unless one is already running."""

    def __init__(self, model_dir: Path | str, precision: str = "fp32", batch_size: int = DEFAULT_BATCH_SIZE,
                 num_actors: int | None = None, articles_per_batch: int = ARTICLES_PER_BATCH):
        ray = require_ray()
        self._started = False
        if not ray.is_initialized():
            ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
            self._started = True
        self.ray = ray
        self.model_dir = str(Path(model_dir).resolve())
        self.precision = precision
        self.batch_size = batch_size
        self.num_actors = num_actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.articles_per_batch = articles_per_batch
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True  # shards and manifest in input order, as locally
        ctx.enable_progress_bars = False

    def run(self, chunk: list[Prepared]) -> Iterator[tuple[str, list[dict]]]:
        import ray.data

        items = [{"doc_id": a.doc_id, "meta": json.dumps(a.meta, ensure_ascii=False),
                  "sentences": json.dumps(a.sentences, ensure_ascii=False)} for a in chunk]
        ds = ray.data.from_items(items, override_num_blocks=min(len(items), 4 * self.num_actors))
        ds = ds.map_batches(
            LabelActor,
            fn_constructor_kwargs={"model_dir": self.model_dir, "precision": self.precision,
                                   "batch_size": self.batch_size},
            compute=ray.data.ActorPoolStrategy(size=min(self.num_actors, len(items))),
            batch_size=self.articles_per_batch,
            batch_format="numpy",
            num_cpus=1,
        )
        for row in ds.iter_rows():
            yield str(row["doc_id"]), json.loads(row["records"])

    def close(self) -> None:
        if self._started:
            self.ray.shutdown()
