"""Speaker attribution by rule: who a sentence quotes or reports, and which side that speaker is on.

Patterns find the source of a sentence ("X said", "according to X", "X told reporters", '"…," X said',
"expressed by X", "X is concerned that"); a quote that runs on into later sentences keeps its speaker, and
an interview's answers go to the interviewee. The side comes from the actors table
(``annotations/actors.csv``: name, aliases, side, role, kind), else from a nationality word in the speaker's
name ("Russian media", "Japanese officials"). The rules are precise rather than complete: where they find
nothing, the classifier's ``speaker_side`` decides (see :func:`combine`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, NamedTuple, Sequence

from . import paths

ACTORS = paths.ANNOTATIONS / "actors.csv"
SIDES = ("japanese", "russian", "us", "other")


class Attribution(NamedTuple):
    """A sentence's speaker as found by the rules (``None``: no source found) and its side (``None``: unknown)."""

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
    """Lookup of known actors by name or alias, longest match first, on whole words."""

    def __init__(self, actors: Iterable[Actor] = ()):
        self.actors = [a for a in actors if a.side in SIDES or a.side == "none"]
        self._by_key: dict[str, Actor] = {}
        keys: list[str] = []
        for a in self.actors:
            for key in (a.name, *a.aliases):
                key = key.strip()
                if key and key.lower() not in self._by_key:
                    self._by_key[key.lower()] = a
                    keys.append(key)
        keys.sort(key=len, reverse=True)
        # Short or all-caps aliases ("US", "ROK") match case-sensitively so the pronoun "us" never does.
        parts = [re.escape(k) if (len(k) <= 3 or k.isupper()) else f"(?i:{re.escape(k)})" for k in keys]
        self._pattern = re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w'’-]\w)") if parts else None

    def __len__(self) -> int:
        return len(self.actors)

    def get(self, name: str) -> Actor | None:
        """The actor whose name or alias is exactly ``name`` (case-insensitive)."""
        return self._by_key.get(name.strip().lower())

    def find(self, text: str) -> Actor | None:
        """The actor with the longest name or alias occurring in ``text`` as whole words."""
        if self._pattern is None:
            return None
        best = None
        for m in self._pattern.finditer(text):
            if best is None or len(m.group()) > len(best.group()):
                best = m
        return self._by_key.get(best.group().lower()) if best else None


def load_actors(path: Path | str = ACTORS) -> ActorTable:
    """Read the actors CSV (columns name, aliases, side, role, kind; aliases separated by ``|``); a missing file
    gives an empty table, so attribution still works from nationality words alone."""
    path = Path(path)
    if not path.is_file():
        return ActorTable()
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    actors = []
    for row in rows:
        name = (row.get("name") or "").strip()
        if not name:
            continue
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
        actors.append(Actor(name, aliases, (row.get("side") or "").strip().lower(),
                            (row.get("role") or "").strip(), (row.get("kind") or "").strip().lower()))
    return ActorTable(actors)


@lru_cache(maxsize=4)
def _default_actors(path: str, mtime: float) -> ActorTable:
    return load_actors(path)


def default_actors() -> ActorTable:
    """The project's actors table (re-read when the file changes)."""
    mtime = ACTORS.stat().st_mtime if ACTORS.is_file() else 0.0
    return _default_actors(str(ACTORS), mtime)


# --- vocabulary ------------------------------------------------------------------------------------------

#: Nationality words -> side, for speakers the actors table does not know ("Russian media").
NATIONALITY: dict[str, str] = {
    **dict.fromkeys(("Japan", "Japanese", "Tokyo", "Japan's", "Tokyo's"), "japanese"),
    **dict.fromkeys(("Russia", "Russian", "Moscow", "Kremlin", "Soviet", "Russia's", "Moscow's", "Kremlin's"), "russian"),
    **dict.fromkeys(("U.S.", "US", "American", "Washington", "Pentagon", "America", "Washington's", "America's"), "us"),
    **dict.fromkeys(("China", "Chinese", "Beijing", "Pyongyang", "North Korea", "North Korean", "South Korea",
                     "South Korean", "Seoul", "ROK", "NATO", "European", "Ukraine", "Ukrainian"), "other"),
}
_NATIONALITY = re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, NATIONALITY), key=len, reverse=True)) + r")(?![\w-])")

