"""Fine-tune the multi-task classifier with transformers' Trainer and save it as a model folder.

``train(config)`` checks the config and the corpus before any work, trains on every row given, writes
safetensors weights, tokenizer, label maps, the config, a data hash, package versions, metrics and a model
card (:mod:`pipeline.model.folder`). Checkpoints go to ``<out>/checkpoints`` so an interrupted run resumes with
``resume=True``.
The same code runs unchanged under ``accelerate launch`` / ``torchrun`` on several GPUs.
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import time
from collections.abc import Sequence
from datetime import datetime, UTC
from pathlib import Path

import numpy as np

from ..annotation.corpus import data_hash, load_corpus, split_rows
from ..annotation.splits import SplitError, read_split
from ..annotation import validate
from ..config import ConfigError, TrainConfig, resolve_encoder
from ..encoders import freeze
from ..schema import LABELS
from .classifier import build_model
from ..attribution import default_actors
from ..attribution.span_tagger import SpeakerTagger
from .features import (SAMPLE_WEIGHT, SPEAKER_DECISION, SPEAKER_TAGS, ContextSpec, PadCollator, corpus_contexts, encode,
                       speaker_targets)
from .folder import (
    CHECKPOINTS_DIR,
    META_FILE,
    TAGGER_DIR,
    Recorded,
    load_model,
    record_evaluation,
    save_calibration,
    save_model,
    write_card,
    write_meta,
    write_metrics,
)
from .predictor import Predictor
from .quantize import activation_maxima

PACKAGES = ("torch", "transformers", "datasets", "scikit-learn", "safetensors", "tokenizers", "numpy")


def package_versions() -> dict[str, str]:
    """Versions of the packages a model depends on, recorded with it."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def class_weights(labels: np.ndarray, n_classes: int, mode: str) -> list[float] | None:
    """Inverse-frequency weights ('balanced'), their square root ('sqrt'), or none; unseen classes get 1."""
    if mode == "none":
        return None
    counts = np.bincount(labels, minlength=n_classes).astype(float)
    w = np.where(counts > 0, counts.sum() / (n_classes * np.maximum(counts, 1)), 1.0)
    if mode == "sqrt":
        w = np.sqrt(w)
    return (w / w[counts > 0].mean()).round(6).tolist()


def check_corpus(files: Sequence[Path]) -> None:
    """Refuse to train on a corpus that fails ``validate``: one message listing the first problems."""
    missing = [str(f) for f in files if not Path(f).exists()]
    if missing:
        raise ConfigError(f"data: annotation file not found: {', '.join(missing)}")
    problems = validate.validate_files(files)
    if problems:
        shown = "\n  ".join(map(str, problems[:10]))
        more = f"\n  ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise ConfigError(f"the corpus fails validation ({len(problems)} problems); run `stance validate`:\n  {shown}{more}")


def load_test_split(config: TrainConfig) -> list[str]:
    """The doc_ids the config holds out of training (none without a test split); a missing file is a ConfigError."""
    path = config.test_split_file()
    if path is None:
        return []
    try:
        return read_split(path)
    except FileNotFoundError:
        raise ConfigError(f"test_split: {path} not found (test_split = \"\" trains on every article)") from None
    except SplitError as e:
        raise ConfigError(str(e)) from None


def model_contexts(dataset, config: TrainConfig, training: bool = False) -> list[str] | None:
    """The context segment of every row as the config builds it (:class:`~.features.ContextSpec`); None: no context.
    ``training``: the rows it trains on, their speaker input perturbed by ``speaker_noise``."""
    spec = ContextSpec.from_config(config)
    noise = config.speaker_noise if training else 0.0
    return None if spec.empty else corpus_contexts(dataset["doc_id"], dataset["text"], spec, noise, config.seed)


def tokenize_dataset(dataset, tokenizer, config: TrainConfig):
    """Add input_ids / attention_mask / sentence_mask columns for the (sentence, context) pairs it trains on (the
    speaker input perturbed by ``speaker_noise``), and with ``speaker_head`` its targets from the gold speakers."""
    contexts = model_contexts(dataset, config, training=True)
    data = dataset.add_column("model_context", contexts if contexts is not None else [""] * len(dataset))
    actors = default_actors() if config.speaker_head else None

    def _map(batch):
        enc = encode(tokenizer, batch["text"], batch["model_context"] if contexts is not None else None,
                     config.max_length, offsets=config.speaker_head)
        if config.speaker_head:
            enc[SPEAKER_DECISION], enc[SPEAKER_TAGS] = speaker_targets(batch["text"], batch["speaker"],
                                                                       enc.pop("offset_mapping"), actors)
        return enc

    return data.map(_map, batched=True, desc="tokenize")


