"""Speaker phrases: the noun phrase before a verb of saying or opening a clause, its canonical speaker and side,
and what a pronoun, a bare title or "the official" refers back to."""

from __future__ import annotations

import re

from .actors import SIDES, ActorTable, Attribution
from .patterns import COMPLEMENT, DATELINE, INTRO, RELATIVE_CLAUSE
from .vocabulary import (
    ADJECTIVES,
    BODY_NOUNS,
    DETERMINERS,
    GROUP_NOUNS,
    HEAD_NOUNS,
    NATIONAL_TITLES,
    NATIONALITY,
    NATIONALITY_RE,
    NP_WORDS,
    OPENERS,
    PERSON_NOUNS,
    PREPOSITIONS,
    PRONOUNS,
    TITLES,
)


#: Quantifiers that open a speaker phrase and stay in its name at the start of a sentence (GUIDELINES §2: named as
#: the article names them; round 11).
_QUANTIFIERS = {"some", "several", "many"}


def _opener(word: str) -> bool:
    """A sentence opener that is no part of a source's name ("However", "Such"), unlike "Some" in "Some analysts"."""
    return word in OPENERS and word.lower() not in _QUANTIFIERS


def _is_np_token(word: str) -> bool:
    word = word.strip("()[]")
    if not word:
        return False
    if word[0].isupper():
        return not _opener(word)
    return word.lower() in NP_WORDS


def _valid_np(tokens: list[str]) -> bool:
    """A phrase that can be a source: a name or a head noun in it, not a lone adjective ("Western states")."""
    content = [t for t in tokens if t.lower() not in DETERMINERS and t not in PREPOSITIONS]
    if not content or all(t in ADJECTIVES for t in content):
        return False
    return any(t[0].isupper() or t.lower() in HEAD_NOUNS for t in content)


_POSSESSIVE = re.compile(r"^(?:[A-Z][\w.-]*['’]s|its|their)$")


def _possessed_modifiers(tokens: list[str], i: int, picked: list[str]) -> list[str]:
    """Up to two lower-case modifiers between a possessive and a head noun ("Japan's fisheries agency"), read right
    to left from ``tokens[i]``; [] where the words before the head are not of that shape."""
    if not picked or picked[0].lower() not in HEAD_NOUNS:
        return []
    mods: list[str] = []
    j = i
    while j >= 0 and len(mods) < 2 and re.fullmatch(r"[a-z][a-z-]+", tokens[j]) and not _POSSESSIVE.match(tokens[j]):
        mods.append(tokens[j])
        j -= 1
    return mods if mods and j >= 0 and _POSSESSIVE.match(tokens[j]) else []


def np_before(prefix: str) -> str | None:
    """The noun phrase that ends ``prefix`` (the subject of the verb after it): a name, a described source
    ("the U.S. ambassador to Japan"), or a pronoun ("he"). Returns None where there is none."""
    prefix = prefix.rstrip()
    if prefix.endswith(","):  # "Kono, apparently with the territorial issue in mind, stressed ..."
        paren = re.search(r"^(?P<head>.*\S)\s*,[^,]{1,100},$", prefix)
        if not paren:
            return None
        prefix = paren.group("head")
    if prefix.endswith((";", ":", "--")):
        return None
    gap = prefix.rfind("   ")  # a masked quote ends the phrase on its left ('… as an “integral part,” the envoy')
    if gap >= 0:
        prefix = prefix[gap:]
    tokens = prefix.split()
    picked: list[str] = []
    i = len(tokens) - 1
    while i >= 0:
        tok = tokens[i]
        bare = tok.rstrip(",;:")
        if bare != tok:  # a comma closes the phrase on its left
            break
        if not picked and bare.lower() in PRONOUNS:
            return bare.lower()
        if picked and bare in PREPOSITIONS and i > 0 and _is_np_token(tokens[i - 1]) and \
                not tokens[i - 1].endswith(","):
            picked.append(bare)  # "the U.S. ambassador to Japan"
        elif _is_np_token(bare):
            picked.append(bare)
        elif (mods := _possessed_modifiers(tokens, i, picked)):
            picked.extend(mods)  # "Japan's fisheries agency", "its overseas ministry"
            i -= len(mods)
            continue
        else:
            break
        i -= 1
    picked.reverse()
    while picked and (_opener(picked[0]) or picked[0] in PREPOSITIONS):
        picked.pop(0)
    if picked and _valid_np(picked) and i >= 1 and tokens[i] == "and" and picked[0][:1].isupper():
        other = np_before(" ".join(tokens[:i]))  # a joint subject: "Moscow and Beijing", "Russia and China"
        if other and other[:1].isupper() and other.lower() not in PRONOUNS and " and " not in other:
            return f"{other} and {' '.join(picked)}"
    return " ".join(picked) if picked and _valid_np(picked) else None


def subject(clause: str) -> str | None:
    """The noun phrase opening a clause, after any dateline and introductory phrase ("In Tokyo, ...")."""
    clause = DATELINE.sub("", clause.strip())
    clause = INTRO.sub("", clause)
    tokens = clause.split()
    picked: list[str] = []
    for i, tok in enumerate(tokens):
        bare = tok.rstrip(",")
        if picked and bare in PREPOSITIONS and i + 1 < len(tokens) and _is_np_token(tokens[i + 1]):
            picked.append(bare)
            continue
        if not _is_np_token(bare):
            if not picked and bare.lower() in PRONOUNS:
                return bare.lower()
            break
        picked.append(bare)
        if bare != tok:
            break
    while picked and picked[0] in OPENERS:
        picked.pop(0)
    while picked and picked[-1] in PREPOSITIONS:
        picked.pop()
    return " ".join(picked) if picked and _valid_np(picked) else None


