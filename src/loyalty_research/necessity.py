"""Necessary condition analysis: is a level of one variable needed for a level of another?

"Loyal customers are almost always satisfied" is a claim of necessity: without satisfaction, no
loyalty, although satisfaction alone does not bring it. Regression through the middle of the
data answers a different question (on average, more of x goes with more of y); necessary
condition analysis (Dul, 2016) draws a *ceiling* over the data instead and asks how large the
empty corner above it is: cases with much y and little x that do not exist.
"""

from __future__ import annotations

from itertools import permutations
from math import factorial

import numpy as np
import pandas as pd

from ._validate import numeric_columns

__all__ = ["bottleneck_table", "ceiling_peers", "necessary_condition"]

CEILINGS = ("ce_fdh", "cr_fdh")
_EPSILON = 1e-10  # NCA's tolerance in the bottleneck search


def _xy(data: pd.DataFrame, condition: str, outcome: str) -> tuple[np.ndarray, np.ndarray]:
    frame = numeric_columns(data, [condition, outcome]).dropna()
    if len(frame) < 3:
        raise ValueError(
            f"{len(frame)} respondents answered both {condition!r} and {outcome!r}: necessary condition "
            "analysis needs at least 3"
        )
    for column in (condition, outcome):
        if frame[column].nunique() < 2:
            raise ValueError(f"{column!r} has one value for everybody: there is no ceiling to draw; drop it")
    return frame[condition].to_numpy(float), frame[outcome].to_numpy(float)


