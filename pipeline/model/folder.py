"""The model folder: the one module that writes, reads and updates what a trained model is on disk.

A model folder holds ``encoder/`` (safetensors weights, config, tokenizer — loadable by any transformers
tool), ``heads.safetensors``, ``pipeline.json`` (label maps, training config, temperatures, data hash, package
versions), ``metrics.json`` (training figures, and the cross-validated ones once an evaluation is recorded),
``int8_calibration.safetensors`` (activation maxima for int8), ``README.md`` (the model card) and, once labelled
with the onnx backend, ``onnx/`` (the cached export, :mod:`.onnx_backend`; gitignored). The file names are
defined here only. Loading never runs remote code and never unpickles.

:func:`record_evaluation` writes an evaluation's temperatures and metrics into the folder, but only when the
evaluation ran the very configuration the model was trained with, on the very data: a quick evaluation of
another configuration (fewer epochs, other folds) never overwrites a model's figures.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import NamedTuple

import torch

from ..attribution.span_tagger import WEIGHTS as TAGGER_WEIGHTS, SpeakerTagger
from .card import render_card
from .classifier import MultiTaskClassifier
from .onnx_backend import onnx_classifier, onnx_tagger, resolve_backend
from .precision import FALLBACK_MARGINS, resolve
from .predictor import Predictor
from .quantize import quantize_int8

ENCODER_DIR = "encoder"
HEADS_FILE = "heads.safetensors"
META_FILE = "pipeline.json"
METRICS_FILE = "metrics.json"
CALIBRATION_FILE = "int8_calibration.safetensors"
CARD_FILE = "README.md"
CHECKPOINTS_DIR = "checkpoints"
#: The fine-tuned speaker tagger (config ``speaker_tagger``), where the model has one.
TAGGER_DIR = "speaker-tagger"
ONNX_DIR = "onnx"
#: The name of the fine-tuned model among the systems of an evaluation (the others are baselines).
FINETUNED = "finetuned"
#: The labelling job's output among the systems: the fine-tuned model with speaker_side decided as the job decides it
#: (attribution first). Not a baseline.
LABELLING_JOB = "labelling_job"
#: The cross-validated figures of each field that a model folder keeps from an evaluation.
CV_KEYS = ("macro_f1_mean", "macro_f1_std", "accuracy_mean", "accuracy_std", "ece", "ece_calibrated", "temperature")


def is_model_folder(path: Path | str) -> bool:
    return (Path(path) / META_FILE).is_file()


def read_meta(path: Path | str) -> dict:
    """The folder's ``pipeline.json``; a folder without one is not a trained model."""
    meta_path = Path(path) / META_FILE
    if not meta_path.is_file():
        raise FileNotFoundError(f"{path}: not a trained model folder (no {META_FILE}); run `stance train` first")
    return json.loads(meta_path.read_text(encoding="utf-8"))


def write_meta(path: Path | str, meta: dict) -> Path:
    out = Path(path) / META_FILE
    out.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    return out


def read_metrics(path: Path | str) -> dict:
    """The folder's ``metrics.json``, or {} where there is none yet."""
    metrics_path = Path(path) / METRICS_FILE
    return json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.exists() else {}


def write_metrics(path: Path | str, metrics: dict) -> Path:
    out = Path(path) / METRICS_FILE
    out.write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    return out


def write_card(path: Path | str) -> Path:
    """Render the model card (README.md) from what the folder records (cross-validated figures where an
    evaluation was recorded)."""
    out = Path(path) / CARD_FILE
    out.write_text(render_card(read_meta(path), read_metrics(path)), encoding="utf-8")
    return out


def save_model(model: MultiTaskClassifier, tokenizer, out_dir: Path | str, meta: dict) -> Path:
    """Write encoder/, heads.safetensors and pipeline.json (meta must hold label_maps)."""
    from safetensors.torch import save_file

    out = Path(out_dir)
    (out / ENCODER_DIR).mkdir(parents=True, exist_ok=True)
    model.encoder.save_pretrained(out / ENCODER_DIR, safe_serialization=True)
    tokenizer.save_pretrained(out / ENCODER_DIR)
    save_file({k: v.detach().contiguous().cpu() for k, v in model.heads.state_dict().items()}, str(out / HEADS_FILE))
    write_meta(out, meta)
    return out


