"""Monte Carlo checks of clusterwise regression, in the spirit of DeSarbo & Cron (1988).

* :func:`method_study`: the method study of notebook 08. A factorial Monte Carlo on the golf
  simulator (:func:`~loyalty_research.simulate_golf_survey`): sample size, number of segments,
  their separation, response styles off or on, and loyalty measured as item means (discrete)
  or as the latent score (continuous). Per data set: the adjusted Rand index (ARI) of the fit
  with the true K and of the model each criterion chooses, against the true segments and
  against the classifier that knows every true parameter; which K AIC, AIC3, BIC, CAIC and ICL
  choose; in a sub-design the sequential bootstrap likelihood-ratio test's choice, and its
  size on markets without segments. Brusco et al.'s (2008) noise check comes with it
  (:func:`noise_study`). :class:`StudyDesign` holds the quick and the full setting,
  :class:`MethodStudy` the results, their tidy summaries and the cache file that
  ``loyalty-research study --full`` writes.
* :func:`recovery_study`: a generic factorial on :func:`simulate_mixture_regression` (normal
  predictors and errors, random segment lines).
* :func:`noise_study`: how much variance hard clusterwise regression "explains" in pure noise,
  and what the permutation test says.
* :func:`lrt_size_study`: the size and power of the bootstrap likelihood-ratio test for the
  number of segments on Likert-type survey data (:func:`simulate_likert_regression`).

Replications run through joblib (``n_jobs``), so a user with a cluster can switch the backend
(for example to Dask) with ``joblib.parallel_backend``. Every replication has its own random
stream, derived from the seed and the replication's condition and number, so the same seed gives
the same table whatever ``n_jobs`` is, and the quick setting's data sets are the first data sets
of the full setting's matching conditions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy import stats
from tqdm.auto import tqdm

from ._display import HTMLTables
from ._tables import binomial_interval
from ._validate import check_count, check_probability
from .clusterwise import (
    ClusterwiseRegression,
    align_segments,
    bootstrap_lrt,
    permutation_test,
    select_n_components,
)
from .clusterwise.inference import lrt_from_fits
from .codebook import Codebook
from .simulate import GolfSurveyParameters, simulate_golf_survey, simulated_codebook
from .survey import score_constructs

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "BRUSCO_R_SQUARED",
    "CRITERIA",
    "FACTORS",
    "OUTCOMES",
    "MethodStudy",
    "StudyDesign",
    "compare_studies",
    "load_or_run_study",
    "lrt_size_study",
    "method_study",
    "noise_study",
    "plot_ari",
    "plot_hit_rates",
    "plot_noise",
    "plot_segment_test",
    "recovery_study",
    "reproduction_check",
    "simulate_likert_regression",
    "simulate_mixture_regression",
    "simulator_fingerprint",
    "study_findings",
    "summarise_ari",
    "summarise_hit_rates",
    "summarise_noise",
    "summarise_segment_test",
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

    Examples
    --------
    >>> X, y, segment, coefs = simulate_mixture_regression(300, 3, random_state=0)
    >>> X.shape, coefs.shape, sorted(set(segment.tolist()))
    ((300, 2), (3, 3), [0, 1, 2])
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

    Examples
    --------
    >>> table = recovery_study((150,), (2,), (3.0,), (0.5,), n_replications=2, n_init=2, random_state=0,
    ...                        progress=False)
    >>> len(table), bool(table["ari"].min() > 0.5)
    (2, True)
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


def _noise_replication(
    k: int,
    seed: np.random.SeedSequence,
    n: int,
    n_features: int,
    tested: bool,
    n_permutations: int,
    n_init: int,
    method: str,
) -> tuple[float, float]:
    data_seed, fit_seed = seed.spawn(2)
    rng = np.random.default_rng(data_seed)
    X, y = rng.standard_normal((n, n_features)), rng.standard_normal(n)
    # one integer seeds the fit of the observed data (and, when tested, every permutation)
    fit_state = int(fit_seed.generate_state(1, np.uint64)[0] >> np.uint64(1))
    if tested:
        result = permutation_test(
            X,
            y,
            k,
            n_permutations=n_permutations,
            random_state=fit_state,
            method=method,
            n_init=n_init,
            n_jobs=1,
            progress=False,
        )
        return float(result.statistic), float(result.p_value)
    # the same fit as the permutation test's observed one, without the permutations
    first = np.random.SeedSequence(fit_state).spawn(1)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ClusterwiseRegression(
            k, method=method, n_init=n_init, random_state=np.random.default_rng(first)
        )
        model.fit(X, y)
    return float(model.r_squared_), np.nan


def noise_study(
    n: int = 200,
    n_features: int = 2,
    n_components: Iterable[int] = (2, 3, 4),
    *,
    n_replications: int = 20,
    n_tested: int | None = None,
    n_permutations: int = 99,
    n_init: int = 10,
    method: str = "spath",
    random_state: int | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Clusterwise regression on pure noise: pooled R-squared and the permutation test.

    Outcome and predictors are independent standard normal draws, so every bit of R-squared
    is fitted noise (Brusco, Cradit, Steinley & Fox, 2008).

    Parameters
    ----------
    n : int, default 200
        Cases per data set (Brusco et al.: 200).
    n_features : int, default 2
        Noise predictors (Brusco et al.: 2).
    n_components : iterable of int, default (2, 3, 4)
        The numbers of segments fitted.
    n_replications : int, default 20
        Noise data sets per K.
    n_tested : int, optional
        How many of each K's data sets also get a permutation test (the first ones); None
        tests all of them, 0 none.
    n_permutations : int, default 99
        Permutations per test; the smallest attainable p value is ``1 / (n_permutations + 1)``
        (0.01 with the default).
    n_init : int, default 10
        Random starts per fit, the same for the observed and every permuted outcome.
    method : {"spath", "em"}, default "spath"
        Hard (Spaeth) clusterwise regression, as Brusco et al., or the EM mixture.
    random_state : int, optional
        Every data set has its own stream derived from this seed, K and its number.
    n_jobs : int, optional
        Parallel data sets through joblib.
    progress : bool, default True
        A progress bar over the data sets.

    Returns
    -------
    pandas.DataFrame
        One row per data set: ``n_components``, ``replication``, ``r_squared`` (pooled
        R-squared of the hard segments fitted to noise) and ``p_val`` (of the permutation
        test; NaN where none was run).

    Notes
    -----
    Brusco et al. (2008) report mean R-squared of about 0.65, 0.83 and 0.89 for K = 2, 3, 4
    with n = 200 and two noise predictors (hard clusterwise regression). The R-squared grows
    with the search effort (``n_init``): the partition is what is fitted.

    References
    ----------
    Brusco, M. J., Cradit, J. D., Steinley, D., & Fox, G. L. (2008). Cautionary remarks on the
    use of clusterwise regression. Multivariate Behavioral Research, 43(1), 29-49.
    https://doi.org/10.1080/00273170701836653

    Examples
    --------
    >>> table = noise_study(n=60, n_components=(2,), n_replications=2, n_tested=1, n_permutations=9,
    ...                     n_init=2, random_state=0, progress=False)
    >>> table[["n_components", "replication"]].to_numpy().tolist()
    [[2, 0], [2, 1]]
    >>> bool(table["p_val"].isna().tolist() == [False, True])
    True
    """
    check_count("n", n, minimum=10)
    check_count("n_features", n_features)
    check_count("n_replications", n_replications)
    check_count("n_permutations", n_permutations)
    check_count("n_init", n_init)
    components = [check_count("n_components", k) for k in n_components]
    if not components:
        raise ValueError("n_components must name at least one number of segments")
    tested = n_replications if n_tested is None else check_count("n_tested", n_tested, minimum=0)
    if tested > n_replications:
        raise ValueError(f"n_tested ({n_tested}) cannot exceed n_replications ({n_replications})")
    if method not in ("spath", "em"):
        raise ValueError(f"method must be 'spath' or 'em', got {method!r}")
    entropy = np.random.SeedSequence(random_state).entropy
    tasks = [(k, r) for k in components for r in range(n_replications)]
    # permutation tests first: they are the long tasks, and should not straggle at the end
    order = sorted(range(len(tasks)), key=lambda i: tasks[i][1] >= tested)
    jobs = (
        delayed(_noise_replication)(
            tasks[i][0],
            np.random.SeedSequence(entropy, spawn_key=(2, n, n_features, tasks[i][0], tasks[i][1])),
            n,
            n_features,
            tasks[i][1] < tested,
            n_permutations,
            n_init,
            method,
        )
        for i in order
    )
    results = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    done = list(tqdm(results, total=len(tasks), desc="noise data sets", disable=not progress))
    by_task = dict(zip(order, done, strict=True))
    return pd.DataFrame(
        [
            {"n_components": k, "replication": r, "r_squared": by_task[i][0], "p_val": by_task[i][1]}
            for i, (k, r) in enumerate(tasks)
        ]
    )


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

    Examples
    --------
    >>> X, y, segment = simulate_likert_regression(200, 2, random_state=0)
    >>> list(X.columns), bool(((y >= 1) & (y <= 7)).all()), sorted(set(segment.tolist()))
    (['satisfaction', 'value'], True, [0, 1])
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
    return {"statistic": result.statistic, "p_val": result.p_value, "n_degenerate": result.n_degenerate}


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
        One row per replication: ``replication``, ``statistic``, ``p_val``,
        ``n_degenerate``. ``table.attrs["rejection_rate"]`` and its Wilson interval
        ``table.attrs["ci_low"]``, ``table.attrs["ci_high"]`` summarise it.

    Examples
    --------
    >>> table = lrt_size_study(120, n_replications=2, n_boot=19, n_init=2, random_state=0, progress=False)
    >>> list(table.columns), 0 <= table.attrs["rejection_rate"] <= 1
    (['replication', 'statistic', 'p_val', 'n_degenerate'], True)
    """
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
    rejected = int((table["p_val"] <= alpha).sum())
    low, high = binomial_interval(rejected, n_replications)
    table.attrs.update(rejection_rate=rejected / n_replications, ci_low=float(low), ci_high=float(high))
    return table


# ============================================================================ the method study
#: Ways of measuring loyalty in the method study: ``"items"`` is the loyalty scale score (mean
#: of the answered 7-point items, reverse-keyed ones reversed: discrete, bounded, skewed);
#: ``"latent"`` the true latent loyalty (continuous, normal errors within a segment).
OUTCOMES = ("items", "latent")
#: The factors of the method study, in the order its tables use.
FACTORS = ("n", "n_segments", "separation", "response_styles", "outcome")
#: Reading of the separation levels of the default design.
SEPARATION_LEVELS = {1.0: "low", 3.0: "medium", 6.0: "high"}
#: Mean pooled R-squared of hard clusterwise regression on pure noise (n = 200, two predictors),
#: Brusco, Cradit, Steinley & Fox (2008, Table 1), by number of segments.
BRUSCO_R_SQUARED = {2: 0.65, 3: 0.83, 4: 0.89}
#: The classifiers whose ARI the study reports: the one that knows the true parameters, the fit
#: with the true K, and the model each criterion chose.
CLASSIFIERS = ("true_parameters", "true_k", *CRITERIA)
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
STUDY_SEED = 1988
_PARTS = ("factorial", "no_segments")
_FORMAT = "loyalty-research method study"
_FORMAT_VERSION = 1


def _mean_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Student-t interval for a mean; NaN with fewer than two values."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) < 2:
        return np.nan, np.nan
    mean, se = values.mean(), values.std(ddof=1) / np.sqrt(len(values))
    half = stats.t.ppf(1 - (1 - confidence) / 2, len(values) - 1) * se
    return float(mean - half), float(mean + half)


def _as_tuple(value: Any) -> tuple:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return (value,)
    return tuple(value)


@dataclass(frozen=True)
class StudyDesign:
    """What :func:`method_study` simulates and fits: factors, replications and search effort.

    :meth:`quick` is the setting of notebook 08, ``make reproduce`` and CI (a few minutes on
    two cores), :meth:`full` the one behind ``loyalty-research study --full`` (about an hour).
    Both run the same code with the same seeds, so the quick data sets are the first data sets
    of the full setting's matching conditions.

    Attributes
    ----------
    sample_sizes : tuple of int
        Respondents simulated per data set (respondents without all three scale scores are
        dropped before fitting).
    n_segments : tuple of int
        True numbers of segments, 2-4: the first K of
        :data:`~loyalty_research.simulate.SEGMENTS` (satisfaction-driven, value seekers,
        locked-in, variety seekers).
    separations : tuple of float
        :attr:`GolfSurveyParameters.separation`: how far the segments' loyalty equations are
        spread around their mean; 1 is the golf market, 3 and 6 three and six times its differences.
    response_styles : tuple of bool
        False: answers without acquiescence, scale usage, misresponse to reverse-keyed items
        and straight-lining (:meth:`GolfSurveyParameters.without_response_styles`); True: with
        them, as the golf market has them.
    outcomes : tuple of str
        ``"items"`` (the loyalty scale score) and / or ``"latent"`` (latent loyalty); the
        predictors are always the satisfaction and delivered-value scale scores.
    n_replications : int
        Data sets per condition.
    extra_components : int
        Models with 1 to K + ``extra_components`` segments are fitted, and the criteria and the
        sequential test choose among them.
    n_init : int
        Random starts per fit (:class:`~loyalty_research.clusterwise.ClusterwiseRegression`),
        the same for the observed data and every bootstrap sample.
    lrt_sample_size, lrt_separations, lrt_response_styles, lrt_outcome, lrt_replications :
        The sub-design of the bootstrap likelihood-ratio test: in the conditions with this
        sample size, response-style setting and outcome, at these separations, the first
        ``lrt_replications`` data sets are also tested sequentially (K = 2 against 1, 3
        against 2, ... until a test does not reject at ``alpha``; default smoothed null).
        Its first test (2 against 1) is the segment test whose power is reported.
    size_replications : int
        Data sets *without* segments (one regression for everybody) per combination of
        ``response_styles`` and ``outcomes`` at ``lrt_sample_size``; each is tested
        sequentially too. Rejections of 2 against 1 estimate the segment test's size, and
        the criteria's choices show how often they find segments that do not exist.
    n_boot : int
        Bootstrap samples per likelihood-ratio test.
    alpha : float
        Level of the tests.
    noise_sample_size, noise_components, noise_replications, noise_tested, n_permutations, noise_n_init :
        Brusco et al.'s check (:func:`noise_study`): cases per noise data set, the K fitted,
        data sets per K, how many of them get a permutation test, its permutations, and
        random starts per hard (Spaeth) fit.

    Notes
    -----
    **Choices.** The separations 1, 3 and 6 span the markets from the golf market, where even
    the classifier that knows every true parameter reaches an adjusted Rand index of only
    about 0.35, to markets where it reaches about 0.6-0.75: they were chosen by that ceiling,
    which no method can pass, not by how the method under study fares. The other factors are
    the levels planned for the study (issue #11). Fits use
    ``n_init=5`` starts (half the estimator's default) and each test 19 bootstrap samples (the
    fewest with which a test at 5% can reject; the test stays exact, at some loss of power
    against 99), so that the full setting runs in about an hour on two cores. Measured CPU
    seconds per data set, one thread each (2-core machine, November 2026): 0.15 s at n = 200,
    0.34 s at 500, 0.77 s at 1,000, so the 10,800 data sets of the factorial take about
    4,500 s; the sequential test adds about 1.6 s per data set at n = 500 (600 tested data sets
    with segments, about 1,000 s; the 400 without segments about 1.9 s each, 800 s); a
    permutation test with 99 permutations of a noise data set 25-50 s (15 tests, about 560 s).
    In all about 6,900 CPU seconds: 57 minutes on two otherwise idle cores.

    The noise check uses the estimator's default 10 starts per hard fit: R-squared grows with
    the search effort, and Brusco et al. searched thoroughly.

    Examples
    --------
    >>> StudyDesign.full().n_conditions
    108
    >>> StudyDesign.quick().n_replications
    2
    """

    sample_sizes: tuple[int, ...] = (200, 500, 1000)
    n_segments: tuple[int, ...] = (2, 3, 4)
    separations: tuple[float, ...] = (1.0, 3.0, 6.0)
    response_styles: tuple[bool, ...] = (False, True)
    outcomes: tuple[str, ...] = OUTCOMES
    n_replications: int = 100
    extra_components: int = 2
    n_init: int = 5
    lrt_sample_size: int = 500
    lrt_separations: tuple[float, ...] = (1.0, 6.0)
    lrt_response_styles: bool = True
    lrt_outcome: str = "items"
    lrt_replications: int = 100
    size_replications: int = 100
    n_boot: int = 19
    alpha: float = 0.05
    noise_sample_size: int = 200
    noise_components: tuple[int, ...] = (2, 3, 4)
    noise_replications: int = 20
    noise_tested: int = 5
    n_permutations: int = 99
    noise_n_init: int = 10

    def __post_init__(self) -> None:
        for name in (
            "sample_sizes",
            "n_segments",
            "separations",
            "response_styles",
            "outcomes",
            "lrt_separations",
            "noise_components",
        ):
            values = _as_tuple(getattr(self, name))
            if name != "lrt_separations" and not values:
                raise ValueError(f"{name} must name at least one level")
            if len(set(values)) != len(values):
                raise ValueError(f"{name} has a level twice: {values!r}")
            object.__setattr__(self, name, values)
        counts = ("n_replications", "n_init", "n_boot", "n_permutations", "noise_n_init")
        for name in counts:
            check_count(name, getattr(self, name))
        for name in (
            "extra_components",
            "lrt_replications",
            "size_replications",
            "noise_replications",
            "noise_tested",
        ):
            check_count(name, getattr(self, name), minimum=0)
        kmax = max(self.n_segments, default=1) + self.extra_components
        for n in self.sample_sizes:
            check_count("sample size", n)
            if n < 10 * kmax:
                raise ValueError(
                    f"sample size {n} is too small to fit up to {kmax} segments: use at least {10 * kmax}"
                )
        for k in self.n_segments:
            if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k <= 4:
                raise ValueError(f"n_segments must be 2, 3 or 4 (the golf market's segments), got {k!r}")
        for s in (*self.separations, *self.lrt_separations):
            if isinstance(s, bool) or not isinstance(s, (int, float, np.number)) or not (0 < s < np.inf):
                raise ValueError(f"separations must be positive numbers, got {s!r}")
        for styles in (*self.response_styles, self.lrt_response_styles):
            if not isinstance(styles, (bool, np.bool_)):
                raise ValueError(f"response_styles must be True or False, got {styles!r}")
        for outcome in (*self.outcomes, self.lrt_outcome):
            if outcome not in OUTCOMES:
                raise ValueError(f"outcomes must be among {OUTCOMES}, got {outcome!r}")
        check_probability("alpha", self.alpha)
        if self.lrt_replications > self.n_replications:
            raise ValueError(
                f"lrt_replications ({self.lrt_replications}) cannot exceed n_replications "
                f"({self.n_replications})"
            )
        if self.lrt_replications:
            if self.lrt_sample_size not in self.sample_sizes:
                raise ValueError(f"lrt_sample_size {self.lrt_sample_size} must be one of {self.sample_sizes}")
            missing = [s for s in self.lrt_separations if s not in self.separations]
            if missing or not self.lrt_separations:
                raise ValueError(f"lrt_separations {self.lrt_separations} must be some of {self.separations}")
            if self.lrt_response_styles not in self.response_styles or self.lrt_outcome not in self.outcomes:
                raise ValueError("lrt_response_styles and lrt_outcome must be levels of the design")
        if self.size_replications:
            check_count("lrt_sample_size", self.lrt_sample_size, minimum=10 * (1 + self.extra_components))
        if (self.lrt_replications or self.size_replications) and 1 / (self.n_boot + 1) > self.alpha:
            raise ValueError(
                f"with n_boot={self.n_boot} the smallest p value is {1 / (self.n_boot + 1):.3g}, so the test "
                f"can never reject at alpha={self.alpha}: use n_boot >= {math.ceil(1 / self.alpha) - 1}"
            )
        if self.noise_replications:
            check_count("noise_sample_size", self.noise_sample_size, minimum=10)
            for k in self.noise_components:
                check_count("noise_components", k)
        if self.noise_tested > self.noise_replications:
            raise ValueError(
                f"noise_tested ({self.noise_tested}) cannot exceed noise_replications "
                f"({self.noise_replications})"
            )

    @classmethod
    def full(cls) -> StudyDesign:
        """The full setting: 108 conditions x 100 data sets, the test and noise sub-designs (an hour)."""
        return cls()

    @classmethod
    def quick(cls) -> StudyDesign:
        """The quick setting: n = 200 and 500, two data sets per condition, small sub-designs (minutes)."""
        return cls(
            sample_sizes=(200, 500),
            n_replications=2,
            lrt_replications=2,
            size_replications=5,
            noise_tested=1,
        )

    @classmethod
    def tiny(cls) -> StudyDesign:
        """A design of a few seconds with every part, for examples and trial runs (numbers mean nothing).

        Examples
        --------
        >>> StudyDesign.tiny().n_conditions
        1
        """
        return cls(
            sample_sizes=(100,),
            n_segments=(2,),
            separations=(6.0,),
            response_styles=(True,),
            outcomes=("items",),
            n_replications=2,
            extra_components=1,
            n_init=2,
            lrt_sample_size=100,
            lrt_separations=(6.0,),
            lrt_replications=1,
            size_replications=1,
            n_boot=19,
            noise_sample_size=40,
            noise_components=(2,),
            noise_replications=2,
            noise_tested=1,
            n_permutations=19,
            noise_n_init=2,
        )

    def with_replications(self, replications: int) -> StudyDesign:
        """The same design with ``replications`` data sets per condition in every part (a trial run)."""
        r = check_count("replications", replications)
        return replace(
            self,
            n_replications=r,
            lrt_replications=r if self.lrt_replications else 0,
            size_replications=r if self.size_replications else 0,
            noise_replications=r if self.noise_replications else 0,
            noise_tested=min(self.noise_tested, r),
        )

    @property
    def n_conditions(self) -> int:
        """Conditions of the factorial (without the no-segment and noise sub-designs)."""
        return math.prod(
            len(v)
            for v in (
                self.sample_sizes,
                self.n_segments,
                self.separations,
                self.response_styles,
                self.outcomes,
            )
        )

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain Python values (tuples as lists)."""
        return {
            f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
            for f in dataclasses.fields(self)
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> StudyDesign:
        """A design from :meth:`to_dict`'s output."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ValueError(f"unknown design fields: {unknown}")
        return cls(**values)

    def _tasks(self) -> list[dict[str, Any]]:
        tasks = []
        for n, k, sep, styles, outcome in itertools.product(
            self.sample_sizes, self.n_segments, self.separations, self.response_styles, self.outcomes
        ):
            lrt_cell = (
                n == self.lrt_sample_size
                and sep in self.lrt_separations
                and styles == self.lrt_response_styles
                and outcome == self.lrt_outcome
            )
            for r in range(self.n_replications):
                tasks.append(
                    {
                        "part": "factorial",
                        "n": n,
                        "n_segments": k,
                        "separation": float(sep),
                        "response_styles": bool(styles),
                        "outcome": outcome,
                        "replication": r,
                        "lrt": bool(lrt_cell and r < self.lrt_replications),
                    }
                )
        for styles, outcome in itertools.product(self.response_styles, self.outcomes):
            for r in range(self.size_replications):
                tasks.append(
                    {
                        "part": "no_segments",
                        "n": self.lrt_sample_size,
                        "n_segments": 1,
                        "separation": 0.0,
                        "response_styles": bool(styles),
                        "outcome": outcome,
                        "replication": r,
                        "lrt": True,
                    }
                )
        return tasks


def _task_seed(entropy: int, task: dict[str, Any]) -> np.random.SeedSequence:
    """A stream of its own for each data set: from the seed, its condition and its number."""
    key = (
        _PARTS.index(task["part"]),
        task["n"],
        task["n_segments"],
        round(1000 * task["separation"]),
        int(task["response_styles"]),
        OUTCOMES.index(task["outcome"]),
        task["replication"],
    )
    return np.random.SeedSequence(entropy, spawn_key=key)


@cache
def _codebook() -> Codebook:
    return simulated_codebook()


def _simulate(
    task: dict[str, Any], seed: np.random.SeedSequence
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Predictors (satisfaction, delivered value scale scores), outcome and truth of the complete rows."""
    params = replace(GolfSurveyParameters(), n_segments=task["n_segments"], separation=task["separation"])
    if not task["response_styles"]:
        params = params.without_response_styles()
    survey, truth = simulate_golf_survey(task["n"], random_state=np.random.default_rng(seed), params=params)
    scores = score_constructs(survey, _codebook())
    outcome = scores["loyalty"] if task["outcome"] == "items" else truth["latent_loyalty"]
    data = pd.concat([scores[["satisfaction", "delivered_value"]], outcome.rename("outcome")], axis=1)
    complete = data.notna().all(axis=1).to_numpy()
    X = data.loc[complete, ["satisfaction", "delivered_value"]].to_numpy(dtype=float)
    y = data.loc[complete, "outcome"].to_numpy(dtype=float)
    return X, y, truth.loc[complete].reset_index(drop=True)


def _sequential_lrt(
    models: dict[int, ClusterwiseRegression], X, y, design: StudyDesign, seed: np.random.SeedSequence
) -> tuple[int, float, int]:
    """The sequential test's K, the p value of 2 against 1 and the number of tests run."""
    streams = seed.spawn(max(models) + 1)
    chosen, first_p, n_tests = 1, np.nan, 0
    for k in range(2, max(models) + 1):
        test = lrt_from_fits(
            models[k - 1],
            models[k],
            X,
            y,
            None,
            n_boot=design.n_boot,
            null="auto",
            grid_step=None,
            seeds=streams[k].spawn(design.n_boot),
            settings={"n_init": design.n_init},
            n_jobs=1,
            progress=False,
        )
        n_tests += 1
        if k == 2:
            first_p = float(test.p_value)
        if test.p_value > design.alpha:
            break
        chosen = k
    return chosen, first_p, n_tests


def _study_replication(task: dict[str, Any], design: StudyDesign, entropy: int) -> dict[str, Any]:
    from sklearn.metrics import adjusted_rand_score

    data_seed, fit_seed, lrt_seed = _task_seed(entropy, task).spawn(3)
    X, y, truth = _simulate(task, data_seed)
    true_k = task["n_segments"]
    kmax = true_k + design.extra_components
    models: dict[int, ClusterwiseRegression] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k, stream in zip(range(1, kmax + 1), fit_seed.spawn(kmax), strict=True):
            models[k] = ClusterwiseRegression(
                k, n_init=design.n_init, random_state=np.random.default_rng(stream)
            )
            models[k].fit(X, y)
        row: dict[str, Any] = {**task, "n_used": len(y)}
        table = pd.DataFrame([models[k].criteria(X, y) for k in models])
        chosen = {c: int(table.loc[table[c].idxmin(), "n_components"]) for c in CRITERIA}
        if true_k > 1:
            segment = truth["segment"].to_numpy()
            row["ari_true_parameters"] = float(adjusted_rand_score(segment, truth["bayes_segment"]))
            row["ari_true_k"] = float(adjusted_rand_score(segment, models[true_k].labels_))
            for c in CRITERIA:
                row[f"ari_{c}"] = float(adjusted_rand_score(segment, models[chosen[c]].labels_))
        else:  # one true segment: the ARI is undefined
            for c in CLASSIFIERS:
                row[f"ari_{c}"] = np.nan
        for c in CRITERIA:
            row[f"k_{c}"] = chosen[c]
        if task["lrt"]:
            row["k_lrt"], row["segment_test_p"], row["lrt_tests"] = _sequential_lrt(
                models, X, y, design, lrt_seed
            )
        else:
            row["k_lrt"], row["segment_test_p"], row["lrt_tests"] = np.nan, np.nan, 0
    row["k_lrt"] = float(row["k_lrt"])
    return row


_REPLICATION_COLUMNS = (
    "part",
    *FACTORS,
    "replication",
    "lrt",
    "n_used",
    *(f"ari_{c}" for c in CLASSIFIERS),
    *(f"k_{c}" for c in CRITERIA),
    "k_lrt",
    "segment_test_p",
    "lrt_tests",
)


def simulator_fingerprint() -> str:
    """A short hash of a small simulated golf survey: it changes when the simulator does.

    A cached study whose fingerprint differs from the current one was made with another
    simulator, and :func:`load_or_run_study` does not use it.

    Examples
    --------
    >>> len(simulator_fingerprint())
    16
    """
    params = replace(GolfSurveyParameters(), n_segments=2)
    survey, truth = simulate_golf_survey(60, random_state=0, params=params)
    text = survey.to_csv(index=False) + truth.to_csv(index=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _setting_name(design: StudyDesign) -> str:
    if design == StudyDesign.full():
        return "full"
    if design == StudyDesign.quick():
        return "quick"
    return "custom"


def _named_design(name: str) -> StudyDesign:
    if name not in ("quick", "full"):
        raise ValueError(f"design must be 'quick', 'full' or a StudyDesign, got {name!r}")
    return StudyDesign.quick() if name == "quick" else StudyDesign.full()


def method_study(
    design: StudyDesign | str = "quick",
    *,
    random_state: int | None = STUDY_SEED,
    n_jobs: int | None = None,
    progress: bool = True,
) -> MethodStudy:
    """The factorial Monte Carlo of clusterwise regression on the golf simulator.

    Each data set is a golf survey simulated with :func:`~loyalty_research.simulate_golf_survey`
    for one condition of the design (sample size, true number of segments, separation,
    response styles, outcome). Loyalty (the scale score or the latent score) is regressed on the
    satisfaction and delivered-value scale scores with 1 to K + ``extra_components`` segments
    (EM, no concomitant variables). Recorded per data set: which K each criterion chose; the
    ARI against the true segments of the fit with the true K, of each criterion's model and of
    the classifier that knows every true parameter (``bayes_segment``: the best any method can
    do); and, in the test sub-design, the sequential bootstrap likelihood-ratio test's K and
    the p value of 2 against 1 segments. Brusco et al.'s noise check (:func:`noise_study`) runs
    with it.

    Parameters
    ----------
    design : StudyDesign, "quick" or "full", default "quick"
    random_state : int or None, default 1988
        The same seed gives the same tables, whatever ``n_jobs``.
    n_jobs : int, optional
        Parallel data sets through joblib (-1: all cores).
    progress : bool, default True
        Progress bars over the data sets.

    Returns
    -------
    MethodStudy
        The design, the seed, one row per data set (:attr:`MethodStudy.replications`) and per
        noise data set (:attr:`MethodStudy.noise`), and the tidy summaries.

    Notes
    -----
    The segment test's size comes from markets with one segment (``n_segments=1``), its power
    from the first test (2 against 1) on markets with segments. Data sets are independent
    across conditions (no common random numbers), so rates pooled over conditions have valid
    binomial intervals.

    References
    ----------
    DeSarbo, W. S., & Cron, W. L. (1988). A maximum likelihood methodology for clusterwise
    linear regression. Journal of Classification, 5(2), 249-282.

    Steinley, D. (2004). Properties of the Hubert-Arabie adjusted Rand index. Psychological
    Methods, 9(3), 386-396.

    Examples
    --------
    >>> tiny = StudyDesign.tiny()
    >>> study = method_study(tiny, random_state=0, progress=False)
    >>> study.replications[["part", "n", "n_segments", "lrt"]].to_numpy().tolist()
    [['factorial', 100, 2, True], ['factorial', 100, 2, False], ['no_segments', 100, 1, True]]
    >>> list(study.hit_rates(by=("n_segments",)).columns[:4])
    ['n_segments', 'criterion', 'n_replications', 'n_hits']
    """
    if isinstance(design, str):
        design = _named_design(design)
    elif not isinstance(design, StudyDesign):
        raise TypeError(f"design must be 'quick', 'full' or a StudyDesign, got {type(design).__name__}")
    if random_state is not None and (
        isinstance(random_state, bool) or not isinstance(random_state, (int, np.integer))
    ):
        raise ValueError(f"random_state must be an integer or None, got {random_state!r}")
    entropy = np.random.SeedSequence(random_state).entropy
    tasks = design._tasks()
    # the long tasks first (tests, large samples), so none straggles at the end
    order = sorted(range(len(tasks)), key=lambda i: (not tasks[i]["lrt"], -tasks[i]["n"], i))
    jobs = (delayed(_study_replication)(tasks[i], design, entropy) for i in order)
    results = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    rows = list(tqdm(results, total=len(tasks), desc="method study data sets", disable=not progress))
    by_task = dict(zip(order, rows, strict=True))
    replications = pd.DataFrame([by_task[i] for i in range(len(tasks))], columns=list(_REPLICATION_COLUMNS))
    replications = _typed_replications(replications)
    if design.noise_replications:
        noise = noise_study(
            design.noise_sample_size,
            2,
            design.noise_components,
            n_replications=design.noise_replications,
            n_tested=design.noise_tested,
            n_permutations=design.n_permutations,
            n_init=design.noise_n_init,
            random_state=random_state,
            n_jobs=n_jobs,
            progress=progress,
        )
    else:
        noise = pd.DataFrame(
            {
                "n_components": pd.Series(dtype=int),
                "replication": pd.Series(dtype=int),
                "r_squared": pd.Series(dtype=float),
                "p_val": pd.Series(dtype=float),
            }
        )
    return MethodStudy(
        design=design,
        random_state=None if random_state is None else int(random_state),
        setting=_setting_name(design),
        fingerprint=simulator_fingerprint(),
        replications=replications,
        noise=noise,
    )


_DTYPES = {
    "part": str,
    "n": int,
    "n_segments": int,
    "separation": float,
    "response_styles": bool,
    "outcome": str,
    "replication": int,
    "lrt": bool,
    "n_used": int,
    **{f"ari_{c}": float for c in CLASSIFIERS},
    **{f"k_{c}": int for c in CRITERIA},
    "k_lrt": float,
    "segment_test_p": float,
    "lrt_tests": int,
}


def _typed_replications(table: pd.DataFrame) -> pd.DataFrame:
    table = table.astype({c: _DTYPES[c] for c in table.columns})
    for column in ("part", "outcome"):
        table[column] = table[column].astype(object)
    return table


# ---------------------------------------------------------------------------- summaries
def _check_by(table: pd.DataFrame, by: Iterable[str]) -> list[str]:
    by = list(_as_tuple(by))
    unknown = [b for b in by if b not in table.columns]
    if unknown:
        raise ValueError(f"cannot group by {unknown}: the table has {list(table.columns)}")
    return by


def _groups(table: pd.DataFrame, by: list[str]):
    if not by:
        return [((), table)]
    return [(key if isinstance(key, tuple) else (key,), rows) for key, rows in table.groupby(by, sort=True)]


def summarise_ari(
    replications: pd.DataFrame, by: Iterable[str] = FACTORS, *, confidence: float = 0.95
) -> pd.DataFrame:
    """Mean, interval and quantiles of the ARI of every classifier, per condition.

    Parameters
    ----------
    replications : pandas.DataFrame
        :attr:`MethodStudy.replications` (data sets with one true segment are left out: their
        ARI is undefined).
    by : iterable of str, default FACTORS
        The factors to summarise by (the others are pooled); ``()`` pools everything.
    confidence : float, default 0.95
        Of the Student-t interval of the mean.

    Returns
    -------
    pandas.DataFrame
        One row per condition and classifier (``true_parameters``, ``true_k``, ``aic``,
        ``aic3``, ``bic``, ``caic``, ``icl``: the fit with the true K and each criterion's
        model): the ``by`` columns, ``classifier``, ``n_replications``, ``ari_mean``,
        ``ari_ci_low``, ``ari_ci_high``, ``ari_q05``, ``ari_q25``, ``ari_median``, ``ari_q75``,
        ``ari_q95`` and ``ari_relative``: the mean ARI over the mean ARI of the true-parameter
        classifier in the same condition (1 = as good as knowing the truth).

    Examples
    --------
    >>> rows = pd.DataFrame({"n": [200, 200], "ari_true_parameters": [0.5, 0.7], "ari_true_k": [0.2, 0.4],
    ...                      **{f"ari_{c}": [0.1, 0.3] for c in CRITERIA}})
    >>> summary = summarise_ari(rows, by=("n",))
    >>> fit = summary[summary["classifier"] == "true_k"]
    >>> fit[["ari_mean", "ari_relative"]].round(2).to_numpy().tolist()
    [[0.3, 0.5]]
    """
    by = _check_by(replications, by)
    table = replications.dropna(subset=["ari_true_k"])
    names = {0.05: "ari_q05", 0.25: "ari_q25", 0.5: "ari_median", 0.75: "ari_q75", 0.95: "ari_q95"}
    rows = []
    for key, group in _groups(table, by):
        reference = group["ari_true_parameters"].mean()
        for classifier in CLASSIFIERS:
            values = group[f"ari_{classifier}"].to_numpy(dtype=float)
            low, high = _mean_interval(values, confidence)
            row = {**dict(zip(by, key, strict=True)), "classifier": classifier, "n_replications": len(values)}
            row.update(ari_mean=float(values.mean()), ari_ci_low=low, ari_ci_high=high)
            row.update(
                {names[q]: float(v) for q, v in zip(QUANTILES, np.quantile(values, QUANTILES), strict=True)}
            )
            row["ari_relative"] = float(values.mean() / reference) if reference > 0 else np.nan
            rows.append(row)
    return pd.DataFrame(rows)


def summarise_hit_rates(
    replications: pd.DataFrame,
    by: Iterable[str] = FACTORS,
    *,
    criteria: Iterable[str] = (*CRITERIA, "lrt"),
    interval: str = "wilson",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """How often each criterion (and the sequential test) chose the true number of segments.

    Parameters
    ----------
    replications : pandas.DataFrame
        :attr:`MethodStudy.replications`, or some of its rows.
    by : iterable of str, default FACTORS
    criteria : iterable of str
        Among ``aic``, ``aic3``, ``bic``, ``caic``, ``icl`` and ``lrt``; ``lrt`` counts only
        the data sets that were tested (none in a condition: no row).
    interval : {"wilson", "clopper_pearson"}, default "wilson"
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row per condition and criterion: the ``by`` columns, ``criterion``,
        ``n_replications``, ``n_hits``, ``hit_rate``, ``ci_low``, ``ci_high`` (binomial
        interval), ``under_rate`` (chose too few segments), ``over_rate`` (too many) and
        ``mean_k`` (mean K chosen).

    Examples
    --------
    >>> rows = pd.DataFrame({"n_segments": [2, 2, 2, 2], "k_bic": [2, 2, 1, 3]})
    >>> summary = summarise_hit_rates(rows, by=("n_segments",), criteria=("bic",))
    >>> summary[["criterion", "n_replications", "n_hits", "hit_rate"]].to_numpy().tolist()
    [['bic', 4, 2, 0.5]]
    >>> summary[["ci_low", "ci_high", "under_rate", "over_rate"]].round(3).to_numpy().tolist()
    [[0.15, 0.85, 0.25, 0.25]]
    """
    by = _check_by(replications, by)
    criteria = list(_as_tuple(criteria))
    unknown = [c for c in criteria if c not in (*CRITERIA, "lrt")]
    if unknown:
        raise ValueError(f"unknown criteria {unknown}: choose among {[*CRITERIA, 'lrt']}")
    rows = []
    for key, group in _groups(replications, by):
        for criterion in criteria:
            column = f"k_{criterion}"
            if column not in group:
                continue
            chosen = group[column].to_numpy(dtype=float)
            truth = group["n_segments"].to_numpy(dtype=float)
            tested = ~np.isnan(chosen)
            if not tested.any():
                continue
            chosen, truth = chosen[tested], truth[tested]
            hits = int(np.sum(chosen == truth))
            low, high = binomial_interval(hits, len(chosen), confidence=confidence, method=interval)
            rows.append(
                {
                    **dict(zip(by, key, strict=True)),
                    "criterion": criterion,
                    "n_replications": len(chosen),
                    "n_hits": hits,
                    "hit_rate": hits / len(chosen),
                    "ci_low": low,
                    "ci_high": high,
                    "under_rate": float(np.mean(chosen < truth)),
                    "over_rate": float(np.mean(chosen > truth)),
                    "mean_k": float(chosen.mean()),
                }
            )
    return pd.DataFrame(rows)


def summarise_segment_test(
    replications: pd.DataFrame,
    by: Iterable[str] = FACTORS,
    *,
    alpha: float = 0.05,
    interval: str = "wilson",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Rejection rate of the segment test (2 against 1 segment): its size and its power.

    Parameters
    ----------
    replications : pandas.DataFrame
        :attr:`MethodStudy.replications`; only the data sets that were tested count.
    by : iterable of str, default FACTORS
        Must include ``n_segments`` (size and power are not pooled).
    alpha : float, default 0.05
    interval, confidence :
        As :func:`binomial_interval`.

    Returns
    -------
    pandas.DataFrame
        One row per condition: the ``by`` columns, ``test`` (``"size"`` where there are no
        segments, ``"power"`` otherwise), ``n_replications``, ``n_rejected``,
        ``rejection_rate``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> rows = pd.DataFrame({"n_segments": [1] * 20, "segment_test_p": [0.025] + [0.5] * 19})
    >>> summary = summarise_segment_test(rows, by=("n_segments",))
    >>> summary[["test", "n_rejected", "rejection_rate"]].to_numpy().tolist()
    [['size', 1, 0.05]]
    """
    by = _check_by(replications, by)
    if "n_segments" not in by:
        raise ValueError("by must include 'n_segments': size (one segment) and power are not pooled")
    check_probability("alpha", alpha)
    tested = replications.dropna(subset=["segment_test_p"])
    rows = []
    for key, group in _groups(tested, by):
        labels = dict(zip(by, key, strict=True))
        rejected = int((group["segment_test_p"] <= alpha).sum())
        low, high = binomial_interval(rejected, len(group), confidence=confidence, method=interval)
        rows.append(
            {
                **labels,
                "test": "size" if labels["n_segments"] == 1 else "power",
                "n_replications": len(group),
                "n_rejected": rejected,
                "rejection_rate": rejected / len(group),
                "ci_low": low,
                "ci_high": high,
            }
        )
    columns = [*by, "test", "n_replications", "n_rejected", "rejection_rate", "ci_low", "ci_high"]
    return pd.DataFrame(rows, columns=columns)


def summarise_noise(noise: pd.DataFrame, *, alpha: float = 0.05, confidence: float = 0.95) -> pd.DataFrame:
    """Brusco et al.'s check: R-squared fitted to pure noise per K, and the permutation tests.

    Parameters
    ----------
    noise : pandas.DataFrame
        :func:`noise_study`'s table (:attr:`MethodStudy.noise`).
    alpha : float, default 0.05
    confidence : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        One row per K: ``n_components``, ``n_replications``, ``r_squared_mean``,
        ``r_squared_ci_low``, ``r_squared_ci_high`` (Student t), ``r_squared_sd``,
        ``published_r_squared`` (Brusco et al., 2008; NaN for other K), ``n_tested``,
        ``n_significant`` (p at most ``alpha``), ``significant_rate``, ``ci_low``, ``ci_high``
        (Wilson) and ``min_p_val`` (the smallest p value observed).

    Examples
    --------
    >>> noise = pd.DataFrame({"n_components": [2, 2], "replication": [0, 1], "r_squared": [0.6, 0.7],
    ...                       "p_val": [0.5, np.nan]})
    >>> summary = summarise_noise(noise)
    >>> summary[["r_squared_mean", "published_r_squared", "n_tested"]].round(3).to_numpy().tolist()
    [[0.65, 0.65, 1.0]]
    """
    rows = []
    for k, group in noise.groupby("n_components", sort=True):
        r2 = group["r_squared"].to_numpy(dtype=float)
        p = group["p_val"].dropna().to_numpy(dtype=float)
        low, high = _mean_interval(r2, confidence)
        significant = int(np.sum(p <= alpha))
        s_low, s_high = binomial_interval(significant, len(p), confidence=confidence)
        rows.append(
            {
                "n_components": int(k),
                "n_replications": len(r2),
                "r_squared_mean": float(r2.mean()),
                "r_squared_ci_low": low,
                "r_squared_ci_high": high,
                "r_squared_sd": float(r2.std(ddof=1)) if len(r2) > 1 else np.nan,
                "published_r_squared": BRUSCO_R_SQUARED.get(int(k), np.nan),
                "n_tested": len(p),
                "n_significant": significant,
                "significant_rate": significant / len(p) if len(p) else np.nan,
                "ci_low": s_low,
                "ci_high": s_high,
                "min_p_val": float(p.min()) if len(p) else np.nan,
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class MethodStudy(HTMLTables):
    """Results of :func:`method_study`: the design, one row per data set, and the summaries.

    Attributes
    ----------
    design : StudyDesign
    random_state : int or None
    setting : str
        ``"quick"``, ``"full"`` or ``"custom"``.
    fingerprint : str
        :func:`simulator_fingerprint` of the simulator the data came from.
    replications : pandas.DataFrame
        One row per data set: ``part`` (``"factorial"`` or ``"no_segments"``), the factors
        ``n``, ``n_segments``, ``separation`` (0 for no segments), ``response_styles``,
        ``outcome``; ``replication``, ``lrt`` (tested sequentially), ``n_used`` (respondents
        with all three scores), ``ari_true_parameters``, ``ari_true_k`` and ``ari_<criterion>``
        (NaN with one true segment), ``k_<criterion>``, ``k_lrt`` (NaN where not tested),
        ``segment_test_p`` (p value of 2 against 1 segments) and ``lrt_tests``.
    noise : pandas.DataFrame
        :func:`noise_study`'s table.

    Examples
    --------
    >>> import tempfile
    >>> study = method_study(StudyDesign.tiny(), random_state=0, progress=False)
    >>> path = study.save(Path(tempfile.mkdtemp()) / "study.json")
    >>> again = MethodStudy.load(path)
    >>> again.design == study.design, again.is_current(), len(again.replications)
    (True, True, 3)
    """

    design: StudyDesign
    random_state: int | None
    setting: str
    fingerprint: str
    replications: pd.DataFrame = field(repr=False)
    noise: pd.DataFrame = field(repr=False)

    @property
    def factorial(self) -> pd.DataFrame:
        """The data sets of the factorial (markets with segments)."""
        return self.replications[self.replications["part"] == "factorial"]

    @property
    def no_segments(self) -> pd.DataFrame:
        """The data sets without segments (the segment test's size)."""
        return self.replications[self.replications["part"] == "no_segments"]

    def recovery(self, by: Iterable[str] = FACTORS) -> pd.DataFrame:
        """:func:`summarise_ari` of the factorial."""
        return summarise_ari(self.factorial, by)

    def hit_rates(self, by: Iterable[str] = FACTORS, *, part: str = "factorial") -> pd.DataFrame:
        """:func:`summarise_hit_rates` of the factorial or of the markets without segments."""
        if part not in _PARTS:
            raise ValueError(f"part must be one of {_PARTS}, got {part!r}")
        return summarise_hit_rates(self.replications[self.replications["part"] == part], by)

    def segment_test(self, by: Iterable[str] = FACTORS) -> pd.DataFrame:
        """:func:`summarise_segment_test`: size on markets without segments, power on the others."""
        return summarise_segment_test(self.replications, by, alpha=self.design.alpha)

    def noise_summary(self) -> pd.DataFrame:
        """:func:`summarise_noise` of the noise check."""
        return summarise_noise(self.noise, alpha=self.design.alpha)

    def is_current(self) -> bool:
        """Whether the data came from the simulator as it is now (same :func:`simulator_fingerprint`)."""
        return self.fingerprint == simulator_fingerprint()

    def save(self, path: str | Path) -> Path:
        """Write the study to a JSON file (the cache ``loyalty-research study`` writes).

        The file holds the format, the setting, seed, simulator fingerprint, design and both
        tables (one row per line, floats to 10 significant digits). The same study gives the
        same bytes. It is written to a temporary file first and then renamed, so a run killed
        while writing leaves the old file.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "setting": self.setting,
            "random_state": self.random_state,
            "fingerprint": self.fingerprint,
            "design": self.design.to_dict(),
        }
        lines = ["{", *(f"{json.dumps(k)}: {json.dumps(v)}," for k, v in header.items())]
        for i, (name, table) in enumerate((("replications", self.replications), ("noise", self.noise))):
            lines.append(f'{json.dumps(name)}: {{"columns": {json.dumps(list(table.columns))}, "data": [')
            records = [json.dumps([_plain(v) for v in row]) for row in table.itertuples(index=False)]
            lines.append(",\n".join(records))
            lines.append("]}" + ("," if i == 0 else ""))
        lines.append("}")
        partial = path.with_name(path.name + ".partial")
        partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.replace(partial, path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> MethodStudy:
        """Read a study written by :meth:`save`."""
        path = Path(path)
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path} is not a method-study file: {error}") from None
        if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
            raise ValueError(f"{path} is not a method-study file (no format {_FORMAT!r})")
        if payload.get("version") != _FORMAT_VERSION:
            raise ValueError(
                f"{path} has version {payload.get('version')}, this package reads {_FORMAT_VERSION}"
            )
        tables = {}
        for name in ("replications", "noise"):
            raw = payload[name]
            table = pd.DataFrame(raw["data"], columns=raw["columns"])
            tables[name] = table
        replications = _typed_replications(tables["replications"].astype(object))
        noise = tables["noise"].astype(
            {"n_components": int, "replication": int, "r_squared": float, "p_val": float}
        )
        return cls(
            design=StudyDesign.from_dict(payload["design"]),
            random_state=payload["random_state"],
            setting=payload["setting"],
            fingerprint=payload["fingerprint"],
            replications=replications,
            noise=noise,
        )


def _plain(value: Any) -> Any:
    """A table cell as JSON: floats to 10 significant digits, NaN as null."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(f"{value:.10g}")
    return value


def load_or_run_study(
    path: str | Path | None,
    *,
    design: StudyDesign | str = "quick",
    random_state: int | None = STUDY_SEED,
    n_jobs: int | None = None,
    progress: bool = True,
) -> tuple[MethodStudy, str]:
    """The cached study if it is there and current, else a fresh run of ``design``, and why.

    Parameters
    ----------
    path : str, Path or None
        The cache file (``loyalty-research study --full`` writes ``results/method_study.json``).
    design, random_state, n_jobs, progress
        For the run when the cache cannot be used (:func:`method_study`).

    Returns
    -------
    study : MethodStudy
    source : str
        One sentence (Markdown) that says where the numbers come from.

    Examples
    --------
    >>> tiny = StudyDesign.tiny()
    >>> study, source = load_or_run_study("no/such/file.json", design=tiny, progress=False)
    >>> source.startswith("No cached study")
    True
    """
    command = "`loyalty-research study --full`"
    if path is not None and Path(path).is_file():
        cached = MethodStudy.load(path)
        if cached.is_current():
            d = cached.design
            return cached, (
                f"These numbers come from the **{cached.setting}** run cached in `{Path(path).name}` "
                f"({d.n_replications} data sets per condition, {len(cached.replications):,} survey data "
                f"sets in all, seed {cached.random_state}), made with the simulator as it is now."
            )
        reason = (
            f"The cached study `{Path(path).name}` was made with another version of the simulator "
            f"(fingerprint {cached.fingerprint}, now {simulator_fingerprint()}), so it is not used: "
            f"rerun {command}."
        )
    elif path is None:
        reason = "No cache file was given."
    else:
        reason = f"No cached study was found at `{path}`."
    study = method_study(design, random_state=random_state, n_jobs=n_jobs, progress=progress)
    d = study.design
    what = {
        "quick": "the **quick setting**",
        "full": "the **full setting**",
        "custom": "a **custom design**",
    }[study.setting]
    return study, (
        f"{reason} These numbers come from {what}, run here: {d.n_replications} data set"
        f"{'s' if d.n_replications != 1 else ''} per condition ({len(study.replications):,} in all), "
        f"seed {study.random_state}. Intervals are wide and single conditions say little; {command} runs "
        f"{StudyDesign.full().n_replications} per condition and caches them for this notebook."
        if study.setting != "full"
        else f"{reason} These numbers come from {what}, run here (seed {study.random_state})."
    )


# ---------------------------------------------------------------------------- reading the results
OUTCOME_LABELS = {"items": "loyalty item means", "latent": "latent loyalty"}


_IDENTITY = ("part", *FACTORS, "replication")


def compare_studies(study: MethodStudy, reference: MethodStudy, *, rtol: float = 1e-8) -> pd.DataFrame:
    """Whether ``study``'s data sets give the same results as the same data sets in ``reference``.

    Every data set has its own random stream (from the seed, its condition and its number), so a
    quick run made here must reproduce the first data sets of a cached full run with the same
    seed and simulator exactly. This is how notebook 08 checks a cache it did not compute.

    Parameters
    ----------
    study : MethodStudy
        The run made here (for example the quick setting).
    reference : MethodStudy
        The run to check (for example the cached full setting).
    rtol : float, default 1e-8
        Relative tolerance for numbers (the cache keeps 10 significant digits).

    Returns
    -------
    pandas.DataFrame
        One row per part (``factorial``, ``no_segments``, ``noise``): ``n_data_sets`` in
        ``study``, ``n_in_reference`` (found there), ``n_identical`` (every result equal, NaN
        where ``study`` has NaN is not compared), ``max_abs_difference`` and
        ``differing_columns`` (comma-separated, empty when all agree).

    Raises
    ------
    ValueError
        If the two runs used different seeds or simulators, so their data sets are not the same.

    Examples
    --------
    >>> tiny = StudyDesign.tiny()
    >>> one = method_study(tiny.with_replications(1), random_state=0, progress=False)
    >>> two = method_study(tiny, random_state=0, progress=False)
    >>> compare_studies(one, two)[["part", "n_data_sets", "n_in_reference", "n_identical"]]
              part  n_data_sets  n_in_reference  n_identical
    0    factorial            1               1            1
    1  no_segments            1               1            1
    2        noise            1               1            1
    """
    if study.random_state != reference.random_state or study.fingerprint != reference.fingerprint:
        raise ValueError(
            "the two studies do not share their data sets: seeds "
            f"{study.random_state} and {reference.random_state}, simulator fingerprints "
            f"{study.fingerprint} and {reference.fingerprint}; compare runs with the same seed and simulator"
        )
    noise_keys = ("n_components", "replication")
    parts = [
        (
            part,
            study.replications[study.replications["part"] == part],
            reference.replications[reference.replications["part"] == part],
            list(_IDENTITY),
        )
        for part in _PARTS
    ]
    parts.append(("noise", study.noise, reference.noise, list(noise_keys)))
    rows = []
    for part, mine, theirs, keys in parts:
        values = [c for c in mine.columns if c not in keys]
        merged = mine.merge(theirs, on=keys, how="inner", suffixes=("", "_reference"))
        same = np.ones(len(merged), dtype=bool)
        largest = 0.0
        differing = []
        for column in values:
            a = merged[column].to_numpy()
            b = merged[f"{column}_reference"].to_numpy()
            if a.dtype.kind in "biuf":
                a, b = a.astype(float), b.astype(float)
                compared = ~np.isnan(a)
                equal = ~compared | np.isclose(a, b, rtol=rtol, atol=0.0)
                if compared.any():
                    largest = max(largest, float(np.nanmax(np.abs(a - b)[compared], initial=0.0)))
            else:
                equal = a == b
            if not equal.all():
                differing.append(column)
            same &= equal
        rows.append(
            {
                "part": part,
                "n_data_sets": len(mine),
                "n_in_reference": len(merged),
                "n_identical": int(same.sum()),
                "max_abs_difference": largest,
                "differing_columns": ", ".join(differing),
            }
        )
    return pd.DataFrame(rows)


def reproduction_check(
    study: MethodStudy,
    design: StudyDesign | str = "quick",
    *,
    n_jobs: int | None = None,
    progress: bool = True,
) -> tuple[pd.DataFrame | None, str]:
    """Run a smaller design here and check that it reproduces ``study``'s matching data sets.

    A cached study was computed elsewhere and earlier. Rerunning its first data sets (the quick
    setting by default, a few minutes) with the same seed shows whether this machine and
    version give the same numbers (:func:`compare_studies`).

    Parameters
    ----------
    study : MethodStudy
        The study to check, usually from :func:`load_or_run_study`.
    design : StudyDesign, "quick" or "full", default "quick"
        What to rerun. If it is ``study``'s own design, the numbers were computed in this run
        and nothing is rerun.
    n_jobs, progress
        As in :func:`method_study`.

    Returns
    -------
    agreement : pandas.DataFrame or None
        :func:`compare_studies`'s table, or None when nothing was rerun.
    reading : str
        One paragraph (Markdown) that says what the check found.

    Examples
    --------
    >>> tiny = StudyDesign.tiny()
    >>> study = method_study(tiny, random_state=0, progress=False)
    >>> agreement, reading = reproduction_check(study, tiny.with_replications(1), progress=False)
    >>> print(reading[:100])
    **Reproducibility.** A custom design with the same seed, run here, reproduced every one of its 3 dat
    >>> agreement["n_identical"].tolist()
    [1, 1, 1]
    """
    if isinstance(design, str):
        design = _named_design(design)
    if design == study.design:
        return None, (
            "**Reproducibility.** The numbers above were computed in this run, so there is no cached "
            "run to check."
        )
    if study.random_state is None:
        return None, (
            "**Reproducibility.** The study above was run without a seed, so its data sets cannot be "
            "drawn again and nothing was rerun; give `random_state` to make a study that can be checked."
        )
    rerun = method_study(design, random_state=study.random_state, n_jobs=n_jobs, progress=progress)
    agreement = compare_studies(rerun, study)
    what = {"quick": "The quick setting", "full": "The full setting", "custom": "A custom design"}
    what = what[rerun.setting]
    total = int(agreement["n_data_sets"].sum())
    found = int(agreement["n_in_reference"].sum())
    identical = int(agreement["n_identical"].sum())
    if identical == total:
        return agreement, (
            f"**Reproducibility.** {what} with the same seed, run here, reproduced every one of its "
            f"{total:,} data sets in the study above exactly (to 8 significant digits)."
        )
    columns = sorted({c for text in agreement["differing_columns"] if text for c in text.split(", ")})
    missing = ""
    if found < total:
        missing = f" {total - found:,} of them are not in the study above (its design is smaller)."
    differ = (
        f" {found - identical:,} differ (in {', '.join(columns)}; largest difference "
        f"{agreement['max_abs_difference'].max():.2g}): this machine or version does not give the cached "
        "numbers, so rerun `loyalty-research study --full` before citing them."
        if found > identical
        else ""
    )
    return agreement, (
        f"**Reproducibility.** {what} with the same seed, run here, reproduced {identical:,} of its "
        f"{total:,} data sets in the study above exactly.{missing}{differ}"
    )


def _separation_label(value: float) -> str:
    level = SEPARATION_LEVELS.get(float(value))
    return f"{value:g} ({level})" if level else f"{value:g}"


def _key_part(value: float) -> str:
    """A separation as part of a number key: its level name, else its digits."""
    return SEPARATION_LEVELS.get(float(value)) or f"separation_{value:g}".replace(".", "_")


def _steinley(ari: float) -> str:
    """Steinley's (2004) reading of the ARI: 0.90 excellent, 0.80 good, 0.65 moderate, below poor."""
    return "excellent" if ari >= 0.90 else "good" if ari >= 0.80 else "moderate" if ari >= 0.65 else "poor"


def _difference(a: np.ndarray, b: np.ndarray, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of b minus mean of a with Welch's interval (NaN with fewer than two values in either)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    diff = float(b.mean() - a.mean())
    if len(a) < 2 or len(b) < 2:
        return diff, np.nan, np.nan
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = np.sqrt(va + vb)
    if se == 0:
        return diff, diff, diff
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = stats.t.ppf(1 - (1 - confidence) / 2, df) * se
    return diff, diff - half, diff + half


def _verdict(low: float, high: float, up: str, down: str, same: str) -> str:
    if np.isnan(low):
        return "too few data sets to tell whether it differs"
    if low > 0:
        return up
    if high < 0:
        return down
    return same


def _factor_sentence(rows: pd.DataFrame, factor: str, names: dict[Any, str]) -> str | None:
    """Mean ARI at each level of a factor; its last level against its first, with Welch's interval."""
    levels = sorted(rows[factor].unique())
    if len(levels) < 2:
        return None
    first, last = levels[0], levels[-1]
    means = rows.groupby(factor)["ari_true_k"].mean()
    best = rows.groupby(factor)["ari_true_parameters"].mean()
    diff, low, high = _difference(
        rows.loc[rows[factor] == first, "ari_true_k"], rows.loc[rows[factor] == last, "ari_true_k"]
    )
    trend = ", ".join(f"{means[v]:.2f} ({names[v]})" for v in levels)
    verdict = _verdict(
        low,
        high,
        f"clearly higher for {names[last]} than for {names[first]}",
        f"clearly lower for {names[last]} than for {names[first]}",
        f"no clear difference between {names[first]} and {names[last]}",
    )
    interval = "" if np.isnan(low) else f" (difference {diff:+.2f}, 95% CI {low:+.2f} to {high:+.2f})"
    return (
        f"mean ARI {trend}: {verdict}{interval}; the true-parameter classifier reaches "
        f"{best[first]:.2f} and {best[last]:.2f}"
    )


def _size_verdict(rejected: int, total: int, alpha: float) -> str:
    """Whether a rejection rate on data without segments fits the nominal level (Wilson interval)."""
    if total < MIN_JUDGED:
        return "too few data sets to judge the size"
    low, high = binomial_interval(rejected, total)
    if low > alpha:
        return "too often: the test finds segments that are not there"
    if high < alpha:
        return "less often than the nominal level: the test is conservative"
    return f"consistent with the nominal {alpha:.0%}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


#: Fewer data sets than this in a cell or pool: a rate is reported, not judged.
MIN_JUDGED = 20


def study_findings(study: MethodStudy) -> dict[str, str]:
    """What the method study found, in sentences written from its numbers.

    Every branch is written out: recovery graded by Steinley's cut-offs; each factor clearly
    raising, clearly lowering or not clearly changing the ARI (Welch intervals); criteria
    that mostly choose too few or too many segments; a segment test that keeps its size, is
    too liberal or conservative, with low, moderate or high power; noise R-squared close to,
    above or below Brusco et al.'s.

    Parameters
    ----------
    study : MethodStudy

    Returns
    -------
    dict of str
        ``recovery``, ``factors``, ``criteria``, ``segment_test``, ``noise`` and
        ``conclusion`` (what it means for a market like the golf market): Markdown paragraphs.

    Examples
    --------
    >>> tiny = StudyDesign.tiny()
    >>> sorted(study_findings(method_study(tiny, random_state=0, progress=False)))
    ['conclusion', 'criteria', 'factors', 'noise', 'recovery', 'segment_test']
    """
    design, rows = study.design, study.factorial
    out: dict[str, str] = {}

    # recovery with the true K, against the true-parameter classifier and BIC's model
    overall = summarise_ari(rows, ()).set_index("classifier")
    fit, best, bic = overall.loc["true_k"], overall.loc["true_parameters"], overall.loc["bic"]
    conditions = study.recovery().query("classifier == 'true_k'")
    lo_cond = conditions.loc[conditions["ari_mean"].idxmin()]
    hi_cond = conditions.loc[conditions["ari_mean"].idxmax()]

    def where(c: pd.Series) -> str:
        styles = "with" if c["response_styles"] else "without"
        return (
            f"n = {c['n']}, K = {c['n_segments']}, separation {c['separation']:g}, {styles} response styles, "
            f"{OUTCOME_LABELS[c['outcome']]}"
        )

    _, low, high = _difference(rows["ari_true_k"], rows["ari_bic"])
    bic_verdict = _verdict(low, high, "higher than", "lower than", "not clearly different from")
    interval = (
        ""
        if np.isnan(fit["ari_ci_low"])
        else f" (95% CI {fit['ari_ci_low']:.2f} to {fit['ari_ci_high']:.2f})"
    )
    out["recovery"] = (
        "Fitted with the true number of segments, clusterwise regression recovers the simulated segments "
        f"with a mean adjusted Rand index of **{fit['ari_mean']:.2f}**{interval} over {len(rows):,} data "
        f"sets: {_steinley(fit['ari_mean'])} by Steinley's cut-offs (0.65 moderate, 0.80 good, 0.90 "
        f"excellent). The classifier that knows every true parameter reaches {best['ari_mean']:.2f} on the "
        f"same data sets, so the method gets {fit['ari_relative']:.0%} of what these data allow. Across the "
        f"{len(conditions)} conditions its mean runs from {lo_cond['ari_mean']:.2f} ({where(lo_cond)}) to "
        f"{hi_cond['ari_mean']:.2f} ({where(hi_cond)}). The model BIC chooses reaches {bic['ari_mean']:.2f}, "
        f"{bic_verdict} the fit with the true K."
    )

    # each factor: its extreme levels compared
    factors = [
        ("separation", "separation", {s: f"separation {s:g}" for s in design.separations}),
        ("n", "sample size", {n: f"n = {n}" for n in design.sample_sizes}),
        ("n_segments", "number of segments", {k: f"K = {k}" for k in design.n_segments}),
        ("outcome", "outcome", dict(OUTCOME_LABELS)),
        (
            "response_styles",
            "response styles",
            {False: "styles off", True: "styles on"},
        ),
    ]
    sentences = []
    for column, name, names in factors:
        sentence = _factor_sentence(rows, column, names)
        if sentence is not None:
            sentences.append(f"- **{name.capitalize()}**: {sentence}.")
    out["factors"] = (
        "Each factor, pooled over the others (fit with the true K):\n\n" + "\n".join(sentences)
        if sentences
        else "The design has one level of every factor, so nothing can be said about their effects."
    )

    # criteria
    hits = summarise_hit_rates(rows, (), criteria=CRITERIA).set_index("criterion")
    ranked = hits["hit_rate"].sort_values(ascending=False, kind="stable")
    listing = "; ".join(
        f"{c.upper()} {hits.loc[c, 'hit_rate']:.0%} ({hits.loc[c, 'ci_low']:.0%} to "
        f"{hits.loc[c, 'ci_high']:.0%}; "
        f"too few {hits.loc[c, 'under_rate']:.0%}, too many {hits.loc[c, 'over_rate']:.0%})"
        for c in ranked.index
    )
    too_few = [c.upper() for c in CRITERIA if hits.loc[c, "under_rate"] > hits.loc[c, "over_rate"]]
    too_many = [c.upper() for c in CRITERIA if hits.loc[c, "over_rate"] > hits.loc[c, "under_rate"]]
    errors = []
    if too_few:
        errors.append(f"{', '.join(too_few)} mostly err by choosing too few segments")
    if too_many:
        errors.append(f"{', '.join(too_many)} mostly by choosing too many")
    if not errors:
        errors.append("no criterion errs more often in one direction than in the other")
    text = (
        "How often each criterion chose the true number of segments among 1 to K + "
        f"{design.extra_components} "
        f"(95% Wilson intervals): {listing}. {ranked.index[0].upper()} does best, {ranked.index[-1].upper()} "
        f"worst; {' and '.join(errors)}."
    )
    separations = sorted(rows["separation"].unique())
    if len(separations) > 1:
        by_sep = summarise_hit_rates(rows, ("separation",), criteria=("bic",)).set_index("separation")[
            "hit_rate"
        ]
        text += (
            f" BIC's hit rate is {by_sep[separations[0]]:.0%} at separation {separations[0]:g} and "
            f"{by_sep[separations[-1]]:.0%} at {separations[-1]:g}."
        )
    tested = rows[rows["lrt"]]
    if len(tested):
        both = summarise_hit_rates(tested, (), criteria=("lrt", "bic")).set_index("criterion")
        text += (
            f" On the {len(tested)} data sets of the test sub-design the sequential bootstrap "
            "likelihood-ratio "
            f"test ({design.n_boot} bootstrap samples per test) chose the true K in "
            f"{both.loc['lrt', 'hit_rate']:.0%} "
            f"({both.loc['lrt', 'ci_low']:.0%} to {both.loc['lrt', 'ci_high']:.0%}), BIC in "
            f"{both.loc['bic', 'hit_rate']:.0%} of the same data sets."
        )
    else:
        text += " The sequential likelihood-ratio test was not run on markets with segments in this design."
    empty = study.no_segments
    if len(empty):
        spurious = summarise_hit_rates(empty, (), criteria=CRITERIA).set_index("criterion")
        found = "; ".join(f"{c.upper()} {1 - spurious.loc[c, 'hit_rate']:.0%}" for c in CRITERIA)
        text += (
            f" On the {len(empty)} markets without segments the criteria found segments that are not there "
            f"in this share of data sets: {found}."
        )
    out["criteria"] = text

    # the segment test: size and power
    test = study.segment_test(("part", "n", "n_segments", "separation", "response_styles", "outcome"))
    if test.empty:
        out["segment_test"] = "The bootstrap likelihood-ratio test was not run in this design."
    else:
        lines = []
        size = test[test["test"] == "size"]
        for _, r in size.iterrows():
            styles = "with" if r["response_styles"] else "without"
            lines.append(
                f"- No segments, {OUTCOME_LABELS[r['outcome']]}, {styles} response styles (n = {r['n']}): "
                f"rejected in {r['n_rejected']} of {_plural(r['n_replications'], 'data set')} "
                f"({r['rejection_rate']:.0%}, 95% CI {r['ci_low']:.0%} to {r['ci_high']:.0%}): "
                f"{_size_verdict(r['n_rejected'], r['n_replications'], design.alpha)}."
            )
        if len(size) > 1:
            rejected, total = int(size["n_rejected"].sum()), int(size["n_replications"].sum())
            low, high = binomial_interval(rejected, total)
            lines.append(
                f"- All markets without segments together: {rejected} of {total} ({rejected / total:.0%}, "
                f"95% CI {low:.0%} to {high:.0%}): {_size_verdict(rejected, total, design.alpha)}."
            )
        power = test[test["test"] == "power"]
        for _, r in power.iterrows():
            styles = "with" if r["response_styles"] else "without"
            lines.append(
                f"- K = {r['n_segments']}, separation {r['separation']:g}, {OUTCOME_LABELS[r['outcome']]}, "
                f"{styles} response styles (n = {r['n']}): rejected in {r['n_rejected']} of "
                f"{_plural(r['n_replications'], 'data set')} ({r['rejection_rate']:.0%}, 95% CI "
                f"{r['ci_low']:.0%} to {r['ci_high']:.0%})."
            )
        if len(power):
            rejected, total = int(power["n_rejected"].sum()), int(power["n_replications"].sum())
            rate = rejected / total
            if total < MIN_JUDGED:
                grade = "too few data sets to judge its power"
            elif rate >= 0.8:
                grade = "its power is high"
            elif rate >= 0.5:
                grade = "its power is moderate: it misses the segments of many markets that have them"
            else:
                grade = "its power is low: it misses the segments of most markets that have them"
            summary = (
                f"Pooled over the {total} tested markets with segments it rejected one segment in {rejected} "
                f"({rate:.0%}): {grade}."
            )
        else:
            summary = "Its power was not estimated in this design."
        out["segment_test"] = (
            f"The segment test (bootstrap likelihood-ratio test of 2 against 1 segment, smoothed null, "
            f"{design.n_boot} bootstrap samples, rejecting at p <= {design.alpha:g}) should reject in "
            f"{design.alpha:.0%} of markets without segments:\n\n" + "\n".join(lines) + f"\n\n{summary}"
        )

    # Brusco et al.'s noise check
    noise = study.noise_summary()
    if noise.empty:
        out["noise"] = "The noise check was not run in this design."
    else:
        said = []
        for _, r in noise.iterrows():
            published = r["published_r_squared"]
            if np.isnan(published):
                said.append(f"K = {int(r['n_components'])}: {r['r_squared_mean']:.2f} (no published value)")
                continue
            gap = r["r_squared_mean"] - published
            relation = "close to" if abs(gap) <= 0.05 else "above" if gap > 0 else "below"
            said.append(
                f"K = {int(r['n_components'])}: {r['r_squared_mean']:.2f}, {relation} Brusco et al.'s "
                f"{published:.2f}"
            )
        text = (
            f"On pure noise (n = {design.noise_sample_size}, two predictors, "
            f"{_plural(design.noise_replications, 'data set')} per K, hard clusterwise regression with "
            f"{design.noise_n_init} starts) the fitted partition 'explains' R-squared of "
            + "; ".join(said)
            + ". A high R-squared is therefore no evidence of segments."
        )
        n_tested, n_significant = int(noise["n_tested"].sum()), int(noise["n_significant"].sum())
        if n_tested:
            low, high = binomial_interval(n_significant, n_tested)
            if n_tested < MIN_JUDGED:
                verdict = f"too few tests to judge the rate (a valid test rejects about {design.alpha:.0%})"
            elif low > design.alpha:
                verdict = "more often than a valid test should"
            elif high < design.alpha:
                verdict = "less often than its nominal level"
            else:
                verdict = "as a valid test of 'no relation' should"
            text += (
                f" The permutation test ({design.n_permutations} permutations, so p can reach "
                f"{1 / (design.n_permutations + 1):.2f}) rejected at {design.alpha:.0%} in "
                f"{n_significant} of {_plural(n_tested, 'noise data set')} ({n_significant / n_tested:.0%}, "
                f"95% CI {low:.0%} to {high:.0%}): {verdict}."
            )
        else:
            text += " No permutation tests were run."
        out["noise"] = text
    out["conclusion"] = _conclusion(study)
    return out


def _nearest(levels: Iterable[Any], target: Any) -> Any:
    levels = list(levels)
    if target in levels:
        return target
    return min(levels, key=lambda v: abs(float(v) - float(target)))


def _conclusion(study: MethodStudy) -> str:
    """Recovery and BIC's hit rate in the condition nearest to the golf survey of notebook 05."""
    design, rows = study.design, study.factorial
    n = _nearest(design.sample_sizes, 800)
    separation = _nearest(design.separations, 1.0)
    styles = _nearest(design.response_styles, True)
    outcome = "items" if "items" in design.outcomes else design.outcomes[0]
    like = rows[
        (rows["n"] == n)
        & (rows["separation"] == separation)
        & (rows["response_styles"] == styles)
        & (rows["outcome"] == outcome)
    ]
    ari = like["ari_true_k"].to_numpy(dtype=float)
    best = like["ari_true_parameters"].mean()
    low, high = _mean_interval(ari)
    hits = int(np.sum(like["k_bic"] == like["n_segments"]))
    h_low, h_high = binomial_interval(hits, len(like))
    grade = _steinley(ari.mean())
    reading = {
        "poor": "the segments it returns are mostly not the true ones: read segment-level findings on such "
        "data as tentative, and check them for stability and against a bootstrap test",
        "moderate": "the segments it returns are recognisable but blurred: many customers are misclassified, "
        "so segment profiles and shares are rough",
        "good": "the segments it returns are largely the true ones",
        "excellent": "the segments it returns are nearly exactly the true ones",
    }[grade]
    interval = "" if np.isnan(low) else f" (95% CI {low:.2f} to {high:.2f})"
    styles_text = "with" if styles else "without"
    return (
        f"**Conclusion.** In the condition nearest to the golf survey of notebook 05 (n = {n}, separation "
        f"{separation:g}, {styles_text} response styles, {OUTCOME_LABELS[outcome]}; K = 2 to "
        f"{max(design.n_segments)} pooled, {len(like)} data sets) clusterwise regression with the true K "
        f"reaches a mean ARI of {ari.mean():.2f}{interval}, {grade} by Steinley's cut-offs, against "
        f"{best:.2f} for the classifier that knows the truth; BIC chose the true K in {hits} of "
        f"{len(like)} ({h_low:.0%} to {h_high:.0%}). On such data {reading}."
    )


def study_numbers(study: MethodStudy) -> dict[str, tuple[float | int | str, str]]:
    """The numbers notebook 08 saves for the paper: key (without ``08_``) to value and format.

    Examples
    --------
    >>> tiny = StudyDesign.tiny()
    >>> numbers = study_numbers(method_study(tiny, random_state=0, progress=False))
    >>> numbers["n_replications"], numbers["setting"], numbers["noise_permutations"]
    ((2, '{:d}'), ('custom', '{}'), (19, '{:d}'))
    """
    design, rows = study.design, study.factorial
    share, ari, count = "{:.0%}", "{:.2f}", "{:d}"
    numbers: dict[str, tuple[float | int | str, str]] = {
        "setting": (study.setting, "{}"),
        "n_replications": (design.n_replications, count),
        "n_conditions": (design.n_conditions, count),
        "n_datasets": (len(rows), "{:,}"),
    }
    hits = summarise_hit_rates(rows, (), criteria=CRITERIA).set_index("criterion")
    for c in CRITERIA:
        numbers[f"hit_rate_{c}"] = (float(hits.loc[c, "hit_rate"]), share)
    numbers["hit_rate_bic_ci_low"] = (float(hits.loc["bic", "ci_low"]), share)
    numbers["hit_rate_bic_ci_high"] = (float(hits.loc["bic", "ci_high"]), share)
    overall = summarise_ari(rows, ()).set_index("classifier")
    numbers["mean_ari"] = (float(overall.loc["true_k", "ari_mean"]), ari)
    numbers["mean_ari_bic"] = (float(overall.loc["bic", "ari_mean"]), ari)
    numbers["mean_ari_true_parameters"] = (float(overall.loc["true_parameters", "ari_mean"]), ari)
    numbers["relative_ari"] = (float(overall.loc["true_k", "ari_relative"]), share)
    for column, key in (("separation", "ari_{}"), ("outcome", "ari_{}"), ("n", "ari_n{}")):
        summary = summarise_ari(rows, (column,)).set_index(["classifier", column])
        for level in sorted(rows[column].unique()):
            name = _key_part(level) if column == "separation" else str(level)
            numbers[key.format(name)] = (float(summary.loc[("true_k", level), "ari_mean"]), ari)
            if column == "separation":
                numbers[f"ari_true_parameters_{name}"] = (
                    float(summary.loc[("true_parameters", level), "ari_mean"]),
                    ari,
                )
    styles = summarise_ari(rows, ("response_styles",)).set_index(["classifier", "response_styles"])
    for level in sorted(rows["response_styles"].unique()):
        numbers[f"ari_styles_{'on' if level else 'off'}"] = (
            float(styles.loc[("true_k", level), "ari_mean"]),
            ari,
        )
    tested = rows[rows["lrt"]]
    if len(tested):
        both = summarise_hit_rates(tested, (), criteria=("lrt", "bic")).set_index("criterion")
        numbers["hit_rate_lrt"] = (float(both.loc["lrt", "hit_rate"]), share)
        numbers["hit_rate_bic_lrt_datasets"] = (float(both.loc["bic", "hit_rate"]), share)
        numbers["lrt_datasets"] = (len(tested), count)
    if len(tested) or len(study.no_segments):
        numbers["n_boot"] = (design.n_boot, count)
    test = study.segment_test(("n_segments", "separation", "response_styles", "outcome"))
    for _, r in test.iterrows():
        if r["test"] == "size":
            name = f"size_{r['outcome']}_styles_{'on' if r['response_styles'] else 'off'}"
            numbers[f"{name}_replications"] = (int(r["n_replications"]), count)
        elif r["response_styles"] == design.lrt_response_styles and r["outcome"] == design.lrt_outcome:
            name = f"power_k{r['n_segments']}_{_key_part(r['separation'])}"
        else:
            continue
        numbers[name] = (float(r["rejection_rate"]), share)
        numbers[f"{name}_ci_low"] = (float(r["ci_low"]), share)
        numbers[f"{name}_ci_high"] = (float(r["ci_high"]), share)
    empty = study.no_segments
    if len(empty):
        realistic = empty[
            (empty["response_styles"] == design.lrt_response_styles)
            & (empty["outcome"] == design.lrt_outcome)
        ]
        if len(realistic):
            numbers["no_segments_bic_spurious"] = (float(np.mean(realistic["k_bic"] > 1)), share)
    noise = study.noise_summary()
    for _, r in noise.iterrows():
        numbers[f"noise_r2_k{int(r['n_components'])}"] = (float(r["r_squared_mean"]), ari)
    if len(noise):
        numbers["noise_significant"] = (int(noise["n_significant"].sum()), count)
        numbers["noise_tests"] = (int(noise["n_tested"].sum()), count)
        numbers["noise_replications"] = (design.noise_replications, count)
        numbers["noise_permutations"] = (design.n_permutations, count)
    return numbers


# ---------------------------------------------------------------------------- figures
def _panel_grid(n_rows: int, n_cols: int, *, row_height: float) -> tuple[Figure, np.ndarray]:
    """A grid of panels sharing both axes, one column per true K (the condition plots)."""
    import matplotlib.pyplot as plt

    return plt.subplots(
        n_rows,
        n_cols,
        figsize=(2.9 * n_cols + 1.2, row_height * n_rows + 0.5),
        sharex=True,
        sharey=True,
        squeeze=False,
    )


def _finish_separation_grid(
    fig: Figure, axes: np.ndarray, seps: Sequence[float], *, ylabel: str, legend_title: str | None = None
) -> Figure:
    """Separation ticks on every panel, axis labels on the outer ones, one legend at the right."""
    for ax in axes.ravel():
        ax.set_xticks(np.arange(len(seps)), [_separation_label(s) for s in seps], fontsize=8)
    for ax in axes[-1]:
        ax.set_xlabel("Separation of the segments")
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, title=legend_title
    )
    fig.tight_layout()
    return fig


def _dodge(count: int, width: float = 0.5) -> np.ndarray:
    return np.linspace(-width / 2, width / 2, count) if count > 1 else np.zeros(1)


def _errorbar(ax, x, table: pd.DataFrame, mean: str, low: str, high: str, **style) -> None:
    centre = table[mean].to_numpy(dtype=float)
    spread = np.nan_to_num(
        np.vstack([centre - table[low].to_numpy(dtype=float), table[high].to_numpy(dtype=float) - centre])
    )
    ax.errorbar(x, centre, yerr=np.clip(spread, 0, None), capsize=2, markersize=4, **style)


def plot_ari(study: MethodStudy, *, classifier: str = "true_k") -> Figure:
    """Mean ARI with 95% intervals by separation, sample size, K and outcome.

    One panel per outcome (rows) and true K (columns); points by sample size, the true-parameter
    classifier's mean ARI as a dashed line (the best any method can do), pooled over response
    styles.

    Parameters
    ----------
    study : MethodStudy
    classifier : str, default "true_k"
        Whose ARI: ``"true_k"`` (the fit with the true K) or a criterion's model.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> study = method_study(StudyDesign.tiny(), random_state=0, progress=False)
    >>> fig = plot_ari(study)
    >>> bool(fig.axes[0].get_xlabel())
    True
    """
    import seaborn as sns

    if classifier not in CLASSIFIERS[1:]:
        raise ValueError(f"classifier must be one of {CLASSIFIERS[1:]}, got {classifier!r}")
    summary = study.recovery(("outcome", "n_segments", "separation", "n"))
    fit = summary[summary["classifier"] == classifier]
    reference = study.recovery(("outcome", "n_segments", "separation"))
    reference = reference[reference["classifier"] == "true_parameters"]
    outcomes = [o for o in OUTCOMES if o in set(fit["outcome"])]
    ks, seps, sizes = (sorted(fit[c].unique()) for c in ("n_segments", "separation", "n"))
    fig, axes = _panel_grid(len(outcomes), len(ks), row_height=2.6)
    colours = sns.color_palette("viridis", len(sizes))
    x = np.arange(len(seps))
    for i, outcome in enumerate(outcomes):
        for j, k in enumerate(ks):
            ax = axes[i, j]
            for offset, n, colour in zip(_dodge(len(sizes), 0.3), sizes, colours, strict=True):
                cell = fit[(fit["outcome"] == outcome) & (fit["n_segments"] == k) & (fit["n"] == n)]
                cell = cell.set_index("separation").reindex(seps)
                _errorbar(
                    ax,
                    x + offset,
                    cell,
                    "ari_mean",
                    "ari_ci_low",
                    "ari_ci_high",
                    fmt="o-",
                    color=colour,
                    label=f"n = {n}",
                )
            ref = reference[(reference["outcome"] == outcome) & (reference["n_segments"] == k)]
            ref = ref.set_index("separation").reindex(seps)
            ax.plot(
                x, ref["ari_mean"], ls="--", marker="_", markersize=12, color="black", label="true parameters"
            )
            ax.axhline(0, color="grey", lw=0.6)
            ax.set_title(f"K = {k}, {OUTCOME_LABELS[outcome]}", fontsize=9)
    return _finish_separation_grid(fig, axes, seps, ylabel="Adjusted Rand index")


def plot_hit_rates(study: MethodStudy) -> Figure:
    """How often each criterion chose the true K, with 95% Wilson intervals, by condition.

    One panel per sample size (rows) and true K (columns), separation on the x axis, pooled
    over response styles and outcomes.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> study = method_study(StudyDesign.tiny(), random_state=0, progress=False)
    >>> fig = plot_hit_rates(study)
    >>> bool(fig.axes[0].get_xlabel())
    True
    """
    import seaborn as sns

    summary = summarise_hit_rates(study.factorial, ("n", "n_segments", "separation"), criteria=CRITERIA)
    sizes, ks, seps = (sorted(summary[c].unique()) for c in ("n", "n_segments", "separation"))
    fig, axes = _panel_grid(len(sizes), len(ks), row_height=2.3)
    colours = sns.color_palette("colorblind", len(CRITERIA))
    x = np.arange(len(seps))
    for i, n in enumerate(sizes):
        for j, k in enumerate(ks):
            ax = axes[i, j]
            for offset, criterion, colour in zip(_dodge(len(CRITERIA), 0.5), CRITERIA, colours, strict=True):
                cell = summary[
                    (summary["n"] == n) & (summary["n_segments"] == k) & (summary["criterion"] == criterion)
                ]
                cell = cell.set_index("separation").reindex(seps)
                _errorbar(
                    ax,
                    x + offset,
                    cell,
                    "hit_rate",
                    "ci_low",
                    "ci_high",
                    fmt="o",
                    color=colour,
                    label=criterion.upper(),
                )
            ax.set_ylim(-0.03, 1.03)
            ax.set_title(f"n = {n}, K = {k}", fontsize=9)
    return _finish_separation_grid(
        fig, axes, seps, ylabel="Share choosing the true K", legend_title="criterion"
    )


def plot_segment_test(study: MethodStudy) -> Figure:
    """Rejection rates of the segment test (2 against 1 segment) with 95% Wilson intervals.

    Markets without segments (size: should be near the nominal level, drawn as a line) and
    markets with segments (power).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> study = method_study(StudyDesign.tiny(), random_state=0, progress=False)
    >>> fig = plot_segment_test(study)
    >>> bool(fig.axes[0].get_xlabel())
    True
    """
    import matplotlib.pyplot as plt

    test = study.segment_test(("part", "n", "n_segments", "separation", "response_styles", "outcome"))
    if test.empty:
        raise ValueError("the segment test was not run in this study's design")
    labels = []
    for _, r in test.iterrows():
        styles = "styles on" if r["response_styles"] else "styles off"
        what = OUTCOME_LABELS[r["outcome"]]
        if r["test"] == "size":
            labels.append(f"no segments, {what}, {styles}")
        else:
            labels.append(f"K = {r['n_segments']}, separation {r['separation']:g}, {what}, {styles}")
    fig, ax = plt.subplots(figsize=(7.5, 0.42 * len(test) + 1.3))
    y = np.arange(len(test))[::-1]
    for kind, colour in (("size", "tab:red"), ("power", "tab:blue")):
        chosen = (test["test"] == kind).to_numpy()
        if chosen.any():
            rows = test[chosen]
            centre = rows["rejection_rate"].to_numpy(dtype=float)
            spread = np.vstack([centre - rows["ci_low"], rows["ci_high"] - centre])
            ax.errorbar(
                centre,
                y[chosen],
                xerr=np.clip(spread, 0, None),
                fmt="o",
                color=colour,
                capsize=3,
                label="size (no segments)" if kind == "size" else "power (segments)",
            )
    ax.axvline(
        study.design.alpha, color="black", ls="--", lw=1, label=f"nominal level {study.design.alpha:.0%}"
    )
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylabel("Simulated market")
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel(f"Share of data sets where 2 segments were preferred to 1 (p ≤ {study.design.alpha:g})")
    ax.set_title(f"Bootstrap likelihood-ratio test, n = {study.design.lrt_sample_size}", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def plot_noise(study: MethodStudy) -> Figure:
    """R-squared of hard clusterwise regression fitted to pure noise, with Brusco et al.'s means.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> study = method_study(StudyDesign.tiny(), random_state=0, progress=False)
    >>> fig = plot_noise(study)
    >>> bool(fig.axes[0].get_xlabel())
    True
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    if study.noise.empty:
        raise ValueError("the noise check was not run in this study's design")
    summary = study.noise_summary()
    fig, ax = plt.subplots(figsize=(6, 3.8))
    sns.swarmplot(data=study.noise, x="n_components", y="r_squared", ax=ax, size=4, color="tab:blue")
    positions = {k: i for i, k in enumerate(sorted(study.noise["n_components"].unique()))}
    published = summary.dropna(subset=["published_r_squared"])
    ax.scatter(
        [positions[k] for k in published["n_components"]],
        published["published_r_squared"],
        marker="D",
        s=60,
        color="tab:red",
        zorder=3,
        label="Brusco et al. (2008), mean",
    )
    ax.scatter(
        [positions[k] for k in summary["n_components"]],
        summary["r_squared_mean"],
        marker="_",
        s=400,
        color="black",
        zorder=3,
        label="this study, mean",
    )
    ax.set(
        xlabel="Number of segments fitted",
        ylabel="Pooled R-squared on pure noise",
        ylim=(0, 1),
        title="More segments, more variance 'explained' in noise",
    )
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig
