"""The clusterwise-regression estimator: a mixture of linear regressions, scikit-learn style."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from .._tables import wald_table
from .._validate import check_count, check_probability, collinear_columns
from ._em import e_step, log_prior, prior_steps, run_em
from ._em_kernel import START_OWN_WEIGHT, nearest_lines, single_threaded_blas, soft_starts
from .grid import answer_grid

# y counts as an exact linear function of X when the pooled residual RMS is at most this share
# of max |y|: far above the round-off of least squares (about 1e-16 times the condition number)
# and far below any measurement a survey makes.
EXACT_FIT_RTOL = 1e-9
# starts are compared by log-likelihood, run until its extrapolated remaining gain is below
# SCREEN_TOL or for SCREEN_MAX_ITER steps; only those within POLISH_MARGIN of the best, at most
# POLISH_COUNT, run on to tol (on flat likelihoods most of a start's steps come after 200)
SCREEN_TOL = 1e-4
SCREEN_MAX_ITER = 200
POLISH_MARGIN = 0.1
POLISH_COUNT = 3
# short-run EM: POOL_FACTOR * n_init random starts, POOL_STEPS steps each, the best n_init
# are screened
POOL_FACTOR = 5
POOL_STEPS = 20


class DegenerateSolutionWarning(UserWarning):
    """Every start ended with a segment collapsed onto an exact fit or too few cases."""


class CollapsedStartsWarning(UserWarning):
    """More than half of the random starts collapsed: a segment emptied, or fitted tied answers exactly."""


class SeparationWarning(UserWarning):
    """A concomitant variable (nearly) separates segments: its logit coefficients are not identified."""


class CollinearityWarning(UserWarning):
    """Within a segment some predictors are perfectly collinear: their coefficients are not identified."""


class ClusterwiseRegression(BaseEstimator):
    """Mixture of linear regressions (clusterwise regression), scikit-learn style.

    Parameters
    ----------
    n_components : int, default 2
        Number of segments K.
    method : {"em", "spath"}, default "em"
        ``"em"``: maximum likelihood for a mixture of Gaussian regressions with one error
        variance per segment. ``"spath"``: hard partition minimising the pooled
        within-segment sum of squared errors by single-case exchanges.
    n_init : int, default 10
        Number of usable starts run to convergence; the best (highest log-likelihood, or
        lowest SSE for ``"spath"``) is kept. For ``"em"`` they are the best of ``5 * n_init``
        random starts after 20 EM steps each. A start that collapses (see Notes) does not count
        and is replaced, up to ``max_starts`` full runs in all.
    max_starts : int or None, default None
        Cap on the full EM runs, usable or not; None means ``20 * n_init``.
    max_iter : int, default 10000
        Maximum EM iterations (or exchange passes) per start, as mixtools' ``regmixEM``. On a
        flat likelihood EM needs thousands: on the golf survey a four-segment fit converges
        after about 6,000 (about 60 ms compiled).
    tol : float, default 1e-10
        EM stops when the extrapolated remaining rise of the log-likelihood is below ``tol``
        and the extrapolated remaining change of every parameter is below ``sqrt(tol)``
        relative to ``1 + |parameter|`` (see Notes).
    variance_floor : float, default 1e-3
        A segment's error variance may not fall below ``variance_floor`` times the residual
        variance of the one-segment regression. A start that reaches the floor has collapsed
        onto an exact fit and is discarded (see Notes). Tight but real segments, such as
        customers at the top of the scale, stay well above the default floor.
    resolution : float, "auto" or None, default "auto"
        Step of the grid the outcome's answers lie on (e.g. 1/3 for the mean of three 1-7
        items). A segment's error SD may then not fall below Sheppard's rounding error
        ``resolution / sqrt(12)``: a narrower segment fits tied answers, not customers.
        ``"auto"`` detects the grid with :func:`answer_grid` (continuous outcomes have none);
        None uses only ``variance_floor``.
    init_sample : int or None, default 5000
        With more cases than this (``"em"`` only), the starts run on a random subsample of
        this size, and EM on all cases continues from the best of them only: a cheap
        short-run initialisation that leaves the estimate a full-data maximum. None runs
        every start on all cases.
    random_state : int, numpy Generator or None
        Seed for the starts.

    Attributes
    ----------
    resolution_ : float or None
        The answer grid's step used for the floor (detected with ``resolution="auto"``).
    floor_ : float
        The variance floor in force.
    weights_ : ndarray of shape (K,)
        Segment sizes (mixing proportions; with concomitant variables the mean prior over the
        training cases), in decreasing order.
    intercept_ : ndarray of shape (K,)
    coef_ : ndarray of shape (K, n_features)
    scale_ : ndarray of shape (K,)
        Error standard deviation per segment (maximum likelihood: divisor is the segment's
        weighted size, not size minus parameters).
    concomitant_coef_ : ndarray of shape (K, 1 + n_concomitant)
        Only with concomitant variables: multinomial-logit coefficients of the segment priors
        (intercept first), segment 1 the reference with zeros.
    concomitant_names_ : list of str
        ``"intercept"`` and the concomitant variables' names.
    separated_terms_ : list of tuple
        ``(segment, term)`` pairs (1-based segment) of the concomitant logit that are not
        identified because the term (quasi-)separates that segment from segment 1.
    log_likelihood_ : float
        Mixture log-likelihood of the training data (for ``"spath"``, evaluated at the hard
        solution's lines, sizes and ML scales).
    r_squared_ : float
        Pooled R-squared of the hard assignment: ``1 - SSE_within / SST``.
    labels_ : ndarray of shape (n_samples,)
        Segment of each training case, 0-based (highest posterior for ``"em"``). Tables for
        people number segments from 1.
    converged_ : bool
    n_iter_ : int
        Iterations of the kept start.
    start_scores_ : ndarray of shape (n_tries,)
        Log-likelihood (``"em"``) or minus the pooled SSE (``"spath"``) reached by each try,
        NaN for collapsed ones; with ``init_sample``, of the subsample. For ``"em"`` it is
        the screened value (see Notes), and the converged one for the polished starts.
    n_collapsed_starts_ : int
        Tries that collapsed.
    degenerate_ : bool
        True when no try was usable and a collapsed solution was kept (with a warning).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` was a DataFrame.

    Notes
    -----
    The model for case :math:`i` with predictors :math:`x_i` and concomitant variables
    :math:`z_i` is

    .. math::

        f(y_i \\mid x_i, z_i) = \\sum_{k=1}^K \\pi_k(z_i) \\, \\phi(y_i; \\beta_{0k} +
        x_i^\\top \\beta_k, \\sigma_k^2), \\qquad
        \\pi_k(z_i) = \\frac{\\exp(\\gamma_{0k} + z_i^\\top \\gamma_k)}
        {\\sum_l \\exp(\\gamma_{0l} + z_i^\\top \\gamma_l)},

    with :math:`\\gamma_1 = 0`; without concomitant variables :math:`\\pi_k` is constant.
    EM alternates posterior segment probabilities (E-step, in log space), weighted least
    squares per segment and a weighted multinomial logit of the posteriors on :math:`z`
    (M-step), as flexmix's ``FLXPmultinom`` does. A random start begins from K lines through
    random small subsets of cases, each case given to its nearest line; ``5 * n_init`` of them
    run 20 EM steps and the best ``n_init`` continue (short-run EM; on NPreg, y on x and x^2
    with K = 3, this finds the best maximum in 18 of 20 seeds where ten plain starts find it in
    15). These are
    screened: run until the log-likelihood's extrapolated remaining rise is below 1e-4, or
    for 200 steps; only those within 0.1 of the best (at most three) go on to ``tol``. All
    starts of a batch run together: compiled (numba, the starts shared among threads) without
    concomitant variables, as one batched NumPy EM with them.

    **Tied data.** On data with many ties most random starts collapse. On R's iris data
    (sepal width on sepal length, recorded to 0.1, K = 3) about 98% of random starts do, and
    the best usable ones mostly end at a log-likelihood of -73.78. So once more than half of
    the runs have collapsed, new starts are *split* starts: the best K - 1 segment solution
    plus one random line, of which far more reach the higher maxima. With the defaults every
    one of 20 seeds then ends at -70.87, -70.36 or the best non-degenerate maximum -69.93 (18
    of 20; ``n_init=20``: 19 of 20), above the -72.71 flexmix reports, which is not
    a maximum of the likelihood (its sigma has a degrees-of-freedom divisor; from its solution
    maximum-likelihood EM runs into a tie spike).
    A :class:`CollapsedStartsWarning` says when this applies: then raise ``n_init``.

    **Stopping.** EM converges linearly, and on a flat likelihood small steps do not mean being
    close: a rule on the relative change of the log-likelihood stops far from the maximum. The
    rule here extrapolates with the rate estimated from two successive steps (Aitken; Böhning
    et al., 1994): a start stops when the remaining rise of the log-likelihood is below ``tol``
    and the remaining change of every parameter below ``sqrt(tol)``. With the defaults the
    parameters agree with mixtools' ``regmixEM`` run to ``epsilon = 1e-14`` to about 1e-6
    (``tests/reference/``).

    **Tied answers.** With discrete 1-7 or 1-10 answers a segment can fit a handful of
    identical answers exactly; its variance then goes to zero and the likelihood to infinity.
    The variance floor stops that: by default the larger of ``variance_floor`` times the
    pooled residual variance and Sheppard's rounding variance ``resolution**2 / 12`` of the
    answer grid (on R's iris data, recorded to 0.1, K = 3 fits of sepal width otherwise end on
    segments of SD 0.014-0.017, below the 0.029 that rounding alone produces). A start that
    reaches it, or whose segment empties, has collapsed: it stops at once, does not count
    among the ``n_init`` starts and is replaced. When more than half of the full runs collapse
    a :class:`CollapsedStartsWarning` says how many; when all ``max_starts`` runs collapse the
    best is kept with a :class:`DegenerateSolutionWarning` and ``degenerate_`` is True.

    Segments are reported in decreasing order of size, so results do not depend on the order
    in which a start happened to find them.

    R's flexmix (``FLXMRglm``) estimates each segment's sigma with the divisor
    :math:`\\sum_i \\tau_{ik} - (p + 1) \\bar\\tau_k` instead of :math:`\\sum_i \\tau_{ik}`; its
    fixed point is therefore not the maximum of the likelihood, and this estimator reaches a
    log-likelihood at least as high on the same data (``tests/reference/README.md``).

    References
    ----------
    Biernacki, C., Celeux, G., & Govaert, G. (2003). Choosing starting values for the EM
    algorithm for getting the highest likelihood in multivariate Gaussian mixture models.
    Computational Statistics & Data Analysis, 41(3-4), 561-575.
    https://doi.org/10.1016/S0167-9473(02)00163-9

    Böhning, D., Dietz, E., Schaub, R., Schlattmann, P., & Lindsay, B. G. (1994). The
    distribution of the likelihood ratio for mixtures of densities from the one-parameter
    exponential family. Annals of the Institute of Statistical Mathematics, 46(2), 373-388.
    https://doi.org/10.1007/BF01720593

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(0, 10, 400)
    >>> segment = rng.random(400) < 0.5
    >>> y = np.where(segment, 1 + 2 * x, 8 - 0.5 * x) + rng.normal(0, 0.5, 400)
    >>> model = ClusterwiseRegression(2, random_state=1).fit(x[:, None], y)
    >>> np.round(model.coef_.ravel(), 1)
    array([ 2. , -0.5])
    >>> np.bincount(model.classify(x[:, None], y))  # cases per segment
    array([200, 200])
    """

    def __init__(
        self,
        n_components: int = 2,
        *,
        method: str = "em",
        n_init: int = 10,
        max_starts: int | None = None,
        max_iter: int = 10_000,
        tol: float = 1e-10,
        variance_floor: float = 1e-3,
        resolution: float | str | None = "auto",
        init_sample: int | None = 5000,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        self.n_components = n_components
        self.method = method
        self.n_init = n_init
        self.max_starts = max_starts
        self.max_iter = max_iter
        self.tol = tol
        self.variance_floor = variance_floor
        self.resolution = resolution
        self.init_sample = init_sample
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y, concomitant=None) -> ClusterwiseRegression:
        """Fit the mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Predictors of the segment regressions (an intercept is added).
        y : array-like of shape (n_samples,)
            Outcome.
        concomitant : array-like of shape (n_samples, n_concomitant), optional
            Variables that shift the segment priors (an intercept is added); ``"em"`` only.
        """
        self._check_settings()
        design, y = self._validate_data(X, y, fitting=True)
        prior_design = self._validate_concomitant(concomitant, len(y), fitting=True)
        n, q = design.shape
        if n < self.n_components * (q + 1):
            raise ValueError(
                f"n_components={self.n_components} needs at least {self.n_components * (q + 1)} cases "
                f"({q + 1} per segment for {q} coefficients and a variance); got {n}"
            )
        rng = np.random.default_rng(self.random_state)
        pooled = np.linalg.lstsq(design, y, rcond=None)[0]
        resid = y - design @ pooled
        if np.sqrt(np.mean(resid**2)) <= EXACT_FIT_RTOL * np.max(np.abs(y)):
            raise ValueError(
                "y is constant or an exact linear function of X (residual root mean square at most "
                f"{EXACT_FIT_RTOL:g} times max |y|): there are no segments to find"
            )
        names = ["intercept", *self._feature_names()]
        collinear = collinear_columns(design, names)
        if collinear:
            raise ValueError(
                f"the predictors are perfectly collinear: {', '.join(map(repr, collinear))} (one is an "
                "exact linear combination of the others, so their coefficients are not identified); drop one"
            )
        self.resolution_ = answer_grid(y) if self.resolution == "auto" else self.resolution
        self.floor_ = max(self.variance_floor * float(np.mean(resid**2)), (self.resolution_ or 0.0) ** 2 / 12)
        if self.method == "em":
            with single_threaded_blas():
                best = self._fit_em(design, y, prior_design, rng)
        else:
            best = self._fit_spath(design, y, rng)
        self._store(best, design, y, prior_design)
        self.separated_terms_ = self._separated_terms(prior_design)
        if self.separated_terms_:
            named = ", ".join(f"{term!r} (segment {k} against 1)" for k, term in self.separated_terms_)
            warnings.warn(
                f"the concomitant variables separate segments: {named}. Their logit coefficients are not "
                "identified (they grow without bound) and concomitant_summary reports no z or p for them; "
                "merge rare categories or drop the variable.",
                SeparationWarning,
                stacklevel=2,
            )
        self.collinear_terms_ = self._collinear_terms(design)
        if self.collinear_terms_:
            named = "; ".join(
                f"segment {k}: " + ", ".join(repr(t) for s, t in self.collinear_terms_ if s == k)
                for k in sorted({s for s, _ in self.collinear_terms_})
            )
            warnings.warn(
                f"within a segment some predictors are perfectly collinear ({named}): the segment's cases "
                "do not vary on them independently, so their coefficients are not identified and summary() "
                "reports no standard errors for them. Fit fewer segments or drop one of the predictors.",
                CollinearityWarning,
                stacklevel=2,
            )
        if not self.converged_:
            warnings.warn(
                f"the best start did not converge in {self.max_iter} iterations; raise max_iter",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def _fit_em(self, design, y, prior_design, rng) -> dict:
        n = len(y)
        sample = np.arange(n)
        subsampled = self.init_sample is not None and n > self.init_sample
        if subsampled:
            sample = np.sort(rng.choice(n, self.init_sample, replace=False))
        fits, best = self._em_starts(design[sample], y[sample], prior_design[sample], rng)
        usable = ~fits.collapsed
        self.start_scores_ = np.where(usable, fits.log_likelihood, np.nan)
        self.n_collapsed_starts_ = int(fits.collapsed.sum())
        tries = len(usable)
        self.degenerate_ = not usable.any()
        if self.degenerate_:
            warnings.warn(
                f"all {tries} random starts collapsed onto an exact fit (a segment's error variance reached "
                "the floor, or a segment emptied); the best collapsed solution is kept and is not a valid "
                "estimate. Fit fewer segments, or check the outcome for many identical answers.",
                DegenerateSolutionWarning,
                stacklevel=3,
            )
        elif self.n_collapsed_starts_ > tries / 2:
            warnings.warn(
                f"{self.n_collapsed_starts_} of {tries} random starts collapsed (a segment emptied, or its "
                "error variance reached the floor on tied answers) and were replaced; the best of "
                f"{int(usable.sum())} usable starts is kept. Most starts collapse when the data hold fewer "
                "segments than asked for, or when tied answers make the likelihood unbounded: compare the "
                "result with fewer segments, and raise n_init (e.g. to 40).",
                CollapsedStartsWarning,
                stacklevel=3,
            )
        params = (fits.gamma[best], fits.coefs[best], fits.variances[best])
        if not subsampled:
            return {
                "params": params,
                "converged": bool(fits.converged[best]),
                "n_iter": int(fits.n_iter[best]),
            }
        full = run_em(
            design,
            y,
            prior_design,
            *(p[None] for p in params),
            floor=self.floor_,
            max_iter=self.max_iter,
            tol=self.tol,
        )
        return {
            "params": (full.gamma[0], full.coefs[0], full.variances[0]),
            "converged": bool(full.converged[0]),
            "n_iter": int(full.n_iter[0]),
        }

    def _em_starts(self, design, y, prior_design, rng):
        """Search: short runs from a pool of random starts, screening, then polishing the best.

        The pool holds ``5 * n_init`` random starts, each run for 20 EM steps (short-run EM,
        Biernacki, Celeux & Govaert, 2003); the ``n_init`` with the highest log-likelihood that
        have not collapsed continue to the screening tolerance ``SCREEN_TOL`` (on the
        log-likelihood only) or ``SCREEN_MAX_ITER`` steps. A run that collapses is replaced by
        the next of the pool, then by new random starts, until ``n_init`` are usable or
        ``max_starts`` runs were tried. The best screened starts then run to ``tol``
        (:meth:`_polish`); when some of them collapse on the way, the search goes on until
        ``n_init`` usable starts remain or the cap is reached. Returns all runs and the index
        of the best.
        """
        cap = self.max_starts if self.max_starts is not None else 20 * self.n_init
        screen = {"floor": self.floor_, "tol": max(self.tol, SCREEN_TOL), "param_tol": np.inf}
        pool = self._random_starts(design, y, prior_design, rng, POOL_FACTOR * self.n_init)
        short = run_em(design, y, prior_design, *pool, max_iter=min(POOL_STEPS, self.max_iter), **screen)
        alive = np.flatnonzero(~short.collapsed)
        queue = list(alive[np.argsort(-short.log_likelihood[alive], kind="stable")])
        fits, polished = None, np.zeros(0, bool)
        cache: dict = {}
        tried = 0
        while True:
            usable = 0 if fits is None else int((~fits.collapsed).sum())
            while usable < self.n_init and tried < cap:
                size = min(self.n_init - usable, cap - tried)
                chosen, queue = queue[:size], queue[size:]
                starts = [(short.gamma[i], short.coefs[i], short.variances[i]) for i in chosen]
                if len(chosen) < size:
                    # when most runs collapse (tied answers), random lines mostly lead into spikes;
                    # a random line added to the best K - 1 solution does far better
                    splitting = self.n_components > 1 and not self._inner and tried > 0 and usable < tried / 2
                    if splitting:
                        fresh = self._split_starts(design, y, prior_design, rng, size - len(chosen), cache)
                    else:
                        fresh = self._random_starts(design, y, prior_design, rng, size - len(chosen))
                    starts += list(zip(*fresh, strict=True))
                batch = run_em(
                    design,
                    y,
                    prior_design,
                    *(np.stack(part) for part in zip(*starts, strict=True)),
                    max_iter=min(SCREEN_MAX_ITER, self.max_iter),
                    **screen,
                )
                fits = batch if fits is None else _concatenate([fits, batch])
                polished = np.concatenate([polished, np.zeros(size, bool)])
                usable += int((~batch.collapsed).sum())
                tried += size
            collapsed_before = int(fits.collapsed.sum())
            best = self._polish(fits, polished, design, y, prior_design)
            more_collapsed = int(fits.collapsed.sum()) > collapsed_before
            if not more_collapsed or tried >= cap or int((~fits.collapsed).sum()) >= self.n_init:
                return fits, best

    # set on the K - 1 fit that split starts grow from, so that it does not split in turn
    _inner = False

    def _split_starts(self, design, y, prior_design, rng, count: int, cache: dict):
        """``count`` starts made of the best K - 1 segment solution plus one random line.

        The K - 1 solution is fitted once per fit (random starts only; kept in ``cache``). The new
        segment's line goes through ``q + 2`` random cases, with the K - 1 segments' mean
        variance and a prior of 1 / K. On R's iris data (sepal width on sepal length, K = 3)
        about 12% of such starts stay usable and 40% of those reach the best maximum, against
        10% of usable random-lines starts.
        """
        K = self.n_components
        q = design.shape[1]
        if "base" not in cache:
            fewer = clone(self).set_params(n_components=K - 1, random_state=rng)
            fewer._inner = True
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fewer.fit(design[:, 1:], y, prior_design[:, 1:] if prior_design.shape[1] > 1 else None)
            cache["base"] = fewer
        base = cache["base"]
        m = prior_design.shape[1]
        lines = _subset_lines(design, y, rng, count)
        coefs = np.concatenate([np.broadcast_to(base._coefs(), (count, K - 1, q)), lines[:, None, :]], axis=1)
        variances = np.column_stack(
            [np.broadcast_to(base.scale_**2, (count, K - 1)), np.full(count, np.mean(base.scale_**2))]
        )
        new_row = np.zeros((1, m))
        new_row[0, 0] = np.log(1 / K) - np.log(base.weights_[0] * (K - 1) / K)
        gamma = np.broadcast_to(np.vstack([base._gamma, new_row]), (count, K, m))
        return gamma.copy(), coefs, variances

    def _polish(self, fits, polished_mask, design, y, prior_design) -> int:
        """Run the best screened starts on to ``tol``; return the index of the best start.

        The start with the highest log-likelihood is always polished (EM only climbs, so a
        screened value is a lower bound of where the start ends); besides it, starts within
        ``POLISH_MARGIN`` of the best, ``POLISH_COUNT`` polished runs in all. ``fits`` and
        ``polished_mask`` are updated in place. A start that collapses while polished drops
        out, so the winner is a polished, usable start whenever there is one.
        """
        budget = POLISH_COUNT
        while True:
            usable = np.flatnonzero(~fits.collapsed)
            if not usable.size:
                return int(np.argmax(fits.log_likelihood))
            best = usable[np.argmax(fits.log_likelihood[usable])]
            pending = usable[~polished_mask[usable]]
            pending = pending[fits.log_likelihood[pending] >= fits.log_likelihood[best] - POLISH_MARGIN]
            pending = pending[np.argsort(-fits.log_likelihood[pending], kind="stable")]
            if polished_mask[best] and (budget <= 0 or not pending.size):
                return int(best)
            candidates = pending[: max(budget, 1)]
            budget -= len(candidates)
            run = run_em(
                design,
                y,
                prior_design,
                fits.gamma[candidates],
                fits.coefs[candidates],
                fits.variances[candidates],
                floor=self.floor_,
                max_iter=self.max_iter,
                tol=self.tol,
            )
            fits.log_likelihood[candidates] = run.log_likelihood
            fits.gamma[candidates], fits.coefs[candidates], fits.variances[candidates] = (
                run.gamma,
                run.coefs,
                run.variances,
            )
            fits.converged[candidates] = run.converged
            fits.collapsed[candidates] = run.collapsed
            fits.n_iter[candidates] += run.n_iter
            polished_mask[candidates] = True

    def _check_settings(self) -> None:
        check_count("n_components", self.n_components)
        if self.method not in ("em", "spath"):
            raise ValueError(f"method must be 'em' or 'spath', got {self.method!r}")
        for name in ("n_init", "max_iter"):
            check_count(name, getattr(self, name))
        if self.max_starts is not None:
            check_count("max_starts", self.max_starts, minimum=self.n_init)
        if not (isinstance(self.tol, (int, float)) and 0 < self.tol < 1):
            raise ValueError(f"tol must be in (0, 1), got {self.tol!r}")
        if not 0 < self.variance_floor < 1:
            raise ValueError(f"variance_floor must be in (0, 1), got {self.variance_floor!r}")
        if self.init_sample is not None:
            check_count("init_sample", self.init_sample, minimum=100)
        if not (
            self.resolution is None
            or self.resolution == "auto"
            or (isinstance(self.resolution, (int, float)) and self.resolution > 0)
        ):
            raise ValueError(f"resolution must be a positive number, 'auto' or None, got {self.resolution!r}")

    def _validate_data(self, X, y, *, fitting: bool) -> tuple[np.ndarray, np.ndarray]:
        matrix, names = _as_matrix(X, "X")
        given_names = isinstance(X, (pd.DataFrame, pd.Series))
        try:
            y = np.asarray(y, dtype=float).ravel()
        except (TypeError, ValueError) as error:
            raise ValueError(f"y must hold numbers only ({error}); convert it with pd.to_numeric") from None
        if len(y) != matrix.shape[0]:
            raise ValueError(f"X has {matrix.shape[0]} rows but y has {len(y)} values")
        bad_y = np.flatnonzero(~np.isfinite(y))
        if bad_y.size:
            raise ValueError(f"y has missing or infinite values (rows {bad_y[:10].tolist()})")
        if fitting:
            _reject_constant(matrix, names, "predictor", "the intercept already plays that role")
            self.n_features_in_ = matrix.shape[1]
            if given_names:
                self.feature_names_in_ = np.asarray(names, dtype=object)
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        elif matrix.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {matrix.shape[1]} predictors; the model was fitted with {self.n_features_in_}"
            )
        return np.column_stack([np.ones(len(y)), matrix]), y

    def _validate_concomitant(self, concomitant, n: int, *, fitting: bool) -> np.ndarray:
        if fitting:
            if concomitant is not None and self.method != "em":
                raise ValueError("concomitant variables need method='em'")
            self.concomitant_names_ = ["intercept"]
        if concomitant is None:
            if not fitting and len(self.concomitant_names_) > 1:
                raise ValueError(
                    f"the model was fitted with concomitant variables {self.concomitant_names_[1:]}; "
                    "pass them"
                )
            return np.ones((n, 1))
        matrix, names = _as_matrix(concomitant, "concomitant", prefix="z")
        if matrix.shape[0] != n:
            raise ValueError(f"concomitant has {matrix.shape[0]} rows but y has {n} values")
        if fitting:
            _reject_constant(
                matrix, names, "concomitant variable", "the prior intercept already plays that role"
            )
            self.concomitant_names_ = ["intercept", *names]
        elif matrix.shape[1] != len(self.concomitant_names_) - 1:
            raise ValueError(
                f"concomitant has {matrix.shape[1]} columns; the model was fitted with "
                f"{len(self.concomitant_names_) - 1}"
            )
        return np.column_stack([np.ones(n), matrix])

    def _random_lines(
        self, design: np.ndarray, y: np.ndarray, rng: np.random.Generator, count: int = 1
    ) -> np.ndarray:
        """``count`` starts of labels: a line through each of K random small subsets, every case
        to the nearest line (shape ``(count, n)``)."""
        lines = _subset_lines(design, y, rng, count * self.n_components)
        return nearest_lines(design, y, lines.reshape(count, self.n_components, -1))

    def _random_starts(self, design, y, prior_design, rng, count: int):
        """``count`` starting (gamma, coefs, variances): soft versions of random-lines partitions."""
        K = self.n_components
        labels = self._random_lines(design, y, rng, count)
        log_w, coefs, variances = soft_starts(design, y, labels, K, self.floor_)
        m = prior_design.shape[1]
        if m == 1:
            return (log_w - log_w[:, :1])[:, :, None], coefs, variances
        resp = np.full((count, len(y), K), (1.0 - START_OWN_WEIGHT) / (K - 1))  # as soft_starts
        np.put_along_axis(resp, labels[..., None], START_OWN_WEIGHT, axis=2)
        return prior_steps(prior_design, resp.transpose(1, 0, 2), np.zeros((count, K, m))), coefs, variances

    def _fit_spath(self, design, y, rng) -> dict:
        results = [self._spath_start(design, y, rng) for _ in range(self.n_init)]
        degenerate = np.array([r["degenerate"] for r in results])
        self.start_scores_ = np.where(degenerate, np.nan, [r["score"] for r in results])
        self.n_collapsed_starts_ = int(degenerate.sum())
        self.degenerate_ = bool(degenerate.all())
        if self.degenerate_:
            warnings.warn(
                f"all {self.n_init} starts left a segment with fewer cases than parameters; the best is kept "
                "and is not a valid estimate. Fit fewer segments.",
                DegenerateSolutionWarning,
                stacklevel=3,
            )
        usable = [r for r, bad in zip(results, degenerate, strict=True) if not bad] or results
        return max(usable, key=lambda r: r["score"])

    def _spath_start(self, design, y, rng) -> dict:
        labels = self._random_lines(design, y, rng)[0]
        labels, converged, n_pass = _spath_exchange(design, y, labels, self.n_components, self.max_iter)
        weights, coefs, variances = _hard_params(design, y, labels, self.n_components)
        sse = _pooled_sse(design, y, labels, self.n_components)
        counts = np.bincount(labels, minlength=self.n_components)
        with np.errstate(divide="ignore"):
            gamma = (np.log(weights) - np.log(weights[0]))[:, None]
        return {
            "score": -sse,
            "params": (gamma, coefs, variances),
            "converged": converged,
            "n_iter": n_pass,
            "degenerate": bool(np.any(counts < design.shape[1] + 1)),
            "labels": labels,
        }

    def _store(self, result: dict, design: np.ndarray, y: np.ndarray, prior_design: np.ndarray) -> None:
        gamma, coefs, variances = result["params"]
        mean_prior = np.exp(log_prior(prior_design, gamma)).reshape(-1, gamma.shape[0]).mean(axis=0)
        order = np.argsort(-mean_prior, kind="stable")
        self._gamma = gamma[order] - gamma[order[0]]
        self.weights_ = mean_prior[order]
        self.intercept_ = coefs[order, 0]
        self.coef_ = coefs[order, 1:]
        self.scale_ = np.sqrt(variances[order])
        if prior_design.shape[1] > 1:
            self.concomitant_coef_ = self._gamma.copy()
        elif hasattr(self, "concomitant_coef_"):
            del self.concomitant_coef_
        self.converged_ = bool(result["converged"])
        self.n_iter_ = int(result["n_iter"])
        ll, resp = e_step(design, y, log_prior(prior_design, self._gamma), self._coefs(), self.scale_**2)
        self.log_likelihood_ = float(ll)
        if self.method == "spath":
            self.labels_ = np.argsort(order)[result["labels"]]
        else:
            self.labels_ = resp.argmax(axis=1)
        sst = float(np.sum((y - y.mean()) ** 2))
        self.r_squared_ = 1 - _pooled_sse(design, y, self.labels_, self.n_components) / sst
        self.n_obs_ = len(y)

    def _collinear_terms(self, design) -> list[tuple[int, str]]:
        """(segment, term) pairs of predictors that are collinear among a segment's cases (1-based).

        The cases of a segment are those classified into it: a coefficient that only the other
        segments' cases, at small posterior weights, can move (e.g. a dummy that is 0 for every
        member) is reported as not identified rather than with a misleading standard error.
        """
        names = ["intercept", *self._feature_names()]
        return [
            (k + 1, term)
            for k in range(self.n_components)
            for term in collinear_columns(design[self.labels_ == k], names)
        ]

    def _separated_terms(self, prior_design: np.ndarray) -> list[tuple[int, str]]:
        """(segment, term) pairs of the prior logit that a hyperplane in z separates (see Notes of
        :meth:`concomitant_summary`)."""
        if prior_design.shape[1] == 1:
            return []
        flagged: set[tuple[int, str]] = set()
        # the table reports each segment against segment 1, so those are the pairs that matter
        for k in range(1, self.n_components):
            pair = np.isin(self.labels_, (0, k))
            sign = np.where(self.labels_[pair] == k, 1.0, -1.0)
            Z = prior_design[pair]
            if not _separable(Z, sign):
                continue
            terms = [t for t in range(1, Z.shape[1]) if _separable(Z[:, [0, t]], sign)]
            names = [self.concomitant_names_[t] for t in terms] or self.concomitant_names_
            flagged |= {(k + 1, name) for name in names}
        return sorted(flagged)

    def _coefs(self) -> np.ndarray:
        return np.column_stack([self.intercept_, self.coef_])

    # --------------------------------------------------------------- prediction
    def _check_fitted(self) -> None:
        if not hasattr(self, "weights_"):
            raise NotFittedError("this ClusterwiseRegression is not fitted yet; call fit(X, y) first")

    def _prepared(self, X, y, concomitant):
        self._check_fitted()
        design, y = self._validate_data(X, y, fitting=False)
        return design, y, self._validate_concomitant(concomitant, len(y), fitting=False)

    def _log_joint(self, X, y, concomitant=None) -> np.ndarray:
        design, y, prior_design = self._prepared(X, y, concomitant)
        resid = y[:, None] - design @ self._coefs().T
        variances = self.scale_**2
        return (
            log_prior(prior_design, self._gamma)
            - 0.5 * np.log(2 * np.pi * variances)
            - 0.5 * resid**2 / variances
        )

    def score_samples(self, X, y, concomitant=None) -> np.ndarray:
        """Log-likelihood of each case under the fitted mixture."""
        return logsumexp(self._log_joint(X, y, concomitant), axis=1)

    def score(self, X, y, concomitant=None) -> float:
        """Mean log-likelihood per case."""
        return float(self.score_samples(X, y, concomitant).mean())

    def posterior(self, X, y, concomitant=None) -> np.ndarray:
        """Posterior probability of each segment for each case, given its outcome ``y``.

        Clusterwise segments are defined by how ``y`` responds to ``X``, so a case's segment
        cannot be predicted from ``X`` alone: use :meth:`prior_proba` for that.
        """
        log_joint = self._log_joint(X, y, concomitant)
        return np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))

    def classify(self, X, y, concomitant=None) -> np.ndarray:
        """Most probable segment of each case given its outcome (0-based, as ``labels_``)."""
        return self.posterior(X, y, concomitant).argmax(axis=1)

    def prior_proba(self, concomitant=None, n_samples: int = 1) -> np.ndarray:
        """Prior segment probabilities before seeing the outcome (from concomitant variables)."""
        self._check_fitted()
        n = n_samples if concomitant is None else len(concomitant)
        prior_design = self._validate_concomitant(concomitant, n, fitting=False)
        return np.broadcast_to(np.exp(log_prior(prior_design, self._gamma)), (n, self.n_components)).copy()

    # ----------------------------------------------------------------- criteria
    @property
    def n_parameters_(self) -> int:
        """Free parameters: K (p + 1) coefficients, K variances, (K - 1) prior coefficients each."""
        self._check_fitted()
        k, q = self.n_components, self.n_features_in_ + 1
        return k * q + k + (k - 1) * len(self.concomitant_names_)

    def _penalised(self, X, y, concomitant, penalty) -> float:
        ll = self.score_samples(X, y, concomitant)
        return -2 * float(ll.sum()) + self.n_parameters_ * penalty(len(ll))

    def aic(self, X, y, concomitant=None) -> float:
        """Akaike's criterion, -2 log L + 2 k."""
        return self._penalised(X, y, concomitant, lambda n: 2.0)

    def aic3(self, X, y, concomitant=None) -> float:
        """Bozdogan's AIC3, -2 log L + 3 k."""
        return self._penalised(X, y, concomitant, lambda n: 3.0)

    def bic(self, X, y, concomitant=None) -> float:
        """Schwarz's criterion, -2 log L + k log n."""
        return self._penalised(X, y, concomitant, np.log)

    def caic(self, X, y, concomitant=None) -> float:
        """Bozdogan's consistent AIC, -2 log L + k (log n + 1)."""
        return self._penalised(X, y, concomitant, lambda n: np.log(n) + 1)

    def icl(self, X, y, concomitant=None) -> float:
        """Integrated completed likelihood as in flexmix: -2 (complete-data log L) + k log n.

        The complete-data log-likelihood assigns each case to its most probable segment:
        :math:`\\sum_i \\log(\\pi_{c_i} f_{c_i}(y_i))`, :math:`c_i` the MAP segment.
        """
        log_joint = self._log_joint(X, y, concomitant)
        return -2 * float(log_joint.max(axis=1).sum()) + self.n_parameters_ * np.log(len(log_joint))

    def entropy_r2(self, X, y, concomitant=None) -> float:
        """Relative entropy of the posteriors, 1 - E / (n log K): 1 = crisp segments."""
        if self.n_components == 1:
            return 1.0
        post = self.posterior(X, y, concomitant)
        entropy = -float(np.sum(post * np.log(np.clip(post, 1e-300, None))))
        return 1 - entropy / (len(post) * np.log(self.n_components))

    def criteria(self, X, y, concomitant=None) -> dict[str, float]:
        """Log-likelihood, parameter count and every information criterion in one dict."""
        return {
            "n_components": self.n_components,
            "log_likelihood": float(self.score_samples(X, y, concomitant).sum()),
            "n_params": self.n_parameters_,
            "aic": self.aic(X, y, concomitant),
            "aic3": self.aic3(X, y, concomitant),
            "bic": self.bic(X, y, concomitant),
            "caic": self.caic(X, y, concomitant),
            "icl": self.icl(X, y, concomitant),
            "entropy_r2": self.entropy_r2(X, y, concomitant),
            "converged": self.converged_,
        }

    # ---------------------------------------------------------------- inference
    def summary(
        self,
        X,
        y,
        concomitant=None,
        *,
        alpha: float = 0.05,
        se: str = "observed",
        n_boot: int = 199,
        random_state: int | None = None,
        n_jobs: int | None = None,
        progress: bool = True,
    ) -> pd.DataFrame:
        """Segment coefficients with standard errors from the observed information or the bootstrap.

        Parameters
        ----------
        X, y, concomitant : array-like
            The data the model was fitted to (a result of :func:`fit_clusterwise` passes
            them for you).
        alpha : float, default 0.05
            Intervals have coverage ``1 - alpha``.
        se : {"observed", "bootstrap"}, default "observed"
            Standard errors from the observed information, or from refitting ``n_boot``
            bootstrap samples (see :func:`bootstrap_coefficients`; intervals are then
            percentile intervals, and they carry the uncertainty of classifying the cases).
        n_boot, random_state, n_jobs, progress
            Bootstrap settings.

        Returns
        -------
        pandas.DataFrame
            One row per segment and term: ``segment`` (1-based, as ordered in ``weights_``),
            ``term`` (``"intercept"`` and the feature names), then the package's estimate
            columns: ``coef``, ``se``, ``statistic`` (the Wald z), ``df`` (``inf``: normal
            reference), ``p_val``, ``ci_low``, ``ci_high``.

        Notes
        -----
        The covariance matrix is the inverse of the negative Hessian of the full mixture
        log-likelihood in the parameters :math:`(\\beta_k, \\log\\sigma_k, \\gamma_k)`. The
        Hessian is the numerical derivative (central differences) of the analytic score.
        flexmix's ``refit`` computes the same through ``optim``'s Hessian; the two agree to
        0.1% on the reference data (``tests/reference/``). These standard errors treat K as
        known; when K was chosen on the same data, read the z tests as descriptive.
        """
        if se == "bootstrap":
            from .inference import bootstrap_coefficients

            return bootstrap_coefficients(
                self,
                X,
                y,
                concomitant,
                n_boot=n_boot,
                alpha=alpha,
                random_state=random_state,
                n_jobs=n_jobs,
                progress=progress,
            )
        if se != "observed":
            raise ValueError(f"se must be 'observed' or 'bootstrap', got {se!r}")
        table = self._inference(X, y, concomitant, alpha)
        table = table[table["part"] == "regression"].drop(columns="part").reset_index(drop=True)
        return mark_identified(table, self.collinear_terms_)

    def concomitant_summary(self, X, y, concomitant, *, alpha: float = 0.05) -> pd.DataFrame:
        """Multinomial-logit coefficients of the segment priors, segment 1 the reference.

        Returns
        -------
        pandas.DataFrame
            One row per segment 2..K and term (``"intercept"`` and the concomitant
            variables): ``segment``, ``term``, ``coef`` (log-odds against segment 1), ``se``,
            ``statistic`` (z), ``df`` (``inf``), ``p_val``, ``ci_low``, ``ci_high``,
            ``identified``. Rows that are not identified have NaN for ``se``, ``statistic``,
            ``p_val`` and the interval.

        Notes
        -----
        When a concomitant variable separates two segments (every case of one segment lies on
        one side of a hyperplane in the concomitant variables, every case of the other on the
        other side or on it: (quasi-)complete separation, Albert & Anderson, 1984), the
        maximum-likelihood logit coefficient is infinite; EM stops at an arbitrary large value
        and the observed-information standard error is meaningless (flexmix and this package
        then differ by a factor of two, with standard errors in the hundreds). Separation is
        checked on the most probable segments by the linear program of Konis (2007) for each
        segment against segment 1 (the contrasts the table reports); the terms that separate on
        their own are named, or all terms when only their combination does. On the golf survey
        no package tourist falls in one segment: that segment's tourist coefficient is flagged,
        the others' are not.

        References
        ----------
        Albert, A., & Anderson, J. A. (1984). On the existence of maximum likelihood estimates
        in logistic regression models. Biometrika, 71(1), 1-10.
        https://doi.org/10.1093/biomet/71.1.1

        Konis, K. (2007). Linear programming algorithms for detecting separated data in binary
        logistic regression models (DPhil thesis). University of Oxford.
        """
        self._check_fitted()
        if len(self.concomitant_names_) < 2:
            raise ValueError("the model was fitted without concomitant variables")
        table = self._inference(X, y, concomitant, alpha)
        table = table[table["part"] == "concomitant"].drop(columns="part").reset_index(drop=True)
        return mark_identified(table, self.separated_terms_)

    def _feature_names(self) -> list[str]:
        if hasattr(self, "feature_names_in_"):
            return [str(n) for n in self.feature_names_in_]
        return [f"x{j}" for j in range(self.n_features_in_)]

    def _theta(self) -> np.ndarray:
        return np.concatenate([self._coefs().ravel(), np.log(self.scale_), self._gamma[1:].ravel()])

    def _inference(self, X, y, concomitant, alpha: float) -> pd.DataFrame:
        check_probability("alpha", alpha)
        design, y, prior_design = self._prepared(X, y, concomitant)
        K, q, m = self.n_components, design.shape[1], prior_design.shape[1]
        cov = _covariance(design, y, prior_design, self._theta(), K)
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        estimate = self._theta()
        labels = [("regression", k + 1, t) for k in range(K) for t in ["intercept", *self._feature_names()]]
        keep = list(range(K * q))
        labels += [("concomitant", k + 1, t) for k in range(1, K) for t in self.concomitant_names_]
        keep += list(range(K * q + K, K * q + K + (K - 1) * m))
        table = pd.DataFrame(labels, columns=["part", "segment", "term"])
        return wald_table(table, estimate[keep], se[keep], alpha)


def mark_identified(table: pd.DataFrame, unidentified: list[tuple[int, str]]) -> pd.DataFrame:
    """Add ``identified``; rows that are not get NaN standard errors, tests and intervals."""
    missing = set(unidentified)
    table["identified"] = [
        (s, t) not in missing for s, t in zip(table["segment"], table["term"], strict=True)
    ]
    table.loc[~table["identified"], ["se", "statistic", "p_val", "ci_low", "ci_high"]] = np.nan
    return table


def _subset_lines(design: np.ndarray, y: np.ndarray, rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` lines, each the least-squares fit through ``q + 2`` random cases (minimum norm
    when a subset's predictors are tied); shape ``(count, q)``."""
    n, q = design.shape
    subsets = _random_subsets(rng, n, min(n, q + 2), count)
    return (np.linalg.pinv(design[subsets]) @ y[subsets][..., None])[..., 0]


def _random_subsets(rng: np.random.Generator, n: int, size: int, count: int) -> np.ndarray:
    """``count`` uniformly random sets of ``size`` distinct cases out of ``n``, one per row.

    Tuples are drawn with replacement and the rows with a repeat drawn again (rejection keeps
    every set of distinct cases equally likely); one call for all rows instead of ``count``
    calls of ``rng.choice``. When repeats are common (``n`` not far above ``size**2``) each
    row is drawn without replacement instead.
    """
    if n <= 4 * size * size:
        return np.stack([rng.choice(n, size, replace=False) for _ in range(count)])
    subsets = rng.integers(0, n, (count, size))
    while True:
        repeated = (np.diff(np.sort(subsets, axis=1), axis=1) == 0).any(axis=1)
        if not repeated.any():
            return subsets
        subsets[repeated] = rng.integers(0, n, (int(repeated.sum()), size))


def _separable(Z: np.ndarray, sign: np.ndarray) -> bool:
    """Is there a w with sign_i z_i'w >= 0 for all i and > 0 for some (quasi-complete separation)?"""
    if np.all(sign > 0) or np.all(sign < 0):
        return True
    signed = sign[:, None] * Z
    # normalise the direction by sum_i sign_i z_i'w = 1, so the zero vector is excluded
    result = optimize.linprog(
        np.zeros(Z.shape[1]),
        A_ub=-signed,
        b_ub=np.zeros(len(sign)),
        A_eq=signed.sum(axis=0)[None, :],
        b_eq=[1.0],
        bounds=[(None, None)] * Z.shape[1],
        method="highs",
    )
    return result.status == 0


def _concatenate(batches):
    from ._em import EMFits

    return EMFits(*(np.concatenate([getattr(b, f) for b in batches]) for f in EMFits.__dataclass_fields__))


def _as_matrix(data, name: str, prefix: str = "x") -> tuple[np.ndarray, list[str]]:
    names = None
    if isinstance(data, pd.Series):
        data = data.to_frame()
    if isinstance(data, pd.DataFrame):
        names = [str(c) for c in data.columns]
        text = [c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])]
        if text:
            raise ValueError(
                f"{name} column {str(text[0])!r} holds {data[text[0]].dtype} values, not numbers: convert it "
                "(pd.to_numeric), or code a category as dummies (a formula does that: 'y ~ C(column)')"
            )
        data = data.to_numpy(dtype=float, na_value=np.nan)
    try:
        matrix = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must hold numbers only ({error})") from None
    if matrix.shape[0] == 0:
        raise ValueError(f"{name} has no cases (shape {matrix.shape}): there is nothing to fit")
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    if matrix.ndim != 2:
        raise ValueError(f"{name} must be 2-dimensional (cases x variables), got shape {matrix.shape}")
    names = names or [f"{prefix}{j}" for j in range(matrix.shape[1])]
    bad_rows = np.flatnonzero(~np.isfinite(matrix).all(axis=1))
    if bad_rows.size:
        column = names[int(np.flatnonzero(~np.isfinite(matrix[bad_rows[0]]))[0])]
        raise ValueError(
            f"{name} has missing or infinite values (first in column {column!r}, "
            f"rows {bad_rows[:10].tolist()}); drop or impute them first"
        )
    return matrix, names


