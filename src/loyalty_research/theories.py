"""Tests of the two loyalty theories on pooled data.

- :func:`satisfaction_loyalty`: the satisfaction-loyalty link, its shape (linear, quadratic,
  spline), the penalty-reward asymmetry, the Jones-Sasser curve and the share of satisfied
  customers who are not loyal.
- :func:`compare_loyalty_theories`: satisfaction against delivered value as explanations of
  loyalty (nested F-tests both ways, the J test, information criteria, relative importance).
- :func:`mediation` and :func:`trust_hierarchy`: chains such as value -> satisfaction ->
  loyalty and cognitive -> affective -> behavioural trust.

Pooled regressions average over segments; notebook 05 asks whether the answer differs by
segment.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from tqdm.auto import tqdm

from ._tables import binomial_interval, bootstrap_summary
from ._validate import check_count, check_probability, complete_cases

__all__ = [
    "SatisfactionLoyaltyResult",
    "TheoryComparison",
    "compare_loyalty_theories",
    "mediation",
    "relative_importance",
    "restricted_cubic_spline",
    "satisfaction_loyalty",
    "trust_hierarchy",
]


def _ols(design: np.ndarray, outcome: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    coef, *_ = np.linalg.lstsq(design, outcome, rcond=None)
    resid = outcome - design @ coef
    dof = design.shape[0] - design.shape[1]
    cov = (resid @ resid / dof) * np.linalg.pinv(design.T @ design)
    return coef, np.sqrt(np.diag(cov)), dof


def _paths(x: np.ndarray, mediators: np.ndarray, y: np.ndarray, covariates: np.ndarray, serial: bool):
    """Every path coefficient (with OLS standard errors and df) of the mediation model."""
    n, k = mediators.shape
    base = np.column_stack([np.ones(n), x, covariates])
    out: dict[str, tuple[float, float, int]] = {}
    for j in range(k):
        design = np.column_stack([base, mediators[:, :j]]) if serial else base
        coef, se, dof = _ols(design, mediators[:, j])
        out[f"a{j}"] = (coef[1], se[1], dof)
        if serial:
            for i in range(j):
                position = base.shape[1] + i
                out[f"d{i}_{j}"] = (coef[position], se[position], dof)
    coef, se, dof = _ols(np.column_stack([base, mediators]), y)
    out["direct"] = (coef[1], se[1], dof)
    for j in range(k):
        out[f"b{j}"] = (coef[base.shape[1] + j], se[base.shape[1] + j], dof)
    coef, se, dof = _ols(base, y)
    out["total"] = (coef[1], se[1], dof)
    return out


def _chains(k: int, serial: bool) -> list[tuple[int, ...]]:
    if not serial:
        return [(j,) for j in range(k)]
    return [c for r in range(1, k + 1) for c in itertools.combinations(range(k), r)]


def _indirect(paths: dict, chain: tuple[int, ...]) -> float:
    effect = paths[f"a{chain[0]}"][0] * paths[f"b{chain[-1]}"][0]
    for first, second in itertools.pairwise(chain):
        effect *= paths[f"d{first}_{second}"][0]
    return float(effect)


def mediation(
    data: pd.DataFrame,
    x: str,
    mediators: str | list[str],
    y: str,
    covariates: list[str] | None = None,
    *,
    serial: bool = False,
    n_boot: int = 5000,
    alpha: float = 0.05,
    random_state: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Mediation analysis with parallel or serial mediators and a percentile bootstrap.

    Parameters
    ----------
    data : pandas.DataFrame
    x : str
        The antecedent (e.g. ``"delivered_value"``).
    mediators : str or list of str
        One or more mediators, in causal order when ``serial`` (e.g. ``["satisfaction",
        "trust_cognitive"]``).
    y : str
        The outcome (e.g. ``"loyalty"``).
    covariates : list of str, optional
        Controls entered in every regression.
    serial : bool, default False
        False: mediators in parallel (Hayes' model 4). True: each mediator also depends on
        the earlier ones (Hayes' model 6), and every chain through them is an indirect effect.
    n_boot : int, default 5000
        Bootstrap resamples of respondents.
    alpha : float, default 0.05
        Intervals have coverage ``1 - alpha``.
    random_state : int, optional
    progress : bool, default True

    Returns
    -------
    pandas.DataFrame
        One row per path: ``path`` (``"m ~ x"`` for the a paths, ``"m2 ~ m1"`` for serial
        paths, ``"y ~ m"`` for the b paths, ``"direct"``, ``"total"``, and rows starting
        with ``"indirect"`` for every indirect effect and their sum ``"indirect total"``),
        ``coef``, ``se``, ``ci_low``, ``ci_high``, ``p_val``. Regression paths have OLS
        standard errors, t intervals and p-values; indirect effects have the bootstrap
        standard deviation, percentile intervals and a bootstrap p-value (twice the smaller
        share of draws on either side of zero).

    Notes
    -----
    All effects are OLS coefficients on the respondents who answered every variable. An
    indirect effect is the product of the coefficients along its chain; their sum equals
    total minus direct effect. The b paths are the mediators' coefficients in the regression
    of ``y`` on ``x``, all mediators and covariates. Checked against Hayes' Tal_Or example
    (R, ``tests/reference/psych_mediation.R``) and pingouin's ``mediation_analysis``.

    References
    ----------
    Hayes, A. F. (2018). Introduction to Mediation, Moderation, and Conditional Process
    Analysis (2nd ed.). Guilford Press.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> scores = lr.score_constructs(lr.load_golf_survey(), lr.load_codebook()).dropna()
    >>> table = mediation(scores, "delivered_value", "satisfaction", "loyalty", n_boot=200,
    ...                   random_state=0, progress=False)
    >>> table["path"].tolist()[-2:]
    ['indirect satisfaction', 'indirect total']
    """
    mediators = [mediators] if isinstance(mediators, str) else list(mediators)
    covariates = list(covariates or [])
    n_boot = check_count("n_boot", n_boot, minimum=2)
    if not mediators:
        raise ValueError("give at least one mediator")
    used = [x, *mediators, y, *covariates]
    if len(set(used)) < len(used):
        raise ValueError(f"x, mediators, y and covariates must be different columns, got {used}")
    complete = complete_cases(data, used).to_numpy()
    k = len(mediators)
    split = (complete[:, 0], complete[:, 1 : 1 + k], complete[:, 1 + k], complete[:, 2 + k :])
    if len(complete) < 2 + k + len(covariates) + 2:
        raise ValueError(
            f"too few complete cases ({len(complete)}) for {k} mediators and {len(covariates)} covariates"
        )
    paths = _paths(*split, serial)
    chains = _chains(k, serial)

    rng = np.random.default_rng(random_state)
    draws = np.empty((n_boot, len(chains)))
    for b in tqdm(range(n_boot), desc="bootstrap", disable=not progress):
        rows = rng.integers(0, len(complete), len(complete))
        boot = _paths(*(part[rows] for part in split), serial)
        draws[b] = [_indirect(boot, chain) for chain in chains]

    t_rows = []
    for j, m in enumerate(mediators):
        t_rows.append((f"{m} ~ {x}", paths[f"a{j}"]))
    if serial:
        for i, j in itertools.combinations(range(k), 2):
            t_rows.append((f"{mediators[j]} ~ {mediators[i]}", paths[f"d{i}_{j}"]))
    for j, m in enumerate(mediators):
        t_rows.append((f"{y} ~ {m}", paths[f"b{j}"]))
    t_rows += [("direct", paths["direct"]), ("total", paths["total"])]
    records = []
    for label, (coef, se, dof) in t_rows:
        t_crit = stats.t.ppf(1 - alpha / 2, dof)
        records.append(
            {
                "path": label,
                "coef": coef,
                "se": se,
                "ci_low": coef - t_crit * se,
                "ci_high": coef + t_crit * se,
                "p_val": 2 * stats.t.sf(abs(coef / se), dof),
            }
        )
    indirect = [_indirect(paths, chain) for chain in chains]
    labels = ["indirect " + " -> ".join(mediators[i] for i in chain) for chain in chains]
    for label, coef, column in zip(
        [*labels, "indirect total"], [*indirect, sum(indirect)], [*draws.T, draws.sum(axis=1)], strict=True
    ):
        summary = bootstrap_summary(column[:, None], alpha).iloc[0]
        records.append(
            {
                "path": label,
                "coef": coef,
                **{key: float(summary[key]) for key in ("se", "ci_low", "ci_high", "p_val")},
            }
        )
    return pd.DataFrame(records)


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


