"""Check annotation files against the schema and the articles, reporting every problem as ``file:line: message``.

:func:`pipeline.annotation.corpus.read_records` stops at the first bad line so training never sees a broken corpus; this
module is the annotators' tool: it reads past bad lines and also checks what a single record cannot show
(offsets against the text, duplicate ids, id gaps, test sentences leaking into the written training data,
whether the gold sentences tile each article). Bad input never raises: it becomes a :class:`Problem`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .. import paths
from ..text.articles import article_path, read_manifest
from ..jsonl import CorpusError, parse_lines
from ..schema import ID_PATTERN, SOURCES, Record
from .corpus import REAL_SOURCES
from .splits import SplitError, read_split

#: Written sentences sharing this many consecutive words with a seed sentence count as copied from the test set.
LEAK_NGRAM = 8
#: ... and this many with a gathered real article (the run length of the protected-evaluation-text guard).
REAL_LEAK_NGRAM = 12
#: doc_ids of the written mini-articles: ``written-<letter>-<nnn>``.
WRITTEN_DOC = re.compile(r"^written-[A-Za-z]+-\d{3}$")


@dataclass(frozen=True)
class Problem:
    """One problem at one place; line 0 means the file as a whole."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class _Row:
    """The parts of a record the cross-record checks need, taken from a line whose core fields are well typed."""

    file: str
    line: int
    id: str
    doc_id: str
    index: int
    text: str | None  # None (like start, end) where the line's value is unusable
    start: int | None
    end: int | None
    source: str
    annotator: str | None


def _brief(text: str, width: int = 50) -> str:
    """A short quotable form of ``text`` for messages."""
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def read_objects(path: Path | str) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """(line number, object) for every readable line, and a :class:`Problem` for each line or file that is not.

    Same reading rules as :func:`pipeline.jsonl.iter_jsonl` (UTF-8, one JSON object per non-blank line), but
    it carries on after a bad line so that one run reports all of them.
    """
    name = str(path)
    path = Path(path)
    if not path.exists():
        return [], [Problem(name, 0, "file not found")]
    if not path.is_file():
        return [], [Problem(name, 0, "not a regular file")]
    try:
        data = path.read_bytes()
    except OSError as e:
        return [], [Problem(name, 0, f"cannot read: {e.strerror or e}")]
    if not data.strip():
        return [], [Problem(name, 0, "empty file")]
    objects, problems = [], []
    for lineno, obj in parse_lines(name, data):
        if isinstance(obj, CorpusError):
            problems.append(Problem(name, lineno, obj.message))
        else:
            objects.append((lineno, obj))
    return objects, problems


def count_records(files: Iterable[Path | str]) -> int:
    """How many record lines (JSON objects) the files hold; unreadable lines and missing files count 0."""
    return sum(len(read_objects(f)[0]) for f in files)


# --- one record ----------------------------------------------------------------------------------------------


def _pydantic_message(error: dict) -> str:
    loc = ".".join(str(part) for part in error["loc"])
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return f"missing field '{loc}'"
    if kind == "extra_forbidden":
        return f"unknown field '{loc}'"
    if kind == "literal_error":
        return f"bad value {_brief(str(value))} for '{loc}': expected one of {error['ctx']['expected']}"
    if kind == "string_pattern_mismatch" and loc == "id":
        return f"bad id {_brief(str(value))}: expected '<doc_id>:<4-digit index>'"
    if kind.endswith("_type"):
        return f"wrong type for '{loc}': {error['msg'].lower()}, got {type(value).__name__} {_brief(str(value), 30)}"
    return f"'{loc}': {error['msg']} (got {_brief(str(value), 30)})"


def _consistency(obj: dict) -> list[str]:
    """The record rules that span fields, checked on whatever is well typed so they show beside field errors."""
    out = []
    id_, doc = obj.get("id"), obj.get("doc_id")
    if isinstance(id_, str) and isinstance(doc, str):
        m = ID_PATTERN.match(id_)
        if m and m.group("doc") != doc:
            out.append(f"id {id_!r} does not start with doc_id {doc!r}")
    start, end, text = obj.get("start"), obj.get("end"), obj.get("text")
    if _is_int(start) and _is_int(end) and isinstance(text, str) and end - start != len(text):
        out.append(f"end - start = {end - start} but the text has {len(text)} characters")
    speaker, side = obj.get("speaker"), obj.get("speaker_side")
    if isinstance(speaker, str) and isinstance(side, str) and (speaker == "author") != (side == "none"):
        out.append(f"speaker 'author' goes with speaker_side 'none' and only with it (speaker {_brief(speaker, 30)}, "
                   f"speaker_side {side!r})")
    return out


