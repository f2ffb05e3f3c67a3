"""Speaker, stance, claim and topic classification for news on Japan-Russia-US security relations.

Data flows one way: articles -> sentences -> features -> model -> labelled records.
"""

__version__ = "0.1.0"
