"""Inference about segments: how many there are, how sure the coefficients are, how stable.

* :func:`bootstrap_lrt` and :func:`select_n_components` answer "how many segments?" with the
  parametric bootstrap likelihood-ratio test of K against K - 1 segments and the information
  criteria;
* :func:`bootstrap_coefficients` gives standard errors that carry the uncertainty of
  classifying the cases, :func:`segment_stability` how reproducible each segment is;
* :func:`permutation_test` answers another question: is there any relation between the
  outcome and the predictors under the fitted model class (Brusco et al., 2008)? It is *not* a
  test that segments exist.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .._display import HTMLTables
from .._tables import wald_table
from .._validate import check_count
from .estimator import ClusterwiseRegression, mark_identified
from .grid import answer_grid
from .results import ClusterwiseResults, model_matrices


def _inputs(X, y, concomitant):
    """Arrays from (X, y, concomitant) or from (formula, data, concomitant formula)."""
    if isinstance(X, str):
        if not isinstance(concomitant, (str, type(None))):
            raise TypeError("with a formula, concomitant must be a one-sided formula such as '~ membership'")
        return model_matrices(X, y, concomitant)
    if isinstance(concomitant, str):
        raise TypeError("a concomitant formula needs a model formula and a DataFrame, not X and y arrays")
    return X, y, concomitant


def _seed_sequence(random_state) -> np.random.SeedSequence:
    """Independent streams from an int, None or a Generator (which then moves on)."""
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(2**63)))
    return np.random.SeedSequence(random_state)


def _fit_quietly(n_components: int, X, y, concomitant, rng, settings: dict) -> ClusterwiseRegression:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ClusterwiseRegression(n_components, random_state=rng, **settings).fit(X, y, concomitant)


# ------------------------------------------------------------------ number of segments
@dataclass(frozen=True)
class BootstrapLRTResult(HTMLTables):
    """Outcome of :func:`bootstrap_lrt`: K against K - 1 segments."""

    statistic: float
    p_value: float
    null_distribution: np.ndarray = field(repr=False)
    n_components: int
    null: str
    grid_step: float | None
    log_likelihood_null: float
    log_likelihood_alt: float
    n_degenerate: int

    def __repr__(self) -> str:
        grid = f", grid_step={self.grid_step:.4g}" if self.grid_step else ""
        return (
            f"BootstrapLRTResult(K={self.n_components} vs {self.n_components - 1}: LR={self.statistic:.4g}, "
            f"p_value={self.p_value:.4g}, n_boot={len(self.null_distribution)}, null={self.null!r}{grid})"
        )


class _NullSampler:
    """Outcomes drawn from a fitted K - 1 segment model at the observed X (and concomitant).

    ``"gaussian"``: each case's segment from its prior, then the segment's line plus normal
    error (McLachlan's parametric bootstrap). ``"grid"``: the same with the Sheppard-corrected
    variance sigma^2 - h^2 / 12, rounded to the answer grid and clipped to the observed range.
    ``"residual"``: the segment's line plus a residual resampled from the observed data (each
    observed case's standardised residual under segment k, weighted by its posterior
    probability of k, times sigma_k), rounded to the grid and clipped when there is one: the
    error distribution is the data's own, skew and ceiling included. ``"smoothed"``: the same
    with normal kernel noise of Silverman's bandwidth added to each resampled residual, which
    is then shrunk so that its variance stays sigma_k^2 (the smoothed bootstrap).
    """

    def __init__(self, model, X, y, concomitant, kind: str, grid) -> None:
        self.model, self.kind, self.grid = model, kind, grid
        self.design = np.column_stack([np.ones(len(y)), np.asarray(X, dtype=float).reshape(len(y), -1)])
        self.prior = model.prior_proba(concomitant, n_samples=len(y))
        self.coefs = model._coefs()
        if kind in ("residual", "smoothed"):
            y = np.asarray(y, dtype=float)
            self.standardised = (y[:, None] - self.design @ self.coefs.T) / model.scale_
            post = model.posterior(X, y, concomitant)
            self.weights = post / post.sum(axis=0)
            self.bandwidth = np.array(
                [_silverman(self.standardised[:, k], post[:, k]) for k in range(post.shape[1])]
            )
            # kernel noise is shrunk back so that each segment keeps its residuals' spread
            spread = np.sqrt(np.einsum("ik,ik->k", self.weights, self.standardised**2))
            self.shrink = 1 / np.sqrt(1 + (self.bandwidth / spread) ** 2)

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        n, K = self.prior.shape
        segment = np.minimum((rng.random(n)[:, None] > np.cumsum(self.prior, axis=1)).sum(axis=1), K - 1)
        mean = np.einsum("ij,ij->i", self.design, self.coefs[segment])
        scale = self.model.scale_
        if self.kind in ("residual", "smoothed"):
            error = np.empty(n)
            for k in range(K):
                members = np.flatnonzero(segment == k)
                source = rng.choice(n, size=len(members), p=self.weights[:, k])
                drawn = self.standardised[source, k]
                if self.kind == "smoothed":
                    noise = rng.standard_normal(len(members))
                    drawn = (drawn + self.bandwidth[k] * noise) * self.shrink[k]
                error[members] = scale[k] * drawn
        elif self.kind == "grid":
            step = self.grid[2]
            latent = np.where(scale**2 > step**2 / 6, scale**2 - step**2 / 12, scale**2 / 2)
            error = rng.standard_normal(n) * np.sqrt(latent)[segment]
        else:
            error = rng.standard_normal(n) * scale[segment]
        if self.grid is None:
            return mean + error
        low, high, step = self.grid
        return np.clip(low + step * np.round((mean + error - low) / step), low, high)


def _silverman(values: np.ndarray, weights: np.ndarray) -> float:
    """Silverman's (1986) rule-of-thumb bandwidth of weighted values: 0.9 min(sd, IQR / 1.34) n^(-1/5)."""
    weights = weights / weights.sum()
    mean = weights @ values
    sd = np.sqrt(weights @ (values - mean) ** 2)
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    q25, q75 = np.interp([0.25, 0.75], cumulative, values[order])
    n_eff = 1 / np.sum(weights**2)
    spread = min(sd, (q75 - q25) / 1.34) if q75 > q25 else sd
    return float(0.9 * spread * n_eff ** (-0.2))


