"""Speaker attribution: patterns, quote continuation, reference back, the actors table, combining, evaluation."""

from __future__ import annotations


import pytest

from pipeline.attribution import (
    Actor,
    ActorTable,
    Attribution,
    attribute,
    combine,
    load_actors,
    resolve,
    unnamed_source,
)

ACTORS = ActorTable([
    Actor("Valery Gerasimov", ("Gerasimov",), "russian", "Chief of the General Staff", "person"),
    Actor("Itsunori Onodera", ("Onodera",), "japanese", "Minister of Defense of Japan", "person"),
    Actor("Vladimir Putin", ("Putin", "President Putin"), "russian", "President of Russia", "person"),
    Actor("Russia", ("Russian Federation", "the Russian side"), "russian", "", "government"),
    Actor("Moscow", ("Moscow",), "russian", "", "place-as-government"),
    Actor("United States", ("U.S.", "the United States", "US"), "us", "", "government"),
    Actor("Ministry of Defense of Japan", ("Defense Ministry officials",), "japanese", "", "government"),
])


def speakers(sentences, actors=ACTORS):
    return [a.speaker for a in attribute(sentences, actors)]


@pytest.mark.parametrize(
    "sentence, speaker, side",
    [
        ("Referring to the system, Gerasimov said the radar could see deep into Russia.", "Valery Gerasimov", "russian"),
        ("According to Russian media, the military plans to deploy anti-ship missiles.", "Russian media", "russian"),
        ("According to one military expert, the bases could defend against invading troops.", "one military expert", None),
        ("Kono told reporters he did not discuss the forum.", "Kono", None),
        ('"The system will be operated by Japan," Onodera said in seeking understanding.', "Itsunori Onodera", "japanese"),
        ('"The system is defensive," said Onodera.', "Itsunori Onodera", "japanese"),
        ("The Russian concerns were expressed by Gen. Valery Gerasimov, chief of the general staff.", "Valery Gerasimov", "russian"),
        ("Japan again sought cooperation on the abduction issue, officials said.", "officials", None),
        ("MOSCOW (Kyodo) -- Russia complained Tuesday about Japan's plan.", "Russia", "russian"),
        ("Tokyo is hopeful that cooperation will help resolve the spat.", "Tokyo", "japanese"),
        ("Defense Ministry officials believe that Russia would never return the islands.", "Defense Ministry officials", "japanese"),
        ("The U.S. ambassador to Japan said Washington recognises Japanese sovereignty.", "The U.S. ambassador to Japan", "us"),
        ("Moscow rejected the plan on Friday, saying it threatened the region.", "Moscow", "russian"),
        ("Kono, apparently with the territorial issue in mind, stressed the importance of dialogue.", "Kono", None),
        ("Similar concerns were raised when Kono met his counterpart, Sergey Lavrov, who said the system would change the balance.", "Sergey Lavrov", None),
    ],
)
def test_patterns_find_the_source_and_its_side(sentence, speaker, side):
    assert attribute([sentence], ACTORS) == [Attribution(speaker, side)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Both islands were used by the Imperial Japanese military as bases during World War II.",
        "In previous articles I stressed that economic cooperation is not enough.",
        "We can say that the briefing was extraordinary.",
        "The four ministers consented to holding an annual security conference.",
        "It has often been noted that the talks stalled.",
        "Kremlin officials presented the decree as a response to actions by Western states.",
    ],
)
def test_narration_has_no_speaker(sentence):
    assert speakers([sentence]) == [None]


def test_a_quote_running_into_the_next_sentence_keeps_its_speaker():
    doc = [
        'Referring to the Aegis Ashore system, Gerasimov said, "The equipment will be under U.S. control.',
        'That is why we are concerned."',
        "Onodera explained that the system was planned because of North Korea.",
        '"The system will be operated not by the U.S. military but by Japan," Onodera said.',
        '"It is not something designed to serve as a threat to our neighbors, including Russia."',
        "The meeting lasted two hours.",
    ]
    assert speakers(doc) == ["Valery Gerasimov", "Valery Gerasimov", "Itsunori Onodera", "Itsunori Onodera",
                             "Itsunori Onodera", None]


def test_a_quote_named_at_its_end_is_filled_back():
    doc = ['"We will not give up the islands.', 'Not now, not ever," Putin said.', "Talks resumed in May."]
    assert speakers(doc) == ["Vladimir Putin", "Vladimir Putin", None]


def test_pronouns_titles_and_definite_descriptions_refer_back():
    doc = [
        "President Putin noted that American troops could be deployed on the islands.",
        "He stressed that the Kurils matter for Russia's defence.",
        "In 2016, the President twice emphasized that the dispute with China took 40 years.",
        "A senior U.S. defense official said the launchers were configured only for interceptors.",
        '"The geometry does not work for Moscow\'s argument," the official said.',
    ]
    assert attribute(doc, ACTORS) == [
        Attribution("Vladimir Putin", "russian"),
        Attribution("Vladimir Putin", "russian"),
        Attribution("Vladimir Putin", "russian"),
        Attribution("A senior U.S. defense official", "us"),
        Attribution("A senior U.S. defense official", "us"),
    ]


