"""Complaints and service recovery: repurchase by complaint outcome, the recovery paradox.

The seed documents quote the TARP studies: few dissatisfied customers complain, and whether
they buy again depends steeply on how their complaint is handled. The service-recovery paradox
claims more: that customers whose problem was fixed well end *more* loyal than customers who
never had a problem.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .theories import _wilson

__all__ = ["OUTCOMES", "TARP_REPURCHASE", "complaint_outcome", "recovery_paradox", "repurchase_by_complaint"]

OUTCOMES = ("no_problem", "not_complained", "unresolved", "resolved", "resolved_quickly")
"""Complaint outcomes, from no problem to a complaint resolved quickly."""

TARP_REPURCHASE = pd.DataFrame(
    {
        "outcome": ["not_complained", "unresolved", "resolved", "resolved_quickly"],
        "tarp_loss_over_100": [0.09, 0.19, 0.54, 0.82],
        "tarp_loss_under_5": [0.37, 0.46, 0.70, 0.95],
    }
)
"""Repurchase shares by complaint outcome from the TARP studies for the US Office of Consumer
Affairs, as the seed documents quote them (customers with a loss over $100 and under $5).
Secondary sources quote these figures differently."""

_COLUMNS = {
    "had_problem": "had_problem",
    "complained": "complained",
    "resolved": "complaint_resolved",
    "quickly": "resolved_quickly",
}


def _binary(data: pd.DataFrame, column: str) -> pd.Series:
    if column not in data.columns:
        raise ValueError(f"column {column!r} not in the data")
    values = pd.to_numeric(data[column], errors="coerce")
    bad = (values.isna() & data[column].notna()) | ~(values.isin([0, 1]) | values.isna())
    if bad.any():
        raise ValueError(
            f"column {column!r} must hold 0, 1 or missing; rows {data.index[bad][:5].tolist()} do not"
        )
    return values


def complaint_outcome(
    data: pd.DataFrame,
    *,
    had_problem: str = "had_problem",
    complained: str = "complained",
    resolved: str = "complaint_resolved",
    quickly: str = "resolved_quickly",
) -> pd.Series:
    """Each customer's complaint outcome, from the four yes/no questions of the chain.

    Parameters
    ----------
    data : pandas.DataFrame
    had_problem, complained, resolved, quickly : str
        0/1 columns: had a problem; complained (asked only after a problem); the complaint was
        resolved (only after a complaint); resolved quickly (only when resolved).

    Returns
    -------
    pandas.Series
        Ordered categorical named ``outcome`` with the levels of :data:`OUTCOMES`
        (``"resolved"`` means resolved, but not quickly); missing where an answer the outcome
        needs is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"had_problem": [0, 1, 1], "complained": [None, 1, 0],
    ...                         "complaint_resolved": [None, 1, None], "resolved_quickly": [None, 0, None]})
    >>> complaint_outcome(answers).tolist()
    ['no_problem', 'resolved', 'not_complained']
    """
    problem, complaint, fixed, fast = (_binary(data, c) for c in (had_problem, complained, resolved, quickly))
    for later, earlier, later_name, earlier_name in [
        (complaint, problem, complained, had_problem),
        (fixed, complaint, resolved, complained),
        (fast, fixed, quickly, resolved),
    ]:
        inconsistent = (later == 1) & (earlier == 0)
        if inconsistent.any():
            raise ValueError(
                f"column {later_name!r} is 1 where {earlier_name!r} is 0 "
                f"(rows {data.index[inconsistent][:5].tolist()})"
            )
    outcome = np.select(
        [
            problem == 0,
            (problem == 1) & (complaint == 0),
            (complaint == 1) & (fixed == 0),
            (fixed == 1) & (fast == 0),
            (fast == 1),
        ],
        list(OUTCOMES),
        default="",
    )
    series = pd.Series(outcome, index=data.index, name="outcome").replace("", np.nan)
    return series.astype(pd.CategoricalDtype(list(OUTCOMES), ordered=True))


def repurchase_by_complaint(
    data: pd.DataFrame, repurchase: str = "repurchase", *, alpha: float = 0.05, **outcome_columns: str
) -> pd.DataFrame:
    """Share of customers who buy again, by complaint outcome, beside the TARP figures.

    Parameters
    ----------
    data : pandas.DataFrame
    repurchase : str, default "repurchase"
        0/1 column: bought again (came back).
    alpha : float, default 0.05
        Wilson intervals have coverage ``1 - alpha``.
    **outcome_columns
        Column names for :func:`complaint_outcome` (``had_problem=...`` and so on).

    Returns
    -------
    pandas.DataFrame
        One row per outcome of :data:`OUTCOMES`: ``outcome``, ``n``, ``n_repurchase``,
        ``share``, ``ci_low``, ``ci_high`` (Wilson), ``tarp_loss_over_100`` and
        ``tarp_loss_under_5`` (NaN for ``no_problem``).

    Notes
    -----
    Customers whose outcome or repurchase is missing are left out. Checked against R's
    ``prop.test(x, n, correct = FALSE)`` (``tests/reference/r_complaints.R``).

    References
    ----------
    Technical Assistance Research Programs (1986). Consumer Complaint Handling in America: An
    Update Study. White House Office of Consumer Affairs.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> table = repurchase_by_complaint(lr.load_golf_survey())
    >>> table["outcome"].tolist()[-1]
    'resolved_quickly'
    """
    outcome = complaint_outcome(data, **outcome_columns)
    bought = _binary(data, repurchase)
    rows = []
    for level in OUTCOMES:
        values = bought[(outcome == level) & bought.notna()]
        low, high = _wilson(int(values.sum()), len(values), alpha)
        rows.append(
            {
                "outcome": level,
                "n": len(values),
                "n_repurchase": int(values.sum()),
                "share": float(values.mean()) if len(values) else np.nan,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows).merge(TARP_REPURCHASE, on="outcome", how="left")


_COMPARISONS = [
    ("resolved_quickly", "no_problem"),
    ("resolved_quickly", "resolved"),
    ("resolved", "unresolved"),
]


def recovery_paradox(
    data: pd.DataFrame, outcome: str = "repurchase", *, alpha: float = 0.05, **outcome_columns: str
) -> pd.DataFrame:
    """Test the service-recovery paradox, and the value of (quick) recovery.

    Parameters
    ----------
    data : pandas.DataFrame
    outcome : str, default "repurchase"
        A 0/1 column (compared as proportions) or a numeric score such as loyalty (compared
        as means).
    alpha : float, default 0.05
    **outcome_columns
        Column names for :func:`complaint_outcome`.

    Returns
    -------
    pandas.DataFrame
        One row per comparison: resolved quickly against no problem (the paradox), resolved
        quickly against resolved slowly, resolved against unresolved. Columns ``comparison``,
        ``group``, ``reference``, ``n_group``, ``n_reference``, ``estimate_group``,
        ``estimate_reference`` (shares or means), ``difference``, ``ci_low``, ``ci_high``
        (Wald interval of the difference of proportions, or Welch's), ``statistic``
        (chi-square of ``prop.test`` without continuity correction, or Welch's t), ``p_val``,
        ``p_fisher`` (Fisher's exact test; NaN for scores) and ``verdict``. A comparison with
        fewer than two customers in a group has NaN statistics and says so in ``verdict``.

    Notes
    -----
    The paradox holds only if the quickly recovered customers are significantly *more* loyal
    than customers who had no problem; a non-significant difference is "no evidence", not
    evidence against it, and the recovered group is usually small. Checked against R's
    ``prop.test``, ``fisher.test`` and ``t.test`` (``tests/reference/r_complaints.R``).

    References
    ----------
    McCollough, M. A., Berry, L. L., & Yadav, M. S. (2000). An empirical investigation of
    customer satisfaction after service failure and recovery. Journal of Service Research,
    3(2), 121-137. https://doi.org/10.1177/109467050032002

    Examples
    --------
    >>> import loyalty_research as lr
    >>> table = recovery_paradox(lr.load_golf_survey(), "repurchase")
    >>> table["comparison"].tolist()[0]
    'resolved_quickly vs no_problem'
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1, got {alpha}")
    groups = complaint_outcome(data, **outcome_columns)
    if outcome not in data.columns:
        raise ValueError(f"column {outcome!r} not in the data")
    values = pd.to_numeric(data[outcome], errors="coerce")
    if (values.isna() & data[outcome].notna()).any():
        raise ValueError(f"non-numeric values in column {outcome!r}")
    binary = bool(values.dropna().isin([0, 1]).all())
    z = stats.norm.ppf(1 - alpha / 2)
    rows = []
    for group, reference in _COMPARISONS:
        a = values[(groups == group) & values.notna()].to_numpy(dtype=float)
        b = values[(groups == reference) & values.notna()].to_numpy(dtype=float)
        if len(a) < 2 or len(b) < 2:
            rows.append(
                {
                    "comparison": f"{group} vs {reference}",
                    "group": group,
                    "reference": reference,
                    "n_group": len(a),
                    "n_reference": len(b),
                    "verdict": f"too few customers to compare ({len(a)} and {len(b)})",
                }
            )
            continue
        difference = a.mean() - b.mean()
        if binary:
            pa, pb = a.mean(), b.mean()
            se = np.sqrt(pa * (1 - pa) / len(a) + pb * (1 - pb) / len(b))
            low, high = difference - z * se, difference + z * se
            counts = np.array([[a.sum(), len(a) - a.sum()], [b.sum(), len(b) - b.sum()]])
            chi2, p_val, *_ = stats.chi2_contingency(counts, correction=False)
            p_fisher = stats.fisher_exact(counts).pvalue
            statistic = chi2
        else:
            test = stats.ttest_ind(a, b, equal_var=False)
            low, high = test.confidence_interval(1 - alpha)
            statistic, p_val, p_fisher = test.statistic, test.pvalue, np.nan
        rows.append(
            {
                "comparison": f"{group} vs {reference}",
                "group": group,
                "reference": reference,
                "n_group": len(a),
                "n_reference": len(b),
                "estimate_group": a.mean(),
                "estimate_reference": b.mean(),
                "difference": difference,
                "ci_low": float(low),
                "ci_high": float(high),
                "statistic": float(statistic),
                "p_val": float(p_val),
                "p_fisher": float(p_fisher),
                "verdict": _verdict(group, reference, difference, float(p_val), alpha),
            }
        )
    return pd.DataFrame(rows).reindex(columns=list(_RESULT_COLUMNS))


_RESULT_COLUMNS = (
    "comparison",
    "group",
    "reference",
    "n_group",
    "n_reference",
    "estimate_group",
    "estimate_reference",
    "difference",
    "ci_low",
    "ci_high",
    "statistic",
    "p_val",
    "p_fisher",
    "verdict",
)


def _verdict(group: str, reference: str, difference: float, p_val: float, alpha: float) -> str:
    p_text = f"p = {p_val:.3f}" if p_val >= 0.001 else "p < 0.001"
    if group == "resolved_quickly" and reference == "no_problem":
        if p_val < alpha and difference > 0:
            return (
                "the paradox holds: quickly recovered customers are more loyal than those without a "
                f"problem ({p_text})"
            )
        if p_val < alpha:
            return (
                "no paradox: quickly recovered customers are less loyal than those without a "
                f"problem ({p_text})"
            )
        return (
            f"no evidence of a paradox: no significant difference from customers without a problem ({p_text})"
        )
    label = f"{group.replace('_', ' ')} against {reference.replace('_', ' ')}"
    if p_val < alpha:
        direction = "higher" if difference > 0 else "lower"
        return f"{label}: significantly {direction} ({p_text})"
    return f"{label}: no significant difference ({p_text})"
