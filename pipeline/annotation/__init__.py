"""The annotated corpus: reading it, checking it, agreement between annotators, the Label Studio round trip.

- :mod:`.corpus`: annotation files -> records, the training ``Dataset``, article-grouped folds, the data hash
- :mod:`.validate`: every problem of annotation files as ``file:line: message``
- :mod:`.agreement`: Cohen's kappa, Krippendorff's alpha, raw agreement
- :mod:`.labelstudio`: Label Studio tasks and config out, exports back in
"""

from .agreement import agreement, format_table
from .corpus import article_folds, data_hash, default_files, load_corpus, read_records, with_context
from .labelstudio import export_tasks, import_export, labelling_config
from .validate import Problem, check_coverage, validate_files

__all__ = ["Problem", "agreement", "article_folds", "check_coverage", "data_hash", "default_files", "export_tasks",
           "format_table", "import_export", "labelling_config", "load_corpus", "read_records", "validate_files",
           "with_context"]
