"""The evaluation: grouped cross-validation over the real training articles, the real test split, a learning curve.

- Cross-validation: each fold holds out whole real articles (seed and gathered real ones, never the test split),
  trains on the other real articles plus every written sentence, and scores only the held-out real sentences.
- Test split: the model trained on everything but the test split (as ``stance train`` trains it), scored on the
  test split's articles, against the baselines trained on the same rows.
- Learning curve: test-split macro-F1 after training on 0, 25, 50 and 100% of the real training articles.
All systems see exactly the same rows in the same run. Probabilities are calibrated by temperature scaling fitted
on the *other* folds' out-of-fold logits (cross-fitted), so the calibrated ECE is an honest held-out figure; the
test split is scored with the temperatures the cross-validation fitted, never with ones fitted on it.

The result is written to ``reports/<name>/evaluation.json`` and recorded in the model folder
(:func:`pipeline.model.folder.record_evaluation`: temperatures, cross-validated metrics, model card) only when
the evaluated configuration, folds included, is the one that model was trained with, on the same data; an
evaluation of any other configuration leaves the model untouched and says why in ``result["model"]``.
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import datetime, UTC
from pathlib import Path

import numpy as np

from ..annotation.corpus import article_folds, data_hash, load_corpus, split_rows
from ..config import TrainConfig, resolve_encoder, speaker_thresholds
from ..model.features import previous_sentences
from ..model.folder import FINETUNED, Recorded, evaluation_mismatch, load_model, record_evaluation
from ..model.predictor import Predictor
from ..model.train import check_corpus, fit, load_test_split, model_contexts
from ..schema import LABELS
from .baselines import BASELINES, TEST_PEERS, embed, fit_predict, peer_unavailable
from .calibration import expected_calibration_error, fit_temperature, softmax
from .attribution import score_found
from .job_side import (LABELLING_JOB, corpus_attribution_parts, job_predictions, job_sides, tagged_attribution,
                       threshold_grid)

from .metrics import field_metrics

#: (min_confidence, author_confidence) pairs of the speaker head tried on cross-validation (1.01: never).
SPEAKER_HEAD_GRID = ((0.8, 0.8), (0.9, 0.8), (0.9, 0.9), (0.9, 1.01), (0.95, 0.9), (1.01, 0.8), (1.01, 1.01))

#: Shares of the real training articles the learning curve trains on (seed and written sentences always in).
LEARNING_CURVE = (0.0, 0.25, 0.5, 1.0)


def cross_fitted_calibration(logits: np.ndarray, gold: np.ndarray, fold_of: np.ndarray) -> tuple[float, float, float]:
    """(ECE raw, ECE after temperatures fitted on the other folds, temperature fitted on all folds)."""
    calibrated = np.zeros_like(logits)
    for k in np.unique(fold_of):
        sel = fold_of == k
        t = fit_temperature(logits[~sel], gold[~sel]) if (~sel).any() else 1.0
        calibrated[sel] = softmax(logits[sel], t)
    return (expected_calibration_error(softmax(logits), gold), expected_calibration_error(calibrated, gold),
            fit_temperature(logits, gold))


def corpus_context_column(ds, config: TrainConfig) -> np.ndarray:
    """Every row's context segment as the config builds it ('' everywhere when it reads none)."""
    composed = model_contexts(ds, config)
    return np.asarray(composed if composed is not None else [""] * len(ds), dtype=object)


