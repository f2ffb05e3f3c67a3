"""Sentence segmentation: offsets always index the text, quotes stay with their sentence."""

import pytest

from pipeline.text.segment import SEGMENTERS, split_sentences

TEXT = ('Referring to the system, Gerasimov said, "The equipment will be under U.S. control.\n\n'
        'That is why we are concerned." Onodera disagreed. "It is defensive."\nWhat Happened\n')


@pytest.mark.parametrize("name", SEGMENTERS)
def test_offsets_index_the_text_and_headings_stay_apart(name):
    sents = split_sentences(TEXT, name)
    assert all(TEXT[s.start:s.end] == s.text for s in sents)
    assert [s.index for s in sents] == list(range(len(sents)))
    assert sents[-1].text == "What Happened"


def test_closing_quote_split_off_by_pysbd_rejoins_its_sentence():
    texts = [s.text for s in split_sentences(TEXT, "pysbd")]
    assert 'That is why we are concerned."' in texts
    assert not any(t.startswith('"') and t[1:2].isspace() for t in texts)
    assert all(any(c.isalnum() for c in t) for t in texts)


def test_unknown_segmenter_is_named():
    with pytest.raises(ValueError, match="unknown segmenter 'spacy'"):
        split_sentences("A. B.", "spacy")
