"""Kinds of miss found on the fresh batch b10 (measured before it joined the corpus), each with sentences written for
these tests: a wire's title-case dateline before the subject ("Tokyo, Sept. 27 (Jiji Press)—"), a foreign ministry's
long transcript title, protests of any register, and a quote that a named speaker's sentence introduces in the same
paragraph, or that the sentence before left open."""

from __future__ import annotations

from pipeline.attribution import Actor, ActorTable, attribute_article
from pipeline.attribution.resolution import clean_mention, dateline_side

ACTORS = ActorTable([
    Actor("Russia", ("Moscow",), "russian", "", "government"),
    Actor("Japan", ("Tokyo",), "japanese", "", "government"),
    Actor("Maria Zakharova", ("Zakharova",), "russian", "spokeswoman", "person"),
])


def who(sentences, actors=ACTORS, article=None):
    return [(a.speaker, a.side) for a in attribute_article(sentences, actors, article=article)]


def test_a_wire_dateline_is_not_part_of_the_subject():
    got = who(["Osaka, Oct. 3 (Jiji Press)—Russia's Border Guard Service said Tuesday that it had stopped a trawler."])
    assert got[0] == ("Russia's Border Guard Service", "russian")
    assert clean_mention("(Kyodo)–Japan's coast guard") == "Japan's coast guard"


def test_a_wire_dateline_gives_a_bare_body_its_side():
    article = "Moscow, Dec. 2 (Jiji Press)—The plan was approved.\nThe Defense Ministry said the work would end soon."
    assert dateline_side(article) == "russian"
    assert dateline_side("Kyoto, the old capital, was quiet.") is None


def test_a_long_transcript_title_makes_its_official_the_speaker_of_the_body():
    title = ("Foreign Minister Pavel Orlov's remarks and answers to media questions at a joint news conference "
             "following talks with the Minister for Foreign Affairs of a friendly country, Moscow, March 3, 2021")
    got = who([title, "Colleagues,", "We have held useful and frank talks today.",
               "Our partners raised the question of the islands."])
    assert got[2][0] == "Pavel Orlov"
    assert got[3][0] == "Pavel Orlov"


def test_a_protest_of_any_register_makes_its_lodger_the_speaker():
    got = who(["The Japanese Foreign Ministry lodged a formal protest with the Russian Embassy.",
               "Tokyo filed a strong diplomatic protest the same day."])
    assert got[0][0] == "The Japanese Foreign Ministry" and got[0][1] == "japanese"
    assert got[1] == ("Tokyo", "japanese")


def test_a_quote_opened_after_a_speakers_sentence_in_the_same_paragraph_is_theirs():
    sentences = ["Zakharova also warned against new deployments.",
                 "\u201cSuch steps would destabilise the region.",
                 "They would force us to respond.\u201d",
                 "Analysts expect more drills."]
    article = " ".join(sentences[:3]) + "\n" + sentences[3]
    got = who(sentences, article=article)
    assert got[0] == ("Zakharova", "russian")
    assert got[1] == ("Zakharova", "russian")
    assert got[2] == ("Zakharova", "russian")  # inside the quote the sentence before left open
    assert got[3][0] in (None, "author")


def test_a_quote_in_a_new_paragraph_without_quotes_before_is_not_continued():
    sentences = ["Zakharova also warned against new deployments.", "\u201cSuch steps would destabilise the region.\u201d"]
    got = who(sentences, article="\n".join(sentences))  # a paragraph apart, and the first sentence quotes nobody
    assert got[1][0] in (None, "author")


def test_a_sentence_that_closes_a_straight_quote_leaves_nothing_open():
    sentences = ['Zakharova said: "Such steps would destabilise the region.',
                 'They would force us to respond."',
                 "The drills went ahead in the north."]
    got = who(sentences, article=" ".join(sentences))
    assert got[1] == ("Zakharova", "russian")
    assert got[2][0] in (None, "author")  # the quote closed in the sentence before: narration again
