"""The rule patterns of the attribution, read from ``data/patterns.toml`` and compiled once.

A pattern there may insert a named fragment with ``${name}`` (a fragment given as a list is its items joined
with ``|``), so the verbs of saying are listed once and shared by the patterns that need them. Edit the data
file, not this module.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from .vocabulary import DATA

PATTERNS_FILE = DATA / "patterns.toml"
_REF = re.compile(r"\$\{(\w+)\}")


def load_patterns(path: Path = PATTERNS_FILE) -> dict[str, re.Pattern]:
    """Every pattern of the file, its ``${fragment}`` references expanded, compiled."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    fragments = {k: "|".join(v) if isinstance(v, list) else v for k, v in data["fragments"].items()}

    def expand(text: str) -> str:
        return _REF.sub(lambda m: expand(fragments[m.group(1)]), text)

    return {name: re.compile(expand(text)) for name, text in data["patterns"].items()}


_patterns = load_patterns()
#: A verb of saying, thinking or feeling after up to three pre-verb words: its subject is the source.
SAY_VERB = _patterns["say_verb"]
AFTER_QUOTE = _patterns["after_quote"]
ACCORDING = _patterns["according"]
PASSIVE = _patterns["passive"]
TRAILING = _patterns["trailing"]
INSERTED = _patterns["inserted"]
INVERTED = _patterns["inverted"]
QUOTED_AS = _patterns["quoted_as"]
WHO = _patterns["who"]
PARTICIPLE = _patterns["participle"]
DATELINE = _patterns["dateline"]
INTRO = _patterns["intro"]
INTERVIEWED = _patterns["interviewed"]
NAME_LINE = _patterns["name_line"]
COMPLEMENT = _patterns["complement"]
RELATIVE_CLAUSE = _patterns["relative_clause"]
#: A negated verb of omission ending a :data:`SAY_VERB` match ("has not commented"): no statement (GUIDELINES 106).
OMITTED = _patterns["omitted"]
