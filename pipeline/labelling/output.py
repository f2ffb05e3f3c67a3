"""The job folder of ``label``: shards written atomically, the manifest of finished articles, the combined output.

Job folder::

    shards/<doc>-<hash>.jsonl   one finished article's records (the unit of resumption)
    manifest.jsonl              finished articles, one JSON line each, in completion order
    errors.jsonl                the last completed run's failures: source, doc_id, reason
    labels.<jsonl|parquet|csv>  every finished article's records, rebuilt from the shards at the end of a run
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from .errors import JobError

FORMATS = ("jsonl", "parquet", "csv")
MANIFEST, ERRORS, SHARDS, LOCK = "manifest.jsonl", "errors.jsonl", "shards", ".lock"


def shard_name(doc_id: str) -> str:
    """A file name for a doc_id: readable, safe on every filesystem, unique by a hash of the exact id."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", doc_id)[:80].strip("._") or "doc"
    return f"{safe}-{hashlib.sha1(doc_id.encode('utf-8')).hexdigest()[:10]}.jsonl"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, write: Callable, mode: str = "w") -> Path:
    """Write ``path`` through ``write(file)`` into a temporary file, fsync it, then rename it into place."""
    tmp = path.with_name(path.name + ".tmp")
    kwargs = {"encoding": "utf-8", "newline": ""} if "b" not in mode else {}
    with open(tmp, mode, **kwargs) as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)
    return path


class Manifest:
    """The finished articles of a job folder; appended and fsynced once per article, after its shard is in place."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / MANIFEST
        self.shards = out_dir / SHARDS
        self.entries: dict[str, dict] = {}
        if self.path.exists():
            data = self.path.read_bytes()
            if data and not data.endswith(b"\n"):  # a torn last line from a kill mid-append: drop it
                data = data[: data.rfind(b"\n") + 1]
                with open(self.path, "r+b") as f:
                    f.truncate(len(data))
            for line in data.splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry, dict) and (self.shards / str(entry.get("shard"))).is_file():
                    self.entries[entry["doc_id"]] = entry  # later lines win (an article redone)
        self._f = open(self.path, "a", encoding="utf-8")

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self.entries

    def add(self, doc_id: str, shard: str, sentences: int) -> None:
        entry = {"doc_id": doc_id, "shard": shard, "sentences": sentences}
        self._f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._f.flush()
        os.fsync(self._f.fileno())
        self.entries[doc_id] = entry

    def close(self) -> None:
        self._f.close()


def write_shard(out_dir: Path, doc_id: str, records: Sequence[dict]) -> str:
    """One finished article's records as ``shards/<name>.jsonl``, atomically; returns the file name."""
    name = shard_name(doc_id)
    atomic_write(out_dir / SHARDS / name,
                 lambda f: f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    return name


def iter_records(out_dir: Path | str) -> Iterator[dict]:
    """Every record of every finished article of a job folder, in manifest order."""
    out_dir = Path(out_dir)
    manifest = Manifest(out_dir)
    manifest.close()
    for entry in manifest.entries.values():
        with open(out_dir / SHARDS / entry["shard"], encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)


def flat_columns(label_maps: Mapping[str, Sequence[str]]) -> list[str]:
    """Columns of the tabular (Parquet / CSV) output: one probability column per field and label."""
    probs = [f"p_{f}_{lab}" for f, labels in label_maps.items() for lab in labels]
    return ["id", "doc_id", "index", "text", "start", "end", "speaker", "speaker_side", "speaker_source",
            *[f for f in label_maps if f != "speaker_side"], *probs, "model_id", "meta", "note"]


def flatten(record: Mapping, label_maps: Mapping[str, Sequence[str]]) -> dict:
    """A record as one flat row: ``probs`` spread into ``p_<field>_<label>`` columns, ``meta`` as a JSON string."""
    row = {k: v for k, v in record.items() if k not in ("probs", "meta")}
    for f, labels in label_maps.items():
        for lab in labels:
            row[f"p_{f}_{lab}"] = record["probs"][f][lab]
    row["meta"] = json.dumps(record.get("meta", {}), ensure_ascii=False, sort_keys=True)
    return row


def write_output(out_dir: Path, fmt: str, label_maps: Mapping[str, Sequence[str]], rows_per_group: int = 4096) -> Path:
    """Rebuild ``labels.<fmt>`` from the shards, streaming, atomically."""
    path = out_dir / f"labels.{fmt}"
    records = iter_records(out_dir)
    if fmt == "jsonl":
        atomic_write(path, lambda f: f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    elif fmt == "csv":
        columns = flat_columns(label_maps)

        def write_csv(f):
            w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
            w.writeheader()
            for r in records:
                w.writerow(flatten(r, label_maps))

        atomic_write(path, write_csv)
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = flat_columns(label_maps)
        types = {"index": pa.int64(), "start": pa.int64(), "end": pa.int64()}
        schema = pa.schema([(c, pa.float64() if c.startswith("p_") else types.get(c, pa.string())) for c in columns])

        def write_parquet(f):
            with pq.ParquetWriter(f, schema) as writer:
                batch: list[dict] = []
                for r in records:
                    batch.append(flatten(r, label_maps))
                    if len(batch) >= rows_per_group:
                        writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                        batch = []
                if batch:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))

        atomic_write(path, write_parquet, mode="wb")
    else:
        raise JobError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return path
