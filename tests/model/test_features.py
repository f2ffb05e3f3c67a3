"""The context segment: what the config asks the model to read besides the sentence."""

import torch

from pipeline.attribution import Attribution
from pipeline.config import TrainConfig
from pipeline.model.classifier import MultiTaskClassifier
from pipeline.model.features import (ContextSpec, article_contexts, corpus_contexts, headline_of,
                                     previous_sentences, shuffled_speakers, speaker_phrase)

ARTICLE = ["12 Jan, 2020", "Moscow rejects Tokyo's claim to the islands", "The minister spoke on Friday.",
           "He said talks would go on."]


def test_default_spec_is_the_previous_sentence_alone():
    spec = ContextSpec.from_config(TrainConfig())
    assert spec == ContextSpec(previous=True)
    assert article_contexts(ARTICLE, spec) == [""] + ARTICLE[:-1]


def test_headline_skips_a_short_dateline_and_is_not_repeated():
    assert headline_of(ARTICLE) == ARTICLE[1]
    ctx = article_contexts(ARTICLE, ContextSpec(previous=True, headline=True))
    assert ctx[1] == ARTICLE[0]  # the headline itself gets no headline
    assert ctx[2] == ARTICLE[1]  # its previous sentence is the headline: not given twice
    assert ctx[3] == f"headline: {ARTICLE[1]} | {ARTICLE[2]}"


def test_next_sentence_and_speaker_from_attribution_given():
    found = [Attribution(None, None)] * 3 + [Attribution("Sergei Lavrov", "russian")]
    ctx = article_contexts(ARTICLE, ContextSpec(previous=False, following=True, speaker=True), found)
    assert ctx[0] == f"speaker: none found | next: {ARTICLE[1]}"
    assert ctx[3] == "speaker: Sergei Lavrov (russian)"
    assert speaker_phrase(Attribution("a panel", None)) == "speaker: a panel (side unknown)"


def test_corpus_contexts_group_rows_by_article_in_reading_order():
    doc_ids = ["a", "b", "a", "b"]
    texts = ["A one.", "B one.", "A two.", "B two."]
    assert corpus_contexts(doc_ids, texts, ContextSpec()) == ["", "", "A one.", "B one."]


def test_speaker_input_attributes_the_article_itself():
    texts = ["Japan's Prime Minister Shinzo Abe said the islands are Japanese territory.", "Talks will go on."]
    ctx = article_contexts(texts, ContextSpec(previous=False, speaker=True))
    assert ctx[0].startswith("speaker: ") and "Abe" in ctx[0]


def test_shuffled_speakers_moves_the_share_asked_and_only_within_the_article():
    import numpy as np

    found = [Attribution(f"P{i}", "japanese") for i in range(200)]
    assert shuffled_speakers(found, 0.0, np.random.default_rng(0)) == found
    moved = shuffled_speakers(found, 0.25, np.random.default_rng(0))
    changed = sum(a != b for a, b in zip(found, moved))
    assert 30 <= changed <= 70 and set(moved) <= set(found)
    assert moved == shuffled_speakers(found, 0.25, np.random.default_rng(0))  # seeded
    assert shuffled_speakers(found[:1], 0.9, np.random.default_rng(0)) == found[:1]  # nobody to swap with


def test_speaker_noise_changes_training_contexts_only_where_asked():
    texts = ["Sergey Lavrov said the islands are Russian.", "Talks will go on, the ministry said.",
             "Shinzo Abe said Japan wants them back.", "The summit ended."] * 5
    doc_ids = ["a"] * len(texts)
    spec = ContextSpec(previous=False, speaker=True)
    clean = corpus_contexts(doc_ids, texts, spec)
    assert corpus_contexts(doc_ids, texts, spec, 0.0, seed=3) == clean
    noisy = corpus_contexts(doc_ids, texts, spec, 0.5, seed=3)
    assert noisy != clean and set(noisy) <= set(clean)


def _toy_model():
    enc = torch.nn.Module()
    enc.config = type("C", (), {"hidden_size": 4})()
    return MultiTaskClassifier(enc, {"stance": ["a", "b", "c"]}, class_weights={"stance": [1.0, 2.0, 0.5]})


def test_unit_sample_weights_give_the_class_weighted_mean_loss():
    model = _toy_model()
    logits = torch.randn(6, 3)
    gold = torch.tensor([0, 1, 2, 1, 0, 2])
    plain = model._loss("stance", logits, gold)
    assert torch.allclose(model._loss("stance", logits, gold, torch.ones(6)), plain)


def test_zero_sample_weight_removes_a_row_from_the_loss():
    model = _toy_model()
    logits = torch.randn(4, 3)
    gold = torch.tensor([0, 1, 2, 1])
    weighted = model._loss("stance", logits, gold, torch.tensor([1.0, 1.0, 1.0, 0.0]))
    assert torch.allclose(weighted, model._loss("stance", logits[:3], gold[:3]))


def test_previous_sentences_stay_within_each_article():
    docs = ["a", "a", "b", "a", "b"]
    texts = ["a0", "a1", "b0", "a2", "b1"]
    assert previous_sentences(docs, texts) == ["", "a0", "", "a1", "b0"]