_SAY = (
    r"said|says|say|told|tells|tell|stated|states|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|noted|notes|"
    r"added|adds|explained|explains|complained|complains|warned|warns|argued|argues|claimed|claims|insisted|"
    r"insists|believes|believe|believed|regards|regard|regarded|views|viewed|fears|fear|feared|feels|feel|felt|"
    r"thinks|think|thought|hopes|hoped|hope|considers|consider|considered|reiterated|reiterates|repeated|"
    r"expressed|expresses|voiced|voices|raised concerns?|asserted|asserts|maintained|maintains|acknowledged|"
    r"admitted|denied|denies|suggested|suggests|pointed out|points out|hinted|hints|understands|understand|"
    r"highlighted|highlights|criticized|criticised|criticizes|criticises|condemned|condemns|announced|"
    r"announces|reported|reports|wrote|writes|urged|urges|called on|calls on|asked|asks|sought|seeks|"
    r"demanded|demands|opposed|opposes|objected|objects|protested|protests|offered to|offers to|"
    r"gave to understand|gives to understand|has shown (?:great |grave |deep |serious )?concern|"
    r"(?:has |have )?become (?:more |increasingly )?(?:critical|wary|concerned)|"
    r"(?:is|are|was|were|remains?|remained|has been|have been) (?:also |deeply |very |increasingly |well |still )?"
    r"(?:concerned|worried|hopeful|wary|aware|convinced|confident|alarmed|optimistic|pessimistic|skeptical|sceptical)"
)
_ADVERB = r"(?:also|again|apparently|reportedly|repeatedly|previously|earlier|later|recently|long|still|further|" \
          r"twice|once|already|often|never|always|then|now|even|not|has|have|had|would|will|could|may|might|" \
          r"[a-z]+ly)"
_SAY_RE = re.compile(r"(?<![\w-])(?:" + _ADVERB + r"\s+){0,3}(?:" + _SAY + r")(?![\w-])")
_AFTER_QUOTE_RE = re.compile(r"^\s*,?\s*(?:" + r"said|says|added|adds|told reporters|stressed|noted|explained|asked"
                             + r")\s+(?P<np>(?:[A-Z][\w.'’-]*\s*){1,5})")
_ABBREV = r"(?:Gen|Lt|Col|Maj|Capt|Adm|Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|St|Jr|U\.S|U\.K|U\.N|[A-Z])\."
_PHRASE = r"(?P<np>(?:" + _ABBREV + r"|[^,.;:()\"“”]){2,80})"
_ACCORDING_RE = re.compile(r"(?<![\w-])(?:[Aa]ccording to|[Aa]s quoted by|^Citing)\s+" + _PHRASE)
_PASSIVE_RE = re.compile(r"(?<![\w-])(?:expressed|raised|voiced|stated|echoed|reiterated|quoted|conveyed)\s+by\s+"
                         + _PHRASE)
#: "..., officials said." at the end of a sentence: the source of everything before it.
_TRAILING_RE = re.compile(r",\s+(?P<np>[^,;:\"“”]{2,60}?)\s+(?:said|says|told reporters|added|noted|reported)"
                          r"(?:\s+(?:on\s+)?\w+day)?\s*[.!]?\s*$")
_WHO_RE = re.compile(r"(?P<np>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}),\s+who\s+(?:" + _ADVERB + r"\s+){0,2}(?:"
                     + _SAY + r")(?![\w-])")
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
_PRONOUNS = frozenset("he she He She".split())
_NON_SPEAKER_PRONOUNS = frozenset("I i we We you You they They it It this This that That who which there There".split())
#: Lower-case words allowed inside a speaker noun phrase (determiners, modifiers, heads).
_NP_WORDS = frozenset("""the a an one some several many two three four its their his her our high-ranking senior
top former current military defense defence foreign government ministry ministries official officials media
expert experts source sources analyst analysts side government's spokesman spokeswoman spokesperson diplomat
diplomats leader leaders embassy president minister ministers authorities observers commentators politicians
lawmakers delegation officers officer agency report reports statement newspaper daily forecast annual
state-run state-owned state security intelligence army navy staff general chief head deputy vice
prime secretary ambassador envoy leadership administration cabinet parliament""".split())
_HEAD_NOUNS = frozenset("""official officials media expert experts source sources analyst analysts side
spokesman spokeswoman spokesperson diplomat diplomats leader leaders embassy authorities observers commentators
politicians lawmakers delegation officers officer agency report reports statement newspaper daily forecast
ministry government administration leadership army navy intelligence""".split())
#: Title words stripped from the front of a person's name ("Japanese Defense Minister Itsunori Onodera").
_TITLES = frozenset("""Gen. General Adm. Admiral Lt. Col. Maj. Capt. Mr. Mrs. Ms. Dr. Prof. President Prime
Minister Foreign Defense Defence Chief Secretary Deputy Vice Ambassador Spokesman Spokeswoman Premier Chancellor
Senator Sen. Rep. Governor Gov. State Director Director-General Chairman Commander Cabinet Japanese Russian U.S.
American Chinese Former Acting Senior Lieutenant of the""".split())
_DETERMINERS = frozenset("the a an one some several many its their his her our".split())


