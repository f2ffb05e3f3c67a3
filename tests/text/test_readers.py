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
    assert [e.reason.split(" (")[0] for e in errors] == ["unsupported file type"] * 3 + ["no such file or folder"]
    assert [e.source for e in errors[:3]] == [str(tmp_path / n) for n in ("notes.md", "skip.pdf", "skip.pdf")]


def test_txt_article_has_doc_id_from_file_name_and_its_source(tmp_path):
    p = tmp_path / "Kyodo 2018-07-31 (final).txt"
    p.write_text("\ufeffRussia complained on Tuesday.\n", encoding="utf-8")
    art = read_file(p)
    assert isinstance(art, Article)
    assert art.doc_id == doc_id_for(p) == "Kyodo_2018-07-31_final"
    assert art.text == "Russia complained on Tuesday.\n"  # BOM dropped
    assert art.meta == {"source": str(p), "encoding": "utf-8"}


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
        ("odd.txt", b"\xff\xfeR\x00u\x00s", "undecodable (utf-16 byte-order mark"),
        ("noise.txt", bytes(range(1, 256)) * 8, "undecodable"),
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
    assert [a.doc_id for a in arts] == ["kyodo-1", "bad-bytes", "7"]
    assert arts[0].meta == {"url": "https://x/1", "outlet": "Kyodo", "date": "2018-07-31", "source": f"{p}:1",
                            "encoding": "utf-8"}
    assert (arts[1].text, arts[1].meta["encoding"]) == ("café", "cp1252")  # a Latin-1 line among UTF-8 ones
    reasons = {e.source.rsplit(":", 1)[1]: e.reason for e in _errors(items)}
    assert reasons["2"].startswith("malformed JSON")
    assert reasons["4"] == "expected a JSON object"
    assert reasons["5"] == "missing or invalid 'id' or 'doc_id'"
    assert reasons["6"] == "missing or non-string 'text'"
    assert reasons["7"] == "empty text"
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


# --- encodings -------------------------------------------------------------------------------------------------------

RUSSIAN = "Москва заявила, что размещение ракет угрожает её безопасности. Токио с этим не согласен."


@pytest.mark.parametrize("text, encoding, recorded", [
    ("Verhandlungen über die Inseln wurden fortgesetzt.", "latin-1", "cp1252"),
    ("“The talks will go on,” Abe’s aide said — at the café.", "cp1252", "cp1252"),
    (RUSSIAN, "cp1251", "cp1251"),
    ("Russia said the deployment threatens its security.", "utf-16", "utf-16"),
    ("Russia said the deployment threatens its security.", "utf-32", "utf-32"),
    ("Russia said so, «clearly».", "utf-8", "utf-8"),
])
def test_legacy_encodings_and_utf16_32_with_a_bom_are_decoded_and_recorded(tmp_path, text, encoding, recorded):
    p = tmp_path / "a.txt"
    p.write_bytes(text.encode(encoding))
    art = read_file(p)
    assert isinstance(art, Article), art
    assert art.text == text and art.meta["encoding"] == recorded


def test_html_declared_charset_decodes_the_page(tmp_path):
    body = ("<p>" + RUSSIAN + " " + RUSSIAN + "</p>") * 3
    page = f'<html><head><meta charset="windows-1251"><title>Курилы</title></head><body><article>{body}</article>' \
           "</body></html>"
    p = tmp_path / "ru.html"
    p.write_bytes(page.encode("cp1251"))
    art = read_file(p)
    assert isinstance(art, Article), art
    assert art.meta["encoding"] == "cp1251" and "Москва заявила" in art.text


def test_html_metadata_from_trafilatura_fills_title_date_and_outlet(tmp_path):
    page = HTML.replace("<title>", '<meta property="og:site_name" content="Kyodo News">'
                        '<meta name="date" content="2018-07-31"><title>')
    p = tmp_path / "page.html"
    p.write_text(page, encoding="utf-8")
    art = read_file(p)
    assert art.meta["title"].startswith("Japan, Russia at odds") and art.meta["date"] == "2018-07-31"
    assert art.meta["outlet"] == art.meta["sitename"] == "Kyodo News"


# --- compressed and unsupported files ----------------------------------------------------------------------------------

def test_gzip_files_of_a_supported_type_are_read_and_others_are_unsupported(tmp_path):
    import gzip

    (tmp_path / "a.txt.gz").write_bytes(gzip.compress("Russia said so.".encode("cp1252")))
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(b'{"id": "b1", "text": "Tokyo said no."}\n'))
    (tmp_path / "c.csv.gz").write_bytes(gzip.compress(b"id,text\nc1,Moscow said yes.\n"))
    (tmp_path / "d.pdf.gz").write_bytes(gzip.compress(b"%PDF-1.4"))
    (tmp_path / "e.txt.gz").write_bytes(b"\x1f\x8b\x08\x00broken")
    (tmp_path / "f.txt.gz").write_bytes(gzip.compress(b"x " * 5000))  # a small file, large once decompressed
    items = list(read_inputs([tmp_path], max_bytes=4096))
    arts = {i.doc_id: i for i in items if isinstance(i, Article)}
    assert sorted(arts) == ["a", "b1", "c1"] and arts["a"].text == "Russia said so."
    reasons = {e.source.rsplit("/", 1)[1]: e.reason for e in _errors(items)}
    assert reasons["d.pdf.gz"].startswith("unsupported file type (.pdf.gz")
    assert reasons["e.txt.gz"].startswith("corrupt gzip file")
    assert reasons["f.txt.gz"].startswith("too large")


