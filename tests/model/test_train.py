"""Training end to end on a tiny random encoder: corpus checks, save/load round trip, resume."""

import json

import numpy as np
import pytest

from pipeline.config import ConfigError, TrainConfig
from pipeline.annotation.corpus import load_corpus
from pipeline.model import load_model
from pipeline.model.train import class_weights, train


def small_corpus(tmp_path):
    """Two tiny written mini-articles in the real format (offsets into the joined mini-article)."""
    sents = [
        ("written-t-001", "A Russian spokeswoman said the deployment threatens Russia.", "a Russian spokeswoman", "russian", "russian", "claim", "missile_defense"),
        ("written-t-001", "The ministers met in Moscow on Tuesday.", "author", "none", "neutral", "fact", "diplomacy"),
        ("written-t-002", "Japan's defense minister said the system is purely defensive.", "Japan's defense minister", "japanese", "japanese", "claim", "missile_defense"),
        ("written-t-002", "What comes next?", "author", "none", "neutral", "other", "other"),
    ]
    rows, pos = [], {}
    for doc, text, spk, side, stance, claim, topic in sents:
        start = pos.get(doc, -1) + 1
        idx = sum(r["doc_id"] == doc for r in rows)
        rows.append({"id": f"{doc}:{idx:04d}", "doc_id": doc, "text": text, "start": start, "end": start + len(text),
                     "speaker": spk, "speaker_side": side, "stance": stance, "claim": claim, "topic": topic,
                     "source": "written"})
        pos[doc] = start + len(text)
    path = tmp_path / "written.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_train_writes_a_complete_model_folder_and_round_trips(tmp_path, tiny_encoder):
    data = small_corpus(tmp_path)
    cfg = TrainConfig(name="t", encoder=str(tiny_encoder), epochs=2, batch_size=2, data=[str(data)])
    out = train(cfg, tmp_path / "model", progress=False)
    meta = json.loads((out / "pipeline.json").read_text())
    assert set(meta["label_maps"]) == {"speaker_side", "stance", "claim", "topic"}
    assert len(meta["data"]["sha256"]) == 64 and meta["versions"]["torch"]
    assert (out / "encoder" / "model.safetensors").is_file() and (out / "heads.safetensors").is_file()
    assert (out / "metrics.json").is_file() and "Intended use" in (out / "README.md").read_text()
    # no pickle in what load_model reads (the Trainer's resume checkpoints live apart, under checkpoints/)
    assert not [p for p in out.rglob("*") if p.suffix in (".bin", ".pt", ".pth", ".pkl") and "checkpoints" not in p.parts]

    ds = load_corpus([data])
    first = load_model(out).logits(ds["text"], ds["context"])
    second = load_model(out).logits(ds["text"], ds["context"])
    for f in first:
        assert np.array_equal(first[f], second[f])


def test_trained_model_predicts_every_label_with_probabilities(tiny_model_dir):
    pred = load_model(tiny_model_dir)
    out = pred.predict(["Russia said the plan threatens it.", "The talks ended."], ["", "Russia said the plan threatens it."])
    assert len(out) == 2
    for rec in out:
        for f in pred.fields:
            assert rec[f] in pred.label_maps[f]
            assert abs(sum(rec["probs"][f].values()) - 1) < 1e-4


def test_training_learns_the_tiny_corpus(tmp_path, tiny_encoder):
    """More epochs must fit four sentences better than none: the loss must go down."""
    data = small_corpus(tmp_path)
    losses = []
    for epochs in (1, 30):
        cfg = TrainConfig(name="t", encoder=str(tiny_encoder), epochs=epochs, batch_size=4, data=[str(data)],
                          learning_rate=5e-4, warmup_ratio=0.0)
        out = train(cfg, tmp_path / f"m{epochs}", progress=False)
        losses.append(json.loads((out / "metrics.json").read_text())["train"]["train_loss"])
    assert losses[1] < losses[0]


def test_resume_continues_from_checkpoint(tmp_path, tiny_encoder):
    data = small_corpus(tmp_path)
    cfg = TrainConfig(name="t", encoder=str(tiny_encoder), epochs=2, batch_size=2, data=[str(data)])
    out = train(cfg, tmp_path / "m", progress=False)
    assert list((out / "checkpoints").glob("checkpoint-*"))
    cfg3 = cfg.model_copy(update={"epochs": 3.0})
    train(cfg3, out, resume=True, progress=False)
    steps = json.loads((out / "metrics.json").read_text())["train"]["steps"]
    assert steps == 6  # 2 steps per epoch, 3 epochs, the first 2 restored from the checkpoint


def test_invalid_corpus_stops_training_before_it_starts(tmp_path, tiny_encoder):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x:0000"}\n')
    cfg = TrainConfig(encoder=str(tiny_encoder), data=[str(bad)])
    with pytest.raises(ConfigError, match=r"(?s)fails validation.*bad\.jsonl:1"):
        train(cfg, tmp_path / "m", progress=False)
    assert not (tmp_path / "m").exists()


def test_class_weights():
    y = np.array([0, 0, 0, 1])
    assert class_weights(y, 3, "none") is None
    w = class_weights(y, 3, "balanced")
    assert w[1] > w[0] and w[2] == pytest.approx(1.0 / np.mean([4 / 9, 4 / 3]))  # unseen class: 1 / mean of seen
    assert class_weights(y, 3, "sqrt")[1] < w[1]


def test_written_weight_drops_or_weights_the_written_rows():
    from datasets import Dataset

    from pipeline.config import TrainConfig
    from pipeline.model.features import SAMPLE_WEIGHT
    from pipeline.model.train import weight_written

    ds = Dataset.from_dict({"text": ["a", "b", "c"], "source": ["real", "written", "seed"]})
    assert weight_written(ds, TrainConfig()) is ds
    assert weight_written(ds, TrainConfig(written_weight=0.0))["source"] == ["real", "seed"]
    assert weight_written(ds, TrainConfig(written_weight=0.5))[SAMPLE_WEIGHT] == [1.0, 0.5, 1.0]
