"""Find incoming articles and read them: ``.txt``, ``.html`` (main text via trafilatura) and ``.jsonl``.

Reading never stops on a bad input: each file (or JSONL line) yields either an :class:`Article` or a
:class:`ReadError` with its reason, so a batch job can record the failure and go on. JSONL is streamed
line by line with a bounded read, so neither a huge file nor one huge line is ever held in memory whole.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Iterable, Iterator

from ..jsonl import CorpusError, parse_line

#: File types read by :func:`read_inputs` (anything else inside a folder is ignored).
SUFFIXES = (".txt", ".html", ".htm", ".jsonl")
#: Largest article accepted, in bytes (a whole .txt/.html file, or one JSONL line).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_SNIFF = 8192  # bytes inspected for NUL bytes (binary detection)
_SAFE_ID = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Article:
    """One article to label: a stable id, its raw main text and its metadata (``source`` at least)."""

    doc_id: str
    text: str
    meta: dict = field(default_factory=dict)


@dataclass
class ReadError:
    """An input that could not be read as an article: where (``path`` or ``path:line``), why, and its id if known."""

    source: str
    reason: str
    doc_id: str | None = None

    def to_dict(self) -> dict:
        return {"source": self.source, "doc_id": self.doc_id, "reason": self.reason}


def doc_id_for(path: Path) -> str:
    """The doc_id of a .txt/.html file: its stem with characters outside ``[A-Za-z0-9._-]`` replaced by ``_``."""
    return _SAFE_ID.sub("_", path.stem).strip("_") or "article"


def discover(inputs: Iterable[Path | str]) -> Iterator[Path | ReadError]:
    """Files to read, in a stable order: named files as given, folders searched recursively (sorted).

    A named path that does not exist or has an unsupported suffix is a :class:`ReadError`; inside folders,
    only files with a suffix in :data:`SUFFIXES` are taken and hidden files and folders are skipped.
    """
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and name.lower().endswith(SUFFIXES):
                        yield Path(root) / name
        elif path.is_file():
            if path.name.lower().endswith(SUFFIXES):
                yield path
            else:
                yield ReadError(str(path), f"unsupported file type (expected one of {', '.join(SUFFIXES)})")
        else:
            yield ReadError(str(path), "no such file or folder")


def _decode(data: bytes) -> str:
    """UTF-8 text (a BOM is dropped); raises ValueError with the reason for binary or non-UTF-8 bytes."""
    if b"\x00" in data[:_SNIFF]:
        raise ValueError("binary file (NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"not UTF-8 (invalid byte at offset {e.start})") from None


def _html_article(html: str) -> tuple[str, dict]:
    """Main text and metadata (title, date, url, sitename, author) of an HTML page, via trafilatura."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False)
    if doc is None:
        return "", {}
    get = doc.get if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
    meta = {k: get(k) for k in ("title", "date", "url", "sitename", "author") if get(k)}
    return get("text") or "", meta


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Article | ReadError:
    """Read one .txt or .html file as an article (``doc_id`` from the file name)."""
    source = str(path)
    doc_id = doc_id_for(path)
    try:
        size = path.stat().st_size
        if size == 0:
            return ReadError(source, "empty file", doc_id)
        if size > max_bytes:
            return ReadError(source, f"too large ({size} bytes > limit {max_bytes})", doc_id)
        text = _decode(path.read_bytes())
    except ValueError as e:
        return ReadError(source, str(e), doc_id)
    except OSError as e:
        return ReadError(source, f"cannot read: {e.strerror or e}", doc_id)
    meta: dict = {"source": source}
    if path.suffix.lower() in (".html", ".htm"):
        try:
            text, html_meta = _html_article(text)
        except Exception as e:  # a parser failure on one page must not stop the batch
            return ReadError(source, f"HTML extraction failed: {type(e).__name__}: {e}", doc_id)
        meta.update(html_meta)
        if not text.strip():
            return ReadError(source, "no main text found in HTML", doc_id)
    if not text.strip():
        return ReadError(source, "empty file", doc_id)
    return Article(doc_id, text, meta)


def _bounded_lines(f, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line of a binary file; ``None`` for a line longer than ``max_bytes``,
    whose rest is skipped in chunks, never read whole."""
    lineno = 0
    while True:
        line = f.readline(max_bytes + 1)
        if not line:
            return
        lineno += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while True:  # drain the rest of the oversized line
                rest = f.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield lineno, None
        else:
            yield lineno, line


def _jsonl_article(obj: object, source: str) -> Article | ReadError:
    if not isinstance(obj, dict):
        return ReadError(source, "expected a JSON object")
    doc_id = obj.get("id")
    if doc_id is None or (isinstance(doc_id, str) and not doc_id.strip()) or isinstance(doc_id, (dict, list, bool)):
        return ReadError(source, "missing or invalid 'id'")
    doc_id = str(doc_id)
    text = obj.get("text")
    if not isinstance(text, str):
        return ReadError(source, "missing or non-string 'text'", doc_id)
    if not text.strip():
        return ReadError(source, "empty text", doc_id)
    meta = {k: v for k, v in obj.items() if k not in ("id", "text")}
    meta["source"] = source
    return Article(doc_id, text, meta)


def read_jsonl(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | ReadError]:
    """Stream a JSONL file of articles (``id``, ``text`` and any metadata), one result per non-blank line."""
    try:
        f = open(path, "rb")
    except OSError as e:
        yield ReadError(str(path), f"cannot read: {e.strerror or e}")
        return
    with f:
        head = f.read(_SNIFF)
        if not head:
            yield ReadError(str(path), "empty file")
            return
        if b"\x00" in head:
            yield ReadError(str(path), "binary file (NUL bytes)")
            return
        f.seek(0)
        seen_any = False
        for lineno, raw in _bounded_lines(f, max_bytes):
            source = f"{path}:{lineno}"
            if raw is None:
                seen_any = True
                yield ReadError(source, f"too large (line over limit {max_bytes} bytes)")
                continue
            if not raw.strip():
                continue
            seen_any = True
            obj = parse_line(path, lineno, raw, "utf-8-sig" if lineno == 1 else "utf-8")
            yield ReadError(source, obj.message) if isinstance(obj, CorpusError) else _jsonl_article(obj, source)
        if not seen_any:
            yield ReadError(str(path), "empty file")


def read_inputs(inputs: Iterable[Path | str], max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Article | ReadError]:
    """Every article (or read error) under ``inputs``, lazily, in :func:`discover` order."""
    for item in discover(inputs):
        if isinstance(item, ReadError):
            yield item
        elif item.suffix.lower() == ".jsonl":
            yield from read_jsonl(item, max_bytes)
        else:
            yield read_file(item, max_bytes)
