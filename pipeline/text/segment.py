"""Split cleaned article text into sentences with character offsets.

Each line block of the cleaned text (a paragraph, a heading, a caption) is segmented on its own, so a
heading never merges into the paragraph after it. The default segmenter, ``news``, is pysbd plus a few
post-rules, each kept because it measurably helped on the gold units of the non-test articles of annotations/
(``benchmarks/segmenters.py --data train``):

- quotes: pysbd never splits inside quotation marks, so it runs on the block with the quotation marks
  blanked out (same length, so offsets hold) and each quote mark then rejoins the sentence it opens or closes;
  a multi-sentence quote becomes one unit per sentence and the attribution stays with its own sentence;
- datelines: "TOKYO, July 26. /TASS/. Japan said ...", "MOSCOW, January 20 /TASS/. ..." and "MOSCOW. Dec 19
  (Interfax) - ..." stay one unit with the first sentence, as the guidelines say;
- glued furniture: a credit or caption glued to the next sentence without a space ("...Shutterstock)Russia",
  "Transatlantic FellowJust as ..."), a credit line glued to the caption after it ("Japanese MoD A map ...") or
  a byline run into the first sentence ("JOHN SMITH WRITES – For the first ...") is cut apart;
- nested quotes: inside an open double quotation, a single-quoted question or exclamation ("... the questions
  'If not now, then when?' And 'If not us, then who?'") does not end the sentence, and a bare tag after a quoted
  question ('"Why should we?" Putin said.'), or one that names only the sayer and the occasion after any quote
  ('"... ties." Putin remarked during his meeting ...'), stays with it;
- run-together text: sentences with no space after the stop ("... actions.Motegi also ...") are cut, and a page's
  date field or a "©" credit glued to the next unit is cut off.

Cost is linear in the text: every line is segmented on its own, and a line longer than ``WINDOW`` characters
(a transcript without newlines) is segmented in bounded windows, each cut after its last complete sentence. A
sentence longer than ``MAX_SENTENCE_CHARS`` is cut at spaces, and the pieces carry a ``note``.
Plain pysbd, nltk's punkt, syntok and a regex can be selected for comparison.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

log = logging.getLogger(__name__)
SEGMENTERS = ("news", "pysbd", "nltk", "syntok", "regex")
DEFAULT_SEGMENTER = "news"
#: No unit is longer than this: the longest gold sentence has 531 characters; the default model reads 128 tokens
#: (about 550 characters of news English) and truncates the rest, a 512-token config about 2,000.
MAX_SENTENCE_CHARS = 1000
#: Lines longer than this are segmented in windows of this many characters: pysbd's cost per character grows with
#: the length of what it reads (one 200 KB line: 3.4 s/MB in windows of 1,000, 3.9 of 2,000, 6.1 of 8,000).
WINDOW = 2 * MAX_SENTENCE_CHARS

_QUOTES = "\"“”"
_OPENERS = "\"“‘"
_CLOSERS = "\"”’)]"
_MASK = str.maketrans({q: " " for q in _QUOTES})
#: "TOKYO, July 26." / "MOSCOW." / "/TASS/." — a dateline piece that pysbd cuts off the first sentence
#: (also with the agency after the date: "MOSCOW, January 20 /TASS/.", "TOKYO, Feb 8 - RIA Novosti.")
_DATELINE_PIECE = (r"(?:[A-Z][A-Z.\-]*(?: [A-Z][A-Z.\-]*){0,3}(?:, [A-Z][a-z]{2,8}\.? \d{1,2}"
                   r"(?: /[A-Z][A-Za-z\-]*/| [–—-] [A-Z][A-Za-z\-]+(?: [A-Z][A-Za-z\-]+)?)?)?\.|/[A-Z][A-Za-z\-]*/\.)")
_DATELINE = re.compile(rf"{_DATELINE_PIECE}(?:\s+{_DATELINE_PIECE})*")
#: "... would respond … \"This puts ...": an ellipsis and then an opening quote start a new sentence
_ELLIPSIS_QUOTE = re.compile(r"(?<=…)\s+(?=[\"“][A-Z])")
#: a sentence run into the next without a space: "... their actions.Motegi also", "... Japan\".On his part" (a
#: two-letter word after the stop only where it is a common sentence opener: "Caliber.Az reports" is a name)
_NO_SPACE_STOP = re.compile(r"(?:(?<=[a-z]{2}[.!?])|(?<=[.!?][\"”])|(?<=[\"”][.!?]))"
                            r"(?=(?:[A-Z][a-z]{2,}|On|In|At|As|It|He|We|If|So|By|To|An)[\s,])")
#: the page's date field run into the line's first sentence: "date 2025-02-08 Protestors have rallied ..."
_DATE_FIELD = re.compile(r"date \d{4}-\d{2}-\d{2}\s+(?=\S)")
#: a credit line ("© ...") glued to the caption after it: "© RIA Novosti / Go to the mediabankDmitry Medvedev's"
_CREDIT_WORD_GLUE = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z]+)")
#: a caption/credit/byline line glued to the next sentence without a space: "Shutterstock)Russia", "FellowJust as"
_BRACKET_GLUE = re.compile(r"(?<=\))(?=[A-Z][a-z]+\s)")
#: ... and a run of capitalised words glued to a sentence start: "Non-Resident Transatlantic FellowJust as"
_TITLE_RUN = re.compile(r"(?:[A-Z][\w\-.&]*\s)+[a-z]")
_WORD_GLUE = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z]+\s+[a-z])")
#: a byline run into the first sentence of its line: "JARED D'AGOSTINO WRITES – For the first time ..."
_BYLINE_WRITES = re.compile(r"(?:[A-Z][A-Z'’.\-]*\s){1,4}(?:WRITES|REPORTS)\s*[–—:-]\s*(?=[A-Z\"“])")
#: a short attribution tag after a quoted question or exclamation: '"Why should we?" Putin said.'
_QUESTION_QUOTE_END = re.compile(r"[?!][\"”’']$")
_TAG = re.compile(r"(?:[A-Z][\w.'’-]*\s+){1,4}(?:said|says|asked|asks|added|adds|replied|wrote|noted|told\s+\w+)\.?")
#: ... and after any quote's full stop, a same-line tag that names only the sayer and the occasion (GUIDELINES 121):
#: '"... ties." Putin remarked during his meeting ...', '"...?" Putin said commenting on ...' — not "He said the ..."
_QUOTE_END = re.compile(r"[.?!][\"”’']$")
_TAG_AND_OCCASION = re.compile(
    r"(?:[A-Z][\w.'’-]*\s+){1,4}(?:said|says|asked|added|replied|wrote|noted|remarked|stressed|explained|"
    r"emphasi[sz]ed|declared|insisted|commented|told\s+\w+)"
    r"(?:\.$|\s+(?:on|at|in|during|after|before|while|when)\s|\s+(?!(?:no|some|any|every)thing)\w+ing\s)")
#: a nested quotation that ends a question or exclamation: "... then when?' And ..."
_NESTED_QUOTE_END = re.compile(r"[?!][’']$")
#: a credit line glued to the caption after it: "Japanese MoD A map the ministry released ..."
_CREDIT_THEN_CAPTION = re.compile(r"(?:[A-Z][\w\-.&/]*\s){2,5}(?=(?:A|An|The)\s[a-z])")


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: its text and ``article[start:end] == text``.

    ``note`` says why a unit is not a whole sentence (a sentence over ``MAX_SENTENCE_CHARS`` cut into pieces).
    """

    index: int
    text: str
    start: int
    end: int
    note: str = ""


