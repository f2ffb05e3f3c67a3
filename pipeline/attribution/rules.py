"""Speaker attribution by rule: whom a sentence quotes or reports, and which side that speaker is on.

Patterns find the source of a sentence ("X said", "according to X", "X told reporters", '"…," X said',
"…, officials said.", "expressed by X", "X is concerned that", "X rejected …, saying"); a quote that runs on
into later sentences keeps its speaker, "he"/"the official" refer back to the last fitting speaker, and an
interview's answers go to the interviewee. The side comes from the actors table (``annotations/actors.csv``:
name, aliases, side, role, kind), else from a nationality word in the speaker's phrase ("Russian media").
The rules aim at precision: where they find nothing, the classifier's ``speaker_side`` decides (:func:`combine`)
when it is confident enough.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple
from collections.abc import Iterable, Mapping, Sequence

from .. import paths

ACTORS = paths.ANNOTATIONS / "actors.csv"
SIDES = ("japanese", "russian", "us", "other")
#: Where the rules find no speaker (or no side for the one they find), a classifier side other than ``none`` stands
#: only at this calibrated probability or above; below it the annotation default holds (the author's sentence; a
#: named speaker of unknown side is ``other``). Out of fold on the seed articles the classifier gave
#: such a side to 28 sentences with no rule-found speaker, none above 0.83, and 26 of them were narration (gold
#: ``none``): it tends to read whose position a sentence carries as who says it. The value is the smallest that
#: maximises name + side accuracy on the seed gold (``benchmarks/attribution.py`` prints that choice and the
#: accuracy of choosing it by article-nested cross-validation).
SIDE_MIN_CONFIDENCE = 0.85


class Attribution(NamedTuple):
    """A sentence's speaker as the rules found it (``None``: no source found) and its side (``None``: unknown)."""

    speaker: str | None
    side: str | None


@dataclass(frozen=True)
class Actor:
    name: str
    aliases: tuple[str, ...]
    side: str
    role: str = ""
    kind: str = ""


class ActorTable:
    """Known actors, looked up by name or alias: exactly, or as the leftmost-longest whole-word match in a text."""

    def __init__(self, actors: Iterable[Actor] = ()):
        self.actors = list(actors)
        self._by_key: dict[str, Actor] = {}
        keys: list[str] = []
        for a in self.actors:
            for key in (a.name, *a.aliases):
                key = key.strip()
                if key and key.lower() not in self._by_key:
                    self._by_key[key.lower()] = a
                    keys.append(key)
        keys.sort(key=len, reverse=True)
        # Short or all-caps aliases ("US", "SDF") match case-sensitively, so the pronoun "us" never does.
        parts = [re.escape(k) if (len(k) <= 3 or k.isupper()) else f"(?i:{re.escape(k)})" for k in keys]
        self._pattern = re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])") if parts else None

    def __len__(self) -> int:
        return len(self.actors)

    def get(self, name: str) -> Actor | None:
        """The actor whose name or alias is exactly ``name`` (case-insensitive)."""
        return self._by_key.get(name.strip().lower())

    def search(self, text: str) -> tuple[int, Actor] | None:
        """(position, actor) of the leftmost, then longest, name or alias in ``text``."""
        m = self._pattern.search(text) if self._pattern is not None else None
        return (m.start(), self._by_key[m.group().lower()]) if m else None

    def find(self, text: str) -> Actor | None:
        found = self.search(text)
        return found[1] if found else None


def load_actors(path: Path | str = ACTORS) -> ActorTable:
    """Read the actors CSV (name, aliases, side, role, kind; aliases separated by ``|``). A missing file gives an
    empty table, so attribution still works from nationality words alone."""
    path = Path(path)
    if not path.is_file():
        return ActorTable()
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    actors = []
    for row in rows:
        name = (row.get("name") or "").strip()
        if name:
            aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
            actors.append(Actor(name, aliases, (row.get("side") or "").strip().lower(),
                                (row.get("role") or "").strip(), (row.get("kind") or "").strip().lower()))
    return ActorTable(actors)


