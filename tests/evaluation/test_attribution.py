"""Scoring speaker attribution against gold records: lenient names, name and side accuracy, the seed gold."""

from __future__ import annotations

import json

import pytest

from pipeline import paths
from pipeline.attribution import load_actors
from pipeline.evaluation.attribution import evaluate_attribution, normalise_name, same_speaker
from tests.attribution.test_attribute import ACTORS


def test_same_speaker_is_lenient_but_not_blind():
    assert same_speaker("Kono", "Taro Kono")
    assert same_speaker("officials", "Japanese officials")
    assert same_speaker("The U.S. secretary of state", "the U.S. secretary of state")
    assert same_speaker("U.S.", "the United States", ACTORS)
    assert not same_speaker("Russia", "Russian media")
    assert not same_speaker("author", "Russia")
    assert not same_speaker("Gerasimov", "Onodera")


def test_normalise_name_drops_only_a_leading_article():
    # GUIDELINES case 58: forms that differ only in a leading "the" are one name
    assert normalise_name("The Kremlin") == normalise_name("Kremlin")
    assert normalise_name("the Ministry of Foreign Affairs of Japan") == normalise_name("Ministry of Foreign Affairs of Japan")
    assert normalise_name("Japan’s  Defense Ministry") == "japan's defense ministry"
    assert normalise_name("The") == "the"
    assert normalise_name("Other Kremlin") != normalise_name("Kremlin")
    assert normalise_name("Kremlin the") != normalise_name("Kremlin")


def test_evaluate_attribution_counts_names_and_sides():
    gold = [
        {"id": "d:0000", "doc_id": "d", "text": "Gerasimov said the radar is a threat.", "speaker": "Valery Gerasimov",
         "speaker_side": "russian"},
        {"id": "d:0001", "doc_id": "d", "text": "The meeting lasted two hours.", "speaker": "author",
         "speaker_side": "none"},
        {"id": "d:0002", "doc_id": "d", "text": "Japan deployed the system.", "speaker": "Japan",
         "speaker_side": "japanese"},
    ]
    result = evaluate_attribution(gold, ACTORS)
    assert result["sentences"] == 3 and result["attributed_sentences"] == 2
    assert result["name_accuracy"] == pytest.approx(2 / 3) and result["side_accuracy"] == pytest.approx(2 / 3)
    assert [e["id"] for e in result["errors"]] == ["d:0002"]
    sides = {"d:0000": "none", "d:0001": "russian", "d:0002": "japanese"}
    with_classifier = evaluate_attribution(gold, ACTORS, classifier_sides=sides,
                                           classifier_confidence={"d:0001": 0.6, "d:0002": 0.9}, min_confidence=0.8)
    assert with_classifier["side_accuracy"] == 1.0 and with_classifier["name_accuracy"] == pytest.approx(2 / 3)
    trusting = evaluate_attribution(gold, ACTORS, classifier_sides=sides, min_confidence=0.0)
    assert trusting["side_accuracy"] == pytest.approx(2 / 3)  # the unsure "russian" narration now stands


@pytest.mark.skipif(not (paths.SEED.exists() and (paths.ANNOTATIONS / "actors.csv").exists()),
                    reason="needs annotations/seed.jsonl and annotations/actors.csv")
def test_accuracy_on_the_seed_gold_does_not_regress():
    gold = [json.loads(line) for line in paths.SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    result = evaluate_attribution(gold, load_actors())
    assert result["name_accuracy"] >= 0.9 and result["side_accuracy"] >= 0.9, result
