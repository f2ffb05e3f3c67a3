"""Kinds of miss found on a fresh batch of real articles (b8, measured before it joined the corpus), each with
sentences written for these tests: a sentence adverb before a colon is no interview answer and a dash tag is no
question, a tag line finishing a quote, a passive agent followed by a date, lower-case modifiers after a possessive
("Japan's fisheries agency"), a body's possessive name kept whole, an untitled person's side from a title before a
comma, "they" for a body's staff, and verbs of saying the rules lacked."""

from __future__ import annotations

import pytest

from pipeline.attribution import Actor, ActorTable, attribute_article
from pipeline.attribution.resolution import clean_mention, person_side

ACTORS = ActorTable([
    Actor("Russia", ("Moscow",), "russian", "", "government"),
    Actor("Japan", ("Tokyo",), "japanese", "", "government"),
    Actor("Ministry of Foreign Affairs of Russia", ("Russian Foreign Ministry", "the Russian Foreign Ministry"),
          "russian", "", "government"),
])


def who(sentences, actors=ACTORS):
    return [(a.speaker, a.side) for a in attribute_article(sentences, actors)]


def test_a_sentence_adverb_before_a_colon_is_not_an_interview_answer():
    got = who(["The new Japanese premier Kenji Mori said that Tokyo wants a treaty.",
               "However, he set one condition: the islands must come back.",
               "Russian diplomat Pavel Orlov said the condition was unacceptable.",
               "\"These islands are ours,",
               "- the Russian diplomat declared then."])
    assert got[0] == ("Kenji Mori", "japanese")
    assert got[2] == ("Pavel Orlov", "russian")
    assert "However" not in {s for s, _ in got}
    assert got[4] == ("Pavel Orlov", "russian")  # the tag line finishing the quote is the diplomat's


def test_a_passive_agent_ends_before_a_date():
    got = who(["This view was expressed by Foreign Minister Pavel Orlov in March 2019, when he spoke to students."])
    assert got[0][0] == "Pavel Orlov"


@pytest.mark.parametrize("sentence, speaker", [
    ("Japan's fisheries agency says the quota will rise next year.", "Japan's fisheries agency"),
    ("Russia would not go on, its overseas ministry mentioned on Monday.", "its overseas ministry"),
])
def test_lower_case_modifiers_after_a_possessive_stay_in_the_phrase(sentence, speaker):
    assert who([sentence])[0][0] == speaker


def test_a_bodys_possessive_name_is_kept_whole():
    assert clean_mention("Japan's Joint Staff") == "Japan's Joint Staff"
    assert clean_mention("Russia's Foreign Minister Pavel Orlov") == "Pavel Orlov"


def test_a_title_before_a_comma_gives_an_untitled_persons_side():
    article = "Japan's Chief Cabinet Secretary, Kenji Mori called the visit \"regrettable\"."
    assert person_side("Kenji Mori", article) == "japanese"
    assert who([article]) == [("Kenji Mori", "japanese")]


def test_they_after_a_body_speaks_for_the_body():
    got = who(["The Russian Foreign Ministry summoned the Japanese ambassador on Monday, the ministry said.",
               "They warned that the drills threaten regional security."])
    assert got[1] == ("The Russian Foreign Ministry", "russian")


@pytest.mark.parametrize("sentence, speaker", [
    ("Russia intensively lobbied the cabinet not to buy the radar.", "Russia"),
    ("Tokyo put forward a condition for the talks.", "Tokyo"),
    ("Kyodo reports that the talks will not be held this year.", "Kyodo"),
    ("Moscow has issued a stern warning that it will respond.", "Moscow"),
    ("The Russian Foreign Ministry submitted an official complaint over the drills.", "The Russian Foreign Ministry"),
    ("Japan reacted angrily after the visit.", "Japan"),
    ("Tokyo declined to identify the diplomats.", "Tokyo"),
    ("Russia has come to acknowledge that a dispute exists.", "Russia"),
    ("Officials in Tokyo were surprised to hear the news.", "Officials in Tokyo"),
])
def test_verbs_of_saying_the_fresh_batch_showed_missing(sentence, speaker):
    assert who([sentence])[0][0] == speaker


def test_a_report_is_its_issuers_where_the_article_named_it_released_by_the_body():
    got = who(["Tokyo voiced concern in the annual white paper released by Japan's Defense Ministry.",
               "The report draws attention to new Russian missiles on the islands.",
               "The document also highlights large exercises."])
    assert [s for s, _ in got[1:]] == ["Japan's Defense Ministry"] * 2  # GUIDELINES entry 32


@pytest.mark.parametrize("title, speaker", [
    ("Comment by the Information and Press Department on the ferry talks", "the Information and Press Department"),
    ("Statement by U.S. Ambassador to Japan Kenji Mori: Allies Stand Together", "Kenji Mori"),
    ("Prime Minister's Address to the Annual Ferry Rally", "Prime Minister"),
    ("Gist of PM Mori's remarks to reporters on the ferry talks", "Mori"),
])
def test_an_official_documents_title_makes_its_issuer_the_speaker_of_the_body(title, speaker):
    got = who([title, "The ferry talks resumed in May.", "We will keep working for an agreement."])
    assert [s for s, _ in got[1:]] == [speaker, speaker]  # GUIDELINES 27/63: an official's text is speech


def test_a_headline_about_an_officials_remarks_is_no_title_line():
    got = who(["He commented on Kenji Mori's statement made the day before.", "The ferry talks resumed in May."])
    assert got[1] == (None, None)


def test_a_bodys_side_is_its_own_nationality_word_and_a_tie_goes_to_the_first_written():
    from pipeline.attribution.resolution import context_side

    article = "Japan's Defense Ministry met Russia's Defense Ministry in May.\nThe Defense Ministry said so."
    assert context_side("The Defense Ministry", article, ACTORS) == "japanese"  # not the order of a set
    assert context_side("An official of the Russian Defense Ministry", article, ACTORS) == "russian"
