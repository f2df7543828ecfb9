"""Statistics that several modules report in the same form, and the form itself.

One implementation each, so that the same quantity gets the same interval and p value wherever
it is reported: intervals for shares (a share of loyal customers, a complaint rate, a test's
rejection rate), Wald columns, and percentile-bootstrap summaries.

Table schema
------------
Every table the package returns is tidy: one row per estimate or per test, snake_case columns,
the columns that label a row first (``model``, ``segment``, ``term``; ``path`` in a mediation
table, ``source`` and ``target`` in a path model's). The intercept is the term ``intercept``.

A table of **estimates** then has :data:`ESTIMATE_COLUMNS`, in this order:

``coef``
    The estimate (never ``estimate``, ``b`` or ``beta``); a standardised slope is ``std_coef``.
    A table with one row per model and a column per term writes ``coef_<term>``,
    ``se_<term>`` and ``std_coef_<term>``.
``se``
    Its standard error: model-based, HC3, or the standard deviation of bootstrap draws.
``statistic``
    ``coef / se``.
``df``
    Degrees of freedom of the statistic's reference: the residual df for Student's t, ``inf``
    for the standard normal (a Wald z), NaN where the p value comes from bootstrap draws
    rather than a reference distribution.
``p_val``
    Two-sided p value (for a percentile bootstrap, the sign p value of
    :func:`bootstrap_summary`).
``ci_low``, ``ci_high``
    The ``1 - alpha`` confidence interval.

A table of **tests** has ``test`` (what was tested) and then :data:`TEST_COLUMNS`:
``statistic``; ``df``, the degrees of freedom of a t or chi-square reference (``inf`` for a
z); ``df1`` and ``df2``, the numerator and denominator degrees of freedom of an F test, in place
of ``df``; ``p_val``. A table holding only F tests leaves out ``df``, one without F tests leaves
out ``df1`` and ``df2``, and a table with both kinds has all three, NaN where they do not apply.
Effect sizes, counts and estimates follow under their own names (``effect_size``, ``n``,
``difference``, ...). Shares carry ``share``, ``ci_low`` and ``ci_high``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._validate import check_probability

__all__ = ["ESTIMATE_COLUMNS", "TEST_COLUMNS", "binomial_interval", "bootstrap_summary", "wald_table"]

ESTIMATE_COLUMNS = ("coef", "se", "statistic", "df", "p_val", "ci_low", "ci_high")
"""Columns of every table of estimates, in this order, after the columns that label a row."""

TEST_COLUMNS = ("statistic", "df", "df1", "df2", "p_val")
"""Columns of a table of tests, after ``test`` (``df`` or ``df1`` and ``df2`` as the tests need)."""


def binomial_interval(
    successes: int | np.ndarray | Sequence[int],
    trials: int | np.ndarray | Sequence[int],
    *,
    confidence: float = 0.95,
    method: str = "wilson",
) -> tuple[Any, Any]:
    """Confidence interval for a binomial proportion: Wilson score or Clopper-Pearson.

    Parameters
    ----------
    successes, trials : int or array-like of int
        Counts; ``0 <= successes <= trials``. With zero trials the interval is NaN.
    confidence : float, default 0.95
    method : {"wilson", "clopper_pearson"}, default "wilson"
        Wilson's score interval (Wilson, 1927; good coverage at small counts, recommended by
        Brown, Cai & DasGupta, 2001) or the exact Clopper-Pearson interval (conservative).

    Returns
    -------
    low, high : float or ndarray
        Floats for scalar input, arrays otherwise; always within [0, 1].

    Examples
    --------
    >>> low, high = binomial_interval(5, 10)
    >>> round(low, 4), round(high, 4)
    (0.2366, 0.7634)
    >>> [round(v, 4) for v in binomial_interval(0, 10, method="clopper_pearson")]
    [0.0, 0.3085]
    """
    if method not in ("wilson", "clopper_pearson"):
        raise ValueError(f"method must be 'wilson' or 'clopper_pearson', got {method!r}")
    check_probability("confidence", confidence)
    scalar = np.ndim(successes) == 0 and np.ndim(trials) == 0
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    if np.any(np.isnan(x)) or np.any(np.isnan(n)) or np.any(x != np.round(x)) or np.any(n != np.round(n)):
        raise ValueError("successes and trials must be whole numbers")
    if np.any(x < 0) or np.any(x > n):
        raise ValueError(f"successes must lie between 0 and trials, got {successes!r} of {trials!r}")
    x, n = np.broadcast_arrays(x, n)
    tail = (1 - confidence) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "wilson":
            z = stats.norm.ppf(1 - tail)
            p = x / n
            denominator = 1 + z**2 / n
            centre = (p + z**2 / (2 * n)) / denominator
            half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
            low, high = centre - half, centre + half
            low, high = np.where(x == 0, 0.0, low), np.where(x == n, 1.0, high)
        else:
            low = np.where(x == 0, 0.0, stats.beta.ppf(tail, x, n - x + 1))
            high = np.where(x == n, 1.0, stats.beta.ppf(1 - tail, x + 1, n - x))
    low = np.where(n > 0, np.clip(low, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(high, 0.0, 1.0), np.nan)
    if scalar:
        return float(low), float(high)
    return low, high


def wald_table(
    table: pd.DataFrame, coef: np.ndarray, se: np.ndarray, alpha: float, df: float = np.inf
) -> pd.DataFrame:
    """Add the estimate columns of :data:`ESTIMATE_COLUMNS` to ``table``.

    ``statistic`` is ``coef / se``; its reference is Student's t with ``df`` degrees of freedom,
    or the standard normal when ``df`` is infinite (the default: the Wald z test).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = coef / se
    if np.isinf(df):
        crit, p_val = stats.norm.ppf(1 - alpha / 2), 2 * stats.norm.sf(np.abs(statistic))
    else:
        crit, p_val = stats.t.ppf(1 - alpha / 2, df), 2 * stats.t.sf(np.abs(statistic), df)
    return table.assign(
        coef=coef,
        se=se,
        statistic=statistic,
        df=float(df),
        p_val=p_val,
        ci_low=coef - crit * se,
        ci_high=coef + crit * se,
    )


def bootstrap_summary(draws: np.ndarray, alpha: float) -> pd.DataFrame:
    """Percentile-bootstrap summary of each column of ``draws`` (bootstrap samples in rows).

    Columns: ``boot_mean``; ``se``, the standard deviation of the draws; ``ci_low`` and
    ``ci_high``, the ``alpha / 2`` and ``1 - alpha / 2`` quantiles; and ``p_val``, the sign
    p value ``2 min(P(draw <= 0), P(draw >= 0))``, at most 1 (the smallest two-sided level at
    which the percentile interval excludes zero).
    """
    draws = np.asarray(draws, dtype=float)
    return pd.DataFrame(
        {
            "boot_mean": draws.mean(axis=0),
            "se": draws.std(axis=0, ddof=1),
            "ci_low": np.quantile(draws, alpha / 2, axis=0),
            "ci_high": np.quantile(draws, 1 - alpha / 2, axis=0),
            "p_val": np.minimum(1.0, 2 * np.minimum((draws <= 0).mean(axis=0), (draws >= 0).mean(axis=0))),
        }
    )