@cache
def _splitter(name: str) -> Callable[[str], list[str]]:
    if name in ("pysbd", "news"):
        import pysbd

        seg = pysbd.Segmenter(language="en", clean=False)
        return seg.segment
    if name == "nltk":
        from nltk.tokenize.punkt import PunktSentenceTokenizer

        # Untrained punkt: the parameters that ship with nltk need a data download, which we never do.
        return PunktSentenceTokenizer().tokenize
    if name == "syntok":
        from syntok import segmenter

        def split(text: str) -> list[str]:
            out = []
            for paragraph in segmenter.analyze(text):
                for sentence in paragraph:
                    out.append("".join(t.spacing + t.value for t in sentence))
            return out

        return split
    if name == "regex":
        # a boundary after . ! or ? (optionally closed by a quote or bracket) before a capital or opening quote
        return lambda text: re.split(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“A-Z])", text)
    raise ValueError(f"unknown segmenter {name!r}; choose one of {', '.join(SEGMENTERS)}")


def _blocks(text: str) -> Iterator[tuple[int, str]]:
    """Yield (offset, line) for every non-blank line of the text."""
    for m in re.finditer(r"[^\n]+", text):
        if m.group().strip():
            yield m.start(), m.group()


def _locate(block: str, pieces: list[str]) -> list[tuple[int, int]]:
    """(start, end) in ``block`` of each piece a segmenter returned, stripped, in order."""
    spans, cursor = [], 0
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        found = block.find(piece, cursor)
        if found < 0:  # a segmenter that rewrote whitespace: fall back to the cursor position
            found = cursor
            piece = block[cursor : cursor + len(piece)].strip()
        spans.append((found, found + len(piece)))
        cursor = found + len(piece)
    return spans