def _null_kind(y, null: str, grid_step: float | None):
    if null not in ("auto", "residual", "smoothed", "grid", "gaussian"):
        raise ValueError(f"null must be 'auto', 'smoothed', 'residual', 'grid' or 'gaussian', got {null!r}")
    y = np.asarray(y, dtype=float)
    kind = "smoothed" if null == "auto" else null
    if kind == "gaussian":
        return kind, None
    if grid_step is not None and not grid_step > 0:
        raise ValueError(f"grid_step must be positive, got {grid_step!r}")
    step = grid_step if grid_step is not None else answer_grid(y)
    if step is None:
        if kind == "grid":
            raise ValueError("null='grid' needs an outcome on a grid of answers: pass grid_step")
        return kind, None
    return kind, (float(y.min()), float(y.max()), float(step))


def lrt_from_fits(
    null_model, alt_model, X, y, concomitant, *, n_boot, null, grid_step, seeds, settings, n_jobs, progress
) -> BootstrapLRTResult:
    """The bootstrap LRT of two fitted models (K - 1 and K segments) on the same data: the one
    implementation behind :func:`bootstrap_lrt`, :func:`select_n_components` and the method study."""
    from joblib import Parallel, delayed

    kind, grid = _null_kind(y, null, grid_step)
    sampler = _NullSampler(null_model, X, y, concomitant, kind, grid)
    k = alt_model.n_components
    observed = max(2 * (alt_model.log_likelihood_ - null_model.log_likelihood_), 0.0)

    def replicate(seed: np.random.SeedSequence) -> tuple[float, bool]:
        rng = np.random.default_rng(seed)
        y_star = sampler.draw(rng)
        try:
            fit_null = _fit_quietly(k - 1, X, y_star, concomitant, rng, settings)
            fit_alt = _fit_quietly(k, X, y_star, concomitant, rng, settings)
        except ValueError:  # e.g. a draw that is an exact line
            return 0.0, True
        lr = max(2 * (fit_alt.log_likelihood_ - fit_null.log_likelihood_), 0.0)
        return lr, bool(fit_alt.degenerate_ or fit_null.degenerate_)

    jobs = (delayed(replicate)(seed) for seed in seeds)
    draws = Parallel(n_jobs=n_jobs)(
        tqdm(jobs, total=n_boot, desc=f"bootstrap LRT K={k}", disable=not progress, leave=False)
    )
    null_distribution = np.array([d[0] for d in draws])
    p_value = (1 + int(np.sum(null_distribution >= observed))) / (n_boot + 1)
    return BootstrapLRTResult(
        statistic=observed,
        p_value=p_value,
        null_distribution=null_distribution,
        n_components=k,
        null=kind,
        grid_step=None if grid is None else grid[2],
        log_likelihood_null=null_model.log_likelihood_,
        log_likelihood_alt=alt_model.log_likelihood_,
        n_degenerate=int(sum(d[1] for d in draws)),
    )


