"""The speaker head on the classifier's encoder: its targets, training, the same-pass reading on both backends, and the
labeller and evaluation using it."""

import json

import numpy as np
import pytest
import torch

from pipeline.attribution.tagged import TaggerStates, read_states
from pipeline.config import TrainConfig
from pipeline.model import load_model
from pipeline.model.classifier import MultiTaskClassifier
from pipeline.model.features import PadCollator, encode, speaker_targets
from pipeline.model.train import train

SENTENCES = [
    ("written-h-001", "Lavrov said the deployment threatens Russia.", "Sergey Lavrov", "russian"),
    ("written-h-001", "The ministers met in Moscow on Tuesday.", "author", "none"),
    ("written-h-002", "Onodera said the system is purely defensive.", "Itsunori Onodera", "japanese"),
    ("written-h-002", "Talks would go on, he added.", "Itsunori Onodera", "japanese"),
]


def _corpus(tmp_path):
    rows, pos = [], {}
    for doc, text, speaker, side in SENTENCES:
        start = pos.get(doc, -1) + 1
        idx = sum(r["doc_id"] == doc for r in rows)
        rows.append({"id": f"{doc}:{idx:04d}", "doc_id": doc, "text": text, "start": start, "end": start + len(text),
                     "speaker": speaker, "speaker_side": side, "stance": "neutral", "claim": "fact", "topic": "other",
                     "source": "written"})
        pos[doc] = start + len(text)
    path = tmp_path / "written.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def label_recording_calls(model_dir, monkeypatch):
    """A two-sentence article labelled with ``model_dir``: (its records, the keyword arguments of every call of
    ``attribute_tagged`` the labeller made)."""
    from pipeline.labelling import labeller as labeller_module
    from pipeline.labelling.labeller import Labeller, prepare
    from pipeline.text.readers import Article

    calls = []
    real = labeller_module.attribute_tagged
    monkeypatch.setattr(labeller_module, "attribute_tagged", lambda *a, **k: calls.append(k) or real(*a, **k))
    article = prepare(Article("x", "Lavrov said the plan threatens Russia. The talks ended on Monday.", {}))
    return Labeller.load(model_dir, backend="torch").label([article])[0], calls


def test_targets_mark_the_gold_speakers_mention_and_only_the_sentences_tokens(tiny_encoder):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_encoder)
    texts = [s[1] for s in SENTENCES]
    enc = encode(tok, texts, ["speaker: none found"] * 4, 64, offsets=True)
    decisions, tags = speaker_targets(texts, [s[2] for s in SENTENCES], enc["offset_mapping"])
    assert decisions == [1, 0, 1, 2]  # here (surname of the gold name), author, here, back (only "he")
    for _text, row, offs, mask in zip(texts, tags, enc["offset_mapping"], enc["sentence_mask"]):
        assert len(row) == len(offs)
        assert all(t == -100 for t, m in zip(row, mask) if not m)  # context and special tokens: ignored
    b = [i for i, t in enumerate(tags[0]) if t == 1]
    inside = [enc["offset_mapping"][0][i] for i, t in enumerate(tags[0]) if t in (1, 2)]
    assert len(b) == 1 and enc["offset_mapping"][0][b[0]][0] == 0  # B on the first piece of "Lavrov", I on the rest
    assert texts[0][inside[0][0]:inside[-1][1]] == "Lavrov"
    assert set(tags[1]) <= {0, -100}


def test_the_head_adds_its_loss_and_its_outputs_only_when_asked(tiny_encoder):
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_encoder)
    maps = {"stance": ["japanese", "russian", "us", "neutral"]}
    plain = MultiTaskClassifier(AutoModel.from_pretrained(tiny_encoder), maps)
    torch.manual_seed(0)
    model = MultiTaskClassifier(AutoModel.from_pretrained(tiny_encoder), maps, speaker_head=True)
    texts = [s[1] for s in SENTENCES]
    enc = encode(tok, texts, None, 64, offsets=True)
    decisions, tags = speaker_targets(texts, [s[2] for s in SENTENCES], enc.pop("offset_mapping"))
    rows = [{**{k: enc[k][i] for k in enc}, "stance": 3, "speaker_decision": decisions[i], "speaker_tags": tags[i]}
            for i in range(4)]
    batch = PadCollator(tok, ["stance"])(rows)
    assert batch["speaker_tags"].shape == batch["input_ids"].shape
    out = model(**batch)
    assert out["speaker"][0].shape == (4, 3) and out["speaker"][1].shape == (*batch["input_ids"].shape, 3)
    without_targets = model(**{k: v for k, v in batch.items() if not k.startswith("speaker_")})
    assert out["loss"] > without_targets["loss"]  # the head's cross-entropy is added
    assert "speaker" not in plain(**batch) and "speaker_decision" in dict(model.heads.named_children())