def weight_written(dataset, config: TrainConfig):
    """Apply ``written_weight``: drop the written rows at 0, add a per-row loss weight column otherwise (none at 1)."""
    if config.written_weight == 1.0:
        return dataset
    sources = np.asarray(dataset["source"])
    if config.written_weight == 0.0:
        return dataset.select(np.flatnonzero(sources != "written"))
    return dataset.add_column(SAMPLE_WEIGHT, np.where(sources == "written", config.written_weight, 1.0).tolist())


def fit_tagger(config: TrainConfig, dataset, progress: bool = True) -> SpeakerTagger:
    """The config's speaker tagger fine-tuned on the real (and seed) articles of ``dataset``: written sentences are
    not articles, and the tagger reads each sentence with the one before it."""
    sources = np.asarray(dataset["source"])
    rows = dataset.select(np.flatnonzero(sources != "written"))
    records = [{"id": i, "doc_id": d, "text": t, "speaker": s}
               for i, d, t, s in zip(rows["id"], rows["doc_id"], rows["text"], rows["speaker"])]
    return SpeakerTagger(config.encoder).fit(records, default_actors(), epochs=config.speaker_tagger_epochs,
                                             freeze_embeddings=config.speaker_tagger_freeze_embeddings,
                                             freeze_layers=config.speaker_tagger_freeze_layers,
                                             seed=config.seed, progress=progress)


