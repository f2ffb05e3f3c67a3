"""Where a job's chunks of prepared articles are labelled: in this process, or on Ray (:mod:`.ray_engine`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from .labeller import DEFAULT_BATCH_SIZE, Labeller, Prepared
from .ray_engine import RayEngine

ENGINES = ("local", "ray")


class LocalEngine:
    """Labels chunks in this process."""

    def __init__(self, model_dir, precision="fp32", batch_size=DEFAULT_BATCH_SIZE, backend="auto", speakers="model"):
        self.labeller = Labeller.load(model_dir, precision, batch_size, backend=backend, speakers=speakers)

    def run(self, chunk: list[Prepared]) -> Iterator[tuple[str, list[dict]]]:
        for article, records in zip(chunk, self.labeller.label(chunk)):
            yield article.doc_id, records

    def stream(self, chunks: Iterable[list[Prepared]]) -> Iterator[tuple[str, list[dict]]]:
        """Each article's records, chunk after chunk, in input order."""
        for chunk in chunks:
            yield from self.run(chunk)

    def close(self) -> None:
        pass


def make_engine(engine: str, model_dir: Path | str, precision: str = "fp32", batch_size: int = DEFAULT_BATCH_SIZE,
                num_actors: int | None = None, backend: str = "auto", speakers: str = "model") -> LocalEngine | RayEngine:
    if engine == "ray":
        return RayEngine(model_dir, precision, batch_size, num_actors=num_actors, backend=backend, speakers=speakers)
    return LocalEngine(model_dir, precision, batch_size, backend, speakers)