def fit_and_predict(config: TrainConfig, ds, train_rows: np.ndarray, test_rows: np.ndarray,
                    baselines: tuple[str, ...] = (), emb: np.ndarray | None = None, progress: bool = True,
                    trained: Predictor | None = None, contexts: np.ndarray | None = None,
                    states: list | None = None,
                    ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, np.ndarray]]]:
    """Train the fine-tuned model (and each baseline) on ``train_rows`` and predict ``test_rows``:
    (fine-tuned logits per field, predicted label ids per system and field). ``trained``: a model already trained
    with this config on exactly these rows, used instead of training it again. ``contexts``: every row's context
    segment (:func:`corpus_context_column`), when the caller has built it once for several calls. ``states``: a list
    to fill with the learned attributor's reading of each of ``test_rows`` (config ``speaker_tagger``, else
    ``speaker_head``); without it the config's speaker tagger is not trained."""
    fields = list(config.fields)
    texts = np.asarray(ds["text"], dtype=object)
    contexts = corpus_context_column(ds, config) if contexts is None else contexts
    if trained is not None:
        predictor = trained
    else:
        with tempfile.TemporaryDirectory() as tmp:
            predictor, _ = fit(config, ds.select(train_rows), Path(tmp), progress=progress, save=False,
                               tagger=states is not None)
    if states is not None and predictor.tagger is not None:
        previous = np.asarray(previous_sentences(list(ds["doc_id"]), list(texts)), dtype=object)
        states.extend(predictor.tagger_states(list(texts[test_rows]), list(previous[test_rows])))
        states = None
    lg = predictor.logits(list(texts[test_rows]), list(contexts[test_rows]), states=states)
    preds: dict[str, dict[str, np.ndarray]] = {FINETUNED: {f: lg[f].argmax(1) for f in fields}}
    for b in baselines:
        preds[b] = {}
        for f in fields:
            gold = np.asarray(ds[f])
            preds[b][f] = fit_predict(b, texts[train_rows], gold[train_rows], texts[test_rows], config.seed,
                                      None if emb is None else emb[train_rows], None if emb is None else emb[test_rows],
                                      encoder=config.encoder)
    return {f: lg[f] for f in fields}, preds


def attribution_scores(ds, rows: np.ndarray, found: list, side_probs: np.ndarray | None = None,
                       claims: np.ndarray | None = None, fold_of: np.ndarray | None = None) -> dict:
    """Speaker-name and side accuracy of ``found`` (one per row of ``rows``) against the gold speakers, on gold units;
    with the classifier's ``side_probs`` (and claims) of those rows, also the macro-F1 (mean over ``fold_of``, as the
    systems table has it) of the side the labelling job writes from them, so that two attributions are compared on
    the job's figure too."""
    speakers, sides = ds["speaker"], ds["speaker_side"]
    side_names = ds.features["speaker_side"].names
    out = score_found(found, [speakers[int(r)] for r in rows], [side_names[sides[int(r)]] for r in rows])
    if side_probs is not None:
        gold = np.asarray(sides)[rows]
        folds = np.zeros(len(rows), dtype=int) if fold_of is None else fold_of
        out["job_side_macro_f1"] = field_metrics(gold, job_sides(found, side_probs, claims=claims), folds,
                                                 list(side_names))["macro_f1_mean"]
    return out


def learned_attribution(ds, rows: np.ndarray, found: list, rules: list, states: list | None, learned: str,
                        thresholds: dict, side_probs: np.ndarray, claims: np.ndarray | None,
                        fold_of: np.ndarray | None = None) -> tuple[list, dict | None]:
    """The attribution the labelling job writes for ``rows`` and, where the model has a learned attributor (``states``
    of those rows, ``learned`` its name), the scores of the rules alone against with it: ``found`` / ``rules`` are
    :func:`.job_side.corpus_attribution_parts` of every corpus row. Without states: the rules' attribution, no scores."""
    rows_found = [found[i] for i in rows]
    if not states:
        return rows_found, None
    tagged = tagged_attribution(list(ds["doc_id"]), list(ds["text"]), rows, states, **thresholds, rules=rules)
    return tagged, {"rules": attribution_scores(ds, rows, rows_found, side_probs, claims, fold_of),
                    f"with_{learned}": attribution_scores(ds, rows, tagged, side_probs, claims, fold_of)}


def speaker_head_grid(ds, rows: np.ndarray, states: list, grid=SPEAKER_HEAD_GRID,
                      rules: list | None = None) -> dict[str, dict]:
    """Attribution accuracy on the cv rows at each (min_confidence, author_confidence) pair of the learned attributor
    (speaker head or tagger): choose the config's thresholds here, never on the test split. ``rules``: the rules'
    finding for every corpus row, walked once (:func:`.job_side.corpus_attribution_parts`)."""
    texts, doc_ids = list(ds["text"]), list(ds["doc_id"])
    return {f"{a:g}/{b:g}": attribution_scores(ds, rows, tagged_attribution(doc_ids, texts, rows, states, a, b, rules))
            for a, b in grid}


