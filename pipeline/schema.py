"""The annotation schema (../shared/annotation-schema.md) as code: label sets and the record model.

Every annotation file and every prediction follows :class:`Record`; the label sets here are the single
source the model heads, the validator and the Label Studio config are built from.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SPEAKER_SIDES = ("japanese", "russian", "us", "other", "none")
STANCES = ("japanese", "russian", "us", "neutral")
CLAIMS = ("claim", "fact", "other")
TOPICS = ("missile_defense", "territory", "military", "diplomacy", "economy", "north_korea", "other")

#: The classification fields and their label sets, in a fixed order (the order of the model heads).
LABELS: dict[str, tuple[str, ...]] = {
    "speaker_side": SPEAKER_SIDES,
    "stance": STANCES,
    "claim": CLAIMS,
    "topic": TOPICS,
}
FIELDS = tuple(LABELS)
#: ``seed``: the five seed articles; ``real``: the gathered real articles; ``written``: composed sentences (train only).
SOURCES = ("seed", "real", "written")

ID_PATTERN = re.compile(r"^(?P<doc>[A-Za-z0-9._-]+):(?P<index>\d{4})$")


class Record(BaseModel):
    """One annotated sentence; ``extra='forbid'`` so a typo in a field name is an error, not a silent drop."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    id: str = Field(pattern=ID_PATTERN.pattern)
    doc_id: str = Field(min_length=1)
    text: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    speaker: str = Field(min_length=1)
    speaker_side: Literal[SPEAKER_SIDES]  # type: ignore[valid-type]
    stance: Literal[STANCES]  # type: ignore[valid-type]
    claim: Literal[CLAIMS]  # type: ignore[valid-type]
    topic: Literal[TOPICS]  # type: ignore[valid-type]
    source: Literal[SOURCES] = "seed"  # type: ignore[valid-type]
    note: str | None = None
    annotator: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Record:
        m = ID_PATTERN.match(self.id)
        if m and m.group("doc") != self.doc_id:
            raise ValueError(f"id {self.id!r} does not start with doc_id {self.doc_id!r}")
        if self.end - self.start != len(self.text):
            raise ValueError(f"end - start = {self.end - self.start} but the text has {len(self.text)} characters")
        if (self.speaker == "author") != (self.speaker_side == "none"):
            raise ValueError("speaker 'author' goes with speaker_side 'none', and only with it")
        return self

    @property
    def index(self) -> int:
        return int(self.id.rsplit(":", 1)[1])


def make_id(doc_id: str, index: int) -> str:
    """The schema's sentence id: ``<doc_id>:<4-digit index>``."""
    return f"{doc_id}:{index:04d}"