# --- quotes ---------------------------------------------------------------------------------------------

def _quote_scan(text: str, in_quote: bool) -> tuple[str, bool, int]:
    """Mask quoted characters with spaces; returns (masked text, still inside a quote at the end, quoted words)."""
    out = []
    quoted_words = 0
    prev_space = True
    for ch in text:
        if ch == "“":
            in_quote = True
            out.append(" ")
            continue
        if ch == "”":
            in_quote = False
            out.append(" ")
            continue
        if ch == '"':
            in_quote = not in_quote
            out.append(" ")
            continue
        if in_quote:
            if ch.isspace():
                prev_space = True
            elif prev_space:
                quoted_words += 1
                prev_space = False
        out.append(" " if in_quote else ch)
    return "".join(out), in_quote, quoted_words


# --- noun phrases ------------------------------------------------------------------------------------------

def _is_np_token(tok: str) -> bool:
    word = tok.strip("()[]")
    if not word:
        return False
    if word[0].isupper() or word[0].isdigit() and "-" in word:
        return word not in _OPENERS or False
    return word.lower() in _NP_WORDS


def _np_before(prefix: str) -> str | None:
    """The noun phrase that ends ``prefix`` (the subject of a verb that follows), or None."""
    prefix = prefix.rstrip()
    # Skip one parenthetical: "Kono, apparently with the territorial issue in mind, stressed ..."
    paren = re.search(r"^(?P<head>.*\S)\s*,[^,]{1,90},$", prefix)
    if paren and not prefix.endswith(" ,"):
        prefix = paren.group("head")
    if prefix.endswith((",", ";", ":")):
        return None
    tokens = prefix.split()
    picked: list[str] = []
    for tok in reversed(tokens):
        bare = tok.rstrip(",;:")
        if bare != tok and picked:  # a comma closes the phrase on its left
            break
        if not _is_np_token(bare):
            if not picked and bare in _PRONOUNS:
                return bare
            break
        picked.append(bare)
        if bare != tok:
            break
    picked.reverse()
    while picked and picked[0] in _OPENERS:
        picked.pop(0)
    if not picked:
        return None
    if not any(t[0].isupper() or t.lower() in _HEAD_NOUNS for t in picked if t.lower() not in _DETERMINERS):
        return None
    return " ".join(picked)


def _trim_np(np_text: str) -> str:
    """A phrase after "according to"/"by": cut at a relative clause or an apposition's end."""
    np_text = re.split(r"\s+(?:who|which|that|when|where|as|in a|on|at|during|after)\s", np_text, maxsplit=1)[0]
    return np_text.strip(" '’\"")


def _strip_titles(name: str) -> str:
    """Drop leading title words from a person's name; a phrase that is all titles comes back unchanged."""
    tokens = name.split()
    i = 0
    while i < len(tokens) - 1 and tokens[i] in _TITLES:
        i += 1
    rest = tokens[i:]
    if rest and all(t[:1].isupper() for t in rest) and not all(t in _TITLES for t in rest):
        return " ".join(rest)
    return name


_COMPLEMENT = re.compile(r"\s+(?:about|of|on|in|at|from|with|for|to|knowledgeable|who|which|that)\s")


def _head(phrase: str) -> str:
    """The phrase before any complement ("a source knowledgeable about Japan-Russia ties" -> "a source")."""
    return _COMPLEMENT.split(phrase, maxsplit=1)[0]


def _nationality_side(phrase: str) -> str | None:
    """The side named by a nationality word in the phrase's head ("Russian media" -> russian)."""
    m = _NATIONALITY.search(_head(phrase))
    return NATIONALITY[m.group(1)] if m else None


def resolve(phrase: str, actors: ActorTable) -> Attribution:
    """Canonical speaker and side for a speaker phrase.

    A phrase that is an actor's name or alias (titles dropped: "President Putin" -> "Vladimir Putin") becomes
    that actor; a phrase that only mentions one ("Defense Ministry officials") keeps its words and takes the
    actor's side; otherwise a nationality word decides the side, or it stays unknown.
    """
    phrase = phrase.strip().rstrip(".,")
    plain = _strip_titles(phrase)
    actor = actors.get(plain) or actors.get(phrase)
    if actor is not None:
        side = actor.side if actor.side in SIDES else None
        # A person is named in full; a country or body as the article names it ("Moscow", not "Russia").
        return Attribution(actor.name if actor.kind == "person" else phrase, side)
    found = actors.find(_head(phrase))
    side = found.side if found is not None and found.side in SIDES else _nationality_side(phrase)
    return Attribution(plain if plain != phrase else phrase, side)


