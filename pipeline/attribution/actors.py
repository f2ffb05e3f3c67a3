"""Who can speak: the actors table (``annotations/actors.csv``: name, aliases, side, role, kind), looked up by name
or alias, and the :class:`Attribution` the rules give a sentence."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .. import paths

ACTORS = paths.ANNOTATIONS / "actors.csv"
SIDES = ("japanese", "russian", "us", "other")


class Attribution(NamedTuple):
    """A sentence's speaker as the rules found it (``None``: no source found) and its side (``None``: unknown)."""

    speaker: str | None
    side: str | None


class WriterView(Attribution):
    """A commentary writer as the speaker of a body sentence (:mod:`.signed`): theirs if it carries the writer's view
    (claim), the author's if it narrates facts (GUIDELINES case 27), which only the classifier's claim can tell."""

    __slots__ = ()


@dataclass(frozen=True)
class Actor:
    name: str
    aliases: tuple[str, ...]
    side: str
    role: str = ""
    kind: str = ""


class ActorTable:
    """Known actors, looked up by name or alias: exactly, or as the leftmost-longest whole-word match in a text."""

    def __init__(self, actors: Iterable[Actor] = ()):
        self.actors = list(actors)
        self._by_key: dict[str, Actor] = {}
        keys: list[str] = []
        for a in self.actors:
            for key in (a.name, *a.aliases):
                key = key.strip()
                if key and key.lower() not in self._by_key:
                    self._by_key[key.lower()] = a
                    keys.append(key)
        keys.sort(key=len, reverse=True)
        # Short or all-caps aliases ("US", "SDF") match case-sensitively, so the pronoun "us" never does.
        parts = [re.escape(k) if (len(k) <= 3 or k.isupper()) else f"(?i:{re.escape(k)})" for k in keys]
        self._pattern = re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])") if parts else None

    def __len__(self) -> int:
        return len(self.actors)

    def get(self, name: str) -> Actor | None:
        """The actor whose name or alias is exactly ``name`` (case-insensitive)."""
        return self._by_key.get(name.strip().lower())

    def search(self, text: str) -> tuple[int, Actor] | None:
        """(position, actor) of the leftmost, then longest, name or alias in ``text``."""
        m = self._pattern.search(text) if self._pattern is not None else None
        return (m.start(), self._by_key[m.group().lower()]) if m else None

    def find(self, text: str) -> Actor | None:
        found = self.search(text)
        return found[1] if found else None


def load_actors(path: Path | str = ACTORS) -> ActorTable:
    """Read the actors CSV (name, aliases, side, role, kind; aliases separated by ``|``). A missing file gives an
    empty table, so attribution still works from nationality words alone."""
    path = Path(path)
    if not path.is_file():
        return ActorTable()
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    actors = []
    for row in rows:
        name = (row.get("name") or "").strip()
        if name:
            aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
            actors.append(Actor(name, aliases, (row.get("side") or "").strip().lower(),
                                (row.get("role") or "").strip(), (row.get("kind") or "").strip().lower()))
    return ActorTable(actors)


@lru_cache(maxsize=4)
def _cached_actors(path: str, mtime: float) -> ActorTable:
    return load_actors(path)


def default_actors() -> ActorTable:
    """The project's actors table (read again when the file changes)."""
    return _cached_actors(str(ACTORS), ACTORS.stat().st_mtime if ACTORS.is_file() else 0.0)
