"""Label Studio: the config follows the schema, tasks carry context and predictions, an export comes back exact."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.annotation.corpus import read_records
from pipeline.annotation.labelstudio import export_tasks, import_export, labelling_config
from pipeline.jsonl import CorpusError
from pipeline.schema import FIELDS, LABELS


def annotation(rec: dict, **extra) -> dict:
    """An annotation as Label Studio exports it, carrying ``rec``'s labels."""
    result = [{"id": "s1", "from_name": "speaker", "to_name": "text", "type": "textarea",
               "value": {"text": [rec["speaker"]]}}]
    result += [{"id": f"c{i}", "from_name": f, "to_name": "text", "type": "choices", "value": {"choices": [rec[f]]}}
               for i, f in enumerate(FIELDS)]
    return {"id": extra.pop("id", 1), "result": result, "was_cancelled": False, "completed_by": 1, **extra}


def test_config_offers_exactly_the_schema_labels():
    root = ET.fromstring(labelling_config())
    choices = {c.get("name"): [x.get("value") for x in c.findall("Choice")] for c in root.iter("Choices")}
    assert choices == {f: list(LABELS[f]) for f in FIELDS}
    assert all(c.get("toName") == "text" and c.get("choice") == "single" for c in root.iter("Choices"))
    texts = {t.get("name"): t.get("value") for t in root.iter("Text")}
    assert texts == {"text": "$text", "context": "$context"}
    (area,) = root.iter("TextArea")
    assert area.get("name") == "speaker" and area.get("toName") == "text"


def test_tasks_carry_context_offsets_and_predictions(corpus, tmp_path):
    recs = corpus.seed_records[:3]
    preds = {recs[1]["id"]: {"speaker": "Sergey Lavrov", "speaker_side": "russian", "stance": "russian",
                             "claim": "claim", "topic": "territory", "score": 0.8}}
    assert export_tasks(recs, tmp_path / "tasks.json", predictions=preds, model_version="m1") == 3
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    assert [t["data"]["id"] for t in tasks] == [r["id"] for r in recs]
    assert tasks[1]["data"] == {"id": recs[1]["id"], "doc_id": "paper-2018-01", "text": recs[1]["text"],
                                "context": recs[0]["text"], "start": recs[1]["start"], "end": recs[1]["end"],
                                "source": "seed"}
    assert tasks[0]["data"]["context"] == ""
    assert "predictions" not in tasks[0]
    (pred,) = tasks[1]["predictions"]
    assert pred["model_version"] == "m1" and pred["score"] == 0.8
    got = {r["from_name"]: r["value"] for r in pred["result"]}
    assert got["speaker"] == {"text": ["Sergey Lavrov"]} and got["stance"] == {"choices": ["russian"]}
    assert len(pred["result"]) == 5


def test_predictions_as_a_list_and_bad_labels(corpus, tmp_path):
    recs = corpus.seed_records[:2]
    export_tasks(recs, tmp_path / "t.json", predictions=[{"stance": "us"}, {"stance": "neutral"}])
    tasks = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert [t["predictions"][0]["result"][0]["value"]["choices"] for t in tasks] == [["us"], ["neutral"]]
    with pytest.raises(ValueError, match="pro-russian"):
        export_tasks(recs, tmp_path / "t.json", predictions=[{"stance": "pro-russian"}, {}])
    with pytest.raises(ValueError, match="1 predictions for 2 records"):
        export_tasks(recs, tmp_path / "t.json", predictions=[{}])


def test_round_trip(corpus, tmp_path):
    recs = corpus.seed_records + corpus.written_records
    export_tasks(recs, tmp_path / "tasks.json")
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    by_id = {r["id"]: r for r in recs}
    wrong = {**recs[0], "speaker": "nobody", "speaker_side": "other", "stance": "us", "claim": "other", "topic": "economy"}
    for n, task in enumerate(tasks):
        task["id"] = 100 + n
        rec = by_id[task["data"]["id"]]
        task["annotations"] = [
            annotation(wrong, id=1, created_at="2024-05-01T10:00:00Z"),  # older: loses
            annotation(rec, id=2, created_at="2024-05-02T10:00:00Z"),  # latest kept
            annotation(wrong, id=3, created_at="2024-05-03T10:00:00Z", was_cancelled=True),  # cancelled: ignored
        ]
    tasks[4]["annotations"] = []
    tasks[5]["annotations"] = [annotation(wrong, was_cancelled=True)]
    (tmp_path / "export.json").write_text(json.dumps(tasks), encoding="utf-8")

    got = import_export(tmp_path / "export.json")
    skipped = {tasks[4]["data"]["id"], tasks[5]["data"]["id"]}
    assert sorted(got.skipped) == sorted(skipped)
    expected = [by_id[t["data"]["id"]] for t in tasks if t["data"]["id"] not in skipped]
    assert got == expected


def test_import_sets_annotator_and_rejects_incomplete_annotations(corpus, tmp_path):
    rec = corpus.seed_records[0]
    export_tasks([rec], tmp_path / "tasks.json")
    tasks = json.loads((tmp_path / "tasks.json").read_text(encoding="utf-8"))
    tasks[0]["annotations"] = [annotation(rec)]
    (tmp_path / "export.json").write_text(json.dumps(tasks), encoding="utf-8")
    assert import_export(tmp_path / "export.json", annotator="B") == [{**rec, "annotator": "B"}]

    tasks[0]["annotations"][0]["result"] = [r for r in tasks[0]["annotations"][0]["result"] if r["from_name"] != "stance"]
    (tmp_path / "export.json").write_text(json.dumps(tasks), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"paper-2018-01:0000.*stance"):
        import_export(tmp_path / "export.json")


def test_import_of_a_file_that_is_not_an_export(tmp_path):
    (tmp_path / "x.json").write_text('{"data": {}}', encoding="utf-8")
    with pytest.raises(CorpusError, match="list of tasks"):
        import_export(tmp_path / "x.json")
    (tmp_path / "y.json").write_text("[{", encoding="utf-8")
    with pytest.raises(CorpusError):
        import_export(tmp_path / "y.json")


def test_cli_round_trip(corpus, tmp_path):
    runner = CliRunner()
    out, config = tmp_path / "tasks.json", tmp_path / "config.xml"
    result = runner.invoke(app, ["labelstudio-export", str(corpus.seed), "--out", str(out), "--config-out", str(config)])
    assert result.exit_code == 0, result.output
    ET.fromstring(config.read_text(encoding="utf-8"))
    tasks = json.loads(out.read_text(encoding="utf-8"))
    by_id = {r["id"]: r for r in corpus.seed_records}
    for task in tasks[1:]:
        task["annotations"] = [annotation(by_id[task["data"]["id"]])]
    (tmp_path / "export.json").write_text(json.dumps(tasks), encoding="utf-8")
    result = runner.invoke(app, ["labelstudio-import", str(tmp_path / "export.json"), "--out", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 0, result.output
    assert "1 tasks without an annotation skipped" in result.output
    assert [r.model_dump(exclude_none=True) for r in read_records(tmp_path / "r.jsonl")] == \
        [by_id[t["data"]["id"]] for t in tasks[1:]]
    for cmd in ("labelstudio-export", "labelstudio-import", "agreement"):
        assert runner.invoke(app, [cmd, "--help"]).exit_code == 0
