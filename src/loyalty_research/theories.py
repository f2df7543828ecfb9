"""The two loyalty theories compared on pooled data (:func:`compare_loyalty_theories`):
satisfaction against delivered value as explanations of loyalty (nested F-tests both ways, the J
test, information criteria, relative importance).

The satisfaction-loyalty link itself is in :mod:`~loyalty_research.satisfaction`, mediation in
:mod:`~loyalty_research.mediation`. Pooled regressions average over segments; notebook 05 asks
whether the answer differs by segment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._ols import fit_ols, information_criteria, standardised_betas
from ._validate import check_probability, complete_cases
from .importance import relative_importance

__all__ = [
    "TheoryComparison",
    "compare_loyalty_theories",
]


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
    sat_only, value_only, both = (fit_ols(y, d, hc3=False) for d in (sat_design, value_design, both_design))
    both_robust = fit_ols(y, both_design)
    betas = standardised_betas(complete, loyalty, [satisfaction, value, *controls])

    models = pd.DataFrame(
        [
            {
                "model": name,
                "n": int(fit.nobs),
                "r2": fit.rsquared,
                "adj_r2": fit.rsquared_adj,
                **dict(zip(("aic", "bic"), information_criteria(fit), strict=True)),
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
        fit = fit_ols(y, augmented, hc3=False)
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