def save_calibration(maxima: dict[str, torch.Tensor], model_dir: Path | str) -> Path:
    from safetensors.torch import save_file

    path = Path(model_dir) / CALIBRATION_FILE
    save_file({k: v.contiguous() for k, v in maxima.items()}, str(path))
    return path


def load_calibration(model_dir: Path | str) -> dict[str, torch.Tensor] | None:
    """The stored activation maxima, or None for a model folder written before they were recorded."""
    from safetensors.torch import load_file

    path = Path(model_dir) / CALIBRATION_FILE
    return load_file(str(path)) if path.is_file() else None


def load_model(path: Path | str, device: str = "cpu", precision: str = "fp32",
               fallback_margin: float | None = None, backend: str = "torch") -> Predictor:
    """Load a saved classifier folder as a :class:`~pipeline.model.predictor.Predictor`.

    ``precision`` (:mod:`pipeline.model.precision`): fp32, bf16, int8 (:mod:`pipeline.model.quantize`) or auto.
    Reduced precisions keep the fp32 model to re-score near-ties whose top-two logit margin is below
    ``fallback_margin`` (default ``precision.FALLBACK_MARGINS``; 0 turns it off). ``backend``
    (:mod:`pipeline.model.onnx_backend`): torch, onnx (fp32 on ONNX Runtime, exported once into the folder) or
    auto (onnx for fp32 where onnxruntime is installed, else torch).
    """
    from safetensors.torch import load_file
    from transformers import AutoModel, AutoTokenizer

    path = Path(path)
    meta = read_meta(path)
    tokenizer = AutoTokenizer.from_pretrained(path / ENCODER_DIR, trust_remote_code=False)
    encoder = AutoModel.from_pretrained(path / ENCODER_DIR, trust_remote_code=False, use_safetensors=True)
    model = MultiTaskClassifier(encoder, meta["label_maps"], dropout=0.0,
                                speaker_head=bool(meta.get("config", {}).get("speaker_head", False)))
    model.heads.load_state_dict(load_file(str(path / HEADS_FILE)))
    model.eval()
    tagger = SpeakerTagger.load(path / TAGGER_DIR) if (path / TAGGER_DIR / TAGGER_WEIGHTS).is_file() else None
    if tagger is None and meta.get("config", {}).get("speaker_tagger"):
        raise FileNotFoundError(f"{path}: trained with a speaker tagger, but {path / TAGGER_DIR / TAGGER_WEIGHTS} is "
                                "missing (retrain: `stance train`)")
    precision = resolve(precision, device)
    if precision == "fp32":
        runner = _runner(model, tokenizer, path, backend, device)
        if tagger is not None and runner is not None:  # the tagger's pass on the same backend as the classifier's
            tagger.runner = _tagger_runner(tagger, path, backend)
        return Predictor(model, tokenizer, meta, device=device, runner=runner, tagger=tagger)
    resolve_backend("torch" if backend == "auto" else backend, precision)
    margin = FALLBACK_MARGINS[precision] if fallback_margin is None else fallback_margin
    fast = model  # bf16: the same weights, run under autocast
    if precision == "int8":
        maxima = load_calibration(path)
        if maxima is None:
            warnings.warn(f"{path}: no int8 calibration; int8 labels will agree less with fp32 "
                          "(`stance calibrate-int8` records it)", stacklevel=2)
        fast = quantize_int8(model, maxima)
    return Predictor(fast, tokenizer, meta, device=device, fallback=model, fallback_margin=margin, precision=precision,
                     tagger=tagger)


def _runner(model, tokenizer, path: Path, backend: str, device: str):
    """The fp32 model on ONNX Runtime where ``backend`` asks for it (None: torch runs ``model`` itself). ``auto``
    falls back to torch, with a warning, where the export fails; an explicit ``onnx`` lets the error through."""
    if device != "cpu":
        if backend == "onnx":
            raise ValueError(f"the onnx backend runs on the CPU only, not {device}")
        return None
    if resolve_backend(backend, "fp32") != "onnx":
        return None
    try:
        depends = [path / HEADS_FILE, path / ENCODER_DIR / "config.json", *sorted((path / ENCODER_DIR).glob("*.safetensors"))]
        return onnx_classifier(model, path / ONNX_DIR, depends, "token_type_ids" in tokenizer.model_input_names)
    except Exception as exc:
        if backend == "onnx":
            raise
        warnings.warn(f"{path}: ONNX export failed ({type(exc).__name__}: {exc}); labelling with torch", stacklevel=3)
        return None


