"""The ``stance`` command line: a thin layer over the library API (each command calls one function)."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


def fail(message: str, code: int = 1) -> None:
    """Print one clear line to stderr and exit non-zero: the CLI's only error path."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


# --- corpus commands (prepare, validate, agreement, labelstudio) -------------------------------------

@app.command()
def prepare(
    seeds: Path = typer.Option(None, help="folder of raw seed articles (default ../shared/seeds)"),
) -> None:
    """Rebuild annotations/articles/<doc_id>.txt by cleaning the seed files named in the manifest."""
    from . import paths
    from .text.articles import prepare_articles

    for p in prepare_articles(seeds or paths.SEEDS):
        typer.echo(f"wrote {p}")


@app.command()
def validate(
    files: list[Path] | None = typer.Argument(
        None, help="annotation files (default: seed, real, written and the second passes in annotations/)"),
    coverage: list[Path] | None = typer.Option(
        None, help="gold file(s) that between them must tile every article (default: seed.jsonl + real.jsonl when no FILES are given)"),
    split: Path | None = typer.Option(
        None, help="a split file whose doc_ids must be labelled articles (default: annotations/splits/test.txt when no FILES are given)"),
    articles: Path | None = typer.Option(None, help="cleaned articles and manifest.jsonl (default annotations/articles)"),
) -> None:
    """Check annotation files against the schema and the articles: every problem as file:line: message; exit 1 if any."""
    from . import paths
    from .annotation.validate import check_coverage, check_split, count_records, validate_files

    articles = articles or paths.ARTICLES
    if not files:
        second = [paths.ANNOTATIONS / "second_pass.jsonl", paths.REAL_SECOND_PASS]
        files = [p for p in (paths.SEED, paths.REAL, paths.WRITTEN) if p.exists()] + [p for p in second if p.exists()]
        gold = [p for p in (paths.SEED, paths.REAL) if p.exists()]
        if not coverage and gold:
            coverage = gold
        if split is None and paths.TEST_SPLIT.exists():
            split = paths.TEST_SPLIT
    problems = validate_files(files, articles)
    if coverage:
        problems += check_coverage(coverage, articles)
    if split is not None:
        problems += check_split(split, coverage or files, articles)
    for problem in problems:
        typer.echo(str(problem))
    typer.echo(f"{len(files)} files, {count_records(files)} records, {len(problems)} problems")
    if problems:
        raise typer.Exit(1)


@app.command("corpus-stats")
def corpus_stats_cmd(
    files: list[Path] | None = typer.Argument(None, help="gold files (default: annotations/seed.jsonl and real.jsonl)"),
    split: Path | None = typer.Option(None, help="test split whose share is shown in brackets (default: annotations/splits/test.txt)"),
) -> None:
    """Articles and sentences per source, outlet side, genre and outlet, and label counts per field (Markdown)."""
    from . import paths
    from .annotation.corpus import read_records
    from .annotation.splits import read_split
    from .annotation.stats import corpus_stats
    from .jsonl import CorpusError

    files = files or [p for p in (paths.SEED, paths.REAL) if p.exists()]
    split = split or (paths.TEST_SPLIT if paths.TEST_SPLIT.exists() else None)
    try:
        records = [r for f in files for r in read_records(f)]
    except CorpusError as e:
        fail(str(e))
    typer.echo(corpus_stats(records, paths.MANIFEST, read_split(split) if split else ()), nl=False)


@app.command("agreement")
def agreement_cmd(
    a: Path = typer.Argument(..., help="annotator A's JSONL (e.g. annotations/seed.jsonl)"),
    b: Path = typer.Argument(..., help="annotator B's JSONL (e.g. annotations/second_pass.jsonl)"),
    fields: list[str] | None = typer.Option(
        None, "--fields", help="label fields to compare, repeated or comma-separated (default: all)"),
) -> None:
    """Inter-annotator agreement over the shared ids: raw agreement, Cohen's kappa, Krippendorff's alpha."""
    from .annotation.agreement import agreement, format_table
    from .annotation.corpus import read_records
    from .jsonl import CorpusError
    from .schema import FIELDS

    chosen = tuple(f.strip() for arg in fields for f in arg.split(",") if f.strip()) if fields else FIELDS
    try:
        result = agreement(read_records(a), read_records(b), fields=chosen)
    except (CorpusError, OSError, ValueError) as e:
        fail(str(e))
    typer.echo(format_table(result))


