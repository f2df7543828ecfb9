"""Statistics that several modules report in the same form.

One implementation each, so that the same quantity gets the same interval and p value wherever
it is reported: intervals for shares (a share of loyal customers, a complaint rate, a test's
rejection rate), normal-theory Wald columns, and percentile-bootstrap summaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._validate import check_probability

__all__ = ["binomial_interval", "bootstrap_summary", "wald_table"]


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


def wald_table(table: pd.DataFrame, coef: np.ndarray, se: np.ndarray, alpha: float) -> pd.DataFrame:
    """Add ``coef``, ``se``, ``z``, ``p_val``, ``ci_low``, ``ci_high`` (normal theory) to ``table``."""
    z_crit = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = coef / se
    return table.assign(
        coef=coef,
        se=se,
        z=z,
        p_val=2 * stats.norm.sf(np.abs(z)),
        ci_low=coef - z_crit * se,
        ci_high=coef + z_crit * se,
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
