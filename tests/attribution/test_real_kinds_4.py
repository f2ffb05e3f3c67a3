"""Kinds of miss found on a fresh batch of real articles (b7, measured before it joined the corpus), each with
sentences written for these tests: the side of a person the actors table does not know (from their title or the
dateline), a bare national body in a datelined report, territorial "claimed by" and "calls the Northern
Territories" read as saying, an announcer (GUIDELINES entry 51), an inverted attribution with the speaker's age, a
date before the subject, a quote that runs on in a sentence of its own, and verbs of saying the rules lacked."""

from __future__ import annotations

from pipeline.attribution import Actor, ActorTable, attribute_article
from pipeline.attribution.resolution import context_side, dateline_side, person_side

ACTORS = ActorTable([
    Actor("Russia", ("Moscow",), "russian", "", "government"),
    Actor("Japan", ("Tokyo",), "japanese", "", "government"),
    Actor("Vladimir Putin", ("Putin",), "russian", "President of Russia", "person"),
])


def who(sentences, actors=ACTORS):
    return [(a.speaker, a.side) for a in attribute_article(sentences, actors)]


def test_an_unknown_persons_side_comes_from_the_title_the_article_gives():
    article = ("Russian Deputy Foreign Minister Pavel Orlov spoke in Moscow.\n"
               "Kenji Mori, Japan's envoy to the talks, replied a day later.\n"
               "Anna Berg, a historian, was also there.")
    assert person_side("Pavel Orlov", article) == "russian"
    assert person_side("Kenji Mori", article) == "japanese"  # the title after the name
    assert person_side("Anna Berg", article) is None
    got = who(["Russian Deputy Foreign Minister Pavel Orlov said the drills would go on.",
               "Orlov added that the islands are Russian."])
    assert got == [("Pavel Orlov", "russian")] * 2


def test_a_title_is_not_read_across_a_verb():
    assert person_side("Kenji Mori", "The Russian envoy met Kenji Mori on Monday.") is None


def test_a_bare_body_or_untitled_official_takes_the_datelines_country():
    article = "TOKYO (Kyodo) -- Two Russian ships passed the strait, the Defense Ministry said.\nThey left at noon."
    assert dateline_side(article) == "japanese"
    assert dateline_side("MOSCOW, May 4. /TASS/. The talks ended.") == "russian"
    assert dateline_side("The talks ended in Tokyo.") is None
    assert context_side("the Defense Ministry", article, ACTORS) == "japanese"
    got = who(["TOKYO (Kyodo) -- Two Russian ships passed the strait, the Defense Ministry said."])
    assert got == [("the Defense Ministry", "japanese")]


def test_a_body_named_with_its_country_takes_it():
    assert context_side("The Foreign Ministry of Russia", "The Foreign Ministry of Russia said so.", ACTORS) == "russian"


def test_territorial_claims_and_names_are_not_saying():
    got = who(["Putin visited an island in the Pacific claimed by both Russia and Japan on Sunday.",
               "The island is one of four that Japan calls the Northern Territories."])
    assert got == [(None, None), (None, None)]


def test_the_announcer_is_the_speaker():
    got = who(["Japanese Defense Minister Kenji Mori announced a plan to build two radar sites.",
               "Russia announced the start of drills on the islands."])
    assert got == [("Kenji Mori", "japanese"), ("Russia", "russian")]


def test_an_inverted_attribution_with_the_speakers_age_and_the_quote_it_closes():
    got = who(['"My village was taken from me.', 'It still hurts," said 81-year-old Hana Ota, who left in 1947.'])
    assert [g[0] for g in got] == ["Hana Ota", "Hana Ota"]


def test_a_date_before_the_subject_is_no_part_of_it():
    got = who(["Russian President Vladimir Putin met the delegation.",
               "On Thursday the Russian President said the declaration lacks details."])
    assert got[1] == ("Vladimir Putin", "russian")


def test_a_quote_of_its_own_after_a_quoted_speaker_continues_the_quote():
    got = who(["Japanese Defense Minister Kenji Mori spoke after the cabinet meeting.",
               '"I hope for a frank exchange with my counterpart," she said.',
               '"We must keep talking with our neighbours."',
               "The meeting is set for March 20."])
    assert got[2] == got[1] and got[1][0] == "Kenji Mori"
    assert got[3] == (None, None)


def test_verbs_of_saying_the_rules_lacked():
    got = who(["Putin mentioned that the bases worry Moscow.",
               "Putin drew attention to the new missiles in Hokkaido.",
               "Putin made a proposal to sign a treaty without conditions.",
               "Tokyo notified Moscow that the visits are cancelled."])
    assert [g[0] for g in got] == ["Putin", "Putin", "Putin", "Tokyo"]  # the article's own form of the name


def test_a_role_resolves_to_a_person_first_named_in_a_possessive():
    got = who(["Moscow criticised Japanese Prime Minister Kenji Mori's remark about the islands on Friday.",
               "The Japanese premier once again expressed a wish to sign a peace treaty."])
    assert got[1] == ("Kenji Mori", "japanese")
