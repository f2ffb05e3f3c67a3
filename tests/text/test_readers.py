"""Input discovery and reading: every bad input is a ReadError with its reason, and reading goes on."""

from __future__ import annotations

import json

import pytest

from pipeline.text.readers import Article, ReadError, discover, doc_id_for, read_file, read_inputs, read_jsonl

HTML = """<html><head><title>Japan, Russia at odds</title></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/login">Log in</a></nav>
<article><h1>Japan, Russia at odds over missile defense</h1>
<p>MOSCOW (Kyodo) -- Russia complained Tuesday about Japan's plan to deploy U.S.-developed missile defense
systems, but the two countries agreed to keep talking about a peace treaty.</p>
<p>"The system will be operated by Japan's Self-Defense Forces," Onodera said after the meeting in Moscow.</p>
</article><footer>Copyright 2018 Kyodo News. All rights reserved.</footer></body></html>"""


def _errors(items):
    return [i for i in items if isinstance(i, ReadError)]


def test_discover_walks_folders_in_order_and_reports_bad_paths(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("b/2.txt", "a.html", "c.jsonl", "notes.md", ".secret.txt", ".hidden/x.txt", "b/1.TXT"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "skip.pdf").write_bytes(b"%PDF")
    found = list(discover([tmp_path, tmp_path / "skip.pdf", tmp_path / "missing.txt"]))
    paths = [p.relative_to(tmp_path).as_posix() for p in found if not isinstance(p, ReadError)]
    assert paths == ["a.html", "c.jsonl", "b/1.TXT", "b/2.txt"]
    errors = _errors(found)
    assert [e.reason.split(" (")[0] for e in errors] == ["unsupported file type", "no such file or folder"]


def test_txt_article_has_doc_id_from_file_name_and_its_source(tmp_path):
    p = tmp_path / "Kyodo 2018-07-31 (final).txt"
    p.write_text("\ufeffRussia complained on Tuesday.\n", encoding="utf-8")
    art = read_file(p)
    assert isinstance(art, Article)
    assert art.doc_id == doc_id_for(p) == "Kyodo_2018-07-31_final"
    assert art.text == "Russia complained on Tuesday.\n"  # BOM dropped
    assert art.meta == {"source": str(p)}


def test_html_main_text_is_extracted_without_page_furniture(tmp_path):
    p = tmp_path / "page.html"
    p.write_text(HTML, encoding="utf-8")
    art = read_file(p)
    assert isinstance(art, Article), art
    assert "Russia complained Tuesday" in art.text and "Onodera said" in art.text
    assert "Log in" not in art.text and "All rights reserved" not in art.text
    assert art.meta["title"].startswith("Japan, Russia at odds")
    assert art.meta["source"] == str(p)


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("latin1.txt", "Nordterritorien: Verhandlungen über die Inseln".encode("latin-1"), "not UTF-8"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n \t\n", "empty file"),
        ("nomain.html", b"<html><head><title>Photos</title></head><body><img src='a.jpg'></body></html>",
         "no main text found in HTML"),
    ],
)
def test_bad_files_are_errors_with_their_reason(tmp_path, name, content, reason):
    p = tmp_path / name
    p.write_bytes(content)
    err = read_file(p)
    assert isinstance(err, ReadError)
    assert err.reason.startswith(reason), err.reason
    assert err.source == str(p) and err.doc_id == p.stem


def test_file_over_the_size_limit_is_too_large_and_never_read(tmp_path):
    p = tmp_path / "huge.txt"
    p.write_text("Russia said so. " * 1000, encoding="utf-8")
    err = read_file(p, max_bytes=1000)
    assert isinstance(err, ReadError) and err.reason.startswith("too large")
    assert isinstance(read_file(p, max_bytes=10**6), Article)


def _jsonl(path, lines):
    path.write_bytes(b"".join((line if isinstance(line, bytes) else line.encode("utf-8")) + b"\n" for line in lines))
    return path


def test_jsonl_lines_are_articles_with_metadata_and_bad_lines_do_not_stop_the_file(tmp_path):
    good = {"id": "kyodo-1", "text": "Russia complained on Tuesday.", "url": "https://x/1", "outlet": "Kyodo",
            "date": "2018-07-31"}
    p = _jsonl(tmp_path / "batch.jsonl", [
        json.dumps(good),
        "{not json",
        "",
        json.dumps(["a", "list"]),
        json.dumps({"text": "no id"}),
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "blank", "text": "  "}),
        b'{"id": "bad-bytes", "text": "caf\xe9"}',
        json.dumps({"id": 7, "text": "Numeric ids are fine."}),
    ])
    items = list(read_jsonl(p))
    arts = [i for i in items if isinstance(i, Article)]
    assert [a.doc_id for a in arts] == ["kyodo-1", "7"]
    assert arts[0].meta == {"url": "https://x/1", "outlet": "Kyodo", "date": "2018-07-31", "source": f"{p}:1"}
    reasons = {e.source.rsplit(":", 1)[1]: e.reason for e in _errors(items)}
    assert reasons["2"].startswith("malformed JSON")
    assert reasons["4"] == "expected a JSON object"
    assert reasons["5"] == "missing or invalid 'id'"
    assert reasons["6"] == "missing or non-string 'text'"
    assert reasons["7"] == "empty text"
    assert reasons["8"].startswith("not UTF-8")
    assert len(items) == 8  # the blank line is no item


def test_jsonl_line_over_the_limit_is_skipped_without_losing_the_next_line(tmp_path):
    big = json.dumps({"id": "big", "text": "x " * 5000})
    p = _jsonl(tmp_path / "b.jsonl", [json.dumps({"id": "a", "text": "First."}), big,
                                      json.dumps({"id": "c", "text": "Last."})])
    items = list(read_jsonl(p, max_bytes=500))
    assert [i.doc_id for i in items if isinstance(i, Article)] == ["a", "c"]
    (err,) = _errors(items)
    assert err.source.endswith(":2") and err.reason.startswith("too large")


def test_jsonl_file_larger_than_the_limit_streams_line_by_line(tmp_path):
    p = _jsonl(tmp_path / "many.jsonl", [json.dumps({"id": f"d{i}", "text": f"Sentence {i}."}) for i in range(500)])
    assert p.stat().st_size > 5000
    stream = read_jsonl(p, max_bytes=200)
    assert next(stream).doc_id == "d0"  # lazy: the first article comes before the rest is read
    assert sum(isinstance(i, Article) for i in stream) == 499


@pytest.mark.parametrize("content, reason", [(b"", "empty file"), (b"\n\n", "empty file"),
                                             (b'{"id": "x", "text": "\x00\x01\x02"}', "binary file")])
def test_empty_or_binary_jsonl_is_one_error(tmp_path, content, reason):
    p = tmp_path / "x.jsonl"
    p.write_bytes(content)
    (err,) = list(read_jsonl(p))
    assert err.reason.startswith(reason) and err.source == str(p)


def test_read_inputs_mixes_kinds_and_keeps_going(tmp_path):
    (tmp_path / "a.txt").write_text("Russia said so.", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00")
    _jsonl(tmp_path / "c.jsonl", [json.dumps({"id": "c1", "text": "Tokyo said no."}), "oops"])
    items = list(read_inputs([tmp_path]))
    assert [i.doc_id for i in items if isinstance(i, Article)] == ["a", "c1"]
    assert len(_errors(items)) == 2