def bootstrap_lrt(
    X,
    y,
    n_components: int,
    *,
    concomitant=None,
    n_boot: int = 99,
    n_init: int = 10,
    null: str = "auto",
    grid_step: float | None = None,
    random_state: int | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
    **settings,
) -> BootstrapLRTResult:
    """Parametric bootstrap likelihood-ratio test of K against K - 1 segments (McLachlan, 1987).

    Parameters
    ----------
    X, y : array-like, or a formula and a DataFrame
        Predictors and outcome, or ``"outcome ~ predictors"`` and the data (as
        :func:`fit_clusterwise`).
    n_components : int
        K, at least 2: the test is of K segments against K - 1.
    concomitant : array-like or str, optional
        Concomitant variables (a one-sided formula with a formula); the null model and the
        bootstrap refits use them too.
    n_boot : int, default 99
        Bootstrap samples. The smallest attainable p value is ``1 / (n_boot + 1)``.
    n_init : int, default 10
        Usable random starts per fit, the same for the observed data and every bootstrap
        sample (the same search effort).
    null : {"auto", "smoothed", "residual", "grid", "gaussian"}, default "auto"
        How bootstrap outcomes are drawn from the fitted K - 1 segment model (see Notes):
        ``"smoothed"`` (``"auto"``) with residuals resampled from the data and smoothed by a
        normal kernel, ``"residual"`` with residuals resampled as they are, ``"grid"`` with
        normal errors rounded to the answer grid, ``"gaussian"`` with normal errors as the
        model says (McLachlan's test, R mixtools' ``boot.comp``). With an answer grid
        (:func:`answer_grid`, or ``grid_step``) all but the Gaussian draws are rounded to it
        and clipped to the observed range.
    grid_step : float, optional
        The grid step, when it should not be detected (e.g. 0.25 for means of four 1-7 items).
    random_state : int, optional
        Seeds the fits and every bootstrap sample (independent streams).
    n_jobs : int, optional
        Parallel bootstrap samples through joblib.
    progress : bool, default True
    **settings
        Passed to :class:`ClusterwiseRegression` (``max_iter``, ``variance_floor``, ...).

    Returns
    -------
    BootstrapLRTResult
        ``statistic`` (:math:`LR = 2(\\log L_K - \\log L_{K-1})`), ``p_value``,
        ``null_distribution`` (the bootstrap LRs), ``n_components``, ``null`` (which null was
        used), ``grid_step``, both log-likelihoods and ``n_degenerate`` (bootstrap samples
        whose fit collapsed).

    Notes
    -----
    The LR statistic of a mixture does not follow a chi-square distribution (the null lies on
    the boundary of the parameter space), so its distribution is simulated: ``n_boot``
    outcomes are drawn from the K - 1 segment model fitted to the data, at the same X, both
    models are refitted to each with the same search effort, and
    :math:`p = (1 + \\#\\{LR^* \\ge LR\\}) / (n_{boot} + 1)`. Nylund, Asparouhov & Muthén (2007)
    found this the most reliable of the usual indicators of the number of classes. An LR
    below zero (the K fit found a lower maximum than the K - 1 fit) counts as zero.

    **Discrete, skewed answers.** Survey outcomes are means of a few 1-7 items: they lie on a
    grid, are bounded and pile up at the top, so the errors of one regression are skewed and
    truncated. A two-segment normal mixture fits such errors better than one normal does, with
    no segments at all (Bauer & Curran, 2003), and bootstrap outcomes with normal errors lack
    the skew: on one-regression Likert data (``simulate_likert_regression`` of
    :mod:`~loyalty_research.simulation_study`, n = 300) the grid null (normal errors with the
    Sheppard-corrected variance :math:`\\sigma_k^2 - h^2/12`, rounded to the grid) rejected
    2 against 1 segments in 20% of 100 data sets at the 5% level, the Gaussian null in 40%.
    The residual nulls keep the data's own error distribution: segment k's line plus a
    residual drawn from the observed cases' standardised residuals under segment k (weighted
    by their posterior probability of k) times :math:`\\sigma_k`, rounded to the grid. Their
    null is "K - 1 regressions with errors of whatever shape the data have", so only
    differences in how the outcome depends on the predictors count as segments. Resampled as
    they are, the residuals make the test conservative (1.5% of 200 data sets, 95% interval
    0.5-4.3%): its bootstrap LRs run larger than the true null distribution's, probably
    because each resample repeats single outlying residuals two or three times, lumps that a
    second segment can fit (smoothing, which removes such lumps, brings them back down).
    The default smoothed bootstrap (Silverman & Young, 1987) adds normal noise of Silverman's
    rule-of-thumb bandwidth to each resampled residual and shrinks the sum back to the
    residual variance; it rejected 3.0% (1.4-6.4%), and its power on two planted segments was
    9% (error SD 0.9) and 21% (SD 0.4) at n = 300, against 3% and 16% unsmoothed; the
    Gaussian null rejected 41.5% of one-regression data sets: the evidence it counts is
    largely non-normality. ``benchmarks/lrt_size_power.py``
    measures all of them; ``tests/test_clusterwise_inference.py`` checks the size on every
    run.

    References
    ----------
    McLachlan, G. J. (1987). On bootstrapping the likelihood ratio test statistic for the
    number of components in a normal mixture. Applied Statistics, 36(3), 318-324.
    https://doi.org/10.2307/2347790

    Nylund, K. L., Asparouhov, T., & Muthén, B. O. (2007). Deciding on the number of classes in
    latent class analysis and growth mixture modeling: A Monte Carlo simulation study.
    Structural Equation Modeling, 14(4), 535-569. https://doi.org/10.1080/10705510701575396

    Bauer, D. J., & Curran, P. J. (2003). Distributional assumptions of growth mixture models:
    Implications for overextraction of latent trajectory classes. Psychological Methods, 8(3),
    338-363. https://doi.org/10.1037/1082-989X.8.3.338

    Silverman, B. W., & Young, G. A. (1987). The bootstrap: To smooth or not to smooth?
    Biometrika, 74(3), 469-479. https://doi.org/10.1093/biomet/74.3.469

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(3)
    >>> x = rng.uniform(0, 10, 200)
    >>> y = np.where(rng.random(200) < 0.5, 1 + x, 9 - x) + rng.normal(0, 0.5, 200)
    >>> result = bootstrap_lrt(x[:, None], y, 2, n_boot=19, n_init=3, random_state=0, progress=False)
    >>> result.p_value
    0.05
    """
    k = check_count("n_components", n_components, minimum=2)
    check_count("n_boot", n_boot)
    X, y, concomitant = _inputs(X, y, concomitant)
    settings = {"n_init": n_init, **settings}
    seeds = _seed_sequence(random_state).spawn(n_boot + 2)
    null_model = ClusterwiseRegression(k - 1, random_state=np.random.default_rng(seeds[0]), **settings)
    alt_model = ClusterwiseRegression(k, random_state=np.random.default_rng(seeds[1]), **settings)
    null_model.fit(X, y, concomitant)
    alt_model.fit(X, y, concomitant)
    return lrt_from_fits(
        null_model,
        alt_model,
        X,
        y,
        concomitant,
        n_boot=n_boot,
        null=null,
        grid_step=grid_step,
        seeds=seeds[2:],
        settings=settings,
        n_jobs=n_jobs,
        progress=progress,
    )


