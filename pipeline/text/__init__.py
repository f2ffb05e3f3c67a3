"""Articles -> sentences: reading incoming files, cleaning page furniture, sentence segmentation with offsets.

- :mod:`.readers`: ``.txt`` / ``.html`` / ``.jsonl`` inputs as articles, or the reason they cannot be read
- :mod:`.clean`: page furniture removed line by line (the same cleaning for the corpus and for incoming news)
- :mod:`.segment`: sentences with character offsets (pysbd plus measured post-rules by default: ``news``)
- :mod:`.articles`: the cleaned seed articles under ``annotations/articles/`` and their manifest
"""

from .articles import load_articles, prepare_articles, read_manifest
from .clean import clean_text
from .readers import Article, ReadError, read_inputs
from .segment import SEGMENTERS, Sentence, split_sentences

__all__ = ["SEGMENTERS", "Article", "ReadError", "Sentence", "clean_text", "load_articles", "prepare_articles",
           "read_inputs", "read_manifest", "split_sentences"]
