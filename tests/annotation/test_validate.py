"""The validator: one test per kind of bad input, the clean fixture corpus, and the shipped corpus when present."""

from __future__ import annotations


import pytest
from typer.testing import CliRunner

from pipeline import paths
from pipeline.cli import app
from pipeline.annotation.corpus import read_records
from pipeline.annotation.splits import read_split
from pipeline.annotation.validate import Problem, check_coverage, check_split, count_records, validate_files

from ..conftest import record


def messages(problems, file=None):
    return [p.message for p in problems if file is None or p.file == str(file)]


def only(problems, line=None):
    """The one problem (at ``line`` if given); fails loudly with all of them otherwise."""
    hits = [p for p in problems if line is None or p.line == line]
    assert len(hits) == 1, "\n".join(map(str, problems))
    return hits[0]


def test_problem_prints_as_file_line_message():
    assert str(Problem("a/seed.jsonl", 7, "bad")) == "a/seed.jsonl:7: bad"


def test_fixture_corpus_is_clean(corpus):
    assert validate_files([corpus.seed, corpus.written], corpus.articles_dir) == []
    assert check_coverage(corpus.seed, corpus.articles_dir) == []


# --- file and line level --------------------------------------------------------------------------------------


def test_missing_file(tmp_path, corpus):
    p = only(validate_files([tmp_path / "nope.jsonl"], corpus.articles_dir))
    assert (p.file, p.line, p.message) == (str(tmp_path / "nope.jsonl"), 0, "file not found")


def test_empty_file(write_lines, corpus):
    path = write_lines("empty.jsonl", ["", "   "])
    assert only(validate_files([path], corpus.articles_dir)).message == "empty file"


def test_non_utf8_line_is_reported_and_reading_goes_on(write_lines, corpus):
    good = corpus.seed_records
    path = write_lines("bad.jsonl", [good[0], b'{"id": "caf\xe9"}', "{not json", good[1]])
    problems = validate_files([path], corpus.articles_dir)
    assert "not UTF-8" in only(problems, line=2).message
    assert only(problems, line=3).message.startswith("malformed JSON")
    assert [p.line for p in problems] == [2, 3]


def test_malformed_json(write_lines, corpus):
    path = write_lines("bad.jsonl", ['{"id": "paper-2018-01:0000",'])
    assert only(validate_files([path], corpus.articles_dir), line=1).message.startswith("malformed JSON")


def test_non_object_line(write_lines, corpus):
    path = write_lines("bad.jsonl", ["[1, 2]"])
    assert "expected a JSON object" in only(validate_files([path], corpus.articles_dir)).message


# --- one record ---------------------------------------------------------------------------------------------


def _one_record_problems(write_lines, corpus, rec):
    recs = [dict(r) for r in corpus.seed_records]
    recs[1] = rec
    path = write_lines("seed.jsonl", recs)
    return validate_files([path], corpus.articles_dir)


def test_missing_field_names_the_field(write_lines, corpus):
    rec = dict(corpus.seed_records[1])
    del rec["stance"]
    assert only(_one_record_problems(write_lines, corpus, rec)).message == "missing field 'stance'"


def test_unknown_field_names_the_field(write_lines, corpus):
    rec = {**corpus.seed_records[1], "stnce": "russian"}
    assert only(_one_record_problems(write_lines, corpus, rec)).message == "unknown field 'stnce'"


def test_wrong_type_names_the_field(write_lines, corpus):
    rec = {**corpus.seed_records[1], "start": str(corpus.seed_records[1]["start"])}
    p = only(_one_record_problems(write_lines, corpus, rec))
    assert p.line == 2 and p.message.startswith("wrong type for 'start'")


def test_bad_enum_names_field_and_value(write_lines, corpus):
    rec = {**corpus.seed_records[1], "stance": "pro-russian"}
    msg = only(_one_record_problems(write_lines, corpus, rec)).message
    assert "'stance'" in msg and "pro-russian" in msg and "neutral" in msg


