"""One article's speakers as labelling gives them: the rules (:mod:`.rules`), their phrases resolved within the article
(:mod:`.resolution`), and the learned span head (:mod:`.span_head`) where the rules find nobody and its confidence allows."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .actors import ActorTable, Attribution, WriterView, default_actors
from .resolution import (
    AGENCY,
    agency_source,
    apposed_name,
    body_antecedent,
    context_side,
    fuller_mention,
    headline_speaker,
    interview_turns,
    is_headline,
    paragraphs,
    joint_subject,
    person_in_history,
    resolve_mention,
    role_antecedent,
    role_like,
)
from .patterns import SAY_VERB
from .signed import author_line, signed_writer
from .rules import attribute, find_phrase, quote_scan
from .span_head import Learned, SpanHead, decode_article
from .vocabulary import PRONOUNS

#: The head's speaker stands where the rules find none only at this decision probability or above (picked by
#: article-grouped 5-fold CV over the real articles outside the test split: `benchmarks/attribution.py --split cv
#: --grid`).
#: On those folds the head never paid: its speakers for sentences without a rule-found one were right less often
#: than "the author's" (0.9: name 0.743, side 0.784; 1.01: 0.748, 0.783), so by default it is not consulted (1.01)
#: and labelling needs no extra encoder pass. Measured again after the second round of rules (issue #11): 0.9/1.01
#: name 0.857, side 0.879; 1.01/1.01 name 0.869, side 0.890; every lower threshold worse.
LEARNED_MIN_CONFIDENCE = 1.01
#: The head's "author" overrules a rule-found speaker only at this probability or above (1.01: never; same CV).
AUTHOR_MIN_CONFIDENCE = 1.01


def _lower_verbs(text: str) -> str:
    """A title-case headline with its verbs of saying in lower case ("Russia Blasts …" -> "Russia blasts …")."""
    words = text.split(" ")
    at = next((i for i, w in enumerate(words[:5]) if i and w[:1].isupper() and SAY_VERB.fullmatch(w.lower())), None)
    return " ".join(w.lower() if i == at else w for i, w in enumerate(words))


def combine_learned(rules: Sequence[Attribution], learned: Sequence[Learned] | None, article: str, actors: ActorTable,
                    sentences: Sequence[str] | None = None, min_confidence: float = LEARNED_MIN_CONFIDENCE,
                    author_confidence: float = AUTHOR_MIN_CONFIDENCE) -> list[Attribution]:
    """Rules first where they find a speaker, the head where they find none; each phrase resolved within the article
    (titles and possessives dropped, roles and pronouns to the nearest fitting named person, the fullest name, a
    news agency to the official it quotes, a headline's source); (None, None): nobody."""
    out: list[Attribution] = []
    history: list[Attribution] = []
    sentences = list(sentences) if sentences is not None else [""] * len(rules)
    if learned is None:
        learned = [Learned("author", "none", "author", 0.0)] * len(rules)
    pos = 0
    for r, lr, text in zip(rules, learned, sentences):
        at = article.find(text, pos) if text else -1
        pos = at if at >= 0 else pos
        before = article[:pos]
        phrase = r.speaker
        tag = headline_speaker(text) if text else None
        if tag:  # "… — Russian deputy FM", "Kremlin: …": the headline's tagged source
            phrase = fuller_mention(tag, article) or tag
        elif phrase is None and text:  # a role or pronoun the rules could not resolve to an earlier speaker
            own = find_phrase(quote_scan(text, False)[0], text)
            if own is None and is_headline(text):  # "Russia Blasts Japan's Decision": a headline's capitalised verb
                lowered = _lower_verbs(text)
                own = find_phrase(quote_scan(lowered, False)[0], lowered)
                phrase = own
            elif own and (role_like(own) or own.lower() in PRONOUNS):
                phrase = own
        elif phrase and text and AGENCY.search(phrase):
            phrase = agency_source(text) or phrase
        if phrase and text:  # "The Russian Foreign Ministry spokesperson, Maria Zakharova, said" -> the name
            phrase = apposed_name(phrase, text, actors) or phrase
        if phrase and joint_subject(phrase, actors):  # "Hayashi and Blinken agreed …": a joint act, narration (104)
            out.append(Attribution("author", "none"))
            continue
        found = None
        if phrase and not (lr.decision == "author" and lr.confidence >= author_confidence):
            found = resolve_mention(phrase, history, article, actors)
            if (not found.speaker or role_like(found.speaker)) and (role_like(phrase) or phrase.lower() in PRONOUNS):
                found = (role_antecedent(phrase, before, article, actors, article[pos + len(text):])
                         or (person_in_history(phrase, history, actors) if phrase.lower() not in PRONOUNS else None)
                         or found)
            body = body_antecedent(found.speaker, before) if found.speaker else None
            if body:  # "the ministry" -> the ministry the article named before
                found = resolve_mention(body, [], article, actors)
            if not found.speaker:
                found = r if r.speaker else None
            elif found.side is None and r.side:
                found = Attribution(found.speaker, r.side)
        elif not phrase and lr.speaker != "author" and lr.confidence >= min_confidence:
            found = Attribution(lr.speaker, lr.side)
        if found is not None and found.side is None:
            found = Attribution(found.speaker, context_side(found.speaker, article, actors))
        if found is None:
            out.append(Attribution(None, None))
            continue
        history.append(found)
        out.append(found)
    out = continued_quotes(sentences, out, article, first_person=author_line(sentences, actors) is None)
    return signed_writer(sentences, interview_turns(sentences, out, article, actors), article, actors)


_OPENS_QUOTE = re.compile(r'^\s*[“"]')
#: A first-person subject outside quotes, opening the sentence or its main clause ("We will continue to ...",
#: "Nevertheless, we do not ..."): a statement or an answer printed without quote marks, which continues the speaker
#: of the sentence before it; never the author's own address to the reader ("We will remind you that ...").
_FIRST_PERSON = re.compile(r"(?:^|,\s+)[“\"]?(?:I|We|we)\s+(?!(?:will\s+|would\s+like\s+to\s+|should\s+)?remind\b)")
_QUOTED = re.compile(r'“[^”]*”|"[^"]*"')


def _unquoted(text: str) -> str:
    return _QUOTED.sub(" ", text)


def _left_open(text: str) -> bool:
    """A double quote the sentence opens and does not close ('"As Japan is ... weapons.'), not one it closes that an
    earlier sentence opened ('... to respond."'): a straight quote opens where it starts the text or follows a space."""
    if "“" in text or "”" in text:
        return text.count("“") > text.count("”")
    marks = [m.start() for m in re.finditer('"', text)]
    if len(marks) % 2 == 0:
        return False
    last = marks[-1]
    return (last == 0 or text[last - 1] in " \t([—–-") and last + 1 < len(text) and not text[last + 1].isspace()


def continued_quotes(sentences: Sequence[str], found: list[Attribution], article: str | None = None,
                     first_person: bool = True) -> list[Attribution]:
    """A quote with no attribution of its own continues the speaker found for the sentence before it (GUIDELINES
    §4.1): a sentence that is a quote of its own right after a sentence quoting that speaker ('"I hope …," she said.'
    then '"We need to …"') or after that speaker's sentence in the same paragraph ('Galuzin also warned against …
    "As Japan is …'), a sentence inside a quote the sentence before left open, and (``first_person``: outside a
    signed piece, whose body is its writer's) one whose subject is "we" or "I" outside quotes ("We will continue
    to …": a statement printed without quote marks)."""
    out = list(found)
    para = paragraphs(sentences, article)
    for i in range(1, len(out)):
        prev, text = sentences[i - 1], sentences[i]
        if out[i].speaker or not out[i - 1].speaker or out[i - 1].speaker == "author" or isinstance(out[i - 1], WriterView):
            continue
        opens = _OPENS_QUOTE.match(text) and (any(c in prev for c in '"“”') or para[i] == para[i - 1])
        voiced = first_person and _FIRST_PERSON.search(_unquoted(text))
        if opens or (_left_open(prev) and para[i] == para[i - 1]) or voiced:
            out[i] = out[i - 1]
    return out


def attribute_article(sentences: Sequence, actors: ActorTable | None = None, head: SpanHead | None = None,
                      encoder=None, article: str | None = None) -> list[Attribution]:
    """Speaker and side of each sentence of one article, as labelling gives them: the rules (:func:`.rules.attribute`),
    their phrases resolved within the article, and the span head where the rules find nobody (when ``head`` and
    ``encoder`` are given and :data:`LEARNED_MIN_CONFIDENCE` lets it speak)."""
    return attribute_parts(sentences, actors, head, encoder, article)[1]


def attribute_parts(sentences: Sequence, actors: ActorTable | None = None, head: SpanHead | None = None,
                    encoder=None, article: str | None = None) -> tuple[list[Attribution], list[Attribution]]:
    """(the rules' own finding, :func:`attribute_article`'s) for one article: a tagger run later
    (:func:`.tagged.attribute_tagged`) combines with the first without walking the rules again."""
    actors = default_actors() if actors is None else actors
    texts = [s.text if hasattr(s, "text") else str(s) for s in sentences]
    article = "\n".join(texts) if article is None else article
    learned = None
    if head is not None and encoder is not None and LEARNED_MIN_CONFIDENCE <= 1.0:
        learned = decode_article(head, encoder, texts, actors, article=article)
    rules = attribute(texts, actors)
    return rules, combine_learned(rules, learned, article, actors, texts)