@lru_cache(maxsize=4)
def _cached_actors(path: str, mtime: float) -> ActorTable:
    return load_actors(path)


def default_actors() -> ActorTable:
    """The project's actors table (read again when the file changes)."""
    return _cached_actors(str(ACTORS), ACTORS.stat().st_mtime if ACTORS.is_file() else 0.0)


# --- vocabulary -------------------------------------------------------------------------------------------------

#: Nationality words -> side, for speakers the actors table does not know ("Russian media", "a Japanese diplomat").
NATIONALITY: dict[str, str] = {
    **dict.fromkeys(("Japan", "Japanese", "Tokyo", "Japan's", "Tokyo's"), "japanese"),
    **dict.fromkeys(("Russia", "Russian", "Moscow", "Kremlin", "Soviet", "Russia's", "Moscow's", "Kremlin's"), "russian"),
    **dict.fromkeys(("U.S.", "US", "American", "Washington", "Pentagon", "America", "Washington's", "America's"), "us"),
    **dict.fromkeys(("China", "Chinese", "Beijing", "Pyongyang", "North Korea", "North Korean", "South Korea",
                     "South Korean", "Seoul", "ROK", "NATO", "European", "Western", "Ukraine", "Ukrainian",
                     "China's", "North Korea's", "South Korea's", "NATO's"), "other"),
}
_NATIONALITY = re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, NATIONALITY), key=len, reverse=True)) + r")(?![\w-])")

#: Verbs (and predicates) of saying, thinking and feeling that make their subject the sentence's source.
_SAY = (
    r"said|says|say|told|tells|tell|stated|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|noted|notes|note|"
    r"added|adds|explained|explains|complained|complains|warned|warns|argued|argues|argue|claimed|claims|"
    r"insisted|insists|insist|believes|believe|believed|regards|regard|regarded|views|viewed|fears|fear|feared|"
    r"feels|feel|felt|thinks|think|thought|hopes|hoped|hope|considers|consider|considered|reiterated|"
    r"reiterates|repeated|expressed|expresses|voiced|voices|raised concerns?|asserted|asserts|maintained|"
    r"maintains|acknowledged|acknowledges|admitted|denied|denies|suggested|suggests|pointed out|points out|"
    r"hinted|hints|understands|understand|highlighted|highlights|criticized|criticised|criticizes|criticises|"
    r"condemned|condemns|announced|announces|reported|wrote|writes|urged|urges|called|calls|asked|"
    r"asks|sought|seeks|demanded|demands|opposed|opposes|objected|protested|offered to|"
    r"offers to|rejected|rejects|responded|responds|described|describes|accused|accuses|dismissed|dismisses|"
    r"denounced|denounces|welcomed|welcomes|praised|praises|pledged|pledges|vowed|vows|countered|counter|"
    r"counters|contends|contend|contended|debate|debated|describe|"
    r"lodged (?:a |strong )?protests?|backs|backed|"
    r"declined to comment|gave to understand|gives to understand|has shown (?:great |grave |deep |serious )?concern|"
    r"(?:has |have )?become (?:more |increasingly )?(?:critical|wary|concerned)|"
    r"(?:is|are|was|were|remains?|remained|has been|have been) (?:also |deeply |very |increasingly |well |still )?"
    r"(?:concerned|worried|hopeful|wary|aware|convinced|confident|alarmed|optimistic|pessimistic|skeptical|sceptical)"
)
_DAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
#: What may stand between a subject and its verb: adverbs, auxiliaries, "on Thursday", "in a statement".
_PRE_VERB = (r"(?:(?:also|again|apparently|reportedly|repeatedly|previously|earlier|later|recently|long|still|further|"
             r"twice|once|already|often|never|always|then|now|even|not|nevertheless|has|have|had|would|will|could|"
             r"may|might|[a-z]+ly)\s+|on\s+" + _DAY + r"\s+|in\s+a\s+(?:joint\s+|written\s+)?statement\s+|"
             r"last\s+(?:week|month|year)\s+|,\s*by contrast,\s*)")
