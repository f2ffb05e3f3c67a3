"""Kinds of miss found on the training articles in round 9 (2026-12-02), each with sentences written for these tests:
verbs of saying the rules did not know, a ministry named without its country (its side and its name in full), an
officer named by an organ's title, terms "according to" a treaty or law, an op-ed's byline with the writer's bio,
and a first-person statement printed without quote marks."""

from __future__ import annotations

import pytest

from pipeline.attribution import Actor, ActorTable, attribute, attribute_article
from pipeline.attribution.resolution import home_side, ministry_antecedent

ACTORS = ActorTable([
    Actor("Russia", ("Moscow",), "russian", "", "government"),
    Actor("Japan", ("Tokyo",), "japanese", "", "government"),
    Actor("Taro Sato", ("Sato",), "japanese", "minister", "person"),
    Actor("Ivan Petrov", ("Petrov",), "russian", "secretary", "person"),
])


def who(sentences, article=None):
    return [(a.speaker, a.side) for a in attribute_article(sentences, ACTORS, article=article)]


VERBS = [
    ("Moscow first denied that the vessel had entered the zone.", "Moscow"),
    ("Sato reaffirmed that Tokyo wants a treaty.", "Taro Sato"),
    ("The Russian navy declared that it was watching the drills.", "The Russian navy"),
    ("Japan has already conveyed to Moscow that the plan is unacceptable.", "Japan"),
    ("Russia has been opposing the radar for years, calling it a threat.", "Russia"),
    ("The Kremlin declines to comment on the report", "The Kremlin"),
    ("The ministry is particularly concerned about the drills near Hokkaido.", "The ministry"),
    ("Sato pointed to the rising number of flights.", "Taro Sato"),
    ("Petrov thanked Tokyo for its restraint.", "Ivan Petrov"),
    ("Tokyo takes the stand that the islands must be returned first.", "Tokyo"),
    ("Moscow blames Tokyo for the freeze in talks", "Moscow"),
    ("The drills will start on Monday, reports the agency.", "the agency"),
    ("Sato looks forward to working with the new government in Moscow.", "Taro Sato"),
    ("The radar near the islands is seen by Moscow as a threat.", "Moscow"),
    ("The agency quoted Petrov as welcoming the offer.", "Ivan Petrov"),
]


@pytest.mark.parametrize("text,speaker", VERBS)
def test_verbs_of_saying_found_on_the_training_articles(text, speaker):
    assert attribute([text], ACTORS)[0].speaker == speaker


def test_an_action_declared_is_no_statement():
    assert attribute(["Russia declared two Japanese diplomats persona non grata."], ACTORS)[0].speaker is None


def test_a_ministry_named_without_its_country_is_named_in_full_from_earlier_in_the_article():
    before = "Russia’s Foreign Ministry summoned the envoy. The Japanese Defense Ministry counted the flights. "
    assert ministry_antecedent("the Foreign Ministry", before) == "Russia’s Foreign Ministry"
    assert ministry_antecedent("the Russian ministry", before) == "Russia’s Foreign Ministry"
    assert ministry_antecedent("the Defence Ministry", before) == "The Japanese Defense Ministry"
    assert ministry_antecedent("the Finance Ministry", before) is None  # never named with its country
    assert ministry_antecedent("the Russian Foreign Ministry", before) is None  # already in full
    text = ["Russia’s Foreign Ministry summoned Japan's ambassador on Monday.",
            "The talks are frozen, the Foreign Ministry said."]
    assert who(text)[1] == ("Russia’s Foreign Ministry", "russian")


def test_a_government_organ_without_a_country_takes_the_side_the_article_is_written_from():
    japan = ("Japan's plan for the radar in Akita drew protests. Tokyo said Japan needs it. The Japanese prefecture "
             "objected, and Japanese residents sued. Russia was not consulted.")
    assert home_side(japan) == "japanese"
    assert home_side("Japan and Russia met. Russia and Japan agreed.") is None  # no side dominates
    text = ["The Defense Ministry said the site was the only suitable one."]
    assert who(text, article=japan + "\n" + text[0])[0] == ("The Defense Ministry", "japanese")
    # an unnamed source keeps side other (GUIDELINES case 8), whatever the article's side
    source = ["A government source said the site would change."]
    assert who(source, article=japan + "\n" + source[0])[0][1] != "japanese"


def test_an_organs_officer_is_a_role_resolved_to_the_person_named_before():
    text = ["Security Council Secretary Ivan Petrov said on Monday that the drills were a threat.",
            "\"We see the ships,\" the Russian Security Council secretary said."]
    assert who(text)[1] == ("Ivan Petrov", "russian")


@pytest.mark.parametrize("text", [
    "According to a joint declaration signed in 1956, two islands were to be handed over.",
    "According to international law, the waters belong to the coastal state.",
])
def test_terms_according_to_a_treaty_or_a_law_name_no_source(text):
    assert attribute([text], ACTORS)[0].speaker is None


def test_an_op_eds_byline_with_the_writers_bio_signs_the_piece():
    lines = ["Tokyo must rethink its sanctions", "By Kenji Mori",
             "Kenji Mori is professor of international politics at a university in Osaka.",
             "The sanctions have not worked.", "Tokyo should talk to Moscow."]
    found = who(lines, article="\n\n".join(lines))
    assert found[3][0] == "Kenji Mori" and found[4][0] == "Kenji Mori"
    news = ["Russia holds drills", "By Kenji Mori", "Russia began drills near the islands on Monday."]
    assert who(news, article="\n\n".join(news))[2][0] is None  # a reporter's byline signs nothing


def test_a_first_person_statement_without_quote_marks_continues_the_speaker():
    text = ["Sato told reporters that the flights were regrettable.",
            "We will continue to monitor the area with vigilance.",
            "Nevertheless, we do not reject dialogue."]
    found = who(text)
    assert found[0][0] in ("Sato", "Taro Sato") and found[1:] == [found[0]] * 2
    reminder = ["Sato told reporters that the flights were regrettable.",
                "We will remind you that the radar was bought in 2017."]
    assert who(reminder)[1][0] is None  # the author addressing the reader


def test_the_one_quoted_by_a_source_speaks():
    text = "In the talks, Sato was quoted by a diplomatic source as telling Petrov that the offer stands."
    assert attribute([text], ACTORS)[0].speaker == "Taro Sato"
    assert attribute(["The source quoted Sato as saying the offer stands."], ACTORS)[0].speaker == "Taro Sato"
