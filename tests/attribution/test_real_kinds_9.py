"""Kinds of miss found on the training articles in round 10 (2026-12-02), each with sentences written for these
tests: an interview whose answers are labelled "Answer:" (the one interviewee speaks them), a headline that tags
a long title and name before its colon, a ministry's portfolio in lower case and "quoted by Y to have said"."""

from __future__ import annotations

from pipeline.attribution import Actor, ActorTable, attribute, attribute_article

ACTORS = ActorTable([
    Actor("Russia", ("Moscow",), "russian", "", "government"),
    Actor("Japan", ("Tokyo",), "japanese", "", "government"),
])


def who(sentences):
    return [(a.speaker, a.side) for a in attribute_article(sentences, ACTORS, article="\n\n".join(sentences))]


def test_labelled_answers_are_the_interviewees():
    lines = ["Ambassador Kenji Mori: Tokyo wants more trade with Moscow", "Kenji Mori",
             "The Japanese ambassador Kenji Mori gave an interview to a news agency.",
             "Question: Will the talks on the islands resume this year?",
             "Answer: Our position has not changed.", "The islands belong to Japan, and talks must continue.",
             "Question: What about trade?", "Answer: Trade is growing."]
    found = who(lines)
    assert found[3][0] is None and found[6][0] is None  # questions stay the author's
    assert {found[i][0] for i in (4, 5, 7)} == {"Kenji Mori"}


def test_a_headline_tags_a_long_title_and_name_before_its_colon():
    found = who(["Japanese Ambassador to Russia Kenji Mori: trade with Moscow must grow"])
    assert found[0][0] == "Kenji Mori"


def test_a_ministry_named_by_its_portfolio_in_lower_case_keeps_it():
    assert attribute(["Twelve banks are on the list, the finance ministry said."], ACTORS)[0].speaker == \
        "the finance ministry"


def test_quoted_by_a_source_to_have_said():
    text = "Defense Minister Kenji Mori was quoted by a broadcaster to have said that the flight was regrettable."
    assert attribute([text], ACTORS)[0].speaker == "Kenji Mori"


def test_a_possessive_country_in_a_role_and_an_aside_in_a_source_phrase():
    text = ["General Ann Lee, who commands U.S. forces in Japan, spoke on Monday.",
            "The drills are routine, the US's top commander in Japan said."]
    actors = ActorTable([*ACTORS.actors, Actor("Ann Lee", ("Lee",), "us", "commander", "person")])
    assert attribute_article(text, actors)[1].speaker == "Ann Lee"
    aside = "According to Colonel-General (retired) Ivan Orlov, the garrison will grow."
    assert attribute_article([aside], ACTORS)[0].speaker == "Ivan Orlov"
