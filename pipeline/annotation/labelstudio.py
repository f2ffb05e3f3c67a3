"""Label Studio bridge: the labelling interface, tasks out (optionally pre-annotated) and annotations back in.

The interface and the task format are built from :mod:`pipeline.schema`, so Label Studio always offers
exactly the schema's labels; what comes back is checked with :class:`~pipeline.schema.Record`.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from collections.abc import Iterable, Mapping, Sequence

from pydantic import ValidationError

from ..jsonl import CorpusError
from .corpus import with_context
from ..schema import FIELDS, LABELS, Record

#: The task data keys (``data`` of a Label Studio task); everything but ``context`` goes back into the record.
DATA_KEYS = ("id", "doc_id", "text", "context", "start", "end", "source")
#: The Text object the controls label.
TO_NAME = "text"


def labelling_config() -> str:
    """Label Studio XML: the previous sentence as context, the sentence, a speaker box and one Choices per field."""
    view = ET.Element("View")
    ET.SubElement(view, "Header", value="Previous sentence (context)", size="6")
    ET.SubElement(view, "Text", name="context", value="$context")
    ET.SubElement(view, "Header", value="Sentence", size="5")
    ET.SubElement(view, "Text", name=TO_NAME, value="$text")
    ET.SubElement(view, "Header", value="speaker (as named in the article, or author)", size="6")
    ET.SubElement(view, "TextArea", name="speaker", toName=TO_NAME, maxSubmissions="1", editable="true",
                  required="true", rows="1")
    for field in FIELDS:
        ET.SubElement(view, "Header", value=field, size="6")
        choices = ET.SubElement(view, "Choices", name=field, toName=TO_NAME, choice="single", required="true",
                                showInline="true")
        for label in LABELS[field]:
            ET.SubElement(choices, "Choice", value=label)
    ET.indent(view)
    return ET.tostring(view, encoding="unicode") + "\n"


def _as_record(record: Record | Mapping) -> Record:
    return record if isinstance(record, Record) else Record.model_validate(record)


def prediction_result(labels: Mapping) -> list[dict]:
    """Label Studio ``result`` items for the schema fields present in ``labels`` (speaker and the label fields)."""
    result = []
    if labels.get("speaker") is not None:
        result.append({"from_name": "speaker", "to_name": TO_NAME, "type": "textarea",
                       "value": {"text": [labels["speaker"]]}})
    for field in FIELDS:
        value = labels.get(field)
        if value is None:
            continue
        if value not in LABELS[field]:
            raise ValueError(f"prediction {field}={value!r} is not one of {', '.join(LABELS[field])}")
        result.append({"from_name": field, "to_name": TO_NAME, "type": "choices", "value": {"choices": [value]}})
    return result


def export_tasks(records: Iterable[Record | Mapping], path: Path | str,
                 predictions: Mapping[str, Mapping] | Sequence[Mapping] | None = None,
                 model_version: str = "pipeline") -> int:
    """Write records as a Label Studio tasks JSON file; returns the number of tasks.

    ``predictions`` (by id, or a list aligned with ``records``) are dicts with the record's label fields and
    optionally ``score`` and ``model_version``; they become pre-annotations.
    """
    records = [_as_record(r) for r in records]
    if predictions is not None and not isinstance(predictions, Mapping):
        predictions = list(predictions)
        if len(predictions) != len(records):
            raise ValueError(f"{len(predictions)} predictions for {len(records)} records")
        predictions = {r.id: p for r, p in zip(records, predictions)}
    tasks = []
    for row in with_context(records):
        task: dict = {"data": {k: row[k] for k in DATA_KEYS}}
        pred = predictions.get(row["id"]) if predictions is not None else None
        if pred is not None:
            entry: dict = {"model_version": str(pred.get("model_version", model_version))}
            if pred.get("score") is not None:
                entry["score"] = float(pred["score"])
            entry["result"] = prediction_result(pred)
            task["predictions"] = [entry]
        tasks.append(task)
    Path(path).write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(tasks)


class Imported(list):
    """The records read from an export (a list of dicts); ``skipped`` names the tasks that had no annotation."""

    def __init__(self, records: Iterable[dict] = (), skipped: Iterable[str] = ()):
        super().__init__(records)
        self.skipped = list(skipped)


def _latest(annotations: list[dict]) -> dict | None:
    """The most recent annotation that was not cancelled (by updated_at/created_at, then position)."""
    live = [(a.get("updated_at") or a.get("created_at") or "", i, a) for i, a in enumerate(annotations)
            if isinstance(a, dict) and not a.get("was_cancelled")]
    return max(live, key=lambda t: (t[0], t[1]))[2] if live else None


def _labels(result: list[dict]) -> dict:
    labels = {}
    for item in result:
        name, value = item.get("from_name"), item.get("value") or {}
        if item.get("type") == "choices" and name in LABELS and value.get("choices"):
            labels[name] = value["choices"][0]
        elif item.get("type") == "textarea" and name == "speaker" and value.get("text"):
            labels["speaker"] = " ".join(t.strip() for t in value["text"] if t.strip())
    return labels


def import_export(path: Path | str, annotator: str | None = None) -> Imported:
    """Read a Label Studio JSON export into schema records (dicts), each checked with :class:`Record`.

    The latest non-cancelled annotation of a task wins; tasks without one are skipped and listed in
    ``.skipped``. ``annotator`` sets the records' annotator field (for a second annotator's pass).
    A task whose annotation does not make a valid record raises :class:`CorpusError` (task position as line).
    """
    try:
        tasks = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CorpusError(path, 0, f"not a readable Label Studio JSON export: {e}") from None
    if not isinstance(tasks, list):
        raise CorpusError(path, 0, "a Label Studio JSON export is a list of tasks")
    out = Imported()
    for n, task in enumerate(tasks, start=1):
        data = task.get("data") if isinstance(task, dict) else None
        if not isinstance(data, dict):
            raise CorpusError(path, n, "task without a 'data' object")
        chosen = _latest(task.get("annotations") or [])
        if chosen is None:
            out.skipped.append(str(data.get("id", f"task {n}")))
            continue
        row = {k: data[k] for k in DATA_KEYS if k != "context" and k in data}
        row.update(_labels(chosen.get("result") or []))
        if annotator is not None:
            row["annotator"] = annotator
        try:
            record = Record.model_validate(row)
        except ValidationError as e:
            problems = "; ".join(f"{'.'.join(map(str, err['loc'])) or 'record'}: {err['msg']}" for err in e.errors())
            raise CorpusError(path, n, f"task {data.get('id')!r}: {problems}") from None
        out.append(record.model_dump(exclude_none=True))
    return out
