"""Kinds of miss found on batches b16 and b17 (2026-12-03, the dev articles of round 13), with sentences written for
these tests: a signed column whose byline is followed at once by the writer's bio, which names no role word
("... is the leading research fellow" is a role; "... is a senior employee of ..." was not)."""

from __future__ import annotations

from pipeline.attribution import Actor, ActorTable, attribute_article

ACTORS = ActorTable([
    Actor("Russia", ("Moscow",), "russian", "", "government"),
    Actor("Japan", ("Tokyo",), "japanese", "", "government"),
])


def who(lines):
    return [a.speaker for a in attribute_article(lines, ACTORS, article="\n\n".join(lines))]


def test_a_bio_right_after_the_byline_signs_the_piece_without_a_role_word():
    lines = ["By Oleg Morozov", "Oleg Morozov is a senior employee of a Moscow institute of strategic studies.",
             "Tokyo misreads the history of the islands.", "No concession is owed."]
    assert who(lines)[2:] == ["Oleg Morozov", "Oleg Morozov"]


def test_a_later_sentence_about_the_bylined_reporter_still_needs_a_role():
    lines = ["By Oleg Morozov", "Russia began drills near the islands on Monday.",
             "Oleg Morozov is a graduate of a Moscow institute.", "The drills end on Friday."]
    assert who(lines)[1] is None and who(lines)[3] is None  # a reporter's byline signs nothing
