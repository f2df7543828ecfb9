"""Reading a segmentation: what drives each segment, and who is in it.

Clusterwise regression (:mod:`loyalty_research.clusterwise`) finds segments by how loyalty
responds to satisfaction and value. These helpers turn its coefficient table into the words a
marketing paper uses (satisfaction-driven, value-driven, insensitive: false loyalty or variety
seeking), profile the members of each segment, and fit separate regressions within clusters of
a conventional attitude-based segmentation for comparison.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pingouin as pg

from ._ols import coefficient_table, fit_formula
from ._validate import check_probability

__all__ = ["driver_labels", "segment_profiles", "within_cluster_regressions"]


def driver_labels(
    summary: pd.DataFrame,
    *,
    satisfaction: str = "satisfaction",
    value: str = "delivered_value",
    alpha: float = 0.05,
    min_slope: float = 0.1,
    midpoint: float | None = None,
    at: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Name each segment by what its loyalty responds to.

    Parameters
    ----------
    summary : pandas.DataFrame
        A coefficient table as returned by ``ClusterwiseRegression.summary()``.
    satisfaction, value : str
        The terms for satisfaction and delivered value.
    alpha : float, default 0.05
        A slope counts when its p-value is below ``alpha`` and it is at least ``min_slope``.
    min_slope : float, default 0.1
        Smallest slope that makes a segment driven by a variable: loyalty points per point of
        the driver. With several segments and two slopes each, a tiny slope is sometimes
        significant by chance; it does not make a segment satisfaction- or value-driven.
    midpoint : float, optional
        Loyalty level that separates "high" from "low" insensitive segments (e.g. 4 on a 1-7
        scale); by default the median of the segments' levels.
    at : mapping, optional
        Values of the satisfaction and value terms (e.g. the sample means) at which a
        segment's loyalty ``level`` is read off its line. Without them the level is the
        intercept, which is the loyalty of a flat line but not of a line with a (non-
        significant) slope.

    Returns
    -------
    pandas.DataFrame
        One row per segment: ``segment``, ``satisfaction_slope``, ``satisfaction_p``,
        ``value_slope``, ``value_p``, ``intercept``, ``level`` and ``driver``: ``"satisfaction-driven"``,
        ``"value-driven"``, ``"satisfaction- and value-driven"``, ``"insensitive, high
        loyalty (false loyalty)"`` or ``"insensitive, low loyalty (variety seeking)"``.

    Notes
    -----
    A segment is driven by a variable when that slope is significant and at least
    ``min_slope``. Where both
    are, the segment is driven by both. An insensitive segment is called high or low by its
    loyalty level against ``midpoint``.
    """
    wide = summary.pivot(index="segment", columns="term", values=["coef", "p_val"])
    missing = [t for t in ("intercept", satisfaction, value) if t not in wide["coef"].columns]
    if missing:
        raise ValueError(f"terms not in the summary table: {missing}")
    table = pd.DataFrame(
        {
            "segment": wide.index,
            "satisfaction_slope": wide["coef"][satisfaction].to_numpy(),
            "satisfaction_p": wide["p_val"][satisfaction].to_numpy(),
            "value_slope": wide["coef"][value].to_numpy(),
            "value_p": wide["p_val"][value].to_numpy(),
            "intercept": wide["coef"]["intercept"].to_numpy(),
        }
    )
    table["level"] = table["intercept"]
    if at is not None:
        unknown = sorted(set(at) - {satisfaction, value})
        if unknown:
            raise ValueError(f"at names terms other than {satisfaction!r} and {value!r}: {unknown}")
        table["level"] = (
            table["intercept"]
            + table["satisfaction_slope"] * at.get(satisfaction, 0.0)
            + table["value_slope"] * at.get(value, 0.0)
        )
    by_satisfaction = (table["satisfaction_slope"] >= min_slope) & (table["satisfaction_p"] < alpha)
    by_value = (table["value_slope"] >= min_slope) & (table["value_p"] < alpha)
    level = float(np.median(table["level"])) if midpoint is None else midpoint
    table["driver"] = np.select(
        [by_satisfaction & by_value, by_satisfaction, by_value, table["level"] >= level],
        [
            "satisfaction- and value-driven",
            "satisfaction-driven",
            "value-driven",
            "insensitive, high loyalty (false loyalty)",
        ],
        default="insensitive, low loyalty (variety seeking)",
    )
    return table.reset_index(drop=True)


