"""The labelling job's speaker_side on gold units: attribution first, the classifier where it is sure enough."""

import numpy as np

from pipeline.attribution import Attribution
from pipeline.evaluation.job_side import corpus_attribution, job_sides, threshold_grid
from pipeline.schema import LABELS

SIDES = list(LABELS["speaker_side"])


def _probs(rows):
    out = np.full((len(rows), len(SIDES)), 0.0)
    for i, (side, p) in enumerate(rows):
        out[i] = (1 - p) / (len(SIDES) - 1)
        out[i, SIDES.index(side)] = p
    return out


def test_attribution_decides_where_it_finds_a_side_and_the_classifier_only_when_sure():
    found = [Attribution("Sergei Lavrov", "russian"), Attribution(None, None), Attribution(None, None)]
    probs = _probs([("japanese", 0.99), ("us", 0.95), ("us", 0.55)])
    got = [SIDES[i] for i in job_sides(found, probs, min_confidence=0.9)]
    assert got == ["russian", "us", "none"]  # a low-confidence side falls back to the author's sentence
    assert [SIDES[i] for i in job_sides(found, probs, min_confidence=0.5)] == ["russian", "us", "us"]


def test_threshold_grid_scores_each_threshold():
    found = [Attribution(None, None)] * 2
    probs = _probs([("us", 0.95), ("us", 0.6)])
    gold = np.array([SIDES.index("us"), SIDES.index("none")])
    grid = threshold_grid(found, probs, gold, grid=(0.5, 0.9))
    assert grid["0.5"]["accuracy"] == 0.5 and grid["0.9"]["accuracy"] == 1.0


def test_corpus_attribution_attributes_each_article_apart():
    doc_ids = ["a", "b", "a"]
    texts = ["Foreign Minister Sergei Lavrov said the islands are Russian.", "The weather was fine.",
             "\"We will not give them up,\" he added."]
    found = corpus_attribution(doc_ids, texts)
    assert len(found) == 3 and found[1].speaker is None
    assert found[0].side == "russian"


def test_a_commentary_writers_narration_of_fact_goes_back_to_the_author_as_in_the_labeller():
    from pipeline.attribution import WriterView

    found = [WriterView("Jane Roe", "us")] * 2
    probs = _probs([("us", 0.99), ("us", 0.99)])
    claims = [list(LABELS["claim"]).index("claim"), list(LABELS["claim"]).index("fact")]
    assert [SIDES[i] for i in job_sides(found, probs, 0.999, claims)] == ["us", "none"]
