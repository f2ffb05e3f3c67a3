"""The model card (README.md of a model folder), rendered from what the folder itself records."""

from __future__ import annotations

from pathlib import Path


def _context_words(cfg: dict) -> str:
    """What the context segment of this model's input holds, in words (from its config's context options)."""
    parts = [label for key, default, label in (
        ("speaker_input", False, "the speaker and side attribution finds"), ("context_headline", False, "the headline"),
        ("use_context", True, "the previous sentence"), ("context_next", False, "the next sentence"),
    ) if cfg.get(key, default)]
    return ", ".join(parts) if parts else "nothing (the sentence alone)"


def _tagger_words(meta: dict, metrics: dict) -> str:
    """A sentence on the speaker tagger kept in the folder, where the model has one ('' otherwise)."""
    tagger = meta.get("speaker_tagger")
    if not tagger:
        return ""
    return (f"\nSpeaker tagger (`speaker-tagger/`): the encoder fine-tuned for {tagger.get('epochs', '?')} epochs on "
            f"{tagger.get('sentences', '?')} real and seed sentences, in "
            f"{metrics.get('train', {}).get('tagger_seconds', '?')} s; `stance label` combines its reading with the "
            "attribution rules.")


def _table(rows: list[list[str]]) -> str:
    head, *body = rows
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    return "\n".join(lines)


def render_card(meta: dict, metrics: dict) -> str:
    """The model card's Markdown from a folder's ``pipeline.json`` and ``metrics.json`` (cross-validated figures
    where an evaluation was recorded); :func:`pipeline.model.folder.write_card` writes it."""
    cfg = meta["config"]
    data = meta.get("data", {})
    cv = metrics.get("cross_validation")
    if cv:
        rows = [["field", "macro-F1 (mean ± sd over folds)", "accuracy", "ECE raw -> with temperature"]]
        for field, m in cv.items():
            rows.append([field, f"{m['macro_f1_mean']:.3f} ± {m['macro_f1_std']:.3f}", f"{m['accuracy_mean']:.3f}",
                         f"{m.get('ece', float('nan')):.3f} -> {m.get('ece_calibrated', float('nan')):.3f}"])
        cv_text = (f"Grouped cross-validation over the real training articles (whole articles held out; written "
                   f"sentences train only), from `{metrics.get('command', 'stance evaluate')}`:\n\n" + _table(rows))
        test = metrics.get("test_split")
        if test:
            systems = list(test["macro_f1"])
            rows = [["field", *systems, "ECE (CV temperatures)"]]
            for field in test["macro_f1"][systems[0]]:
                ece = (test.get("ece_calibrated") or {}).get(field)
                rows.append([field, *(f"{test['macro_f1'][s][field]:.3f}" for s in systems),
                             "" if ece is None else f"{ece:.3f}"])
            cv_text += (f"\n\nThe real test split ({test['articles']} articles, {test['sentences']} sentences never trained on), "
                        "macro-F1 over the labels present:\n\n" + _table(rows))
    else:
        cv_text = "Not yet evaluated: run `stance evaluate --config <config>` to add cross-validated figures."
    text = f"""# {cfg['name']}: speaker-side, stance, claim and topic classifier

Model id `{meta.get('model_id')}`. Encoder `{cfg['encoder']}` fine-tuned with one linear head per field
({', '.join(meta['label_maps'])}) on (sentence, context) pairs; the context holds {_context_words(cfg)}.

## Intended use
Labelling sentences of English-language news about Japan-Russia-US security relations (the Northern
Territories / Southern Kurils, missile defence, deployments, peace-treaty talks) with the schema of
`annotations/GUIDELINES.md`, for analysts who review the output. Not for other domains, other languages,
or decisions about people without a human in the loop.

## Data
{data.get('rows', '?')} sentences ({', '.join(f'{k}: {v}' for k, v in data.get('by_source', {}).items())}),
files {', '.join(f'`{Path(f).name}`' for f in data.get('files', []))}, sha256 `{data.get('sha256', '?')}`.
Seed and real sentences come from real news articles (the real test split's articles are held out of training);
written sentences were composed for training only.

## Training
{', '.join(f'{k}={cfg[k]}' for k in ('epochs', 'learning_rate', 'head_learning_rate', 'batch_size', 'max_length', 'seed', 'class_weighting'))};
train loss {metrics.get('train', {}).get('train_loss', float('nan')):.4f} in {metrics.get('train', {}).get('train_seconds', '?')} s.{_tagger_words(meta, metrics)}
Package versions: {', '.join(f'{k} {v}' for k, v in meta.get('versions', {}).items())}.

## Metrics
{cv_text}

## Limits
The real test split is a few hundred sentences: rare classes (`other` speaker side, `north_korea` topic) have
few examples there and their scores move with single sentences. The annotations were made by language-model
annotator sessions working from the guidelines (two independent passes on a share, adjudicated), not by trained
humans. Written training sentences carry the annotators' reading of public positions. Calibrated probabilities
are only as good as the held-out folds they were fitted on.
"""
    return text
