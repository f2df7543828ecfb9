"""The satisfaction-loyalty link on pooled data: its shape (linear, quadratic, spline), the
penalty-reward asymmetry, the Jones-Sasser curve and the share of satisfied customers who are not
loyal (:func:`satisfaction_loyalty`).

Pooled regressions average over segments; notebook 05 asks whether the answer differs by segment.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from ._display import HTMLTables
from ._ols import coefficient_table, fit_ols, information_criteria, robust_wald, standardised_betas
from ._tables import binomial_interval, wald_table
from ._validate import check_probability, complete_cases

__all__ = [
    "SatisfactionLoyaltyResult",
    "restricted_cubic_spline",
    "satisfaction_loyalty",
    "satisfaction_loyalty_by_group",
]

_SHAPES = ("linear", "quadratic", "spline")


# Harrell's default knot positions (quantiles) for 3 to 5 knots
_KNOT_QUANTILES = {3: (0.10, 0.50, 0.90), 4: (0.05, 0.35, 0.65, 0.95), 5: (0.05, 0.275, 0.50, 0.725, 0.95)}


def restricted_cubic_spline(x: np.ndarray | pd.Series, knots: Sequence[float]) -> np.ndarray:
    """Restricted (natural) cubic spline basis of Harrell, without the intercept.

    Parameters
    ----------
    x : array-like
        The predictor.
    knots : sequence of float
        At least three increasing knots; the curve is linear beyond the outer two.

    Returns
    -------
    numpy.ndarray
        ``len(x)`` by ``len(knots) - 1`` columns: ``x`` itself and ``len(knots) - 2``
        non-linear terms. Spans the same space as R's ``splines::ns(x, knots = knots[1:-1],
        Boundary.knots = knots[[0, -1]])`` with an intercept.

    References
    ----------
    Harrell, F. E. (2015). Regression Modeling Strategies (2nd ed.), section 2.4.5. Springer.

    Examples
    --------
    >>> restricted_cubic_spline([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]).shape
    (3, 2)
    """
    x = np.asarray(x, dtype=float)
    t = np.asarray(knots, dtype=float)
    if t.ndim != 1 or len(t) < 3 or np.any(np.diff(t) <= 0):
        raise ValueError(f"knots must be at least three increasing numbers, got {list(t)}")
    last, before_last = t[-1], t[-2]
    scale = (last - t[0]) ** 2

    def cube(u: np.ndarray) -> np.ndarray:
        return np.clip(u, 0, None) ** 3

    columns = [x]
    for knot in t[:-2]:
        columns.append(
            (
                cube(x - knot)
                - cube(x - before_last) * (last - knot) / (last - before_last)
                + cube(x - last) * (before_last - knot) / (last - before_last)
            )
            / scale
        )
    return np.column_stack(columns)


def _top_third(values: pd.Series) -> float:
    return float(values.min() + 2 * (values.max() - values.min()) / 3)


@dataclass(frozen=True)
class SatisfactionLoyaltyResult(HTMLTables):
    """Tables of :func:`satisfaction_loyalty`.

    Attributes
    ----------
    models : pandas.DataFrame
        One row per shape (``linear``, ``quadratic``, ``spline``): ``n``, ``r2``, ``adj_r2``,
        ``aic``, ``bic`` (counting the residual variance as a parameter, as R does) and the
        HC3 Wald test of the non-linear terms (``f_nonlinear``, ``df_nonlinear``,
        ``p_nonlinear``; NaN for the linear model).
    coefficients : pandas.DataFrame
        One row per model and term: ``coef``, ``se`` (HC3), ``statistic`` (t), ``df`` (the
        residual degrees of freedom), ``p_val``, ``ci_low``, ``ci_high`` (t distribution, as
        R's ``coeftest``); and ``std_coef``, the standardised beta, for the linear model.
    asymmetry : pandas.DataFrame
        The penalty-reward contrast: one row each for ``penalty`` (low satisfaction against the
        middle), ``reward`` (high against the middle) and ``asymmetry`` (penalty minus reward,
        in loyalty points), as ``term``, the estimate columns (``coef``, ``se``,
        ``statistic``, ``df``, ``p_val``, ``ci_low``, ``ci_high``; t with the residual df) and
        the group sizes ``n_low``, ``n_middle``, ``n_high``.
    curve : pandas.DataFrame
        The Jones-Sasser curve: per satisfaction level, ``n``, ``n_loyal``, ``share_loyal``
        with its Wilson interval (``ci_low``, ``ci_high``) and ``mean_loyalty``.
    satisfied_not_loyal : pandas.DataFrame
        One row: ``n_satisfied``, ``n_not_loyal``, ``share`` with its Wilson interval, and the
        thresholds used (``satisfied_at``, ``loyal_at``).
    knots : numpy.ndarray
        Knots of the spline, for drawing it with :func:`restricted_cubic_spline`.
    """

    models: pd.DataFrame
    coefficients: pd.DataFrame
    asymmetry: pd.DataFrame
    curve: pd.DataFrame
    satisfied_not_loyal: pd.DataFrame
    knots: np.ndarray

    def shape_curve(self, model: str, satisfaction: ArrayLike) -> np.ndarray:
        """Loyalty predicted by one of the fitted shapes, at the given satisfaction scores.

        Covariates are held at zero: with covariates the curves shift up or down, their shape
        is the same.

        Parameters
        ----------
        model : {"linear", "quadratic", "spline"}
        satisfaction : array-like
            Satisfaction scores, e.g. a grid across the observed range.

        Examples
        --------
        >>> import loyalty_research as lr
        >>> data = lr.load_study().data.dropna(subset=["loyalty", "satisfaction"])
        >>> result = lr.satisfaction_loyalty(data, "loyalty", "satisfaction")
        >>> result.shape_curve("linear", [1, 7]).round(2)
        array([3.18, 5.89])
        """
        if model not in _SHAPES:
            raise ValueError(f"model must be one of {list(_SHAPES)}, got {model!r}")
        coef = self.coefficients.query("model == @model").set_index("term")["coef"]
        name = coef.index[1]  # the satisfaction column: terms are intercept, satisfaction, ...
        x = np.asarray(satisfaction, dtype=float)
        line = coef["intercept"] + coef[name] * x
        if model == "quadratic":
            line += coef[f"{name}_squared"] * x**2
        if model == "spline":
            basis = restricted_cubic_spline(x, self.knots)[:, 1:]
            line += basis @ coef[[t for t in coef.index if t.startswith(f"{name}_spline")]].to_numpy()
        return line


def satisfaction_loyalty(
    data: pd.DataFrame,
    loyalty: str,
    satisfaction: str,
    covariates: Sequence[str] | None = None,
    *,
    satisfied_at: float | None = None,
    loyal_at: float | None = None,
    dissatisfied_below: float | None = None,
    n_knots: int = 3,
    alpha: float = 0.05,
) -> SatisfactionLoyaltyResult:
    """Test the satisfaction-loyalty theory on pooled data: strength, shape and asymmetry.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer, e.g. the scores of
        :func:`~loyalty_research.survey.score_constructs`.
    loyalty, satisfaction : str
        Columns of the loyalty and satisfaction scores.
    covariates : list of str, optional
        Numeric control variables entered in every regression.
    satisfied_at, loyal_at : float, optional
        A customer counts as satisfied (loyal) at or above this score. Default: the top third
        of the range of answers seen (5 on a 1-7 scale).
    dissatisfied_below : float, optional
        Low-satisfaction group of the penalty-reward contrast. Default: the bottom third of the
        range seen (below 3 on a 1-7 scale). The middle group is the reference.
    n_knots : {3, 4, 5}, default 3
        Knots of the restricted cubic spline, at Harrell's default quantiles.
    alpha : float, default 0.05
        Intervals have coverage ``1 - alpha``.

    Returns
    -------
    SatisfactionLoyaltyResult

    Notes
    -----
    All regressions are OLS with HC3 standard errors (MacKinnon & White, 1985), because
    loyalty scores bunch at the top of the scale and their variance changes with satisfaction.
    The standardised beta is the slope after both variables (and the covariates) are z-scored.
    Non-linearity is tested by the HC3 Wald F-test of the squared term (quadratic) or of the
    spline's non-linear terms. The penalty-reward contrast follows Mittal, Ross & Baldasare
    (1998): dummies for low and high satisfaction against the middle; a penalty larger than
    the reward means dissatisfaction hurts loyalty more than satisfaction helps it. The
    Jones-Sasser curve gives the share of loyal customers at each satisfaction level (scores
    rounded to the nearest answer point); Jones & Sasser (1995) report that only the
    completely satisfied are reliably loyal, which shows as a curve that rises steeply only
    at the top. Checked against R (``lm``, ``sandwich::vcovHC(type = "HC3")``,
    ``lmtest::waldtest``, ``splines::ns``, ``prop.test``) in
    ``tests/reference/r_theories.R``.

    References
    ----------
    Jones, T. O., & Sasser, W. E. (1995). Why satisfied customers defect. Harvard Business
    Review, 73(6), 88-99.

    Mittal, V., Ross, W. T., & Baldasare, P. M. (1998). The asymmetric impact of negative and
    positive attribute-level performance on overall satisfaction and repurchase intentions.
    Journal of Marketing, 62(1), 33-47. https://doi.org/10.1177/002224299806200104

    Oliver, R. L. (1999). Whence consumer loyalty? Journal of Marketing, 63(special issue),
    33-44. https://doi.org/10.1177/00222429990634s105

    Examples
    --------
    >>> import loyalty_research as lr
    >>> scores = lr.score_constructs(lr.load_golf_survey(), lr.load_codebook())
    >>> result = satisfaction_loyalty(scores.dropna(subset=["loyalty", "satisfaction"]),
    ...                               "loyalty", "satisfaction")
    >>> result.models["model"].tolist()
    ['linear', 'quadratic', 'spline']
    """
    covariates = list(covariates or [])
    if n_knots not in _KNOT_QUANTILES:
        raise ValueError(f"n_knots must be 3, 4 or 5, got {n_knots!r}")
    check_probability("alpha", alpha)
    complete = complete_cases(data, [loyalty, satisfaction, *covariates])
    if len(complete) < 10 + len(covariates):
        raise ValueError(f"too few complete cases ({len(complete)}) for a satisfaction-loyalty analysis")
    x, y = complete[satisfaction], complete[loyalty]
    if x.nunique() < 3:
        raise ValueError(f"column {satisfaction!r} needs at least three distinct values")
    satisfied_at = _top_third(x) if satisfied_at is None else float(satisfied_at)
    loyal_at = _top_third(y) if loyal_at is None else float(loyal_at)
    dissatisfied_below = (
        float(x.min() + (x.max() - x.min()) / 3) if dissatisfied_below is None else float(dissatisfied_below)
    )
    if dissatisfied_below >= satisfied_at:
        raise ValueError(
            f"dissatisfied_below ({dissatisfied_below}) must be lower than satisfied_at ({satisfied_at})"
        )
    models, coefficients, knots = _shape(x, y, complete[covariates], n_knots, alpha)
    betas = standardised_betas(complete, loyalty, [satisfaction, *covariates])
    coefficients["std_coef"] = [
        betas.get(term, np.nan) if model == "linear" and term != "intercept" else np.nan
        for model, term in zip(coefficients["model"], coefficients["term"], strict=True)
    ]
    loyal = y >= loyal_at
    return SatisfactionLoyaltyResult(
        models=models,
        coefficients=coefficients,
        asymmetry=_penalty_reward(x, y, complete[covariates], dissatisfied_below, satisfied_at, alpha),
        curve=_jones_sasser_curve(x, y, loyal, alpha),
        satisfied_not_loyal=_satisfied_not_loyal(loyal[x >= satisfied_at], satisfied_at, loyal_at, alpha),
        knots=knots,
    )


def _shape(
    x: pd.Series, y: pd.Series, covariates: pd.DataFrame, n_knots: int, alpha: float
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Linear, quadratic and spline fits of loyalty on satisfaction: model table, coefficients, knots."""
    satisfaction = x.name
    knots = np.unique(np.quantile(x, _KNOT_QUANTILES[n_knots]))
    if len(knots) < 3:
        raise ValueError(f"column {satisfaction!r} has too few distinct values for a {n_knots}-knot spline")
    spline = restricted_cubic_spline(x, knots)
    spline_terms = [f"{satisfaction}_spline{i}" for i in range(1, spline.shape[1])]
    designs = {
        "linear": pd.concat([x, covariates], axis=1),
        "quadratic": pd.concat([x, (x**2).rename(f"{satisfaction}_squared"), covariates], axis=1),
        "spline": pd.concat(
            [x, pd.DataFrame(spline[:, 1:], index=x.index, columns=spline_terms), covariates], axis=1
        ),
    }
    nonlinear = {"linear": [], "quadratic": [f"{satisfaction}_squared"], "spline": spline_terms}
    model_rows, coefficient_tables = [], []
    for name, design in designs.items():
        fit = fit_ols(y.to_numpy(), design)
        f_stat, df_num, p_val = robust_wald(fit, nonlinear[name]) if nonlinear[name] else (np.nan,) * 3
        aic, bic = information_criteria(fit)
        model_rows.append(
            {
                "model": name,
                "n": int(fit.nobs),
                "r2": fit.rsquared,
                "adj_r2": fit.rsquared_adj,
                "aic": aic,
                "bic": bic,
                "f_nonlinear": f_stat,
                "df_nonlinear": df_num,
                "p_nonlinear": p_val,
            }
        )
        coefficient_tables.append(coefficient_table(fit, alpha, model=name))
    return pd.DataFrame(model_rows), pd.concat(coefficient_tables, ignore_index=True), knots


def _penalty_reward(
    x: pd.Series,
    y: pd.Series,
    covariates: pd.DataFrame,
    dissatisfied_below: float,
    satisfied_at: float,
    alpha: float,
) -> pd.DataFrame:
    """Mittal et al.'s contrast: low and high satisfaction against the middle, and their difference."""
    low = (x < dissatisfied_below).astype(float).rename("low_satisfaction")
    high = (x >= satisfied_at).astype(float).rename("high_satisfaction")
    groups = {
        "n_low": int(low.sum()),
        "n_middle": int(len(x) - low.sum() - high.sum()),
        "n_high": int(high.sum()),
    }
    if min(groups.values()) < 2:
        raise ValueError(
            "the penalty-reward contrast needs at least two customers in each satisfaction group, "
            f"got {groups}; set dissatisfied_below and satisfied_at"
        )
    if min(groups.values()) < 10:
        warnings.warn(
            f"the penalty-reward contrast rests on few customers in a group ({groups}); "
            "its standard errors are unreliable",
            UserWarning,
            stacklevel=3,
        )
    contrast = fit_ols(y.to_numpy(), pd.concat([low, high, covariates], axis=1))
    cov = contrast.cov_params()
    estimates = {
        "penalty": (
            -contrast.params["low_satisfaction"],
            np.sqrt(cov.loc["low_satisfaction", "low_satisfaction"]),
        ),
        "reward": (
            contrast.params["high_satisfaction"],
            np.sqrt(cov.loc["high_satisfaction", "high_satisfaction"]),
        ),
    }
    # penalty - reward = -(b_low + b_high)
    difference_var = (
        cov.loc["low_satisfaction", "low_satisfaction"]
        + cov.loc["high_satisfaction", "high_satisfaction"]
        + 2 * cov.loc["low_satisfaction", "high_satisfaction"]
    )
    estimates["asymmetry"] = (
        -(contrast.params["low_satisfaction"] + contrast.params["high_satisfaction"]),
        np.sqrt(difference_var),
    )
    coef, se = (np.array([float(v) for v in column]) for column in zip(*estimates.values(), strict=True))
    labels = pd.DataFrame({"term": list(estimates)})
    return wald_table(labels, coef, se, alpha, df=contrast.df_resid).assign(**groups)


def _jones_sasser_curve(x: pd.Series, y: pd.Series, loyal: pd.Series, alpha: float) -> pd.DataFrame:
    """Share of loyal customers at each satisfaction level, with Wilson intervals."""
    level = x.round().astype(int).rename("satisfaction_level")
    rows = []
    for value, members in loyal.groupby(level):
        ci_low, ci_high = binomial_interval(int(members.sum()), len(members), confidence=1 - alpha)
        rows.append(
            {
                "satisfaction_level": value,
                "n": len(members),
                "n_loyal": int(members.sum()),
                "share_loyal": float(members.mean()),
                "ci_low": ci_low,
                "ci_high": ci_high,
                "mean_loyalty": float(y.loc[members.index].mean()),
            }
        )
    return pd.DataFrame(rows)


def _satisfied_not_loyal(
    satisfied: pd.Series, satisfied_at: float, loyal_at: float, alpha: float
) -> pd.DataFrame:
    """How many of the satisfied (``satisfied``: their loyal flags) are not loyal."""
    n_not_loyal = int((~satisfied).sum())
    ci_low, ci_high = binomial_interval(n_not_loyal, len(satisfied), confidence=1 - alpha)
    return pd.DataFrame(
        [
            {
                "n_satisfied": len(satisfied),
                "n_not_loyal": n_not_loyal,
                "share": n_not_loyal / len(satisfied) if len(satisfied) else np.nan,
                "ci_low": ci_low,
                "ci_high": ci_high,
                "satisfied_at": satisfied_at,
                "loyal_at": loyal_at,
            }
        ]
    )


def satisfaction_loyalty_by_group(
    data: pd.DataFrame,
    loyalty: str,
    satisfaction: str,
    group: str,
    covariates: Sequence[str] | None = None,
    *,
    satisfied_at: float,
    loyal_at: float,
) -> pd.DataFrame:
    """The satisfaction-loyalty link within each group (a true segment, a membership type).

    Parameters
    ----------
    data : pandas.DataFrame
    loyalty, satisfaction : str
    group : str
        The column that splits the customers.
    covariates : list of str, optional
    satisfied_at, loyal_at : float
        Thresholds for the satisfied-but-not-loyal share. Give the pooled analysis's
        (``result.satisfied_not_loyal``) so that every group is judged by the same standard.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group`` (named as the column), ``n``, ``slope`` (loyalty points
        per satisfaction point, OLS with the covariates), ``r2`` and ``satisfied_not_loyal``
        (the share of the group's satisfied customers who are not loyal).

    Examples
    --------
    >>> import loyalty_research as lr
    >>> study = lr.load_study()
    >>> data = study.data.assign(segment=lr.load_golf_truth()["segment"].to_numpy())
    >>> table = satisfaction_loyalty_by_group(data, "loyalty", "satisfaction", "segment",
    ...                                       satisfied_at=5, loyal_at=5)
    >>> table.columns.tolist()
    ['segment', 'n', 'slope', 'r2', 'satisfied_not_loyal']
    """
    covariates = list(covariates or [])
    if group not in data.columns:
        raise ValueError(f"group column {group!r} is not in the data")
    complete = complete_cases(data, [loyalty, satisfaction, *covariates])
    labels = data.loc[complete.index, group]
    rows = []
    for name, members in complete[labels.notna()].groupby(labels[labels.notna()]):
        x, y = members[satisfaction], members[loyalty]
        if len(members) < 3 + len(covariates) or x.nunique() < 2:
            raise ValueError(
                f"group {name!r} of column {group!r} has {len(members)} customers and {x.nunique()} "
                "distinct satisfaction scores: too few for a slope"
            )
        fit = fit_ols(y.to_numpy(), pd.concat([x, members[covariates]], axis=1))
        satisfied = (y >= loyal_at)[x >= satisfied_at]
        rows.append(
            {
                group: name,
                "n": len(members),
                "slope": float(fit.params[satisfaction]),
                "r2": float(fit.rsquared),
                "satisfied_not_loyal": float((~satisfied).mean()) if len(satisfied) else np.nan,
            }
        )
    return pd.DataFrame(rows)
