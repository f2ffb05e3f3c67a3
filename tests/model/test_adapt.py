"""Domain adaptation on the tiny encoder: the checkpoint loads as an encoder, moved, deterministic, test-safe."""

import json

import numpy as np

from pipeline.config import TrainConfig, resolve_encoder
from pipeline.model.adapt import adapt_encoder, adapt_on_corpus, chunk_text, hold_out, mask_tokens

DOCS = [
    "Russia deployed Bastion missiles on Iturup. Japan protested the deployment. The ministry called it regrettable.",
    "Abe and Putin met in Singapore. They agreed to speed up talks on the basis of the 1956 declaration.",
    "Japan scrapped Aegis Ashore in 2020. Moscow had called the system a threat. Washington said little.",
    "Tokyo joined the sanctions in 2022. Russia suspended the peace treaty talks in response.",
] * 3


def _weights(path):
    from transformers import AutoModel

    return {k: v.detach().numpy().copy() for k, v in AutoModel.from_pretrained(resolve_encoder(str(path))).state_dict().items()}


def test_adapted_checkpoint_loads_as_an_encoder_and_differs_from_the_input(tmp_path, tiny_encoder):
    out = tmp_path / "adapted"
    r = adapt_encoder(str(tiny_encoder), DOCS, out, max_steps=4, head_steps=2, batch_size=4, max_seq_length=32,
                      progress=False)
    assert (out / "model.safetensors").is_file() and (out / "config.json").is_file()
    assert not list(out.glob("*.bin"))
    before, after = _weights(tiny_encoder), _weights(out)
    assert before.keys() == after.keys()  # the pooler is kept although the MLM model has none
    assert np.array_equal(before["pooler.dense.weight"], after["pooler.dense.weight"])
    assert np.array_equal(before["embeddings.word_embeddings.weight"], after["embeddings.word_embeddings.weight"])
    assert not np.allclose(before["encoder.layer.0.attention.self.query.weight"],
                           after["encoder.layer.0.attention.self.query.weight"])
    assert r.steps == 4 and r.train_chunks > 0 and r.eval_chunks > 0
    assert r.loss_random_head is not None and r.loss_before is not None and r.loss_after is not None
    meta = json.loads((out / "adapt.json").read_text())
    assert meta["steps"] == 4 and meta["settings"]["seed"] == 13
    cfg = TrainConfig(encoder=str(out))  # usable as encoder = "<dir>"
    assert resolve_encoder(cfg.encoder) == str(out.resolve())


def test_same_seed_same_weights(tmp_path, tiny_encoder):
    kw = dict(max_steps=2, head_steps=1, batch_size=4, max_seq_length=32, progress=False)
    adapt_encoder(str(tiny_encoder), DOCS, tmp_path / "a", **kw)
    adapt_encoder(str(tiny_encoder), DOCS, tmp_path / "b", **kw)
    a, b = _weights(tmp_path / "a"), _weights(tmp_path / "b")
    assert all(np.array_equal(a[k], b[k]) for k in a)


def test_epochs_cap_the_steps(tmp_path, tiny_encoder):
    r = adapt_encoder(str(tiny_encoder), DOCS, tmp_path / "e", max_steps=100, epochs=1, head_steps=0, batch_size=4,
                      max_seq_length=32, progress=False)
    assert r.steps == -(-r.train_chunks // 4)


def test_chunks_pack_whole_sentences_under_the_cap(tiny_encoder):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_encoder)
    chunks = chunk_text(" ".join(DOCS[:4]), tok, 20)
    assert len(chunks) > 1 and all(c.endswith(".") for c in chunks)
    assert " ".join(chunks).split() == " ".join(DOCS[:4]).split()
    assert all(len(tok.tokenize(c)) <= 20 for c in chunks)


