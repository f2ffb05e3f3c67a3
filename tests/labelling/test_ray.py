"""The Ray engine labels exactly as the local engine does (local Ray instance, 2 CPUs)."""

from __future__ import annotations

import pytest

from pipeline.labelling import label_paths
from tests._models import tiny_encoder, tiny_model_dir  # noqa: F401
from tests.labelling.test_label import TOTAL_GOOD, assert_same_records, make_inputs, read_jsonl

ray = pytest.importorskip("ray", reason="the optional ray extra is not installed")
pytest.importorskip("ray.data", reason="the optional ray extra is not installed")

pytestmark = pytest.mark.ray


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_ray_engine_output_equals_the_local_engine(local_ray, tiny_model_dir, tmp_path):  # noqa: F811
    inputs = make_inputs(tmp_path / "in")
    common = dict(model_dir=tiny_model_dir, progress=False, max_bytes=4096)
    local = label_paths([inputs], tmp_path / "local", **common)
    on_ray = label_paths([inputs], tmp_path / "ray", engine="ray", num_actors=2, **common)
    assert (on_ray.done, on_ray.failed) == (local.done, local.failed) == (TOTAL_GOOD, 6)
    assert read_jsonl(tmp_path / "ray" / "errors.jsonl") == read_jsonl(tmp_path / "local" / "errors.jsonl")
    assert_same_records(read_jsonl(tmp_path / "ray" / "labels.jsonl"), read_jsonl(tmp_path / "local" / "labels.jsonl"))
    assert ray.is_initialized()  # the engine leaves a Ray instance it did not start running