@app.command("labelstudio-export")
def labelstudio_export(
    files: list[Path] = typer.Argument(..., help="annotation JSONL files to turn into tasks"),
    out: Path = typer.Option(..., "--out", help="Label Studio tasks JSON to write"),
    config_out: Path | None = typer.Option(None, "--config-out", help="also write the labelling config XML here"),
) -> None:
    """Write Label Studio tasks (sentence, previous sentence as context, offsets) and optionally the config XML."""
    from .annotation.corpus import read_records
    from .annotation.labelstudio import export_tasks, labelling_config
    from .jsonl import CorpusError

    try:
        records = [r for f in files for r in read_records(f)]
    except (CorpusError, OSError) as e:
        fail(str(e))
    n = export_tasks(records, out)
    typer.echo(f"wrote {n} tasks to {out}")
    if config_out is not None:
        config_out.write_text(labelling_config(), encoding="utf-8")
        typer.echo(f"wrote {config_out}")


@app.command("labelstudio-import")
def labelstudio_import(
    export: Path = typer.Argument(..., help="Label Studio JSON export (list of tasks with annotations)"),
    out: Path = typer.Option(..., "--out", help="annotation JSONL to write"),
    annotator: str | None = typer.Option(None, help="set this annotator on every record (e.g. B for a second pass)"),
) -> None:
    """Turn a Label Studio JSON export into schema records (latest non-cancelled annotation of each task)."""
    from .annotation.labelstudio import import_export
    from .jsonl import CorpusError, write_jsonl

    try:
        records = import_export(export, annotator=annotator)
    except CorpusError as e:
        fail(str(e))
    write_jsonl(out, records)
    typer.echo(f"wrote {len(records)} records to {out}; {len(records.skipped)} tasks without an annotation skipped")


# --- model commands (train, evaluate) ---------------------------------------------------------------

def _config(config: Path | None, **overrides):
    from .config import ConfigError, load_config

    try:
        return load_config(config, **overrides)
    except ConfigError as e:
        fail(str(e))


@app.command()
def train(
    config: Path | None = typer.Option(None, "--config", "-c", help="TOML config (default: models/default.toml)"),
    out: Path | None = typer.Option(None, help="output folder (default: models/<name>/)"),
    resume: bool = typer.Option(False, help="continue from the last checkpoint in <out>/checkpoints"),
    epochs: float | None = typer.Option(None, help="override the config's epochs"),
    progress: bool = typer.Option(True, help="show progress bars"),
) -> None:
    """Fine-tune the multi-task classifier on the annotation corpus and save it as a model folder."""
    from . import paths
    from .config import ConfigError
    from .model.train import train as run_train

    cfg = _config(config or paths.MODELS / "default.toml", epochs=epochs)
    try:
        folder = run_train(cfg, out, resume=resume, progress=progress)
    except ConfigError as e:
        fail(str(e))
    typer.echo(f"model saved to {folder}")


