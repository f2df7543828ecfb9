"""Complaints and service recovery: repurchase by complaint outcome, the recovery paradox.

The seed documents quote the TARP studies: few dissatisfied customers complain, and whether
they buy again depends steeply on how their complaint is handled (:func:`tarp_repurchase`).
The service-recovery paradox claims more: that customers whose problem was fixed well end up
*more* loyal than customers who never had a problem (:func:`recovery_paradox`).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ._tables import binomial_interval
from ._validate import check_probability, numeric_columns, row_labels

__all__ = [
    "OUTCOMES",
    "complaint_outcome",
    "recovery_paradox",
    "repurchase_by_complaint",
    "seed_repurchase",
    "tarp_repurchase",
]

OUTCOMES = ("no_problem", "not_complained", "unresolved", "resolved", "resolved_quickly")
"""Complaint outcomes, from no problem to a complaint resolved quickly (``"resolved"``: resolved,
but not quickly)."""

_TARP_REPURCHASE = (
    ("not_complained", 0.09, 0.37),
    ("unresolved", 0.19, 0.46),
    ("resolved", 0.54, 0.70),
    ("resolved_quickly", 0.82, 0.95),
)


def tarp_repurchase() -> pd.DataFrame:
    """Share of dissatisfied customers who would buy again, by complaint outcome (TARP, 1986).

    Returns
    -------
    pandas.DataFrame
        A new table on every call (the figures cannot be changed by accident): ``outcome``
        (the levels of :data:`OUTCOMES` after ``no_problem``), ``tarp_loss_over_100`` and
        ``tarp_loss_under_5``, the shares for customers whose problem cost them over $100 and
        under $5.

    Notes
    -----
    TARP (Technical Assistance Research Programs) for the US Office of Consumer Affairs, as
    quoted in the seed documents. Secondary sources disagree on these figures (the year of the
    study, the loss brackets and some of the shares differ between the textbooks that repeat
    them), and the original report is hard to obtain; treat them as the seeds' benchmark, not as
    a verified measurement.

    References
    ----------
    Technical Assistance Research Programs (1986). Consumer Complaint Handling in America: An
    Update Study. Washington, DC: White House Office of Consumer Affairs.

    Examples
    --------
    >>> tarp_repurchase().set_index("outcome").loc["resolved_quickly", "tarp_loss_over_100"]
    np.float64(0.82)
    """
    return pd.DataFrame(_TARP_REPURCHASE, columns=["outcome", "tarp_loss_over_100", "tarp_loss_under_5"])


_SEED_REPURCHASE = (
    ("major", "resolved", 0.04, 0.04),
    ("minor", "complained", 0.53, 0.53),
    ("any", "resolved_quickly", 0.52, 0.95),
)


def seed_repurchase() -> pd.DataFrame:
    """The repurchase figures by problem severity as seed 000 states them.

    Returns
    -------
    pandas.DataFrame
        A new table on every call: ``severity`` (``"major"``, ``"minor"``, ``"any"``),
        ``outcome`` and the share who buy again, ``share_low`` and ``share_high`` (equal where
        the seed gives one figure; the minor-problem figure is an upper bound, "up to 53%").

    Notes
    -----
    Seed 000, line 8: 在重大问题投诉者中,有4%的人在问题解决后会再次购买该企业产品,而小问题投诉者的
    重购率则可达到53%,若企业迅速解决投诉问题,重购率将在52%和95%之间 ("of complainants with major
    problems, 4% buy again after resolution; of those with minor problems up to 53%; when the
    complaint is resolved quickly, 52%-95%"). The seed names no study. These are not the TARP
    figures by size of loss that textbooks quote (:func:`tarp_repurchase`: 54% for a resolved
    large-loss problem, not 4%); the seed's 4% equals TARP's one-in-25 complaint rate. The
    golf survey records no problem severity, so only the quick-resolution range can be
    compared with it.

    Examples
    --------
    >>> seed_repurchase().set_index("severity").loc["major", "share_low"]
    np.float64(0.04)
    """
    return pd.DataFrame(_SEED_REPURCHASE, columns=["severity", "outcome", "share_low", "share_high"])


_LABELS = {
    "no_problem": "customers without a problem",
    "not_complained": "customers who did not complain",
    "unresolved": "customers whose complaint was not resolved",
    "resolved": "customers whose complaint was resolved slowly",
    "resolved_quickly": "customers whose complaint was resolved quickly",
}

_COMPARISONS = (
    ("resolved_quickly", "no_problem"),
    ("resolved_quickly", "resolved"),
    ("resolved", "unresolved"),
)

_RESULT_COLUMNS = (
    "comparison",
    "group",
    "reference",
    "n_group",
    "n_reference",
    "mean_group",
    "mean_reference",
    "difference",
    "ci_low",
    "ci_high",
    "test",
    "statistic",
    "df",
    "p_val",
    "p_fisher",
    "verdict",
)


def _column(data: pd.DataFrame, column: str) -> pd.Series:
    """A numeric column as floats, or a ValueError naming the column and the offending rows."""
    return numeric_columns(data, [column])[column]


def _binary(data: pd.DataFrame, column: str) -> pd.Series:
    values = _column(data, column)
    bad = values.notna() & ~values.isin([0, 1])
    if bad.any():
        raise ValueError(f"column {column!r} must hold 0, 1 or missing; {row_labels(data.index, bad)} do not")
    return values


def complaint_outcome(
    data: pd.DataFrame,
    *,
    had_problem: str = "had_problem",
    complained: str = "complained",
    resolved: str = "complaint_resolved",
    quickly: str = "resolved_quickly",
) -> pd.Series:
    """Each customer's complaint outcome, from the four yes/no questions of the complaint chain.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer.
    had_problem : str, default "had_problem"
        0/1 column: had a problem.
    complained : str, default "complained"
        0/1 column: complained about it (asked only after a problem).
    resolved : str, default "complaint_resolved"
        0/1 column: the complaint was resolved (asked only after a complaint).
    quickly : str, default "resolved_quickly"
        0/1 column: it was resolved quickly (asked only when resolved).

    Returns
    -------
    pandas.Series
        Same index as ``data``, named ``outcome``: an ordered categorical with the levels of
        :data:`OUTCOMES`, ``no_problem`` < ``not_complained`` < ``unresolved`` < ``resolved``
        (resolved, but not quickly) < ``resolved_quickly``. Missing where an answer the outcome
        needs is missing.

    Notes
    -----
    Each column must hold 0, 1 or missing. A question further down the chain answered 1 where
    the question before it is 0 (e.g. ``complained`` 1 after ``had_problem`` 0) is an
    inconsistent coding and raises a ValueError naming both columns and the rows; a 0 there is
    accepted, since some files code "not asked" as 0. The outcome is missing when
    ``had_problem`` is missing, or when a customer with a problem lacks an answer the outcome
    needs (e.g. complained, but ``resolved`` is missing): such customers are not guessed into a
    level.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"had_problem": [0, 1, 1, 1], "complained": [None, 1, 0, 1],
    ...                         "complaint_resolved": [None, 1, None, None],
    ...                         "resolved_quickly": [None, 0, None, None]})
    >>> complaint_outcome(answers).tolist()
    ['no_problem', 'resolved', 'not_complained', nan]
    """
    names = (had_problem, complained, resolved, quickly)
    if len(set(names)) < len(names):
        raise ValueError(f"the four complaint columns must be different, got {list(names)}")
    problem, complaint, fixed, fast = (_binary(data, column) for column in names)
    for later, earlier, later_name, earlier_name in [
        (complaint, problem, complained, had_problem),
        (fixed, complaint, resolved, complained),
        (fast, fixed, quickly, resolved),
    ]:
        inconsistent = (later == 1) & (earlier == 0)
        if inconsistent.any():
            raise ValueError(
                f"column {later_name!r} is 1 where {earlier_name!r} is 0 "
                f"({row_labels(data.index, inconsistent)})"
            )
    complained_about = (problem == 1) & (complaint == 1)
    was_resolved = complained_about & (fixed == 1)
    codes = np.select(
        [
            problem == 0,
            (problem == 1) & (complaint == 0),
            complained_about & (fixed == 0),
            was_resolved & (fast == 0),
            was_resolved & (fast == 1),
        ],
        range(len(OUTCOMES)),
        default=-1,
    )
    categories = pd.CategoricalDtype(list(OUTCOMES), ordered=True)
    return pd.Series(pd.Categorical.from_codes(codes, dtype=categories), index=data.index, name="outcome")


def _usable(outcome: pd.Series, values: pd.Series, what: str) -> pd.Series:
    """Where both the complaint outcome and the value are known; warns about the others."""
    usable = outcome.notna() & values.notna()
    if not usable.all():
        warnings.warn(
            f"{int((~usable).sum())} of {len(usable)} customers with a missing complaint outcome or "
            f"{what} are left out",
            UserWarning,
            stacklevel=3,
        )
    return usable


def repurchase_by_complaint(
    data: pd.DataFrame, repurchase: str = "repurchase", *, alpha: float = 0.05, **outcome_columns: str
) -> pd.DataFrame:
    """Share of customers who buy again, by complaint outcome, beside the TARP figures.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer.
    repurchase : str, default "repurchase"
        0/1 column: bought again (came back).
    alpha : float, default 0.05
        Wilson intervals have coverage ``1 - alpha``.
    **outcome_columns : str
        Column names for :func:`complaint_outcome` (``had_problem=...``, ``complained=...``,
        ``resolved=...``, ``quickly=...``).

    Returns
    -------
    pandas.DataFrame
        One row per level of :data:`OUTCOMES`, in order: ``outcome``, ``n`` (customers),
        ``n_repurchase`` (of them bought again), ``share`` (``n_repurchase / n``; NaN when
        ``n`` is 0), ``ci_low`` and ``ci_high`` (Wilson score interval of the share),
        ``tarp_loss_over_100`` and ``tarp_loss_under_5`` (the TARP shares of
        :func:`tarp_repurchase`; NaN for ``no_problem``).

    Notes
    -----
    Customers whose outcome or repurchase is missing are left out, with a warning. The Wilson
    interval keeps inside 0-1 and covers well in the small complaint cells, where the Wald
    interval does not; it is R's ``prop.test(x, n, correct = FALSE)$conf.int`` (checked to
    1e-8 in ``tests/reference/r_complaints.R``). TARP's customers all had a problem, so only
    the other rows have a benchmark; and the benchmark is itself uncertain
    (:func:`tarp_repurchase`).

    References
    ----------
    Technical Assistance Research Programs (1986). Consumer Complaint Handling in America: An
    Update Study. Washington, DC: White House Office of Consumer Affairs.

    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    Journal of the American Statistical Association, 22(158), 209-212.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> table = repurchase_by_complaint(lr.load_golf_survey())
    >>> table["outcome"].tolist()
    ['no_problem', 'not_complained', 'unresolved', 'resolved', 'resolved_quickly']
    >>> table.set_index("outcome").loc["resolved_quickly", ["n", "n_repurchase"]].tolist()
    [32, 23]
    """
    check_probability("alpha", alpha)
    outcome = complaint_outcome(data, **outcome_columns)
    bought = _binary(data, repurchase)
    usable = _usable(outcome, bought, repurchase)
    rows = []
    for level in OUTCOMES:
        values = bought[usable & (outcome == level)]
        count = int(values.sum())
        low, high = binomial_interval(count, len(values), confidence=1 - alpha)
        rows.append(
            {
                "outcome": level,
                "n": len(values),
                "n_repurchase": count,
                "share": count / len(values) if len(values) else np.nan,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows).merge(tarp_repurchase(), on="outcome", how="left")


def _proportions(a: np.ndarray, b: np.ndarray, alpha: float, ci: str) -> dict:
    """Two-proportion comparison as R's ``prop.test(correct = FALSE)``, and Fisher's exact test."""
    n_a, n_b, x_a, x_b = len(a), len(b), a.sum(), b.sum()
    p_a, p_b = x_a / n_a, x_b / n_b
    difference = p_a - p_b
    if ci == "wald":
        half = stats.norm.ppf(1 - alpha / 2) * np.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
        low, high = difference - half, difference + half
    else:  # Newcombe's hybrid score interval from the two Wilson intervals
        low_a, high_a = binomial_interval(int(x_a), n_a, confidence=1 - alpha)
        low_b, high_b = binomial_interval(int(x_b), n_b, confidence=1 - alpha)
        low = difference - np.hypot(p_a - low_a, high_b - p_b)
        high = difference + np.hypot(high_a - p_a, p_b - low_b)
    pooled = (x_a + x_b) / (n_a + n_b)
    if 0 < pooled < 1:  # Pearson's chi-square of the 2 x 2 table (the squared pooled z)
        statistic = difference**2 / (pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
        p_val = float(stats.chi2.sf(statistic, 1))
    else:  # everyone in both groups has the same outcome: no test, as in R
        statistic = p_val = np.nan
    table = np.array([[x_a, n_a - x_a], [x_b, n_b - x_b]])
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    return {
        "ci_low": float(low),
        "ci_high": float(high),
        "test": "chi-square",
        "statistic": float(statistic),
        "df": 1.0,
        "p_val": p_val,
        "p_fisher": float(stats.fisher_exact(table).pvalue),
        "small_expected": bool(expected.min() < 5),
    }


def _means(a: np.ndarray, b: np.ndarray, alpha: float) -> dict:
    """Welch's two-sample t-test and interval of the mean difference, as R's ``t.test``."""
    if a.var() == 0 and b.var() == 0:  # no variation at all: no test, as in R
        low = high = statistic = df = p_val = np.nan
    else:
        test = stats.ttest_ind(a, b, equal_var=False)
        low, high = test.confidence_interval(1 - alpha)
        statistic, df, p_val = test.statistic, test.df, test.pvalue
    return {
        "ci_low": float(low),
        "ci_high": float(high),
        "test": "welch_t",
        "statistic": float(statistic),
        "df": float(df),
        "p_val": float(p_val),
        "p_fisher": np.nan,
        "small_expected": False,
    }


def recovery_paradox(
    data: pd.DataFrame,
    y: str = "repurchase",
    *,
    alpha: float = 0.05,
    ci: str = "newcombe",
    **outcome_columns: str,
) -> pd.DataFrame:
    """Test the service-recovery paradox, and what (quick) recovery is worth.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer.
    y : str, default "repurchase"
        A 0/1 column (compared as proportions) or a numeric score such as the loyalty score
        (compared as means). A column holding only 0, 1 and missing counts as 0/1.
    alpha : float, default 0.05
        Significance level of the verdicts; intervals have coverage ``1 - alpha``.
    ci : {"newcombe", "wald"}, default "newcombe"
        Interval of a difference of proportions: Newcombe's hybrid score interval, or the Wald
        interval that R's two-sample ``prop.test(correct = FALSE)`` prints. Not used for
        scores.
    **outcome_columns : str
        Column names for :func:`complaint_outcome` (``had_problem=...`` and so on).

    Returns
    -------
    pandas.DataFrame
        One row per comparison, in this order: ``resolved_quickly vs no_problem`` (the paradox),
        ``resolved_quickly vs resolved`` (is speed worth it?) and ``resolved vs unresolved``
        (is resolution worth it?). Columns:

        - ``comparison``, ``group``, ``reference``: the comparison and its two outcome levels;
        - ``n_group``, ``n_reference``: customers in each with a known ``y``;
        - ``mean_group``, ``mean_reference``: their shares (0/1) or means (scores);
        - ``difference``: group minus reference;
        - ``ci_low``, ``ci_high``: interval of the difference (Newcombe or Wald for shares,
          Welch's t interval for means);
        - ``test``: ``"chi-square"`` (Pearson's two-proportion test without continuity
          correction, as ``prop.test(correct = FALSE)``) or ``"welch_t"`` (as ``t.test``);
        - ``statistic``, ``df``, ``p_val``: its statistic, degrees of freedom and two-sided p;
        - ``p_fisher``: two-sided p of Fisher's exact test (NaN for scores);
        - ``verdict``: the answer in words.

        Statistics are NaN when a group has fewer than two customers, or when every customer in
        both groups has the same value (R returns NaN too); the verdict says so.

    Notes
    -----
    The paradox holds only if customers whose complaint was resolved quickly are
    significantly *more* loyal (a higher share who buy again, or a higher score) than customers
    who had no problem. Every other result reads "no evidence of a paradox": a significantly
    lower value (recovery does not undo the failure, as TARP's figures suggest), and a
    non-significant difference, which is absence of evidence, not evidence of absence: the
    recovered group is usually small, so the test has little power. The tests are two-sided,
    so the one-sided paradox claim is tested at level ``alpha / 2``. In de Matos et al.'s (2007)
    meta-analysis the paradox held for satisfaction but not for repurchase intentions, word of
    mouth or image.

    For shares the verdict uses the chi-square p; when an expected count of the 2 x 2 table is
    below 5 the chi-square approximation is doubtful and the verdict uses Fisher's exact p
    instead (the verdict names the test). Customers with a missing complaint outcome or
    ``y`` are left out, with a warning. The data are cross-sectional: customers whose
    problems got fixed quickly may differ from the others in more than the recovery. Checked
    against R's ``prop.test``, ``fisher.test`` and ``t.test`` and Newcombe's formula applied to
    R's Wilson intervals (``tests/reference/r_complaints.R``, 1e-8).

    References
    ----------
    McCollough, M. A., Berry, L. L., & Yadav, M. S. (2000). An empirical investigation of
    customer satisfaction after service failure and recovery. Journal of Service Research,
    3(2), 121-137. https://doi.org/10.1177/109467050032002

    de Matos, C. A., Henrique, J. L., & Rossi, C. A. V. (2007). Service recovery paradox: a
    meta-analysis. Journal of Service Research, 10(1), 60-77.
    https://doi.org/10.1177/1094670507303012

    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. Statistics in Medicine, 17(8), 873-890.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> table = recovery_paradox(lr.load_golf_survey(), "repurchase")
    >>> table["comparison"].tolist()
    ['resolved_quickly vs no_problem', 'resolved_quickly vs resolved', 'resolved vs unresolved']
    >>> table.loc[0, "verdict"].split(":")[0]
    'no evidence of a paradox'
    """
    check_probability("alpha", alpha)
    if ci not in ("newcombe", "wald"):
        raise ValueError(f"ci must be 'newcombe' or 'wald', got {ci!r}")
    groups = complaint_outcome(data, **outcome_columns)
    values = _column(data, y)
    usable = _usable(groups, values, y)
    binary = bool(values[usable].isin([0, 1]).all())
    rows = []
    for group, reference in _COMPARISONS:
        a = values[usable & (groups == group)].to_numpy()
        b = values[usable & (groups == reference)].to_numpy()
        row = {
            "comparison": f"{group} vs {reference}",
            "group": group,
            "reference": reference,
            "n_group": len(a),
            "n_reference": len(b),
        }
        if min(len(a), len(b)) < 2:
            row["verdict"] = _verdict(row, y, alpha, too_few=True)
        else:
            row |= {
                "mean_group": a.mean(),
                "mean_reference": b.mean(),
                "difference": a.mean() - b.mean(),
            }
            row |= _proportions(a, b, alpha, ci) if binary else _means(a, b, alpha)
            row["verdict"] = _verdict(row, y, alpha)
        rows.append(row)
    return pd.DataFrame(rows).reindex(columns=list(_RESULT_COLUMNS))


def _verdict(row: dict, y: str, alpha: float, *, too_few: bool = False) -> str:
    group, reference = row["group"], row["reference"]
    paradox = (group, reference) == _COMPARISONS[0]
    prefix = "no evidence of a paradox: " if paradox else ""
    if too_few:
        return f"{prefix}too few customers to compare (n = {row['n_group']} and {row['n_reference']})"
    if np.isnan(row["p_val"]):
        return f"{prefix}no test possible: {y!r} does not vary in either group"
    if row["small_expected"]:
        p_val, test = row["p_fisher"], "Fisher's exact p"
    else:
        p_val, test = row["p_val"], "chi-square p" if row["test"] == "chi-square" else "Welch's t-test p"
    p_text = f"{test} = {p_val:.3f}" if p_val >= 0.001 else f"{test} < 0.001"
    evidence = f"difference {row['difference']:+.3f}, {p_text}"
    if p_val >= alpha:
        return (
            f"{prefix}no significant difference in {y} between {_LABELS[group]} and "
            f"{_LABELS[reference]} ({evidence})"
        )
    direction = "higher" if row["difference"] > 0 else "lower"
    finding = f"{y} is significantly {direction} among {_LABELS[group]} than among {_LABELS[reference]}"
    if not paradox:
        return f"{finding} ({evidence})"
    if direction == "higher":
        return f"the paradox holds in these data: {finding} ({evidence})"
    return f"no evidence of a paradox: {finding}; recovery does not undo the failure ({evidence})"