def test_unsupported_types_inside_folders_are_errors_not_silently_skipped(tmp_path):
    for name in ("report.pdf", "memo.docx", "photo.jpg", "archive.zip", "README"):
        (tmp_path / name).write_bytes(b"\x00data")
    errors = _errors(read_inputs([tmp_path]))
    assert len(errors) == 5 and all(e.reason.startswith("unsupported file type") for e in errors)


def test_symlinked_folders_and_symlink_loops_are_errors(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Russia said so.", encoding="utf-8")
    (tmp_path / "in" / "loop").symlink_to(tmp_path / "in")
    (tmp_path / "in" / "self.txt").symlink_to(tmp_path / "in" / "self.txt")
    items = list(read_inputs([tmp_path / "in"]))
    assert [i.doc_id for i in items if isinstance(i, Article)] == ["a"]
    reasons = sorted(e.reason.split(":")[0] for e in _errors(items))
    assert reasons == ["cannot read", "symlinked folder not followed"]


# --- field mapping -----------------------------------------------------------------------------------------------------

def test_jsonl_takes_doc_id_as_well_as_id_and_fills_outlet_from_the_url(tmp_path):
    p = _jsonl(tmp_path / "feed.jsonl", [json.dumps({"doc_id": "x1", "text": "Russia said so.",
                                                     "url": "https://www.japantimes.co.jp/news/1"}),
                                         json.dumps({"id": "x2", "doc_id": "ignored", "text": "Japan said no.",
                                                     "outlet": "Kyodo", "url": "https://kyodonews.net/2"})])
    a, b = read_jsonl(p)
    assert (a.doc_id, a.meta["outlet"]) == ("x1", "japantimes.co.jp")
    assert (b.doc_id, b.meta["outlet"], b.meta["doc_id"]) == ("x2", "Kyodo", "ignored")


def test_field_mapping_names_the_id_text_title_and_date_fields(tmp_path):
    from pipeline.text.readers import Fields

    fields = Fields.of(id="guid", text="body", title="headline", date="published")
    p = _jsonl(tmp_path / "feed.jsonl", [json.dumps({"guid": "g1", "body": "Russia said so.", "headline": "Talks",
                                                     "published": "2018-07-31", "lang": "en"}),
                                         json.dumps({"id": "g2", "text": "unmapped names"})])
    good, bad = read_jsonl(p, fields=fields)
    assert good.doc_id == "g1" and good.text == "Russia said so."
    assert good.meta == {"title": "Talks", "date": "2018-07-31", "lang": "en", "source": f"{p}:1", "encoding": "utf-8"}
    assert bad.reason == "missing or invalid 'guid'"


def test_csv_articles_with_the_same_mapping(tmp_path):
    from pipeline.text.readers import Fields, read_csv

    p = tmp_path / "feed.csv"
    p.write_bytes('doc_id,content,headline,url\n'
                  'c1,"Russia said, again, that the islands are Russian.",Islands,https://www.nhk.or.jp/a\n'
                  'c2,,Empty,\n'
                  ',"No id here.",x,\n'
                  '\n'
                  'c3,"Café talks in Moscow.",Talks,\n'.encode("cp1252"))
    items = list(read_csv(p, fields=Fields.of(text="content", title="headline")))
    arts = [i for i in items if isinstance(i, Article)]
    assert [a.doc_id for a in arts] == ["c1", "c3"]
    assert arts[0].text == "Russia said, again, that the islands are Russian."
    assert arts[0].meta == {"title": "Islands", "url": "https://www.nhk.or.jp/a", "outlet": "nhk.or.jp",
                            "source": f"{p}:2", "encoding": "cp1252"}
    assert arts[1].text == "Café talks in Moscow."
    assert [e.reason for e in _errors(items)] == ["empty text", "missing or invalid 'id' or 'doc_id'"]
    (missing,) = read_csv(p)  # default mapping: no 'text' column
    assert missing.reason == "no 'text' column in the CSV header"


def test_deeply_nested_or_huge_json_lines_are_errors(tmp_path):
    p = _jsonl(tmp_path / "deep.jsonl", ["[" * 100_000 + "]" * 100_000,
                                         json.dumps({"id": "big", "text": "x" * 400_000}),
                                         json.dumps({"id": "ok", "text": "Fine."})])
    items = list(read_jsonl(p, max_bytes=300_000))
    assert [i.reason.split(":")[0].split(" (")[0] for i in _errors(items)] == ["malformed JSON", "too large"]
    assert [i.doc_id for i in items if isinstance(i, Article)] == ["ok"]
