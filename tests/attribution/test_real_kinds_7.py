"""Kinds of narration read as a speaker, found on the training articles (2026-12-02), each with sentences written for
these tests: an omission ("has not commented", "did not say") is no statement (GUIDELINES 106), "according to which"
introduces a document's content, not a source, a joint subject of two sides is narration (104, 148), and page labels,
plans and possessive nouns are not saying."""

from __future__ import annotations

import pytest

from pipeline.attribution import Actor, ActorTable, attribute, attribute_article

ACTORS = ActorTable([
    Actor("Russia", ("Moscow",), "russian", "", "government"),
    Actor("Japan", ("Tokyo",), "japanese", "", "government"),
    Actor("Taro Sato", ("Sato",), "japanese", "minister", "person"),
])


def who(sentences):
    return [(a.speaker, a.side) for a in attribute_article(sentences, ACTORS)]


NO_SPEAKER = [
    # an omission is not a statement (GUIDELINES 106)
    "The embassy in Tokyo has not commented on the report so far.",
    "Moscow did not say when the drills would end.",
    "The ministry has not publicly revealed what the envoys discussed.",
    "Sato never mentioned the islands during the visit.",
    # a planned statement is a plan (GUIDELINES 120)
    "Japan will officially describe the islands as occupied in its next report.",
    # a noun after a possessive is not a verb of saying; "calls back" and naming islands are not saying
    "The dispute involves Japan's claim to four islands off Hokkaido.",
    "Russia’s claims over the islands rest on the war's outcome.",
    "Japan calls back its envoy in Moscow",
    "Japan calls Etorofu and three other islands the Northern Territories.",
]


@pytest.mark.parametrize("text", NO_SPEAKER)
def test_narration_that_looks_like_saying_names_no_speaker(text):
    assert attribute([text], ACTORS)[0].speaker is None


def test_a_sayer_who_reports_an_omission_keeps_the_sentence():
    assert who(["Sato told reporters he did not discuss the islands."])[0] == ("Sato", "japanese")
    assert who(["Sato said Moscow had not mentioned the proposal."])[0] == ("Sato", "japanese")


def test_a_refusal_is_still_an_act_of_saying():
    assert attribute(["The ministry declined to comment on the plan."], ACTORS)[0].speaker == "The ministry"


def test_according_to_which_names_no_source():
    text = "The two sides signed a treaty in 1956, according to which Moscow agreed to hand over two islands."
    assert attribute([text], ACTORS)[0].speaker is None
    assert attribute(["According to Sato, the talks will resume."], ACTORS)[0].speaker == "Taro Sato"


def test_a_joint_subject_of_two_sides_is_narration():
    actors = ActorTable([*ACTORS.actors, Actor("Ann Lee", ("Lee",), "us", "secretary", "person")])
    for phrase in ("Sato and Lee said they would keep talking.", "Tokyo and Moscow have repeatedly voiced hopes for a treaty.",
                   "The two leaders said they would meet again.", "The ministers condemned the drills."):
        got = [(a.speaker, a.side) for a in attribute_article([phrase], actors)]
        assert got[0] == ("author", "none"), phrase


def test_a_joint_subject_with_one_stance_valued_party_keeps_its_speaker():
    actors = ActorTable([*ACTORS.actors, Actor("China", ("Beijing",), "other", "", "government")])
    got = [(a.speaker, a.side) for a in attribute_article(["Russia and China said the drills were routine."], actors)]
    assert got[0][0] == "Russia and China"


def test_a_page_label_before_a_colon_is_no_source():
    for headline in ("Editorial: Tokyo must rethink its talks with Moscow", "Updated: 2021-03-04 10:15",
                     "Author: Jane Doe"):
        assert who([headline])[0] == (None, None), headline


def test_claims_as_a_verb_still_makes_a_speaker():
    assert attribute(["Japan claims the talks will resume."], ACTORS)[0].speaker == "Japan"


@pytest.mark.parametrize("text", [
    "Sato had sought to strengthen ties with Moscow.",       # volition (GUIDELINES 95)
    "Sato is keen to settle the dispute.",                   # volition (entry 30)
    "Sato has been frustrated by the sanctions.",            # feeling (entry 30)
    "Sato spoke about the suspension of the deployment.",    # a statement made (entry 78a)
    "The plan was described by Sato as a step back.",        # the agent of a passive verb of saying
])
def test_volition_feeling_and_passive_saying_make_a_speaker(text):
    assert attribute([text], ACTORS)[0] == ("Taro Sato", "japanese")
