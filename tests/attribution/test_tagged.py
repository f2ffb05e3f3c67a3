"""Speakers from a tagger's per-sentence reading combined with the rules (:mod:`pipeline.attribution.tagged`)."""

import numpy as np

from pipeline.attribution.combine import combine
from pipeline.attribution.tagged import TaggerStates, attribute_tagged, read_states


def test_a_here_without_a_span_reads_as_back():
    st = TaggerStates(np.array([0.1, 0.8, 0.1]), np.zeros((2, 3)), np.array([[0, 3], [4, 8]]))
    assert read_states(st)[0] == "back" and read_states(st)[2] is None


def test_the_heads_author_overrules_a_rule_found_speaker_only_when_sure():
    texts = ["Russia said the drills were routine.", "The fleet sailed on Monday."]
    offsets = np.array([[0, 6], [7, 11]])
    sure_author = TaggerStates(np.array([0.95, 0.03, 0.02]), np.zeros((2, 3)), offsets)
    unsure = TaggerStates(np.array([0.6, 0.3, 0.1]), np.zeros((2, 3)), offsets)
    nobody = TaggerStates(np.array([0.9, 0.05, 0.05]), np.zeros((2, 3)), offsets)
    assert attribute_tagged(texts, [unsure, nobody])[0].speaker == "Russia"
    assert attribute_tagged(texts, [sure_author, nobody])[0].speaker is None
    assert attribute_tagged(texts, [sure_author, nobody], author_confidence=1.01)[0].speaker == "Russia"


def test_the_heads_mention_stands_where_the_rules_find_nobody():
    texts = ["Tokyo hopes for progress.", "Peskov on Monday: the islands are Russian territory."]
    tags = np.zeros((3, 3))
    tags[:, 0] = 1.0
    tags[0] = [0.0, 1.0, 0.0]  # B on "Peskov"
    here = TaggerStates(np.array([0.02, 0.95, 0.03]), tags, np.array([[0, 6], [7, 9], [10, 16]]))
    author = TaggerStates(np.array([0.9, 0.05, 0.05]), np.zeros((1, 3)), np.array([[0, 5]]))
    found = attribute_tagged(texts, [author, here])
    assert found[1].speaker and "Peskov" in found[1].speaker
    assert attribute_tagged(texts, [author, here], min_confidence=1.01)[1].speaker != found[1].speaker


def test_a_tagger_found_speaker_of_unknown_side_leaves_the_side_to_the_classifier():
    # The tagger finds a person the actors table does not know: the side stays unknown (not the default `other`),
    # so that the labelling job gives it the classifier's side, as for a rule-found speaker (fresh b14: job side
    # macro-F1 .680 -> .692 with this).
    texts = ["The islands were quiet.", "Zyxwv Qwerty remembers the soldiers in his classroom."]
    tags = np.zeros((4, 3))
    tags[:, 0] = 1.0
    tags[0] = [0.0, 1.0, 0.0]  # B on "Zyxwv"
    tags[1] = [0.0, 0.0, 1.0]  # I on "Qwerty"
    here = TaggerStates(np.array([0.02, 0.95, 0.03]), tags, np.array([[0, 5], [6, 12], [13, 22], [23, 26]]))
    author = TaggerStates(np.array([0.9, 0.05, 0.05]), np.zeros((1, 3)), np.array([[0, 3]]))
    found = attribute_tagged(texts, [author, here])[1]
    assert found.speaker == "Zyxwv Qwerty" and found.side is None
    assert combine(found, "japanese", 0.6) == ("Zyxwv Qwerty", "japanese", "attribution+classifier")
