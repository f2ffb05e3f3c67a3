"""Speaker attribution by rule: whom a sentence quotes or reports, and which side that speaker is on.

Patterns find the source of a sentence ("X said", "according to X", "X told reporters", '"…," X said',
"…, officials said.", "expressed by X", "X is concerned that", "X rejected …, saying"); a quote that runs on
into later sentences keeps its speaker, "he"/"the official" refer back to the last fitting speaker, and an
interview's answers go to the interviewee. The side comes from the actors table (``annotations/actors.csv``:
name, aliases, side, role, kind), else from a nationality word in the speaker's phrase ("Russian media").
The rules aim at precision: where they find nothing, the classifier's ``speaker_side`` decides (:func:`combine`)
when it is confident enough.

- :mod:`.actors`: the actors table, :class:`Attribution`
- ``data/vocabulary.toml`` (:mod:`.vocabulary`), ``data/patterns.toml`` (:mod:`.patterns`): word lists, patterns
- :mod:`.phrases`: speaker noun phrases, their canonical speaker and side, references back
- :mod:`.rules`: :func:`attribute`, the walk over an article's sentences
- :mod:`.resolution`: a phrase resolved within its article (titles, possessives, roles and pronouns, news agencies,
  headlines, interview turns, sides of unnamed bodies)
- :mod:`.span_head`: the learned speaker-span head over frozen encoder token states (:mod:`.token_states`)
- :mod:`.span_tagger`: the same two decisions with the encoder fine-tuned, as a model of its own (config
  ``speaker_tagger``: trained with the classifier and kept in its folder)
- :mod:`.tagged`: a fine-tuned tagger's reading of each sentence decoded and combined with the rules — what
  labelling does with the speaker tagger, or with the classifier's own speaker head (config ``speaker_head``)
- :mod:`.signed`: a signed piece's writer (author line, byline, name and role lines) as speaker of its body
- :mod:`.article`: :func:`attribute_article` (what labelling calls): rules, then resolution, then the head where the
  rules find nobody
- :mod:`.combine`: rules + classifier side (scoring against gold is :mod:`pipeline.evaluation.attribution`)
"""

from .actors import ACTORS, SIDES, Actor, ActorTable, Attribution, WriterView, default_actors, load_actors
from .article import attribute_article, combine_learned
from .combine import NAMED_SIDE_MIN_CONFIDENCE, SIDE_MIN_CONFIDENCE, combine, unnamed_source
from .phrases import resolve
from .rules import attribute

__all__ = ["ACTORS", "NAMED_SIDE_MIN_CONFIDENCE", "SIDES", "SIDE_MIN_CONFIDENCE", "Actor", "ActorTable", "Attribution", "attribute",
           "attribute_article", "combine", "combine_learned",
           "default_actors", "load_actors", "resolve", "unnamed_source", "WriterView"]