def _fit(
    outcome: np.ndarray, design: pd.DataFrame, *, hc3: bool = True
) -> sm.regression.linear_model.RegressionResultsWrapper:
    """OLS with an intercept; HC3 standard errors (t-based, as R's coeftest) unless ``hc3=False``."""
    model = sm.OLS(outcome, sm.add_constant(design, has_constant="add"))
    return model.fit(cov_type="HC3", use_t=True) if hc3 else model.fit()


def _standardised_betas(data: pd.DataFrame, outcome: str, predictors: list[str]) -> pd.Series:
    """Slopes after z-scoring the outcome and every predictor."""
    frame = data[[outcome, *predictors]]
    z = (frame - frame.mean()) / frame.std(ddof=1)
    return _fit(z[outcome].to_numpy(), z[predictors], hc3=False).params


def _information_criteria(fit) -> tuple[float, float]:
    """AIC and BIC counting the residual variance as a parameter, as R's ``AIC(lm)`` does."""
    k = fit.df_model + 2
    return float(-2 * fit.llf + 2 * k), float(-2 * fit.llf + np.log(fit.nobs) * k)


def _coefficients(model_name: str, fit, alpha: float) -> pd.DataFrame:
    ci = fit.conf_int(alpha)
    return pd.DataFrame(
        {
            "model": model_name,
            "term": fit.params.index,
            "coef": fit.params.to_numpy(),
            "se": fit.bse.to_numpy(),
            "t": fit.tvalues.to_numpy(),
            "p_val": fit.pvalues.to_numpy(),
            "ci_low": ci.iloc[:, 0].to_numpy(),
            "ci_high": ci.iloc[:, 1].to_numpy(),
        }
    )


