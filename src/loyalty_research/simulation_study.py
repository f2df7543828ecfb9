"""Monte Carlo checks of clusterwise regression, in the spirit of DeSarbo & Cron (1988).

* :func:`recovery_study`: over a factorial of sample size, number of segments, separation of
  the segment lines and error SD, how well the segments and coefficients are recovered and how
  often each information criterion picks the true number of segments.
* :func:`noise_study`: Brusco et al.'s (2008) demonstration: how much variance hard
  clusterwise regression "explains" in pure noise, and what the permutation test says.
* :func:`lrt_size_study`: the size and power of the bootstrap likelihood-ratio test for the
  number of segments on Likert-type survey data (:func:`simulate_likert_regression`): one
  regression for everybody (size) or planted segments (power).

Replications run through joblib (``n_jobs``), so a user with a cluster can switch the backend
(for example to Dask) with ``joblib.parallel_backend``.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from tqdm.auto import tqdm

from ._checks import check_count
from .clusterwise import (
    ClusterwiseRegression,
    align_segments,
    bootstrap_lrt,
    permutation_test,
    select_n_components,
)

__all__ = [
    "lrt_size_study",
    "noise_study",
    "recovery_study",
    "simulate_likert_regression",
    "simulate_mixture_regression",
]

CRITERIA = ("aic", "aic3", "bic", "caic", "icl")


def simulate_mixture_regression(
    n: int,
    n_components: int,
    *,
    separation: float = 1.0,
    error_sd: float = 1.0,
    n_features: int = 2,
    random_state: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Data from a mixture of linear regressions with equal segment sizes.

    Segment coefficients (intercept and slopes) are independent standard normal draws times
    ``separation``; predictors are standard normal; errors are normal with ``error_sd``.

    Returns
    -------
    X : ndarray (n, n_features)
    y : ndarray (n,)
    segment : ndarray (n,) of int
    coefs : ndarray (n_components, n_features + 1), intercept first
    """
    for name, value in (("n", n), ("n_components", n_components), ("n_features", n_features)):
        check_count(name, value)
    if not separation > 0 or not error_sd > 0:
        raise ValueError(f"separation and error_sd must be positive, got {separation!r} and {error_sd!r}")
    rng = np.random.default_rng(random_state)
    coefs = separation * rng.standard_normal((n_components, n_features + 1))
    X = rng.standard_normal((n, n_features))
    segment = rng.integers(0, n_components, n)
    y = np.einsum(
        "ij,ij->i", np.column_stack([np.ones(n), X]), coefs[segment]
    ) + error_sd * rng.standard_normal(n)
    return X, y, segment, coefs


