"""SetFit as a peer system: contrastive fine-tuning of the sentence encoder on label pairs, then a logistic head.

One SetFit model per field (the contrastive pairs are defined by that field's labels), on the sentence alone like
the other peers, with the same encoder as the fine-tuned model and the same logistic-regression head as
``minilm_logreg`` (passed in by the caller), so the difference to that peer is the contrastive stage alone.
Needs the optional extra ``peers`` (``pip install -e '.[peers]'``: setfit 1.2.0); without it :class:`PeerUnavailable`
says so. The encoder is built from its folder directly (safetensors), never with ``SetFitModel.from_pretrained``,
which would unpickle a ``model_head.pkl`` if one lay there.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..config import SetFitConfig

#: How to install what this peer needs; the text of every :class:`PeerUnavailable` it raises.
INSTALL_HINT = "the setfit peer needs the optional extra 'peers': pip install -e '.[peers]' (setfit==1.2.0)"


class PeerUnavailable(RuntimeError):
    """A peer system that cannot run here; the message is the reason an evaluation records."""


def unavailable_reason() -> str | None:
    """Why the SetFit peer cannot run (setfit missing or broken), or None when it can."""
    try:
        import setfit  # noqa: F401
    except Exception as e:  # an incompatible install fails with other errors than ImportError
        return f"{INSTALL_HINT}; import failed: {type(e).__name__}: {e}"
    return None


def train_setfit(train_texts: Sequence[str], train_y: np.ndarray, encoder_path: str, head, seed: int = 13,
                 cap: SetFitConfig | None = None, progress: bool = False):
    """One field's SetFit model, trained: the encoder tuned on sentence pairs of that field (same label or not,
    ``cap.max_steps`` x ``cap.batch_size`` pairs, one pass), then ``head`` (an unfitted sklearn classifier) fitted
    on the tuned embeddings. Returns the ``setfit.SetFitModel``."""
    reason = unavailable_reason()
    if reason:
        raise PeerUnavailable(reason)
    import datasets
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer
    from setfit import SetFitModel, Trainer, TrainingArguments
    from transformers.trainer_callback import ProgressCallback

    cap = cap or SetFitConfig()
    train_y = np.asarray(train_y)
    if len(train_texts) != len(train_y):
        raise ValueError(f"{len(train_texts)} training texts but {len(train_y)} labels")
    quiet = [logging.getLogger(n) for n in ("setfit", "sentence_transformers", "transformers")]
    levels = [q.level for q in quiet]
    bars = datasets.is_progress_bar_enabled(), transformers.utils.logging.is_progress_bar_enabled()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            if not progress:
                datasets.disable_progress_bars()
                transformers.utils.logging.disable_progress_bar()
                for q in quiet:
                    q.setLevel(logging.WARNING)
            torch.manual_seed(seed)
            body = SentenceTransformer(encoder_path, device="cpu", trust_remote_code=False)
            body.max_seq_length = cap.max_seq_length
            model = SetFitModel(model_body=body, model_head=head)
            args = TrainingArguments(
                output_dir=tmp, batch_size=cap.batch_size, num_epochs=1, max_steps=cap.max_steps,
                body_learning_rate=cap.body_learning_rate, warmup_proportion=cap.warmup_proportion, seed=seed,
                max_length=cap.max_seq_length, save_strategy="no", logging_strategy="no", eval_strategy="no",
                report_to="none", show_progress_bar=progress,
            )
            data = datasets.Dataset.from_dict({"text": list(train_texts), "label": train_y.tolist()})
            trainer = Trainer(model=model, args=args, train_dataset=data)
            trainer.st_trainer.args.dataloader_pin_memory = False  # CPU: pinning only warns
            if not progress:  # setfit does not pass show_progress_bar on to the contrastive stage's trainer
                trainer.st_trainer.remove_callback(ProgressCallback)
            trainer.train()
        finally:
            for q, level in zip(quiet, levels):
                q.setLevel(level)
            if bars[0]:
                datasets.enable_progress_bars()
            if bars[1]:
                transformers.utils.logging.enable_progress_bar()
    return model


def fit_predict_setfit(train_texts: Sequence[str], train_y: np.ndarray, test_texts: Sequence[str], encoder_path: str,
                       head, seed: int = 13, cap: SetFitConfig | None = None, progress: bool = False) -> np.ndarray:
    """Train one field's SetFit model (:func:`train_setfit`) and return the test rows' predicted label ids."""
    train_y = np.asarray(train_y)
    model = train_setfit(train_texts, train_y, encoder_path, head, seed, cap, progress)
    if len(test_texts) == 0:
        return np.zeros(0, dtype=train_y.dtype)
    pred = model.predict(list(test_texts), batch_size=64, as_numpy=True, use_labels=False, show_progress_bar=progress)
    return np.asarray(pred).astype(train_y.dtype)


def fit_predict_fields(train_texts: Sequence[str], train_labels: Mapping[str, np.ndarray], test_texts: Sequence[str],
                       encoder_path: str, head: Callable[[], object], seed: int = 13, cap: SetFitConfig | None = None,
                       progress: bool = False) -> dict[str, np.ndarray]:
    """One SetFit model per field, all on the same rows: predicted label ids of ``test_texts`` per field.
    ``head``: builds a fresh unfitted classifier for each field. A field with one training label predicts it."""
    out: dict[str, np.ndarray] = {}
    for field, y in train_labels.items():
        y = np.asarray(y)
        if len(np.unique(y)) < 2:
            out[field] = np.full(len(test_texts), y[0] if len(y) else 0)
            continue
        out[field] = fit_predict_setfit(train_texts, y, test_texts, encoder_path, head(), seed, cap, progress)
    return out