@app.command()
def evaluate(
    config: Path | None = typer.Option(None, "--config", "-c", help="TOML config (default: models/default.toml)"),
    out: Path | None = typer.Option(None, help="evaluation JSON (default: reports/<name>/evaluation.json)"),
    folds: int | None = typer.Option(None, help="number of article folds (default: the config's eval_folds)"),
    epochs: float | None = typer.Option(None, help="override the config's epochs"),
    baselines: bool = typer.Option(True, help="also run the baselines on the same rows"),
    cv: bool = typer.Option(True, "--cv/--no-cv", help="grouped cross-validation over the real training articles"),
    test: bool = typer.Option(True, "--test/--no-test", help="score the real test split (read it rarely: choose by --cv)"),
    learning_curve: bool = typer.Option(True, help="test-split macro-F1 after 0/25/50/100%% of the real training articles"),
    model: Path | None = typer.Option(None, help="score this trained model folder against --gold instead (no training)"),
    gold: list[Path] | None = typer.Option(None, help="labelled JSONL file(s) to score --model against"),
    fit_temperatures: bool = typer.Option(False, help="with --model/--gold: fit the model's temperatures on the gold (new to it)"),
    progress: bool = typer.Option(True, help="show progress bars"),
    ablation: bool = typer.Option(False, help="also the ablation table (as `stance ablation`; cross-validation only)"),
    variant: list[str] | None = typer.Option(None, "--variant", "-v", help="with --ablation: these variants (default: all)"),
) -> None:
    """Cross-validate over whole real articles, then score the real test split and a learning curve: fine-tuned model
    vs baselines (SetFit among the test split's peers), per-field metrics, calibration; --ablation adds each addition's
    effect on its own. With --model DIR --gold FILE: score a trained model on any gold file."""
    import sys

    from . import paths
    from .config import ConfigError
    from .evaluation.baselines import BASELINES
    from .evaluation.crossval import LEARNING_CURVE, summary_table
    from .evaluation.crossval import evaluate as run_evaluate
    from .evaluation.gold import score_model
    from .jsonl import CorpusError

    command = "stance " + " ".join(sys.argv[1:]) if sys.argv[1:] else "stance evaluate"
    if fit_temperatures and (model is None or not gold):
        fail("--fit-temperatures needs --model and --gold: stance evaluate --model models/default --gold new.jsonl --fit-temperatures", 2)
    if model is not None or gold:
        if model is None or not gold:
            fail("--model and --gold go together: stance evaluate --model models/default --gold my-gold.jsonl", 2)
        try:
            result = score_model(model, gold, out, command=command, fit_temperatures=fit_temperatures)
        except (OSError, ValueError, CorpusError) as e:
            fail(str(e))
        typer.echo(summary_table(result["test"]))
        for f, fit in result["test"].get("temperature_fit", {}).items():
            typer.echo(f"{f}: ECE {fit['ece']:.3f} -> {fit['ece_held_out_folds']:.3f} on held-out folds "
                       f"(T={fit['temperature']:.2f}; applied T={fit['applied']:.2f})")
        if result["model"]["recorded"]:
            typer.echo(f"{model}: {result['model']['reason']}")
        typer.echo(f"evaluation written to {out or paths.REPORTS / model.name / f'gold-{gold[0].stem}.json'}")
        return
    cfg = _config(config or paths.MODELS / "default.toml", epochs=epochs)
    try:
        result = run_evaluate(cfg, out, folds, BASELINES if baselines else (), progress, command=command,
                              cross_validation=cv, test=test, learning_curve=LEARNING_CURVE if learning_curve else ())
    except ConfigError as e:
        fail(str(e))
    if "systems" in result:
        typer.echo("cross-validation over the real training articles (macro-F1 mean ± sd over folds):")
        typer.echo(summary_table(result))
        for f, t in result["temperatures"].items():
            ece = result["systems"]["finetuned"][f]
            typer.echo(f"{f}: ECE {ece['ece']:.3f} -> {ece['ece_calibrated']:.3f} with temperature (applied T={t:.2f})")
    if "test" in result:
        section = result["test"]
        typer.echo(f"real test split ({section['n_articles']} articles, {section['n_sentences']} sentences; macro-F1):")
        typer.echo(summary_table(section))
        for peer, why in section.get("peers_unavailable", {}).items():
            typer.echo(f"peer {peer} not run: {why}")
    if "learning_curve" in result:
        lc = result["learning_curve"]
        typer.echo("learning curve (test-split macro-F1 by share of the real training articles):")
        typer.echo("| field | " + " | ".join(f"{p:.0%} ({k})" for p, k in zip(lc["fractions"], lc["n_real_articles"])) + " |")
        typer.echo("|---|" + "---|" * len(lc["fractions"]))
        for f, scores in lc["macro_f1"].items():
            typer.echo(f"| {f} | " + " | ".join(f"{v:.3f}" for v in scores) + " |")
    typer.echo(f"evaluation written to {out or cfg.evaluation_file()}")
    recorded = result["model"]
    if recorded["recorded"]:
        typer.echo(f"temperatures and evaluation metrics recorded in {recorded['dir']}")
    else:
        typer.echo(f"{recorded['dir']} left untouched: {recorded['reason']}")
    if ablation:
        from .evaluation.ablation import run_ablation

        try:
            summary = run_ablation(cfg, variant or None, None, folds, progress)
        except (ConfigError, ValueError) as e:
            fail(str(e))
        _echo_ablation(summary)


