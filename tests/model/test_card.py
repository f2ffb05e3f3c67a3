from pipeline.model.card import _context_words


def test_the_card_says_what_the_context_segment_holds():
    assert _context_words({}) == "the previous sentence"
    assert _context_words({"speaker_input": True, "context_next": True}) == (
        "the speaker and side attribution finds, the previous sentence, the next sentence")
    assert _context_words({"use_context": False}) == "nothing (the sentence alone)"
