"""The two loyalty theories compared on pooled data (:func:`compare_loyalty_theories`):
satisfaction against delivered value as explanations of loyalty (nested F-tests both ways, the J
test, information criteria, relative importance).

The satisfaction-loyalty link itself is in :mod:`~loyalty_research.satisfaction`, mediation in
:mod:`~loyalty_research.mediation_analysis`. Pooled regressions average over segments; notebook 05 asks
whether the answer differs by segment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._display import HTMLTables
from ._ols import fit_ols, information_criteria, standardised_betas
from ._validate import check_probability, complete_cases
from .importance import relative_importance

__all__ = [
    "TheoryComparison",
    "compare_loyalty_theories",
]


@dataclass(frozen=True)
class TheoryComparison(HTMLTables):
    """Tables of :func:`compare_loyalty_theories`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per test: ``test``, ``question``, ``statistic`` (F for the nested tests, t for
        the J tests), ``df`` (the J tests' residual df), ``df1`` and ``df2`` (the F tests'),
        ``p_val``, ``effect`` (Delta R-squared, or the J-test coefficient) and ``verdict``; the
        last row, ``overall``, sums the tests up in words.
    models : pandas.DataFrame
        One row per model (``satisfaction_only``, ``value_only``, ``both``): ``n``, ``r2``,
        ``adj_r2``, ``aic``, ``bic``, and in the ``both`` model the HC3 slopes
        ``coef_satisfaction`` and ``coef_value``, their ``se_...`` and the standardised slopes
        ``std_coef_...``.
    importance : pandas.DataFrame
        LMG relative importance of satisfaction, value and the covariates
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
    covariates: Sequence[str] | None = None,
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
    covariates : list of str, optional
        Numeric covariates entered in every model.
    alpha : float, default 0.05
        Significance level of the verdicts.

    Returns
    -------
    TheoryComparison

    Notes
    -----
    Three OLS models on the same respondents: loyalty on satisfaction, on value, on both (each
    with the covariates). The nested F-tests ask whether each theory's driver explains loyalty
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
    covariates = list(covariates or [])
    check_probability("alpha", alpha)
    complete = complete_cases(data, [loyalty, satisfaction, value, *covariates])
    if len(complete) < 10 + len(covariates):
        raise ValueError(f"too few complete cases ({len(complete)}) to compare the theories")
    y = complete[loyalty].to_numpy()
    sat_design = complete[[satisfaction, *covariates]]
    value_design = complete[[value, *covariates]]
    both_design = complete[[satisfaction, value, *covariates]]
    sat_only, value_only, both = (fit_ols(y, d, hc3=False) for d in (sat_design, value_design, both_design))
    models = _model_table(
        {"satisfaction_only": sat_only, "value_only": value_only, "both": both},
        fit_ols(y, both_design),
        standardised_betas(complete, loyalty, [satisfaction, value, *covariates]),
        {"satisfaction": satisfaction, "value": value},
    )
    value_adds, satisfaction_adds = _nested_f(sat_only, both), _nested_f(value_only, both)
    rows = [
        _nested_row(
            "value_beyond_satisfaction",
            "Does value explain loyalty beyond satisfaction?",
            value_adds,
            "value",
            "satisfaction",
            alpha,
        ),
        _nested_row(
            "satisfaction_beyond_value",
            "Does satisfaction explain loyalty beyond value?",
            satisfaction_adds,
            "satisfaction",
            "value",
            alpha,
        ),
        _j_row(
            "j_test_satisfaction_model",
            "Is the satisfaction-only model rejected by the value model's predictions?",
            y,
            sat_design,
            value_only,
            "value",
            alpha,
        ),
        _j_row(
            "j_test_value_model",
            "Is the value-only model rejected by the satisfaction model's predictions?",
            y,
            value_design,
            sat_only,
            "satisfaction",
            alpha,
        ),
        _overall_row(value_adds[3] < alpha, satisfaction_adds[3] < alpha, float(both.rsquared)),
    ]
    importance = relative_importance(complete, loyalty, [satisfaction, value, *covariates])
    return TheoryComparison(table=pd.DataFrame(rows), models=models, importance=importance)


def _model_table(fits: dict, both_robust, betas: pd.Series, drivers: dict[str, str]) -> pd.DataFrame:
    """Fit of each model; the ``both`` model's HC3 slopes and standardised slopes of the drivers."""
    models = pd.DataFrame(
        [
            {
                "model": name,
                "n": int(fit.nobs),
                "r2": fit.rsquared,
                "adj_r2": fit.rsquared_adj,
                **dict(zip(("aic", "bic"), information_criteria(fit), strict=True)),
            }
            for name, fit in fits.items()
        ]
    )
    for column, term in drivers.items():
        models[f"coef_{column}"] = [np.nan, np.nan, both_robust.params[term]]
        models[f"se_{column}"] = [np.nan, np.nan, both_robust.bse[term]]
        models[f"std_coef_{column}"] = [np.nan, np.nan, betas[term]]
    return models


def _nested_row(test: str, question: str, nested: tuple, driver: str, base: str, alpha: float) -> dict:
    """The F-test that ``driver`` adds to a model with ``base`` (:func:`_nested_f`'s result)."""
    f_stat, df1, df2, p_val, delta = nested
    verdict = (
        f"yes: {driver} adds {delta:.3f} to R-squared ({_significance(p_val)})"
        if p_val < alpha
        else f"no evidence that {driver} adds to {base} ({_significance(p_val)})"
    )
    return {
        "test": test,
        "question": question,
        "statistic": f_stat,
        "df": np.nan,
        "df1": df1,
        "df2": df2,
        "p_val": p_val,
        "effect": delta,
        "verdict": verdict,
    }


def _j_row(
    test: str, question: str, y: np.ndarray, design: pd.DataFrame, rival, rival_name: str, alpha: float
) -> dict:
    """Davidson-MacKinnon J test: do the rival model's fitted values add to this model?"""
    fit = fit_ols(y, design.assign(rival_fitted=rival.fittedvalues), hc3=False)
    t_stat, p_val = float(fit.tvalues["rival_fitted"]), float(fit.pvalues["rival_fitted"])
    verdict = (
        f"rejected: the {rival_name} model's predictions add information ({_significance(p_val)})"
        if p_val < alpha
        else f"not rejected by the {rival_name} model ({_significance(p_val)})"
    )
    return {
        "test": test,
        "question": question,
        "statistic": t_stat,
        "df": float(fit.df_resid),
        "df1": np.nan,
        "df2": np.nan,
        "p_val": p_val,
        "effect": float(fit.params["rival_fitted"]),
        "verdict": verdict,
    }


def _overall_row(value_helps: bool, satisfaction_helps: bool, r_squared: float) -> dict:
    """The two nested tests read together, in words."""
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
    return {
        "test": "overall",
        "question": "Which theory explains loyalty in the pooled sample?",
        "statistic": np.nan,
        "df": np.nan,
        "df1": np.nan,
        "df2": np.nan,
        "p_val": np.nan,
        "effect": r_squared,
        "verdict": overall + " (pooled data; segments may differ)",
    }