def scored_section(ds, rows: np.ndarray, fold_of: np.ndarray, preds: dict, logits: dict | None,
                   temperatures: dict[str, float], fields: list[str]) -> dict:
    """Metrics per system and field, and one prediction row per sentence, for the given scored rows."""
    gold_all = {f: np.asarray(ds[f]) for f in fields}
    columns = {c: ds[c] for c in ("id", "doc_id", "text", "context")}  # each column read once, not once a row
    systems = {s: {f: field_metrics(gold_all[f][rows], preds[s][f], fold_of, list(LABELS[f])) for f in fields}
               for s in preds}
    predictions = []
    for j, row in enumerate(rows):
        item = {
            **{c: values[int(row)] for c, values in columns.items()}, "fold": int(fold_of[j]),
            "gold": {f: LABELS[f][gold_all[f][row]] for f in fields},
            "pred": {s: {f: LABELS[f][preds[s][f][j]] for f in fields} for s in preds},
        }
        if logits is not None:
            probs = {f: softmax(logits[f][j], temperatures.get(f, 1.0)) for f in fields}
            item["confidence"] = {f: float(probs[f].max()) for f in fields}
            item["probs"] = {f: {lab: round(float(p), 5) for lab, p in zip(LABELS[f], probs[f])} for f in fields}
        predictions.append(item)
    return {"n_sentences": len(rows), "n_articles": len({p["doc_id"] for p in predictions}),
            "systems": systems, "predictions": predictions}


def calibration_on(section: dict, logits: dict, rows_gold: dict, temperatures: dict) -> None:
    for f, lg in logits.items():
        section["systems"][FINETUNED][f].update({
            "ece": expected_calibration_error(softmax(lg), rows_gold[f]),
            "ece_calibrated": expected_calibration_error(softmax(lg, temperatures.get(f, 1.0)), rows_gold[f]),
            "temperature": temperatures.get(f, 1.0),
        })


