"""Speakers resolved within their article: titles, descriptions and possessives dropped from a mention, a surname to
the fullest name the article gives, a role or pronoun to the nearest fitting named person, a news agency to the
official it quotes, a headline's source, interview transcripts turn by turn, the side of an unnamed body from the
article. Used by :mod:`.article` on the rules' phrases and by :mod:`.span_head` on the head's mentions."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .actors import SIDES, ActorTable, Attribution
from .phrases import refer_back, resolve, strip_titles
from .rules import find_phrase, quote_scan
from .vocabulary import DETERMINERS, HEAD_NOUNS, NATIONALITY, NATIONALITY_RE, OPENERS, PERSON_NOUNS, PRONOUNS, TITLES

_NAME_WORD = r"[A-Z][\w'’.-]*"
_NAME_SEQ = re.compile(rf"{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|de|von|van|al-\w+))*")
_TITLE_WORDS = {t for t in TITLES} | {"Minister", "Ministers"}


def widen(text: str, span: tuple[int, int]) -> str:
    """The span grown to whole words, and on over the capitalised words of the same name ("Ministry of" ->
    "Ministry of Foreign Affairs")."""
    a, b = span
    while a > 0 and (text[a - 1].isalnum() or text[a - 1] in "'’.-") and not text[a - 1].isspace():
        a -= 1
    while b < len(text) and (text[b].isalnum() or text[b] in "-"):
        b += 1
    while True:
        m = re.match(r"(?:\s+(?:of|de|von)\s+|\s+)([A-Z][\w'’.-]*)", text[b:])
        if not m or text[a:b].split()[-1:] in (["of"], ["de"]) and False:
            break
        if m.group(1) in ("He", "She", "It", "The", "In", "On") or text[b:b + 1] in ",;:":
            break
        if not text[a:b].split()[-1][:1].isupper() and " of " not in m.group(0):
            break
        b += m.end()
    return text[a:b].strip(" ,;:\"“”()")


_MORE_TITLES = {"Colonel-General", "Colonel", "Col", "Lt", "Lt.", "Gen", "Spokesman", "Spokeswoman", "Spokesperson",
                "Councilor", "Councilors", "Officials", "Army", "Navy", "Mr", "Ms", "Lieutenant-General", "Major-General",
                "Rear", "Vice-Admiral", "Press", "Secretary-General", "Deputy", "FM", "PM", "Kremlin", "Kyodo", "New",
                "Outgoing", "Incoming", "Then"}
_TITLE_WORDS |= _MORE_TITLES
_BODY_WORDS = {w.lower() for w in HEAD_NOUNS} | {
    "paper", "agency", "committee", "forces", "force", "district", "department", "news", "press", "service",
    "photo", "publication", "published", "credit", "visit", "treaty", "defenses", "defense", "defence", "missile",
    "missiles", "islands", "island", "shimbun", "times", "post", "daily", "group", "party", "university", "institute",
    "staff", "command", "council", "fleet", "guard", "corps"}


def _personal_word(w: str, actors: ActorTable) -> bool:
    if re.fullmatch(r"[A-Z]\.", w):  # an initial ("Jerry P. Martinez")
        return True
    if not w[:1].isupper() or (w.isupper() and len(w) > 1) or w in _TITLE_WORDS or w in NATIONALITY:
        return False
    if w.endswith(".") and len(w) > 2:  # "Tuesday." ends a sentence, not part of a name
        return False
    if re.search(r"['’]s$", w) or w.endswith(":") or w.lower() in _BODY_WORDS or not re.match(r"^[\w'’.-]+$", w):
        return False
    actor = actors.get(w)
    return actor is None or actor.kind == "person"


def _trailing_person(words: list[str], actors: ActorTable) -> list[str]:
    """The run of personal name words that ends ``words`` (at most four)."""
    run: list[str] = []
    for w in reversed(words):
        if not _personal_word(w, actors) or len(run) == 4:
            break
        run.insert(0, w)
    return run


_PERSON_TITLES = {"Ambassador", "Minister", "President", "Premier", "Chancellor", "Secretary", "Spokesman", "Spokeswoman",
                  "Spokesperson", "Mr.", "Mrs.", "Ms.", "Dr.", "Mr", "Ms", "Dr", "Gen.", "Adm.", "Governor", "Senator",
                  "Envoy", "Commander", "Prof.", "PM", "FM"}
_OUTLET_PREFIX = re.compile(r"^.*\b(?:newspaper|daily|agency|broadcaster|outlet|weekly|publication)\s+"
                            r"(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2})$")


#: What follows the city in a wire's title-case dateline: "Sept. 27 (Jiji Press)—".
_WIRE_DATE_AND_AGENCY = r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}\s*)?\([^)]{2,30}\)\s*(?:--|—|–|-)"
#: A wire's dateline left before a mention: "Tokyo, Sept. 27 (Jiji Press)—", "(Jiji Press)–".
_WIRE_DATELINE = re.compile(rf"^(?:[A-Z][\w'-]+,\s+)?{_WIRE_DATE_AND_AGENCY}\s*")


def clean_mention(mention: str, actors: ActorTable | None = None) -> str:
    """Titles, leading possessives and descriptions ("Russia's Foreign Minister Sergey Lavrov", "Eastern Military
    District Colonel-General Sergei Surovikin") and a trailing "'s" dropped from a person's name; a body's phrase
    ("Japan's Defence Ministry") stays as the article writes it."""
    actors = ActorTable() if actors is None else actors
    m = _WIRE_DATELINE.sub("", mention.strip().rstrip(","))  # "(Jiji Press)—Russia's military" -> "Russia's military"
    if m.endswith(".") and not re.search(r"(?:^|[\s.])[A-Z]\.$", m):  # "the U.S." keeps its stop
        m = m.rstrip(".")
    m = re.sub(r"['’]s$", "", m)
    m = re.sub(r"^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day['’]s\s+(?=[A-Z])", "", m)  # "Sunday's Yomiuri" -> "Yomiuri"
    m = re.sub(r"\s*\([a-z. ]{1,20}\)", "", m)  # "Army-General (retired) Yuri Yakubov"
    words = m.split()
    outlet = _OUTLET_PREFIX.match(m)  # "Japan's daily newspaper Sankei" -> "Sankei"
    if outlet:
        return outlet.group("name")
    run = _trailing_person(words, actors)
    # "Ambassador to Japan Galuzin", "Minister Lavrov" -> the surname
    titled = len(run) == 1 < len(words) and any(w in _PERSON_TITLES for w in words[:-1])
    if (2 <= len(run) < len(words) or titled) and not any(w.lower() in ("and", "or") for w in words):
        return " ".join(run)
    return strip_titles(m)


def is_personal(name: str, actors: ActorTable) -> bool:
    actor = actors.get(name)
    if actor is not None:
        return actor.kind == "person"
    words = name.split()
    return bool(words) and len(words) <= 4 and all(_personal_word(w, actors) for w in words)


def full_name(name: str, article: str, actors: ActorTable) -> str:
    """The fullest form of a person's name the article gives ("Lavrov" -> "Sergey Lavrov"), titles dropped."""
    if not is_personal(name, actors):
        return name
    words = name.split()
    best = name
    for line in article.splitlines():
        for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w'’-])", line):
            before = line[: m.start()].split()
            run = _trailing_person(before, actors)[-(3 - len(words)):] if len(words) < 3 else []
            run = run[1:] if run[:1] == ["By"] else run  # a byline's "By Kenji Mori"
            cand = " ".join(run + words)
            if len(cand) > len(best):
                best = cand
    return best


def role_like(mention: str) -> bool:
    words = [w for w in mention.split() if w.lower() not in DETERMINERS]
    if mention.lower() in PRONOUNS:
        return True
    if (len(words) > 1 and mention.split()[0] in ("the", "The") and words[-1].islower()
            and words[-1] in _PERSON_ROLE_WORDS):  # "the Russian Security Council secretary": an organ's officer
        return True
    if not words or not all(w[:1].islower() or w in _TITLE_WORDS or re.sub(r"['’]s$", "", w) in NATIONALITY
                            for w in words):  # "the US's top commander"
        return False
    # "the minister", or a bare role without a determiner ("Japanese prime minister", "Russian deputy FM"); never
    # an indefinite one ("one military expert", "a spokesman": somebody new)
    first = mention.split()[0].lower()
    head = re.split(r"\s+(?:to|of|in|for|at)\s+", " ".join(words))[0].split()[-1].lower()
    return first in ("the", "this") or (first not in DETERMINERS and head in PERSON_NOUNS | {"fm", "pm"})


def side_of(name: str, actors: ActorTable) -> str | None:
    return resolve(name, actors).side


#: Plural roles that name the parties of a meeting together ("the two leaders", "the ministers", "both sides").
_JOINT_ROLES = re.compile(r"(?i)^(?:the\s+)?(?:(?:two|both)\s+(?:[a-z]+\s+)?(?:leaders|ministers|sides|countries|nations|"
                          r"governments|delegations|chiefs|heads|presidents|secretaries)|leaders|ministers)$")
_JOINT_PARTS = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+")
_STANCE_SIDES = set(SIDES) - {"other"}  # the sides that have a stance value


def joint_subject(phrase: str, actors: ActorTable) -> bool:
    """Whether ``phrase`` names parties of two stance-valued sides together ("Hayashi and Blinken", "The United States
    and Japan", "the two leaders"): a joint act is narration, the author's (GUIDELINES 104, 148); "Russia and China"
    (one stance-valued party) is not."""
    phrase = phrase.strip()
    if _JOINT_ROLES.match(phrase):
        return True
    parts = [p for p in _JOINT_PARTS.split(phrase) if p]
    return len(parts) > 1 and len({side_of(clean_mention(p, actors), actors) for p in parts} & _STANCE_SIDES) > 1


def resolve_mention(mention: str, history: list[Attribution], article: str, actors: ActorTable) -> Attribution:
    """A tagged mention as the speaker the article means: a pronoun or role to the nearest earlier named speaker that
    fits, an actor or surname to the fullest name the article gives; the side from the actors table or a
    nationality word (None: unknown)."""
    mention = mention.strip()
    if role_like(mention):
        ref = refer_back(mention if mention.lower() in PRONOUNS else mention, history, actors)
        if isinstance(ref, Attribution):
            return ref
        named = [h for h in reversed(history) if h.speaker and is_personal(h.speaker, actors)]
        if mention.lower() in ("he", "she") and named:
            return named[0]
        if ref is None or mention.lower() in PRONOUNS:
            return next(iter(named), Attribution(None, None)) if mention.lower() in ("he", "she") else Attribution(None, None)
    name = clean_mention(mention, actors)
    actor = actors.get(name)
    if actor is not None and actor.kind == "person":
        # the form of the name this article uses most (actors-table name first on a tie): "Kono Taro", "Sergei Lavrov";
        # never a byline's capitals ("JARED D’AGOSTINO WRITES")
        forms = [actor.name] + [f for f in actor.aliases if len(f.split()) >= 2 and not f.isupper() and
                                not any(w in _TITLE_WORDS for w in f.split())]
        counts = {f: len(re.findall(rf"(?<![\w-]){re.escape(f)}(?![\w-])", article)) for f in forms}
        # an article that never writes a full form keeps its own ("Motegi" throughout: `Motegi`, GUIDELINES §2)
        if any(counts.values()) or not article:
            name = max(forms, key=lambda f: (counts[f], f == actor.name))
        else:
            written = [f for f in (actor.name, *actor.aliases) if not any(w in _TITLE_WORDS for w in f.split())
                       and not (f.isupper() and len(f.split()) >= 2)
                       and re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", article)]
            name = full_name(max(written, key=len), article, actors) if written else actor.name
    else:
        name = full_name(name, article, actors)
    side = side_of(name, actors) or side_of(mention, actors)
    return Attribution(name, side)


AGENCY = re.compile(r"(?:news agency|\bTASS\b|Kyodo|Reuters|\bAFP\b|\bAP\b|RIA Novosti|Interfax|Sputnik|Xinhua|"
                     r"Yonhap|Jiji|\bNHK\b|\boutlet\b|newspaper|USNI News|Tasnim)")
_AGENCY_CLAUSE = re.compile(r",?\s*(?:the\s+)?[^,;]{0,40}?(?:news agency|TASS|Kyodo|Reuters|AFP|AP|RIA Novosti|Interfax|"
                            r"Sputnik|Xinhua|Yonhap|Jiji|NHK|outlet|newspaper|USNI News|Tasnim)[^,;]{0,20}?\s+"
                            r"(?:reported|said|quoted|cited|reports|says|quotes|cites|wrote|writes)\b[^,.;]*")
_HEADLINE_COLON = re.compile(r"^(?P<np>[A-Z][\w.'’ -]{1,60}?):\s+\S")
_HEADLINE_TAIL = re.compile(r"(?:\s[-–—]|(?<=[a-z])-|:['’\"”]?)\s+(?P<np>[^-–—:.!?\"“”]{2,50})$")


#: Words of a headline tag that make it a page's section or label, not a source ("Editorial: …", "Updated: …").
_PAGE_LABELS = {"Day", "Week", "Year", "Part", "Update", "Updated", "Live", "Photos", "Video", "Analysis", "Editorial",
                "Opinion", "Commentary", "Column", "Author", "Interview", "Exclusive", "Breaking", "Explainer", "World"}
_FURNITURE = re.compile(r"(?i)^(?:photo|image|picture|credit|source|caption|video|file|author|by|written by)\b")


def is_headline(text: str) -> bool:
    """A line without a sentence's final stop: a headline, heading or title line."""
    t = text.strip().rstrip('"”’')
    return bool(t) and t[-1] not in ".!?" and len(t) <= 200


def headline_speaker(text: str) -> str | None:
    """The source a headline tags ("Putin: ...", "... - Lavrov", "... – Russian deputy FM", "...: US commander"),
    or None."""
    t = text.strip()
    if not is_headline(t) or _FURNITURE.match(t):
        return None
    for m in (_HEADLINE_COLON.match(t), _HEADLINE_TAIL.search(t)):
        if m and _source_tag(m.group("np").strip()):
            return m.group("np").strip()
    return None


def _source_tag(np_text: str) -> bool:
    """Whether a headline's tag names a source: a role, a capital or country, or a person's name."""
    if AGENCY.search(np_text) or any(ch.isdigit() for ch in np_text):
        return False
    if set(np_text.lower().split()) & _SPEAKER_ROLES or np_text in _HEADLINE_SOURCES:
        return True
    if set(np_text.split()) & _PAGE_LABELS:
        return False
    return is_personal(clean_mention(np_text), ActorTable()) and len(np_text.split()) <= 3


def fuller_mention(np_text: str, article: str) -> str | None:
    """The fuller name an article gives a headline's tag ("— Foreign Ministry" -> "Russia's Foreign Ministry", "—
    MFA" -> the same, "- Defense White Paper" -> "Japan's 2019 Defense White Paper"), or None."""
    np_text = _ABBREVIATIONS.get(np_text, np_text)
    if not np_text[:1].isupper() or np_text in _HEADLINE_SOURCES or is_personal(np_text, ActorTable()):
        return None
    rx = re.compile(rf"(?<![\w-])(?:[A-Z][\w.'’-]*\s+|\d{{4}}\s+){{1,3}}{re.escape(np_text)}(?![\w-])")
    lines = article.split("\n", 1)
    m = rx.search(lines[-1])
    return m.group().strip() if m else None


_ABBREVIATIONS = {"MFA": "Foreign Ministry", "MOD": "Defense Ministry", "FM": "Foreign Minister", "PM": "Prime Minister"}
_SPEAKER_ROLES = {"fm", "pm", "minister", "president", "spokesman", "spokeswoman", "spokesperson", "official",
                  "officials", "ambassador", "envoy", "diplomat", "kremlin", "pentagon", "ministry", "white", "mfa",
                  "commander", "expert", "paper", "embassy", "chief"}
_HEADLINE_SOURCES = {"Kremlin", "Moscow", "Tokyo", "Washington", "Pentagon", "Beijing", "Russia", "Japan", "US", "U.S.",
                     "China", "NATO", "Seoul", "Pyongyang"}


def _role_words(mention: str) -> list[str]:
    return [w.lower() for w in mention.split() if w.lower() not in DETERMINERS and w.lower() not in ("this", "that")]


_CAP_RUN = re.compile(r"(?<![\w-])(?:[A-Z][\w'’.-]*|of|de|von|van)(?:\s+(?:[A-Z][\w'’.-]*|of|the|de|von|van)){0,11}")
_GENERIC_ROLES = {"official", "diplomat", "politician", "lawmaker", "expert", "analyst", "source"}
_PERSON_ROLE_WORDS = PERSON_NOUNS | {"spokesperson", "spokeswoman", "spokesman", "premier", "chancellor", "fm", "pm",
                                     "head", "director", "chairman", "governor", "mayor", "commander", "envoy"}


#: ", a regional governor" / ", who …" after a name: an apposition that makes it a person.
_APPOSITION = re.compile(r",\s+(?:who\b|(?:a|an|the)?\s*(?:[\w.-]+\s+){0,4}?(?:"
                         + "|".join(sorted(_PERSON_ROLE_WORDS)) + r")\b)")


def person_mentions(text: str, actors: ActorTable) -> list[tuple[int, str, str, str | None]]:
    """Every mention of a named person in ``text``: (position, name as written, the words before it that describe
    it, its side or None). A name is a run of personal name words (two or more, or one that the actors table knows
    as a person or that follows a title: "Minister Lavrov"), titles and possessives dropped."""
    out = []
    for m in _CAP_RUN.finditer(text):
        words = m.group().split()
        ends = [i for i, w in enumerate(words[:-1]) if w.endswith(".") and len(w) > 3 and w not in _TITLE_WORDS]
        if ends:  # "… on Tuesday. Lavrov …": the run after the sentence end
            words = words[ends[-1] + 1:]
        while words and words[-1] in ("of", "the", "de", "von", "van"):
            words.pop()
        if words and words[-1][-2:] in ("'s", "’s") and len(words[-1]) > 3:  # "Prime Minister Shigeru Ishiba's remark"
            words[-1] = words[-1][:-2]
        run = _trailing_person(words, actors)
        while run and run[-1].endswith(".") and len(run[-1]) > 2:  # "… Lavrov." at a sentence end
            run[-1] = run[-1].rstrip(".")
        if not run:
            continue
        titled = len(run) < len(words) and words[len(words) - len(run) - 1] in _TITLE_WORDS
        if run == ["Federation"]:  # "the Russian Federation": a country, no person
            continue
        known = actors.get(" ".join(run))
        if known is not None and known.kind != "person":
            continue
        name = " ".join(run)
        start = m.start() + m.group().rfind(run[0])
        context = " ".join(text[max(0, m.start() - 80):m.start()].split()[-6:] + words[:len(words) - len(run)])
        apposition = _APPOSITION.match(text[m.end():])
        own = " ".join(words[:len(words) - len(run)])  # the title run itself ("Russian Ambassador to Japan")
        if apposition:  # "Mark Doyle, commander of US forces in Japan," describes him too
            own += " " + text[m.end():m.end() + 80].split(",")[1]
            context += " " + own
        described = titled or any(w.lower().strip(",") in _PERSON_ROLE_WORDS for w in context.split()[-3:]) or \
            bool(apposition)
        if known is None and not described:  # "Northern Territories", "New York": no person named
            continue
        side = known.side if known is not None and known.side in SIDES else None
        if side is None:  # the leftmost nationality of its own title or apposition, else the nearest before it
            hit = NATIONALITY_RE.findall(own)[:1] or NATIONALITY_RE.findall(context)[-1:]
            side = NATIONALITY[hit[0]] if hit else None
        out.append((start, name, context, side))
    return out


#: What else the article may call a person a role names ("the envoy" -> "Ambassador Mikhail Galuzin").
_ROLE_SYNONYMS = {"envoy": ("envoy", "ambassador"), "ambassador": ("ambassador", "envoy"), "fm": ("foreign minister",),
                  "pm": ("prime minister", "premier"), "premier": ("premier", "prime minister"),
                  "leader": ("leader", "president", "prime minister", "premier"),
                  "spokesperson": ("spokesperson", "spokeswoman", "spokesman", "press secretary"),
                  "spokeswoman": ("spokeswoman", "spokesperson"), "spokesman": ("spokesman", "spokesperson"),
                  "commander": ("commander", "gen.", "adm.", "general", "admiral")}


def _fits(role: list[str], want_side: str | None, name: str, context: str, side: str | None,
          actors: ActorTable) -> bool:
    """Whether a named person can be what a role describes: its head noun among the words that describe the name
    ("spokeswoman Maria Zakharova") or in the actors table's role, a generic one ("the official") for anybody; and
    the side the role names, if it names one."""
    if want_side is not None and side is not None and side != want_side:
        return False
    if not role or role[-1] in _GENERIC_ROLES or role in (["he"], ["she"]):
        return want_side is None or side == want_side
    actor = actors.get(name)
    described = (context + " " + (actor.role if actor is not None else "")).lower()
    return any(h in described for h in _ROLE_SYNONYMS.get(role[-1], (role[-1], role[-1].rstrip("s"))))


def role_antecedent(mention: str, before: str, article: str, actors: ActorTable,
                    after: str | None = None) -> Attribution | None:
    """The person a role ("the spokeswoman", "the Russian president", "the Kremlin leader", "the Japanese official")
    or "he"/"she" means: the nearest compatible named mention before it in the article, else (a lead that names the
    person later) the first one after it."""
    lowered = mention.lower()
    if lowered not in ("he", "she") and not any(w in _PERSON_ROLE_WORDS for w in _role_words(mention)):
        return None  # "the ministry", "the Russian side": no person
    words = re.split(r"\s+(?:in|of|to|at|for)\s+", " ".join(_role_words(mention)))[0].split()  # "commander in Japan"
    words = [w for w in words if w not in NATIONALITY and w.capitalize() not in NATIONALITY and w.upper() not in NATIONALITY]
    want = next((NATIONALITY[w] for w in mention.replace("’s", "").replace("'s", "").split() if w in NATIONALITY),
                None)
    if lowered in ("he", "she"):
        words = [lowered]
    after = article[len(before):] if after is None else after
    for text, nearest in ((before, True), (after, False)):
        hits = [h for h in person_mentions(text, actors) if _fits(words, want, h[1], h[2], h[3], actors)]
        if lowered in ("he", "she") and not nearest:
            break  # a pronoun does not look ahead
        if hits:
            found = resolve_mention(hits[-1 if nearest else 0][1], [], article, actors)
            if found.speaker:
                return found if found.side or hits[-1 if nearest else 0][3] is None else \
                    Attribution(found.speaker, hits[-1 if nearest else 0][3])
    return None


_APPOSED_AFTER = re.compile(r"\s*,\s+(?P<name>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3}),")
_APPOSED_BEFORE = re.compile(r"(?:^|[\"”’]\s*)(?P<name>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3}),\s*$")


_EXPERT_WORDS = {"professor", "fellow", "analyst", "expert", "scholar", "researcher", "lecturer"}


def apposed_name(phrase: str, text: str, actors: ActorTable) -> str | None:
    """The person's name set off by commas beside a role phrase the rules took as the speaker ("The Russian Foreign
    Ministry spokesperson, Maria Zakharova, claimed …"; '"…," Jeff Kingston, a professor of Asian Studies …,
    said'), else None."""
    if is_personal(clean_mention(phrase, actors), actors) or \
            not any(w.strip(",").lower() in _PERSON_ROLE_WORDS | _EXPERT_WORDS for w in phrase.split()):
        return None
    at = text.find(phrase)
    if at < 0:
        return None
    m = _APPOSED_AFTER.match(text, at + len(phrase)) or _APPOSED_BEFORE.search(text[:at])
    return m.group("name") if m and is_personal(m.group("name"), actors) else None


_OUTLET_HEADS = {"outlet", "newspaper", "paper", "daily", "agency", "broadcaster", "publication", "weekly"}
_OUTLET_NAME = re.compile(r"(?:The[ \t]+)?(?:[A-Z][\w'’-]*[ \t]+){0,3}(?:Shimbun|Times|Post|News|Daily|Herald|Journal|"
                          r"Gazette)|(?:\bthe[ \t]+)?" + AGENCY.pattern)


_DOCUMENT_HEADS = {"document", "paper"}
_DOCUMENT_NAME = re.compile(r"(?:[A-Z][\w.'’-]*[ \t]+|\d{4}[ \t]+){1,5}(?:Paper|Report|Document|Declaration|Strategy|Review)\b")


_ISSUED_HEADS = {"report", "document", "statement", "comment", "paper", "communique", "note"}
#: The document words a head may refer back to ("The report" after "the white paper released by the ministry").
_ISSUED_KINDS = {"statement": "statement|comment", "comment": "statement|comment", "note": "statement|comment",
                 "document": "report|paper|document|statement", "report": "report|paper", "paper": "report|paper"}
_ISSUERS = r"(?:Ministry|Embassy|Office|Government|Staff|Agency|Committee|Council|Department|Kremlin|Cabinet|Secretariat)"
_ISSUER = rf"(?:[Tt]he[ \t]+)?(?:[A-Z][\w.'’-]*[ \t]+){{0,4}}{_ISSUERS}(?:[ \t]+of[ \t]+(?:the[ \t]+)?(?:[A-Z][\w'’-]*[ \t]*){{1,4}})?"


def _issuer(head: str, before: str) -> str | None:
    """The body the article last named as issuing a document of this kind: "the Defense Ministry’s report", "the
    statement of the Japanese Foreign Ministry", "Russia's Foreign Ministry said in a statement" (GUIDELINES case 32)."""
    kinds = _ISSUED_KINDS.get(head, head)
    rx = re.compile(rf"(?P<a>{_ISSUER})['’]s[ \t]+(?:[\w-]+[ \t]+){{0,3}}?(?i:{kinds})s?\b|"
                    rf"(?i:{kinds})s?[ \t]+(?:(?:issued|released|published|compiled|prepared)[ \t]+)?(?:of|by|from)[ \t]+(?P<b>{_ISSUER})|"
                    rf"(?P<c>{_ISSUER})[ \t]+(?:said|stated|says)[ \t]+in[ \t]+(?:a|an|its)[ \t]+"
                    rf"(?:[\w-]+[ \t]+){{0,3}}?(?i:{kinds})")
    hits = [next(g for g in m.groups() if g).strip() for m in rx.finditer(before)]
    return hits[-1] if hits else None


def body_antecedent(mention: str, before: str) -> str | None:
    """What a bare lower-case description of a body ("the ministry", "The press service", "the outlet") means: the
    nearest earlier name the article gives with that head ("Russia’s Defense Ministry", "the press service of the
    Eastern Military District"; for an outlet, the outlet's name), else None."""
    words = mention.split()
    if len(words) < 2 or words[0].lower() != "the":
        return None
    if full := ministry_antecedent(mention, before):  # "the Foreign Ministry" -> "Russia’s Foreign Ministry"
        return full
    head = words[-1].lower()
    if head in _OUTLET_HEADS:  # "the outlet", "the Japanese outlet", "the Osaka-based outlet"
        hits = list(_OUTLET_NAME.finditer(before))
        return hits[-1].group().strip() if hits else None
    if not all(w.islower() for w in words[1:]):
        return None
    if head in _ISSUED_HEADS:  # "The report" -> "the Defense Ministry" of "the Defense Ministry’s report"
        issuer = _issuer(head, before)
        if issuer:
            return issuer
    if head in _DOCUMENT_HEADS:  # "the document" -> "Japan's 2019 Defense White Paper"
        hits = list(_DOCUMENT_NAME.finditer(before))
        return hits[-1].group().strip() if hits else None
    if head not in _BODY_WORDS or head in ("side", "report", "statement"):
        return None
    rx = re.compile(rf"(?:(?:[Tt]he[ \t]+)?(?:[A-Z][\w.'’-]*[ \t]+){{1,4}}(?:{' '.join(map(re.escape, words[1:-1]))}[ \t]*)?"
                    rf"(?i:{re.escape(head)})(?:[ \t]+of[ \t]+(?:the[ \t]+)?(?:[A-Z][\w'’-]*[ \t]*){{1,4}})?|"
                    rf"(?:[Tt]he[ \t]+)?(?:{' '.join(map(re.escape, words[1:-1]))}[ \t]*)?(?i:{re.escape(head)})[ \t]+of[ \t]+"
                    rf"(?:the[ \t]+)?(?:[A-Z][\w'’-]*[ \t]*){{1,4}})")
    hits = [m.group().strip() for m in rx.finditer(before)]
    hits = [h for h in hits if any(w[:1].isupper() and w.lower() not in DETERMINERS for w in h.split()[:-1])
            and not h.lower().startswith(("the " + head, head)) or " of " in h]
    return hits[-1] if hits else None


_MINISTRY = re.compile(r"^[Tt]he\s+(?P<words>(?:[A-Z][\w.-]*\s+){0,3}?)(?i:ministry)$")
#: Every nationality word as one alternation, the longest first.
_NATIONS = "|".join(sorted(map(re.escape, NATIONALITY), key=len, reverse=True))
#: A ministry the article names with its country: "Russia’s Foreign Ministry", "the Japanese Defense Ministry",
#: "the Foreign Ministry of Russia".
_NAMED_MINISTRY = re.compile(
    rf"(?:[Tt]he\s+)?(?P<nat>{_NATIONS})(?:['’]s)?\s+(?P<kind>(?:[A-Z][\w-]*\s+){{0,2}}?)Ministry(?![\w-])"
    rf"|(?:[Tt]he\s+)?(?P<kind2>(?:[A-Z][\w-]*\s+){{0,2}}?)Ministry\s+of\s+(?:the\s+)?(?P<nat2>{_NATIONS})(?![\w-])")


def _kind(words: str) -> str:
    return " ".join(words.split()).lower().replace("defence", "defense")


def ministry_antecedent(mention: str, before: str) -> str | None:
    """The nearest earlier mention of the same ministry with its country ("Russia’s Foreign Ministry") for one
    named without it ("the Foreign Ministry", "the Russian ministry"), as the article names it in full; else None."""
    m = _MINISTRY.match(mention.strip())
    if not m:
        return None
    words = m.group("words").split()
    side = NATIONALITY.get(words[0]) if words else None
    kind = _kind(" ".join(words[1:] if side else words))
    if side and kind:  # "the Russian Foreign Ministry" is named in full already
        return None
    for hit in reversed(list(_NAMED_MINISTRY.finditer(before))):
        nat, got = hit.group("nat") or hit.group("nat2"), _kind(hit.group("kind") or hit.group("kind2") or "")
        if (side is None or NATIONALITY[nat] == side) and (not kind or got == kind) and (kind or side):
            return hit.group().strip()
    return None


def person_in_history(mention: str, history: list[Attribution], actors: ActorTable) -> Attribution | None:
    """The nearest earlier named person of the side a role names ("the Japanese official"), else of any side."""
    if mention.split()[-1].lower() not in PERSON_NOUNS | {"fm", "pm"}:  # "the Russian side" is no person
        return None
    want = next((NATIONALITY[w] for w in mention.split() if w in NATIONALITY), None)
    people = [h for h in reversed(history) if h.speaker and is_personal(h.speaker, actors)]
    return next((h for h in people if want is None or h.side == want), None)


def agency_source(text: str) -> str | None:
    """In '"...," he added, TASS news agency reported': the official the agency quotes."""
    stripped = _AGENCY_CLAUSE.sub("", text)
    if stripped == text:
        return None
    phrase = find_phrase(quote_scan(stripped, False)[0], stripped)
    return phrase if phrase and not AGENCY.search(phrase) else None


#: Lower-case words that may stand in a title between a nationality word and a person's name ("Russian Deputy
#: Foreign Minister Andrey Rudenko", "Japan's new Prime Minister Shigeru Ishiba").
_TITLE_FILLERS = {"new", "former", "then", "top", "chief", "deputy", "vice", "first", "foreign", "defense", "defence",
                  "prime", "minister", "secretary", "spokesman", "spokeswoman", "spokesperson", "ambassador", "envoy",
                  "aide", "senator", "lawmaker", "official", "diplomat", "president", "premier", "leader", "senior",
                  "government", "cabinet", "presidential", "state", "press", "economy", "trade", "finance",
                  "general", "of", "the", "and"}


def _nationality(word: str) -> str | None:
    """The side of a nationality word, possessive or not ("Russian", "Japan's")."""
    return NATIONALITY.get(word) or NATIONALITY.get(re.sub(r"['’]s$", "", word))


def person_side(name: str, article: str) -> str | None:
    """The side of a person the actors table does not know, from the title the article gives them: a nationality
    word before the name with only title words between ("Russian Deputy Foreign Minister Andrey Rudenko", "Japan's
    new Prime Minister Shigeru Ishiba", also with a comma before the name) or right after it ("Mikhail Galuzin, Russia's ambassador"); None: no such title."""
    surname = name.split()[-1] if name.split() else ""
    if len(surname) < 3:
        return None
    sides = []
    for m in re.finditer(rf"(?<![\w-]){re.escape(surname)}(?![\w-])", article):
        parts = re.split(r"([,.;:!?\"“”()\n])", article[max(0, m.start() - 90):m.start()])
        before = parts[-1].split()
        if len(parts) >= 3 and parts[-2] == "," and all(w[:1].isupper() for w in before):
            before = parts[-3].split() + before  # "Japan's Chief Cabinet Secretary, Osamu Fujimura"
        for k in range(len(before) - 1, -1, -1):
            word = before[k]
            nat = _nationality(word) if word[:1].isupper() else None
            if nat and k < len(before) - 1:  # a title word between ("Russian Deputy … Andrey"), not "Tokyo Kishida"
                sides.append(nat)
                break
            if not (word[:1].isupper() or word.lower() in _TITLE_FILLERS):
                break
        after = re.match(r",\s+(?:the\s+|a\s+)?(?:former\s+|then\s+)?([A-Z][\w.'’]*)\s", article[m.end():m.end() + 40])
        if after and (nat := _nationality(after.group(1))):
            sides.append(nat)
    return max(sides, key=sides.count) if sides else None  # a tie goes to the first written (deterministic)


#: Dateline cities -> side: a bare national body or an untitled official in a datelined report is the dateline
#: country's ("TOKYO (Jiji Press) - ..., the Defense Ministry said").
_DATELINE_CITIES = {"TOKYO": "japanese", "SAPPORO": "japanese", "NEMURO": "japanese", "OSAKA": "japanese",
                    "MOSCOW": "russian", "VLADIVOSTOK": "russian", "KHABAROVSK": "russian",
                    "YUZHNO-SAKHALINSK": "russian", "WASHINGTON": "us"}
_DATELINE_CITY = re.compile(r"^\s*(?P<city>[A-Z][A-Z-]{3,})(?:,\s*[A-Z][\w ]{0,20}?)?(?:\s*,?\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}"
                            r"\.?)?\s*(?:\([^)]{1,30}\)\s*)?(?:[-–—:]{1,2}|\.\s*/(?:ITAR-)?TASS/)", re.M)
#: A wire's title-case dateline: "Tokyo, Sept. 27 (Jiji Press)—".
_WIRE_DATELINE_CITY = re.compile(rf"^\s*(?P<city>[A-Z][a-z-]{{3,}}),\s+{_WIRE_DATE_AND_AGENCY}")
#: Bodies every state has, named bare in a report ("the Foreign Ministry", "the government").
_NATIONAL_BODIES = re.compile(r"(?i)^(?:the\s+)?(?:foreign|defen[cs]e|finance|economy)\s+ministry$|^(?:the\s+)?government$"
                              r"|^(?:the\s+)?presidential\s+office$|^(?:the\s+)?ministry$")


def dateline_side(article: str) -> str | None:
    """The side of the city of the article's dateline in its first lines (None: no dateline of a known city)."""
    for line in article.splitlines()[:4]:
        m = _DATELINE_CITY.match(line) or _WIRE_DATELINE_CITY.match(line)
        if m and m.group("city").upper() in _DATELINE_CITIES:
            return _DATELINE_CITIES[m.group("city").upper()]
    return None


def context_side(speaker: str, article: str, actors: ActorTable) -> str | None:
    """The side of a speaker named without one ("The Defense Ministry", "a ministry official"): the nationality
    word the article writes before the same head noun elsewhere ("Japan's Defense Ministry"); for a person, the
    nationality of the title the article gives them (:func:`person_side`)."""
    words = re.findall(r"[\w-]+", speaker)
    if words and is_personal(speaker, actors) and (side := person_side(speaker, article) or dateline_side(article)):
        return side
    if _NATIONAL_BODIES.match(speaker.strip()) and (side := dateline_side(article)):
        return side
    if m := re.search(r"\bof\s+(?:the\s+)?([A-Z][\w.]+(?:\s+[A-Z][\w.]+)?)$", speaker.strip()):  # "The Foreign Ministry of Russia"
        if side := NATIONALITY.get(m.group(1)):
            return side
    if not words or words[-1].lower() not in _BODY_WORDS:
        return None
    if own := next((NATIONALITY[w] for w in words if w in NATIONALITY), None):  # "an official of the Russian ministry"
        return own
    head = re.escape(words[-1])
    sides = [NATIONALITY[m.group(1)] for m in
             re.finditer(rf"(?<![\w-])({_NATIONS})(?:['’]s)?\s+(?:[\w-]+\s+){{0,3}}?(?i:{head})(?![\w-])", article)]
    if sides:
        return max(sides, key=sides.count)  # a tie goes to the first written (deterministic)
    return home_side(article) if _GOVERNMENT.search(speaker) and not _SOURCE.search(speaker) else None


#: A government's own organ named without a country, and an unnamed source (whose side stays ``other``, case 8).
_GOVERNMENT = re.compile(r"(?i)\b(?:ministry|ministries|government|administration|cabinet)\b")
_SOURCE = re.compile(r"(?i)\bsources?\b")
#: A stance-valued side's nationality words must outnumber the next side's this many times for :func:`home_side`
#: (dev articles, rules alone: side .8904 at 2.0, .8918 at 1.5, .8923 at 1.01, which also turns 15 misses from
#: ``other`` to a wrong stance-valued side).
HOME_MARGIN = 1.5


def home_side(article: str) -> str | None:
    """The side an article is written from where one dominates its nationality words ("Japan", "Tokyo", "Russian"
    ...), for a national body it names without a country ("the Defense Ministry" in a piece about Japan's
    defence): the most counted stance-valued side at :data:`HOME_MARGIN` times the next, else None."""
    counts: dict[str, int] = {}
    for m in NATIONALITY_RE.finditer(article):
        side = NATIONALITY[m.group(1)]
        if side in _STANCE_SIDES:
            counts[side] = counts.get(side, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if not ranked or (len(ranked) > 1 and ranked[0][1] < HOME_MARGIN * ranked[1][1]):
        return None
    return ranked[0][0]


#: a question line opens with a dash and a capital or quote ("— How will ...?"; "- the minister said." is a tag), a
#: "Q:" or a press conference's questioner label ("REPORTER: ...", "Journalist: ...")
_QUESTION = re.compile(r"^\s*(?:[—–-]\s+[A-Z\"“‘]|Q\s*[:.]\s|Question\s*:|(?i:reporter|journalist|questioner|press)\s*:\s)")
_ANSWER = re.compile(r"^\s*(?P<name>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3})(?:,[^:]{0,160})?:\s+\S")


def interview_turns(sentences: Sequence[str], found: list[Attribution], article: str,
                    actors: ActorTable) -> list[Attribution]:
    """A transcript of questions ("— ...", "Q: ...", a press conference's "REPORTER: ...") and answers ("Mikhail
    Galuzin, Ambassador ...: ...", "CHIEF CABINET SECRETARY SUGA: ...", or "Answer: ..." / "A: ..." for the one
    interviewee): each answer, reported speech inside it included, is the answerer's (an answer without a name line is
    the last answerer's); questions stay the author's, and a question's further sentences in its paragraph are read as
    the rules read them."""
    if not any(_QUESTION.match(s) for s in sentences):
        return found
    answers = [(_label(m.group("name")) if (m := _ANSWER.match(s)) and m.group("name").split()[0] not in OPENERS
                and m.group("name") not in ("Answer", "A") else None, i)
               for i, s in enumerate(sentences)]  # "However, he put forward a condition: ..." names no answerer
    labelled = any(_ANSWER_LABEL.match(s) for s in sentences)
    interviewee = _interviewee(sentences, found, article, actors) if labelled else None
    if interviewee is None and not any(name and is_personal(clean_mention(name, actors), actors)
                                       for name, _ in answers):
        return found
    out = list(found)
    speaker: Attribution | None = None
    para = paragraphs(sentences, article)
    asked = None  # the paragraph of the last question: its further sentences are the question's, not an answer
    for (name, i), text in zip(answers, sentences):
        if _QUESTION.match(text):  # the answers after it stay the last answerer's until another name line
            out[i] = Attribution(None, None)
            asked = para[i]
            continue
        if name and is_personal(clean_mention(name, actors), actors):
            speaker = resolve_mention(name, [], article, actors)
        elif interviewee is not None and _ANSWER_LABEL.match(text):
            speaker = interviewee
        elif asked is not None and para[i] == asked:  # the question goes on: as the rules read it
            continue
        asked = None
        if speaker is not None and speaker.speaker:
            out[i] = speaker
    return out


def _label(name: str) -> str:
    """A transcript's capitalised speaker label as a name is written ("CHIEF CABINET SECRETARY SUGA" -> "Chief
    Cabinet Secretary Suga"), so that its title is dropped and the name resolved as in running text."""
    return name.title() if name.isupper() and len(name) > 3 else name


def paragraphs(sentences: Sequence[str], article: str | None) -> list[int]:
    """Each sentence's paragraph (line) number in the article; every sentence its own without the article."""
    if not article:
        return list(range(len(sentences)))
    out, pos, line = [], 0, 0
    for text in sentences:
        at = article.find(text, pos) if text else -1
        if at >= 0:
            line += article.count("\n", pos, at)
            pos = at + len(text)
        out.append(line)
    return out


#: "Answer: ..." / "A: ...": an answer of the one person interviewed, who is named before the first question.
_ANSWER_LABEL = re.compile(r"^\s*(?:A|Answer)\s*[:.]\s+\S")
_NAME_ONLY = re.compile(r"^(?P<name>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3})\s*$")


def _interviewee(sentences: Sequence[str], found: list[Attribution], article: str,
                 actors: ActorTable) -> Attribution | None:
    """The person an interview of labelled answers is with: a line naming only them before the first question,
    else the first person found speaking there (the headline's "Ambassador X: ..."), else None."""
    first = next(i for i, s in enumerate(sentences) if _QUESTION.match(s))
    for text in sentences[:first]:
        m = _NAME_ONLY.match(text.strip())
        if m and is_personal(m.group("name"), actors):
            return resolve_mention(m.group("name"), [], article, actors)
    return next((f for f in found[:first] if f.speaker and is_personal(f.speaker, actors)), None)