def fit(config: TrainConfig, dataset, out_dir: Path, resume: bool = False, progress: bool = True, save: bool = True,
        tagger: bool = True):
    """Train on ``dataset`` (a corpus Dataset) and return (Predictor, train metrics); optionally save the folder.
    ``tagger=False`` skips the config's speaker tagger (for a caller that reads no speakers)."""
    import torch
    from transformers import AutoTokenizer, Trainer, TrainingArguments, set_seed


    set_seed(config.seed)
    encoder_path = resolve_encoder(config.encoder)
    tokenizer = AutoTokenizer.from_pretrained(encoder_path, trust_remote_code=False)
    label_maps = {f: list(LABELS[f]) for f in config.fields}
    dataset = weight_written(dataset, config)
    weights = {f: class_weights(np.asarray(dataset[f]), len(label_maps[f]), config.class_weighting) for f in config.fields}
    model = build_model(encoder_path, label_maps, config.dropout, config.loss_weights, weights, seed=config.seed,
                        speaker_head=config.speaker_head, speaker_weight=config.speaker_head_weight)

    keep = ["input_ids", "attention_mask", "sentence_mask", "token_type_ids", "length", SAMPLE_WEIGHT,
            SPEAKER_DECISION, SPEAKER_TAGS, *config.fields]
    data = tokenize_dataset(dataset, tokenizer, config)
    data = data.map(lambda b: {"length": [len(x) for x in b["input_ids"]]}, batched=True, desc="length")
    data = data.remove_columns([c for c in data.column_names if c not in keep])

    steps_per_epoch = max(1, -(-len(data) // config.batch_size))
    total_steps = int(np.ceil(steps_per_epoch * config.epochs))
    freeze(model.encoder, config.freeze_embeddings, config.freeze_layers)
    head_params = [p for n, p in model.named_parameters() if n.startswith("heads.")]
    enc_params = [p for n, p in model.named_parameters() if not n.startswith("heads.") and p.requires_grad]
    optimizer = torch.optim.AdamW(
        [
            {"params": enc_params, "lr": config.learning_rate, "weight_decay": config.weight_decay},
            {"params": head_params, "lr": config.head_learning_rate, "weight_decay": 0.0},
        ]
    )
    args = TrainingArguments(
        output_dir=str(out_dir / CHECKPOINTS_DIR),
        per_device_train_batch_size=config.batch_size,
        num_train_epochs=config.epochs,
        learning_rate=config.learning_rate,
        warmup_steps=int(config.warmup_ratio * total_steps),
        lr_scheduler_type="linear",
        logging_steps=max(1, steps_per_epoch),
        save_strategy="epoch" if save else "no",
        save_total_limit=1,
        save_only_model=False,
        seed=config.seed,
        data_seed=config.seed,
        label_names=list(config.fields),
        remove_unused_columns=False,
        report_to="none",
        disable_tqdm=not progress,
        use_cpu=not torch.cuda.is_available(),
        dataloader_num_workers=0,
        # batches of similar length: far less padding, the main CPU cost here (randomised within megabatches)
        train_sampling_strategy="group_by_length",
        length_column_name="length",
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=data,
        data_collator=PadCollator(tokenizer, config.fields),
        optimizers=(optimizer, None),
    )
    checkpoint = resume and any((out_dir / CHECKPOINTS_DIR).glob("checkpoint-*"))
    started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=True if checkpoint else None)
    metrics = {
        "train_loss": float(result.training_loss),
        "train_seconds": round(time.perf_counter() - started, 1),
        "train_rows": len(data),
        "steps": int(result.global_step),
    }
    meta = {
        "model_id": f"{config.name}@{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}",
        "label_maps": label_maps,
        "config": config.model_dump(),
        "encoder_source": encoder_path,
        "class_weights": weights,
        "temperatures": {f: 1.0 for f in config.fields},
    }
    model = trainer.model.to("cpu").eval()
    speaker_tagger = None
    if config.speaker_tagger and tagger:
        started = time.perf_counter()
        speaker_tagger = fit_tagger(config, dataset, progress)
        metrics["tagger_seconds"] = round(time.perf_counter() - started, 1)
        meta["speaker_tagger"] = speaker_tagger.meta
    predictor = Predictor(model, tokenizer, meta, tagger=speaker_tagger)
    if save:
        save_model(model, tokenizer, out_dir, meta)
        save_calibration(activation_maxima(predictor, dataset["text"], model_contexts(dataset, config)), out_dir)
        if speaker_tagger is not None:
            speaker_tagger.save(out_dir / TAGGER_DIR)
    return predictor, metrics


def train(config: TrainConfig, out_dir: Path | str | None = None, resume: bool = False, progress: bool = True) -> Path:
    """Check config and corpus, fine-tune on the whole corpus and write the model folder; returns its path."""
    files = config.data_files()
    check_corpus(files)
    test_docs = load_test_split(config)
    out = Path(out_dir) if out_dir is not None else config.output_dir()
    out.mkdir(parents=True, exist_ok=True)
    dataset = load_corpus(files)
    train_rows, held_out = split_rows(dataset["doc_id"], test_docs)
    dataset = dataset.select(train_rows)
    predictor, metrics = fit(config, dataset, out, resume=resume, progress=progress)
    meta = predictor.meta
    meta["data"] = {
        "files": [str(f) for f in files],
        "sha256": data_hash(config.hashed_files()),
        "rows": len(dataset),
        "by_source": {s: int(n) for s, n in zip(*np.unique(dataset["source"], return_counts=True))},
        "test_split": None if config.test_split is None else {
            "file": str(config.test_split_file()), "articles": len(test_docs), "rows_held_out": len(held_out)},
    }
    meta["versions"] = package_versions()
    write_meta(out, meta)
    write_metrics(out, {"train": metrics})
    write_card(out)
    adopt_evaluation(config, out)
    return out


def adopt_evaluation(config: TrainConfig, out: Path, evaluation: Path | None = None) -> Recorded:
    """Take temperatures and cross-validated metrics from ``reports/<name>/evaluation.json`` when that
    evaluation ran this very config on this very data (same config, same data hash); else leave T = 1."""
    path = evaluation or config.evaluation_file()
    if not path.is_file():
        return Recorded(False, f"no evaluation at {path}")
    return record_evaluation(json.loads(path.read_text(encoding="utf-8")), out)


def calibrate_int8(model_dir: Path | str, files: Sequence[Path] | None = None) -> Path:
    """Record the int8 activation maxima of a model folder trained before they were stored (its training files by
    default)."""
    predictor = load_model(model_dir)
    if files is None:
        recorded = predictor.meta.get("data", {}).get("files")
        if not recorded:
            raise ValueError(f"{Path(model_dir) / META_FILE}: no training files recorded; name the corpus files")
        files = [Path(f) for f in recorded]
    dataset = load_corpus(files)
    contexts = predictor.corpus_contexts(dataset["doc_id"], dataset["text"])
    return save_calibration(activation_maxima(predictor, dataset["text"], contexts), model_dir)