def test_hold_out_keeps_documents_whole_and_is_seeded():
    docs = [f"doc {i} " * (i + 1) for i in range(40)]
    train, held = hold_out(docs, 0.1, seed=1)
    assert sorted(train + held) == sorted(docs) and held and not set(train) & set(held)
    assert hold_out(docs, 0.1, seed=1) == (train, held)


def test_masking_spares_special_tokens(tiny_encoder):
    import torch
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_encoder)
    enc = tok(DOCS[:4], padding=True, return_tensors="pt", return_special_tokens_mask=True)
    special = enc["special_tokens_mask"].bool() | (enc["attention_mask"] == 0)
    ids, labels = mask_tokens(enc["input_ids"], special, torch.Generator().manual_seed(0), tok, probability=0.5)
    assert (labels[special] == -100).all() and (labels != -100).any()
    assert (ids[special] == enc["input_ids"][special]).all()
    assert (ids == tok.mask_token_id).any()


def test_corpus_reads_pages_and_training_articles_never_test_articles(tmp_path, monkeypatch):
    import pipeline.model.adapt as adapt

    arts = tmp_path / "articles"
    arts.mkdir()
    rows = [{"doc_id": "train-a", "url": "https://example.org/a"}, {"doc_id": "test-b", "url": "https://example.org/b"}]
    (arts / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (arts / "train-a.txt").write_text("ARTICLE text of a training article.\n")
    (arts / "test-b.txt").write_text("SECRET test sentence that must never be read by the adaptation run, not even once.\n")
    split = tmp_path / "test.txt"
    split.write_text("# header\ntest-b\n")
    pages = tmp_path / "pages.jsonl"
    page_rows = [{"doc_id": f"p{i}", "url": f"https://news.example/{i}", "text": d} for i, d in enumerate(DOCS)]
    page_rows.append({"doc_id": "dup", "url": "http://www.example.org/b/", "text": "SECRET copy of the test page."})
    page_rows.append({"doc_id": "copy", "url": "https://mirror.example/b",  # the test article syndicated elsewhere
                      "text": "Intro. SECRET test sentence that must never be read by the adaptation run, not even once. More."})
    pages.write_text("".join(json.dumps(r) + "\n" for r in page_rows))
    seen = {}
    monkeypatch.setattr(adapt, "adapt_encoder", lambda encoder, texts, out, eval_texts, **kw: seen.update(
        texts=list(texts), eval=list(eval_texts)))
    adapt_on_corpus("enc", tmp_path / "out", pages=pages, articles_dir=arts, test_split=split, eval_fraction=0.2)
    everything = seen["texts"] + seen["eval"]
    assert not any("SECRET" in t for t in everything)
    assert "ARTICLE text of a training article.\n" in seen["texts"]  # training articles train, never score
    assert "ARTICLE text of a training article.\n" not in seen["eval"]
    assert seen["eval"] and len(everything) == len(DOCS) + 1


def test_cli_adapt_passes_the_config_encoder_seed_and_split(tmp_path, monkeypatch, tiny_encoder):
    import pipeline.model.adapt as adapt
    from typer.testing import CliRunner

    from pipeline.cli import app

    cfg = tmp_path / "m.toml"
    cfg.write_text(f'name = "m"\nencoder = "{tiny_encoder}"\nseed = 7\n')
    seen = {}

    def fake(encoder, out, **kw):
        seen.update(encoder=encoder, out=out, **kw)
        return adapt.AdaptResult(str(out), encoder, kw["max_steps"], kw["head_steps"], 3, 1, 5, 9.0, 6.0, 5.5, 1.0)

    monkeypatch.setattr(adapt, "adapt_on_corpus", fake)
    r = CliRunner().invoke(app, ["adapt", "--config", str(cfg), "--out", str(tmp_path / "enc"), "--steps", "5"])
    assert r.exit_code == 0, r.output
    assert seen["encoder"] == str(tiny_encoder) and seen["seed"] == 7 and seen["max_steps"] == 5
    assert str(seen["test_split"]).endswith("annotations/splits/test.txt")
    assert "6.000 -> 5.500" in r.output
