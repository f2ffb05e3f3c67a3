"""Agreement measures on hand-computed examples, undefined cases, and the command line."""

from __future__ import annotations

import math
import random

import krippendorff
import numpy as np
import pytest
from typer.testing import CliRunner

from pipeline.annotation.agreement import agreement, format_table
from pipeline.cli import app
from pipeline.jsonl import write_jsonl
from pipeline.schema import Record

from ..conftest import record


def pairs_to_records(pairs, field="claim", labels=("claim", "fact")):
    """Two annotators' records over the same ids from a list of (label A, label B) pairs."""
    a, b = [], []
    for i, (x, y) in enumerate(pairs):
        a.append({"id": f"d:{i:04d}", field: x, "speaker": "author"})
        b.append({"id": f"d:{i:04d}", field: y, "speaker": "author"})
    return a, b


def two_by_two(yy, yn, ny, nn):
    return [("claim", "claim")] * yy + [("claim", "fact")] * yn + [("fact", "claim")] * ny + [("fact", "fact")] * nn


def test_classic_two_by_two_kappa():
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15: p_o = .7, p_e = .5*.6 + .5*.4 = .5
    a, b = pairs_to_records(two_by_two(20, 5, 10, 15))
    m = agreement(a, b, fields=["claim"])["fields"]["claim"]
    assert m["n"] == 50
    assert m["agreement"] == pytest.approx(0.7, abs=1e-9)
    assert m["kappa"] == pytest.approx(0.4, abs=1e-9)


def test_kappa_and_alpha_by_hand():
    # 100 items: 45 / 15 / 25 / 15. p_o = .6; p_e = .6*.7 + .4*.3 = .54; kappa = .06/.46 = 3/23.
    # alpha: 200 pairable values, 130 'claim', 70 'fact', 80 off-diagonal coincidences:
    # alpha = 1 - (200 - 1) * 80 / (2 * 130 * 70) = 57/455.
    a, b = pairs_to_records(two_by_two(45, 15, 25, 15))
    m = agreement(a, b, fields=["claim"])["fields"]["claim"]
    assert m["agreement"] == pytest.approx(0.6, abs=1e-9)
    assert m["kappa"] == pytest.approx(3 / 23, abs=1e-9)
    assert m["alpha"] == pytest.approx(57 / 455, abs=1e-9)


def test_three_labels_against_the_formulas_and_the_krippendorff_package():
    rng = random.Random(3)
    labels = ["missile_defense", "territory", "military"]
    x = [rng.choice(labels) for _ in range(60)]
    y = [v if rng.random() < 0.6 else rng.choice(labels) for v in x]
    a, b = pairs_to_records(list(zip(x, y)), field="topic")
    m = agreement(a, b, fields=["topic"])["fields"]["topic"]
    n = len(x)
    p_o = sum(p == q for p, q in zip(x, y)) / n
    p_e = sum((x.count(lab) / n) * (y.count(lab) / n) for lab in labels)
    assert m["kappa"] == pytest.approx((p_o - p_e) / (1 - p_e), abs=1e-9)
    codes = {lab: i for i, lab in enumerate(labels)}
    data = np.array([[codes[v] for v in x], [codes[v] for v in y]], dtype=float)
    assert m["alpha"] == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"), abs=1e-9)
    assert m["kappa"] != m["alpha"]


def test_one_shared_label_gives_nan_not_a_crash():
    a, b = pairs_to_records([("fact", "fact")] * 5)
    m = agreement(a, b, fields=["claim"])["fields"]["claim"]
    assert m["agreement"] == 1.0 and math.isnan(m["kappa"]) and math.isnan(m["alpha"])
    assert "nan" in format_table(agreement(a, b, fields=["claim"]))


def test_each_annotator_using_one_different_label_is_defined():
    a, b = pairs_to_records([("claim", "fact")] * 4)
    m = agreement(a, b, fields=["claim"])["fields"]["claim"]
    assert m["agreement"] == 0.0 and m["kappa"] == pytest.approx(0.0, abs=1e-9)


def test_only_shared_ids_count_and_speaker_is_exact_match():
    texts = ["One.", "Two.", "Three.", "Four."]
    a = [Record(**record("d", i, t, 0 if i == 0 else 10 * i)) for i, t in enumerate(texts)]
    b = [r.model_copy(update={"speaker": s, "speaker_side": "russian" if s != "author" else "none"})
         for r, s in zip(a[1:], ["author", "Sergey Lavrov", "author "])] + [Record(**record("e", 0, "Other.", 0))]
    result = agreement(a, b)
    assert (result["n_a"], result["n_b"], result["n_shared"]) == (4, 4, 3)
    assert result["speaker"] == {"n": 3, "agreement": pytest.approx(1 / 3, abs=1e-9)}  # "author " != "author"
    assert result["fields"]["speaker_side"]["agreement"] == pytest.approx(1 / 3, abs=1e-9)
    assert result["fields"]["stance"]["n"] == 3


def test_no_shared_ids():
    result = agreement([{"id": "a:0000", "stance": "us"}], [{"id": "b:0000", "stance": "us"}], fields=["stance"])
    assert result["n_shared"] == 0 and result["fields"]["stance"]["n"] == 0
    assert math.isnan(result["fields"]["stance"]["agreement"])


def test_unknown_field_is_an_error():
    with pytest.raises(ValueError, match="stnce"):
        agreement([], [], fields=["stnce"])


def test_format_table_rows():
    a, b = pairs_to_records(two_by_two(20, 5, 10, 15))
    table = format_table(agreement(a, b, fields=["claim"]))
    row = next(line for line in table.splitlines() if line.startswith("claim"))
    assert row.split() == ["claim", "50", "0.700", "0.400", "0.400"]
    assert table.splitlines()[-1].split()[:3] == ["speaker", "50", "1.000"]


def test_cli_agreement(tmp_path):
    texts = ["One.", "Two.", "Three."]
    a = [record("d", i, t, 5 * i) for i, t in enumerate(texts)]
    b = [{**r, "stance": "us", "annotator": "B"} if i == 0 else {**r, "annotator": "B"} for i, r in enumerate(a)]
    write_jsonl(tmp_path / "a.jsonl", a)
    write_jsonl(tmp_path / "b.jsonl", b)
    result = CliRunner().invoke(app, ["agreement", str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl"),
                                      "--fields", "stance,claim"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split() for line in result.output.splitlines()[2:]}
    assert set(rows) == {"stance", "claim", "speaker"}
    assert rows["stance"][1:3] == ["3", "0.667"]
    bad = CliRunner().invoke(app, ["agreement", str(tmp_path / "a.jsonl"), str(tmp_path / "missing.jsonl")])
    assert bad.exit_code == 1 and "Traceback" not in bad.output