def check_record(obj: dict) -> list[str]:
    """Messages for everything wrong with one record object (empty when it is a valid :class:`Record`).

    Validation is strict (``"12"`` is not an int) and lists every field error, one message each.
    """
    messages = _consistency(obj)
    try:
        Record.model_validate(obj, strict=True)
    except ValidationError as e:
        errors = e.errors()
        field_errors = [err for err in errors if err["loc"]]
        messages = [_pydantic_message(err) for err in field_errors] + messages
        if not field_errors and len(messages) == 0:  # a model rule this module does not know by name
            messages = [err["msg"].removeprefix("Value error, ") for err in errors]
    return messages


def _row(file: str, line: int, obj: dict) -> _Row | None:
    id_, doc, text, start, end = (obj.get(k) for k in ("id", "doc_id", "text", "start", "end"))
    source, annotator = obj.get("source", "seed"), obj.get("annotator")
    if not (isinstance(id_, str) and isinstance(doc, str)):
        return None
    m = ID_PATTERN.match(id_)
    if not m or source not in SOURCES or not (annotator is None or isinstance(annotator, str)):
        return None
    if not (isinstance(text, str) and _is_int(start) and _is_int(end)):
        text = start = end = None
    return _Row(file, line, id_, doc, int(m.group("index")), text, start, end, source, annotator)


# --- across records -------------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())


def _shingles(words: Sequence[str], n: int = LEAK_NGRAM) -> Iterable[tuple[int, tuple[str, ...]]]:
    for i in range(len(words) - n + 1):
        yield i, tuple(words[i : i + n])


def _load_article(doc_id: str, articles_dir: Path, cache: dict) -> str | None | Exception:
    if doc_id not in cache:
        try:
            cache[doc_id] = article_path(doc_id, articles_dir).read_text(encoding="utf-8")
        except FileNotFoundError:
            cache[doc_id] = None
        except (OSError, UnicodeDecodeError) as e:
            cache[doc_id] = e
    return cache[doc_id]