_SAY_RE = re.compile(r"(?<![\w-])" + _PRE_VERB + r"{0,3}(?:" + _SAY + r")(?![\w-])")
_AFTER_QUOTE_RE = re.compile(r"^\s*,?\s*(?:said|says|added|adds|told reporters|stressed|noted|explained|asked)\s+"
                             r"(?P<np>(?:[A-Z][\w.'’-]*\s*){1,5})")
_ABBREV = r"(?:Gen|Lt|Col|Maj|Capt|Adm|Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|St|Jr|U\.S|U\.K|U\.N|[A-Z])\."
_PHRASE = r"(?P<np>(?:" + _ABBREV + r"|[^,.;:()\"“”]){2,80})"
_ACCORDING_RE = re.compile(r"(?<![\w-])(?:[Aa]ccording to|[Aa]s quoted by|^Citing)\s+" + _PHRASE)
_PASSIVE_RE = re.compile(r"(?<![\w-])(?:expressed|raised|voiced|stated|echoed|reiterated|quoted|conveyed)\s+by\s+"
                         + _PHRASE)
_SAY_SHORT = r"(?:said|says|say|told reporters|added|noted|reported|argue|argues|believe|believes|insist|insists|" \
             r"contend|contends|warned|warn|warns)"
#: "…, officials said." ending a sentence, and "…, U.S. officials argue, …" inside one.
_TRAILING_RE = re.compile(r",\s+(?P<np>[^,;:]{2,60}?)\s+" + _SAY_SHORT + r"(?:\s+(?:on\s+)?" + _DAY + r")?\s*[.!]?\s*$")
_INSERTED_RE = re.compile(r",\s+(?P<np>[^,;:]{2,60}?)\s+" + _SAY_SHORT + r"\s*,")
_WHO_RE = re.compile(r"(?P<np>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}),\s+who\s+" + _PRE_VERB + r"{0,2}(?:"
                     + _SAY + r")(?![\w-])")
#: "Moscow rejected the plan, saying …": the subject of the clause before the participle.
_PARTICIPLE_RE = re.compile(r",\s+(?:saying|warning|arguing|adding|insisting|stressing|noting|calling|describing|"
                            r"accusing|claiming|blaming|complaining|urging|citing|pointing out)\b")
_DATELINE = re.compile(r"^[A-Z][A-Z .,'-]+(?:\([^)]*\))?\s+(?:--|—|–)\s+")
_INTRO = re.compile(r"^(?:In|On|At|During|After|Before|Since|For|With|Under|As|Despite|Following|From|Amid|Addressing|"
                    r"Speaking|Asked|Referring|However|Meanwhile|Notably|Separately)\b[^,]{0,100},\s*")
_INTERVIEWED = re.compile(r"^\s*(?:Interview(?:ed)? by|Interviewer:)\s", re.IGNORECASE)
_NAME_LINE = re.compile(r"^(?P<name>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3})\s*,\s+\S")

