"""Ordinary least squares, one route for the package.

:func:`fit_ols` (statsmodels, HC3 standard errors with t-based inference, as R's ``coeftest``) gives
the tables that are reported; :func:`least_squares` (NumPy) is the same estimator without the
bookkeeping, for the thousands of refits of a bootstrap, and :func:`residuals` its residuals.
statsmodels is imported on first use, so that the NumPy helpers stay light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import statsmodels.api as sm

__all__ = [
    "coefficient_table",
    "fit_formula",
    "fit_ols",
    "information_criteria",
    "least_squares",
    "residuals",
    "robust_wald",
    "standardised_betas",
]


def residuals(design: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Least-squares residuals of ``outcome`` on ``design`` (as given: add the intercept column)."""
    coef, *_ = np.linalg.lstsq(design, outcome, rcond=None)
    return outcome - design @ coef


def least_squares(design: np.ndarray, outcome: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Coefficients, classical standard errors and residual degrees of freedom (design as given)."""
    coef, *_ = np.linalg.lstsq(design, outcome, rcond=None)
    resid = outcome - design @ coef  # not residuals(): the coefficients are returned too
    dof = design.shape[0] - design.shape[1]
    cov = (resid @ resid / dof) * np.linalg.pinv(design.T @ design)
    return coef, np.sqrt(np.diag(cov)), dof


def fit_ols(
    outcome: np.ndarray, design: pd.DataFrame, *, hc3: bool = True
) -> sm.regression.linear_model.RegressionResultsWrapper:
    """OLS with an intercept; HC3 standard errors (t-based, as R's coeftest) unless ``hc3=False``."""
    import statsmodels.api as sm

    model = sm.OLS(outcome, sm.add_constant(design, has_constant="add"))
    return model.fit(cov_type="HC3", use_t=True) if hc3 else model.fit()


def fit_formula(formula: str, data: pd.DataFrame) -> sm.regression.linear_model.RegressionResultsWrapper:
    """:func:`fit_ols` from a formula (``"y ~ x1 + x2"``, with an intercept): HC3, t-based."""
    import statsmodels.formula.api as smf

    return smf.ols(formula, data=data).fit(cov_type="HC3", use_t=True)


def standardised_betas(data: pd.DataFrame, outcome: str, predictors: list[str]) -> pd.Series:
    """Slopes after z-scoring the outcome and every predictor."""
    frame = data[[outcome, *predictors]]
    z = (frame - frame.mean()) / frame.std(ddof=1)
    return fit_ols(z[outcome].to_numpy(), z[predictors], hc3=False).params


def information_criteria(fit) -> tuple[float, float]:
    """AIC and BIC counting the residual variance as a parameter, as R's ``AIC(lm)`` does."""
    k = fit.df_model + 2
    return float(-2 * fit.llf + 2 * k), float(-2 * fit.llf + np.log(fit.nobs) * k)


def coefficient_table(fit, alpha: float, **labels: object) -> pd.DataFrame:
    """One row per term of a fit: the ``labels`` (e.g. ``model="linear"``), ``term`` and the
    estimate columns (t with the residual df). The intercept is the term ``intercept``."""
    ci = fit.conf_int(alpha)
    return pd.DataFrame(
        {
            **labels,
            "term": ["intercept" if term in ("const", "Intercept") else term for term in fit.params.index],
            "coef": fit.params.to_numpy(),
            "se": fit.bse.to_numpy(),
            "statistic": fit.tvalues.to_numpy(),
            "df": float(fit.df_resid),
            "p_val": fit.pvalues.to_numpy(),
            "ci_low": ci.iloc[:, 0].to_numpy(),
            "ci_high": ci.iloc[:, 1].to_numpy(),
        }
    )


def robust_wald(fit, terms: list[str]) -> tuple[float, float, float]:
    """HC3 Wald F-test that the named coefficients are all zero: F, numerator df, p."""
    test = fit.wald_test(" = 0, ".join(terms) + " = 0", use_f=True, scalar=True)
    return float(test.statistic), float(len(terms)), float(test.pvalue)
