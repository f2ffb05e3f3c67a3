"""The corpus as the model sees it: ClassLabel features, context, and article-level folds without leaks."""

from __future__ import annotations

import numpy as np
import pytest
from datasets import ClassLabel

from pipeline.annotation.corpus import article_folds, load_corpus, read_records, split_rows, with_context
from pipeline.schema import FIELDS, LABELS


def test_load_corpus_features_are_class_labels(corpus):
    ds = load_corpus([corpus.seed, corpus.written])
    assert len(ds) == len(corpus.seed_records) + len(corpus.written_records)
    for field in FIELDS:
        feature = ds.features[field]
        assert isinstance(feature, ClassLabel) and feature.names == list(LABELS[field])
    by_id = {r["id"]: r for r in corpus.seed_records + corpus.written_records}
    for row in ds:
        for field in FIELDS:
            assert ds.features[field].int2str(row[field]) == by_id[row["id"]][field]


def test_context_is_the_previous_sentence_of_the_same_article(corpus):
    rows = {r["id"]: r for r in with_context(read_records(corpus.seed) + read_records(corpus.written))}
    assert rows["paper-2018-01:0000"]["context"] == ""
    assert rows["paper-2018-01:0002"]["context"] == rows["paper-2018-01:0001"]["text"]
    assert rows["paper-2018-02:0000"]["context"] == ""  # never the last sentence of another article
    assert rows["written-a-001:0001"]["context"] == rows["written-a-001:0000"]["text"]


def test_article_folds_keep_articles_whole_and_written_rows_in_train(corpus):
    ds = load_corpus([corpus.seed, corpus.written])
    docs, sources = np.array(ds["doc_id"]), np.array(ds["source"])
    folds = list(article_folds(ds["doc_id"], ds["source"], n_splits=3))
    assert len(folds) == 3
    tested = []
    for train, test in folds:
        assert len(test) and not set(train) & set(test)
        assert not set(docs[train][sources[train] == "seed"]) & set(docs[test])
        assert set(sources[test]) == {"seed"}
        assert set(np.flatnonzero(sources == "written")) <= set(train)
        tested += list(test)
    assert sorted(tested) == sorted(np.flatnonzero(sources == "seed"))  # every seed row is tested exactly once


def test_article_folds_need_two_real_articles():
    with pytest.raises(ValueError, match="at least 2 real articles"):
        list(article_folds(["a", "a", "written-a-001"], ["seed", "seed", "written"]))


def test_article_folds_test_seed_and_real_articles_never_written():
    docs = ["s1", "s1", "r1", "r1", "r2", "written-a-001", "written-a-001"]
    sources = ["seed", "seed", "real", "real", "real", "written", "written"]
    folds = list(article_folds(docs, sources, n_splits=3))
    tested = sorted(i for _, te in folds for i in te)
    assert tested == [0, 1, 2, 3, 4]  # every real row (seed or real) once, written never
    for train, test in folds:
        assert {5, 6} <= set(train)
        assert not {docs[i] for i in train} & {docs[i] for i in test}


def test_split_rows_hold_out_whole_articles():
    train, test = split_rows(["a", "b", "a", "c"], ["a", "zzz"])
    assert list(train) == [1, 3] and list(test) == [0, 2]
    train, test = split_rows(["a", "b"], [])
    assert list(train) == [0, 1] and list(test) == []