def select_n_components(
    X,
    y,
    n_components: Iterable[int] = range(1, 7),
    *,
    concomitant=None,
    n_boot: int = 0,
    null: str = "auto",
    grid_step: float | None = None,
    stop_at: float | None = None,
    random_state: int | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
    **settings,
) -> pd.DataFrame:
    """Fit each number of segments and tabulate the criteria and, optionally, the bootstrap LRT.

    Parameters
    ----------
    X, y : array-like, or a formula and a DataFrame
        Predictors and outcome, or ``"outcome ~ predictors"`` and the data.
    n_components : iterable of int, default range(1, 7)
        The numbers of segments to try.
    concomitant : array-like or str, optional
        Concomitant variables (a one-sided formula with a formula).
    n_boot : int, default 0
        With ``n_boot > 0`` the table gets ``lrt_p_val``: the bootstrap likelihood-ratio
        test of each K against K - 1 (:func:`bootstrap_lrt`, with ``null`` and
        ``grid_step``).
    stop_at : float, optional
        Test sequentially: after the first K whose test does not reject at ``stop_at`` (e.g.
        0.05), the larger K are fitted but not tested (``lrt_p_val`` NaN). The sequential
        procedure's answer is the last K before that test.
    random_state : int, optional
        Seeds every fit (the same seed for each K) and the bootstrap samples.
    n_jobs : int, optional
        Parallel bootstrap samples through joblib.
    progress : bool, default True
        Show a progress bar.
    **settings
        Passed to :class:`ClusterwiseRegression` (``n_init``, ``max_iter``, ...).

    Returns
    -------
    pandas.DataFrame
        One row per K: ``n_components``, ``log_likelihood``, ``n_params``, ``aic``, ``aic3``,
        ``bic``, ``caic`` (Bozdogan 1987: :math:`-2\\log L + k(\\log n + 1)`), ``icl``,
        ``entropy_r2``, ``converged``, ``degenerate`` and, with ``n_boot``, ``lrt_statistic``
        and ``lrt_p_val`` (NaN for the smallest K).

    Warns
    -----
    UserWarning
        When a K cannot be fitted (too few cases for its parameters): the table ends at the
        last K that could, and the rows already fitted are kept.

    Notes
    -----
    For mixture regressions AIC3, CAIC, BIC and ICL retain the true number of segments well;
    plain AIC tends to overfit (Andrews & Currim, 2003; Oliveira-Brochado & Martins, 2005).
    Choosing K by a criterion and then testing coefficients on the same fit is inference after
    selection: read per-segment z tests as descriptive, and prefer bootstrap standard errors
    and :func:`segment_stability`.
    """
    X, y, concomitant = _inputs(X, y, concomitant)
    check_count("n_boot", n_boot, minimum=0)
    wanted = sorted({check_count("n_components", k) for k in n_components})
    rows: list[dict] = []
    fitted: dict[int, ClusterwiseRegression] = {}
    stopped = False
    streams = _seed_sequence(random_state).spawn(len(wanted)) if n_boot else []
    lrt_seeds = dict(zip(wanted, streams, strict=False))
    for k in tqdm(wanted, desc="segments", disable=not progress):
        try:
            model = _fit_quietly(k, X, y, concomitant, random_state, settings)
        except ValueError as error:
            if "needs at least" not in str(error):
                raise
            warnings.warn(
                f"K = {k} could not be fitted ({error}); the table stops at K = {rows[-1]['n_components']}"
                if rows
                else f"K = {k} could not be fitted ({error})",
                UserWarning,
                stacklevel=2,
            )
            break
        fitted[k] = model
        row = {**model.criteria(X, y, concomitant), "degenerate": model.degenerate_}
        if n_boot and k > 1 and not stopped:
            previous = fitted.get(k - 1) or _fit_quietly(k - 1, X, y, concomitant, random_state, settings)
            seeds = lrt_seeds[k].spawn(n_boot)
            test = lrt_from_fits(
                previous,
                model,
                X,
                y,
                concomitant,
                n_boot=n_boot,
                null=null,
                grid_step=grid_step,
                seeds=seeds,
                settings=settings,
                n_jobs=n_jobs,
                progress=progress,
            )
            row["lrt_statistic"], row["lrt_p_val"] = test.statistic, test.p_value
            stopped = stop_at is not None and test.p_value > stop_at
        elif n_boot:
            row["lrt_statistic"] = row["lrt_p_val"] = np.nan
        rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------ the no-relation test
