"""The speaker tagger trained with the model (config ``speaker_tagger``): kept in the model folder, loaded with it,
read by the labeller and scored by evaluate, with its own thresholds."""

import json

import pytest

from pipeline.config import TrainConfig, speaker_thresholds
from pipeline.model import load_model
from pipeline.model.folder import TAGGER_DIR
from pipeline.model.train import train
from tests.model.test_speaker_head import SENTENCES, _corpus, label_recording_calls


def test_thresholds_are_the_taggers_where_the_config_trains_one():
    both = TrainConfig(speaker_head=True, speaker_tagger=True, speaker_tagger_min_confidence=0.7,
                       speaker_tagger_author_confidence=0.6, speaker_head_min_confidence=0.95).model_dump()
    assert speaker_thresholds(both) == {"min_confidence": 0.7, "author_confidence": 0.6}
    head = {**both, "speaker_tagger": False}
    assert speaker_thresholds(head) == {"min_confidence": 0.95, "author_confidence": 0.8}
    assert speaker_thresholds({}) == {"min_confidence": 0.9, "author_confidence": 0.8}  # an old folder's config


def test_the_tagger_is_trained_on_articles_saved_in_the_folder_and_read_on_load(tmp_path, tiny_encoder, monkeypatch):
    import pipeline.annotation.validate as v

    monkeypatch.setattr(v, "validate_files", lambda files, *a, **k: [])  # "real" rows without article files
    data = _corpus(tmp_path)
    rows = [json.loads(x) for x in data.read_text().splitlines()]
    for r in rows[:2]:
        r["source"] = "real"  # the written rows of _corpus stay out of the tagger's training
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    cfg = TrainConfig(name="t", encoder=str(tiny_encoder), epochs=1, batch_size=4, data=[str(data)],
                      speaker_tagger=True, speaker_tagger_epochs=1, speaker_tagger_freeze_layers=1)
    out = train(cfg, tmp_path / "model", progress=False)
    assert (out / TAGGER_DIR / "tagger.safetensors").is_file()
    predictor = load_model(out, backend="torch")
    assert predictor.tagger is not None and predictor.reads_speakers and not predictor.has_speaker_head
    assert predictor.meta["speaker_tagger"]["sentences"] == 2  # the two real rows only
    assert predictor.meta["speaker_tagger"]["freeze_layers"] == 1  # the config's freezing reached the tagger
    texts = [s[1] for s in SENTENCES]
    states = predictor.tagger_states(texts, ["", *texts[:-1]])
    assert len(states) == 4 and states[0].tags.shape[1] == 3
    assert all(0 <= a < b <= len(t) for s, t in zip(states, texts) for a, b in s.offsets)
    # the same weights after a reload: the same reading
    again = load_model(out, backend="torch").tagger_states(texts, ["", *texts[:-1]])
    assert all((a.decision == b.decision).all() for a, b in zip(states, again))
    # scored against a gold file, the job's side is the one the tagger's speakers give, as `label` writes it
    from pipeline.evaluation.gold import score_model

    scored = score_model(out, [data], tmp_path / "gold.json")["test"]
    assert set(scored["attribution"]) == {"rules", "with_speaker_tagger"}
    assert scored["attribution"]["with_speaker_tagger"]["job_side_macro_f1"] == pytest.approx(
        scored["systems"]["labelling_job"]["speaker_side"]["macro_f1_mean"])
    # a plain model has none
    plain = train(cfg.model_copy(update={"speaker_tagger": False}), tmp_path / "plain", progress=False)
    assert load_model(plain).tagger_states(texts, [""] * 4) == [] and not (plain / TAGGER_DIR).exists()
    # a folder whose tagger went missing says so, naming the file
    (out / TAGGER_DIR / "tagger.safetensors").unlink()
    with pytest.raises(FileNotFoundError, match="tagger.safetensors"):
        load_model(out)


def test_the_labeller_writes_the_taggers_speakers_and_evaluate_scores_them(tmp_path, tiny_encoder, monkeypatch):
    from pipeline.evaluation.crossval import evaluate
    from tests.evaluation.test_evaluate import _split_corpus

    _, data, split = _split_corpus(tmp_path, monkeypatch)
    cfg = TrainConfig(name="t", encoder=str(tiny_encoder), epochs=1, batch_size=4, data=[str(data)], eval_folds=2,
                      test_split=str(split), speaker_tagger=True, speaker_tagger_epochs=1, speaker_input=True,
                      speaker_tagger_min_confidence=0.7, speaker_tagger_author_confidence=0.6)
    res = evaluate(cfg, tmp_path / "eval.json", baselines=(), progress=False, learning_curve=(), record=False)
    cv = res["attribution"]["cross_validation"]
    assert set(cv) == {"rules", "with_speaker_tagger"} and cv["rules"]["n"] == cv["with_speaker_tagger"]["n"] > 0
    assert res["speaker_tagger_thresholds"]["1.01/1.01"]["name_accuracy"] == pytest.approx(cv["rules"]["name_accuracy"])
    assert set(res["test"]["attribution"]) == {"rules", "with_speaker_tagger"}
    # the job's side from the tagger's attribution is the labelling_job system's own figure, in both sections
    for section, scores in (("cv", cv), ("test", res["test"]["attribution"])):
        systems = res["systems"] if section == "cv" else res["test"]["systems"]
        assert scores["with_speaker_tagger"]["job_side_macro_f1"] == pytest.approx(
            systems["labelling_job"]["speaker_side"]["macro_f1_mean"])
        assert 0 <= scores["rules"]["job_side_macro_f1"] <= 1

    model_dir = train(cfg, tmp_path / "model", progress=False)
    records, calls = label_recording_calls(model_dir, monkeypatch)
    assert len(records) == 2 and calls == [{"rules": calls[0]["rules"], "min_confidence": 0.7,
                                            "author_confidence": 0.6}]
    # the rules alone on request: no tagger pass, and the records say so
    from pipeline.labelling.labeller import Labeller, prepare
    from pipeline.text.readers import Article

    calls.clear()
    fast = Labeller.load(model_dir, backend="torch", speakers="rules")
    fast_records = fast.label([prepare(Article("x", "Lavrov said the plan threatens Russia. The talks ended.", {}))])[0]
    assert calls == [] and fast_records[0]["model_id"].endswith("+rules-speakers")
    with pytest.raises(ValueError, match="unknown speakers"):
        Labeller(fast.predictor, speakers="tagger")