def _windowed(split: Callable[[str], list[str]], block: str, cuts: set[int]) -> list[tuple[int, int]]:
    """Spans of ``split`` over ``block``, reading at most ``WINDOW`` characters at a time.

    Each window keeps its sentences but the last (which may run on past the window) and the next window starts
    where that one began, so a cut only falls where the segmenter itself put a boundary, except in a sentence
    that fills a whole window: that is cut at the window's last space, and the offset is added to ``cuts``.
    """
    if len(block) <= WINDOW:
        return _locate(block, split(block))
    spans: list[tuple[int, int]] = []
    pos = 0
    while pos < len(block):
        window = block[pos : pos + WINDOW]
        found = [(pos + s, pos + e) for s, e in _locate(window, split(window))]
        if pos + WINDOW >= len(block) or not found:
            spans.extend(found)
            break
        if len(found) > 1:
            spans.extend(found[:-1])
            pos = found[-1][0]
        else:  # one sentence fills the whole window: cut it at the window's last space
            cut = window.rfind(" ", 0, WINDOW) if " " in window[1:] else WINDOW
            cut = cut if cut > 0 else WINDOW
            spans.append((found[0][0], pos + cut))
            pos += cut
            cuts.add(pos)
        while pos < len(block) and block[pos].isspace():
            pos += 1
    return [(s, e) for s, e in spans if block[s:e].strip()]


def _news_spans(block: str, cuts: set[int]) -> list[tuple[int, int]]:
    """pysbd over the block with quotation marks blanked, then the post-rules of the module docstring."""
    spans = _windowed(_splitter("pysbd"), block.translate(_MASK), cuts)
    # quote marks: a closing one joins the sentence it ends, an opening one the sentence it starts
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if s > 0 and block[s - 1] in _OPENERS and (not out or out[-1][1] < s - 1):
            s -= 1
        while e < len(block) and block[e] in _CLOSERS:
            e += 1
        out.append((s, e))
    spans = [(s, e) for s, e in out if s < e]
    spans = [piece for s, e in spans for piece in _split_at(block, s, e, _ELLIPSIS_QUOTE)]
    spans = [piece for s, e in spans for piece in _split_at(block, s, e, _NO_SPACE_STOP)]
    # a piece with no letter or digit (a lone quote or bracket, "…") belongs to the sentence before it (the line's
    # first such piece to the sentence after it), and so does one that starts in lower case (pysbd cut after ". . ."
    # or an abbreviation) and a piece after a nested quote's "?'" or "!'" while a double quotation is still open
    merged: list[tuple[int, int]] = []
    pending = spans[0] if spans and not any(c.isalnum() for c in block[spans[0][0]:spans[0][1]]) else None
    for s, e in spans:
        if merged and merged[-1] == pending:  # a line-opening piece with no letter or digit ('"...') opens this one
            merged[-1] = (merged[-1][0], e)
        elif merged and (not any(c.isalnum() for c in block[s:e]) or block[s].islower()
                       or _inside_nested_quote(block, merged[-1]) or _tag_after_quote(block, merged[-1], (s, e))
                       or _time_runs_on(block, merged[-1], (s, e))):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    spans = merged
    # datelines cut off the first sentence of the block stay with it
    while len(spans) > 1 and spans[0][0] == len(block) - len(block.lstrip()) and _DATELINE.fullmatch(
            block[spans[0][0]:spans[0][1]]):
        spans[:2] = [(spans[0][0], spans[1][1])]
    return _cut_glued(block, spans)


#: A clock time ending a piece ("around 3 p.m."), and the words that carry its sentence on ("Friday", "local time").
_CLOCK_END = re.compile(r"\b\d{1,2}(?:[:.]\d{2})?\s*[ap]\.m\.$")
_TIME_GOES_ON = re.compile(r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|January|February|March|April|May|June|July|"
                           r"August|September|October|November|December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.|"
                           r"JST|GMT|UTC|EST|EDT|PST|PDT|local\s+time|Tokyo\s+time|Moscow\s+time|\(local)\b")


def _time_runs_on(block: str, prev: tuple[int, int], span: tuple[int, int]) -> bool:
    """Whether ``prev`` was cut after a clock time's "p.m." that ``span`` carries on ("around 3 p.m. Friday and ...")."""
    return bool(_CLOCK_END.search(block[prev[0]:prev[1]].rstrip()) and _TIME_GOES_ON.match(block, span[0]))


def _inside_nested_quote(block: str, span: tuple[int, int]) -> bool:
    """Whether ``span`` ends a single-quoted question/exclamation while a double quotation of its line is open."""
    s, e = span
    if not _NESTED_QUOTE_END.search(block[s:e].rstrip()):
        return False
    before = block[:e]
    straight_open = before.count('"') % 2 == 1
    curly_open = before.count("“") > before.count("”")
    return straight_open or curly_open


