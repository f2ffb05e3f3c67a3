"""The ``stance`` command line: a thin layer over the library API (each command calls one function)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

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
    from .articles import prepare_articles

    for p in prepare_articles(seeds or paths.SEEDS):
        typer.echo(f"wrote {p}")


# --- model commands (train, evaluate) ---------------------------------------------------------------


# --- labelling commands (label) ---------------------------------------------------------------------


# --- report commands (report) -----------------------------------------------------------------------


if __name__ == "__main__":
    app()