@dataclass(frozen=True)
class PermutationTestResult(HTMLTables):
    """Outcome of :func:`permutation_test`."""

    statistic: float
    null_distribution: np.ndarray
    p_value: float
    statistic_name: str
    n_components: int

    def __repr__(self) -> str:
        return (
            f"PermutationTestResult({self.statistic_name}={self.statistic:.4g}, p_value={self.p_value:.4g}, "
            f"n_permutations={len(self.null_distribution)})"
        )


def permutation_test(
    X,
    y,
    n_components: int,
    *,
    n_permutations: int = 99,
    statistic: str = "auto",
    random_state: int | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
    **settings,
) -> PermutationTestResult:
    """Is there any relation between outcome and predictors under the fitted model class?

    The outcome is permuted, which makes it unrelated to the predictors, and the clusterwise
    regression is refitted with exactly the same settings (method, starts, iterations) as on
    the observed data (Brusco, Cradit, Steinley & Fox, 2008). The p-value is the share of fits,
    the observed one included, whose statistic is at least as large as the observed.

    **What it does not test.** The null hypothesis is that the outcome is exchangeable given
    the predictors: no relation at all. Any pooled relation rejects it, with one regression
    for everybody and no segments as surely as with segments. A small p value therefore is no
    evidence that segments exist; for that, test K against K - 1 segments with
    :func:`bootstrap_lrt`.

    Parameters
    ----------
    X, y : array-like
    n_components : int
    n_permutations : int, default 99
        As :func:`bootstrap_lrt`'s ``n_boot``: 99 resamples give p values in steps of 0.01 and a
        test of exact size at 5% (``0.05 * (99 + 1)`` is whole).
    statistic : {"auto", "r_squared", "log_likelihood"}, default "auto"
        Pooled R-squared of the hard segments, or the mixture log-likelihood. ``"auto"``:
        R-squared for the hard (``method="spath"``) fit, which maximises it, as Brusco et al.
        did; the log-likelihood for the mixture (EM) fit, which maximises that. The R-squared
        of a mixture fit's hard assignment is a poor statistic: on permuted data the mixture
        can split the outcome into high and low segments, whose R-squared then exceeds that of
        data with a clear relation (on the bundled golf survey, K = 2: p = 0.95 with it, 0.05
        with the log-likelihood).
    random_state : int, optional
        Seeds the permutations and every fit.
    n_jobs : int, optional
        Parallel fits through joblib (its backend, e.g. Dask, applies).
    progress : bool, default True
    **settings
        Passed to :class:`ClusterwiseRegression`.

    Returns
    -------
    PermutationTestResult
        ``statistic``, ``null_distribution``, ``p_value``.

    Notes
    -----
    Clusterwise regression explains much variance even in pure noise: the partition itself
    is fitted. Brusco et al. found pooled R-squared of 0.65, 0.83 and 0.89 for K = 2, 3, 4 with
    n = 200 and two noise predictors (the hard, least-squares version). The permutation null
    keeps the search effort equal, so the test is exact for "no relation"; it says nothing
    about the number of segments.

    References
    ----------
    Brusco, M. J., Cradit, J. D., Steinley, D., & Fox, G. L. (2008). Cautionary remarks on the
    use of clusterwise regression. Multivariate Behavioral Research, 43(1), 29-49.
    https://doi.org/10.1080/00273170701836653
    """
    from joblib import Parallel, delayed

    if statistic not in ("auto", "r_squared", "log_likelihood"):
        raise ValueError(f"statistic must be 'auto', 'r_squared' or 'log_likelihood', got {statistic!r}")
    if statistic == "auto":
        statistic = "r_squared" if settings.get("method") == "spath" else "log_likelihood"
    check_count("n_permutations", n_permutations)
    y = np.asarray(y, dtype=float).ravel()
    seeds = np.random.SeedSequence(random_state).spawn(n_permutations + 1)

    def fitted_statistic(outcome: np.ndarray, seed: np.random.SeedSequence) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ClusterwiseRegression(n_components, random_state=np.random.default_rng(seed), **settings)
            model.fit(X, outcome)
        return float(getattr(model, f"{statistic}_" if statistic == "r_squared" else "log_likelihood_"))

    observed = fitted_statistic(y, seeds[0])
    permuted = [np.random.default_rng(s).permutation(y) for s in seeds[1:]]
    jobs = (
        delayed(fitted_statistic)(outcome, seed) for outcome, seed in zip(permuted, seeds[1:], strict=True)
    )
    null = Parallel(n_jobs=n_jobs)(
        tqdm(jobs, total=n_permutations, desc="permutations", disable=not progress)
    )
    null = np.asarray(null)
    p_value = (1 + int(np.sum(null >= observed))) / (n_permutations + 1)
    return PermutationTestResult(observed, null, p_value, statistic, n_components)