def test_every_field_error_gets_its_own_line(write_lines, corpus):
    rec = {**corpus.seed_records[1], "stance": "x", "claim": "y"}
    del rec["topic"]
    problems = _one_record_problems(write_lines, corpus, rec)
    assert len(problems) == 3 and all(p.line == 2 for p in problems)
    for field in ("stance", "claim", "topic"):
        assert sum(f"'{field}'" in m for m in messages(problems)) == 1, field


def test_bad_id_pattern(write_lines, corpus):
    rec = {**corpus.seed_records[0], "id": "paper-2018-01:1"}
    path = write_lines("seed.jsonl", [rec])
    assert "bad id" in messages(validate_files([path], corpus.articles_dir))[0]


def test_id_prefix_must_be_doc_id(write_lines, corpus):
    rec = {**corpus.seed_records[1], "id": "paper-2018-09:0001"}
    assert "does not start with doc_id" in only(_one_record_problems(write_lines, corpus, rec)).message


@pytest.mark.parametrize("speaker, side", [("author", "japanese"), ("Sergey Lavrov", "none")])
def test_author_goes_with_none_only(write_lines, corpus, speaker, side):
    rec = {**corpus.seed_records[1], "speaker": speaker, "speaker_side": side}
    assert "speaker 'author' goes with speaker_side 'none'" in only(_one_record_problems(write_lines, corpus, rec)).message


def test_author_rule_is_checked_beside_field_errors(write_lines, corpus):
    rec = {**corpus.seed_records[1], "speaker": "author", "speaker_side": "japanese", "topic": "weather"}
    msgs = messages(_one_record_problems(write_lines, corpus, rec))
    assert len(msgs) == 2 and any("'topic'" in m for m in msgs) and any("'author'" in m for m in msgs)


def test_garbage_values_never_raise(write_lines, corpus):
    path = write_lines("junk.jsonl", [{"id": None, "doc_id": 3, "text": ["x"], "start": True, "end": -1,
                                       "source": "web", "annotator": 5}, {}, "null", '"just a string"'])
    problems = validate_files([path], corpus.articles_dir)
    assert {p.line for p in problems} == {1, 2, 3, 4}


# --- across records -----------------------------------------------------------------------------------------


def test_duplicate_id_across_files(write_lines, corpus):
    again = write_lines("again.jsonl", [corpus.seed_records[0]])
    p = only(validate_files([corpus.seed, again], corpus.articles_dir))
    assert p.file == str(again) and p.line == 1
    assert p.message == f"duplicate id 'paper-2018-01:0000' (first at {corpus.seed}:1)"


def test_second_annotator_may_repeat_ids(write_lines, corpus):
    second = write_lines("second_pass.jsonl", [{**r, "annotator": "B"} for r in corpus.seed_records[:6]])
    assert validate_files([corpus.seed, second], corpus.articles_dir) == []


def test_ids_of_a_doc_must_be_contiguous_from_0000(write_lines, corpus):
    recs = [r for r in corpus.seed_records if r["id"] != "paper-2018-01:0002"]
    path = write_lines("seed.jsonl", recs)
    p = only(validate_files([path], corpus.articles_dir))
    assert p.line == 1 and "not contiguous" in p.message and "0002" in p.message


def test_offset_mismatch_against_the_article_quotes_both(write_lines, corpus):
    rec = dict(corpus.seed_records[1])
    rec["start"] += 1
    rec["end"] += 1
    p = only(_one_record_problems(write_lines, corpus, rec))
    assert p.line == 2 and "offsets" in p.message
    assert repr(rec["text"][:20])[:-1] in p.message  # the record's text, quoted
    assert "'he foreign ministers" in p.message  # what the article holds at those offsets


def test_seed_record_without_article(write_lines, corpus):
    rec = record("paper-1999-01", 0, "Nothing here.", 0)
    p = only(validate_files([write_lines("seed.jsonl", [rec])], corpus.articles_dir))
    assert "no article file" in p.message and "paper-1999-01" in p.message


def test_written_offsets_index_the_joined_mini_article(write_lines, corpus):
    recs = [dict(r) for r in corpus.written_records]
    recs[1]["start"] += 1  # should be len(first) + 1
    recs[1]["end"] += 1
    p = only(validate_files([write_lines("written.jsonl", recs)], corpus.articles_dir))
    assert p.line == 2 and "joined by one space" in p.message


