"""Argument and column checks shared by the modules, with messages that name what is wrong.

Every public function checks its input here, so that the same mistake gets the same message
wherever it is made: the argument or column by name, the offending rows by label, and what to
do.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd


def check_count(name: str, value: object, minimum: int = 1) -> int:
    """``value`` as an int when it is a whole number of at least ``minimum``, else ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        wanted = "a positive integer" if minimum == 1 else f"an integer of at least {minimum}"
        raise ValueError(f"{name} must be {wanted}, got {value!r}")
    return int(value)


# a design whose smallest singular value (columns scaled to unit length) is below this share of
# the largest is rank deficient: an exact linear dependence up to round-off, or cases whose
# posterior weights leave a predictor without variation in a segment
COLLINEAR_RTOL = 1e-8


def collinear_columns(design: np.ndarray, names: list[str]) -> list[str]:
    """Names of the columns in an exact linear dependence, or an empty list.

    Only the dependence of the smallest singular value is named: the columns with weight in
    its singular vector. With several dependences fixing one shows the next.
    """
    norms = np.linalg.norm(design, axis=0)
    if np.any(norms == 0):
        return [n for n, norm in zip(names, norms, strict=True) if norm == 0]
    _, singular, vt = np.linalg.svd(design / norms, full_matrices=False)
    if singular[-1] > COLLINEAR_RTOL * singular[0]:
        return []
    weights = np.abs(vt[-1])
    return [n for n, w in zip(names, weights, strict=True) if w > 1e-6 * weights.max()]


def check_probability(name: str, value: object) -> float:
    """``value`` as a float strictly between 0 and 1 (a level such as ``alpha``), else ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0 < value < 1:
        raise ValueError(f"{name} must lie between 0 and 1, got {value!r}")
    return float(value)


def check_frame(data: object, name: str = "data") -> None:
    """TypeError unless ``data`` is a pandas DataFrame."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(data).__name__}")


def row_labels(index: pd.Index, mask: object, shown: int = 5) -> str:
    """``"rows [...]"``: the first row labels where ``mask`` holds, for error messages."""
    labels = index[np.asarray(mask, dtype=bool)]
    text = f"rows {labels[:shown].tolist()}"
    return text if len(labels) <= shown else f"{text[:-1]}, ...] ({len(labels)} in all)"


def numeric_columns(data: pd.DataFrame, columns: Sequence[str], *, context: str = "") -> pd.DataFrame:
    """The named columns as floats (missing values stay NaN), or a ValueError naming the column.

    Columns that are not in ``data``, and values that are neither numbers nor missing, are
    refused; the message names the first such column and its rows, after ``context`` (e.g.
    ``"construct 'sat': "``).
    """
    check_frame(data)
    columns = list(columns)
    absent = [c for c in columns if c not in data.columns]
    if len(absent) == 1:
        raise ValueError(f"{context}column {absent[0]!r} not in the data")
    if absent:
        raise ValueError(f"{context}columns not in the data: {absent}")
    values = data[columns].apply(pd.to_numeric, errors="coerce").astype(float)
    for column in columns:
        bad = values[column].isna() & data[column].notna()
        if bad.any():
            raise ValueError(
                f"{context}column {column!r} has non-numeric values ({row_labels(data.index, bad)}); "
                "recode them as numbers or leave them empty"
            )
    return values


def complete_cases(data: pd.DataFrame, columns: Sequence[str], *, stacklevel: int = 3) -> pd.DataFrame:
    """The named columns as floats, rows with a missing value left out (with a warning)."""
    check_frame(data)
    columns = list(columns)
    if len(set(columns)) < len(columns):
        raise ValueError(f"each column may be used once, got {columns}")
    values = numeric_columns(data, columns)
    complete = values.dropna()
    if len(complete) <= len(columns) + 1:
        raise ValueError(
            f"only {len(complete)} of {len(values)} cases have all of {columns}: too few to estimate "
            "anything; check the columns for missing values"
        )
    constant = [c for c in columns if complete[c].nunique() == 1]
    if constant:
        raise ValueError(
            f"column {constant[0]!r} is constant in the {len(complete)} complete cases (every value "
            f"{complete[constant[0]].iloc[0]:g}): it cannot explain or be explained; check the column"
        )
    design = np.column_stack([np.ones(len(complete)), complete.to_numpy()])
    collinear = [c for c in collinear_columns(design, ["intercept", *columns]) if c != "intercept"]
    if collinear:
        raise ValueError(
            f"columns {collinear} are perfectly collinear in the complete cases (one is an exact linear "
            "function of the others), so their effects cannot be told apart; drop one"
        )
    if len(complete) < len(values):
        warnings.warn(
            f"{len(values) - len(complete)} of {len(values)} cases with missing values are left out",
            UserWarning,
            stacklevel=stacklevel,
        )
    return complete