def test_an_interview_gives_the_answers_to_the_interviewee():
    doc = ["Expert sees security as the key", "Interviewed by Shinichi Akiyama",
           "Shinji Hyodou, director of regional studies, National Institute for Defense Studies",
           "Russia will not relinquish the islands.", "Russia would probably call on Japan to confirm this."]
    # the headline's "Expert sees" names a source with a verb of thinking (the seed gold gives it the interviewee)
    assert speakers(doc, ActorTable()) == ["Expert", None, None, "Shinji Hyodou", "Shinji Hyodou"]


def test_resolve_prefers_the_actor_and_keeps_bodies_as_written():
    assert resolve("Japanese Defense Minister Itsunori Onodera", ACTORS) == Attribution("Itsunori Onodera", "japanese")
    assert resolve("Moscow", ACTORS) == Attribution("Moscow", "russian")
    assert resolve("the Russian side", ACTORS) == Attribution("the Russian side", "russian")
    assert resolve("A U.S. Pacific Fleet spokesperson", ACTORS) == Attribution("A U.S. Pacific Fleet spokesperson", "us")
    assert resolve("a source knowledgeable about Japan-Russia ties", ACTORS) == Attribution(
        "a source knowledgeable about Japan-Russia ties", None)
    assert resolve("Chinese officials", ActorTable()).side == "other"


def test_us_pronoun_never_matches_the_us_alias():
    assert ACTORS.find("they told us nothing") is None
    assert ACTORS.find("the US said") is ACTORS.get("United States")


def test_load_actors_reads_the_csv_format(tmp_path):
    p = tmp_path / "actors.csv"
    p.write_text("name,aliases,side,role,kind\n"
                 'Sergey Lavrov,Lavrov|Sergei Lavrov,russian,"Minister of Foreign Affairs, Russia",person\n'
                 ",orphan,other,,\n", encoding="utf-8")
    table = load_actors(p)
    assert len(table) == 1
    lavrov = table.get("sergei lavrov")
    assert lavrov.name == "Sergey Lavrov" and lavrov.side == "russian" and lavrov.kind == "person"
    assert lavrov.role == "Minister of Foreign Affairs, Russia"
    assert len(load_actors(tmp_path / "missing.csv")) == 0


@pytest.mark.parametrize(
    "found, classifier, p, expected",
    [
        (Attribution("Valery Gerasimov", "russian"), "none", 0.99, ("Valery Gerasimov", "russian", "attribution")),
        (Attribution("Valery Gerasimov", "russian"), "japanese", 0.99, ("Valery Gerasimov", "russian", "attribution")),
        (Attribution("Kenji Mori", None), "russian", 0.99, ("Kenji Mori", "russian", "attribution+classifier")),
        (Attribution("Kenji Mori", None), "russian", 0.5, ("Kenji Mori", "other", "default")),
        (Attribution("Kenji Mori", None), "none", 0.99, ("author", "none", "classifier")),
        (Attribution(None, None), "none", 0.4, ("author", "none", "classifier")),
        (Attribution(None, None), "russian", 0.99, ("unknown", "russian", "classifier")),
        (Attribution(None, None), "russian", 0.5, ("author", "none", "default")),
    ],
)
def test_combine_with_the_classifier(found, classifier, p, expected):
    assert combine(found, classifier, p, min_confidence=0.85, named_min_confidence=0.85) == expected


def test_a_named_speaker_of_unknown_side_takes_the_classifiers_side_at_the_default_threshold():
    assert combine(Attribution("Kenji Mori", None), "russian", 0.3) == ("Kenji Mori", "russian", "attribution+classifier")
    assert combine(Attribution(None, None), "russian", 0.3) == ("author", "none", "default")


@pytest.mark.parametrize("speaker", ["officials", "an expert", "Diplomatic sources", "a senior military commander",
                                     "a source familiar with the talks", "one of the sources"])
def test_an_unnamed_source_is_other_whatever_the_classifier_says(speaker):
    for classifier in ("japanese", "russian", "none", None):
        assert combine(Attribution(speaker, None), classifier, 0.99) == (speaker, "other", "attribution")


@pytest.mark.parametrize("speaker", ["a ministry official", "embassy sources", "Gazprom officials",
                                     "the prime minister", "Kenji Mori"])
def test_a_source_tied_to_a_body_or_a_name_is_no_unnamed_source(speaker):
    assert not unnamed_source(speaker)
    assert combine(Attribution(speaker, None), "russian", 0.99)[1] == "russian"


def test_combine_without_a_classifier_gives_the_annotation_defaults():
    assert combine(Attribution("Kenji Mori", None), None) == ("Kenji Mori", "other", "default")
    assert combine(Attribution("Valery Gerasimov", "russian"), None) == ("Valery Gerasimov", "russian", "attribution")
    assert combine(Attribution(None, None), None) == ("author", "none", "default")


def test_combine_trusts_a_side_given_without_its_probability():
    assert combine(Attribution(None, None), "japanese") == ("unknown", "japanese", "classifier")