# --- sentences -----------------------------------------------------------------------------------------------

def _find_phrase(masked: str, raw: str) -> str | None:
    """The speaker phrase a single sentence names (quotes masked out), or None."""
    # '"...," Onodera said' / '"...," said Onodera'
    for m in re.finditer(r"[”\"]", raw):
        tail = masked[m.end():]
        am = _AFTER_QUOTE_RE.match(tail)
        if am:
            return am.group("np").strip()
    m = _TRAILING_RE.search(masked)
    if m:
        np_text = _np_before(m.group("np"))
        if np_text and np_text not in _PRONOUNS:
            return np_text
    candidates: list[tuple[int, str]] = []
    for rx in (_ACCORDING_RE, _PASSIVE_RE):
        m = rx.search(masked)
        if m:
            np_text = _trim_np(m.group("np"))
            if np_text and np_text.split()[0] not in _NON_SPEAKER_PRONOUNS:
                candidates.append((m.start(), np_text))
    m = _WHO_RE.search(masked)
    if m:  # "... his counterpart, Sergey Lavrov, who said ..."
        candidates.append((m.start(), m.group("np")))
    for m in _SAY_RE.finditer(masked):
        np_text = _np_before(masked[: m.start()])
        if np_text:
            candidates.append((m.start(), np_text))
            break
        # a pronoun or no subject: try the next verb
    if not candidates:
        return None
    return min(candidates)[1]


def _interviewee(sentences: Sequence[str]) -> tuple[int, str] | None:
    """(index of the name line, interviewee) when the article opens as an interview ("Interviewed by ...")."""
    head = sentences[:6]
    if not any(_INTERVIEWED.match(s) for s in head):
        return None
    for i, s in enumerate(head):
        if _INTERVIEWED.match(s):
            continue
        m = _NAME_LINE.match(s)
        if m and len(s) < 200:
            return i, m.group("name")
    return None


def attribute(sentences: Sequence[str], actors: ActorTable | None = None) -> list[Attribution]:
    """Speaker and side for each sentence of one article, in order (``Attribution(None, None)``: no source found).

    A quote that opens in one sentence and closes in a later one keeps the speaker of the sentence that names
    it (backwards too: '"A.' / 'B," he said.'); a sentence that is a whole quote right after an attributed
    quote continues it; "he"/"she" refer to the last named person.
    """
    actors = default_actors() if actors is None else actors
    texts = [s.text if hasattr(s, "text") else str(s) for s in sentences]
    out: list[Attribution] = [Attribution(None, None)] * len(texts)
    in_quote = False
    run: list[int] = []            # sentences of the quote now open, still without a speaker
    quote_speaker: Attribution | None = None
    last_quote: Attribution | None = None  # speaker of the previous sentence's (long) quote
    last_person: Attribution | None = None
    since_quote_char = 0
    for i, raw in enumerate(texts):
        started_inside = in_quote
        masked, in_quote, quoted_words = _quote_scan(raw, in_quote)
        has_quote_char = any(c in raw for c in '"“”')
        since_quote_char = 0 if has_quote_char else since_quote_char + 1
        if in_quote and since_quote_char >= 3:  # unbalanced straight quotes: do not run on forever
            in_quote, started_inside, run, quote_speaker = False, False, [], None
        phrase = _find_phrase(masked, raw)
        found: Attribution | None = None
        if phrase in _PRONOUNS:
            found = last_person
        elif phrase and _is_role(phrase):
            # "the President" after "President Putin"; a bare title with no such person names nobody
            found = last_person if _has_role(last_person, phrase, actors) else None
        elif phrase:
            found = resolve(phrase, actors)
            if _is_person(found.speaker, actors):
                last_person = found
        if found is None and started_inside and quote_speaker is not None:
            found = quote_speaker
        if found is None and raw.lstrip()[:1] in '"“' and last_quote is not None:
            found = last_quote  # '"…," Onodera said.' then '"It is not …"'
        if found is not None:
            out[i] = found
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
    if interview is not None:
        at, name = interview
        who = resolve(name, actors)
        for i in range(at + 1, len(texts)):
            if out[i].speaker is None or not _quoted_in(texts[i]):
                out[i] = who
    return out