def _robust_wald(fit, terms: list[str]) -> tuple[float, float, float]:
    """HC3 Wald F-test that the named coefficients are all zero: F, numerator df, p."""
    test = fit.wald_test(" = 0, ".join(terms) + " = 0", use_f=True, scalar=True)
    return float(test.statistic), float(len(terms)), float(test.pvalue)


def _top_third(values: pd.Series) -> float:
    return float(values.min() + 2 * (values.max() - values.min()) / 3)


@dataclass(frozen=True)
class SatisfactionLoyaltyResult:
    """Tables of :func:`satisfaction_loyalty`.

    Attributes
    ----------
    models : pandas.DataFrame
        One row per shape (``linear``, ``quadratic``, ``spline``): ``n``, ``r2``, ``adj_r2``,
        ``aic``, ``bic`` (counting the residual variance as a parameter, as R does) and the
        HC3 Wald test of the non-linear terms (``f_nonlinear``, ``df_nonlinear``,
        ``p_nonlinear``; NaN for the linear model).
    coefficients : pandas.DataFrame
        One row per model and term: ``coef``, ``se`` (HC3), ``t``, ``p_val``, ``ci_low``,
        ``ci_high`` (t distribution with the residual degrees of freedom, as R's
        ``coeftest``); and ``std_coef``, the standardised beta, for the linear model.
    asymmetry : pandas.DataFrame
        The penalty-reward contrast: one row each for ``penalty`` (low satisfaction against the
        middle), ``reward`` (high against the middle) and ``asymmetry`` (penalty minus reward,
        in loyalty points): ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p_val``, and the
        group sizes ``n_low``, ``n_middle``, ``n_high``.
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


def satisfaction_loyalty(
    data: pd.DataFrame,
    loyalty: str,
    satisfaction: str,
    controls: Sequence[str] | None = None,
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
    controls : list of str, optional
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
    The standardised beta is the slope after both variables (and the controls) are z-scored.
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
    controls = list(controls or [])
    if n_knots not in _KNOT_QUANTILES:
        raise ValueError(f"n_knots must be 3, 4 or 5, got {n_knots!r}")
    check_probability("alpha", alpha)
    complete = complete_cases(data, [loyalty, satisfaction, *controls])
    if len(complete) < 10 + len(controls):
        raise ValueError(f"too few complete cases ({len(complete)}) for a satisfaction-loyalty analysis")
    y = complete[loyalty].to_numpy()
    x = complete[satisfaction]
    if x.nunique() < 3:
        raise ValueError(f"column {satisfaction!r} needs at least three distinct values")
    satisfied_at = _top_third(x) if satisfied_at is None else float(satisfied_at)
    loyal_at = _top_third(complete[loyalty]) if loyal_at is None else float(loyal_at)
    dissatisfied_below = (
        float(x.min() + (x.max() - x.min()) / 3) if dissatisfied_below is None else float(dissatisfied_below)
    )
    if dissatisfied_below >= satisfied_at:
        raise ValueError(
            f"dissatisfied_below ({dissatisfied_below}) must be lower than satisfied_at ({satisfied_at})"
        )
    control_frame = complete[controls]

    knots = np.unique(np.quantile(x, _KNOT_QUANTILES[n_knots]))
    if len(knots) < 3:
        raise ValueError(f"column {satisfaction!r} has too few distinct values for a {n_knots}-knot spline")
    spline = restricted_cubic_spline(x, knots)
    spline_terms = [f"{satisfaction}_spline{i}" for i in range(1, spline.shape[1])]
    designs = {
        "linear": pd.concat([x, control_frame], axis=1),
        "quadratic": pd.concat([x, (x**2).rename(f"{satisfaction}_squared"), control_frame], axis=1),
        "spline": pd.concat(
            [x, pd.DataFrame(spline[:, 1:], index=x.index, columns=spline_terms), control_frame], axis=1
        ),
    }
    nonlinear = {"linear": [], "quadratic": [f"{satisfaction}_squared"], "spline": spline_terms}
    model_rows, coefficient_tables = [], []
    for name, design in designs.items():
        fit = _fit(y, design)
        f_stat, df_num, p_val = _robust_wald(fit, nonlinear[name]) if nonlinear[name] else (np.nan,) * 3
        aic, bic = _information_criteria(fit)
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
        coefficient_tables.append(_coefficients(name, fit, alpha))
    coefficients = pd.concat(coefficient_tables, ignore_index=True)
    betas = _standardised_betas(complete, loyalty, [satisfaction, *controls])
    coefficients["std_coef"] = [
        betas.get(term, np.nan) if model == "linear" and term != "const" else np.nan
        for model, term in zip(coefficients["model"], coefficients["term"], strict=True)
    ]

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
            stacklevel=2,
        )
    contrast = _fit(y, pd.concat([low, high, control_frame], axis=1))
    t_crit = stats.t.ppf(1 - alpha / 2, contrast.df_resid)
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
    asymmetry = pd.DataFrame(
        [
            {
                "effect": effect,
                "estimate": float(estimate),
                "se": float(se),
                "ci_low": float(estimate - t_crit * se),
                "ci_high": float(estimate + t_crit * se),
                "p_val": float(2 * stats.t.sf(abs(estimate / se), contrast.df_resid)),
                **groups,
            }
            for effect, (estimate, se) in estimates.items()
        ]
    )

    loyal = complete[loyalty] >= loyal_at
    level = x.round().astype(int).rename("satisfaction_level")
    curve_rows = []
    for value, members in loyal.groupby(level):
        ci_low, ci_high = binomial_interval(int(members.sum()), len(members), confidence=1 - alpha)
        curve_rows.append(
            {
                "satisfaction_level": value,
                "n": len(members),
                "n_loyal": int(members.sum()),
                "share_loyal": float(members.mean()),
                "ci_low": ci_low,
                "ci_high": ci_high,
                "mean_loyalty": float(complete.loc[members.index, loyalty].mean()),
            }
        )
    satisfied = loyal[x >= satisfied_at]
    n_not_loyal = int((~satisfied).sum())
    ci_low, ci_high = binomial_interval(n_not_loyal, len(satisfied), confidence=1 - alpha)
    satisfied_not_loyal = pd.DataFrame(
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
    return SatisfactionLoyaltyResult(
        models=pd.DataFrame(model_rows),
        coefficients=coefficients,
        asymmetry=asymmetry,
        curve=pd.DataFrame(curve_rows),
        satisfied_not_loyal=satisfied_not_loyal,
        knots=knots,
    )


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
            coef, *_ = np.linalg.lstsq(design, outcome, rcond=None)
            resid = outcome - design @ coef
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


@dataclass(frozen=True)
class TheoryComparison:
    """Tables of :func:`compare_loyalty_theories`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per test: ``test``, ``question``, ``statistic``, ``df1``, ``df2``, ``p_val``,
        ``effect`` (Delta R-squared, or the J-test coefficient) and ``verdict``; the last row,
        ``overall``, sums the tests up in words.
    models : pandas.DataFrame
        One row per model (``satisfaction_only``, ``value_only``, ``both``): ``n``, ``r2``,
        ``adj_r2``, ``aic``, ``bic``, and in the ``both`` model the HC3 slopes
        ``b_satisfaction`` and ``b_value`` with standardised betas.
    importance : pandas.DataFrame
        LMG relative importance of satisfaction, value and the controls
        (:func:`relative_importance`).
    """

    table: pd.DataFrame
    models: pd.DataFrame
    importance: pd.DataFrame


def _nested_f(small, large) -> tuple[float, float, float, float, float]:
    """Classical F-test of a nested OLS pair: F, df1, df2, p, Delta R-squared."""
    df1 = large.df_model - small.df_model
    df2 = large.df_resid
    delta = large.rsquared - small.rsquared
    f_stat = (delta / df1) / ((1 - large.rsquared) / df2)
    return float(f_stat), float(df1), float(df2), float(stats.f.sf(f_stat, df1, df2)), float(delta)


def _significance(p_val: float) -> str:
    return f"p = {p_val:.3f}" if p_val >= 0.001 else "p < 0.001"


def compare_loyalty_theories(
    data: pd.DataFrame,
    loyalty: str,
    satisfaction: str,
    value: str,
    controls: Sequence[str] | None = None,
    *,
    alpha: float = 0.05,
) -> TheoryComparison:
    """Satisfaction-loyalty against value-driven loyalty: which explains loyalty, and beyond the other?

    Parameters
    ----------
    data : pandas.DataFrame
        One row per customer (e.g. construct scores).
    loyalty, satisfaction, value : str
        Columns of the loyalty, satisfaction and delivered-value scores.
    controls : list of str, optional
        Numeric controls entered in every model.
    alpha : float, default 0.05
        Significance level of the verdicts.

    Returns
    -------
    TheoryComparison

    Notes
    -----
    Three OLS models on the same respondents: loyalty on satisfaction, on value, on both (each
    with the controls). The nested F-tests ask whether each theory's driver explains loyalty
    beyond the other's (Delta R-squared). The Davidson-MacKinnon J test treats the two
    one-driver models as non-nested rivals: a rival's fitted values that add to a model reject
    that model. Both can be rejected (each driver carries information the other lacks) or
    neither (they say the same). The verdicts are about the pooled sample; when segments
    differ (notebook 05) a pooled verdict can hide opposite answers. Cross-sectional data
    cannot show that either driver causes loyalty. Checked against R (``lm``, ``anova``,
    ``lmtest::jtest``) in ``tests/reference/r_theories.R``.

    References
    ----------
    Davidson, R., & MacKinnon, J. G. (1981). Several tests for model specification in the
    presence of alternative hypotheses. Econometrica, 49(3), 781-793.

    Cronin, J. J., Brady, M. K., & Hult, G. T. M. (2000). Assessing the effects of quality,
    value, and customer satisfaction on consumer behavioral intentions in service
    environments. Journal of Retailing, 76(2), 193-218.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> scores = lr.score_constructs(lr.load_golf_survey(), lr.load_codebook()).dropna()
    >>> result = compare_loyalty_theories(scores, "loyalty", "satisfaction", "delivered_value")
    >>> result.table["test"].tolist()[-1]
    'overall'
    """
    controls = list(controls or [])
    check_probability("alpha", alpha)
    complete = complete_cases(data, [loyalty, satisfaction, value, *controls])
    if len(complete) < 10 + len(controls):
        raise ValueError(f"too few complete cases ({len(complete)}) to compare the theories")
    y = complete[loyalty].to_numpy()
    sat_design = complete[[satisfaction, *controls]]
    value_design = complete[[value, *controls]]
    both_design = complete[[satisfaction, value, *controls]]
    sat_only, value_only, both = (_fit(y, d, hc3=False) for d in (sat_design, value_design, both_design))
    both_robust = _fit(y, both_design)
    betas = _standardised_betas(complete, loyalty, [satisfaction, value, *controls])

    models = pd.DataFrame(
        [
            {
                "model": name,
                "n": int(fit.nobs),
                "r2": fit.rsquared,
                "adj_r2": fit.rsquared_adj,
                **dict(zip(("aic", "bic"), _information_criteria(fit), strict=True)),
            }
            for name, fit in [("satisfaction_only", sat_only), ("value_only", value_only), ("both", both)]
        ]
    )
    for column, term in [("satisfaction", satisfaction), ("value", value)]:
        models[f"b_{column}"] = [np.nan, np.nan, both_robust.params[term]]
        models[f"se_{column}"] = [np.nan, np.nan, both_robust.bse[term]]
        models[f"beta_{column}"] = [np.nan, np.nan, betas[term]]

    rows = []
    value_adds = _nested_f(sat_only, both)
    satisfaction_adds = _nested_f(value_only, both)
    for test, question, (f_stat, df1, df2, p_val, delta), driver, base in [
        (
            "value_beyond_satisfaction",
            "Does value explain loyalty beyond satisfaction?",
            value_adds,
            "value",
            "satisfaction",
        ),
        (
            "satisfaction_beyond_value",
            "Does satisfaction explain loyalty beyond value?",
            satisfaction_adds,
            "satisfaction",
            "value",
        ),
    ]:
        verdict = (
            f"yes: {driver} adds {delta:.3f} to R-squared ({_significance(p_val)})"
            if p_val < alpha
            else f"no evidence that {driver} adds to {base} ({_significance(p_val)})"
        )
        rows.append(
            {
                "test": test,
                "question": question,
                "statistic": f_stat,
                "df1": df1,
                "df2": df2,
                "p_val": p_val,
                "effect": delta,
                "verdict": verdict,
            }
        )
    rejected = {}
    for test, question, model_design, rival, name, rival_name in [
        (
            "j_test_satisfaction_model",
            "Is the satisfaction-only model rejected by the value model's predictions?",
            sat_design,
            value_only,
            "satisfaction-only",
            "value",
        ),
        (
            "j_test_value_model",
            "Is the value-only model rejected by the satisfaction model's predictions?",
            value_design,
            sat_only,
            "value-only",
            "satisfaction",
        ),
    ]:
        augmented = model_design.assign(rival_fitted=rival.fittedvalues)
        fit = _fit(y, augmented, hc3=False)
        t_stat, p_val = float(fit.tvalues["rival_fitted"]), float(fit.pvalues["rival_fitted"])
        rejected[name] = p_val < alpha
        verdict = (
            f"rejected: the {rival_name} model's predictions add information ({_significance(p_val)})"
            if p_val < alpha
            else f"not rejected by the {rival_name} model ({_significance(p_val)})"
        )
        rows.append(
            {
                "test": test,
                "question": question,
                "statistic": t_stat,
                "df1": 1.0,
                "df2": float(fit.df_resid),
                "p_val": p_val,
                "effect": float(fit.params["rival_fitted"]),
                "verdict": verdict,
            }
        )

    value_helps = value_adds[3] < alpha
    satisfaction_helps = satisfaction_adds[3] < alpha
    if value_helps and satisfaction_helps:
        overall = (
            "both theories hold in part: satisfaction and value each explain loyalty the other "
            "does not; neither alone suffices"
        )
    elif value_helps:
        overall = (
            "the data favour the value-driven theory: value explains loyalty beyond satisfaction, "
            "not the reverse"
        )
    elif satisfaction_helps:
        overall = (
            "the data favour the satisfaction-loyalty theory: satisfaction explains loyalty beyond "
            "value, not the reverse"
        )
    else:
        overall = "the data cannot tell the theories apart: neither driver adds to the other"
    rows.append(
        {
            "test": "overall",
            "question": "Which theory explains loyalty in the pooled sample?",
            "statistic": np.nan,
            "df1": np.nan,
            "df2": np.nan,
            "p_val": np.nan,
            "effect": float(both.rsquared),
            "verdict": overall + " (pooled data; segments may differ)",
        }
    )
    importance = relative_importance(complete, loyalty, [satisfaction, value, *controls])
    return TheoryComparison(table=pd.DataFrame(rows), models=models, importance=importance)


def trust_hierarchy(
    data: pd.DataFrame,
    cognitive: str,
    affective: str,
    behavioural: str,
    covariates: Sequence[str] | None = None,
    *,
    n_boot: int = 5000,
    alpha: float = 0.05,
    random_state: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """The trust hierarchy of the seeds: cognitive -> affective -> behavioural trust.

    Parameters
    ----------
    data : pandas.DataFrame
    cognitive, affective, behavioural : str
        Columns of the three trust scores.
    covariates : list of str, optional
    n_boot, alpha, random_state, progress
        As in :func:`mediation`.

    Returns
    -------
    pandas.DataFrame
        The table of :func:`mediation` with ``x = cognitive``, mediator ``affective`` and
        ``y = behavioural``, followed by the same for the reversed order (behavioural ->
        affective -> cognitive), its rows' ``path`` prefixed with ``"reversed: "``.

    Notes
    -----
    The hierarchy says that trust in the firm's competence (cognitive) builds emotional
    attachment (affective), which leads to commitment and acting on advice (behavioural).
    Its testable implication in cross-sectional data is full mediation: a clear indirect
    effect through affective trust and no direct effect of cognitive on behavioural trust.
    A chain of three variables has the same conditional independences read backwards, so the
    reversed chain is mediated as well; only the theory, or data over time, orders it. The
    reversed rows are there to make that visible.

    References
    ----------
    Johnson, D., & Grayson, K. (2005). Cognitive and affective trust in service relationships.
    Journal of Business Research, 58(4), 500-507. https://doi.org/10.1016/S0148-2963(03)00140-1

    Examples
    --------
    >>> import loyalty_research as lr
    >>> scores = lr.score_constructs(lr.load_golf_survey(), lr.load_codebook()).dropna()
    >>> table = trust_hierarchy(scores, "trust_cognitive", "trust_affective", "trust_behavioural",
    ...                         n_boot=200, random_state=1, progress=False)
    >>> table["path"].tolist()[:2]
    ['trust_affective ~ trust_cognitive', 'trust_behavioural ~ trust_affective']
    """
    options = {"n_boot": n_boot, "alpha": alpha, "random_state": random_state, "progress": progress}
    forward = mediation(data, cognitive, affective, behavioural, list(covariates or []), **options)
    backward = mediation(data, behavioural, affective, cognitive, list(covariates or []), **options)
    backward["path"] = "reversed: " + backward["path"]
    return pd.concat([forward, backward], ignore_index=True)
