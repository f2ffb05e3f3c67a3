"""Kinds of miss found on the training articles in round 11 (2026-12-02), each with sentences written for these
tests: a government draft or communique as the source (GUIDELINES 32, 71), a quantifier that opens the source's
name at the start of a sentence ("Some analysts", named as the article names them), "the publication X", a
weekday possessive before an outlet, and verbs and heads of a source's phrase the rules did not know."""

from __future__ import annotations

from pipeline.attribution import Actor, ActorTable, attribute
from pipeline.attribution.resolution import clean_mention

ACTORS = ActorTable([
    Actor("Russia", ("Moscow",), "russian", "", "government"),
    Actor("Japan", ("Tokyo",), "japanese", "", "government"),
])


def speaker(sentence):
    return attribute([sentence], ACTORS)[0].speaker


def test_a_draft_or_communique_is_the_source():
    assert speaker("Security in the region has entered a harsh phase, the draft says.") == "the draft"
    assert speaker("The draft says that Moscow's drills near the islands are a grave concern.") == "The draft"
    assert speaker("The official communique said the two sides would meet again in spring.") == \
        "The official communique"


def test_a_sentence_opening_quantifier_stays_in_the_name():
    assert speaker("Some analysts say the talks on the islands will not resume soon.") == "Some analysts"
    assert speaker("Several experts believe Tokyo will keep its sanctions.") == "Several experts"
    # an opener that is no quantifier is still dropped
    assert speaker("Such officials say the talks will resume.") != "Such officials"


def test_the_publication_names_the_outlet():
    assert clean_mention("the publication Kyodo") == "Kyodo"


def test_verbs_the_dev_articles_showed_missing():
    assert speaker('A ministry spokesperson characterized the step as "a blow to the region".') == \
        "A ministry spokesperson"
    assert speaker("Western media write that the talks on the islands have stalled.") == "Western media"
    assert speaker('The general listed the plans as "a routine upgrade of the garrison".') == "The general"
    assert speaker("Moscow also raised the issue of Tokyo's sanctions.") == "Moscow"
    assert speaker("EU defence chiefs asked Tokyo on Monday for notice of the drills.") == "EU defence chiefs"
    assert speaker("The governor criticized the plan for the islands.") == "The governor"
    assert speaker("In his speech, the minister did not demand the return of all four islands.") == "the minister"
    assert speaker("The minister spoke only about the fishing quotas.") == "The minister"


def test_a_weekday_possessive_is_not_part_of_the_outlets_name():
    assert clean_mention("Sunday’s Yomiuri") == "Yomiuri"
    assert clean_mention("Monday's Asahi Shimbun") == "Asahi Shimbun"