# ------------------------------------------------------ uncertainty and stability
def align_segments(coefs: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Order of the rows of ``coefs`` (K x q) that best matches the rows of ``reference``.

    Segments are matched by the Hungarian algorithm on squared coefficient differences, each
    term scaled by its spread across the reference segments, so that label switching between
    fits (bootstrap samples, Monte Carlo replications) does not mix segments up.
    """
    from scipy.optimize import linear_sum_assignment

    coefs, reference = np.asarray(coefs, dtype=float), np.asarray(reference, dtype=float)
    scale = reference.std(axis=0) + 1e-8 * (1 + np.abs(reference).max())
    cost = (((coefs[None, :, :] - reference[:, None, :]) / scale) ** 2).sum(axis=-1)
    _, order = linear_sum_assignment(cost)
    return order


def segment_recovery(labels, truth) -> tuple[float, pd.DataFrame]:
    """Adjusted Rand index and the confusion table of estimated against true segments.

    Estimated segments are matched to true ones (Hungarian algorithm on the counts), and the
    table's columns are ordered so that the matched pairs lie on the diagonal.

    Returns
    -------
    ari : float
    confusion : pandas.DataFrame
        Rows: true segments; columns: estimated segments (1-based); cells: counts.
    """
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics import adjusted_rand_score

    labels, truth = np.asarray(labels), np.asarray(truth)
    if len(labels) != len(truth):
        raise ValueError(f"labels has {len(labels)} cases but truth has {len(truth)}")
    counts = pd.crosstab(
        pd.Series(truth, name="true segment"), pd.Series(labels + 1, name="estimated segment")
    )
    rows, cols = linear_sum_assignment(-counts.to_numpy())
    matched = list(counts.columns[cols[np.argsort(rows)]]) if len(rows) else []
    rest = [c for c in counts.columns if c not in matched]
    return float(adjusted_rand_score(truth, labels)), counts[matched + rest]


def bootstrap_coefficients(
    model: ClusterwiseRegression,
    X,
    y,
    concomitant=None,
    *,
    n_boot: int = 199,
    alpha: float = 0.05,
    random_state: int | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Bootstrap the segment coefficients of a fitted model, aligning segment labels.

    Each bootstrap sample of cases is refitted from scratch with the model's settings; its
    segments are matched to the model's by :func:`align_segments` before the draws are
    summarised, so label switching does not inflate the spread.

    Returns
    -------
    pandas.DataFrame
        As :meth:`ClusterwiseRegression.summary`: ``segment``, ``term``, ``coef`` (the
        model's estimate), ``se`` (bootstrap standard deviation), ``statistic`` (``coef / se``),
        ``df`` (``inf``), ``p_val`` (normal reference), ``ci_low``, ``ci_high`` (percentile
        interval). The draws are in ``.attrs["draws"]``
        (n_boot x K x (p + 1)).
    """
    from joblib import Parallel, delayed

    model._check_fitted()
    check_count("n_boot", n_boot, minimum=2)
    design, y_arr, prior_design = model._prepared(X, y, concomitant)
    reference = model._coefs()
    seeds = np.random.SeedSequence(random_state).spawn(n_boot)
    settings = model.get_params()

    def one_draw(seed: np.random.SeedSequence) -> np.ndarray:
        rng = np.random.default_rng(seed)
        rows = rng.integers(0, len(y_arr), len(y_arr))
        refit = ClusterwiseRegression(**{**settings, "random_state": rng})
        z = prior_design[rows, 1:] if prior_design.shape[1] > 1 else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            refit.fit(design[rows, 1:], y_arr[rows], z)
        coefs = refit._coefs()
        return coefs[align_segments(coefs, reference)]

    jobs = (delayed(one_draw)(seed) for seed in seeds)
    draws = np.asarray(
        Parallel(n_jobs=n_jobs)(tqdm(jobs, total=n_boot, desc="bootstrap", disable=not progress))
    )
    se = draws.std(axis=0, ddof=1).ravel()
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2], axis=0)
    terms = ["intercept", *model._feature_names()]
    table = pd.DataFrame(
        [(k + 1, t) for k in range(model.n_components) for t in terms], columns=["segment", "term"]
    )
    table = wald_table(table, reference.ravel(), se, alpha)
    table["ci_low"], table["ci_high"] = low.ravel(), high.ravel()
    table = mark_identified(table, model.collinear_terms_)
    table.attrs["draws"] = draws
    return table