def evaluate(config: TrainConfig, out_path: Path | str | None = None, n_folds: int | None = None,
             baselines: tuple[str, ...] = BASELINES, progress: bool = True, command: str = "stance evaluate",
             model_dir: Path | str | None = None, cross_validation: bool = True, test: bool = True,
             learning_curve: tuple[float, ...] = LEARNING_CURVE, fold_seed: int | None = None,
             record: bool = True, test_peers: tuple[str, ...] | None = None) -> dict:
    """Cross-validate over the real training articles, then score the real test split (fine-tuned model trained on
    everything but the test split, against the baselines on the same rows) and the learning curve; record it in
    the model folder ``model_dir`` (default ``models/<name>/``) where it evaluated that model's own configuration,
    and write the evaluation JSON (see module doc); returns it. ``fold_seed``: the seed of the article folds (default
    the config's; an ablation keeps its base config's folds); ``record=False`` never touches a model folder; ``test_peers``: the peers of the test split (default: the
    ``baselines``, plus SetFit when they are the standard ones; a peer that cannot run here is listed with its reason)."""
    files = config.data_files()
    check_corpus(files)
    test_docs = load_test_split(config)  # always held out of the folds; ``test`` only decides whether it is scored
    ds = load_corpus(files)
    fields = list(config.fields)
    gold_all = {f: np.asarray(ds[f]) for f in fields}
    sources, doc_ids = np.asarray(ds["source"]), np.asarray(ds["doc_id"])
    pool, test_rows = split_rows(doc_ids, test_docs)
    n_folds = n_folds or config.eval_folds
    evaluated = config if n_folds == config.eval_folds else config.model_copy(update={"eval_folds": n_folds})
    emb = embed(list(ds["text"]), resolve_encoder(config.encoder)) if "minilm_logreg" in baselines else None
    contexts = corpus_context_column(ds, config)  # built once (attribution included) for every prediction below
    started = time.perf_counter()
    result: dict = {
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": evaluated.model_dump(),
        "data_sha256": data_hash(config.hashed_files()),
        "fold_seed": config.seed if fold_seed is None else fold_seed,
    }

    #: The learned attributor whose reading is scored beside the rules ("" for none), and its thresholds.
    learned = "speaker_tagger" if config.speaker_tagger else "speaker_head" if config.speaker_head else ""
    thresholds = speaker_thresholds(config.model_dump())
    temperatures = {f: 1.0 for f in fields}
    # attribution of every row, and the rules' own finding, worked out once when the labelling job's side is scored
    rules_all: list = []
    found: list = []
    if cross_validation:
        folds = [(pool[tr], pool[te]) for tr, te in article_folds(doc_ids[pool], sources[pool], n_folds,
                                                                 config.seed if fold_seed is None else fold_seed)]
        cv_rows = np.concatenate([te for _, te in folds])
        fold_of = np.concatenate([np.full(len(te), k) for k, (_, te) in enumerate(folds)])
        preds = {s: {f: np.zeros(len(cv_rows), dtype=int) for f in fields} for s in (FINETUNED, *baselines)}
        logits = {f: np.zeros((len(cv_rows), len(LABELS[f])), dtype=np.float32) for f in fields}
        fold_info, pos = [], 0
        cv_states: list = []  # the speaker head's reading of every cv row (config speaker_head)
        for k, (tr, te) in enumerate(folds):
            span = slice(pos, pos + len(te))
            pos += len(te)
            fold_info.append({"fold": k, "test_docs": sorted(set(doc_ids[te])), "n_train": len(tr), "n_test": len(te)})
            if progress:
                print(f"fold {k + 1}/{len(folds)}: {len(fold_info[-1]['test_docs'])} articles held out ({len(te)} sentences)", flush=True)
            st: list | None = [] if learned else None
            lg, pr = fit_and_predict(config, ds, tr, te, baselines, emb, progress, contexts=contexts, states=st)
            cv_states += st or []
            for f in fields:
                logits[f][span] = lg[f]
                for s in pr:
                    preds[s][f][span] = pr[s][f]
        calibration = {f: cross_fitted_calibration(logits[f], gold_all[f][cv_rows], fold_of) for f in fields}
        for f, (ece, ece_cal, t) in calibration.items():
            temperatures[f] = t if ece_cal < ece else 1.0  # apply scaling only where it helped held-out ECE
        if "speaker_side" in fields:
            if not found:
                rules_all, found = corpus_attribution_parts(list(doc_ids), list(ds["text"]))
            side_probs = softmax(logits["speaker_side"], temperatures["speaker_side"])
            claims = preds[FINETUNED].get("claim")
            if cv_states:
                result[f"{learned}_thresholds"] = speaker_head_grid(ds, cv_rows, cv_states, rules=rules_all)
            cv_found, scores = learned_attribution(ds, cv_rows, found, rules_all, cv_states, learned, thresholds,
                                                   side_probs, claims, fold_of)
            if scores is not None:
                result["attribution"] = {"cross_validation": scores}
            preds[LABELLING_JOB] = job_predictions(preds[FINETUNED], cv_found, side_probs)
            result["job_side_thresholds"] = threshold_grid(cv_found, side_probs, gold_all["speaker_side"][cv_rows],
                                                           claims=claims)
        section = scored_section(ds, cv_rows, fold_of, preds, logits, temperatures, fields)
        for f, (ece, ece_cal, t) in calibration.items():
            section["systems"][FINETUNED][f].update({"ece": ece, "ece_calibrated": ece_cal, "temperature": t})
        result.update({"n_folds": len(folds), "folds": fold_info, "temperatures": temperatures,
                       "systems": section["systems"], "predictions": section["predictions"]})

    model_dir = Path(model_dir) if model_dir is not None else config.output_dir()
    if test and len(test_rows):
        # the model folder trained with this very config on this very data is the test-split model: score it
        trained = load_model(model_dir) if evaluation_mismatch(result, model_dir) is None else None
        temperatures_from = "cross-validation" if cross_validation else "none (T = 1)"
        if not cross_validation and trained is not None and trained.meta.get("temperatures_from"):
            # no cross-validation to fit them: the model folder's own, fitted on gold it never saw (score_model)
            temperatures = {f: float(trained.meta["temperatures"].get(f, 1.0)) for f in fields}
            temperatures_from = trained.meta["temperatures_from"]
        if progress:
            print(f"test split: {len(set(doc_ids[test_rows]))} articles ({len(test_rows)} sentences); "
                  + (f"scoring {model_dir}, trained on the other {len(pool)} sentences" if trained is not None
                     else f"training on the other {len(pool)} sentences"), flush=True)
        peers = test_peers if test_peers is not None else (TEST_PEERS if tuple(baselines) == BASELINES else baselines)
        unavailable = {b: why for b in peers if (why := peer_unavailable(b))}
        peers = tuple(b for b in peers if b not in unavailable)
        test_states: list | None = [] if learned else None
        lg, pr = fit_and_predict(config, ds, pool, test_rows, peers, emb, progress, trained=trained, contexts=contexts,
                                 states=test_states)
        test_attribution = None
        if "speaker_side" in fields:
            if not found:
                rules_all, found = corpus_attribution_parts(list(doc_ids), list(ds["text"]))
            side_probs = softmax(lg["speaker_side"], temperatures["speaker_side"])
            test_found, test_attribution = learned_attribution(ds, test_rows, found, rules_all, test_states, learned,
                                                               thresholds, side_probs, pr[FINETUNED].get("claim"))
            pr[LABELLING_JOB] = job_predictions(pr[FINETUNED], test_found, side_probs)
        section = scored_section(ds, test_rows, np.zeros(len(test_rows), dtype=int), pr, lg, temperatures, fields)
        calibration_on(section, lg, {f: gold_all[f][test_rows] for f in fields}, temperatures)
        section.update({"split_file": str(config.test_split_file()), "n_train": len(pool), "temperatures": temperatures,
                        "temperatures_from": temperatures_from,
                        "model": str(model_dir) if trained is not None else "trained by this evaluation",
                        "peers_unavailable": unavailable})
        if test_attribution is not None:
            section["attribution"] = test_attribution
        result["test"] = section
        if learning_curve:
            result["learning_curve"] = _learning_curve(config, ds, pool, test_rows, learning_curve,
                                                       section["systems"][FINETUNED], progress, contexts)
    elif test and progress:
        print("no article of the test split is in the data: no test section", flush=True)

    result["seconds"] = round(time.perf_counter() - started, 1)
    if not record:
        recorded = Recorded(False, "not recorded: record=False (an ablation variant)")
    else:
        recorded = record_evaluation(result, model_dir) if "systems" in result else Recorded(False, "no cross-validation")
    result["model"] = {"dir": str(model_dir), "recorded": recorded.recorded, "reason": recorded.reason}
    out = Path(out_path) if out_path else config.evaluation_file()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    return result


