"""Signed pieces: the writer an author line names speaks the body sentences that name no other source
(GUIDELINES case 27: an official's signed comment or statement, a signed commentary or opinion piece).

An author line is one of the article's first lines: a title "Comment by Deputy Foreign Minister Sergey Ryabkov on
…" (also Statement, Remarks, Address, Speech, Message; "Comment by the Information and Press Department on …",
"Statement by Ambassador X: <subtitle>") or "Prime Minister's Address to …" / "Gist of PM Abe's remarks …", a byline "JARED D’AGOSTINO WRITES – …", or a name line
followed by a role line ("Maria Zakharova" / "Russian Foreign Ministry spokesperson"). A journalist's byline
("By X, Staff Writer") names no writer-speaker: a bylined news report is the author's. The signed text runs from
the author line to the next heading (a short line without a final stop); title, name, role and date lines stay
the author's, and a sentence with its own source keeps it. An official's statement is speech, facts included; a
commentary writer's speaker is a :class:`~.actors.WriterView`, which :func:`~.combine.combine` gives back to the author
where the classifier reads the sentence as narration of fact (claim ``fact``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .actors import ActorTable, Attribution, WriterView
from .resolution import clean_mention, context_side, is_personal, resolve_mention

#: How far into the article an author line may stand (sentences).
AUTHOR_LINE_WITHIN = 8
#: The most words a possessive title line may have: a foreign ministry's transcript titles run long ("Foreign
#: Minister Sergey Lavrov's statement and answers to media questions at a news conference following talks with ...").
TITLE_WORDS = 45

#: "Comment by <who>" and its kind words, the start of every "... by X" title
_BY = (r"^(?:Comment|Commentary|Statement|Remarks|Address|Speech|Message|Op-[Ee]d)\s+by\s+"
       r"(?P<who>(?:the\s+)?[A-Z][^,:;]{2,80}?)")
_TITLE_BY = re.compile(_BY + r"(?:\s+(?:on|at|to|regarding|concerning|about|in|following|after|before|during)\s+.*)?"
                       r"\s*$")
#: "Statement by U.S. Ambassador to Japan Rahm Emanuel: The United States and Japan ...": the writer ends at the colon
_TITLE_BY_COLON = re.compile(_BY + r"\s*:\s+(?:\S|$)")
#: "Prime Minister's Address to the National Rally ...", "Gist of PM Abe's remarks to reporters on ..."
_TITLE_POSSESSIVE = re.compile(r"^(?:(?:Gist|Summary|Text|Full text|Transcript) of\s+)?(?P<who>[A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*){0,4})['’]s\s+"
                               r"(?i:address|remarks|statement|speech|message|comments?)\b")
_WRITES = re.compile(r"^\s*(?P<who>[A-Z][A-Z’'.\- ]{3,40}?)\s+WRITES\s*[–—:-]")
#: "By Masahiro Matsumura": a byline, the writer's own only where the article also gives the writer's role (below).
_BY_LINE = re.compile(r"^By\s+(?P<who>[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+){1,3})\s*$")
_NAME_ROLE = re.compile(r"^(?P<who>[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]*){1,3})(?:,\s+(?P<role>[^.!?]{3,80}))?\s*$")
_ROLE_WORDS = re.compile(r"(?i)\b(?:fellow|spokes(?:person|woman|man)|minister|professor|analyst|researcher|director|"
                         r"ambassador|secretary|chairman|chairwoman|president|scholar|expert|head|chief|advis[eo]r|"
                         r"associate|lecturer|senator|governor|commander|envoy|deputy|member)\b")
_JOURNALIST = re.compile(r"(?i)\b(?:correspondent|reporter|writer|editor|staff|journalist|columnist|bureau|desk|"
                         r"photographer|contributor)\b")
#: A role line or title that makes the signed text an official's statement (every body sentence is speech).
_OFFICIAL = re.compile(r"(?i)\b(?:spokes(?:person|woman|man)|minister|ambassador|secretary|president|senator|governor|"
                       r"commander|envoy|deputy|ministry|embassy|government)\b")
_FINAL_STOP = re.compile(r"[.!?…\"”’)\]]\s*$")


def _is_line(text: str, most_words: int = 12) -> bool:
    """A short line without a final stop: a title, name, role, date line or heading."""
    return not _FINAL_STOP.search(text) and len(text.split()) <= most_words


def author_line(sentences: Sequence[str], actors: ActorTable) -> tuple[str, int, bool] | None:
    """(the writer as the author line names them, the index of the first sentence after that line, whether the
    writer is an official), or None."""
    for i, text in enumerate(sentences[:AUTHOR_LINE_WITHIN]):
        text = text.strip()
        m = (_TITLE_BY_COLON.match(text) or _TITLE_BY.match(text)
             or (_TITLE_POSSESSIVE.match(text) if _is_line(text, TITLE_WORDS) else None))  # a title line, not a sentence
        if m and i < 3:
            return clean_mention(m.group("who"), actors), i + 1, True
        m = _WRITES.match(text)
        if m:  # the byline may be glued to the first sentence, which is the writer's too
            return " ".join(w.title() for w in m.group("who").split()), i, False
        m = _BY_LINE.match(text)
        if m and (bio := writer_bio(m.group("who"), sentences, byline=i)) is not None:  # an op-ed's byline and the writer's bio
            return m.group("who"), i + 2 if bio == i + 1 else i + 1, bool(_OFFICIAL.search(sentences[bio]))
        m = _NAME_ROLE.match(text)
        if not m or not is_personal(m.group("who"), actors):
            continue
        role = m.group("role") or (sentences[i + 1].strip() if i + 1 < len(sentences) else "")
        at = i + 1 if m.group("role") else i + 2
        if _is_line(role) and _ROLE_WORDS.search(role) and not _JOURNALIST.search(role):
            return m.group("who"), at, bool(_OFFICIAL.search(role))
    return None


def writer_bio(who: str, sentences: Sequence[str], byline: int | None = None) -> int | None:
    """The index of the sentence that gives a byline's writer a role other than a journalist's ("Masahiro Matsumura
    is professor of international politics ..."), where the piece has one; else None (a reporter's byline). The
    sentence right after the byline needs no role word ("Adzhar Kurtov is the leading scientific employee of ...")."""
    bio = re.compile(rf"^{re.escape(who)}\s+(?:is|was|serves as)\s")
    for i, text in enumerate(sentences):
        if bio.match(text.strip()) and not _JOURNALIST.search(text) and ((byline is not None and i == byline + 1) or _ROLE_WORDS.search(text)):
            return i
    return None


def signed_writer(sentences: Sequence[str], found: list[Attribution], article: str,
                  actors: ActorTable) -> list[Attribution]:
    """``found`` with the writer of a signed piece as the speaker of its body sentences that name no other source."""
    line = author_line(sentences, actors)
    if line is None:
        return found
    who, start, official = line
    writer = resolve_mention(who, [], article, actors)
    if not writer.speaker and official and who:  # an unnamed office the title names: "Prime Minister's Address to ..."
        writer = Attribution(who, None)
    if not writer.speaker:
        return found
    if writer.side is None:
        writer = Attribution(writer.speaker, context_side(writer.speaker, article, actors))
    if not official:
        writer = WriterView(*writer)
    out = list(found)
    began = False
    for i in range(start, len(sentences)):
        text = sentences[i].strip()
        if _is_line(text):
            if began:  # a heading ends the signed text
                break
            continue
        began = True
        if out[i].speaker is None:
            out[i] = writer
    return out
