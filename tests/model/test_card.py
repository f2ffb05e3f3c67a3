from pipeline.model.card import _context_words, render_card


def test_the_card_says_what_the_context_segment_holds():
    assert _context_words({}) == "the previous sentence"
    assert _context_words({"speaker_input": True, "context_next": True}) == (
        "the speaker and side attribution finds, the previous sentence, the next sentence")
    assert _context_words({"use_context": False}) == "nothing (the sentence alone)"


def test_the_card_names_the_speaker_tagger_only_where_the_folder_has_one():
    meta = {"config": {"name": "m", "encoder": "e", "epochs": 1, "learning_rate": 1, "head_learning_rate": 1,
                       "batch_size": 1, "max_length": 8, "seed": 1, "class_weighting": "sqrt"},
            "label_maps": {"stance": ["a"]}}
    assert "Speaker tagger" not in render_card(meta, {})
    card = render_card({**meta, "speaker_tagger": {"epochs": 3, "sentences": 120}},
                       {"train": {"tagger_seconds": 42.0}})
    assert "Speaker tagger (`speaker-tagger/`): the encoder fine-tuned for 3 epochs on 120 real" in card
    assert "in 42.0 s" in card
