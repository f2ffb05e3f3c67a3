"""The Ray engine for ``label``: the same labelling on a pool of long-lived Ray model actors.

The engine starts its actors once per job (one CPU and one torch thread each); each loads the model once. The
whole job then streams through them: prepared articles go out in batches of :data:`ARTICLES_PER_BATCH`, round
robin, with at most :data:`IN_FLIGHT_PER_ACTOR` batches queued per actor, and come back in input order, so the
driver writes shards and manifest exactly as the local engine does while the actors keep busy across chunks.
(Earlier, each chunk became its own Ray Dataset whose actor pool reloaded the model every time.) Ray is optional
(``pip install .[ray]``) and imported only here; on a cluster, the model folder must be readable by every node at
the same path.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

from .errors import JobError
from .labeller import DEFAULT_BATCH_SIZE, Labeller, Prepared

#: Articles per call on an actor.
ARTICLES_PER_BATCH = 16
#: Batches queued on each actor, so the next is there when one finishes (and memory stays bounded).
IN_FLIGHT_PER_ACTOR = 2


def require_ray():
    """Import ray or fail with the install command."""
    try:
        import ray
    except ImportError:
        raise JobError("--engine ray needs the optional Ray extra: pip install 'stance-pipeline[ray]' "
                       "(or pip install 'ray[data]')") from None
    return ray


class LabelActor:
    """A Ray actor: loads the model once, labels batches of prepared articles for the whole job."""

    def __init__(self, model_dir: str, precision: str, batch_size: int, threads: int = 1, backend: str = "auto",
                 speakers: str = "model"):
        import torch

        torch.set_num_threads(threads)
        self.labeller = Labeller.load(model_dir, precision=precision, batch_size=batch_size, backend=backend,
                                      speakers=speakers)

    def label(self, articles: list[Prepared]) -> list[list[dict]]:
        return self.labeller.label(articles)


class RayEngine:
    """Labels a stream of prepared articles on Ray actors; starts a local Ray instance unless one is running."""

    def __init__(self, model_dir: Path | str, precision: str = "fp32", batch_size: int = DEFAULT_BATCH_SIZE,
                 num_actors: int | None = None, articles_per_batch: int = ARTICLES_PER_BATCH, backend: str = "auto",
                 speakers: str = "model"):
        ray = require_ray()
        self._started = False
        if not ray.is_initialized():
            ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
            self._started = True
        self.ray = ray
        self.num_actors = num_actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.articles_per_batch = articles_per_batch
        remote = ray.remote(num_cpus=1)(LabelActor)
        self.actors = [remote.remote(str(Path(model_dir).resolve()), precision, batch_size, backend=backend,
                                     speakers=speakers)
                       for _ in range(self.num_actors)]

    def _batches(self, chunks: Iterable[list[Prepared]]) -> Iterator[list[Prepared]]:
        batch: list[Prepared] = []
        for chunk in chunks:
            for article in chunk:
                batch.append(article)
                if len(batch) >= self.articles_per_batch:
                    yield batch
                    batch = []
        if batch:
            yield batch

    def stream(self, chunks: Iterable[list[Prepared]]) -> Iterator[tuple[str, list[dict]]]:
        """Each article's records, in input order, the actors labelling ahead of the driver."""
        in_flight: deque = deque()
        limit = IN_FLIGHT_PER_ACTOR * len(self.actors)

        def collect():
            batch, ref = in_flight.popleft()
            for article, records in zip(batch, self.ray.get(ref)):
                yield article.doc_id, records

        for i, batch in enumerate(self._batches(chunks)):
            for article in batch:
                article.found = article.rules = None  # the actors attribute; rule results need not travel
            in_flight.append((batch, self.actors[i % len(self.actors)].label.remote(batch)))
            if len(in_flight) >= limit:
                yield from collect()
        while in_flight:
            yield from collect()

    def run(self, chunk: list[Prepared]) -> Iterator[tuple[str, list[dict]]]:
        return self.stream([chunk])

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        self.actors = []
        if self._started:
            self.ray.shutdown()