def _tagger_runner(tagger: SpeakerTagger, path: Path, backend: str):
    """The speaker tagger's network on ONNX Runtime (None: torch), as :func:`_runner` decides for the classifier."""
    try:
        return onnx_tagger(tagger.net, path / ONNX_DIR, [path / TAGGER_DIR / TAGGER_WEIGHTS],
                           "token_type_ids" in tagger.tokenizer.model_input_names)
    except Exception as exc:
        if backend == "onnx":
            raise
        warnings.warn(f"{path}: ONNX export of the speaker tagger failed ({type(exc).__name__}: {exc}); its pass "
                      "runs on torch", stacklevel=3)
        return None


# --- recording an evaluation ---------------------------------------------------------------------------------------

class Recorded(NamedTuple):
    """Whether an evaluation was recorded in a model folder, and why not where it was not."""

    recorded: bool
    reason: str = ""


def _differences(evaluated: dict, trained: dict) -> list[str]:
    keys = sorted(set(evaluated) | set(trained), key=lambda k: (list(trained).index(k) if k in trained else len(trained), k))
    return [f"{k} {evaluated.get(k)!r} (trained with {trained.get(k)!r})" for k in keys if evaluated.get(k) != trained.get(k)]


def evaluation_mismatch(result: dict, model_dir: Path | str) -> str | None:
    """Why ``result`` (an evaluation) must not be recorded in ``model_dir``, or None when it may: the folder must
    hold a trained model, trained on the data the evaluation ran on, with the configuration it evaluated."""
    if not is_model_folder(model_dir):
        return f"{model_dir} holds no trained model"
    meta = read_meta(model_dir)
    if meta.get("data", {}).get("sha256") != result.get("data_sha256"):
        return f"{model_dir} was trained on other data (data hash differs)"
    diff = _differences(result.get("config") or {}, meta.get("config") or {})
    if diff:
        return f"the evaluated configuration is not the one {model_dir} was trained with: {', '.join(diff)}"
    return None


def record_temperatures(model_dir: Path | str, temperatures: dict[str, float], fitted_from: str) -> Path:
    """Write temperatures fitted outside a cross-validation (on gold the model never saw) into a model folder."""
    meta = read_meta(model_dir)
    meta["temperatures"] = {f: float(temperatures.get(f, 1.0)) for f in meta["label_maps"]}
    meta["temperatures_from"] = fitted_from
    return write_meta(model_dir, meta)


def record_evaluation(result: dict, model_dir: Path | str) -> Recorded:
    """Record an evaluation's temperatures and cross-validated metrics in a model folder and re-render its card,
    when :func:`evaluation_mismatch` finds nothing against it; else leave the folder untouched."""
    reason = evaluation_mismatch(result, model_dir)
    if reason is not None:
        return Recorded(False, reason)
    meta = read_meta(model_dir)
    meta["temperatures"] = {f: result["temperatures"].get(f, 1.0) for f in meta["label_maps"]}
    meta["temperatures_from"] = "cross-validation"
    write_meta(model_dir, meta)
    metrics = read_metrics(model_dir)
    ft = result["systems"][FINETUNED]
    metrics["command"] = result["command"]
    metrics["cross_validation"] = {f: {k: ft[f][k] for k in CV_KEYS} for f in ft}
    metrics["baselines"] = {s: {f: result["systems"][s][f]["macro_f1_mean"] for f in ft} for s in result["systems"] if s not in (FINETUNED, LABELLING_JOB)}
    if LABELLING_JOB in result["systems"]:
        metrics["labelling_job_speaker_side"] = result["systems"][LABELLING_JOB]["speaker_side"]["macro_f1_mean"]
    if "test" in result:
        test = result["test"]
        metrics["test_split"] = {"articles": test["n_articles"], "sentences": test["n_sentences"],
                                 "macro_f1": {s: {f: m["macro_f1_mean"] for f, m in test["systems"][s].items()} for s in test["systems"]},
                                 "ece_calibrated": {f: m.get("ece_calibrated") for f, m in test["systems"][FINETUNED].items()}}
    write_metrics(model_dir, metrics)
    write_card(model_dir)
    return Recorded(True)
