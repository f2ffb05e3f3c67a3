"""The word lists of the attribution rules, read from ``data/vocabulary.toml`` (nationality words and their sides,
pronouns, the words a speaker phrase may contain, titles, ...). Edit the data file, not this module."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
VOCABULARY_FILE = DATA / "vocabulary.toml"


def load_vocabulary(path: Path = VOCABULARY_FILE) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


_vocabulary = load_vocabulary()
_words = {name: frozenset(words) for name, words in _vocabulary["words"].items()}

#: Nationality words -> side, for speakers the actors table does not know ("Russian media", "a Japanese diplomat").
NATIONALITY: dict[str, str] = {word: side for side, words in _vocabulary["nationality"].items() for word in words}
#: Any nationality word, the longest first, as a whole word.
NATIONALITY_RE = re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, NATIONALITY), key=len, reverse=True)) + r")(?![\w-])")
#: Pronoun -> what it may refer back to: 'person', 'group' or 'body'.
PRONOUNS: dict[str, str] = dict(_vocabulary["pronouns"])
OPENERS = _words["openers"]
PREPOSITIONS = _words["prepositions"]
NP_WORDS = _words["np_words"]
PERSON_NOUNS = _words["person_nouns"]
GROUP_NOUNS = _words["group_nouns"]
BODY_NOUNS = _words["body_nouns"]
#: Every head noun of a speaker phrase.
HEAD_NOUNS = PERSON_NOUNS | GROUP_NOUNS | BODY_NOUNS | {"source"}
TITLES = _words["titles"]
NATIONAL_TITLES = _words["national_titles"]
DETERMINERS = _words["determiners"]
ADJECTIVES = _words["adjectives"]
UNNAMED_HEADS = _words["unnamed_heads"]
UNNAMED_MODIFIERS = _words["unnamed_modifiers"]