def _check_ids(rows: list[_Row]) -> list[Problem]:
    problems, seen = [], {}
    for r in rows:
        key = (r.annotator, r.id)
        if key in seen:
            first = seen[key]
            problems.append(Problem(r.file, r.line, f"duplicate id {r.id!r} (first at {first.file}:{first.line})"))
        else:
            seen[key] = r
    by_doc: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for r in rows:
        by_doc[r.file, r.doc_id].append(r)
    for (file, doc), doc_rows in by_doc.items():
        indices = {r.index for r in doc_rows}
        missing = sorted(set(range(max(indices) + 1)) - indices)
        if missing:
            shown = ", ".join(f"{i:04d}" for i in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            first = min(doc_rows, key=lambda r: r.line)
            problems.append(Problem(file, first.line, f"ids of doc {doc!r} are not contiguous from 0000: missing {shown}"))
    sources: dict[str, dict[str, _Row]] = defaultdict(dict)
    for r in rows:
        sources[r.doc_id].setdefault(r.source, r)
    for doc, first_by_source in sources.items():
        if len(first_by_source) > 1:
            kinds = sorted(first_by_source, key=lambda k: (k != "written", k))
            r, other = first_by_source[kinds[0]], first_by_source[kinds[1]]
            problems.append(Problem(r.file, r.line, f"doc {doc!r} is both '{kinds[0]}' and '{kinds[1]}' "
                                                    f"({kinds[1]} at {other.file}:{other.line}): a split leak"))
    return problems


def _check_offsets(rows: list[_Row], articles_dir: Path) -> list[Problem]:
    problems, cache, reported = [], {}, set()
    for r in rows:
        if r.source not in REAL_SOURCES or r.text is None or r.end - r.start != len(r.text):  # length: reported per record
            continue
        article = _load_article(r.doc_id, articles_dir, cache)
        if article is None or isinstance(article, Exception):
            if (r.file, r.doc_id) not in reported:
                reported.add((r.file, r.doc_id))
                why = "no article file" if article is None else f"cannot read article ({article})"
                problems.append(Problem(r.file, r.line, f"{why} for doc_id {r.doc_id!r}: {article_path(r.doc_id, articles_dir)}"))
            continue
        got = article[r.start : r.end]
        if got != r.text:
            problems.append(Problem(r.file, r.line, f"offsets {r.start}:{r.end} of {r.doc_id} give {_brief(got)} "
                                                    f"but text is {_brief(r.text)}"))
    by_doc: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for r in rows:
        if r.source == "written":
            by_doc[r.file, r.doc_id].append(r)
    for (file, doc), doc_rows in by_doc.items():
        if not WRITTEN_DOC.match(doc):
            first = min(doc_rows, key=lambda r: r.line)
            problems.append(Problem(file, first.line, f"written doc_id {doc!r} is not 'written-<letter>-<nnn>'"))
        cursor = 0
        for r in sorted(doc_rows, key=lambda r: (r.index, r.line)):
            if r.text is None:  # the rest of this mini-article cannot be placed
                break
            expected = (cursor, cursor + len(r.text))
            if (r.start, r.end) != expected:
                problems.append(Problem(file, r.line, f"offsets {r.start}:{r.end} but the mini-article (the sentences of "
                                                      f"{doc!r} joined by one space in id order) has it at {expected[0]}:{expected[1]}"))
            cursor = expected[1] + 1
    return problems


def _check_leaks(rows: list[_Row], articles_dir: Path) -> list[Problem]:
    """Written (training) sentences must not repeat real news text: no whole sentence of it, no run of 8 words of a
    seed article and no run of 12 words of a gathered real article (the protected-text guard's rule; shorter runs of
    real news are stock phrases such as "the Sea of Japan and the East China Sea")."""
    rows = [r for r in rows if r.text is not None]
    written = [r for r in rows if r.source == "written"]
    if not written:
        return []
    exact: dict[str, _Row] = {}
    shingles: dict[int, dict[tuple[str, ...], str]] = {LEAK_NGRAM: {}, REAL_LEAK_NGRAM: {}}
    for r in rows:
        if r.source in REAL_SOURCES:
            exact.setdefault(_normalise(r.text), r)
            n = LEAK_NGRAM if r.source == "seed" else REAL_LEAK_NGRAM
            for _, sh in _shingles(_words(r.text), n):
                shingles[n].setdefault(sh, f"{r.source} sentence {r.id} ({r.file}:{r.line})")
    try:  # the articles are test data even where their annotation files are not among the files checked
        docs = [(row["doc_id"], row.get("source", "seed")) for row in read_manifest(Path(articles_dir) / "manifest.jsonl")]
    except (OSError, ValueError, KeyError, TypeError):
        docs = []
    cache: dict = {}
    for doc, source in docs:
        article = _load_article(doc, Path(articles_dir), cache)
        if isinstance(article, str):
            n = LEAK_NGRAM if source == "seed" else REAL_LEAK_NGRAM
            folded = unicodedata.normalize("NFKC", article).casefold()
            starts = [m.start() for m in re.finditer(r"\w+", folded)]
            for i, sh in _shingles(_words(article), n):
                shingles[n].setdefault(sh, f"article {doc} line {_line_of(folded, starts[i])}")
    problems = []
    for r in written:
        twin = exact.get(_normalise(r.text))
        if twin is not None:
            problems.append(Problem(r.file, r.line, f"leak: written sentence {r.id} is identical to {twin.source} sentence "
                                                    f"{twin.id} ({twin.file}:{twin.line})"))
            continue
        words = _words(r.text)
        for n, table in shingles.items():
            hits = [(i, table[sh]) for i, sh in _shingles(words, n) if sh in table]
            if not hits:
                continue
            best_start, best_len, where = hits[0][0], 0, hits[0][1]
            run_start, prev = hits[0][0], None
            for i, src in hits:  # the longest run of consecutive matching n-grams
                if prev is None or i != prev + 1:
                    run_start, run_src = i, src
                if i - run_start + 1 > best_len:
                    best_start, best_len, where = run_start, i - run_start + 1, run_src
                prev = i
            n_words = best_len + n - 1
            quoted = " ".join(words[best_start : best_start + n_words])
            problems.append(Problem(r.file, r.line, f"leak: written sentence {r.id} shares {n_words} consecutive words with "
                                                    f"{where}: {_brief(quoted, 70)}"))
            break
    return problems


# --- entry points ---------------------------------------------------------------------------------------------


def validate_files(files: Sequence[Path | str], articles_dir: Path | str = paths.ARTICLES) -> list[Problem]:
    """Every problem in the given annotation files, checked together (ids are unique across all of them).

    Duplicate ids are counted per annotator, so a second annotator's pass (``"annotator": "B"``) may repeat
    the gold ids.
    """
    articles_dir = Path(articles_dir)
    problems: list[Problem] = []
    rows: list[_Row] = []
    for f in files:
        objects, file_problems = read_objects(f)
        problems += file_problems
        for line, obj in objects:
            problems += [Problem(str(f), line, m) for m in check_record(obj)]
            row = _row(str(f), line, obj)
            if row is not None:
                rows.append(row)
    problems += _check_ids(rows)
    problems += _check_offsets(rows, articles_dir)
    problems += _check_leaks(rows, articles_dir)
    order = {str(f): i for i, f in enumerate(files)}
    return sorted(problems, key=lambda p: (order.get(p.file, len(order)), p.line))


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def check_coverage(gold: Path | str | Sequence[Path | str], articles_dir: Path | str = paths.ARTICLES) -> list[Problem]:
    """The gold sentences (of one file, or of several that between them hold each article once: seed.jsonl and
    real.jsonl) must tile each article of the manifest: no overlaps, no non-space text left out.

    Uncovered text is reported against the article file with its line number there.
    """
    articles_dir = Path(articles_dir)
    golds = [gold] if isinstance(gold, (str, Path)) else list(gold)
    objects, problems, names = [], [], []
    for g in golds:
        objs, probs = read_objects(g)
        objects += [(str(g), line, obj) for line, obj in objs]
        problems += probs
        names.append(Path(g).name)
    if problems and not objects:
        return problems
    problems = []  # line-level problems are validate_files' to report
    name = " or ".join(names)
    manifest = articles_dir / "manifest.jsonl"
    try:
        docs = [row["doc_id"] for row in read_manifest(manifest)]
    except FileNotFoundError:
        return [Problem(str(manifest), 0, "manifest not found")]
    except (OSError, ValueError, KeyError, TypeError) as e:
        return [Problem(str(manifest), 0, f"unreadable manifest: {e}")]
    rows = [r for r in (_row(file, line, obj) for file, line, obj in objects) if r is not None and r.text is not None]
    by_doc: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        by_doc[r.doc_id].append(r)
    for doc, doc_rows in by_doc.items():
        if doc not in docs:
            problems.append(Problem(doc_rows[0].file, doc_rows[0].line, f"doc_id {doc!r} is not in the manifest {manifest}"))
    cache: dict = {}
    for doc in docs:
        article = _load_article(doc, articles_dir, cache)
        apath = str(article_path(doc, articles_dir))
        if not isinstance(article, str):
            problems.append(Problem(apath, 0, "article file missing" if article is None else f"cannot read: {article}"))
            continue
        cursor, prev = 0, None
        for r in sorted(by_doc.get(doc, []), key=lambda r: (r.start, r.end, r.line)):
            if prev is not None and r.start < prev.end:
                problems.append(Problem(r.file, r.line, f"{r.id} ({r.start}:{r.end}) overlaps {prev.id} ({prev.start}:{prev.end})"))
            elif prev is not None and r.index < prev.index:
                problems.append(Problem(r.file, r.line, f"{r.id} follows {prev.id} in the article but precedes it in id order"))
            problems += _gap(apath, article, cursor, r.start, name)
            cursor, prev = max(cursor, r.end), r
        problems += _gap(apath, article, cursor, len(article), name)
    return problems


def _gap(apath: str, article: str, start: int, end: int, seed_name: str) -> list[Problem]:
    gap = article[start:end]
    if not gap.strip():
        return []
    a = start + len(gap) - len(gap.lstrip())
    b = start + len(gap.rstrip())
    first, last = _line_of(article, a), _line_of(article, b - 1)
    lines = f"line {first}" if first == last else f"lines {first}-{last}"
    return [Problem(apath, first, f"not covered by any record of {Path(seed_name).name}: "
                                  f"chars {a}:{b} ({lines}) {_brief(article[a:b], 60)}")]


def check_split(split_path: Path | str, gold: Sequence[Path | str], articles_dir: Path | str = paths.ARTICLES) -> list[Problem]:
    """Every doc_id of a split file must be an article of the manifest with gold sentences in ``gold``."""
    split_path = Path(split_path)
    try:
        docs = read_split(split_path)
    except FileNotFoundError:
        return [Problem(str(split_path), 0, "split file not found")]
    except SplitError as e:
        file, line, message = str(e).split(":", 2)
        return [Problem(file, int(line), message.strip())]
    try:
        manifest = {row["doc_id"] for row in read_manifest(Path(articles_dir) / "manifest.jsonl")}
    except (OSError, ValueError, KeyError, TypeError) as e:
        return [Problem(str(Path(articles_dir) / "manifest.jsonl"), 0, f"unreadable manifest: {e}")]
    labelled = set()
    for g in gold:
        objs, _ = read_objects(g)
        labelled |= {obj.get("doc_id") for _, obj in objs}
    lines = {d: n for n, d in enumerate((ln.split("#", 1)[0].strip() for ln in split_path.read_text(encoding="utf-8").splitlines()), 1) if d}
    problems = []
    for d in docs:
        if d not in manifest:
            problems.append(Problem(str(split_path), lines[d], f"doc_id {d!r} is not in the manifest"))
        elif d not in labelled:
            problems.append(Problem(str(split_path), lines[d], f"doc_id {d!r} has no gold sentences in {', '.join(Path(g).name for g in gold)}"))
    return problems