def _tag_after_quote(block: str, prev: tuple[int, int], span: tuple[int, int]) -> bool:
    """Whether ``span`` is only an attribution tag ("Putin said.") after a quoted question or exclamation ``prev``,
    or a tag naming the sayer and the occasion after any quote (GUIDELINES 82, 121: it is the quote's sentence)."""
    before, piece = block[prev[0]:prev[1]].rstrip(), block[span[0]:span[1]].strip()
    return bool((_QUESTION_QUOTE_END.search(before) and _TAG.fullmatch(piece))
                or (_QUOTE_END.search(before) and _TAG_AND_OCCASION.match(piece)))


def _split_at(block: str, s: int, e: int, pattern: re.Pattern) -> list[tuple[int, int]]:
    """``block[s:e]`` cut at every match of ``pattern`` (the match itself, whitespace, falls between units)."""
    out = []
    for m in pattern.finditer(block, s, e):
        out.append((s, m.start()))
        s = m.end()
    out.append((s, e))
    return out


def _glue_cut(unit: str, first: bool) -> int | None:
    """Where a credit, caption or byline glued to the sentence after it ends (``first``: the line's first unit)."""
    m = _BRACKET_GLUE.search(unit)
    if m:
        return m.start()
    if not first:
        return None
    m = _BYLINE_WRITES.match(unit) or _DATE_FIELD.match(unit)
    if m:
        return m.end()
    if unit.startswith("©"):
        m = _CREDIT_WORD_GLUE.search(unit)
        if m:
            return m.start()
    run = _TITLE_RUN.match(unit)
    if run:
        m = _WORD_GLUE.search(unit, 1, run.end())
        if m and len(unit[: m.start()].split()) >= 2:
            return m.start()
    m = _CREDIT_THEN_CAPTION.match(unit)
    return m.end() if m else None


def _cut_glued(block: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut every credit, caption or byline line off the sentence glued to it."""
    out = []
    for i, (s, e) in enumerate(spans):
        cut = _glue_cut(block[s:e], i == 0)
        if cut is None:
            out.append((s, e))
        else:
            out += [(s, s + len(block[s : s + cut].rstrip())), (s + cut, e)]
    return out


def _legacy_spans(block: str, split: Callable[[str], list[str]], cuts: set[int]) -> list[tuple[int, int]]:
    """The spans of a plain segmenter, with its lone closing quotes rejoined to the sentence before them."""
    spans: list[tuple[int, int]] = []
    for s, e in _windowed(split, block, cuts):
        piece = block[s:e]
        if spans and not any(ch.isalnum() for ch in piece):
            spans[-1] = (spans[-1][0], e)
            continue
        if spans and piece[:1] in "\"”" and piece[1:2].isspace():
            # '" Then he left.': the closing quote of the sentence before, glued to this one by the segmenter
            spans[-1] = (spans[-1][0], s + 1)
            s += 1 + len(piece[1:]) - len(piece[1:].lstrip())
        spans.append((s, e))
    return spans


def _cap_length(spans: list[tuple[int, int]], block: str, cuts: set[int], max_chars: int) -> list[tuple[int, int, str]]:
    """Cut any unit over ``max_chars`` at spaces; the pieces of a cut sentence (and of one cut by a window) say so."""
    out = []
    for s, e in spans:
        if e - s <= max_chars:
            out.append((s, e, "cut: a sentence longer than one window" if s in cuts or e in cuts else ""))
            continue
        note = f"cut: a sentence of {e - s} characters, over {max_chars}"
        while e - s > max_chars:
            cut = block.rfind(" ", s + 1, s + max_chars)
            cut = cut if cut > s else s + max_chars
            out.append((s, len(block[:cut].rstrip()), note))
            s = cut
            while s < e and block[s].isspace():
                s += 1
        if s < e:
            out.append((s, e, note))
    return out


def split_sentences(text: str, segmenter: str = DEFAULT_SEGMENTER, max_chars: int = MAX_SENTENCE_CHARS) -> list[Sentence]:
    """Segment cleaned article text; offsets index into ``text`` and texts carry no outer whitespace.

    No unit is longer than ``max_chars``: a longer sentence is cut at spaces into pieces whose ``note`` says so
    (and a warning is logged), so no model is ever sent a whole run-on transcript.
    """
    split = _splitter(segmenter)
    sentences: list[Sentence] = []
    for block_start, block in _blocks(text):
        cuts: set[int] = set()
        spans = _news_spans(block, cuts) if segmenter == "news" else _legacy_spans(block, split, cuts)
        for s, e, note in _cap_length(spans, block, cuts, max_chars):
            start, end = block_start + s, block_start + e
            if note and (not sentences or not sentences[-1].note or sentences[-1].end < block_start):
                log.warning("sentence at offset %d %s", start, note.removeprefix("cut: "))
            sentences.append(Sentence(len(sentences), text[start:end], start, end, note))
    return sentences