def _peers(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The corner points of the step ceiling (free disposal hull), left to right, and how many
    cases sit on each: a peer is the highest outcome at its condition value that beats every
    outcome at lower condition values. NCA keeps a peer's repeats, so they weigh in the CR-FDH
    regression."""
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    starts = np.flatnonzero(np.r_[True, xs[1:] != xs[:-1]])
    top = np.maximum.reduceat(ys, starts)
    before = np.r_[-np.inf, np.maximum.accumulate(top)[:-1]]
    rising = top > before
    counts = np.add.reduceat(ys == np.repeat(top, np.diff(np.r_[starts, len(xs)])), starts)
    return np.column_stack([xs[starts][rising], top[rising]]), counts[rising]


def _area_above_line(slope: float, intercept: float, box: tuple[float, float, float, float]) -> float:
    """Area of the box [x0, x1] x [y0, y1] above the line y = intercept + slope x."""
    x0, x1, y0, y1 = box
    cuts = [x0, x1]
    if slope != 0:
        cuts += [(level - intercept) / slope for level in (y0, y1)]
    knots = np.unique(np.clip(cuts, x0, x1))
    height = y1 - np.clip(intercept + slope * knots, y0, y1)  # piecewise linear between knots
    return float(np.sum(np.diff(knots) * (height[1:] + height[:-1]) / 2))


def _ceilings(x: np.ndarray, y: np.ndarray) -> dict[str, dict[str, float]]:
    """Both ceilings' zone, effect size, line, cases above and accuracy (empirical scope)."""
    box = (x.min(), x.max(), y.min(), y.max())
    scope = (box[1] - box[0]) * (box[3] - box[2])
    peers, counts = _peers(x, y)
    # CE-FDH: the empty zone above the step function, one rectangle per step up
    ce_zone = float(np.sum((peers[1:, 0] - box[0]) * np.diff(peers[:, 1])))
    out = {
        "ce_fdh": {"ceiling_zone": ce_zone, "slope": np.nan, "intercept": np.nan, "above": 0},
    }
    # CR-FDH: least squares through the peers (each as often as it occurs), the zone above it
    if len(peers) > 1:
        slope, intercept = np.polyfit(peers[:, 0], peers[:, 1], 1, w=np.sqrt(counts))
        zone = _area_above_line(slope, intercept, box) if slope >= 0 else np.nan
        above = int(np.sum(y - (intercept + slope * x) > 1e-7))
    else:
        slope = intercept = np.nan
        zone, above = 0.0, 0
    out["cr_fdh"] = {"ceiling_zone": zone, "slope": slope, "intercept": intercept, "above": above}
    for ceiling in out.values():
        ceiling |= {
            "scope": scope,
            "effect_size": ceiling["ceiling_zone"] / scope,
            "accuracy": (len(x) - ceiling["above"]) / len(x),
        }
    ce = out["ce_fdh"]["ceiling_zone"]
    cr = out["cr_fdh"]["ceiling_zone"]
    out["ce_fdh"]["fit"] = 1.0
    out["cr_fdh"]["fit"] = 1 - abs(cr - ce) / ce if ce > 0 and cr <= ce else np.nan
    return out


def necessary_condition(
    data: pd.DataFrame,
    condition: str,
    outcome: str,
    *,
    n_permutations: int = 10000,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Necessary condition analysis (NCA): is ``condition`` needed for ``outcome``?

    Parameters
    ----------
    data : pandas.DataFrame
        One row per case (respondent, customer).
    condition : str
        The column that may be necessary (e.g. satisfaction).
    outcome : str
        The column it may be necessary for (e.g. loyalty).
    n_permutations : int, default 10000
        Permutations of the outcome for the approximate permutation test (Dul, van der Laan &
        Kuik, 2020); when ``n!`` is no larger, every permutation is used (an exact test). 0: no
        test (``p_val`` is NaN).
    random_state : int or numpy.random.Generator, optional
        Seed of the permutations.

    Returns
    -------
    pandas.DataFrame
        One row per ceiling, index ``ce_fdh`` (ceiling envelopment, a step function over the
        free disposal hull) and ``cr_fdh`` (ceiling regression: least squares through the
        step function's corner points). Columns: ``n``, ``scope`` (area of the observed
        range), ``ceiling_zone`` (the empty area above the ceiling), ``effect_size`` (the zone
        over the scope, 0-1), ``slope``, ``intercept`` (CR-FDH), ``above`` (cases above the
        ceiling), ``accuracy`` (share of cases on or below it), ``fit`` (CR-FDH's zone against
        CE-FDH's), ``p_val`` (permutation test of the effect size), ``p_accuracy`` (the
        p value's Monte Carlo margin at 95%; 0 when exact).

    Notes
    -----
    The ceiling bounds the upper-left corner of the scatter of outcome over condition: no case
    has a high outcome with a low condition. Dul's (2016) benchmarks for the effect size d:
    below 0.1 small, 0.1-0.3 medium, 0.3-0.5 large, above 0.5 very large; a necessary condition
    needs a d of at least 0.1 *and* a small permutation p value (Dul et al., 2020), which
    guards against empty corners that random data would also leave. CE-FDH fits discrete data
    (Likert answers) and is always 100% accurate; CR-FDH smooths it and may leave cases above.
    The p value is (permuted effects at least as large as the observed one, plus 1) over
    (permutations plus 1). Definitions follow R's NCA package (version 5), against which every
    column is checked (``tests/reference/r_nca.R``: Dul's 28-country example, a Likert survey
    with ties, a hand-checkable set).

    References
    ----------
    Dul, J. (2016). Necessary Condition Analysis (NCA): Logic and methodology of "necessary but
    not sufficient" causality. Organizational Research Methods, 19(1), 10-52.
    https://doi.org/10.1177/1094428115584005

    Dul, J., van der Laan, E., & Kuik, R. (2020). A statistical significance test for necessary
    condition analysis. Organizational Research Methods, 23(2), 385-395.

    Examples
    --------
    >>> import pandas as pd
    >>> cases = pd.DataFrame({"x": [1, 2, 2, 3, 4, 5, 5], "y": [1, 3, 2, 2, 4, 3, 6]})
    >>> necessary_condition(cases, "x", "y", n_permutations=0)["effect_size"].round(2).tolist()
    [0.65, 0.5]
    """
    if int(n_permutations) != n_permutations or n_permutations < 0:
        raise ValueError(f"n_permutations must be a whole number >= 0, got {n_permutations!r}")
    x, y = _xy(data, condition, outcome)
    observed = _ceilings(x, y)
    table = pd.DataFrame.from_dict(observed, orient="index")
    table.insert(0, "n", len(x))
    p_values, margin = {c: np.nan for c in CEILINGS}, np.nan
    if n_permutations:
        exact = factorial(len(x)) <= n_permutations
        if exact:
            orders = (np.array(order) for order in permutations(range(len(x))))
        else:
            rng = np.random.default_rng(random_state)
            orders = (rng.permutation(len(x)) for _ in range(int(n_permutations)))
        effects = np.array([[c["effect_size"] for c in _ceilings(x, y[order]).values()] for order in orders])
        count = len(effects)
        for k, ceiling in enumerate(CEILINGS):
            kept = effects[:, k][~np.isnan(effects[:, k])]
            at_least = int(np.sum(kept >= observed[ceiling]["effect_size"] - 1e-12))
            p_values[ceiling] = max((at_least + 1) / (len(kept) + 1), 1 / count)
        margin = 0.0 if exact else None
    table["p_val"] = pd.Series(p_values)
    if margin is None:  # the Monte Carlo margin of each p value at 95% (NCA's p_accuracy)
        table["p_accuracy"] = 1.959963984540054 * np.sqrt(
            table["p_val"] * (1 - table["p_val"]) / n_permutations
        )
    else:
        table["p_accuracy"] = margin
    columns = ["n", "scope", "ceiling_zone", "effect_size", "slope", "intercept", "above", "accuracy", "fit"]
    return table[[*columns, "p_val", "p_accuracy"]].rename_axis("ceiling")


def ceiling_peers(data: pd.DataFrame, condition: str, outcome: str) -> pd.DataFrame:
    """The corner points of the CE-FDH step ceiling (to draw it), left to right.

    Examples
    --------
    >>> import pandas as pd
    >>> cases = pd.DataFrame({"x": [1, 2, 2, 3, 4, 5, 5], "y": [1, 3, 2, 2, 4, 3, 6]})
    >>> ceiling_peers(cases, "x", "y").to_numpy().tolist()
    [[1.0, 1.0], [2.0, 3.0], [4.0, 4.0], [5.0, 6.0]]
    """
    x, y = _xy(data, condition, outcome)
    return pd.DataFrame(_peers(x, y)[0], columns=[condition, outcome])


def bottleneck_table(
    data: pd.DataFrame, condition: str, outcome: str, *, ceiling: str = "ce_fdh", steps: int = 10
) -> pd.DataFrame:
    """How much of the condition each level of the outcome needs (NCA's bottleneck table).

    Parameters
    ----------
    data : pandas.DataFrame
    condition, outcome : str
    ceiling : {"ce_fdh", "cr_fdh"}, default "ce_fdh"
    steps : int, default 10
        Outcome levels at 0, 1/steps, ..., 100% of its observed range.

    Returns
    -------
    pandas.DataFrame
        One row per outcome level: ``outcome_pct`` (percent of the range), ``outcome_level``
        (in the outcome's units), ``required`` (the condition level the ceiling requires, in its
        units; NaN where nothing is required or the level is beyond the data), ``status``
        (``"required"``; ``"not necessary"`` where the lowest observed condition suffices;
        ``"not reached"`` where the ceiling does not reach the level within the observed
        condition range).

    Examples
    --------
    >>> import pandas as pd
    >>> cases = pd.DataFrame({"x": [1, 2, 2, 3, 4, 5, 5], "y": [1, 3, 2, 2, 4, 3, 6]})
    >>> bottleneck_table(cases, "x", "y", steps=5)["required"].tolist()
    [nan, 2.0, 2.0, 4.0, 5.0, 5.0]
    """
    if ceiling not in CEILINGS:
        raise ValueError(f"ceiling must be one of {list(CEILINGS)}, got {ceiling!r}")
    if int(steps) != steps or steps < 1:
        raise ValueError(f"steps must be a whole number >= 1, got {steps!r}")
    x, y = _xy(data, condition, outcome)
    percent = np.linspace(0, 100, int(steps) + 1)
    levels = y.min() + percent / 100 * (y.max() - y.min())
    if ceiling == "ce_fdh":
        peers = _peers(x, y)[0]
        first = [np.flatnonzero(peers[:, 1] > level - _EPSILON) for level in levels]
        required = np.array([peers[f[0], 0] if len(f) else np.nan for f in first])
    else:
        line = _ceilings(x, y)["cr_fdh"]
        required = (levels - line["intercept"]) / line["slope"]
    status = np.where(
        required < x.min() + _EPSILON,
        "not necessary",
        np.where(np.isnan(required) | (required > x.max()), "not reached", "required"),
    )
    return pd.DataFrame(
        {
            "outcome_pct": percent,
            "outcome_level": levels,
            "required": np.where(status == "required", required, np.nan),
            "status": status,
        }
    )