def test_written_doc_id_pattern(write_lines, corpus):
    recs = [{**r, "doc_id": "extra-001", "id": r["id"].replace("written-a-001", "extra-001")}
            for r in corpus.written_records if r["doc_id"] == "written-a-001"]
    assert "written-<letter>-<nnn>" in only(validate_files([write_lines("w.jsonl", recs)], corpus.articles_dir)).message


def test_written_sentence_identical_to_a_seed_sentence_is_a_leak(write_lines, corpus):
    seed_text = corpus.seed_records[1]["text"]  # "The foreign ministers met in Moscow on Tuesday."
    recs = [dict(r) for r in corpus.written_records if r["doc_id"] == "written-b-001"]
    leaked = "  " + seed_text.upper().replace(" ", "   ") + " "
    recs[1] = record("written-b-001", 1, leaked, recs[0]["end"] + 1, source="written")
    path = write_lines("written.jsonl", recs)
    p = only(validate_files([corpus.seed, path], corpus.articles_dir))
    assert p.file == str(path) and p.line == 2
    assert "leak" in p.message and "identical" in p.message and "paper-2018-01:0001" in p.message


def test_eight_shared_words_leak_but_seven_do_not(write_lines, corpus):
    # seed: "Moscow deployed coastal missile systems on two islands last year."
    eight = "Officials say Moscow deployed coastal missile systems on two islands, according to reports."
    seven = "Officials say Moscow deployed coastal missile systems on two bases, according to reports."
    for text, leaks in ((eight, True), (seven, False)):
        path = write_lines("written.jsonl", [record("written-c-001", 0, text, 0, source="written")])
        problems = validate_files([path], corpus.articles_dir)  # seed.jsonl not given: the articles are checked
        assert bool(problems) == leaks, (text, problems)
    path = write_lines("written.jsonl", [record("written-c-001", 0, eight, 0, source="written")])
    msg = only(validate_files([corpus.seed, path], corpus.articles_dir)).message
    assert "shares 8 consecutive words" in msg and "paper-2018-03:0002" in msg


def test_a_doc_in_both_sources_is_a_leak(write_lines, corpus):
    rec = record("paper-2018-01", 0, "Japan and Russia hold talks", 0, source="written")
    path = write_lines("written.jsonl", [rec])
    problems = validate_files([corpus.seed, path], corpus.articles_dir)
    assert any("both 'written' and 'seed'" in m for m in messages(problems, path))


# --- coverage -----------------------------------------------------------------------------------------------


def test_coverage_reports_an_uncovered_sentence_with_its_article_line(write_lines, corpus):
    recs = [r for r in corpus.seed_records if r["id"] != "paper-2018-02:0002"]
    path = write_lines("seed.jsonl", recs)
    p = only(check_coverage(path, corpus.articles_dir))
    assert p.file == str(corpus.articles_dir / "paper-2018-02.txt")
    assert p.line == 3 and "Tokyo says the plan" in p.message  # paragraph 2 is line 3 (after a blank line)


def test_coverage_reports_overlaps(write_lines, corpus):
    recs = [dict(r) for r in corpus.seed_records]
    text = corpus.articles["paper-2018-01"]
    recs[2] = {**recs[2], "start": recs[2]["start"] - 10, "text": text[recs[2]["start"] - 10 : recs[2]["end"]]}
    p = only(check_coverage(write_lines("seed.jsonl", recs), corpus.articles_dir))
    assert p.line == 3 and "overlaps paper-2018-01:0001" in p.message


def test_coverage_reports_an_article_without_records(write_lines, corpus):
    recs = [r for r in corpus.seed_records if r["doc_id"] != "paper-2018-03"]
    p = only(check_coverage(write_lines("seed.jsonl", recs), corpus.articles_dir))
    assert p.file.endswith("paper-2018-03.txt") and p.line == 1 and "lines 1-3" in p.message


def test_coverage_of_a_missing_manifest(corpus):
    (corpus.articles_dir / "manifest.jsonl").unlink()
    assert only(check_coverage(corpus.seed, corpus.articles_dir)).message == "manifest not found"


