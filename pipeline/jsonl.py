"""JSON Lines, the project's one reading rule (UTF-8, one JSON object a line), for annotation files and incoming
articles alike: a bad line is a :class:`CorpusError` saying ``file:line: message``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path


class CorpusError(ValueError):
    """A problem in an annotation file, reported as ``file:line: message``."""

    def __init__(self, path: Path | str, line: int, message: str):
        self.path, self.line, self.message = str(path), line, message
        super().__init__(f"{path}:{line}: {message}")


def parse_line(path: Path | str, lineno: int, raw: bytes, encoding: str = "utf-8") -> object | CorpusError:
    """Decode one JSONL line and parse its JSON: the value, or the :class:`CorpusError` saying why not.

    The one reading rule of the project (UTF-8, JSON) shared by annotation files and incoming JSONL articles.
    """
    try:
        line = raw.decode(encoding)
    except UnicodeDecodeError as e:
        return CorpusError(path, lineno, f"not UTF-8 (byte {e.start} of the line: {raw[e.start:e.start + 4]!r})")
    try:
        return json.loads(line)
    except json.JSONDecodeError as e:
        return CorpusError(path, lineno, f"malformed JSON: {e.msg} (column {e.colno})")


def parse_lines(path: Path | str, data: bytes) -> Iterator[tuple[int, dict | CorpusError]]:
    """(line number, object or the :class:`CorpusError` for that line) for every non-blank line of a JSONL file.

    Callers choose whether a bad line stops them (:func:`iter_jsonl`) or is collected (``validate``).
    """
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        obj = parse_line(path, lineno, raw)
        if not isinstance(obj, (dict, CorpusError)):
            obj = CorpusError(path, lineno, f"expected a JSON object, got {type(obj).__name__}")
        yield lineno, obj


def iter_jsonl(path: Path | str) -> Iterator[tuple[int, dict]]:
    """Yield (line number, object) for each non-blank line; the first bad line raises :class:`CorpusError`."""
    for lineno, obj in parse_lines(path, Path(path).read_bytes()):
        if isinstance(obj, CorpusError):
            raise obj
        yield lineno, obj


def write_jsonl(path: Path | str, rows: Iterable[dict]) -> None:
    """Write rows as UTF-8 JSONL atomically (temporary file, then rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    tmp.replace(path)
