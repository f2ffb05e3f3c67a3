"""Speaker, stance, claim and topic classification for news on Japan-Russia-US security relations.

Data flows one way, and so do the imports between the stage subpackages:
articles -> sentences (:mod:`.text`) -> annotated corpus (:mod:`.annotation`) -> features -> model
(:mod:`.model`) -> labelled records (:mod:`.labelling`, with speakers from :mod:`.attribution`); evaluation
(:mod:`.evaluation`) and reports (:mod:`.reporting`) read what those write.

The public API is importable from here (``from pipeline import train, load_model``); each name is loaded on first
use, so ``import pipeline`` stays cheap and the optional extras (notebooks, Ray) are needed only by what uses them.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    # configuration
    "TrainConfig": "pipeline.config", "ConfigError": "pipeline.config", "load_config": "pipeline.config",
    # text
    "clean_text": "pipeline.text", "split_sentences": "pipeline.text", "read_inputs": "pipeline.text",
    "prepare_articles": "pipeline.text",
    # annotation
    "Record": "pipeline.schema", "CorpusError": "pipeline.jsonl", "read_records": "pipeline.annotation",
    "load_corpus": "pipeline.annotation", "validate_files": "pipeline.annotation", "agreement": "pipeline.annotation",
    "export_tasks": "pipeline.annotation", "import_export": "pipeline.annotation",
    # model
    "train": "pipeline.model", "load_model": "pipeline.model", "Predictor": "pipeline.model",
    "calibrate_int8": "pipeline.model", "record_evaluation": "pipeline.model",
    # attribution
    "attribute": "pipeline.attribution", "combine": "pipeline.attribution", "load_actors": "pipeline.attribution",
    # labelling
    "Labeller": "pipeline.labelling", "label_paths": "pipeline.labelling", "JobError": "pipeline.labelling",
    # evaluation
    "evaluate": "pipeline.evaluation", "summary_table": "pipeline.evaluation",
    "evaluate_attribution": "pipeline.evaluation",
    # reports (needs the notebooks extra)
    "render_report": "pipeline.reporting",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