# --- the shipped corpus -------------------------------------------------------------------------------------

SECOND_PASS = paths.ANNOTATIONS / "second_pass.jsonl"


@pytest.mark.skipif(not paths.SEED.exists(), reason="annotations/seed.jsonl not written yet")
def test_shipped_corpus_validates_clean():
    files = [p for p in (paths.SEED, paths.WRITTEN, SECOND_PASS) if p.exists()]
    problems = validate_files(files, paths.ARTICLES)
    assert problems == [], "\n".join(map(str, problems[:30]))
    assert count_records([paths.SEED]) > 0


@pytest.mark.skipif(not paths.SEED.exists(), reason="annotations/seed.jsonl not written yet")
def test_shipped_gold_and_articles_cover_each_other():
    """seed.jsonl and real.jsonl between them tile every article of the manifest, each article once."""
    problems = check_coverage([paths.SEED, paths.REAL], paths.ARTICLES)
    assert problems == [], "\n".join(map(str, problems[:30]))


def test_shipped_test_split_names_labelled_real_articles():
    problems = check_split(paths.TEST_SPLIT, [paths.SEED, paths.REAL], paths.ARTICLES)
    assert problems == [], "\n".join(map(str, problems[:30]))
    docs = read_split(paths.TEST_SPLIT)
    real = {r.doc_id for r in read_records(paths.REAL)}
    assert len(docs) >= 30 and set(docs) <= real
    assert sum(1 for r in read_records(paths.REAL) if r.doc_id in set(docs)) >= 400


def test_coverage_over_several_gold_files(corpus, write_lines):
    half = len(corpus.seed_records) // 2
    docs = {r["doc_id"] for r in corpus.seed_records}
    first = [r for r in corpus.seed_records if r["doc_id"] == sorted(docs)[0]]
    rest = [r for r in corpus.seed_records if r["doc_id"] != sorted(docs)[0]]
    a, b = write_lines("a.jsonl", first), write_lines("b.jsonl", rest)
    assert check_coverage([a, b], corpus.articles_dir) == []
    assert half and check_coverage([a], corpus.articles_dir)  # the other articles are not covered by a alone


def test_split_file_problems_name_the_line(tmp_path, corpus):
    split = tmp_path / "test.txt"
    split.write_text("# header\npaper-2018-01\nno-such-article\n", encoding="utf-8")
    problems = check_split(split, [corpus.seed], corpus.articles_dir)
    assert [(p.line, "not in the manifest" in p.message) for p in problems] == [(3, True)]
    split.write_text("paper-2018-01\npaper-2018-01\n", encoding="utf-8")
    assert "listed twice" in str(check_split(split, [corpus.seed], corpus.articles_dir)[0])


@pytest.mark.skipif(not SECOND_PASS.exists(), reason="annotations/second_pass.jsonl not written yet")
def test_shipped_second_pass_validates_clean():
    problems = validate_files([SECOND_PASS], paths.ARTICLES)
    assert problems == [], "\n".join(map(str, problems[:30]))


# --- command line -------------------------------------------------------------------------------------------


def test_cli_validate_prints_problems_and_a_summary(write_lines, corpus):
    rec = {**corpus.seed_records[1], "claim": "opinion"}
    bad = write_lines("bad.jsonl", [corpus.seed_records[0], rec])
    result = CliRunner().invoke(app, ["validate", str(bad), str(corpus.written), "--articles", str(corpus.articles_dir)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(f"{bad}:2: bad value 'opinion' for 'claim'")
    assert lines[-1] == f"2 files, {2 + len(corpus.written_records)} records, 1 problems"


def test_cli_validate_clean_with_coverage(corpus):
    result = CliRunner().invoke(app, ["validate", str(corpus.seed), str(corpus.written), "--coverage", str(corpus.seed),
                                      "--articles", str(corpus.articles_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("0 problems")


def test_cli_validate_help():
    result = CliRunner().invoke(app, ["validate", "--help"])
    assert result.exit_code == 0 and "coverage" in result.output