def _reject_constant(matrix: np.ndarray, names: list[str], what: str, why: str) -> None:
    constant = [names[j] for j in range(matrix.shape[1]) if np.ptp(matrix[:, j]) == 0]
    if constant:
        raise ValueError(f"constant {what}(s) {constant}: {why}")


# --------------------------------------------------------------- observed information
def _unpack(theta: np.ndarray, K: int, q: int, m: int):
    coefs = theta[: K * q].reshape(K, q)
    variances = np.exp(2 * theta[K * q : K * q + K])
    gamma = np.vstack([np.zeros((1, m)), theta[K * q + K :].reshape(K - 1, m)])
    return coefs, variances, gamma


def _score(design, y, prior_design, theta, K) -> np.ndarray:
    """Gradient of the mixture log-likelihood in (beta, log sigma, gamma)."""
    q, m = design.shape[1], prior_design.shape[1]
    coefs, variances, gamma = _unpack(theta, K, q, m)
    lp = log_prior(prior_design, gamma)
    _, post = e_step(design, y, lp, coefs, variances)
    resid = y[:, None] - design @ coefs.T
    d_coef = (post * resid / variances).T @ design
    d_log_sigma = (post * (resid**2 / variances - 1)).sum(axis=0)
    d_gamma = (post - np.exp(lp))[:, 1:].T @ prior_design
    return np.concatenate([d_coef.ravel(), d_log_sigma, d_gamma.ravel()])