#: Capitalised words that open a sentence or clause but are never part of a speaker's name.
_OPENERS = frozenset("""However But And So Meanwhile Notably Especially Also Yet Still Naturally Therefore Thus
Moreover Furthermore Instead Indeed Now Then Previously Earlier Later Last This That These Those It There Here
In On At For With As When While After Before Since During Although Though If Because Why What How Who Which
Where Similarly Likewise Nevertheless Nonetheless Finally First Second Third Besides Otherwise Recently Today
Yesterday Tomorrow Separately Further Despite Under Over From By To Of Such Both All Many Most Some Other Another
Even Only Just Perhaps Probably Clearly Apparently Reportedly Interestingly Importantly Overall Anyway
I We You They He She Its Their His Her Our My""".split())
_PRONOUNS = {"he": "person", "she": "person", "they": "group", "it": "body"}
_PREPOSITIONS = frozenset("in to at of for from outside".split())
#: Lower-case words allowed inside a speaker noun phrase (determiners, modifiers, heads).
_NP_WORDS = frozenset("""the a an one some several many two three four its their his her our high-ranking senior
top former current military defense defence foreign government ministry ministries official officials media
expert experts source sources analyst analysts side government's spokesman spokeswoman spokesperson diplomat
diplomats leader leaders embassy president minister ministers authorities observers commentators politicians
lawmakers lawmaker delegation officers officer agency report reports statement newspaper daily forecast annual
state-run state-owned state security intelligence army navy staff general chief head deputy vice prime
secretary ambassador envoy leadership administration cabinet parliament regional local legal scholars
historians governments presidential office news official's press service member association residents
critics specialist researcher professor relatives""".split())
#: Heads of a speaker phrase, by what a pronoun may refer back to them.
_PERSON_NOUNS = frozenset("""official spokesman spokeswoman spokesperson diplomat leader minister president
secretary ambassador envoy chief general expert analyst lawmaker governor officer commander scholar""".split())
_GROUP_NOUNS = frozenset("""officials experts sources analysts diplomats leaders authorities observers commentators
politicians lawmakers officers ministers scholars historians governments media""".split())
_BODY_NOUNS = frozenset("""ministry government administration leadership embassy agency army navy intelligence
report statement newspaper daily forecast side office review council fleet department""".split())
_HEAD_NOUNS = _PERSON_NOUNS | _GROUP_NOUNS | _BODY_NOUNS | {"source"}
#: Title words stripped from the front of a person's name ("Japanese Defense Minister Itsunori Onodera").
_TITLES = frozenset("""Gen. General Adm. Admiral Lt. Col. Maj. Capt. Mr. Mrs. Ms. Dr. Prof. President Prime
Minister Foreign Defense Defence Chief Secretary Deputy Vice Ambassador Spokesman Spokeswoman Premier Chancellor
Senator Sen. Rep. Governor Gov. State Director Director-General Chairman Commander Cabinet Japanese Russian U.S.
American Chinese Former Acting Senior Lieutenant of the""".split())
_NATIONAL_TITLES = frozenset({"Japanese", "Russian", "U.S.", "American", "Chinese"})
_DETERMINERS = frozenset("the a an one some several many its their his her our".split())


# --- quotes ------------------------------------------------------------------------------------------------------

def _quote_scan(text: str, in_quote: bool) -> tuple[str, bool, int]:
    """Mask quoted characters with spaces; returns (masked text, inside a quote at the end, words quoted)."""
    out = []
    quoted_words = 0
    prev_space = True
    for ch in text:
        if ch in "“”\"":
            in_quote = True if ch == "“" else False if ch == "”" else not in_quote
            out.append(" ")
            prev_space = True
            continue
        if in_quote:
            if ch.isspace():
                prev_space = True
            elif prev_space:
                quoted_words += 1
                prev_space = False
        out.append(" " if in_quote else ch)
    return "".join(out), in_quote, quoted_words


# --- noun phrases -------------------------------------------------------------------------------------------------

def _is_np_token(word: str) -> bool:
    word = word.strip("()[]")
    if not word:
        return False
    if word[0].isupper():
        return word not in _OPENERS
    return word.lower() in _NP_WORDS


_ADJECTIVES = frozenset("Japanese Russian American Chinese Western European Korean Soviet".split())


def _valid_np(tokens: list[str]) -> bool:
    """A phrase that can be a source: a name or a head noun in it, not a lone adjective ("Western states")."""
    content = [t for t in tokens if t.lower() not in _DETERMINERS and t not in _PREPOSITIONS]
    if not content or all(t in _ADJECTIVES for t in content):
        return False
    return any(t[0].isupper() or t.lower() in _HEAD_NOUNS for t in content)