def _is_person(name: str | None, actors: ActorTable) -> bool:
    """A person's name: an actor of kind ``person``, or two or more capitalised words naming no body or country."""
    if not name:
        return False
    actor = actors.get(name)
    if actor is not None:
        return actor.kind == "person"
    words = name.split()
    return (len(words) >= 2 and all(w[:1].isupper() for w in words) and _NATIONALITY.search(name) is None
            and not any(w.lower() in _HEAD_NOUNS for w in words))


def _is_role(phrase: str) -> bool:
    words = [w for w in phrase.split() if w.lower() not in _DETERMINERS]
    return bool(words) and all(w in _TITLES for w in words)


def _has_role(person: Attribution | None, phrase: str, actors: ActorTable) -> bool:
    """True when the last named person's role (actors table) contains the title words of ``phrase``."""
    actor = actors.get(person.speaker) if person and person.speaker else None
    if actor is None or not actor.role:
        return False
    role = actor.role.lower()
    words = [w.lower() for w in phrase.split() if w.lower() not in _DETERMINERS and w not in ("Japanese", "Russian", "U.S.", "American", "Chinese")]
    return bool(words) and all(w in role for w in words)


def _quoted_in(text: str) -> bool:
    return any(c in text for c in '"“”')


# --- combining with the classifier and evaluating --------------------------------------------------------------

def combine(found: Attribution, classifier_side: str) -> tuple[str, str, str]:
    """(speaker, speaker_side, how) from the rules and the classifier's side.

    A named speaker whose side is known (actors table or nationality word) wins; a named speaker of unknown
    side takes the classifier's side, unless the classifier says the sentence is narration (``none``). With no
    name found the classifier's side stands: speaker ``author`` for ``none``, otherwise ``unknown``.
    """
    if found.speaker and found.side:
        return found.speaker, found.side, "attribution"
    if found.speaker and classifier_side != "none":
        return found.speaker, classifier_side, "attribution+classifier"
    if classifier_side == "none":
        return "author", "none", "classifier"
    return "unknown", classifier_side, "classifier"


_NORM_DROP = _DETERMINERS | {t.lower() for t in _TITLES} | {"mr", "ms", "dr"}


def _norm_tokens(name: str) -> list[str]:
    words = re.findall(r"[\w.'’-]+", name.lower().replace("’s", "").replace("'s", ""))
    words = [w.strip(".'’-") for w in words]
    return [w for w in words if w and w not in _NORM_DROP]


def same_speaker(predicted: str, gold: str) -> bool:
    """Lenient name match: equal after dropping titles and determiners, the same surname / head word, or one
    name's words all inside the other's ("Kono" ~ "Taro Kono", "officials" ~ "Japanese officials")."""
    if predicted == gold:
        return True
    if "author" in (predicted, gold):
        return False
    p, g = _norm_tokens(predicted), _norm_tokens(gold)
    if not p or not g:
        return False
    return p == g or p[-1] == g[-1] or set(p) <= set(g) or set(g) <= set(p)


def evaluate_attribution(gold_records: Iterable[Mapping], actors: ActorTable | None = None,
                         classifier_sides: Mapping[str, str] | None = None) -> dict:
    """Speaker-name and speaker_side accuracy of the rules against gold records (``speaker``, ``speaker_side``).

    Sentences are grouped by ``doc_id`` and ordered by ``id``. Without ``classifier_sides`` (record id -> side)
    the rules stand alone: no name found predicts ``author``/``none``, and a named speaker of unknown nationality
    ``other`` (the annotation rule for unnamed or foreign sources). With them, :func:`combine` decides, as in
    labelling. Returns overall accuracies, accuracies on the gold non-author sentences, and the counts.
    """
    by_doc: dict[str, list[Mapping]] = {}
    for r in gold_records:
        by_doc.setdefault(r["doc_id"], []).append(r)
    n = name_ok = side_ok = quoted = quoted_name_ok = quoted_side_ok = 0
    errors = []
    for doc in by_doc.values():
        doc = sorted(doc, key=lambda r: r["id"])
        for r, found in zip(doc, attribute([r["text"] for r in doc], actors)):
            if classifier_sides is not None:
                speaker, side, _ = combine(found, classifier_sides[r["id"]])
            elif found.speaker:
                speaker, side = found.speaker, found.side or "other"
            else:
                speaker, side = "author", "none"
            ok_name = same_speaker(speaker, r["speaker"])
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
    return {
        "sentences": n,
        "name_accuracy": name_ok / n if n else float("nan"),
        "side_accuracy": side_ok / n if n else float("nan"),
        "attributed_sentences": quoted,
        "attributed_name_accuracy": quoted_name_ok / quoted if quoted else float("nan"),
        "attributed_side_accuracy": quoted_side_ok / quoted if quoted else float("nan"),
        "errors": errors,
    }
