"""The one way notebooks hand figures, tables and numbers to the manuscript.

A notebook calls :func:`start` with its own name once, then :func:`save_figure`,
:func:`save_table` and :func:`save_number`. Files land in ``paper/figures/`` and
``paper/tables/``, numbers in ``paper/numbers.json``, every name prefixed with the notebook's
number (``05_segments.png``, key ``"05_n_segments"``), so the manuscript can say where each
came from and nothing it reports is typed by hand. Outputs are byte-identical for the same
inputs: PNGs carry no time stamps and the numbers file is written with sorted keys.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .readings import p_text

__all__ = ["ReportingError", "current", "findings", "save_figure", "save_number", "save_table", "start"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_NOTEBOOK = re.compile(r"^(\d{2})_[A-Za-z0-9_]+$")


class ReportingError(ValueError):
    """Raised for a bad name, or when saving before :func:`start`."""


@dataclass(frozen=True)
class _Target:
    prefix: str
    paper_dir: Path


_current: _Target | None = None


def _find_paper_dir() -> Path:
    """``paper/`` of the repository that contains the working directory, else ``./paper``."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "paper").is_dir():
            return folder / "paper"
    return here / "paper"


def start(notebook: str, paper_dir: str | Path | None = None, *, data: str | Path | None = None) -> Path:
    """Say which notebook is writing, and where; clear what it wrote last time.

    Parameters
    ----------
    notebook : str
        The notebook's file name without ``.ipynb``, starting with its two-digit number
        (``"05_clusterwise_segmentation"``).
    paper_dir : str or Path, optional
        Folder for the figures, tables and numbers. Default: for the bundled data (``data``
        None) the ``paper/`` folder of the repository that contains the working directory
        (notebooks run inside ``notebooks/``), else ``./paper``; for a user's survey
        ``outputs/<file name without extension>/`` in the working directory, so a run on
        one's own data never overwrites the manuscript's inputs.
    data : str or Path, optional
        The notebook's ``DATA`` parameter: the user's survey file, or None for the bundled data.

    Returns
    -------
    Path
        The folder written to.

    Notes
    -----
    Earlier figures, tables and numbers of the same notebook are removed, so a renamed or
    dropped output cannot linger in the manuscript.

    Examples
    --------
    >>> import tempfile
    >>> folder = start("05_example", tempfile.mkdtemp())
    >>> current()
    '05'
    >>> import os
    >>> here = os.getcwd()
    >>> os.chdir(tempfile.mkdtemp())
    >>> start("03_example", data="surveys/hotel_2026.csv").relative_to(Path.cwd()).as_posix()
    'outputs/hotel_2026'
    >>> os.chdir(here)
    """
    global _current
    match = _NOTEBOOK.match(Path(notebook).stem)
    if not match:
        raise ReportingError(f"notebook must be a name like '05_segments', got {notebook!r}")
    prefix = match.group(1)
    if paper_dir is not None:
        folder = Path(paper_dir)
    elif data is not None:
        folder = Path.cwd() / "outputs" / Path(data).stem
    else:
        folder = _find_paper_dir()
    for sub in ("figures", "tables"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        for old in (folder / sub).glob(f"{prefix}_*"):
            old.unlink()
    numbers = _read_numbers(folder)
    _write_numbers(folder, {k: v for k, v in numbers.items() if not k.startswith(prefix + "_")})
    _current = _Target(prefix=prefix, paper_dir=folder)
    return folder


def current() -> str | None:
    """The number of the notebook now writing, or None before :func:`start`."""
    return _current.prefix if _current else None


def _target(name: str) -> _Target:
    if _current is None:
        raise ReportingError("call loyalty_research.reporting.start(<notebook name>) before saving")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ReportingError(f"name must be lower-case letters, digits and underscores, got {name!r}")
    return _current


def save_figure(fig: Figure, name: str, *, dpi: int = 200) -> Path:
    """Write a matplotlib figure to ``paper/figures/<nn>_<name>.png``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    name : str
        Lower-case letters, digits and underscores.
    dpi : int, default 200

    Returns
    -------
    Path
    """
    target = _target(name)
    if not isinstance(fig, Figure):
        raise ReportingError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    path = target.paper_dir / "figures" / f"{target.prefix}_{name}.png"
    fig.savefig(path, dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return path


def save_table(table: pd.DataFrame, name: str, *, decimals: int = 3, index: bool = False) -> Path:
    """Write a table to ``paper/tables/<nn>_<name>.csv``, numbers rounded for print.

    Parameters
    ----------
    table : pandas.DataFrame
    name : str
    decimals : int, default 3
        Floats are printed with this many decimals, every one (the manuscript shows the file as
        it is); p values (columns ``p``, ``p_val``, ``p_*`` and ``*_p``) below ``10**-decimals``
        as ``< 0.001``. Missing values are left empty.
    index : bool, default False
        Write the index as the first column.

    Returns
    -------
    Path
    """
    target = _target(name)
    if not isinstance(table, pd.DataFrame):
        raise ReportingError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    path = target.paper_dir / "tables" / f"{target.prefix}_{name}.csv"
    printed = table.copy()
    floor = 10.0**-decimals
    for column in printed.select_dtypes("float").columns:
        is_p = column in ("p", "p_val") or column.startswith("p_") or column.endswith("_p")

        def text(value: float, is_p: bool = is_p) -> str:
            if pd.isna(value):
                return ""
            if is_p and value < floor:
                return f"< {floor:.{decimals}f}"
            return f"{round(value, decimals) + 0.0:.{decimals}f}"  # + 0.0 turns -0.0 into 0.0

        printed[column] = printed[column].map(text)
    printed.to_csv(path, index=index, lineterminator="\n")
    return path


def save_number(name: str, value: float | int | str, fmt: str = "{:.2f}") -> str:
    """Record one number for the text, with the way it is to be printed.

    Parameters
    ----------
    name : str
        Key in ``paper/numbers.json`` after the notebook prefix (``"05_" + name``).
    value : float, int or str
    fmt : str, default ``"{:.2f}"``
        Python format string for the printed text (``"{:.0%}"`` for a share as a percentage,
        ``"{:,}"`` for a count).

    Returns
    -------
    str
        The printed text, so the notebook can show what the paper will say.

    Examples
    --------
    >>> import tempfile
    >>> _ = start("05_example", tempfile.mkdtemp())
    >>> save_number("share_loyal", 0.4567, "{:.0%}")
    '46%'
    """
    target = _target(name)
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ReportingError(f"value of {name!r} must be a number or a string, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ReportingError(f"value of {name!r} is not finite: {value}")
    try:
        text = fmt.format(value)
    except (ValueError, TypeError, IndexError, KeyError) as error:
        raise ReportingError(
            f"format {fmt!r} does not fit the value of {name!r} ({value!r}): {error}"
        ) from None
    numbers = _read_numbers(target.paper_dir)
    numbers[f"{target.prefix}_{name}"] = {"value": value, "text": text}
    _write_numbers(target.paper_dir, numbers)
    return text


def _read_numbers(folder: Path) -> dict:
    path = folder / "numbers.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _write_numbers(folder: Path, numbers: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(dict(sorted(numbers.items())), indent=2, ensure_ascii=False) + "\n"
    # write then rename: a run killed mid-write leaves the old file, never a truncated one
    partial = folder / "numbers.json.partial"
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, folder / "numbers.json")


# ------------------------------------------------------------------------------ findings
def _fit_verdict(cfi: float, rmsea: float, srmr: float) -> str:
    """Hu & Bentler's (1999) joint cut-offs: good, acceptable or poor."""
    if cfi >= 0.95 and rmsea <= 0.06 and srmr <= 0.08:
        return "good"
    if cfi >= 0.90 and rmsea <= 0.08 and srmr <= 0.10:
        return "acceptable"
    return "poor"


def _value_verdict(value_p: float, satisfaction_p: float, alpha: float) -> str:
    value_adds, satisfaction_adds = value_p < alpha, satisfaction_p < alpha
    if value_adds and satisfaction_adds:
        return "both: each explains loyalty beyond the other"
    if value_adds:
        return "value-driven: value explains loyalty beyond satisfaction, not the reverse"
    if satisfaction_adds:
        return "satisfaction-driven: satisfaction explains loyalty beyond value, not the reverse"
    return "neither: neither explains loyalty beyond the other (they overlap)"


def findings(numbers: dict, *, satisfaction: str, value: str, alpha: float = 0.05) -> list[str]:
    """The Findings of a report, one line each, computed from a run's ``numbers.json``.

    Every branch is written out: one segment or several; satisfaction or value the stronger
    driver; good, acceptable or poor measurement; a linear or nonlinear satisfaction-loyalty
    link; value-driven, satisfaction-driven, both or neither. The first two lines start with
    ``Segments found: N`` and ``Strongest driver of loyalty: <construct>`` so tools can read them.

    Parameters
    ----------
    numbers : dict
        ``paper/numbers.json`` of a run of notebooks 02 to 05.
    satisfaction, value : str
        The names of the two drivers in that run.
    alpha : float, default 0.05

    Examples
    --------
    >>> numbers = {k: {"value": v} for k, v in {
    ...     "05_lrt_k": 1, "04_lmg_share_satisfaction": 0.2, "04_lmg_share_value": 0.8,
    ...     "02_cfa_cfi": 0.99, "02_cfa_rmsea": 0.03, "02_cfa_srmr": 0.03, "02_min_alpha": 0.88,
    ...     "03_p_quadratic": 0.4, "03_p_spline": 0.5, "04_delta_r2_value": 0.3,
    ...     "04_p_value_beyond": 1e-9, "04_delta_r2_satisfaction": 0.001,
    ...     "04_p_satisfaction_beyond": 0.6}.items()}
    >>> for line in findings(numbers, satisfaction="contentment", value="value"):
    ...     print(line.split(" (")[0])
    Segments found: 1
    Strongest driver of loyalty: value
    Measurement: good fit of the factor model
    Satisfaction-loyalty shape: linear
    Value verdict: value-driven: value explains loyalty beyond satisfaction, not the reverse
    """

    def get(key: str) -> float:
        return numbers[key]["value"]

    k = int(get("05_lrt_k"))
    tests = numbers.get("05_lrt_p_values", {}).get("value", "")
    if k == 1:
        lines = [
            "Segments found: 1 (the bootstrap likelihood-ratio test does not support two segments over "
            "one" + (f"; {tests})" if tests else ")")
        ]
    else:
        lines = [f"Segments found: {k} (bootstrap likelihood-ratio tests of K against K - 1: {tests})"]
    share_s, share_v = get("04_lmg_share_satisfaction"), get("04_lmg_share_value")
    strongest = satisfaction if share_s >= share_v else value
    lines.append(
        f"Strongest driver of loyalty: {strongest} (share of explained variance, LMG: {satisfaction} "
        f"{share_s:.0%}, {value} {share_v:.0%})"
    )
    cfi, rmsea, srmr = get("02_cfa_cfi"), get("02_cfa_rmsea"), get("02_cfa_srmr")
    lines.append(
        f"Measurement: {_fit_verdict(cfi, rmsea, srmr)} fit of the factor model (CFI {cfi:.3f}, RMSEA "
        f"{rmsea:.3f}, SRMR {srmr:.3f}; Hu and Bentler's cut-offs); smallest Cronbach's alpha "
        f"{get('02_min_alpha'):.2f}"
    )
    p_quadratic, p_spline = get("03_p_quadratic"), get("03_p_spline")
    shape = "nonlinear" if min(p_quadratic, p_spline) < alpha else "linear"
    lines.append(
        f"Satisfaction-loyalty shape: {shape} (against a straight line: quadratic {p_text(p_quadratic)}, "
        f"spline {p_text(p_spline)})"
    )
    value_p, satisfaction_p = get("04_p_value_beyond"), get("04_p_satisfaction_beyond")
    lines.append(
        f"Value verdict: {_value_verdict(value_p, satisfaction_p, alpha)} (value beyond satisfaction: "
        f"delta R-squared {get('04_delta_r2_value'):.3f}, {p_text(value_p)}; satisfaction beyond value: "
        f"{get('04_delta_r2_satisfaction'):.3f}, {p_text(satisfaction_p)})"
    )
    return lines
