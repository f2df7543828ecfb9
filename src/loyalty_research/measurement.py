"""Measurement quality of multi-item scales: reliability, validity and factor models.

Before satisfaction, value or loyalty scores are regressed on each other, their scales must
measure one thing reliably (alpha, omega, composite reliability), measure different things
from each other (HTMT, Fornell-Larcker), fit a confirmatory factor model, and not be dominated
by one common-method factor (Harman). These functions follow pingouin's conventions (data
first, tidy tables) and are checked against R's psych, lavaan and semTools
(``tests/reference/psych_reliability.R``, ``tests/reference/lavaan_cfa.R``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import optimize, stats

from ._display import HTMLTables
from ._ordinal import fit_ordinal, ordinal_statistics
from ._sem import fit_model, fit_row, parameter_table, parse_model
from ._validate import check_probability, numeric_columns
from .codebook import Codebook
from .survey import reverse_keyed

__all__ = [
    "INVARIANCE_LEVELS",
    "FactorModel",
    "Polychoric",
    "confirmatory_factor_analysis",
    "fornell_larcker",
    "harman_single_factor",
    "htmt",
    "item_scales",
    "item_statistics",
    "measurement_invariance",
    "one_factor_loadings",
    "polychoric",
    "scale_reliability",
]


def item_scales(
    data: pd.DataFrame, constructs: Mapping[str, list[str]] | Codebook, min_items: int = 2
) -> dict[str, pd.DataFrame]:
    """The item answers of each construct, as floats, ready for a reliability or factor analysis.

    Parameters
    ----------
    data : pandas.DataFrame
        The survey. Not modified.
    constructs : Codebook or mapping of construct to item columns
        With a codebook its reverse-keyed items are turned round (:func:`reverse_keyed`); a
        mapping is taken as it is.
    min_items : int, default 2
        Fewest items a construct may have.

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame of item columns per construct, in the given order.
    """
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
        if len(items) < min_items:
            raise ValueError(f"construct {construct!r}: needs at least {min_items} items, got {items}")
        values = numeric_columns(data, items, context=f"construct {construct!r}: ")
        scales[construct] = values if codebook is None else reverse_keyed(values, codebook, items)
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
    against ``psych::alpha`` and ``psych::fa`` on psych's ``bfi`` data. ``psych::omega`` with one
    factor divides by the *observed* total variance instead (the sum of the item correlations);
    on ``bfi`` the two differ by less than 0.001.

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
    for construct, values in item_scales(data, constructs).items():
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
    for construct, values in item_scales(data, constructs).items():
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
    scales = item_scales(data, constructs, min_items=1)
    names = list(scales)
    items = pd.concat(scales.values(), axis=1, keys=names).dropna()
    if len(items) < 3:
        raise ValueError(
            f"{len(items)} respondents answered every item: correlations need at least 3 (and an HTMT worth "
            "reading far more)"
        )
    constant = [item for _, item in items.columns[items.nunique().to_numpy() == 1]]
    if constant:
        raise ValueError(
            f"item {constant[0]!r} has the same answer from every complete respondent: its correlations "
            "are undefined; drop it"
        )
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


@dataclass(frozen=True)
class FactorModel(HTMLTables):
    """A fitted confirmatory factor model, as tidy tables.

    Attributes
    ----------
    fit : pandas.DataFrame
        One row: ``n``, ``npar``, ``chisq``, ``df``, ``p_val``, ``cfi``, ``tli``, ``rmsea``,
        ``rmsea_ci_low``, ``rmsea_ci_high`` (90% interval), ``srmr``, ``aic``, ``bic``, and how
        the model was estimated: ``estimator`` and ``missing`` (``"listwise"`` or ``"fiml"``).
    loadings : pandas.DataFrame
        One row per loading: ``construct``, ``item``, ``loading`` (standardised) and ``r2``
        (its square). A cross-loading item has two rows.
    correlations : pandas.DataFrame
        Correlations between the factors (a method factor is left out: it is uncorrelated).
    ave : pandas.Series
        Average variance extracted per construct (mean squared standardised loading of its own
        items).
    parameters : pandas.DataFrame
        Every parameter, as lavaan's ``parameterEstimates``: ``lhs``, ``op``, ``rhs``, the
        estimate columns (``coef``, ``se``, ``statistic``, ``df``, ``p_val``, ``ci_low``,
        ``ci_high``; z tests, NaN for fixed parameters) and ``std_all``.
    """

    fit: pd.DataFrame
    loadings: pd.DataFrame
    correlations: pd.DataFrame
    ave: pd.Series
    parameters: pd.DataFrame


def confirmatory_factor_analysis(
    data: pd.DataFrame,
    constructs: Mapping[str, list[str]] | Codebook,
    *,
    missing: str = "listwise",
    residual_covariances: Sequence[tuple[str, str]] = (),
    cross_loadings: Sequence[tuple[str, str]] = (),
    method_factor: Sequence[str] | None = None,
    estimator: str = "ml",
    alpha: float = 0.05,
) -> FactorModel:
    """Confirmatory factor model of all constructs at once, by maximum likelihood or, for
    ordinal answers, by diagonally weighted least squares on polychoric correlations.

    Parameters
    ----------
    data : pandas.DataFrame
        Item answers.
    constructs : mapping or Codebook
        Construct name to its item columns (a codebook also reverses reverse-keyed items).
        Every item loads on its own construct; the factors correlate freely.
    missing : {"listwise", "fiml"}, default "listwise"
        ``"listwise"``: respondents who answered every item. ``"fiml"``: full-information
        maximum likelihood; every respondent with at least one answer counts (Arbuckle, 1996).
        FIML is unbiased when answers are missing at random given the other answers; listwise
        deletion only when they are missing completely at random.
    residual_covariances : sequence of (item, item)
        Pairs of items whose errors covary (shared wording, the same attribute asked twice).
    cross_loadings : sequence of (construct, item)
        Extra loadings of an item on another construct.
    method_factor : sequence of str, optional
        Items that also load on a method factor uncorrelated with the constructs (e.g. the
        negatively worded items, whose shared wording effect it absorbs; Marsh, 1996).
    estimator : {"ml", "mlr", "ordinal"}, default "ml"
        ``"mlr"``: robust maximum likelihood for answers that are not normal (Likert items
        piled up at the top of the scale), as lavaan's ``MLR``: the same estimates, Huber-White
        standard errors and the Yuan-Bentler scaled chi-square, with the indices built on it
        (``chisq_scaled``, ``scaling_factor``, ``p_val_scaled``, ``cfi_scaled``,
        ``tli_scaled``, ``rmsea_scaled`` in ``.fit``; Yuan & Bentler, 2000), and the robust
        indices ``cfi_robust``, ``tli_robust``, ``rmsea_robust`` (Brosseau-Liard & Savalei,
        2014; under FIML with Zhang & Savalei's correction, as lavaan).
        ``"ordinal"``: the answers are ordered categories of normal latent responses, as
        lavaan's ``WLSMV`` (Muthén, du Toit & Spisic, 1997): thresholds and polychoric
        correlations, diagonally weighted least squares, robust (sandwich) standard errors and
        the scaled-and-shifted chi-square (``chisq_scaled``, ``scaling_factor``,
        ``shift_parameter``, ``p_val_scaled``, ``cfi_scaled``, ``tli_scaled``,
        ``rmsea_scaled``; Asparouhov & Muthén, 2010). Loadings are those of the latent
        responses (variance 1), ``parameters`` has each item's thresholds (op ``"|"``), and
        ``aic``/``bic`` are NaN (no likelihood). Complete answers only (``missing="listwise"``).
        The unscaled ``chisq`` is not chi-square distributed; read ``p_val_scaled``. With five
        or more categories robust ML does as well (Rhemtulla, Brosseau-Liard & Savalei, 2012).
    alpha : float, default 0.05
        Intervals of the parameters have coverage ``1 - alpha``.

    Returns
    -------
    FactorModel
        Fit indices, standardised loadings, factor correlations, AVE and every parameter.

    Notes
    -----
    Estimated by the package's maximum-likelihood engine (``loyalty_research._sem``), which
    follows lavaan's conventions: factor variances fixed at 1 (``std.lv = TRUE``), the
    chi-square against the saturated model (estimated by EM under FIML), the independence
    baseline, RMSEA from N, SRMR over the covariances (with FIML also the means) against the
    saturated estimates, and standard errors from the expected information with complete data
    and the observed information with FIML; the ordinal estimator follows lavaan's delta
    parameterization and its N / (N - 1) factor on the asymptotic covariance of the polychorics
    (``loyalty_research._ordinal``). Usual cut-offs (Hu & Bentler, 1999): CFI and TLI
    at least 0.95 (0.90 acceptable), RMSEA at most 0.06 (0.08 acceptable), SRMR at most 0.08.
    With a large sample the chi-square test rejects almost any model, so it is reported but
    rarely decisive. Putting every item under one construct gives the confirmatory version of
    Harman's single-factor check. Checked against ``lavaan::cfa`` (complete data, and
    ``missing = "ml"``, ``estimator = "MLR"``, ``"WLSMV"``) on psych's ``bfi`` data
    (``tests/reference/lavaan_cfa.R``, ``tests/reference/lavaan_sem.R``).

    References
    ----------
    Arbuckle, J. L. (1996). Full information estimation in the presence of incomplete data. In
    G. A. Marcoulides & R. E. Schumacker (Eds.), Advanced structural equation modeling (pp.
    243-277). Erlbaum.

    Asparouhov, T., & Muthén, B. (2010). Simple second order chi-square correction. Mplus
    technical appendix.

    Brosseau-Liard, P. E., & Savalei, V. (2014). Adjusting incremental fit indices for
    nonnormality. Multivariate Behavioral Research, 49(5), 460-470.

    Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure
    analysis. Structural Equation Modeling, 6(1), 1-55. https://doi.org/10.1080/10705519909540118

    Marsh, H. W. (1996). Positive and negative global self-esteem: A substantively meaningful
    distinction or artifactors? Journal of Personality and Social Psychology, 70(4), 810-819.

    Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using weighted least
    squares and quadratic estimating equations in latent variable modeling with categorical and
    continuous outcomes. Unpublished manuscript.

    Rhemtulla, M., Brosseau-Liard, P. E., & Savalei, V. (2012). When can categorical variables
    be treated as continuous? Psychological Methods, 17(3), 354-373.

    Yuan, K.-H., & Bentler, P. M. (2000). Three likelihood-based methods for mean and covariance
    structure analysis with nonnormal missing data. Sociological Methodology, 30, 165-200.

    Zhang, X., & Savalei, V. (2020). Examining the effect of missing data on RMSEA and CFI under
    normal theory full-information maximum likelihood. Structural Equation Modeling, 27(2),
    219-239.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> model = confirmatory_factor_analysis(lr.load_golf_survey(), lr.load_codebook(), missing="fiml")
    >>> print(model.fit.loc[0, "n"], model.fit.loc[0, "missing"])
    800 fiml
    """
    if missing not in ("listwise", "fiml"):
        raise ValueError(f"missing must be 'listwise' or 'fiml', got {missing!r}")
    if estimator not in ("ml", "mlr", "ordinal"):
        raise ValueError(f"estimator must be 'ml', 'mlr' or 'ordinal', got {estimator!r}")
    if estimator == "ordinal" and missing != "listwise":
        raise ValueError(
            "the ordinal estimator fits polychoric correlations of complete answers: use "
            "missing='listwise' with it, or estimator='mlr' with missing='fiml'"
        )
    check_probability("alpha", alpha)
    scales = item_scales(data, constructs, min_items=1)
    single = [c for c, values in scales.items() if values.shape[1] < 2]
    if single:
        raise ValueError(
            f"construct {single[0]!r} has a single item: its loading and error variance are not identified "
            "in a factor model (ML returns numbers, but meaningless ones); give it two or more items or "
            "leave it out of the CFA"
        )
    items = pd.concat(scales.values(), axis=1)
    if items.columns.duplicated().any():
        repeated = sorted(set(items.columns[items.columns.duplicated()]))
        raise ValueError(
            f"items listed under more than one construct: {repeated}; give a second loading as "
            "cross_loadings=[(construct, item)]"
        )
    used = items.dropna() if missing == "listwise" else items[items.notna().any(axis=1)]
    who = "complete respondents" if missing == "listwise" else "respondents with an answer"
    if len(used) <= items.shape[1]:
        raise ValueError(f"{len(used)} {who} for {items.shape[1]} items: too few for a factor model")
    constant = [c for c in items.columns if used[c].nunique() == 1]
    if constant:
        raise ValueError(
            f"item {constant[0]!r} has the same answer ({used[constant[0]].dropna().iloc[0]:g}) from all "
            f"{len(used)} {who}: an item without variance cannot load on a factor; drop it"
        )
    syntax = _cfa_syntax(scales, items, residual_covariances, cross_loadings, method_factor)
    if estimator == "ordinal":
        _check_ordinal(used, "the ordinal estimator's items")
        result = fit_ordinal(syntax, used)
    else:
        result = fit_model(syntax, used, std_lv=True, missing=missing, estimator=estimator)
    fit = fit_row(result, missing, estimator)
    parameters = parameter_table(result, alpha).drop(columns="label")
    estimates = result.parameters
    on_constructs = estimates[(estimates["op"] == "=~") & estimates["lhs"].isin(list(scales))]
    loadings = pd.DataFrame(
        {"construct": on_constructs["lhs"], "item": on_constructs["rhs"], "loading": on_constructs["std_all"]}
    ).reset_index(drop=True)
    loadings["r2"] = loadings["loading"] ** 2
    correlations = pd.DataFrame(np.eye(len(scales)), index=list(scales), columns=list(scales))
    between = estimates[(estimates["op"] == "~~") & (estimates["lhs"] != estimates["rhs"])]
    for row in between.itertuples():
        if row.lhs in scales and row.rhs in scales:
            correlations.loc[row.lhs, row.rhs] = correlations.loc[row.rhs, row.lhs] = row.std_all
    own = [item in scales[c].columns for c, item in zip(loadings["construct"], loadings["item"], strict=True)]
    ave = loadings[own].groupby("construct", sort=False)["r2"].mean().rename("ave")
    return FactorModel(fit=fit, loadings=loadings, correlations=correlations, ave=ave, parameters=parameters)


def _cfa_syntax(
    scales: dict[str, pd.DataFrame],
    items: pd.DataFrame,
    residual_covariances: Sequence[tuple[str, str]],
    cross_loadings: Sequence[tuple[str, str]],
    method_factor: Sequence[str] | None,
) -> str:
    """The factor model in lavaan's syntax, every extra checked against the items."""
    known = set(items.columns)
    loadings = {c: list(v.columns) for c, v in scales.items()}
    for construct, item in cross_loadings:
        if construct not in loadings or item not in known:
            raise ValueError(
                f"cross-loading ({construct!r}, {item!r}): name a construct and an item of the model"
            )
        if item in loadings[construct]:
            raise ValueError(
                f"cross-loading ({construct!r}, {item!r}): the item already loads on that construct"
            )
        loadings[construct].append(item)
    lines = [f"{c} =~ {' + '.join(names)}" for c, names in loadings.items()]
    for a, b in residual_covariances:
        if a not in known or b not in known or a == b:
            raise ValueError(f"residual covariance ({a!r}, {b!r}): name two different items of the model")
        lines.append(f"{a} ~~ {b}")
    if method_factor:
        unknown = [i for i in method_factor if i not in known]
        if unknown:
            raise ValueError(f"method_factor names items that are not in the model: {unknown}")
        if len(method_factor) < 3:
            raise ValueError(f"method_factor needs three or more items, got {list(method_factor)}")
        if "method" in loadings:
            raise ValueError("a construct is called 'method': rename it to add a method factor")
        lines.append(f"method =~ {' + '.join(method_factor)}")
        lines += [f"method ~~ 0*{c}" for c in loadings]
    return "\n".join(lines)