def _one_replication(
    condition: dict, seed: np.random.SeedSequence, n_init: int, extra_components: int
) -> dict:
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(seed)
    k = condition["n_components"]
    X, y, segment, coefs = simulate_mixture_regression(
        condition["n"],
        k,
        separation=condition["separation"],
        error_sd=condition["error_sd"],
        random_state=rng,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ClusterwiseRegression(k, n_init=n_init, random_state=rng).fit(X, y)
        table = select_n_components(
            X, y, range(1, k + extra_components + 1), n_init=n_init, random_state=rng, progress=False
        )
    estimated = np.column_stack([model.intercept_, model.coef_])
    matched = estimated[align_segments(estimated, coefs)]
    row = {
        **condition,
        "ari": adjusted_rand_score(segment, model.labels_),
        "coef_rmse": float(np.sqrt(np.mean((matched - coefs) ** 2))),
    }
    for criterion in CRITERIA:
        row[f"k_{criterion}"] = int(table.loc[table[criterion].idxmin(), "n_components"])
    return row


def recovery_study(
    n: Iterable[int] = (200, 500),
    n_components: Iterable[int] = (2, 3),
    separation: Iterable[float] = (1.0, 2.0),
    error_sd: Iterable[float] = (1.0,),
    *,
    n_replications: int = 5,
    n_init: int = 5,
    extra_components: int = 1,
    random_state: int | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Recovery of known segments over a factorial design.

    Parameters
    ----------
    n, n_components, separation, error_sd : iterables
        The factors; every combination is a condition.
    n_replications : int, default 5
        Data sets per condition.
    n_init : int, default 5
        Random starts per fit.
    extra_components : int, default 1
        Criteria choose among 1 to ``n_components + extra_components`` segments.
    random_state : int, optional
    n_jobs : int, optional
        Parallel replications through joblib.
    progress : bool, default True

    Returns
    -------
    pandas.DataFrame
        One row per data set: the condition (``n``, ``n_components``, ``separation``,
        ``error_sd``), ``replication``, ``ari`` (adjusted Rand index of the fit at the true K),
        ``coef_rmse`` (root mean squared error of the coefficients, segments matched by
        :func:`~loyalty_research.clusterwise.align_segments`) and ``k_aic``, ``k_aic3``,
        ``k_bic``, ``k_caic``, ``k_icl``: the number of segments each criterion chose.

    References
    ----------
    DeSarbo, W. S., & Cron, W. L. (1988). A maximum likelihood methodology for clusterwise
    linear regression. Journal of Classification, 5(2), 249-282.
    """
    check_count("n_replications", n_replications)
    conditions = [
        {"n": a, "n_components": b, "separation": c, "error_sd": d}
        for a, b, c, d in itertools.product(n, n_components, separation, error_sd)
    ]
    tasks = [(cond, r) for cond in conditions for r in range(n_replications)]
    seeds = np.random.SeedSequence(random_state).spawn(len(tasks))
    jobs = (
        delayed(_one_replication)(cond, seed, n_init, extra_components)
        for (cond, _), seed in zip(tasks, seeds, strict=True)
    )
    rows = Parallel(n_jobs=n_jobs)(tqdm(jobs, total=len(tasks), desc="replications", disable=not progress))
    table = pd.DataFrame(rows)
    table.insert(4, "replication", [r for _, r in tasks])
    return table


def noise_study(
    n: int = 200,
    n_features: int = 2,
    n_components: Iterable[int] = (2, 3, 4),
    *,
    n_replications: int = 5,
    n_permutations: int = 19,
    n_init: int = 5,
    method: str = "spath",
    random_state: int | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Clusterwise regression on pure noise: pooled R-squared and the permutation test.

    Returns
    -------
    pandas.DataFrame
        One row per data set and K: ``n_components``, ``replication``, ``r_squared`` (pooled
        R-squared of the fit to noise), ``p_value`` (permutation test with the same search
        effort, ``n_permutations`` permutations).

    Notes
    -----
    Brusco, Cradit, Steinley & Fox (2008, Table 1) report mean R-squared of about 0.65, 0.83
    and 0.89 for K = 2, 3, 4 with n = 200 and two noise predictors (hard clusterwise
    regression).
    """
    rng = np.random.default_rng(random_state)
    rows = []
    tasks = [(k, r) for k in n_components for r in range(n_replications)]
    for k, r in tqdm(tasks, desc="noise data sets", disable=not progress):
        X, y = rng.standard_normal((n, n_features)), rng.standard_normal(n)
        result = permutation_test(
            X,
            y,
            k,
            n_permutations=n_permutations,
            random_state=int(rng.integers(2**31)),
            method=method,
            n_init=n_init,
            n_jobs=n_jobs,
            progress=False,
        )
        rows.append(
            {"n_components": k, "replication": r, "r_squared": result.statistic, "p_value": result.p_value}
        )
    return pd.DataFrame(rows)


def _likert_items(latent: np.ndarray, n_items: int, item_sd: float, rng: np.random.Generator) -> np.ndarray:
    """Mean of ``n_items`` 1-7 answers, each the latent score plus item noise, rounded and clipped."""
    answers = np.rint(latent[:, None] + item_sd * rng.standard_normal((len(latent), n_items)))
    return np.clip(answers, 1, 7).mean(axis=1)


def simulate_likert_regression(
    n: int,
    n_components: int = 1,
    *,
    n_items: int = 4,
    error_sd: float = 0.9,
    item_sd: float = 0.8,
    random_state: int | np.random.Generator | None = None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """A survey-like regression: loyalty, satisfaction and value as means of rounded 1-7 items.

    Latent satisfaction and value (correlation 0.5) centre on 5.3 on the 1-7 scale with SD
    1.0, so answers pile up at 7 as in satisfaction surveys (Peterson & Wilson, 1992). Latent
    loyalty is ``5.3 + b_sat (sat - 5.3) + b_value (value - 5.3)`` plus normal error of
    ``error_sd``; each scale is the mean of ``n_items`` answers (latent score plus item noise
    of ``item_sd``, rounded to a whole number and clipped to 1-7). With ``n_components = 1``
    everybody shares ``b_sat = 0.5, b_value = 0.3`` (pooled R-squared about 0.25 on the item
    means); with more, the segments (equal sizes) take turns: satisfaction-driven
    (0.9, 0.0), value-driven (0.0, 0.9), indifferent (0.0, 0.0) and then again.

    Returns
    -------
    X : pandas.DataFrame
        ``satisfaction`` and ``value`` (item means).
    y : ndarray
        ``loyalty`` (item mean): on a grid of step ``1 / n_items``.
    segment : ndarray of int
        The true segment of each case (0-based).
    """
    for name, value in (("n", n), ("n_components", n_components), ("n_items", n_items)):
        check_count(name, value)
    rng = np.random.default_rng(random_state)
    z = rng.standard_normal((n, 2))
    sat = 5.3 + z[:, 0]
    value = 5.3 + 0.5 * z[:, 0] + np.sqrt(0.75) * z[:, 1]
    if n_components == 1:
        slopes = np.array([[0.5, 0.3]])
    else:
        slopes = np.array([[0.9, 0.0], [0.0, 0.9], [0.0, 0.0]])[np.arange(n_components) % 3]
    segment = rng.integers(0, n_components, n)
    loyalty = (
        5.3
        + slopes[segment, 0] * (sat - 5.3)
        + slopes[segment, 1] * (value - 5.3)
        + error_sd * rng.standard_normal(n)
    )
    X = pd.DataFrame(
        {"satisfaction": _likert_items(sat, 3, item_sd, rng), "value": _likert_items(value, 3, item_sd, rng)}
    )
    return X, _likert_items(loyalty, n_items, item_sd, rng), segment


def _lrt_replication(
    seed: np.random.SeedSequence,
    n: int,
    true_k: int,
    tested_k: int,
    null: str,
    n_boot: int,
    n_init: int,
    error_sd: float,
) -> dict:
    rng = np.random.default_rng(seed)
    X, y, _ = simulate_likert_regression(n, true_k, error_sd=error_sd, random_state=rng)
    result = bootstrap_lrt(
        X,
        y,
        tested_k,
        n_boot=n_boot,
        n_init=n_init,
        null=null,
        random_state=int(rng.integers(2**31)),
        progress=False,
    )
    return {"statistic": result.statistic, "p_value": result.p_value, "n_degenerate": result.n_degenerate}


def lrt_size_study(
    n: int = 300,
    true_components: int = 1,
    tested_components: int = 2,
    *,
    null: str = "auto",
    error_sd: float = 0.9,
    n_replications: int = 100,
    n_boot: int = 99,
    n_init: int = 5,
    alpha: float = 0.05,
    random_state: int | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Rejection rate of the bootstrap LRT on simulated Likert surveys: size or power.

    With ``true_components < tested_components`` the test's null is true and the rejection
    rate at ``alpha`` estimates its size (it should be ``alpha``); with ``true_components ==
    tested_components`` it estimates power. Data come from :func:`simulate_likert_regression`
    (``error_sd`` sets how well the segments separate: smaller is easier). The same
    ``random_state`` gives the same data sets for every ``null``.

    Returns
    -------
    pandas.DataFrame
        One row per replication: ``replication``, ``statistic``, ``p_value``,
        ``n_degenerate``. ``table.attrs["rejection_rate"]`` and its Wilson interval
        ``table.attrs["ci_low"]``, ``table.attrs["ci_high"]`` summarise it.
    """
    from statsmodels.stats.proportion import proportion_confint

    check_count("n_replications", n_replications)
    seeds = np.random.SeedSequence(random_state).spawn(n_replications)
    jobs = (
        delayed(_lrt_replication)(seed, n, true_components, tested_components, null, n_boot, n_init, error_sd)
        for seed in seeds
    )
    rows = Parallel(n_jobs=n_jobs)(
        tqdm(jobs, total=n_replications, desc="LRT data sets", disable=not progress)
    )
    table = pd.DataFrame(rows)
    table.insert(0, "replication", np.arange(n_replications))
    rejected = int((table["p_value"] <= alpha).sum())
    low, high = proportion_confint(rejected, n_replications, alpha=0.05, method="wilson")
    table.attrs.update(rejection_rate=rejected / n_replications, ci_low=float(low), ci_high=float(high))
    return table
