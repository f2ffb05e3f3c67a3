"""Kinds of miss of the third round (issue #11), each with sentences written for these tests: signed pieces (an
official's comment, a name line and role line, a "WRITES" byline; a journalist's byline names nobody), a role phrase
with the name set off beside it, a document's sentences given to the body that issued it, and the commentary
writer's narration given back to the author by the classifier's claim."""

from __future__ import annotations

from pipeline.attribution import Actor, ActorTable, Attribution, WriterView, attribute_article, combine
from pipeline.attribution.resolution import apposed_name, body_antecedent
from pipeline.attribution.signed import author_line

ACTORS = ActorTable([
    Actor("Sergey Ryabkov", ("Ryabkov",), "russian", "Deputy Minister of Foreign Affairs of Russia", "person"),
    Actor("Maria Zakharova", ("Zakharova",), "russian", "spokeswoman of the Russian Foreign Ministry", "person"),
    Actor("Russia", ("Moscow",), "russian", "", "government"),
    Actor("Japan", ("Tokyo",), "japanese", "", "government"),
    Actor("United States", ("US", "U.S.", "Washington"), "us", "", "government"),
])


def who(sentences, actors=ACTORS):
    return [(a.speaker, a.side) for a in attribute_article(sentences, actors)]


def test_an_officials_signed_comment_is_theirs_facts_included():
    got = who(["Comment by Deputy Foreign Minister Sergey Ryabkov on the new radar in Hokkaido",
               "March 3, 2019",
               "We have studied the plans of our Japanese neighbours with care.",
               "In 2015 the two countries agreed on a joint radar programme.",
               "Tokyo said the radar would look only at North Korea."])
    assert got[:2] == [(None, None), (None, None)]  # the title and the date line stay the author's
    assert got[2:4] == [("Sergey Ryabkov", "russian")] * 2
    assert got[4][0] == "Tokyo"  # a sentence with its own source keeps it


def test_name_and_role_lines_sign_the_text_up_to_the_next_heading():
    got = who(["Moscow Protests the Radar Plan",
               "Maria Zakharova",
               "Russian Foreign Ministry spokesperson",
               "The radar plan causes deep regret in Moscow.",
               "It will harm the climate of our relations.",
               "Mostly Misleading",
               "The statement leaves out the radar's range."])
    assert got[3:5] == [("Maria Zakharova", "russian")] * 2
    assert got[5:] == [(None, None), (None, None)]  # the fact-checker's heading and text


def test_a_commentary_writer_is_a_writer_view_and_a_journalist_byline_names_nobody():
    found = attribute_article(["Why the Islands Matter", "Anna K. Sato", "Visiting Fellow, Asia Program",
                               "The talks will fail unless both sides move first."], ACTORS)
    assert isinstance(found[3], WriterView) and found[3].speaker == "Anna K. Sato"
    assert author_line(["Radar Row Deepens", "Hiro Tanaka", "Staff Writer", "The ministry met on Monday."],
                       ACTORS) is None
    assert who(["Radar Row Deepens", "Hiro Tanaka", "Staff Writer", "The ministry met on Monday."])[3] == (None, None)


def test_a_glued_writes_byline_signs_the_piece_in_title_case():
    line = author_line(["KEN ITO WRITES – The deal is a mistake for both countries.", "It will not last."], ACTORS)
    assert line == ("Ken Ito", 0, False)
    assert who(["KEN ITO WRITES – The deal is a mistake for both countries.", "It will not last."])[1][0] == "Ken Ito"


def test_a_writers_narration_of_fact_is_the_authors():
    view = WriterView("Anna K. Sato", None)
    assert combine(view, "none", claim="claim")[:2] == ("Anna K. Sato", "other")
    assert combine(view, "none", claim="fact")[:2] == ("author", "none")
    assert combine(Attribution("Maria Zakharova", "russian"), "none", claim="fact")[0] == "Maria Zakharova"


def test_a_role_phrase_gives_way_to_the_name_set_off_beside_it():
    text = "The Russian Foreign Ministry spokesperson, Maria Zakharova, said the radar was a threat."
    assert apposed_name("The Russian Foreign Ministry spokesperson", text, ACTORS) == "Maria Zakharova"
    quoted = '"The islands are a bargaining chip," Ken Ito, a professor of politics at Keio University, said.'
    assert apposed_name("a professor of politics at Keio University", quoted, ACTORS) == "Ken Ito"
    # an indefinite source after a name that ends a clause is somebody new
    trailing = "Both sides want a treaty formally ending World War Two, a Russian official said."
    assert apposed_name("a Russian official", trailing, ACTORS) is None
    assert who([text])[0] == ("Maria Zakharova", "russian")


def test_a_documents_sentences_go_to_the_body_that_issued_it():
    before = "Errors were found in the Defense Ministry’s report on the radar sites. "
    assert body_antecedent("The report", before) == "the Defense Ministry"
    said = "Russia's Foreign Ministry said in a statement on Tuesday that the sanctions were unfriendly. "
    assert body_antecedent("the document", said) == "Russia's Foreign Ministry"
    assert body_antecedent("the statement", "It reads the statement of the Japanese Foreign Ministry. ") == \
        "the Japanese Foreign Ministry"
    assert body_antecedent("The report", "A report came out on Monday. ") is None
