"""Strip page furniture (menus, print buttons, photo credits, comment boxes) from a scraped article.

The same cleaning runs on the seed corpus and on incoming news, so the model never sees text at label
time that it was not trained on. Cleaning works line by line: a line is kept whole or dropped whole,
which keeps every sentence of the article body intact.
"""

from __future__ import annotations

import re
import unicodedata

#: Whole lines that are page furniture, not article text (matched after stripping, case-insensitive).
FURNITURE_PATTERNS: tuple[str, ...] = (
    r"print\s+print",                                  # print button
    r"please view the main text area.*",               # skip-navigation link
    r"post a comment.*",                               # blog comment box
    r"no comments:?",
    r"pages",
    r"source link",
    r"share( this)?( article)?",
    r"(also in|more from) the \w+.*",                  # "Also in The Mainichi"
    r"the \w+ on social media",
    r"photo/ill?u\w*.*",                              # Asahi photo slot ("Photo/IllutrationThe Asahi Shimbun")
    r"©.*",                                            # photo credits
    r"\(?(ap|afp|reuters|kyodo) photo[/:].*\)?",
    r"[A-Z &]+ > .*",                                  # breadcrumb ("INTERNATIONAL > Europe & Eurasia")
    r"[•·▪*-]\s*\S.{0,40}",                            # short bulleted menu entries
    r"advertisement",
    r"related (articles|stories)",
    r"(sign up|subscribe).{0,60}",
)
#: Credits inside a caption line ("... on July 31, 2018. (AP Photo/Pavel Golovkin)"), removed in place.
_INLINE_CREDIT = re.compile(r"\s*\((?:AP|AFP|Reuters|Kyodo|Getty Images|EPA)(?: Photo)?/[^)]*\)", re.IGNORECASE)
_FURNITURE = re.compile(r"^(?:" + "|".join(FURNITURE_PATTERNS) + r")$", re.IGNORECASE)


def is_furniture(line: str) -> bool:
    """True when a stripped line is page furniture rather than article text."""
    stripped = line.strip()
    return bool(_FURNITURE.match(stripped))


def clean_text(raw: str) -> str:
    """Return the article body: furniture lines dropped, whitespace normalised, one blank line between blocks.

    Unicode is NFC-normalised; characters inside a line are otherwise untouched (quotes, dashes), so a
    sentence's text is exactly what the source printed.
    """
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    blocks = []
    for line in text.split("\n"):
        line = _INLINE_CREDIT.sub("", re.sub(r"[ \t\u00a0]+", " ", line)).strip()
        if line and not is_furniture(line):
            blocks.append(line)
    return "\n\n".join(blocks) + ("\n" if blocks else "")
