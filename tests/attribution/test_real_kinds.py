"""The kinds of miss that real articles showed (issue: speakers on real text), each with sentences written for these
tests: reporting verbs the rules did not know, roles and pronouns, titles and possessives, news agencies,
datelines and places, narration, headlines, interviews; and the span head's arithmetic and persistence."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.attribution import Actor, ActorTable, attribute_article
from pipeline.attribution.resolution import clean_mention, full_name, headline_speaker
from pipeline.attribution.span_head import DECISIONS, SpanHead, decode_article, find_mention
from pipeline.attribution.token_states import SentenceStates

ACTORS = ActorTable([
    Actor("Sergey Lavrov", ("Lavrov", "Sergei Lavrov"), "russian", "Minister of Foreign Affairs of Russia", "person"),
    Actor("Vladimir Putin", ("Putin",), "russian", "President of Russia", "person"),
    Actor("Maria Zakharova", ("Zakharova",), "russian", "Spokeswoman of the Russian Foreign Ministry", "person"),
    Actor("Fumio Kishida", ("Kishida",), "japanese", "Prime Minister of Japan", "person"),
    Actor("Russia", ("Russian Federation",), "russian", "", "government"),
    Actor("Japan", (), "japanese", "", "government"),
])


def who(sentences, actors=ACTORS):
    return [(a.speaker, a.side) for a in attribute_article(sentences, actors)]


@pytest.mark.parametrize("verb", [
    "proposed that", "offered a view that", "cast doubt on whether", "emphasized that", "cited fears that",
    "praised the fact that", "informed reporters that", "warned that", "referred to claims that",
    "floated an offer that", "threatened that",
])
def test_reporting_verbs_of_the_real_corpus(verb):
    sentence = f"Foreign Minister Sergey Lavrov {verb} the island garrison would be doubled before the winter."
    assert who([sentence]) == [("Sergey Lavrov", "russian")]


def test_a_role_goes_to_the_person_the_article_named_with_it():
    article = ["Foreign Ministry spokeswoman Maria Zakharova spoke in Moscow on Thursday.",
               "The new bases threaten nobody, the spokeswoman said."]
    assert who(article)[1] == ("Maria Zakharova", "russian")


@pytest.mark.parametrize("role", ["the Russian president", "the Kremlin leader", "the minister"])
def test_roles_resolve_to_the_nearest_fitting_named_person(role):
    first = {"the Russian president": "Russian President Vladimir Putin arrived in Vladivostok on Monday.",
             "the Kremlin leader": "Kremlin leader Vladimir Putin arrived in Vladivostok on Monday.",
             "the minister": "Foreign Minister Sergey Lavrov arrived in Vladivostok on Monday."}[role]
    out = who([first, f"The talks will go on, {role} said."])
    assert out[1][0] in ("Vladimir Putin", "Sergey Lavrov") and out[1][1] == "russian"


def test_he_goes_to_the_person_named_before_even_when_not_yet_a_speaker():
    article = ["Viktor Orlov, a regional governor, toured the new pier on Sunday.",
               "He said the port would open to foreign ships next year."]
    assert who(article)[1][0] == "Viktor Orlov"


def test_titles_and_possessives_are_not_part_of_the_name():
    assert who(["Russia's Foreign Minister Sergey Lavrov said the talks would continue."])[0] == \
        ("Sergey Lavrov", "russian")
    assert clean_mention("Eastern Military District Colonel-General Pavel Surin") == "Pavel Surin"
    assert clean_mention("Japan's Defence Ministry") == "Japan's Defence Ministry"


def test_a_known_person_is_written_as_this_article_writes_the_name():
    # GUIDELINES §2: the article's own fullest form, not the actors table's, when the article never writes that
    assert who(["Lavrov warned that the talks had stalled."]) == [("Lavrov", "russian")]
    assert who(["Sergei Lavrov arrived on Monday.", "Lavrov warned that the talks had stalled."])[1] == \
        ("Sergei Lavrov", "russian")


def test_a_surname_is_written_as_the_article_names_the_person_in_full():
    article = "Deputy Governor Kenji Morita met the delegation.\nMorita said the fishing quota was too low."
    assert full_name("Morita", article, ACTORS) == "Kenji Morita"
    assert who(article.split("\n"))[1][0] == "Kenji Morita"


def test_a_news_agency_gives_way_to_the_official_it_quotes():
    article = ["Deputy Foreign Minister Ivan Belov spoke on Friday.",
               '"We are watching the drills closely," he added, the Interfax news agency reported.']
    assert who(article)[1][0] == "Ivan Belov"


def test_datelines_and_islands_are_no_speakers():
    out = who(["SAKHALINSK, Russia (Reuters) -- The Pacific Fleet began drills near the islands on Tuesday.",
               "Shikotan, the smallest of the islands, has two villages and a fish plant."])
    assert out == [(None, None), (None, None)]


@pytest.mark.parametrize("sentence", [
    "The Kishida government has been courting Moscow with fishery deals for two years.",
    "The Japanese side has been pressing for visa-free visits since spring.",
])
def test_narration_is_not_read_as_a_speaker(sentence):
    assert who([sentence]) == [(None, None)]


@pytest.mark.parametrize("headline, speaker", [
    ("Putin: Japan must choose between Washington and the islands", "Putin"),
    ("Tokyo will not give up the northern islands - Kishida", "Kishida"),
    ("Moscow sees no basis for talks – Russian deputy FM", "Russian deputy FM"),
])
def test_a_headline_that_plainly_names_its_source(headline, speaker):
    assert headline_speaker(headline) == speaker
    assert who([headline])[0][0] is not None


def test_headlines_without_a_source_and_page_furniture_stay_unattributed():
    assert headline_speaker("Photo: Staff Photographer") is None
    assert headline_speaker("Japan and Russia agree on a salmon quota") is None


def test_an_interview_answers_for_the_interviewee():
    article = ["Interviewed by Ken Sato", "Anton Volkov, ambassador to Japan, spoke before his return.",
               "Q: Will the talks resume?", "We are ready to meet whenever Tokyo is."]
    assert [s for s, _ in who(article)][2:] == ["Anton Volkov", "Anton Volkov"]


# --- the span head ----------------------------------------------------------------------------------------------------

def test_silver_spans_find_full_names_aliases_and_surnames():
    text = "Speaking in Tokyo, Lavrov said the visit was useful."
    assert text[slice(*find_mention(text, "Sergey Lavrov", ACTORS))] == "Lavrov"
    assert find_mention("The ministry said so.", "author", ACTORS) is None
    text = "Japan's Defense Ministry said the ships sailed north."
    assert text[slice(*find_mention(text, "Japan's Defense Ministry", ACTORS))] == "Japan's Defense Ministry"


class FakeEncoder:
    """Token states that make the word 'Orlov' and sentences with 'said' easy to tell apart (no real encoder)."""

    name = "fake"

    def encode(self, texts, contexts):
        out = []
        for text in texts:
            words = [(m.start(), m.end()) for m in __import__("re").finditer(r"\S+", text)]
            states = np.array([[1.0 if "Orlov" in text[a:b] else 0.0, 1.0 if "said" in text else 0.0,
                                (a % 7) / 7] for a, b in words], dtype=np.float32)
            out.append(SentenceStates(states, np.array(words), states.mean(0)))
        return out


def test_the_head_learns_saves_loads_and_tags(tmp_path):
    records = []
    for i in range(12):
        records.append({"id": f"d{i}:0000", "doc_id": f"d{i}", "text": f"Orlov said the pier {i} would open.",
                        "speaker": "Viktor Orlov"})
        records.append({"id": f"d{i}:0001", "doc_id": f"d{i}", "text": f"The pier {i} opened in spring.",
                        "speaker": "author"})
    head = SpanHead.fit(FakeEncoder(), records, actors=ACTORS)
    path = head.save(tmp_path / "head.safetensors")
    loaded = SpanHead.load(path)
    assert loaded.meta["sentences"] == 24 and loaded.meta["decisions"] == list(DECISIONS)
    article = ["Viktor Orlov toured the pier.", "Orlov said the pier would open.", "The pier opened in spring."]
    out = decode_article(loaded, FakeEncoder(), article, ACTORS, article="\n".join(article))
    assert out[1].speaker == "Viktor Orlov" and out[1].decision == "here"
    assert out[2].speaker == "author"


def test_a_transcript_gives_each_answer_to_the_answerer_and_questions_to_the_author():
    article = ["Ambassador Volkov on the talks",
               "— Mr. Volkov, how do you see the talks?",
               "Anton Volkov, Ambassador of Russia to Japan: The talks go well.",
               "President Putin said the same in Vladivostok.",
               "— And the islands?",
               "They are Russian territory."]
    out = [s for s, _ in who(article)]
    assert out[1] is None and out[4] is None
    assert out[2] == out[3] == out[5] == "Anton Volkov"


def test_an_unnamed_body_takes_the_side_the_article_gives_its_head_noun():
    article = ["The ministry said two bombers flew over the strait.",
               "Japan's Defense Ministry released the flight data on Monday."]
    assert who(article)[0] == ("The ministry", "japanese")


def test_a_bare_description_of_a_body_is_the_body_the_article_named_before():
    article = ["Japan's Defense Ministry released the flight data on Monday.",
               "The ministry said two bombers flew over the strait."]
    assert who(article)[1] == ("Japan's Defense Ministry", "japanese")
    article = ["The figures were first published by The Hokkaido Times on Friday.",
               "According to the outlet, the patrol boats left port at dawn."]
    assert who(article)[1][0] == "The Hokkaido Times"
    article = ["The drills began, announced the press service of the Northern Fleet.",
               "According to the press service, six ships took part."]
    assert who(article)[1][0] == "the press service of the Northern Fleet"


def test_indefinite_sources_and_collective_sides_are_not_resolved_to_a_person():
    article = ["Foreign Minister Sergey Lavrov said the talks would go on.",
               "According to one military expert, the new bases could hold a brigade.",
               "The Russian side is well aware of Tokyo's position, Lavrov said.",
               "However, the Russian side understands Japan's position."]
    out = [s for s, _ in who(article)]
    assert out[1] == "one military expert" and out[3] == "the Russian side"
