"""Speaker attribution by rule: whom a sentence quotes or reports, and which side that speaker is on."""

from .rules import (
    SIDE_MIN_CONFIDENCE,
    Actor,
    ActorTable,
    Attribution,
    attribute,
    combine,
    default_actors,
    load_actors,
    resolve,
)

__all__ = ["SIDE_MIN_CONFIDENCE", "Actor", "ActorTable", "Attribution", "attribute", "combine", "default_actors",
           "load_actors", "resolve"]