def _np_before(prefix: str) -> str | None:
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
    tokens = prefix.split()
    picked: list[str] = []
    i = len(tokens) - 1
    while i >= 0:
        tok = tokens[i]
        bare = tok.rstrip(",;:")
        if bare != tok:  # a comma closes the phrase on its left
            break
        if not picked and bare.lower() in _PRONOUNS:
            return bare.lower()
        if picked and bare in _PREPOSITIONS and i > 0 and _is_np_token(tokens[i - 1]) and \
                not tokens[i - 1].endswith(","):
            picked.append(bare)  # "the U.S. ambassador to Japan"
        elif _is_np_token(bare):
            picked.append(bare)
        else:
            break
        i -= 1
    picked.reverse()
    while picked and (picked[0] in _OPENERS or picked[0] in _PREPOSITIONS):
        picked.pop(0)
    return " ".join(picked) if picked and _valid_np(picked) else None


def _subject(clause: str) -> str | None:
    """The noun phrase opening a clause, after any dateline and introductory phrase ("In Tokyo, ...")."""
    clause = _DATELINE.sub("", clause.strip())
    clause = _INTRO.sub("", clause)
    tokens = clause.split()
    picked: list[str] = []
    for i, tok in enumerate(tokens):
        bare = tok.rstrip(",")
        if picked and bare in _PREPOSITIONS and i + 1 < len(tokens) and _is_np_token(tokens[i + 1]):
            picked.append(bare)
            continue
        if not _is_np_token(bare):
            if not picked and bare.lower() in _PRONOUNS:
                return bare.lower()
            break
        picked.append(bare)
        if bare != tok:
            break
    while picked and picked[0] in _OPENERS:
        picked.pop(0)
    while picked and picked[-1] in _PREPOSITIONS:
        picked.pop()
    return " ".join(picked) if picked and _valid_np(picked) else None


def _trim_np(np_text: str) -> str:
    """A phrase after "according to"/"by": cut at a relative clause or a time or place adjunct."""
    np_text = re.split(r"\s+(?:who|which|that|when|where|as|in a|on|at|during|after)\s", np_text, maxsplit=1)[0]
    return np_text.strip(" '’\"")


def _strip_titles(name: str) -> str:
    """Drop leading title words from a person's name ("Gen. Valery Gerasimov"); all-title phrases stay as they are."""
    tokens = name.split()
    if tokens and tokens[0] in ("the", "of"):
        return name
    i = 0
    while i < len(tokens) - 1 and tokens[i] in _TITLES:
        i += 1
    rest = tokens[i:]
    if rest and all(t[:1].isupper() for t in rest) and not all(t in _TITLES for t in rest):
        return " ".join(rest)
    return name


_COMPLEMENT = re.compile(r"\s+(?:about|of|on|in|at|from|with|for|to|outside|knowledgeable|who|which|that)\s")


def _head(phrase: str) -> str:
    """The phrase before any complement ("a source knowledgeable about Japan-Russia ties" -> "a source")."""
    return _COMPLEMENT.split(phrase, maxsplit=1)[0]


def _side_of(phrase: str, actors: ActorTable) -> str | None:
    """The side named in the phrase's head: its leftmost actor or nationality word ("a U.S. Pacific Fleet
    spokesperson" -> us, "Russian media" -> russian)."""
    head = _head(phrase)
    found = []
    hit = actors.search(head)
    if hit is not None and hit[1].side in SIDES:
        found.append((hit[0], 0, hit[1].side))
    m = _NATIONALITY.search(head)
    if m:
        found.append((m.start(), 1, NATIONALITY[m.group(1)]))
    return min(found)[2] if found else None