def segment_profiles(
    data: pd.DataFrame,
    segment: str,
    *,
    numeric: list[str] | None = None,
    categorical: list[str] | None = None,
) -> pd.DataFrame:
    """Do segments differ in who their members are? One test per variable.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent, with the segment column.
    segment : str
        Column holding each respondent's segment.
    numeric : list of str
        Compared by one-way ANOVA (pingouin ``anova``; effect size eta squared).
    categorical : list of str
        Compared by a chi-square test of independence (pingouin ``chi2_independence``;
        effect size Cramér's V).

    Returns
    -------
    pandas.DataFrame
        One row per variable: ``variable``, ``test``, ``statistic``, ``df`` (chi-square),
        ``df1`` and ``df2`` (ANOVA's F), ``p_val``, ``effect_size``, ``effect`` (name of the
        effect size), ``n`` (cases with the
        variable answered) and, for chi-square tests, ``min_expected``: the smallest expected
        cell count (below 5 the chi-square approximation is rough).
    """
    if segment not in data.columns:
        raise ValueError(f"segment column {segment!r} is not in the data")
    unknown = [c for c in [*(numeric or []), *(categorical or [])] if c not in data.columns]
    if unknown:
        raise ValueError(f"columns not in the data: {unknown}")
    if data[segment].nunique() < 2:
        raise ValueError(
            f"segment column {segment!r} holds one segment: profiles compare segments, so there is "
            "nothing to compare"
        )
    rows = []
    for column in numeric or []:
        subset = data[[segment, column]].dropna()
        aov = pg.anova(data=subset, dv=column, between=segment, detailed=False)
        rows.append(
            {
                "variable": column,
                "test": "anova",
                "statistic": float(aov["F"].iloc[0]),
                "df": np.nan,
                "df1": float(aov["ddof1"].iloc[0]),
                "df2": float(aov["ddof2"].iloc[0]),
                "p_val": float(aov["p_unc"].iloc[0] if "p_unc" in aov else aov["p-unc"].iloc[0]),
                "effect_size": float(aov["np2"].iloc[0]),
                "effect": "eta_squared",
                "n": len(subset),
            }
        )
    for column in categorical or []:
        subset = data[[segment, column]].dropna().astype(str)
        with warnings.catch_warnings():
            # pingouin also computes power-divergence variants that warn on empty cells; only
            # Pearson's test is reported, with its smallest expected count
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.filterwarnings("ignore", message="Low count on")
            expected, _, tests = pg.chi2_independence(subset, x=segment, y=column)
        pearson = tests[tests["test"] == "pearson"].iloc[0]
        rows.append(
            {
                "variable": column,
                "test": "chi2",
                "statistic": float(pearson["chi2"]),
                "df": float(pearson["dof"]),
                "df1": np.nan,
                "df2": np.nan,
                "p_val": float(pearson["pval"]),
                "effect_size": float(pearson["cramer"]),
                "effect": "cramers_v",
                "n": len(subset),
                "min_expected": float(expected.to_numpy().min()),
            }
        )
    return pd.DataFrame(rows)


def within_cluster_regressions(
    formula: str, data: pd.DataFrame, cluster: str, *, alpha: float = 0.05
) -> pd.DataFrame:
    """Ordinary least squares of the same formula within each cluster (HC3 standard errors).

    Shows whether clusters found on attitudes alone (k-means, Gaussian mixtures) differ in
    what drives loyalty.

    Parameters
    ----------
    formula : str
        ``"loyalty ~ satisfaction + delivered_value"``. Formula first, as in
        :func:`~loyalty_research.fit_clusterwise` (and statsmodels and R).
    data : pandas.DataFrame
    cluster : str
        The column holding each customer's cluster.
    alpha : float, default 0.05
        Intervals have coverage ``1 - alpha``.

    Returns
    -------
    pandas.DataFrame
        One row per cluster and term: ``cluster``, ``n``, ``term``, the estimate columns
        (``coef``, ``se``, ``statistic``, ``df``, ``p_val``, ``ci_low``, ``ci_high``; t with
        the residual df, as every OLS table of the package) and ``r_squared``.
    """
    check_probability("alpha", alpha)
    if cluster not in data.columns:
        raise ValueError(f"cluster column {cluster!r} is not in the data")
    tables = []
    for name, group in data.groupby(cluster, observed=True):
        fit = fit_formula(formula, group)
        tables.append(
            coefficient_table(fit, alpha, cluster=name, n=int(fit.nobs)).assign(r_squared=fit.rsquared)
        )
    return pd.concat(tables, ignore_index=True)
