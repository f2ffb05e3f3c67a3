"""Find incoming articles and read them: ``.txt``, ``.html`` (main text via trafilatura), ``.jsonl`` and ``.csv``,
each also gzip-compressed (``.txt.gz``, ...).

Reading never stops on a bad input: each file (or JSONL line, or CSV row) yields either an :class:`Article` or a
:class:`ReadError` with its reason, so a batch job can record the failure and go on; every file found in a folder
is one or the other (an unsupported type is an error too). JSONL and CSV are streamed with a bounded read, so
neither a huge file nor one huge line is ever held in memory whole.

Text is decoded as UTF-8 where it is valid; otherwise a byte-order mark (UTF-16/32), an HTML page's declared
charset, or charset-normalizer's detection decides (Windows-1252, Latin-1, Windows-1251, ...). The encoding used is
recorded in each article's ``meta["encoding"]``; only binary (NUL bytes without a BOM) or undecodable bytes are
rejected.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

#: File types read by :func:`read_inputs`; each may also be gzip-compressed (``name.txt.gz``).
SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".csv")
#: Largest article accepted, in bytes (a whole .txt/.html file, or one JSONL line / CSV row), decompressed.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_SNIFF = 8192  # bytes inspected for NUL bytes (binary detection), a BOM, an HTML charset declaration
_DETECT = 1 << 16  # bytes of a JSONL/CSV file whose encoding is detected
_SAFE_ID = re.compile(r"[^A-Za-z0-9._-]+")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_HTML_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
#: Labels that browsers read as Windows-1252 (WHATWG): its C1 range holds the curly quotes and dashes.
_AS_CP1252 = {"latin-1", "iso8859-1", "ascii"}


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


@dataclass(frozen=True)
class Fields:
    """Which fields of a JSONL line or CSV row hold the id, text, title and date (the first present wins).

    ``title`` and ``date`` go into the article's ``meta`` under those names; every other field goes in as it is.
    """

    id: tuple[str, ...] = ("id", "doc_id")
    text: tuple[str, ...] = ("text",)
    title: tuple[str, ...] = ("title",)
    date: tuple[str, ...] = ("date",)

    @classmethod
    def of(cls, id: str | None = None, text: str | None = None, title: str | None = None,
           date: str | None = None) -> Fields:
        """The default mapping with the named fields replaced (``--id-field`` and friends)."""
        d = cls()
        return cls(id=(id,) if id else d.id, text=(text,) if text else d.text, title=(title,) if title else d.title,
                   date=(date,) if date else d.date)


DEFAULT_FIELDS = Fields()


def kind(path: Path) -> str | None:
    """The article type of a file name (``.txt``, ``.html``, ``.jsonl``, ``.csv``; ``.htm`` is ``.html``), looking
    through a ``.gz``; None when it is not one :func:`read_inputs` reads."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    suffix = os.path.splitext(name)[1]
    if suffix not in SUFFIXES:
        return None
    return ".html" if suffix == ".htm" else suffix


def doc_id_for(path: Path) -> str:
    """The doc_id of a .txt/.html file: its stem (without ``.gz``) with characters outside ``[A-Za-z0-9._-]``
    replaced by ``_``."""
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    return _SAFE_ID.sub("_", Path(name).stem).strip("_") or "article"


def _unsupported(path: Path) -> ReadError:
    suffix = "".join(path.suffixes[-2:]).lower() or "no extension"
    return ReadError(str(path), f"unsupported file type ({suffix}; expected {', '.join(SUFFIXES)}, or .gz of one)")


def discover(inputs: Iterable[Path | str]) -> Iterator[Path | ReadError]:
    """Files to read, in a stable order: named files as given, folders searched recursively (sorted).

    Every file found is accounted for: one of a type :func:`kind` knows is yielded as a path, any other (``.pdf``,
    ``.docx``, images, archives, ...) as a :class:`ReadError` "unsupported file type", as is a named path that does
    not exist. Hidden files and folders (``.name``) are skipped; symlinked folders are not followed (an error each,
    so a symlink loop cannot trap the walk).
    """
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for d in [d for d in dirs if not d.startswith(".") and os.path.islink(os.path.join(root, d))]:
                    yield ReadError(os.path.join(root, d), "symlinked folder not followed")
                dirs[:] = [d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(root, d))]
                for name in sorted(files):
                    if not name.startswith("."):
                        p = Path(root) / name
                        yield p if kind(p) else _unsupported(p)
        elif path.is_file():
            yield path if kind(path) else _unsupported(path)
        elif os.path.islink(path):
            yield ReadError(str(path), "cannot read: broken symlink or symlink loop")
        else:
            yield ReadError(str(path), "no such file or folder")