def _covariance(design, y, prior_design, theta, K) -> np.ndarray:
    """Inverse observed information: numerical Jacobian of the analytic score."""
    hessian = np.empty((theta.size, theta.size))
    for j in range(theta.size):
        step = 1e-5 * max(1.0, abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        hessian[:, j] = (
            _score(design, y, prior_design, up, K) - _score(design, y, prior_design, down, K)
        ) / (2 * step)
    hessian = (hessian + hessian.T) / 2
    try:
        return np.linalg.inv(-hessian)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(-hessian)


# ------------------------------------------------------------------- Spaeth pieces
def _hard_params(design, y, labels, K):
    n, q = design.shape
    coefs = np.zeros((K, q))
    variances = np.empty(K)
    counts = np.bincount(labels, minlength=K)
    for k in range(K):
        members = labels == k
        if counts[k] == 0:
            variances[k] = np.var(y)
            continue
        coefs[k] = np.linalg.lstsq(design[members], y[members], rcond=None)[0]
        variances[k] = max(float(np.mean((y[members] - design[members] @ coefs[k]) ** 2)), 1e-12 * np.var(y))
    return counts / n, coefs, variances


def _pooled_sse(design, y, labels, K) -> float:
    _, coefs, _ = _hard_params(design, y, labels, K)
    return float(np.sum((y - np.einsum("ij,ij->i", design, coefs[labels])) ** 2))


def _spath_exchange(design, y, labels, K, max_pass):
    """Move single cases to the segment that lowers the pooled SSE most, until none does.

    Removing case i from segment a lowers SSE_a by e_ia^2 / (1 - h_ia); adding it to segment b
    raises SSE_b by e_ib^2 / (1 + h_ib), h the leverage in that segment's fit (Spaeth, 1979).
    """
    n, q = design.shape
    labels = labels.copy()
    min_size = q + 1
    # make every segment identifiable before exchanging
    for k in range(K):
        if np.sum(labels == k) < min_size:
            largest = np.argmax(np.bincount(labels, minlength=K))
            donors = np.flatnonzero(labels == largest)[:min_size]
            labels[donors] = k
    inverses, coefs = _segment_fits(design, y, labels, K)
    converged = False
    n_pass = 0
    while n_pass < max_pass:
        n_pass += 1
        moved = False
        for i in range(n):
            a = labels[i]
            if np.sum(labels == a) <= min_size:
                continue
            x = design[i]
            resid = y[i] - coefs @ x
            leverage = np.einsum("j,kjl,l->k", x, inverses, x)
            gain = resid[a] ** 2 / (1 - leverage[a])
            cost = resid**2 / (1 + leverage)
            cost[a] = np.inf
            b = int(np.argmin(cost))
            if cost[b] < gain - 1e-12 * (1 + gain):
                labels[i] = b
                for k in (a, b):
                    members = labels == k
                    gram = design[members].T @ design[members]
                    inverses[k] = np.linalg.pinv(gram)
                    coefs[k] = inverses[k] @ (design[members].T @ y[members])
                moved = True
        if not moved:
            converged = True
            break
    return labels, converged, n_pass


def _segment_fits(design, y, labels, K):
    q = design.shape[1]
    inverses = np.empty((K, q, q))
    coefs = np.empty((K, q))
    for k in range(K):
        members = labels == k
        inverses[k] = np.linalg.pinv(design[members].T @ design[members])
        coefs[k] = inverses[k] @ (design[members].T @ y[members])
    return inverses, coefs
