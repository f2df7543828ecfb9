"""Polynomial regression with response surface analysis: does the outcome depend on the *match*
between two variables, as disconfirmation theory says satisfaction depends on performance
against expectation?

Regressing satisfaction on the difference "performance minus expectation" assumes, without
testing it, that both enter with equal and opposite weights and nothing else matters (Edwards,
1994). The polynomial regression of the outcome on both variables, their squares and their
product tests those constraints, and its surface along the line of congruence (x = y) and the
line of incongruence (x = -y) says what the difference score hides (Edwards & Parry, 1993;
Shanock et al., 2010).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._display import HTMLTables
from ._ols import coefficient_table, fit_ols
from ._tables import wald_table
from ._validate import check_probability, numeric_columns

__all__ = ["ResponseSurface", "response_surface"]

# each surface parameter as a combination of (b1, ..., b5): b1 x + b2 y + b3 x^2 + b4 xy + b5 y^2
SURFACE = {
    "a1": ([1, 1, 0, 0, 0], "slope along the line of congruence (x = y) at the centre"),
    "a2": ([0, 0, 1, 1, 1], "curvature along the line of congruence"),
    "a3": ([1, -1, 0, 0, 0], "slope along the line of incongruence (x = -y) at the centre"),
    "a4": ([0, 0, 1, -1, 1], "curvature along the line of incongruence"),
    "a5": ([0, 0, 1, 0, -1], "asymmetry of the curvature (x squared against y squared)"),
}


@dataclass(frozen=True)
class ResponseSurface(HTMLTables):
    """A fitted polynomial regression and its response surface (:func:`response_surface`).

    Attributes
    ----------
    coefficients : pandas.DataFrame
        The regression: ``term`` (intercept, x, y, x squared, x times y, y squared, in the
        data's names), the estimate columns.
    surface : pandas.DataFrame
        One row per surface parameter, index ``a1`` ... ``a5``: ``meaning``, the estimate
        columns (t tests with the residual df).
    difference_test : pandas.DataFrame
        One row: the Wald F test of the constraints under which the difference score ``x - y``
        would be enough (b1 = -b2, b3 = b4 = b5 = 0): ``statistic``, ``df_num``, ``df_den``,
        ``p_val``; and ``r2``, ``r2_difference`` (R-squared of the full model and of the
        difference score alone).
    n : int
    center : float
    """

    coefficients: pd.DataFrame
    surface: pd.DataFrame
    difference_test: pd.DataFrame
    n: int
    center: float


def response_surface(
    data: pd.DataFrame,
    outcome: str,
    x: str,
    y: str,
    *,
    center: float | None = None,
    hc3: bool = True,
    alpha: float = 0.05,
) -> ResponseSurface:
    """Polynomial regression of ``outcome`` on ``x`` and ``y`` and the surface parameters a1-a5.

    Parameters
    ----------
    data : pandas.DataFrame
    outcome : str
        E.g. satisfaction.
    x, y : str
        The two variables whose match matters, on the same scale (e.g. perceived performance
        and expectation).
    center : float, optional
        Subtracted from both ``x`` and ``y`` before squaring (the same value keeps the line
        x = y): the scale midpoint, as Edwards (2002) recommends. None: the mean of ``x`` and
        ``y`` pooled.
    hc3 : bool, default True
        HC3 standard errors (the package's default for regressions); False: classical ones.
    alpha : float, default 0.05

    Returns
    -------
    ResponseSurface

    Notes
    -----
    The model is ``outcome = b0 + b1 x + b2 y + b3 x^2 + b4 x y + b5 y^2`` on the centred
    variables. Along the line of congruence the surface is ``b0 + a1 x + a2 x^2`` with
    ``a1 = b1 + b2`` and ``a2 = b3 + b4 + b5``; along the line of incongruence ``b0 + a3 x +
    a4 x^2`` with ``a3 = b1 - b2`` and ``a4 = b3 - b4 + b5``; ``a5 = b3 - b5``. Their standard
    errors follow from the coefficients' covariance (each is a linear combination). A pure
    disconfirmation effect (satisfaction rises with performance above expectation, in the same
    way at every level) shows as a3 > 0 with a1, a2, a4 near 0; the difference test asks
    whether the difference score could stand in for the two variables. Checked against R
    (``lm`` with ``sandwich::vcovHC(type = "HC3")``) and the a1-a5 of R's ``RSA`` package on
    the ECSI mobile-phone data (``tests/reference/r_response_surface.R``).

    References
    ----------
    Edwards, J. R. (1994). The study of congruence in organizational behavior research:
    Critique and a proposed alternative. Organizational Behavior and Human Decision Processes,
    58(1), 51-100.

    Edwards, J. R. (2002). Alternatives to difference scores: Polynomial regression analysis
    and response surface methodology. In F. Drasgow & N. Schmitt (Eds.), Measuring and
    analyzing behavior in organizations (pp. 350-400). Jossey-Bass.

    Edwards, J. R., & Parry, M. E. (1993). On the use of polynomial regression equations as an
    alternative to difference scores in organizational research. Academy of Management
    Journal, 36(6), 1577-1613.

    Shanock, L. R., Baran, B. E., Gentry, W. A., Pattison, S. C., & Heggestad, E. D. (2010).
    Polynomial regression with response surface analysis: A powerful approach for examining
    moderation and overcoming limitations of difference scores. Journal of Business and
    Psychology, 25(4), 543-554.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"performance": rng.normal(5, 1, 500), "expectation": rng.normal(5, 1, 500)})
    >>> d["satisfaction"] = d["performance"] - d["expectation"] + rng.normal(0, 0.5, 500)
    >>> fit = response_surface(d, "satisfaction", "performance", "expectation", center=5)
    >>> fit.surface.loc["a3", "coef"].round(1)
    np.float64(2.0)
    """
    check_probability("alpha", alpha)
    if x == y:
        raise ValueError(f"x and y are the same column ({x!r}): a response surface needs two variables")
    frame = numeric_columns(data, [outcome, x, y]).dropna()
    if len(frame) < 12:
        raise ValueError(
            f"{len(frame)} respondents answered {outcome!r}, {x!r} and {y!r}: too few for six coefficients"
        )
    middle = float(np.mean(np.r_[frame[x], frame[y]])) if center is None else float(center)
    cx, cy = frame[x] - middle, frame[y] - middle
    names = [x, y, f"{x}^2", f"{x}*{y}", f"{y}^2"]
    design = pd.DataFrame(np.column_stack([cx, cy, cx**2, cx * cy, cy**2]), columns=names, index=frame.index)
    if np.linalg.matrix_rank(design.to_numpy()) < 5:
        raise ValueError(
            f"{x!r} and {y!r} do not vary enough apart from each other for a quadratic surface "
            "(their squares and product are collinear): the data cannot tell the surface's shape"
        )
    fit = fit_ols(frame[outcome].to_numpy(float), design, hc3=hc3)
    coefficients = coefficient_table(fit, alpha)
    b, cov = fit.params.to_numpy()[1:], np.asarray(fit.cov_params())[1:, 1:]
    weights = np.array([w for w, _ in SURFACE.values()], dtype=float)
    estimates = weights @ b
    errors = np.sqrt(np.einsum("ij,jk,ik->i", weights, cov, weights))
    surface = wald_table(
        pd.DataFrame(
            {"meaning": [m for _, m in SURFACE.values()]}, index=pd.Index(list(SURFACE), name="parameter")
        ),
        estimates,
        errors,
        alpha,
        df=float(fit.df_resid),
    )
    # the difference score suffices only if b1 + b2 = 0 and b3 = b4 = b5 = 0 (Edwards, 1994)
    constraints = np.array([[1, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]], dtype=float)
    gap = constraints @ b
    statistic = float(gap @ np.linalg.solve(constraints @ cov @ constraints.T, gap)) / len(gap)
    difference = fit_ols(frame[outcome].to_numpy(float), pd.DataFrame({"gap": frame[x] - frame[y]}), hc3=hc3)
    difference_test = pd.DataFrame(
        [
            {
                "statistic": statistic,
                "df_num": float(len(gap)),
                "df_den": float(fit.df_resid),
                "p_val": float(stats.f.sf(statistic, len(gap), fit.df_resid)),
                "r2": float(fit.rsquared),
                "r2_difference": float(difference.rsquared),
            }
        ]
    )
    return ResponseSurface(coefficients, surface, difference_test, len(frame), middle)
