"""Kinds of miss found on batch b15 before any rule was written for it (2026-12-03), with sentences written for these
tests: a press-conference transcript whose turns are labelled "REPORTER:" and "CHIEF CABINET SECRETARY <NAME>:"
(the answers, unlabelled sentences of them included, are the answerer's; a question's further sentences are not),
a headline whose tag follows a colon inside its closing quote, and a "chief" as a headline's role tag."""

from __future__ import annotations

from pipeline.attribution import Actor, ActorTable, attribute_article

ACTORS = ActorTable([
    Actor("Russia", ("Moscow",), "russian", "", "government"),
    Actor("Japan", ("Tokyo",), "japanese", "", "government"),
])

LINES = [
    "Press Conference by the Chief Cabinet Secretary",
    "REPORTER: I have a question about the islands.",
    "A Russian minister went to Shikotan last week.",
    "What is the Government's view?",
    "CHIEF CABINET SECRETARY TANAKA: The visit is unacceptable to Japan.",
    "We have lodged a protest with the Russian side.",
    "REPORTER: Will the Prime Minister still travel to Moscow?",
    "The trip was planned for May.",
    "CHIEF CABINET SECRETARY TANAKA: Nothing has been decided.",
]
#: the article as the transcript prints it: one turn per paragraph
ARTICLE = "\n\n".join([LINES[0], " ".join(LINES[1:4]), " ".join(LINES[4:6]), " ".join(LINES[6:8]), LINES[8]])


def who():
    return [a.speaker for a in attribute_article(LINES, ACTORS, article=ARTICLE)]


def test_a_capitalised_answer_label_names_the_answerer_and_covers_the_answer():
    found = who()
    assert found[4] and found[4].endswith("Tanaka") and found[4].isupper() is False
    assert found[5] == found[4] and found[8] == found[4]


def test_the_reporters_turn_is_no_answer():
    found = who()
    assert found[1] is None and found[6] is None  # the questions are the author's
    assert found[2] is None and found[3] is None  # and so are the question's further sentences,
    assert found[7] is None  # after an answer too: they are not the last answerer's


def test_a_headline_tag_after_a_quoted_colon_and_a_chief_as_a_role():
    from pipeline.attribution.resolution import headline_speaker

    assert headline_speaker("Tokyo 'has offered nothing new:' Ivanov") == "Ivanov"
    assert headline_speaker("Japan to buy more interceptors: Navy chief") == "Navy chief"
