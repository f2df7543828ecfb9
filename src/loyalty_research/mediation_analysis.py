"""Mediation: chains such as value -> satisfaction -> loyalty and cognitive -> affective ->
behavioural trust.

- :func:`mediation`: direct and indirect effects with percentile-bootstrap intervals (Hayes's
  PROCESS models 4 and 6).
- :func:`trust_hierarchy`: the trust hierarchy as a serial chain, tested both ways.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ._ols import least_squares
from ._tables import ESTIMATE_COLUMNS, bootstrap_summary, wald_table
from ._validate import check_count, complete_cases

__all__ = [
    "mediation",
    "trust_hierarchy",
]


def _paths(x: np.ndarray, mediators: np.ndarray, y: np.ndarray, covariates: np.ndarray, serial: bool):
    """Every path coefficient (with OLS standard errors and df) of the mediation model."""
    n, k = mediators.shape
    base = np.column_stack([np.ones(n), x, covariates])
    out: dict[str, tuple[float, float, int]] = {}
    for j in range(k):
        design = np.column_stack([base, mediators[:, :j]]) if serial else base
        coef, se, dof = least_squares(design, mediators[:, j])
        out[f"a{j}"] = (coef[1], se[1], dof)
        if serial:
            for i in range(j):
                position = base.shape[1] + i
                out[f"d{i}_{j}"] = (coef[position], se[position], dof)
    coef, se, dof = least_squares(np.column_stack([base, mediators]), y)
    out["direct"] = (coef[1], se[1], dof)
    for j in range(k):
        out[f"b{j}"] = (coef[base.shape[1] + j], se[base.shape[1] + j], dof)
    coef, se, dof = least_squares(base, y)
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
        Covariates entered in every regression.
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
        then the estimate columns ``coef``, ``se``, ``statistic``, ``df``, ``p_val``,
        ``ci_low``, ``ci_high``. Regression paths have OLS standard errors, t statistics with
        the residual ``df``, t intervals and p-values; indirect effects have the bootstrap
        standard deviation, percentile intervals and a bootstrap p-value (twice the smaller
        share of draws on either side of zero); their ``statistic`` is coef / se and ``df`` is
        NaN, as the p value comes from the draws, not from a reference distribution.

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
    tables = [
        wald_table(pd.DataFrame({"path": [label]}), np.array([coef]), np.array([se]), alpha, df=dof)
        for label, (coef, se, dof) in t_rows
    ]
    indirect = [_indirect(paths, chain) for chain in chains]
    labels = ["indirect " + " -> ".join(mediators[i] for i in chain) for chain in chains]
    for label, coef, column in zip(
        [*labels, "indirect total"], [*indirect, sum(indirect)], [*draws.T, draws.sum(axis=1)], strict=True
    ):
        summary = bootstrap_summary(column[:, None], alpha)
        summary = summary.assign(path=label, coef=coef, statistic=coef / summary["se"], df=np.nan)
        tables.append(summary[["path", *ESTIMATE_COLUMNS]])
    return pd.concat(tables, ignore_index=True)


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
