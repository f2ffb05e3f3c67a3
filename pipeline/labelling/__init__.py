"""Batch-label incoming articles into a resumable, crash-safe job folder.

- :mod:`.labeller`: prepared articles -> output records (classifier + attribution)
- :mod:`.engines`, :mod:`.ray_engine`: where chunks are labelled (this process, or Ray Data actors)
- :mod:`.output`: the job folder (shards, manifest, combined labels.<format>)
- :mod:`.job`: :func:`label_paths`, the job itself
"""

from .errors import JobError
from .job import Summary, label_paths
from .labeller import Labeller, Prepared, prepare
from .output import iter_records

__all__ = ["JobError", "Labeller", "Prepared", "Summary", "iter_records", "label_paths", "prepare"]
