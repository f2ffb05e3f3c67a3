"""The fine-tuned speaker tagger on the tiny encoder: silver examples, training, decoding and a safetensors round trip."""

from __future__ import annotations

import numpy as np

from pipeline.attribution import Actor, ActorTable
from pipeline.attribution.span_head import DECISIONS, silver_examples
from pipeline.attribution.span_tagger import SpeakerTagger

ACTORS = ActorTable([Actor("Sergey Lavrov", ("Lavrov",), "russian", "foreign minister", "person")])

RECORDS = [
    {"id": "a:0000", "doc_id": "a", "text": "Russian Foreign Minister Sergey Lavrov spoke on Monday.", "speaker": "author"},
    {"id": "a:0001", "doc_id": "a", "text": "The islands are Russian, Lavrov said.", "speaker": "Sergey Lavrov"},
    {"id": "a:0002", "doc_id": "a", "text": "\u201cThere is nothing to discuss.\u201d", "speaker": "Sergey Lavrov"},
] * 4


def test_silver_examples_mark_the_mention_and_the_decision():
    ex = silver_examples(RECORDS[:3], ACTORS)
    assert [e[2] for e in ex] == [DECISIONS.index("author"), DECISIONS.index("here"), DECISIONS.index("back")]
    text, prev, _, span = ex[1]
    assert text[span[0]:span[1]] == "Lavrov" and prev == RECORDS[0]["text"]
    assert ex[0][3] is None and ex[2][3] is None


def test_fit_decode_and_reload_give_the_same_reading(tiny_encoder, tmp_path):
    tagger = SpeakerTagger(str(tiny_encoder))
    before = tagger.encode([r["text"] for r in RECORDS[:3]], ["", RECORDS[0]["text"], RECORDS[1]["text"]])
    tagger.fit(RECORDS, ACTORS, epochs=2, batch_size=4)
    after = tagger.encode([r["text"] for r in RECORDS[:3]], ["", RECORDS[0]["text"], RECORDS[1]["text"]])
    assert not np.allclose(before[1].decision, after[1].decision)  # training moved the weights
    out = tagger.decode([r["text"] for r in RECORDS[:3]], ACTORS, article="\n".join(r["text"] for r in RECORDS[:3]))
    assert len(out) == 3 and all(x.decision in DECISIONS and 0 <= x.confidence <= 1 for x in out)
    tagger.save(tmp_path / "tagger")
    again = SpeakerTagger.load(tmp_path / "tagger", encoder=str(tiny_encoder))
    reread = again.encode([r["text"] for r in RECORDS[:3]], ["", RECORDS[0]["text"], RECORDS[1]["text"]])
    for a, b in zip(after, reread):
        np.testing.assert_allclose(a.decision, b.decision, atol=1e-6)
        np.testing.assert_allclose(a.tags, b.tags, atol=1e-6)
    assert again.meta["sentences"] == len(RECORDS) and again.meta["epochs"] == 2


def test_frozen_embeddings_and_layers_stay_as_loaded(tiny_encoder):
    tagger = SpeakerTagger(str(tiny_encoder))
    before = {n: p.detach().clone() for n, p in tagger.net.encoder.named_parameters()}
    tagger.fit(RECORDS, ACTORS, epochs=1, batch_size=4, freeze_embeddings=True, freeze_layers=1)
    moved = {n for n, p in tagger.net.encoder.named_parameters() if not np.allclose(before[n].numpy(), p.detach().numpy())}
    assert moved and all(".layer.1." in n or n.startswith("pooler.") for n in moved)  # layer 0 and embeddings fixed
    assert tagger.meta["freeze_embeddings"] is True and tagger.meta["freeze_layers"] == 1