def resolve(phrase: str, actors: ActorTable) -> Attribution:
    """Canonical speaker and side for a speaker phrase.

    A phrase that is an actor's name or alias (titles dropped: "President Putin") becomes that actor, a person
    by full name ("Vladimir Putin"), a body as the article names it ("Moscow"); any other phrase keeps its words
    and takes the side of an actor or nationality word in it, or none.
    """
    phrase = phrase.strip().rstrip(".,")
    plain = _strip_titles(phrase)
    actor = actors.get(plain) or actors.get(phrase)
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
    if last in _PERSON_NOUNS:
        return "person"
    if last in _GROUP_NOUNS or " and " in name:
        return "group"
    if last in _BODY_NOUNS:
        return "body"
    if len(words) >= 2 and all(w[:1].isupper() for w in words) and _NATIONALITY.search(name) is None:
        return "person"
    return "body" if words[0][:1].isupper() else None


def _is_role(phrase: str) -> bool:
    """A bare title ("the President", "Russian Foreign Minister"), no name in it."""
    words = [w for w in phrase.split() if w.lower() not in _DETERMINERS]
    return any(w not in _NATIONAL_TITLES for w in words) and all(w in _TITLES for w in words)


def _definite_head(phrase: str) -> str | None:
    """The head noun of a bare definite description ("the official", "The agency"), else None."""
    words = phrase.split()
    if words and words[0].lower() == "the" and 2 <= len(words) <= 3 and words[-1].lower() in _HEAD_NOUNS \
            and all(w.islower() for w in words[1:]):
        return words[-1].lower()
    return None


def _refer_back(phrase: str, history: list[Attribution], actors: ActorTable) -> Attribution | None | bool:
    """Resolve a pronoun, a bare title ("the President") or a definite description ("the official") to an earlier
    speaker of the article. Returns the speaker, None (refers but to nobody found), or False (not a reference)."""
    lowered = phrase.lower()
    if lowered in _PRONOUNS:
        want = _PRONOUNS[lowered]
        return next((h for h in reversed(history) if _kind(h.speaker, actors) == want), None)
    if _is_role(phrase):
        titles = [w.lower() for w in phrase.split() if w.lower() not in _DETERMINERS and w not in _NATIONAL_TITLES]
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


# --- sentences ------------------------------------------------------------------------------------------------------

def _find_phrase(masked: str, raw: str) -> str | None:
    """The speaker phrase one sentence names (quoted text masked out), or None."""
    for m in re.finditer(r"[”\"]", raw):  # '"…," Onodera said' / '"…," said Onodera'
        am = _AFTER_QUOTE_RE.match(masked[m.end():])
        if am:
            return am.group("np").strip()
    for rx in (_TRAILING_RE, _INSERTED_RE):  # "…, officials said." / "…, U.S. officials argue, …"
        m = rx.search(masked)
        if m:
            np_text = _np_before(m.group("np"))
            if np_text:
                return np_text
    candidates: list[tuple[int, str]] = []
    for rx in (_ACCORDING_RE, _PASSIVE_RE):
        m = rx.search(masked)
        if m:
            np_text = _trim_np(m.group("np"))
            if np_text and np_text.split()[0].lower() not in ("i", "we", "you", "this", "that", "there"):
                candidates.append((m.start(), np_text))
    m = _WHO_RE.search(masked)
    if m:  # "… his counterpart, Sergey Lavrov, who said …"
        candidates.append((m.start(), m.group("np")))
    for m in _SAY_RE.finditer(masked):
        np_text = _np_before(masked[: m.start()])
        if np_text:
            candidates.append((m.start(), np_text))
            break
    if candidates:
        return min(candidates)[1]
    m = _PARTICIPLE_RE.search(masked)
    if m:
        return _subject(masked[: m.start()])
    return None


def _interviewee(sentences: Sequence[str]) -> tuple[int, str] | None:
    """(index of the name line, interviewee) when the article opens as an interview ("Interviewed by ...")."""
    head = sentences[:6]
    if not any(_INTERVIEWED.match(s) for s in head):
        return None
    for i, s in enumerate(head):
        m = _NAME_LINE.match(s)
        if m and not _INTERVIEWED.match(s) and len(s) < 200:
            return i, m.group("name")
    return None