def segment_stability(
    model_or_formula: ClusterwiseResults | str,
    data: pd.DataFrame | None = None,
    n_components: int | None = None,
    *,
    concomitant: str | None = None,
    n_boot: int = 100,
    random_state: int | None = None,
    n_jobs: int | None = None,
    progress: bool = True,
    **settings,
) -> pd.DataFrame:
    """Bootstrap stability of each segment: the mean Jaccard similarity of Hennig (2007).

    Parameters
    ----------
    model_or_formula : ClusterwiseResults or str
        A result of :func:`fit_clusterwise` (its data and settings are reused), or a formula;
        then ``data`` and ``n_components`` are needed and ``concomitant`` and ``**settings``
        are used as in :func:`fit_clusterwise`.
    n_boot : int, default 100
        Bootstrap samples of cases; each is refitted from scratch with the same settings.
    random_state, n_jobs, progress
        Seeds (independent streams per sample), joblib workers, progress bar.

    Returns
    -------
    pandas.DataFrame
        One row per segment (1-based), as :func:`loyalty_research.stability.bootstrap_jaccard`:
        ``segment``, ``n_cases``, ``jaccard_mean``, ``jaccard_median``, ``share_dissolved``,
        ``share_recovered``, ``verdict``.

    Notes
    -----
    Each bootstrap sample is refitted, its cases classified, and each original segment
    compared with the most similar refitted segment by the Jaccard index on the cases drawn
    (as R fpc's ``clusterboot``). Hennig's guidance: mean Jaccard of 0.75 or more marks a
    stable segment, 0.6 or less a segment that should not be interpreted. A segment found by
    a model whose K was chosen on the same data is only as real as it is stable.

    References
    ----------
    Hennig, C. (2007). Cluster-wise assessment of cluster stability. Computational Statistics
    & Data Analysis, 52(1), 258-271. https://doi.org/10.1016/j.csda.2006.11.025
    """
    from ..stability import bootstrap_jaccard

    if isinstance(model_or_formula, str):
        if data is None or n_components is None:
            raise ValueError("with a formula, pass data and n_components too")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            X, y, Z = model_matrices(model_or_formula, data, concomitant)
        model = ClusterwiseRegression(n_components, random_state=random_state, **settings).fit(X, y, Z)
    elif isinstance(model_or_formula, ClusterwiseResults):
        if data is not None or n_components is not None or concomitant is not None or settings:
            raise ValueError("with a fitted result, pass no data, n_components, concomitant or settings")
        model, X, y, Z = (
            model_or_formula.model,
            model_or_formula.X,
            model_or_formula.y,
            model_or_formula.concomitant,
        )
    else:
        raise TypeError(
            "model_or_formula must be a result of fit_clusterwise or a formula, "
            f"got {type(model_or_formula).__name__}"
        )
    params = model.get_params()
    X_arr, y_arr = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    Z_arr = None if Z is None else np.asarray(Z, dtype=float)

    def refit(rows: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = ClusterwiseRegression(**{**params, "random_state": rng})
            fit.fit(X_arr[rows], y_arr[rows], None if Z_arr is None else Z_arr[rows])
        return fit.labels_

    return bootstrap_jaccard(
        model.labels_, refit, n_boot=n_boot, random_state=random_state, n_jobs=n_jobs, progress=progress
    )