def _learning_curve(config: TrainConfig, ds, pool: np.ndarray, test_rows: np.ndarray, fractions: tuple[float, ...],
                    full: dict, progress: bool, contexts: np.ndarray | None = None) -> dict:
    """Test-split macro-F1 per field after training on a growing share of the real training articles (the seed
    and written sentences always in); 100% is the test-split model itself."""
    fields = list(config.fields)
    sources, doc_ids = np.asarray(ds["source"]), np.asarray(ds["doc_id"])
    real_docs = sorted(set(doc_ids[pool][sources[pool] == "real"]))
    order = list(np.random.default_rng(config.seed).permutation(len(real_docs)))
    curve: dict = {"fractions": [], "n_real_articles": [], "n_train": [], "macro_f1": {f: [] for f in fields}}
    for frac in sorted(fractions):
        k = int(round(frac * len(real_docs)))
        if k >= len(real_docs):
            scores, n_train = {f: full[f]["macro_f1_mean"] for f in fields}, len(pool)
        else:
            keep = {real_docs[i] for i in order[:k]}
            rows = pool[(sources[pool] != "real") | np.isin(doc_ids[pool], sorted(keep))]
            if progress:
                print(f"learning curve: {frac:.0%} of the real training articles ({k}), {len(rows)} sentences", flush=True)
            _, pr = fit_and_predict(config, ds, rows, test_rows, (), None, progress, contexts=contexts)
            gold = {f: np.asarray(ds[f])[test_rows] for f in fields}
            zero = np.zeros(len(test_rows), dtype=int)
            scores = {f: field_metrics(gold[f], pr[FINETUNED][f], zero, list(LABELS[f]))["macro_f1_mean"] for f in fields}
            n_train = len(rows)
        curve["fractions"].append(frac)
        curve["n_real_articles"].append(k)
        curve["n_train"].append(n_train)
        for f in fields:
            curve["macro_f1"][f].append(scores[f])
    return curve


def summary_table(result: dict) -> str:
    """Macro-F1 mean ± sd per field (rows) and system (columns), as a Markdown table."""
    systems = list(result["systems"])
    fields = list(result["systems"][systems[0]])
    lines = ["| field | " + " | ".join(systems) + " |", "|---|" + "---|" * len(systems)]
    for f in fields:
        cells = [f"{result['systems'][s][f]['macro_f1_mean']:.3f} ± {result['systems'][s][f]['macro_f1_std']:.3f}" for s in systems]
        lines.append(f"| {f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