@app.command("ablation")
def ablation_cmd(
    config: Path | None = typer.Option(None, "--config", "-c", help="TOML config (default: models/default.toml)"),
    variant: list[str] | None = typer.Option(None, "--variant", "-v", help="variant(s) to run (default: all)"),
    encoder: list[Path] | None = typer.Option(None, help="also a variant with this encoder checkpoint directory"),
    folds: int | None = typer.Option(None, help="number of article folds (default: the config's eval_folds)"),
    out: Path | None = typer.Option(None, help="folder for the variants' evaluations (default: reports/<name>/ablation)"),
    progress: bool = typer.Option(True, help="show progress bars"),
) -> None:
    """Each addition on its own, by cross-validation over the real training articles (never the test split): the
    config and each variant on the same article folds; finished variants are reused when nothing changed."""
    from . import paths
    from .config import ConfigError
    from .evaluation.ablation import ABLATIONS, run_ablation

    cfg = _config(config or paths.MODELS / "default.toml")
    extra = {f"encoder_{Path(e).name}": {"encoder": str(e)} for e in encoder or []}
    names = list(variant) if variant else list(ABLATIONS)
    names += [n for n in extra if n not in names]
    try:
        summary = run_ablation(cfg, names, out, folds, progress, extra=extra)
    except (ConfigError, ValueError) as e:
        fail(str(e))
    _echo_ablation(summary)


def _echo_ablation(summary: dict) -> None:
    from .evaluation.ablation import ablation_table

    typer.echo("ablation: cross-validated macro-F1 (mean ± sd over folds; change from the config in brackets)")
    typer.echo(ablation_table(summary))


# --- labelling commands (label) ---------------------------------------------------------------------

_LABEL_HELP = (
    "Label every sentence of incoming articles: speaker, speaker_side, stance, claim, topic, with probabilities.\n\n"
    "Resumable: articles listed in OUT/manifest.jsonl are skipped, so running the same command again continues an "
    "interrupted job, and a kill loses no finished article. Unreadable, binary, undecodable, unsupported, empty, too "
    "large or malformed inputs are listed in OUT/errors.jsonl and the batch goes on; every input found is labelled, "
    "skipped or failed. Text in legacy encodings (Windows-1252, Latin-1, ...) and UTF-16/32 with a BOM is decoded "
    "and its encoding recorded in meta.encoding.\n\n"
    "Exit status: 0 when every article was labelled (or was already done); 1 when any article failed (see "
    "OUT/errors.jsonl); 2 when the job cannot start (no model, unknown format or engine, folder in use)."
)


@app.command("label", help=_LABEL_HELP)
def label_cmd(
    inputs: list[Path] = typer.Argument(..., help="files or folders (searched recursively) of .txt, .html, .jsonl and "
                                        ".csv articles, each also as .gz (JSONL: one article a line with id or doc_id, "
                                        "text and any metadata; CSV: a header row, then one article a row)"),
    out: Path = typer.Option(..., "--out", help="job folder: shards, manifest.jsonl, errors.jsonl, labels.<format>"),
    model: Path = typer.Option(Path("models/default"), "--model", help="trained model folder"),
    fmt: str = typer.Option("jsonl", "--format", help="combined output: jsonl, parquet or csv"),
    engine: str = typer.Option("local", "--engine", help="local, or ray (Ray Data model actors; needs the ray extra)"),
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="sentences per forward pass"),
    precision: str = typer.Option("fp32", "--precision", help="fp32 (exact); bf16 (fast where the CPU has AMX or "
                                  "AVX512-BF16); int8 (smoothed dynamic quantisation); auto (bf16 where native, else "
                                  "fp32). Reduced precisions re-score near-ties in fp32"),
    backend: str = typer.Option("auto", "--backend", help="what runs fp32: onnx (ONNX Runtime, exported once into "
                                "the model folder; needs the onnx extra), torch, or auto (onnx where installed)"),
    max_bytes: int = typer.Option(20 * 1024 * 1024, "--max-bytes", min=1,
                                  help="largest article accepted (a .txt/.html file or one JSONL line), in bytes"),
    id_field: str | None = typer.Option(None, "--id-field", help="JSONL/CSV field of the article id (default: id, "
                                        "else doc_id)"),
    text_field: str | None = typer.Option(None, "--text-field", help="JSONL/CSV field of the text (default: text), "
                                          "e.g. body or content"),
    title_field: str | None = typer.Option(None, "--title-field", help="JSONL/CSV field recorded as meta.title "
                                           "(default: title), e.g. headline"),
    date_field: str | None = typer.Option(None, "--date-field", help="JSONL/CSV field recorded as meta.date "
                                          "(default: date)"),
    speakers: str = typer.Option("model", "--speakers", help="model: the attribution rules with the model's speaker "
                                 "tagger (or head), where it has one; rules: the rules alone (no second encoder pass: "
                                 "faster, less accurate)"),
    no_progress: bool = typer.Option(False, "--no-progress", help="no progress bar"),
) -> None:
    """Label incoming articles sentence by sentence into a resumable job folder (full help: _LABEL_HELP)."""
    from .labelling import JobError, label_paths
    from .text.readers import Fields

    fields = Fields.of(id=id_field, text=text_field, title=title_field, date=date_field)
    try:
        summary = label_paths(inputs, out, model_dir=model, fmt=fmt, engine=engine, batch_size=batch_size,
                              precision=precision, progress=not no_progress, max_bytes=max_bytes, fields=fields,
                              backend=backend, speakers=speakers)
    except JobError as e:
        fail(str(e), code=2)
    typer.echo(str(summary))
    if summary.failed:
        raise typer.Exit(1)


