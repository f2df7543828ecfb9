"""Run the notebooks: the whole study into ``paper/paper.pdf``, or the analysis on your survey.

:func:`reproduce` executes every numbered notebook in order (papermill), keeps the executed
copies in a build folder and compiles the manuscript with Typst. :func:`analyze` runs the
measurement, theory-test and segmentation notebooks on a user's survey and codebook and writes
an HTML report. Both are also console commands (``loyalty-research reproduce``,
``loyalty-research analyze``).
"""

from __future__ import annotations

import html
import json
import os
import shutil
import tempfile
import time
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from .codebook import Codebook
from .reporting import findings
from .simulate import DEFAULT_SEED
from .survey import read_survey, score_constructs

__all__ = ["ANALYSIS_NOTEBOOKS", "NOTEBOOK_DIR", "analyze", "build_paper", "reproduce", "run_notebooks"]

ANALYSIS_NOTEBOOKS = (
    "02_measurement",
    "03_satisfaction_loyalty",
    "04_value_driven_loyalty",
    "05_clusterwise_segmentation",
)
"""The notebooks :func:`analyze` runs on a user's survey, in this order."""

REPORT_MARKER = ".loyalty-research-report"
"""The file that marks a folder as a report :func:`analyze` wrote (and may overwrite)."""

MIN_RESPONDENTS = 30
"""Respondents with all three scores that :func:`analyze` needs (six segments of 3 parameters
and a variance each need 24; the factor model and bootstrap need more to mean anything)."""


def _notebook_dir() -> Path:
    # a source checkout has notebooks/ at the top; a wheel carries a copy
    checkout = Path(__file__).resolve().parents[2] / "notebooks"
    if checkout.is_dir():
        return checkout
    return Path(str(files("loyalty_research"))) / "_notebooks"


#: Folder of the numbered notebooks.
NOTEBOOK_DIR = _notebook_dir()


@cache
def _ipc_kernel_manager() -> type:
    """A kernel manager that talks to its kernel over local sockets (IPC), not unencrypted TCP."""
    from jupyter_client.manager import KernelManager
    from traitlets import default

    class IpcKernelManager(KernelManager):
        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

    return IpcKernelManager