# --- decoding ------------------------------------------------------------------------------------------------------

def _bom(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _western(data: bytes) -> bool:
    """Mostly ASCII, and every other byte a Latin letter or typographic mark in Windows-1252: a Western-European
    export, which charset-normalizer often takes for a multi-byte East Asian or an exotic single-byte encoding."""
    sample = data[:_DETECT]
    if sum(b >= 0x80 for b in sample) > 0.3 * len(sample):
        return False
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return all(ch < "\x80" or "\xc0" <= ch <= "\xff" or ch in _CP1252_MARKS for ch in text)


_CP1252_MARKS = set("‘’‚“”„–—…•€£¥©®°±²³´µ·¹º»«¼½¾¿¡¢§¨ª¬ŠšŒœŽžŸƒˆ˜™ ")


def _detect(data: bytes) -> str | None:
    """A legacy encoding that decodes ``data``: Windows-1252 for Western-European text (:func:`_western`), else
    charset-normalizer's best match; None when no encoding fits."""
    if _western(data):
        return "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1 << 20]).best()
    return _codec(best.encoding) if best is not None else None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def _canonical(encoding: str) -> str:
    name = _codec(encoding) or encoding
    return {"utf-8-sig": "utf-8"}.get(name, name)


def decode(data: bytes, html: bool = False) -> tuple[str, str]:
    """(text, encoding) of a file's bytes; raises ValueError with the reason for binary or undecodable bytes.

    Order: a byte-order mark (UTF-8/16/32), then valid UTF-8, then (for HTML) the page's declared charset, then
    charset-normalizer's detection. NUL bytes without a BOM mean a binary file.
    """
    encoding = _bom(data)
    if encoding:
        try:
            return data.decode(encoding), _canonical(encoding)
        except UnicodeDecodeError as e:
            raise ValueError(f"undecodable ({_canonical(encoding)} byte-order mark, invalid byte at offset "
                             f"{e.start})") from None
    if b"\x00" in data[:_SNIFF]:
        raise ValueError("binary file (NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if html:
        m = _HTML_CHARSET.search(data[:_SNIFF])
        declared = _codec(m.group(1).decode("ascii", "replace")) if m else None
        if declared in _AS_CP1252:
            declared = "cp1252"
        if declared and not declared.startswith("utf-8") and _decodes(data, declared):
            return data.decode(declared), declared
    if b"\x00" in data:
        raise ValueError("binary file (NUL bytes)")
    encoding = _detect(data)
    if encoding is None or not _decodes(data, encoding):
        raise ValueError("undecodable (not UTF-8, and no text encoding fits)")
    if encoding in _AS_CP1252 and _decodes(data, "cp1252"):
        encoding = "cp1252"
    return data.decode(encoding), encoding


# --- .txt / .html ----------------------------------------------------------------------------------------------------

def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """A file's bytes (decompressed for .gz, never more than ``max_bytes`` + 1 read); ValueError for the reasons."""
    size = path.stat().st_size
    if size == 0:
        raise ValueError("empty file")
    if size > max_bytes:
        raise ValueError(f"too large ({size} bytes > limit {max_bytes})")
    if not path.name.lower().endswith(".gz"):
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except (gzip.BadGzipFile, EOFError, zlib.error) as e:
        raise ValueError(f"corrupt gzip file ({e or type(e).__name__})") from None
    if len(data) > max_bytes:
        raise ValueError(f"too large (over limit {max_bytes} bytes decompressed)")
    if not data:
        raise ValueError("empty file")
    return data


def site_name(url: object) -> str | None:
    """The site of a URL as an outlet name (``https://www.japantimes.co.jp/news/...`` -> ``japantimes.co.jp``)."""
    if not isinstance(url, str):
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def with_outlet(meta: dict) -> dict:
    """``meta`` with ``outlet`` filled, where it is missing, from the site name or the URL's host."""
    if not meta.get("outlet"):
        outlet = meta.get("sitename") or site_name(meta.get("url"))
        if outlet:
            meta["outlet"] = outlet
    return meta


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
    """Read one .txt or .html file (or its .gz) as an article (``doc_id`` from the file name)."""
    source = str(path)
    doc_id = doc_id_for(path)
    is_html = kind(path) == ".html"
    try:
        text, encoding = decode(_read_bytes(path, max_bytes), html=is_html)
    except ValueError as e:
        return ReadError(source, str(e), doc_id)
    except OSError as e:
        return ReadError(source, f"cannot read: {e.strerror or e}", doc_id)
    meta: dict = {"source": source, "encoding": encoding}
    if is_html:
        try:
            text, html_meta = _html_article(text)
        except Exception as e:  # a parser failure on one page must not stop the batch
            return ReadError(source, f"HTML extraction failed: {type(e).__name__}: {e}", doc_id)
        meta.update(html_meta)
        with_outlet(meta)
        if not text.strip():
            return ReadError(source, "no main text found in HTML", doc_id)
    if not text.strip():
        return ReadError(source, "empty file", doc_id)
    return Article(doc_id, text, meta)


# --- .jsonl / .csv ---------------------------------------------------------------------------------------------------

def _open(path: Path):
    """A binary stream of the file, decompressed for .gz."""
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def _bounded_lines(f, max_bytes: int) -> Iterator[tuple[int, bytes | str | None]]:
    """(line number, line) for each line of a file; ``None`` for a line longer than ``max_bytes``, whose rest is
    skipped in chunks, never read whole."""
    lineno = 0
    while True:
        line = f.readline(max_bytes + 1)
        if not line:
            return
        lineno += 1
        newline = "\n" if isinstance(line, str) else b"\n"
        if len(line) > max_bytes and not line.endswith(newline):
            while True:  # drain the rest of the oversized line
                rest = f.readline(1 << 20)
                if not rest or rest.endswith(newline):
                    break
            yield lineno, None
        else:
            yield lineno, line


def _first(obj: dict, names: tuple[str, ...]) -> tuple[str | None, object]:
    for name in names:
        if name in obj:
            return name, obj[name]
    return None, None


def _mapped_article(obj: object, source: str, fields: Fields, encoding: str) -> Article | ReadError:
    """An article from a JSON object or CSV row, by the field mapping."""
    if not isinstance(obj, dict):
        return ReadError(source, "expected a JSON object")
    id_key, doc_id = _first(obj, fields.id)
    if doc_id is None or (isinstance(doc_id, str) and not doc_id.strip()) or isinstance(doc_id, (dict, list, bool)):
        return ReadError(source, f"missing or invalid {' or '.join(repr(k) for k in fields.id)}")
    doc_id = str(doc_id).strip()
    text_key, text = _first(obj, fields.text)
    if not isinstance(text, str):
        return ReadError(source, f"missing or non-string {' or '.join(repr(k) for k in fields.text)}", doc_id)
    if not text.strip():
        return ReadError(source, "empty text", doc_id)
    title_key, title = _first(obj, fields.title)
    date_key, date = _first(obj, fields.date)
    used = {id_key, text_key, title_key, date_key}
    meta = {k: v for k, v in obj.items() if k not in used and v not in (None, "")}
    if title not in (None, ""):
        meta["title"] = title
    if date not in (None, ""):
        meta["date"] = date
    meta["source"] = source
    meta["encoding"] = encoding
    return Article(doc_id, text, with_outlet(meta))


def _parse_json(text: str) -> object | str:
    """The JSON value of a line, or the reason it is not one (as a str subclass-free message)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        return _Bad(f"malformed JSON: {e.msg} (column {e.colno})")
    except RecursionError:
        return _Bad("malformed JSON: nested too deeply")


class _Bad(str):
    """A reason, told apart from a JSON string value."""


def _open_sniffed(path: Path):
    """(binary stream rewound, its head, None), or (None, b"", the error) for an empty, binary, corrupt or
    unreadable file."""
    try:
        f = _open(path)
    except OSError as e:
        return None, b"", ReadError(str(path), f"cannot read: {e.strerror or e}")
    err = None
    try:
        head = f.read(_DETECT)
        f.seek(0)
    except (gzip.BadGzipFile, EOFError, zlib.error) as e:
        head, err = b"", ReadError(str(path), f"corrupt gzip file ({e or type(e).__name__})")
    except OSError as e:
        head, err = b"", ReadError(str(path), f"cannot read: {e.strerror or e}")
    if err is None and not head:
        err = ReadError(str(path), "empty file")
    if err is None and not _bom(head) and b"\x00" in head[:_SNIFF]:
        err = ReadError(str(path), "binary file (NUL bytes)")
    if err is not None:
        f.close()
        return None, b"", err
    return f, head, None


def _stream_encoding(head: bytes) -> str:
    """The encoding a JSONL/CSV file is read in: its BOM's, UTF-8 when its head is UTF-8 (or cut mid-character),
    else the detected legacy encoding."""
    bom = _bom(head)
    if bom:
        return bom
    try:
        head.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as e:
        if e.start >= len(head) - 3:  # the sample ends inside a multi-byte character
            return "utf-8-sig"
    return _detect(head) or "utf-8-sig"


def read_jsonl(path: Path, max_bytes: int = DEFAULT_MAX_BYTES,
               fields: Fields = DEFAULT_FIELDS) -> Iterator[Article | ReadError]:
    """Stream a JSONL file of articles (id, text and any metadata, by ``fields``), one result per non-blank line.

    Lines are UTF-8; a line that is not is decoded by detection (its encoding recorded), a file with a UTF-16/32
    byte-order mark is read in that encoding.
    """
    f, head, err = _open_sniffed(path)
    if err:
        yield err
        return
    with f:
        bom = _bom(head)
        stream = f if bom in (None, "utf-8-sig") else io.TextIOWrapper(f, encoding=bom)
        encoding = "utf-8" if bom in (None, "utf-8-sig") else _canonical(bom)
        seen_any = False
        lineno = 0
        try:
            for lineno, raw in _bounded_lines(stream, max_bytes):
                source = f"{path}:{lineno}"
                if raw is None:
                    seen_any = True
                    yield ReadError(source, f"too large (line over limit {max_bytes} bytes)")
                    continue
                if not raw.strip():
                    continue
                seen_any = True
                line_encoding = encoding
                if isinstance(raw, bytes):
                    try:
                        raw = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
                    except UnicodeDecodeError:
                        try:
                            raw, line_encoding = decode(raw)
                        except ValueError as e:
                            yield ReadError(source, str(e))
                            continue
                obj = _parse_json(raw)
                yield ReadError(source, obj) if isinstance(obj, _Bad) else _mapped_article(obj, source, fields,
                                                                                           line_encoding)
        except (gzip.BadGzipFile, EOFError, zlib.error) as e:
            seen_any = True
            yield ReadError(f"{path}:{lineno + 1}", f"corrupt gzip file ({e or type(e).__name__}); rest not read")
        except UnicodeDecodeError as e:
            seen_any = True
            yield ReadError(f"{path}:{lineno + 1}", f"undecodable ({encoding}: {e.reason}); rest not read")
        if not seen_any:
            yield ReadError(str(path), "empty file")


def read_csv(path: Path, max_bytes: int = DEFAULT_MAX_BYTES,
             fields: Fields = DEFAULT_FIELDS) -> Iterator[Article | ReadError]:
    """Stream a CSV file of articles (a header row, then one article a row; columns mapped by ``fields``)."""
    f, head, err = _open_sniffed(path)
    if err:
        yield err
        return
    with f:
        encoding = _stream_encoding(head)
        text = io.TextIOWrapper(f, encoding=encoding, newline="")
        csv.field_size_limit(max_bytes)
        reader = csv.reader(text)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as e:
            yield ReadError(str(path), f"malformed CSV header: {e}")
            return
        if not header or not any(h.strip() for h in header):
            yield ReadError(str(path), "empty file")
            return
        header = [h.strip() for h in header]
        missing = [names for names in (fields.id, fields.text) if not set(names) & set(header)]
        if missing:
            wanted = " and ".join(" or ".join(repr(n) for n in names) for names in missing)
            yield ReadError(str(path), f"no {wanted} column in the CSV header")
            return
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                yield ReadError(f"{path}:{reader.line_num}", f"malformed CSV row: {e}")
                continue
            except UnicodeDecodeError as e:
                yield ReadError(f"{path}:{reader.line_num + 1}", f"undecodable ({encoding}: {e.reason}); rest not read")
                break
            except (gzip.BadGzipFile, EOFError, zlib.error) as e:
                yield ReadError(f"{path}:{reader.line_num + 1}", f"corrupt gzip file ({e}); rest not read")
                break
            source = f"{path}:{reader.line_num}"
            if not any(v.strip() for v in row):
                continue
            if sum(len(v) for v in row) > max_bytes:
                yield ReadError(source, f"too large (row over limit {max_bytes} bytes)")
                continue
            obj = dict(zip(header, row))
            yield _mapped_article(obj, source, fields, _canonical(encoding))


def read_inputs(inputs: Iterable[Path | str], max_bytes: int = DEFAULT_MAX_BYTES,
                fields: Fields = DEFAULT_FIELDS) -> Iterator[Article | ReadError]:
    """Every article (or read error) under ``inputs``, lazily, in :func:`discover` order."""
    for item in discover(inputs):
        if isinstance(item, ReadError):
            yield item
        elif kind(item) == ".jsonl":
            yield from read_jsonl(item, max_bytes, fields)
        elif kind(item) == ".csv":
            yield from read_csv(item, max_bytes, fields)
        else:
            yield read_file(item, max_bytes)
