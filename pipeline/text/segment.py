"""Split cleaned article text into sentences with character offsets.

Each line block of the cleaned text (a paragraph, a heading, a caption) is segmented on its own, so a
heading never merges into the paragraph after it. The default segmenter is pysbd, chosen by measuring
boundaries against the gold sentences of annotations/ (see ``benchmarks/segmenters.py``); nltk's punkt
and syntok can be selected for comparison.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

SEGMENTERS = ("pysbd", "nltk", "syntok", "regex")


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: its text and ``article[start:end] == text``."""

    index: int
    text: str
    start: int
    end: int


@cache
def _splitter(name: str) -> Callable[[str], list[str]]:
    if name == "pysbd":
        import pysbd

        seg = pysbd.Segmenter(language="en", clean=False)
        return seg.segment
    if name == "nltk":
        from nltk.tokenize.punkt import PunktSentenceTokenizer

        # Untrained punkt: the parameters that ship with nltk need a data download, which we never do.
        return PunktSentenceTokenizer().tokenize
    if name == "syntok":
        from syntok import segmenter

        def split(text: str) -> list[str]:
            out = []
            for paragraph in segmenter.analyze(text):
                for sentence in paragraph:
                    out.append("".join(t.spacing + t.value for t in sentence))
            return out

        return split
    if name == "regex":
        # a boundary after . ! or ? (optionally closed by a quote or bracket) before a capital or opening quote
        return lambda text: re.split(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“A-Z])", text)
    raise ValueError(f"unknown segmenter {name!r}; choose one of {', '.join(SEGMENTERS)}")


def _blocks(text: str) -> Iterator[tuple[int, str]]:
    """Yield (offset, line) for every non-blank line of the text."""
    for m in re.finditer(r"[^\n]+", text):
        if m.group().strip():
            yield m.start(), m.group()


def split_sentences(text: str, segmenter: str = "pysbd") -> list[Sentence]:
    """Segment cleaned article text; offsets index into ``text`` and texts carry no outer whitespace."""
    split = _splitter(segmenter)
    sentences: list[Sentence] = []
    for block_start, block in _blocks(text):
        cursor = 0
        for piece in split(block):
            piece = piece.strip()
            if not piece:
                continue
            if sentences and not any(ch.isalnum() for ch in piece) and sentences[-1].end >= block_start:
                # a lone closing quote or bracket split off by the segmenter belongs to the sentence before it
                found = block.find(piece, cursor)
                if found >= 0:
                    last = sentences[-1]
                    end = block_start + found + len(piece)
                    sentences[-1] = Sentence(last.index, text[last.start:end], last.start, end)
                    cursor = found + len(piece)
                    continue
            if sentences and sentences[-1].start >= block_start and piece[:1] in "\"”" and piece[1:2].isspace():
                # '" Then he left.': the closing quote of the sentence before, glued to this one by the segmenter
                q = block.find(piece[0], cursor)
                last = sentences[-1]
                end = block_start + q + 1
                sentences[-1] = Sentence(last.index, text[last.start:end], last.start, end)
                cursor = q + 1
                piece = piece[1:].strip()
            found = block.find(piece, cursor)
            if found < 0:  # a segmenter that rewrote whitespace: fall back to the cursor position
                found = cursor
                piece = block[cursor : cursor + len(piece)].strip()
            start = block_start + found
            sentences.append(Sentence(len(sentences), piece, start, start + len(piece)))
            cursor = found + len(piece)
    return sentences
