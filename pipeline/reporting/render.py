"""Execute a parameterised notebook and render it to HTML.

:func:`render_report` runs ``notebooks/<name>.ipynb`` with papermill (parameters injected after the cell
tagged ``parameters``) on a kernel that is always the current interpreter, then writes
``<out_dir>/<name>.ipynb`` (executed) and ``<out_dir>/<name>.html`` (nbconvert, PNG figures embedded).
A failing cell raises :class:`ReportError` naming the cell and its section; the partial report is still
written so the failure can be read in context.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .. import paths

NOTEBOOKS = paths.ROOT / "notebooks"
KERNEL_NAME = "python3"


class ReportError(RuntimeError):
    """A notebook could not be executed or rendered; the message names the failing cell."""


def find_notebook(notebook: Path | str) -> Path:
    """A notebook path as given, or a name in ``notebooks/`` (``evaluation`` -> notebooks/evaluation.ipynb)."""
    p = Path(notebook)
    candidates = [p, p.with_suffix(".ipynb"), NOTEBOOKS / p.name, NOTEBOOKS / (p.name + ".ipynb")]
    for c in candidates:
        if c.suffix == ".ipynb" and c.is_file():
            return c
    raise ReportError(f"no notebook {notebook!r} (looked for {', '.join(str(c) for c in candidates)})")


@contextlib.contextmanager
def _kernel_env() -> Iterator[None]:
    """A ``python3`` kernel spec that runs *this* interpreter, first on JUPYTER_PATH; matplotlib on Agg.

    A user-level ``python3`` spec may point at another Python without this package; the temporary spec
    makes the kernel the interpreter that runs the report, so ``import pipeline`` always works.
    """
    saved = {k: os.environ.get(k) for k in ("JUPYTER_PATH", "MPLBACKEND")}
    with tempfile.TemporaryDirectory(prefix="stance-kernel-") as tmp:
        spec_dir = Path(tmp) / "kernels" / KERNEL_NAME
        spec_dir.mkdir(parents=True)
        spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (stance)", "language": "python"}
        (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (tmp, saved["JUPYTER_PATH"]) if p)
        os.environ["MPLBACKEND"] = "Agg"
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def _section_of(nb, index: int) -> str | None:
    """The nearest markdown heading above cell ``index``."""
    for cell in reversed(nb.cells[:index]):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.lstrip().startswith("#"):
                    return line.lstrip("# ").strip()
    return None


def to_html(executed: Path | str, html_path: Path | str, exclude_input: bool = False) -> Path:
    """Render an executed notebook to a standalone HTML file (images embedded as data URIs)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    exporter = HTMLExporter(template_name="lab", exclude_input=exclude_input, embed_images=True)
    body, _ = exporter.from_notebook_node(nb)
    Path(html_path).write_text(body, encoding="utf-8")
    return Path(html_path)


def render_report(notebook: Path | str, parameters: Mapping[str, Any] | None = None, out_dir: Path | str = "reports",
                  exclude_input: bool = False, timeout: int = 600) -> Path:
    """Execute ``notebook`` with ``parameters`` and render it; returns ``<out_dir>/<stem>.html``.

    Also writes the executed notebook ``<out_dir>/<stem>.ipynb``. Relative paths in parameters are read
    from the current directory (the kernel runs there), falling back to the repository root.
    """
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    src = find_notebook(notebook)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    executed = out / f"{src.stem}.ipynb"
    html = out / f"{src.stem}.html"
    failure: ReportError | None = None
    with _kernel_env():
        try:
            papermill.execute_notebook(
                str(src), str(executed), parameters=dict(parameters or {}), kernel_name=KERNEL_NAME,
                language="python", progress_bar=False, log_output=False, cwd=os.getcwd(), execution_timeout=timeout,
            )
        except PapermillExecutionError as e:
            # papermill's index counts its injected cells: find the cell in the notebook as written
            nb = nbformat.read(str(src), as_version=4)
            index = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source == e.source), None)
            if index is None:
                where = f"the injected parameters cell (In [{e.exec_count}])"
            else:
                section = _section_of(nb, index)
                where = f"cell {index + 1} (In [{e.exec_count}])" + (f" in section '{section}'" if section else "")
            first = next((ln for ln in e.source.splitlines() if ln.strip() and not ln.startswith("#")), "").strip()
            failure = ReportError(f"{src.name}: {where} failed: {e.ename}: {e.evalue}\n    {first}\n"
                                  f"  partial report: {html}")
        except Exception as e:  # kernel did not start, bad notebook, timeout
            raise ReportError(f"{src.name}: could not execute: {type(e).__name__}: {e}") from e
    if executed.exists():
        to_html(executed, html, exclude_input=exclude_input)
    if failure is not None:
        raise failure
    return html


def parse_parameter(text: str) -> tuple[str, Any]:
    """``key=value`` from the command line: value as JSON where it parses (numbers, lists, true), else a string."""
    if "=" not in text:
        raise ValueError(f"parameter {text!r} is not key=value")
    key, value = text.split("=", 1)
    key = key.strip()
    if not key.isidentifier():
        raise ValueError(f"parameter name {key!r} is not a Python identifier")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value