def trim_np(np_text: str) -> str:
    """A phrase after "according to"/"by": cut at a relative clause or a time or place adjunct."""
    np_text = RELATIVE_CLAUSE.split(np_text, maxsplit=1)[0]
    return np_text.strip(" '’\"")


def strip_titles(name: str) -> str:
    """Drop leading title words from a person's name ("Gen. Valery Gerasimov"); all-title phrases stay as they are."""
    tokens = name.split()
    if tokens and tokens[0] in ("the", "of"):
        return name
    i = 0
    while i < len(tokens) - 1 and tokens[i] in TITLES:
        i += 1
    rest = tokens[i:]
    if rest and all(t[:1].isupper() for t in rest) and not all(t in TITLES for t in rest):
        return " ".join(rest)
    return name


def _head(phrase: str) -> str:
    """The phrase before any complement ("a source knowledgeable about Japan-Russia ties" -> "a source")."""
    return COMPLEMENT.split(phrase, maxsplit=1)[0]


def _side_of(phrase: str, actors: ActorTable) -> str | None:
    """The side named in the phrase's head: its leftmost actor or nationality word ("a U.S. Pacific Fleet
    spokesperson" -> us, "Russian media" -> russian)."""
    head = _head(phrase)
    found = []
    hit = actors.search(head)
    if hit is not None and hit[1].side in SIDES:
        found.append((hit[0], 0, hit[1].side))
    m = NATIONALITY_RE.search(head)
    if m:
        found.append((m.start(), 1, NATIONALITY[m.group(1)]))
    return min(found)[2] if found else None


def resolve(phrase: str, actors: ActorTable) -> Attribution:
    """Canonical speaker and side for a speaker phrase.

    A phrase that is an actor's name or alias (titles dropped: "President Putin") becomes that actor, a person
    by full name ("Vladimir Putin"), a body as the article names it ("Moscow"); any other phrase keeps its words
    and takes the side of an actor or nationality word in it, or none.
    """
    phrase = phrase.strip().rstrip(",")
    if phrase.endswith(".") and not re.search(r"(?:^|[\s.])[A-Z]\.$", phrase):  # "the U.S." keeps its stop
        phrase = phrase.rstrip(".")
    plain = strip_titles(phrase)
    bare = re.sub(r"^(?:the|The)\s+", "", phrase)  # "The Joint Chiefs of Staff Committee"
    actor = actors.get(plain) or actors.get(phrase) or actors.get(bare)
    if actor is not None:
        return Attribution(actor.name if actor.kind == "person" else phrase, actor.side if actor.side in SIDES else None)
    return Attribution(plain, _side_of(phrase, actors))


def _kind(name: str | None, actors: ActorTable) -> str | None:
    """What a pronoun could take this speaker as: 'person', 'group' or 'body' (None: unknown)."""
    if not name:
        return None
    actor = actors.get(name)
    if actor is not None:
        return "person" if actor.kind == "person" else "body"
    words = name.split()
    last = _head(name).split()[-1].lower().removesuffix("'s").removesuffix("’s")
    if last in PERSON_NOUNS:
        return "person"
    if last in GROUP_NOUNS or " and " in name:
        return "group"
    if last in BODY_NOUNS:
        return "body"
    if len(words) >= 2 and all(w[:1].isupper() for w in words) and NATIONALITY_RE.search(name) is None:
        return "person"
    return "body" if words[0][:1].isupper() else None


def _is_role(phrase: str) -> bool:
    """A bare title ("the President", "Russian Foreign Minister"), no name in it."""
    words = [w for w in phrase.split() if w.lower() not in DETERMINERS]
    return any(w not in NATIONAL_TITLES for w in words) and all(w in TITLES for w in words)


def _definite_head(phrase: str) -> str | None:
    """The head noun of a bare definite description ("the official", "The agency"), else None."""
    words = phrase.split()
    if words and words[0].lower() == "the" and 2 <= len(words) <= 3 and words[-1].lower() in HEAD_NOUNS \
            and all(w.islower() for w in words[1:]):
        return words[-1].lower()
    return None


def refer_back(phrase: str, history: list[Attribution], actors: ActorTable) -> Attribution | None | bool:
    """Resolve a pronoun, a bare title ("the President") or a definite description ("the official") to an earlier
    speaker of the article. Returns the speaker, None (refers but to nobody found), or False (not a reference)."""
    lowered = phrase.lower()
    if lowered in PRONOUNS:
        want = PRONOUNS[lowered]
        if want == "group" and history and _kind(history[-1].speaker, actors) == "body":
            return history[-1]  # "the ministry said ... They warned that ...": a body's staff speak for it
        return next((h for h in reversed(history) if _kind(h.speaker, actors) == want), None)
    if _is_role(phrase):
        titles = [w.lower() for w in phrase.split() if w.lower() not in DETERMINERS and w not in NATIONAL_TITLES]
        for h in reversed(history):
            actor = actors.get(h.speaker or "")
            if actor is not None and actor.role and titles and all(t in actor.role.lower() for t in titles):
                return h
        return None
    head = _definite_head(phrase)
    if head is not None:
        stem = head.rstrip("s")
        for h in reversed(history):
            words = (h.speaker or "").lower().split()
            if words and words[-1].rstrip("s") == stem:
                return h
        return False  # "the government" with no antecedent: a speaker in its own right
    return False