def attribute(sentences: Sequence, actors: ActorTable | None = None) -> list[Attribution]:
    """Speaker and side of each sentence of one article, in order (``Attribution(None, None)``: no source found).

    ``sentences`` are strings or objects with ``.text``. A quote that opens in one sentence and closes in a later
    one keeps the speaker named in either ('"A.' / 'B," he said.'); a sentence that is a whole quote right after
    an attributed quote continues it; pronouns, bare titles and "the official" refer to an earlier speaker.
    """
    actors = default_actors() if actors is None else actors
    texts = [s.text if hasattr(s, "text") else str(s) for s in sentences]
    out: list[Attribution] = [Attribution(None, None)] * len(texts)
    history: list[Attribution] = []
    in_quote = False
    run: list[int] = []                    # sentences of the open quote still without a speaker
    quote_speaker: Attribution | None = None
    last_quote: Attribution | None = None  # speaker of the previous sentence's quote (5+ words)
    since_quote_char = 0
    for i, raw in enumerate(texts):
        started_inside = in_quote
        masked, in_quote, quoted_words = _quote_scan(raw, in_quote)
        has_quote_char = any(c in raw for c in '"“”')
        since_quote_char = 0 if has_quote_char else since_quote_char + 1
        if in_quote and since_quote_char >= 3:  # unbalanced straight quotes: stop running on
            in_quote, started_inside, run, quote_speaker = False, False, [], None
        phrase = _find_phrase(masked, raw)
        found: Attribution | None = None
        if phrase:
            ref = _refer_back(phrase, history, actors)
            found = resolve(phrase, actors) if ref is False else ref
        if found is None and started_inside and quote_speaker is not None:
            found = quote_speaker
        if found is None and raw.lstrip()[:1] in '"“' and last_quote is not None:
            found = last_quote  # '"…," Onodera said.' then '"It is not …"'
        if found is not None:
            out[i] = found
            history.append(found)
            for j in run:  # back-fill a quote whose speaker is named at its end
                out[j] = found
            run = []
        elif started_inside or (in_quote and has_quote_char):
            run.append(i)
        if in_quote:
            quote_speaker = found if found is not None else quote_speaker
        else:
            quote_speaker, run = None, []
        last_quote = found if (found is not None and quoted_words >= 5) else None
    interview = _interviewee(texts)
    if interview is not None:  # the answers are the interviewee's, reported speech inside them included
        at, name = interview
        who = resolve(name, actors)
        for i in range(at + 1, len(texts)):
            out[i] = who
    return out


# --- combining with the classifier, and evaluating ----------------------------------------------------------------------

def combine(found: Attribution, classifier_side: str, confidence: float = 1.0,
            min_confidence: float = SIDE_MIN_CONFIDENCE) -> tuple[str, str, str]:
    """(speaker, speaker_side, how) from the rules' attribution and the classifier's side (with its probability).

    A named speaker whose side is known (actors table or nationality word) wins. Otherwise the classifier's side is
    used where its ``confidence`` reaches ``min_confidence``, and the annotation rule's default where it does not
    (how: ``default``): a named speaker of unknown side is ``other``; a sentence with no name found is the author's.
    A named speaker keeps its name whatever the classifier says; with no name found, the speaker is ``author`` for
    side ``none`` and ``unknown`` for any other side.
    """
    if found.speaker and found.side:
        return found.speaker, found.side, "attribution"
    sure = confidence >= min_confidence
    if found.speaker:
        if classifier_side != "none" and sure:
            return found.speaker, classifier_side, "attribution+classifier"
        return found.speaker, "other", "default"
    if classifier_side == "none":
        return "author", "none", "classifier"
    if not sure:
        return "author", "none", "default"
    return "unknown", classifier_side, "classifier"


_NORM_DROP = _DETERMINERS | {t.lower().rstrip(".") for t in _TITLES}