def _numbered(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def run_notebooks(
    notebooks: Sequence[str | Path],
    out_dir: str | Path,
    *,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Execute notebooks in order with papermill, writing the executed copies to ``out_dir``.

    Parameters
    ----------
    notebooks : list of str or Path
        Notebook files, or names (``"05_clusterwise_segmentation"``) in
        :data:`NOTEBOOK_DIR`.
    out_dir : str or Path
        Folder for the executed notebooks (created).
    parameters : mapping, optional
        Notebook name (without ``.ipynb``) to its papermill parameters.
    progress : bool, default True
        A progress bar over the notebooks, and one over the cells of the notebook running.

    Returns
    -------
    pandas.DataFrame
        One row per notebook: ``notebook``, ``seconds``, ``output``.

    Notes
    -----
    Each notebook runs with its own folder as working directory, as in Jupyter; give data
    paths in ``parameters`` as absolute paths. A failing cell stops the run with papermill's
    ``PapermillExecutionError``, which names the notebook and cell. Kernels are reached over
    local IPC sockets rather than unencrypted TCP (no security warning, nothing on the network).
    """
    import papermill

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for notebook in notebooks:
        path = Path(notebook)
        if path.suffix != ".ipynb":
            path = NOTEBOOK_DIR / f"{notebook}.ipynb"
        if not path.is_file():
            raise ValueError(f"notebook not found: {path}")
        paths.append(path.resolve())
    parameters = dict(parameters or {})
    unknown = sorted(set(parameters) - {p.stem for p in paths})
    if unknown:
        raise ValueError(f"parameters given for notebooks that are not run: {unknown}")
    rows = []
    bar = tqdm(paths, desc="notebooks", unit="notebook", disable=not progress)
    for path in bar:
        bar.set_postfix_str(path.stem)
        start = time.perf_counter()
        output = out_dir / path.name
        papermill.execute_notebook(
            str(path),
            str(output),
            parameters=dict(parameters.get(path.stem, {})),
            cwd=str(path.parent),
            progress_bar={"desc": path.stem, "leave": False, "position": 1} if progress else False,
            kernel_name="python3",
            kernel_manager_class=_ipc_kernel_manager(),
        )
        rows.append(
            {"notebook": path.stem, "seconds": round(time.perf_counter() - start, 1), "output": output}
        )
    return pd.DataFrame(rows)


def build_paper(paper_dir: str | Path) -> Path:
    """Compile ``paper.typ`` in ``paper_dir`` to ``paper.pdf`` with Typst (PyPI ``typst``).

    The manuscript reads ``numbers.json``, ``tables/`` and ``figures/``, which the notebooks
    write; run them first (:func:`reproduce` does).
    """
    import typst

    paper_dir = Path(paper_dir)
    source = paper_dir / "paper.typ"
    if not source.is_file():
        raise ValueError(f"no manuscript at {source}")
    if not (paper_dir / "numbers.json").is_file():
        raise ValueError(f"{paper_dir / 'numbers.json'} is missing: run the notebooks first (make reproduce)")
    output = paper_dir / "paper.pdf"
    try:
        typst.compile(str(source), output=str(output), root=str(paper_dir))
    except Exception as error:  # Typst reports the file, line and missing key
        raise RuntimeError(f"Typst could not compile {source}: {error}") from error
    return output


def reproduce(
    root: str | Path | None = None, *, build_dir: str | Path | None = None, progress: bool = True
) -> pd.DataFrame:
    """Run every numbered notebook in order and compile the manuscript.

    Parameters
    ----------
    root : str or Path, optional
        Repository root (with ``notebooks/`` and ``paper/``); default: the checkout this package
        was installed from.
    build_dir : str or Path, optional
        Where the executed notebooks go; default ``<root>/build/notebooks``.
    progress : bool, default True

    Returns
    -------
    pandas.DataFrame
        Run time of each notebook, and of the paper build in the last row.
    """
    root = Path(root) if root is not None else NOTEBOOK_DIR.parent
    notebooks = _numbered(root / "notebooks")
    if not notebooks or not (root / "paper" / "paper.typ").is_file():
        raise ValueError(f"{root} is not a loyalty-research checkout (needs notebooks/ and paper/paper.typ)")
    build = Path(build_dir) if build_dir is not None else root / "build" / "notebooks"
    timings = run_notebooks(notebooks, build, progress=progress)
    start = time.perf_counter()
    pdf = build_paper(root / "paper")
    paper = {"notebook": "paper (Typst)", "seconds": round(time.perf_counter() - start, 1), "output": pdf}
    return pd.concat([timings, pd.DataFrame([paper])], ignore_index=True)


def analyze(
    data: str | Path,
    codebook: str | Path,
    out: str | Path,
    *,
    loyalty: str = "loyalty",
    satisfaction: str = "satisfaction",
    value: str = "delivered_value",
    concomitant: str | None = None,
    trust: Sequence[str] | None = None,
    segments: int | tuple[int, int] | None = None,
    n_boot: int = 5000,
    random_state: int = DEFAULT_SEED,
    progress: bool = True,
) -> Path:
    """Run measurement, both theory tests and the clusterwise segmentation on your survey.

    Parameters
    ----------
    data : str or Path
        The survey (CSV, Excel or SPSS), one row per respondent.
    codebook : str or Path
        Its codebook (YAML; see the README for an example). It must define the constructs
        named by ``loyalty`` and ``satisfaction``; ``value`` is a construct or the codebook's
        ``delivered_value`` score.
    out : str or Path
        Report folder: ``index.html``, one HTML page per notebook, the executed notebooks,
        and ``paper/`` with the figures, tables and numbers.
    loyalty, satisfaction, value : str
        Names of the scores to analyse.
    concomitant : str, optional
        Formula of variables that may shift segment membership (``"~ membership"``).
    trust : sequence of str, optional
        Trust constructs in causal order (cognitive, affective, behavioural in the golf survey),
        for the serial mediation and, with three, the trust hierarchy of notebook 04. Default:
        every construct whose name contains ``trust``, in the golf order when it has those three,
        else in codebook order; ``[]`` for none.
    segments : int or (int, int), optional
        A number fixes the number of segments; a pair ``(a, b)`` lets BIC choose between
        them; None lets BIC choose among 1 to 6. The bootstrap test is reported either way.
    n_boot : int, default 5000
        Bootstrap draws for indirect effects (as :func:`~loyalty_research.mediation`).
    random_state : int, default DEFAULT_SEED
    progress : bool, default True

    Returns
    -------
    Path
        The report's ``index.html``: it opens with the Findings (also in ``findings.txt``, one
        per line), computed from this run's numbers (:func:`~loyalty_research.reporting.findings`).

    Raises
    ------
    ValueError
        Before anything is written: a report folder that is a file, cannot be written, or
        holds files that are not an earlier report; a codebook without the named constructs;
        fewer than :data:`MIN_RESPONDENTS` respondents with all three scores.
    SurveyDataError
        The survey does not fit its codebook (every problem listed).
    RuntimeError
        A notebook failed; the message names it. Nothing is left in ``out``.

    Notes
    -----
    The survey is read and validated first (:func:`~loyalty_research.survey.read_survey`), so
    bad data stop the run with one :class:`~loyalty_research.survey.SurveyDataError` listing
    every problem, before any notebook starts. The report is built in a temporary folder next
    to ``out`` and moved into place only when every notebook has run, so a failed or killed
    run leaves ``out`` as it was. ``out`` must be new, empty, or a report written by an
    earlier ``analyze`` (marked by a ``.loyalty-research-report`` file), which is replaced:
    files of yours are never deleted, nor shown in the report. (A killed run may leave a
    hidden ``.<out>-*`` folder beside ``out``; delete it.)
    """
    data, codebook_path, out = Path(data).resolve(), Path(codebook).resolve(), Path(out).resolve()
    _check_report_folder(out)
    book = Codebook.from_yaml(codebook_path)
    scores = set(book.constructs) | ({"delivered_value"} if book.delivered_value else set())
    missing = [name for name in (loyalty, satisfaction, value, *(trust or [])) if name not in scores]
    if missing:
        raise ValueError(
            f"the codebook defines no construct or score named {missing}; it has {sorted(scores)}"
        )
    survey = read_survey(data, book)  # raises SurveyDataError listing every problem
    complete = int(score_constructs(survey, book)[[loyalty, satisfaction, value]].notna().all(axis=1).sum())
    if complete < MIN_RESPONDENTS:
        raise ValueError(
            f"only {complete} of {len(survey)} respondents have {loyalty}, {satisfaction} and {value} "
            f"scores; the analyses need at least {MIN_RESPONDENTS}"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    common = {"DATA": str(data), "CODEBOOK": str(codebook_path), "PAPER_DIR": str(build / "paper")}
    trust = _trust_constructs(book, trust)
    parameters = {
        "02_measurement": common,
        "03_satisfaction_loyalty": {**common, "LOYALTY": loyalty, "SATISFACTION": satisfaction},
        "04_value_driven_loyalty": {
            **common,
            "LOYALTY": loyalty,
            "SATISFACTION": satisfaction,
            "VALUE": value,
            "TRUST": trust,
            "N_BOOT": n_boot,
            "SEED": random_state,
        },
        "05_clusterwise_segmentation": {
            **common,
            "LOYALTY": loyalty,
            "SATISFACTION": satisfaction,
            "VALUE": value,
            "CONCOMITANT": concomitant,
            "SEGMENTS": list(segments) if isinstance(segments, tuple) else segments,
            "MAX_SEGMENTS": max(6, segments if isinstance(segments, int) else segments[1] if segments else 6),
            "SEED": random_state,
        },
    }
    try:
        _write_report(build, parameters, data, book.name, len(survey), progress)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    if out.exists():
        shutil.rmtree(out)  # an earlier report (checked above)
    os.replace(build, out)
    return out / "index.html"


# MathJax 2 as the PyPI package jupyter-server-mathjax ships it, copied into each report
MATHJAX_URL = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"

GOLF_TRUST = ("trust_cognitive", "trust_affective", "trust_behavioural")


def _trust_constructs(book: Codebook, trust: Sequence[str] | None) -> list[str]:
    """The trust constructs to analyse: the user's, else every construct named like trust."""
    if trust is not None:
        return list(trust)
    if all(name in book.constructs for name in GOLF_TRUST):
        return list(GOLF_TRUST)
    return [name for name in book.constructs if "trust" in name.lower()]


def _check_report_folder(out: Path) -> None:
    """Refuse a report folder that is a file, unwritable, or holds files analyze did not write."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder: give a folder for the report")
    if out.is_dir() and any(out.iterdir()) and not (out / REPORT_MARKER).is_file():
        raise ValueError(
            f"--out {out} already holds files that are not a loyalty-research report; give a new or empty "
            "folder (nothing in it is deleted or overwritten)"
        )
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK):
        raise ValueError(f"cannot write the report: {parent} is not writable")


def _write_report(build: Path, parameters: dict, data: Path, name: str, n: int, progress: bool) -> None:
    """Run the analysis notebooks into ``build`` and write the HTML report there."""
    import papermill

    try:
        timings = run_notebooks(
            list(ANALYSIS_NOTEBOOKS), build / "notebooks", parameters=parameters, progress=progress
        )
    except papermill.PapermillExecutionError as error:
        # papermill writes each notebook as it runs: the last one written is the one that failed
        where = max((p.stem for p in build.glob("notebooks/*.ipynb")), default="a notebook")
        raise RuntimeError(
            f"notebook {where} failed in cell {error.exec_count}: {error.ename}: {error.evalue}"
        ) from None
    shutil.copytree(
        Path(str(files("jupyter_server_mathjax") / "static")), build / "mathjax"
    )  # formulas offline
    pages = [_html_page(row.output, build, name) for row in timings.itertuples()]
    numbers = json.loads((build / "paper" / "numbers.json").read_text(encoding="utf-8"))
    names = parameters["04_value_driven_loyalty"]
    lines = findings(numbers, satisfaction=names["SATISFACTION"], value=names["VALUE"])
    (build / "findings.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (build / "index.html").write_text(
        _index_html(data, name, n, lines, pages, build / "paper" / "figures"), encoding="utf-8"
    )
    (build / REPORT_MARKER).write_text("written by loyalty-research analyze; may be replaced by it\n")


def _html_page(notebook: Path, out: Path, name: str) -> tuple[str, str]:
    import nbformat
    from nbconvert import HTMLExporter

    node = nbformat.read(notebook, as_version=4)
    title = node.cells[0].source.splitlines()[0].lstrip("# ").strip()
    exporter = HTMLExporter(
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        mathjax_url=MATHJAX_URL,
    )
    body, _ = exporter.from_notebook_node(node, resources={"metadata": {"name": f"{title} ({name})"}})
    page = out / f"{notebook.stem}.html"
    page.write_text(body, encoding="utf-8")
    return page.name, title


def _index_html(
    data: Path, name: str, n: int, lines: list[str], pages: list[tuple[str, str]], figures: Path
) -> str:
    links = "\n".join(f'<li><a href="{html.escape(p)}">{html.escape(t)}</a></li>' for p, t in pages)
    found = "\n".join(f"<li>{html.escape(line)}</li>" for line in lines)
    images = "\n".join(
        f'<figure><img src="paper/figures/{f.name}" width="480">'
        f"<figcaption>{html.escape(f.stem)}</figcaption></figure>"
        for f in sorted(figures.glob("*.png"))
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Loyalty analysis of {html.escape(name)}</title>
<style>body {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; }}
figure {{ display: inline-block; margin: 0.5em; }} figcaption {{ font-size: 0.8em; color: #555; }}</style>
</head><body>
<h1>Loyalty analysis of {html.escape(name)}</h1>
<p>Survey <code>{html.escape(name)}</code>, file <code>{html.escape(data.name)}</code>.</p>
<h2>Findings</h2>
<ul class="findings">
{found}
</ul>
<p>{n} respondents, analysed with loyalty-research. Each page below is an executed notebook: the
question it answers, the results and what they mean. Tables and numbers are in <code>paper/</code>.</p>
<ol>
{links}
</ol>
<h2>Figures</h2>
{images}
</body></html>
"""