def test_a_model_trained_with_the_head_reads_speakers_in_the_same_pass_on_both_backends(tmp_path, tiny_encoder):
    data = _corpus(tmp_path)
    cfg = TrainConfig(name="h", encoder=str(tiny_encoder), epochs=40, batch_size=4, data=[str(data)],
                      speaker_head=True, speaker_input=True, learning_rate=1e-3, head_learning_rate=1e-2)
    out = train(cfg, tmp_path / "model", progress=False)
    texts = [s[1] for s in SENTENCES]
    readings = {}
    for backend in ("torch", "onnx"):
        pytest.importorskip("onnxruntime") if backend == "onnx" else None
        states: list = []
        predictor = load_model(out, backend=backend)
        predictor.logits(texts, predictor.corpus_contexts([s[0] for s in SENTENCES], texts), states=states)
        assert len(states) == 4 and all(isinstance(s, TaggerStates) for s in states)
        readings[backend] = [read_states(s, t) for s, t in zip(states, texts)]
        assert np.allclose(states[0].decision.sum(), 1.0) and states[0].tags.shape[1] == 3
        # offsets are the sentence's own characters
        assert all(0 <= a < b <= len(t) for s, t in zip(states, texts) for a, b in s.offsets)
    # trained on four sentences for 40 epochs: it has learnt where the mentions are
    decision, _, span = readings["torch"][0]
    assert decision == "here" and texts[0][slice(*span)] == "Lavrov"
    assert readings["torch"][1][0] == "author"
    if "onnx" in readings:
        assert [r[0] for r in readings["onnx"]] == [r[0] for r in readings["torch"]]
        assert [r[2] for r in readings["onnx"]] == [r[2] for r in readings["torch"]]
    # a stand-in runner without the head's outputs (a graph exported without them) leaves the list empty
    predictor = load_model(out, backend="torch")
    model = predictor.runner
    predictor.runner = lambda **batch: {"logits": model(**batch)["logits"]}
    predictor.runner.fields = model.fields
    states = []
    predictor.logits(texts, [""] * 4, states=states)
    assert states == []
    # a model without the head leaves the list empty
    plain = train(cfg.model_copy(update={"speaker_head": False, "epochs": 1.0}), tmp_path / "plain", progress=False)
    states = []
    load_model(plain).logits(texts, [""] * 4, states=states)
    assert states == []


def test_the_labeller_writes_the_heads_speakers_and_evaluate_scores_them(tmp_path, tiny_encoder, monkeypatch):
    from pipeline.evaluation.crossval import evaluate
    from pipeline.labelling.labeller import Labeller, prepare
    from pipeline.text.readers import Article
    from tests.evaluation.test_evaluate import _split_corpus

    _, data, split = _split_corpus(tmp_path, monkeypatch)
    cfg = TrainConfig(name="h", encoder=str(tiny_encoder), epochs=1, batch_size=4, data=[str(data)], eval_folds=2,
                      test_split=str(split), speaker_head=True, speaker_input=True)
    res = evaluate(cfg, tmp_path / "eval.json", baselines=(), progress=False, learning_curve=(), record=False)
    cv = res["attribution"]["cross_validation"]
    assert set(cv) == {"rules", "with_speaker_head"} and cv["rules"]["n"] == cv["with_speaker_head"]["n"] > 0
    assert "1.01/1.01" in res["speaker_head_thresholds"]  # never consulted: the rules' own figure
    assert res["speaker_head_thresholds"]["1.01/1.01"]["name_accuracy"] == pytest.approx(cv["rules"]["name_accuracy"])
    assert set(res["test"]["attribution"]) == {"rules", "with_speaker_head"}

    model_dir = train(cfg, tmp_path / "model", progress=False)
    records, calls = label_recording_calls(model_dir, monkeypatch)
    assert len(records) == 2 and calls and calls[0]["min_confidence"] == cfg.speaker_head_min_confidence
    plain = train(cfg.model_copy(update={"speaker_head": False}), tmp_path / "plain", progress=False)
    calls.clear()
    Labeller.load(plain, backend="torch").label([prepare(Article("y", "The talks ended on Monday.", {}))])
    assert calls == []
