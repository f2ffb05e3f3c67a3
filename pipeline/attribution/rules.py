"""Speaker attribution by rule, one article at a time: the speaker phrase each sentence names, quotes that run on
into later sentences, references back to an earlier speaker, and interviews.

The patterns (:mod:`.patterns`) and word lists (:mod:`.vocabulary`) are data files under ``data/``; this module
is the state machine that walks an article's sentences with them. :func:`quote_scan` and :func:`find_phrase` are
public: :mod:`.resolution` and :mod:`.article` read one sentence's own speaker phrase with them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .actors import ActorTable, Attribution, default_actors
from .patterns import (
    ACCORDING,
    AFTER_QUOTE,
    INSERTED,
    INTERVIEWED,
    INVERTED,
    NAME_LINE,
    OMITTED,
    PARTICIPLE,
    PASSIVE,
    QUOTED_AS,
    SAY_VERB,
    TRAILING,
    WHO,
)
from .phrases import np_before, refer_back, resolve, subject, trim_np

# --- quotes ------------------------------------------------------------------------------------------------------

def _straight_opens(text: str, i: int, in_quote: bool) -> bool:
    """Whether the straight quote at ``i`` opens a quote: after a space (or at the start) and before a word it opens,
    after a word or punctuation it closes; only where neither tells does it toggle. So a quote whose closing mark
    comes sentences later is not read as opening again."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if (before.isspace() or before in "([—–-") and not after.isspace():
        return True
    if not before.isspace() and (after.isspace() or after in ".,;:!?)—–-"):
        return False
    return not in_quote


def quote_scan(text: str, in_quote: bool) -> tuple[str, bool, int]:
    """Mask quoted characters with spaces; returns (masked text, inside a quote at the end, words quoted)."""
    out = []
    quoted_words = 0
    prev_space = True
    for i, ch in enumerate(text):
        if ch in "“”\"":
            in_quote = True if ch == "“" else False if ch == "”" else _straight_opens(text, i, in_quote)
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


#: "according to a joint declaration signed in 1956", "according to international law": terms an agreement or a
#: law sets out, which the author reports (no source speaks).
_TERMS = re.compile(r"(?i)\b(?:declarations?|agreements?|treat(?:y|ies)|accords?|laws?|constitution|charter|grounds|"
                    r"norms|principles|terms|rules|conventions?|protocols?)(?:\s+(?:signed|adopted|reached|concluded)\b.*)?$")
#: "X was quoted by Y as saying" / "... to have said": the passive of "Y quoted X as saying", whose speaker is X.
_QUOTED_BY_AS = re.compile(r"\s+(?:was|were|is|are|has been|have been)\s+quoted\s+by\s+[^,;:]{2,60}?\s+(?:as\s+"
                           r"(?:saying|telling|stating)|to\s+have\s+said)\b")
#: A comma glued to the next word ("Moscow and Tokyo,Galuzin also said"): a space put back, length kept aside.
_GLUED = re.compile(r",(?=[A-Z][a-z])")

#: A future auxiliary among a verb of saying's pre-verb words ("will officially describe").
_WILL = re.compile(r"(?<![\w-])will\s")
#: A possessive right before a word ("Japan's claim"): that word is a noun.
_POSSESSIVE_END = re.compile(r"\w['’]s\s+$")

_OBJECT_PRONOUNS = {"him": "he", "her": "she", "them": "they"}


def _unglue(masked: str, raw: str) -> tuple[str, str]:
    """Both texts with a space put after each comma that ``raw`` glues to the next word, at the same places."""
    cuts = [m.end() for m in _GLUED.finditer(raw)]
    if not cuts:
        return masked, raw
    def spaced(t: str) -> str:
        return "".join(t[a:b] + (" " if b in cuts else "") for a, b in zip([0] + cuts, cuts + [len(t)]))
    return spaced(masked), spaced(raw)


# --- sentences ------------------------------------------------------------------------------------------------------

_SUBORDINATE = re.compile(r"(?i)(?:^|\W)(?:which|what|whom|whose|since|because|until|unless|although|though|whereas|"
                          r"while|when|as|after|before|if|once) {0,2}$")


def _subordinate(prefix: str, np_text: str) -> bool:
    """The phrase is the subject of a subordinate or relative clause ("the islands, which Tokyo calls …", "since
    Russia announced …") in a sentence that goes on: not the main clause, which decides (GUIDELINES §4.1)."""
    at = prefix.rstrip().rfind(np_text)
    lead = prefix[:at].strip().lower() if at >= 0 else ""
    # "As the minister noted, …" attributes the sentence; an opening "As" is no subordinate clause here
    return at >= 0 and lead not in ("", "as") and bool(_SUBORDINATE.search(prefix[:at]))


def find_phrase(masked: str, raw: str) -> str | None:
    """The speaker phrase one sentence names (quoted text masked out), or None."""
    for m in re.finditer(r"[”\"]", raw):  # '"…," Onodera said' / '"…," said Onodera'
        am = AFTER_QUOTE.match(masked[m.end():])
        if am:
            return am.group("np").strip()
    m = _QUOTED_BY_AS.search(masked)  # "Abe was quoted by the source as telling Putin": the one quoted
    if m and (quoted := subject(masked[: m.start()])):
        return quoted
    m = QUOTED_AS.search(masked)  # "TASS quoted the Russian diplomat as saying"
    if m and np_before(m.group("np")):
        return np_before(m.group("np"))
    for rx in (TRAILING, INSERTED):  # "…, officials said." / "…, U.S. officials argue, …"
        m = rx.search(masked)
        if m:
            np_text = np_before(m.group("np"))
            if np_text:
                return np_text
    for m in INVERTED.finditer(masked):  # "…, announced the press service of the district."
        np_text = subject(m.group("np"))
        if np_text and np_text.endswith(("'s", "’s")):  # "…, says Japan's defence minister Nobuo Kishi": all of it
            np_text = m.group("np").strip()
        if np_text:
            return np_text
    candidates: list[tuple[int, str]] = []
    for rx in (ACCORDING, PASSIVE):
        m = rx.search(masked)
        if m:
            np_text = trim_np(m.group("np"))
            np_text = _OBJECT_PRONOUNS.get(np_text.lower(), np_text)  # "according to him" refers back as "he"
            # "according to which Moscow agreed …" names a document's content, not a source
            if (np_text and np_text.split()[0].lower() not in ("i", "we", "you", "this", "that", "there", "which", "whom")
                    and not (rx is ACCORDING and _TERMS.search(np_text))):
                candidates.append((m.start(), np_text))
    m = WHO.search(masked)
    if m:  # "… his counterpart, Sergey Lavrov, who said …"
        candidates.append((m.start(), m.group("np")))
    for m in SAY_VERB.finditer(masked):
        if OMITTED.search(m.group(0)):  # "The embassy has not commented": an omission is not a statement (106)
            continue
        if _WILL.search(m.group(0)):  # "Japan will officially describe …": a statement not yet made is a plan (120)
            continue
        if _POSSESSIVE_END.search(masked[: m.start()]):  # "Japan's claim to the islands": a noun, not a verb
            continue
        np_text = np_before(masked[: m.start()])
        if np_text and not _subordinate(masked[: m.start()], np_text):
            candidates.append((m.start(), np_text))
            break
    if candidates:
        return min(candidates)[1]
    m = PARTICIPLE.search(masked)
    if m:
        return subject(masked[: m.start()])
    return None


def _interviewee(sentences: Sequence[str]) -> tuple[int, str] | None:
    """(index of the name line, interviewee) when the article opens as an interview ("Interviewed by ...")."""
    head = sentences[:6]
    if not any(INTERVIEWED.match(s) for s in head):
        return None
    for i, s in enumerate(head):
        m = NAME_LINE.match(s)
        if m and not INTERVIEWED.match(s) and len(s) < 200:
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
    introducer: Attribution | None = None  # speaker of the previous sentence when it only introduced a quote
    for i, raw in enumerate(texts):
        started_inside = in_quote
        masked, in_quote, quoted_words = quote_scan(raw, in_quote)
        has_quote_char = any(c in raw for c in '"“”')
        since_quote_char = 0 if has_quote_char else since_quote_char + 1
        if in_quote and since_quote_char >= 8:  # an unclosed quote: stop running on
            in_quote, started_inside, run, quote_speaker = False, False, [], None
        phrase = find_phrase(*_unglue(masked, raw))
        found: Attribution | None = None
        if phrase:
            ref = refer_back(phrase, history, actors)
            found = resolve(phrase, actors) if ref is False else ref
        if found is None and started_inside and quote_speaker is not None:
            found = quote_speaker
        if found is None and raw.lstrip()[:1] in '"“' and last_quote is not None:
            found = last_quote  # '"…," Onodera said.' then '"It is not …"'
        if found is None and raw.lstrip()[:1] in '"“‘' and introducer is not None:
            found = introducer  # 'Prime Minister Abe said the following,' then '“Over the course …'
        introducer = None
        if found is not None and phrase and quoted_words == 0 and raw.rstrip()[-1:] in ",:":
            introducer, found = found, None  # a quote introducer with no content of its own is narration
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
