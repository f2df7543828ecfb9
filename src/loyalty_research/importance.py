"""Importance-performance analysis: which attributes to improve first.

Martilla & James (1977) plot each service attribute by how well the firm performs on it and how
much it matters to customers. The seeds name the four quadrants: urgent improvement (important,
poor performance), keep up (important, good), low priority (unimportant, poor) and nice-to-have
(unimportant, good). Importance can be *stated* (customers rate it) or *derived* (how much the
attribute explains overall satisfaction); the two often disagree.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._ols import residuals
from ._validate import complete_cases, numeric_columns, row_labels
from .codebook import Codebook

__all__ = ["QUADRANTS", "importance_performance", "relative_importance"]

QUADRANTS = {
    (True, False): "urgent improvement",
    (True, True): "keep up",
    (False, False): "low priority",
    (False, True): "nice-to-have",
}
"""Quadrant names by (importance above the centre, performance above the centre)."""

_DERIVED = ("lmg", "correlation")


def _quadrant(important: pd.Series, performing: pd.Series) -> pd.Series:
    return pd.Series(
        [QUADRANTS[(bool(i), bool(p))] for i, p in zip(important, performing, strict=True)],
        index=important.index,
    )


def _one_group(
    data: pd.DataFrame,
    performance: list[str],
    stated: Mapping[str, str],
    y: str | None,
    method: str,
    centre: str,
) -> pd.DataFrame:
    table = pd.DataFrame({"item": performance, "performance": [data[i].mean() for i in performance]})
    table["n"] = [int(data[i].notna().sum()) for i in performance]
    table["performance_se"] = [
        data[i].std(ddof=1) / np.sqrt(n) for i, n in zip(performance, table["n"], strict=True)
    ]
    if stated:
        table["stated_importance"] = [data[stated[i]].mean() if i in stated else np.nan for i in performance]
        table["stated_importance_se"] = [
            data[stated[i]].std(ddof=1) / np.sqrt(data[stated[i]].notna().sum()) if i in stated else np.nan
            for i in performance
        ]
    if y is not None:
        complete = complete_cases(data, [y, *performance], stacklevel=5)
        if method == "lmg":
            weights = relative_importance(complete, y, performance).set_index("predictor")["lmg"]
        else:
            weights = complete[performance].corrwith(complete[y])
        table["derived_importance"] = weights.reindex(performance).to_numpy()
    middle = (lambda s: s.mean()) if centre == "mean" else (lambda s: s.median())
    performing = table["performance"] > middle(table["performance"])
    for kind in ("stated", "derived"):
        column = f"{kind}_importance"
        if column in table:
            known = table[column].notna()
            important = table[column] > middle(table.loc[known, column])
            table[f"quadrant_{kind}"] = _quadrant(important, performing).where(known)
    return table


def importance_performance(
    data: pd.DataFrame,
    performance: Sequence[str],
    *,
    importance: Mapping[str, str] | Codebook | None = None,
    y: str | None = None,
    by: str | None = None,
    method: str = "lmg",
    centre: str = "mean",
) -> pd.DataFrame:
    """Importance-performance table with stated and derived importance.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer. Reverse-keyed performance items must already be reversed
        (see Notes).
    performance : list of str
        Performance ratings of the attributes (e.g. "the greens are in good condition").
    importance : mapping or Codebook, optional
        Stated importance: performance item to the column holding its importance rating. A
        codebook supplies the mapping from its ``importance_of`` fields.
    y : str, optional
        Column whose variance defines derived importance (e.g. the satisfaction score).
    by : str, optional
        Column of groups (segments): one analysis per group, with the quadrant centres of
        that group; the pooled analysis comes first with ``group = "all"``.
    method : {"lmg", "correlation"}, default "lmg"
        Derived importance as each item's LMG share of the outcome's R-squared
        (:func:`relative_importance`; at most 12 items) or as its
        correlation with the outcome.
    centre : {"mean", "median"}, default "mean"
        Where the quadrant lines cross: the mean (or median) over items of performance and of
        importance, the data-centred approach of Bacon (2003).

    Returns
    -------
    pandas.DataFrame
        One row per group and item: ``group``, ``item``, ``performance`` (mean rating), ``n``,
        ``performance_se`` (its standard error), ``stated_importance`` (mean importance
        rating) and ``stated_importance_se``, ``derived_importance``, and
        ``quadrant_stated`` / ``quadrant_derived``: ``"urgent improvement"``, ``"keep up"``,
        ``"low priority"`` or ``"nice-to-have"``. Columns without the input they need are
        left out.

    Notes
    -----
    Performance means use every answer to the item; derived importance uses the customers who
    answered all items and the outcome. Data-centred lines put items in all four quadrants
    even when the attributes do not differ at all: compare the spread of ``performance`` with
    ``performance_se`` before reading a quadrant. An item above the centre on both axes is one to keep
    up; important but below-average performance marks urgent improvement. Stated importance
    tends to be high for everything (customers call every attribute important), and derived
    importance captures what actually moves satisfaction, so the two columns of quadrants can
    disagree; Matzler et al. (2004) show that asymmetric attributes make derived importance
    depend on the performance level too. Negatively worded items rate *poor* performance:
    reverse them first (:func:`~loyalty_research.survey.score_constructs` does so for
    scores; for items, ``min + max - x``).

    References
    ----------
    Martilla, J. A., & James, J. C. (1977). Importance-performance analysis. Journal of
    Marketing, 41(1), 77-79. https://doi.org/10.1177/002224297704100112

    Bacon, D. R. (2003). A comparison of approaches to importance-performance analysis.
    International Journal of Market Research, 45(1), 1-15.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> survey, codebook = lr.load_golf_survey(), lr.load_codebook()
    >>> data = survey.join(lr.score_constructs(survey, codebook)["satisfaction"])
    >>> items = ["qcourse_greens", "qcourse_fairways", "qservice_staff", "qfacil_range"]
    >>> table = importance_performance(data, items, importance=codebook, y="satisfaction")
    >>> sorted(table.columns)[:3]
    ['derived_importance', 'group', 'item']
    """
    performance = list(performance)
    if not performance:
        raise ValueError("give at least one performance item")
    if method not in _DERIVED:
        raise ValueError(f"method must be one of {_DERIVED}, got {method!r}")
    if centre not in ("mean", "median"):
        raise ValueError(f"centre must be 'mean' or 'median', got {centre!r}")
    if isinstance(importance, Codebook):
        stated = {
            spec.importance_of: name
            for name, spec in importance.columns.items()
            if spec.importance_of in performance
        }
    else:
        stated = dict(importance or {})
    unknown = [i for i in stated if i not in performance]
    if unknown:
        raise ValueError(f"importance given for items that are not performance items: {unknown}")
    if not stated and y is None:
        raise ValueError(
            "give stated importance (importance=...) or an outcome (y=...) for derived importance"
        )
    numeric = list(dict.fromkeys([*performance, *stated.values(), *([y] if y else [])]))
    if by is not None and by not in data.columns:
        raise ValueError(f"column {by!r} not in the data")
    values = numeric_columns(data, numeric)
    groups = [("all", values)]
    if by is not None:
        if data[by].isna().any():
            raise ValueError(f"column {by!r} has missing groups ({row_labels(data.index, data[by].isna())})")
        groups += [
            (str(g), values.loc[idx]) for g, idx in data.groupby(by, observed=True, sort=True).groups.items()
        ]
    tables = [
        _one_group(part, performance, stated, y, method, centre).assign(group=name) for name, part in groups
    ]
    table = pd.concat(tables, ignore_index=True)
    return table[["group", *[c for c in table.columns if c != "group"]]]


def relative_importance(data: pd.DataFrame, y: str, predictors: Sequence[str]) -> pd.DataFrame:
    """Relative importance of predictors: LMG / general dominance decomposition of R-squared.

    Parameters
    ----------
    data : pandas.DataFrame
    y : str
        The outcome column.
    predictors : list of str
        Two to twelve numeric predictor columns.

    Returns
    -------
    pandas.DataFrame
        One row per predictor: ``predictor``, ``r2_alone`` (R-squared on its own), ``lmg``
        (its share of the full model's R-squared, averaged over all orders of entry) and
        ``lmg_share`` (``lmg`` over the full R-squared). The ``lmg`` column sums to the full
        R-squared.

    Notes
    -----
    LMG (Lindeman, Merenda & Gold, 1980) averages each predictor's increase in R-squared over
    all orders in which the predictors can enter; it equals the general dominance weight of
    Budescu (1993) and the Shapley value of R-squared. It needs a regression on every subset
    of the predictors (``2**p``). Checked against pingouin's ``linear_regression(relimp=True)``,
    which itself matches R's ``relaimpo::calc.relimp(type = "lmg")``.

    References
    ----------
    Grömping, U. (2006). Relative importance for linear regression in R: the package relaimpo.
    Journal of Statistical Software, 17(1). https://doi.org/10.18637/jss.v017.i01

    Budescu, D. V. (1993). Dominance analysis: a new approach to the problem of relative
    importance of predictors in multiple regression. Psychological Bulletin, 114(3), 542-551.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> scores = lr.score_constructs(lr.load_golf_survey(), lr.load_codebook()).dropna()
    >>> table = relative_importance(scores, "loyalty", ["satisfaction", "delivered_value"])
    >>> round(float(table["lmg_share"].sum()), 6)
    1.0
    """
    predictors = list(predictors)
    if not 2 <= len(predictors) <= 12:
        raise ValueError(f"give between 2 and 12 predictors, got {len(predictors)}")
    complete = complete_cases(data, [y, *predictors])
    outcome = complete[y].to_numpy()
    centred = outcome - outcome.mean()
    total = centred @ centred

    r2_of: dict[frozenset, float] = {frozenset(): 0.0}
    for size in range(1, len(predictors) + 1):
        for subset in itertools.combinations(predictors, size):
            design = np.column_stack([np.ones(len(complete)), complete[list(subset)].to_numpy()])
            resid = residuals(design, outcome)
            r2_of[frozenset(subset)] = 1 - resid @ resid / total
    p = len(predictors)
    rows = []
    for predictor in predictors:
        others = [q for q in predictors if q != predictor]
        share = 0.0
        for size in range(p):
            weight = 1 / (p * len(list(itertools.combinations(others, size))))
            for subset in itertools.combinations(others, size):
                share += weight * (r2_of[frozenset((*subset, predictor))] - r2_of[frozenset(subset)])
        rows.append({"predictor": predictor, "r2_alone": r2_of[frozenset([predictor])], "lmg": share})
    table = pd.DataFrame(rows)
    table["lmg_share"] = table["lmg"] / r2_of[frozenset(predictors)]
    return table