def _norm_tokens(name: str) -> list[str]:
    words = re.findall(r"[\w.'’-]+", name.lower().replace("’s", "").replace("'s", ""))
    words = [w.strip(".'’-") for w in words]
    return [w for w in words if w and w not in _NORM_DROP]


def _drop_determiners(name: str) -> str:
    return " ".join(w for w in name.lower().split() if w not in _DETERMINERS)


def same_speaker(predicted: str, gold: str, actors: ActorTable | None = None) -> bool:
    """Lenient name match: equal after dropping titles and determiners, the same surname or head word, one name's
    words all inside the other's ("Kono" ~ "Taro Kono", "officials" ~ "Japanese officials"), or the same actor
    by alias ("U.S." ~ "the United States")."""
    if predicted.lower() == gold.lower() or _drop_determiners(predicted) == _drop_determiners(gold):
        return True
    if "author" in (predicted, gold) or "unknown" in (predicted, gold):
        return False
    if actors is not None:
        a, b = actors.get(_strip_titles(predicted)) or actors.get(predicted), actors.get(_strip_titles(gold)) or actors.get(gold)
        if a is not None and a is b:
            return True
    p, g = _norm_tokens(predicted), _norm_tokens(gold)
    if not p or not g:
        return False
    return p == g or p[-1] == g[-1] or set(p) <= set(g) or set(g) <= set(p)


def evaluate_attribution(gold_records: Iterable[Mapping], actors: ActorTable | None = None,
                         classifier_sides: Mapping[str, str] | None = None,
                         classifier_confidence: Mapping[str, float] | None = None,
                         min_confidence: float = SIDE_MIN_CONFIDENCE) -> dict:
    """Speaker-name and speaker_side accuracy of attribution against gold records (``speaker``, ``speaker_side``).

    Sentences are grouped by ``doc_id`` and ordered by ``id``; :func:`combine` decides, as in labelling. Without
    ``classifier_sides`` (record id -> side) the rules stand alone, as if the classifier always said ``none``: no
    name found predicts ``author``/``none``, and a named speaker of unknown nationality ``other`` (the annotation
    rule for unnamed or foreign sources). With them, each side's probability comes from ``classifier_confidence``
    (record id -> p; 1.0 where absent).
    Returns overall accuracies, accuracies on gold non-author sentences, counts and the errors.
    """
    actors = default_actors() if actors is None else actors
    by_doc: dict[str, list[Mapping]] = {}
    for r in gold_records:
        by_doc.setdefault(r["doc_id"], []).append(r)
    n = name_ok = side_ok = quoted = quoted_name_ok = quoted_side_ok = 0
    errors = []
    for doc in by_doc.values():
        doc = sorted(doc, key=lambda r: r["id"])
        for r, found in zip(doc, attribute([r["text"] for r in doc], actors)):
            classifier_side = classifier_sides[r["id"]] if classifier_sides is not None else "none"
            confidence = (classifier_confidence or {}).get(r["id"], 1.0)
            speaker, side, _ = combine(found, classifier_side, confidence, min_confidence)
            ok_name = same_speaker(speaker, r["speaker"], actors)
            ok_side = side == r["speaker_side"]
            n += 1
            name_ok += ok_name
            side_ok += ok_side
            if r["speaker"] != "author":
                quoted += 1
                quoted_name_ok += ok_name
                quoted_side_ok += ok_side
            if not (ok_name and ok_side):
                errors.append({"id": r["id"], "gold": (r["speaker"], r["speaker_side"]), "predicted": (speaker, side)})
    nan = float("nan")
    return {
        "sentences": n,
        "name_accuracy": name_ok / n if n else nan,
        "side_accuracy": side_ok / n if n else nan,
        "attributed_sentences": quoted,
        "attributed_name_accuracy": quoted_name_ok / quoted if quoted else nan,
        "attributed_side_accuracy": quoted_side_ok / quoted if quoted else nan,
        "errors": errors,
    }
