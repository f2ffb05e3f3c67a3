"""Sentences -> features -> a fine-tuned multi-task classifier, saved and loaded as a model folder.

- :mod:`.features`: (sentence, previous sentence) pairs as model inputs, the padding collator
- :mod:`.classifier`: the encoder with one linear head per field
- :mod:`.predictor`: batched, length-sorted inference; the fp32 re-scoring of near-ties
- :mod:`.precision`, :mod:`.quantize`: bf16 / int8 inference
- :mod:`.folder`: the model folder on disk (save, load, metadata, metrics, recorded evaluation, card)
- :mod:`.card`: the model card's text
- :mod:`.train`: fine-tuning with transformers' Trainer
"""

from .classifier import MultiTaskClassifier, build_model
from .folder import load_model, read_meta, record_evaluation, save_model
from .predictor import Predictor
from .train import calibrate_int8, fit, train

__all__ = ["MultiTaskClassifier", "Predictor", "build_model", "calibrate_int8", "fit", "load_model", "read_meta",
           "record_evaluation", "save_model", "train"]