@app.command("calibrate-int8")
def calibrate_int8(
    model: Path = typer.Argument(Path("models/default"), help="trained model folder"),
    files: list[Path] | None = typer.Option(None, "--data", help="corpus files (default: those it was trained on)"),
) -> None:
    """Record the int8 activation calibration of a model folder trained before `train` wrote it."""
    from .model.train import calibrate_int8

    try:
        path = calibrate_int8(model, files or None)
    except (FileNotFoundError, ValueError) as e:
        fail(str(e))
    typer.echo(f"wrote {path}")


@app.command("adapt")
def adapt_cmd(
    config: Path | None = typer.Option(None, "--config", "-c", help="TOML config whose encoder, seed and test split are used (default: models/default.toml)"),
    out: Path = typer.Option(..., help="folder for the adapted encoder (use it as encoder = \"<folder>\")"),
    pages: Path | None = typer.Option(None, help="unlabelled pages JSONL (default annotations/unlabelled/pages.jsonl)"),
    steps: int = typer.Option(100, help="encoder MLM steps of 8 chunks (the CPU cap)"),
    head_steps: int = typer.Option(40, help="MLM-head-only steps first (the encoder frozen)"),
    epochs: float | None = typer.Option(None, help="stop earlier after this many passes over the chunks"),
    progress: bool = typer.Option(True, help="show a progress bar"),
) -> None:
    """Domain-adapt the config's encoder by masked-language-model training on unlabelled pages + training articles."""
    from . import paths
    from .model.adapt import UNLABELLED, adapt_on_corpus

    cfg = _config(config or paths.MODELS / "default.toml")
    try:
        r = adapt_on_corpus(cfg.encoder, out, pages=pages or UNLABELLED, test_split=cfg.test_split_file(),
                            seed=cfg.seed, max_steps=steps, head_steps=head_steps, epochs=epochs, progress=progress)
    except (FileNotFoundError, ValueError) as e:
        fail(str(e))
    fmt = lambda x: "n/a" if x is None else f"{x:.3f}"  # noqa: E731
    typer.echo(f"held-out MLM loss {fmt(r.loss_before)} -> {fmt(r.loss_after)} ({r.eval_chunks} chunks; "
               f"{r.train_chunks} trained on, {r.head_steps}+{r.steps} steps, {r.seconds:.0f} s)")
    typer.echo(f"encoder saved to {r.out_dir}")


# --- report commands (report) -----------------------------------------------------------------------

@app.command("report")
def report_cmd(
    notebook: str = typer.Argument(..., help="notebook path, or a name in notebooks/ (evaluation, batch-review)"),
    param: list[str] | None = typer.Option(None, "--param", "-p", help="key=value notebook parameter (repeatable; "
                                              "values are read as JSON where they parse, else as text)"),
    out: Path = typer.Option(Path("reports"), "--out", help="folder for <notebook>.html and the executed notebook"),
    no_code: bool = typer.Option(False, "--no-code", help="leave the code cells out of the HTML"),
) -> None:
    """Execute a report notebook with parameters (papermill) and render it to HTML under --out."""
    from .reporting import ReportError, parse_parameter, render_report

    try:
        params = dict(parse_parameter(p) for p in param or [])
        html = render_report(notebook, params, out, exclude_input=no_code)
    except (ReportError, ValueError) as e:
        fail(str(e))
    typer.echo(f"wrote {html}")


if __name__ == "__main__":
    app()