INVARIANCE_LEVELS = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}
"""The levels of measurement invariance and what each holds equal across groups."""

# the parameter kind each level adds, and how one item's constraint is written for release
_RELEASE = {"metric": "{construct} =~ {item}", "scalar": "{item} ~1", "strict": "{item} ~~ {item}"}


def measurement_invariance(
    data: pd.DataFrame,
    constructs: Mapping[str, list[str]] | Codebook | str,
    group: str,
    *,
    levels: Sequence[str] = ("configural", "metric", "scalar"),
    missing: str = "listwise",
    estimator: str = "ml",
    partial: bool = True,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Do the scales mean the same in every group? Configural, metric, scalar (strict) invariance.

    Parameters
    ----------
    data : pandas.DataFrame
        Item answers and the group column.
    constructs : mapping, Codebook or str
        Construct name to its item columns (a codebook also reverses reverse-keyed items), or a
        measurement model in lavaan's syntax (cross-loadings, method factors, residual
        covariances), fitted to ``data`` as it is.
    group : str
        Column that splits the respondents (membership type, segment); groups in order of
        appearance, as lavaan orders them.
    levels : sequence of {"configural", "metric", "scalar", "strict"}
        The levels to fit, in order; each adds equal loadings, intercepts, residual variances.
    missing : {"listwise", "fiml"}, default "listwise"
    estimator : {"ml", "mlr"}, default "ml"
        ``"mlr"``: robust ML for answers that are not normal. The table adds ``chisq_scaled``,
        ``scaling_factor``, ``cfi_robust`` and ``rmsea_robust``; the difference test is the
        Satorra-Bentler (2001) scaled difference (``chisq_diff``), and ``delta_cfi`` and
        ``delta_rmsea`` are changes in the robust indices. Invariance of ordinal items needs
        equal thresholds (Wu & Estabrook, 2016) and is not offered.
    partial : bool, default True
        Where a level fails, search for partial invariance (Byrne, Shavelson & Muthén, 1989):
        release the new constraint of the item whose release improves the fit most (a
        chi-square difference on 1 df at ``alpha`` over the items left), refit, and repeat
        until the level holds or no release helps; the released items are named.
    alpha : float, default 0.05

    Returns
    -------
    pandas.DataFrame
        One row per level: ``level``, ``n``, ``npar``, ``chisq``, ``df``, ``p_val`` (the model's
        chi-square test), ``cfi``, ``tli``, ``rmsea``, ``srmr``; against the previous level
        ``chisq_diff``, ``df_diff``, ``p_val_diff``, ``delta_cfi``, ``delta_rmsea``; ``holds``
        (the change in CFI is no worse than -0.010 and RMSEA rises by less than 0.015; Chen,
        2007; Cheung & Rensvold, 2002), ``non_invariant`` (items found by the partial search,
        comma-separated) and ``verdict``.

    Notes
    -----
    Multigroup maximum likelihood with lavaan's identification and conventions: a marker item
    per factor, the factor means fixed at 0 in the first group and free in the others once the
    intercepts are equal; the chi-square is the sum over groups, RMSEA the one-group formula on
    the total n times sqrt(G), CFI against the groups' independence models, SRMR the groups'
    average weighted by their size. Checked against ``lavaan::cfa(group = "school",
    group.equal = ...)`` on Holzinger & Swineford's data (``tests/reference/lavaan_sem.R``).
    The chi-square difference test is reported, but with large groups it rejects trivial
    differences; the change in CFI decides. Compare segments' or groups' paths only at the
    level that holds: metric for slopes, scalar for means.

    References
    ----------
    Byrne, B. M., Shavelson, R. J., & Muthén, B. (1989). Testing for the equivalence of factor
    covariance and mean structures: The issue of partial measurement invariance.
    Psychological Bulletin, 105(3), 456-466.

    Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement
    invariance. Structural Equation Modeling, 14(3), 464-504.

    Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing
    measurement invariance. Structural Equation Modeling, 9(2), 233-255.

    Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test statistic for
    moment structure analysis. Psychometrika, 66(4), 507-514.

    Wu, H., & Estabrook, R. (2016). Identification of confirmatory factor analysis models of
    different levels of invariance for ordered categorical outcomes. Psychometrika, 81(4),
    1014-1045.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> table = measurement_invariance(lr.load_golf_survey(), {"loyalty": ["loyal_revisit",
    ...     "loyal_recommend", "loyal_pay_more"]}, "gender", partial=False)
    >>> table["level"].tolist()
    ['configural', 'metric', 'scalar']
    """
    unknown = [level for level in levels if level not in INVARIANCE_LEVELS]
    if unknown or not levels or list(levels) != [lv for lv in INVARIANCE_LEVELS if lv in levels]:
        raise ValueError(f"levels must be in the order {list(INVARIANCE_LEVELS)}, got {list(levels)}")
    check_probability("alpha", alpha)
    if estimator not in ("ml", "mlr"):
        ordinal = " (ordinal invariance needs equal thresholds, not offered; use 'mlr')"
        raise ValueError(
            f"estimator must be 'ml' or 'mlr', got {estimator!r}{ordinal * (estimator == 'ordinal')}"
        )
    if group not in data.columns:
        raise ValueError(f"group column {group!r} is not in the data")
    if isinstance(constructs, str):  # a measurement model in lavaan's syntax
        syntax, frame = constructs, data
        indicators: dict[str, list[str]] = {}
        for statement in parse_model(syntax):
            if statement.op == "=~":
                indicators.setdefault(statement.lhs, []).append(statement.rhs)
    else:
        scales = item_scales(data, constructs, min_items=2)
        frame = pd.concat([*scales.values(), data[group]], axis=1)
        indicators = {c: list(v.columns) for c, v in scales.items()}
        syntax = "\n".join(f"{c} =~ {' + '.join(items)}" for c, items in indicators.items())
    rows, previous, fits = [], None, {}
    robust = estimator == "mlr"
    for level in levels:
        fits[level] = fit_model(
            syntax,
            frame,
            missing=missing,
            group=group,
            group_equal=INVARIANCE_LEVELS[level],
            estimator=estimator,
        )
        fit = fits[level].fit
        row = {
            "level": level,
            "n": int(fit["ntotal"]),
            "npar": int(fit["npar"]),
            "chisq": fit["chisq"],
            "df": int(fit["df"]),
            "p_val": fit["pvalue"],
            "cfi": fit["cfi"],
            "tli": fit["tli"],
            "rmsea": fit["rmsea"],
            "srmr": fit["srmr"],
        }
        if robust:
            row |= {
                "chisq_scaled": fit["chisq.scaled"],
                "scaling_factor": fit["chisq.scaling.factor"],
                "cfi_robust": fit["cfi.robust"],
                "rmsea_robust": fit["rmsea.robust"],
            }
        if previous is None:
            row |= {"chisq_diff": np.nan, "df_diff": np.nan, "p_val_diff": np.nan, "delta_cfi": np.nan}
            row |= {"delta_rmsea": np.nan, "holds": True, "non_invariant": ""}
        else:
            row["chisq_diff"], row["df_diff"] = _chisq_difference(
                fit, fits[levels[levels.index(level) - 1]].fit
            )
            row["p_val_diff"] = float(stats.chi2.sf(max(row["chisq_diff"], 0.0), row["df_diff"]))
            row["delta_cfi"], row["delta_rmsea"] = _index_changes(fit, fits[previous["level"]].fit)
            row["holds"] = bool(row["delta_cfi"] > -0.010 and row["delta_rmsea"] < 0.015)
            row["non_invariant"] = ""
            if not row["holds"] and partial:
                row["non_invariant"] = ", ".join(
                    _non_invariant_items(
                        syntax,
                        frame,
                        group,
                        level,
                        indicators,
                        fits[level].fit,
                        fits[previous["level"]].fit,
                        missing,
                        estimator,
                        alpha,
                    )
                )
        row["verdict"] = _invariance_verdict(row, previous, robust)
        rows.append(row)
        previous = row
    return pd.DataFrame(rows)


def _chisq_difference(restricted: dict, free: dict) -> tuple[float, int]:
    """The chi-square difference of nested models and its df; with MLR the Satorra-Bentler
    (2001) scaled difference, from the unscaled statistics and the scaling factors."""
    df_diff = int(restricted["df"] - free["df"])
    difference = restricted["chisq"] - free["chisq"]
    if "chisq.scaling.factor" not in restricted:
        return difference, df_diff
    scale = (
        restricted["df"] * restricted["chisq.scaling.factor"] - free["df"] * free["chisq.scaling.factor"]
    ) / df_diff
    return (difference / scale if scale > 0 else np.nan), df_diff


def _index_changes(fit: dict, previous: dict) -> tuple[float, float]:
    """Change in CFI and RMSEA against the previous level (the robust indices under MLR)."""
    suffix = ".robust" if "cfi.robust" in fit else ""
    return fit["cfi" + suffix] - previous["cfi" + suffix], fit["rmsea" + suffix] - previous["rmsea" + suffix]


def _non_invariant_items(
    syntax, frame, group, level, indicators, constrained, previous, missing, estimator, alpha
) -> list[str]:
    """Release the level's constraints one item at a time, always the one whose release improves
    the fit most (a chi-square difference on 1 df at ``alpha`` over the candidates left), until
    the level holds against ``previous`` or no release helps (Byrne et al., 1989)."""
    if level not in _RELEASE:
        return []
    candidates = [
        (c, item)
        for c, items in indicators.items()
        for item in items
        if not (level == "metric" and item == items[0])  # a marker's loading is 1 in every group
    ]
    released: list[tuple[str, str]] = []
    current = constrained
    equal = INVARIANCE_LEVELS[level]
    while candidates:
        trials = {}
        for construct, item in candidates:
            partial = [_RELEASE[level].format(construct=c, item=i) for c, i in [*released, (construct, item)]]
            trials[(construct, item)] = fit_model(
                syntax,
                frame,
                missing=missing,
                group=group,
                group_equal=equal,
                group_partial=partial,
                estimator=estimator,
            ).fit
        improvements = {key: _chisq_difference(current, trial)[0] for key, trial in trials.items()}
        best = max(improvements, key=lambda key: np.nan_to_num(improvements[key], nan=-np.inf))
        if not stats.chi2.sf(max(improvements[best], 0.0), 1) < alpha / len(candidates):
            break
        released.append(best)
        candidates.remove(best)
        current = trials[best]
        delta_cfi, delta_rmsea = _index_changes(current, previous)
        if delta_cfi > -0.010 and delta_rmsea < 0.015:
            break
    return [item for _, item in released]


def _invariance_verdict(row: dict, previous: dict | None, robust: bool = False) -> str:
    level = row["level"]
    kind = "robust " if robust else ""
    if previous is None:
        suffix = "_robust" if robust else ""
        fit = f"{kind}CFI {row['cfi' + suffix]:.3f}, {kind}RMSEA {row['rmsea' + suffix]:.3f}"
        return f"the baseline: the same factor structure in every group ({fit})"
    change = f"{kind}CFI {row['delta_cfi']:+.3f}, {kind}RMSEA {row['delta_rmsea']:+.3f}"
    p_text = f"p = {row['p_val_diff']:.3f}" if row["p_val_diff"] >= 0.001 else "p < 0.001"
    scaled = "scaled " if robust else ""
    test = f"{scaled}chi-square difference {row['chisq_diff']:.1f} on {row['df_diff']} df, {p_text}"
    if not np.isfinite(row["chisq_diff"]):  # Satorra-Bentler's scaling can come out negative
        test = "the scaled chi-square difference is not defined here (negative scaling)"
    caveat = "" if previous["holds"] else f" (but it adds to {previous['level']}, which fails)"
    if row["holds"]:
        return f"{level} invariance holds ({change}; {test}){caveat}"
    items = f"; the items that differ: {row['non_invariant']}" if row["non_invariant"] else ""
    return f"{level} invariance fails ({change}; {test}){items}{caveat}"


@dataclass(frozen=True)
class Polychoric(HTMLTables):
    """Polychoric correlations of ordinal items (:func:`polychoric`).

    Attributes
    ----------
    correlations : pandas.DataFrame
        Items by items, 1 on the diagonal.
    thresholds : pandas.DataFrame
        One row per item and cut point: ``item``, ``threshold`` (1, 2, ...), ``value`` (the
        standard-normal quantile below which that share of answers lies).
    n : int
        Respondents who answered every item (the correlations use these only).
    """

    correlations: pd.DataFrame
    thresholds: pd.DataFrame
    n: int


def _check_ordinal(frame: pd.DataFrame, what: str) -> None:
    fractional = [c for c in frame.columns if (frame[c] != np.round(frame[c])).any()]
    if fractional:
        raise ValueError(f"{what} need ordinal answers (whole numbers); {fractional} are not")


def polychoric(data: pd.DataFrame, items: Sequence[str] | Mapping[str, list[str]] | Codebook) -> Polychoric:
    """Polychoric correlations: the correlations of the normal variables behind ordinal answers.

    Parameters
    ----------
    data : pandas.DataFrame
        Answers on an ordered scale (whole numbers).
    items : list of str, mapping or Codebook
        The items, or the constructs whose items to use (a codebook also reverses
        reverse-keyed items).

    Returns
    -------
    Polychoric

    Notes
    -----
    Two steps, as lavaan and Olsson (1979) do: each item's thresholds from its own answer
    shares (the normal quantiles of the cumulative shares), then each pair's correlation by
    maximising the likelihood of its contingency table with the thresholds held fixed. The
    bivariate normal probabilities come from Owen's T function. Respondents who answered every
    item are used. Checked against lavaan's polychoric matrix of psych's ``bfi`` items
    (``lavInspect(fit, "sampstat")``; ``tests/reference/lavaan_sem.R``).

    References
    ----------
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation coefficient.
    Psychometrika, 44(4), 443-460.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> result = polychoric(lr.load_golf_survey(), ["sat_overall", "sat_ideal"])
    >>> bool(result.correlations.loc["sat_overall", "sat_ideal"] > 0.5)
    True
    """
    if isinstance(items, (Codebook, Mapping)):
        frame = pd.concat(item_scales(data, items, min_items=1).values(), axis=1)
    else:
        frame = numeric_columns(data, list(items))
    frame = frame.dropna()
    if len(frame) < 10 or frame.shape[1] < 2:
        raise ValueError(
            f"{len(frame)} complete respondents for {frame.shape[1]} items: too few for correlations"
        )
    _check_ordinal(frame, "polychoric correlations")
    constant = [c for c in frame.columns if frame[c].nunique() < 2]
    if constant:
        raise ValueError(f"item {constant[0]!r} has one answer from everybody: it has no thresholds; drop it")
    sample = ordinal_statistics(frame, covariance=False)
    rows = [
        {"item": item, "threshold": t, "value": v}
        for item, values in zip(sample.items, sample.thresholds, strict=True)
        for t, v in enumerate(values, start=1)
    ]
    correlations = pd.DataFrame(sample.correlations, index=sample.items, columns=sample.items)
    return Polychoric(correlations=correlations, thresholds=pd.DataFrame(rows), n=sample.n)


def fornell_larcker(data: pd.DataFrame, constructs: Mapping[str, list[str]] | Codebook) -> pd.DataFrame:
    """Fornell-Larcker matrix: square root of each construct's AVE against its correlations.

    Parameters
    ----------
    data : pandas.DataFrame
        Item answers.
    constructs : mapping or Codebook
        Construct name to its item columns (a codebook also reverses reverse-keyed items).

    Returns
    -------
    pandas.DataFrame
        Square, rows and columns the constructs: the square root of the AVE on the diagonal,
        the factor correlations off it.

    Notes
    -----
    Both come from one confirmatory factor model of all constructs
    (:func:`confirmatory_factor_analysis`), as in Fornell & Larcker (1981): discriminant
    validity holds for a construct when its diagonal entry exceeds the absolute value of
    every correlation in its row. The criterion is known to miss many violations (Henseler
    et al., 2015); read it beside :func:`htmt`. PLS software reports a variant with composite
    scores and PLS loadings, which gives different numbers. Checked against
    ``semTools::AVE`` and ``lavInspect(fit, "cor.lv")`` on psych's ``bfi`` data.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. Journal of Marketing Research, 18(1), 39-50.
    https://doi.org/10.1177/002224378101800104

    Examples
    --------
    >>> import numpy as np
    >>> import loyalty_research as lr
    >>> table = fornell_larcker(lr.load_golf_survey(), lr.load_codebook())
    >>> off = table.where(~np.eye(len(table), dtype=bool)).abs().max()
    >>> bool((np.diag(table) > off).all())
    True
    """
    model = confirmatory_factor_analysis(data, constructs)
    table = model.correlations.copy()
    for construct in table.index:
        table.loc[construct, construct] = np.sqrt(model.ave[construct])
    return table


def harman_single_factor(
    data: pd.DataFrame, constructs: Mapping[str, list[str]] | Codebook, *, threshold: float = 0.5
) -> pd.DataFrame:
    """Harman's single-factor check for common-method variance.

    Parameters
    ----------
    data : pandas.DataFrame
        Item answers; respondents who answered every item are used.
    constructs : mapping or Codebook
        Construct name to its item columns; all items of all constructs are pooled.
    threshold : float, default 0.5
        Share of variance above which one factor is said to dominate.

    Returns
    -------
    pandas.DataFrame
        One row: ``n``, ``n_items``, ``first_factor_share`` (variance share of the first
        unrotated principal component), ``n_eigen_above_1`` and ``single_factor_dominates``.

    Notes
    -----
    If one unrotated factor explained most of the variance of items meant to measure
    different constructs, a common method (one questionnaire, one sitting, acquiescence)
    might drive their correlations. The check is weak: passing it does not show the absence
    of method bias (Podsakoff et al., 2003). Checked against ``psych::principal`` on psych's
    ``bfi`` data.

    References
    ----------
    Podsakoff, P. M., MacKenzie, S. B., Lee, J.-Y., & Podsakoff, N. P. (2003). Common method
    biases in behavioral research. Journal of Applied Psychology, 88(5), 879-903.
    https://doi.org/10.1037/0021-9010.88.5.879

    Examples
    --------
    >>> import loyalty_research as lr
    >>> table = harman_single_factor(lr.load_golf_survey(), lr.load_codebook())
    >>> bool(table.loc[0, "single_factor_dominates"])
    False
    """
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must lie between 0 and 1, got {threshold}")
    items = pd.concat(item_scales(data, constructs, min_items=1).values(), axis=1).dropna()
    if items.shape[1] < 2:
        raise ValueError("Harman's check needs at least two items")
    eigenvalues = np.linalg.eigvalsh(np.corrcoef(items.to_numpy(dtype=float), rowvar=False))[::-1]
    share = float(eigenvalues[0] / items.shape[1])
    return pd.DataFrame(
        [
            {
                "n": len(items),
                "n_items": items.shape[1],
                "first_factor_share": share,
                "n_eigen_above_1": int(np.sum(eigenvalues > 1)),
                "single_factor_dominates": share > threshold,
            }
        ]
    )
