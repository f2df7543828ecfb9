"""Batched EM for mixtures of Gaussian regressions: every random start advances in one array.

Per EM step and start, the work is a few passes over an n x K array; at survey sizes (10^3 -
10^4 cases) the Python overhead of a step would dominate if each start ran on its own. Here
the S starts are stacked side by side as S * K columns, so one step costs the same dozen
NumPy calls whether there is one start or twenty (``benchmarks/clusterwise_vs_flexmix.py``).

Stopping rule (Böhning, Dietz, Schaub, Schlattmann & Lindsay, 1994; McNicholas, Murphy,
McDaid & Frost, 2010): EM converges linearly, so small steps do not mean being close on a flat
likelihood. The rate is estimated from two successive steps (Aitken) and the remaining
distance extrapolated: a start stops when the extrapolated remaining log-likelihood gain is
below ``tol`` *and* the extrapolated remaining parameter change (largest, relative to
``1 + |theta|``) is below ``param_tol`` (``sqrt(tol)`` unless given; infinite when only the
log-likelihood matters, as when starts are screened).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_LOG_2PI = np.log(2 * np.pi)
# gram matrices from precomputed outer products up to this many stored numbers (n q^2)
_OUTER_LIMIT = 30_000_000


@dataclass
class EMFits:
    """Final state of each start: arrays with the starts along the first axis."""

    log_likelihood: np.ndarray  # (S,)
    gamma: np.ndarray  # (S, K, m) prior logits, component 1 the reference
    coefs: np.ndarray  # (S, K, q)
    variances: np.ndarray  # (S, K)
    converged: np.ndarray  # (S,) bool
    collapsed: np.ndarray  # (S,) bool: a variance reached the floor or a segment emptied
    n_iter: np.ndarray  # (S,) int


def log_prior(prior_design: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """Log prior segment probabilities for one start: a K-vector, or n x K with concomitants."""
    if prior_design.shape[1] == 1:
        eta = gamma[:, 0]
        top = eta.max()
        return eta - top - np.log(np.exp(eta - top).sum())
    eta = prior_design @ gamma.T
    top = eta.max(axis=1, keepdims=True)
    return eta - top - np.log(np.exp(eta - top).sum(axis=1, keepdims=True))


def e_step(design, y, log_prior_, coefs, variances) -> tuple[float, np.ndarray]:
    """Log-likelihood and posterior segment probabilities of one parameter set."""
    resid = y[:, None] - design @ coefs.T
    log_joint = log_prior_ - 0.5 * (_LOG_2PI + np.log(variances)) - 0.5 * resid**2 / variances
    top = log_joint.max(axis=1, keepdims=True)
    post = np.exp(log_joint - top)
    total = post.sum(axis=1, keepdims=True)
    post /= total
    return float(np.sum(np.log(total)) + np.sum(top)), post


# ridge on the prior logits: keeps coefficients that a concomitant variable separates finite, so
# EM converges; identified coefficients, with curvature of order n, move by about 1e-3 / n
PRIOR_RIDGE = 1e-3


def prior_steps(prior_design: np.ndarray, resp: np.ndarray, gamma: np.ndarray) -> np.ndarray:
    """M-step of the prior logits of S starts with concomitant variables: one Newton step each.

    The step raises the posterior-weighted multinomial log-likelihood minus
    ``PRIOR_RIDGE / 2`` times the squared coefficients (a weakly informative prior, as
    recommended for separation in logistic regression by Gelman, Jakulin, Pittau & Su, 2008)
    by one Newton step, halved until the objective does not fall: a generalised EM step
    (Dempster, Laird & Rubin, 1977), monotone and with the same fixed point as maximising
    fully, at a fraction of the cost. ``resp`` is n x S x K, ``gamma`` S x K x m; each start
    takes its own step and halving, with the arithmetic batched over the starts.
    """
    S, K, m = gamma.shape
    free = (
        gamma[:, 1:, :].reshape(S, (K - 1) * m).copy()
    )  # a view otherwise: the caller's gamma must not change
    value, grad, hessian = _prior_objectives(prior_design, resp, free, K)
    step = np.linalg.solve(hessian, grad[..., None])[..., 0]
    pending = np.ones(S, bool)
    for _ in range(30):
        candidate = free[pending] - step[pending]
        better = (
            _prior_objectives(prior_design, resp[:, pending], candidate, K, value_only=True) >= value[pending]
        )
        rows = np.flatnonzero(pending)
        free[rows[better]] = candidate[better]
        pending[rows[better]] = False
        if not pending.any():
            break
        step[pending] /= 2
    return np.concatenate([np.zeros((S, 1, m)), free.reshape(S, K - 1, m)], axis=1)


def _prior_objectives(prior_design, resp, free, K, *, value_only=False):
    """Penalised objective of S starts: values (S,), gradients (S, p), Hessians (S, p, p)."""
    n, m = prior_design.shape
    S = free.shape[0]
    gamma = np.concatenate([np.zeros((S, 1, m)), free.reshape(S, K - 1, m)], axis=1)
    eta = (prior_design @ gamma.reshape(S * K, m).T).reshape(n, S, K)
    lp = eta - _logsumexp_last(eta)[..., None]
    value = np.einsum("nsk,nsk->s", resp, lp) - 0.5 * PRIOR_RIDGE * np.einsum("sp,sp->s", free, free)
    if value_only:
        return value
    p = np.exp(lp[:, :, 1:])  # n x S x (K - 1)
    grad = np.einsum("nsj,na->sja", resp[:, :, 1:] - p, prior_design).reshape(S, -1) - PRIOR_RIDGE * free
    # each case is one multinomial trial (its posteriors sum to 1): -sum_i (diag p_i - p_i p_i') x z_i z_i',
    # as one matrix product over the cases
    weights = (p[..., :, None] * (np.eye(K - 1) - p[..., None, :])).reshape(n, S * (K - 1) ** 2)
    cross = (prior_design[:, :, None] * prior_design[:, None, :]).reshape(n, m * m)
    blocks = (weights.T @ cross).reshape(S, K - 1, K - 1, m, m).transpose(0, 1, 3, 2, 4)
    hessian = -blocks.reshape(S, (K - 1) * m, (K - 1) * m) - PRIOR_RIDGE * np.eye((K - 1) * m)
    return value, grad, hessian


class _Gram:
    """Weighted cross-products X' diag(w) X for many weight vectors at once."""

    def __init__(self, design: np.ndarray) -> None:
        self.design = design
        n, q = design.shape
        self.outer = (
            (design[:, :, None] * design[:, None, :]).reshape(n, q * q) if n * q * q <= _OUTER_LIMIT else None
        )

    def __call__(self, weights: np.ndarray) -> np.ndarray:
        q = self.design.shape[1]
        if self.outer is not None:
            return (weights.T @ self.outer).reshape(-1, q, q)
        return np.stack([(self.design * w[:, None]).T @ self.design for w in weights.T])


def run_em(
    design: np.ndarray,
    y: np.ndarray,
    prior_design: np.ndarray,
    gamma: np.ndarray,
    coefs: np.ndarray,
    variances: np.ndarray,
    *,
    floor: float,
    max_iter: int,
    tol: float,
    param_tol: float | None = None,
) -> EMFits:
    """EM from S starting points, each to convergence, collapse or ``max_iter``.

    ``gamma`` (S, K, m), ``coefs`` (S, K, q), ``variances`` (S, K) are the starting values. A
    start collapses, and stops, as soon as a segment's variance reaches ``floor`` (an exact fit
    of tied answers) or its weighted size falls below one case. Without concomitant variables
    the compiled kernel runs; with them, the batched NumPy EM.
    """
    if prior_design.shape[1] > 1:
        return run_em_batched(
            design,
            y,
            prior_design,
            gamma,
            coefs,
            variances,
            floor=floor,
            max_iter=max_iter,
            tol=tol,
            param_tol=param_tol,
        )
    from ._em_kernel import em_constant_priors

    log_w0 = gamma[:, :, 0] - _logsumexp_rows(gamma[:, :, 0])[:, None]
    ll, log_w, out_coefs, out_var, converged, collapsed, n_iter = em_constant_priors(
        design,
        y,
        log_w0,
        coefs,
        variances,
        floor,
        max_iter,
        tol,
        np.sqrt(tol) if param_tol is None else param_tol,
    )
    with np.errstate(invalid="ignore"):
        out_gamma = (log_w - log_w[:, :1])[:, :, None]
    return EMFits(ll, out_gamma, out_coefs, out_var, converged, collapsed, n_iter)


def run_em_batched(
    design: np.ndarray,
    y: np.ndarray,
    prior_design: np.ndarray,
    gamma: np.ndarray,
    coefs: np.ndarray,
    variances: np.ndarray,
    *,
    floor: float,
    max_iter: int,
    tol: float,
    param_tol: float | None = None,
) -> EMFits:
    """:func:`run_em` with all starts as columns of one array (any priors, pure NumPy)."""
    n, q = design.shape
    S, K, m = gamma.shape
    gram_of = _Gram(design)
    y_col = y[:, None]
    ridge = 1e-10 * np.eye(q)
    param_tol = np.sqrt(tol) if param_tol is None else param_tol
    out = EMFits(
        log_likelihood=np.full(S, -np.inf),
        gamma=gamma.copy(),
        coefs=coefs.copy(),
        variances=variances.copy(),
        converged=np.zeros(S, bool),
        collapsed=np.zeros(S, bool),
        n_iter=np.zeros(S, int),
    )
    active = np.arange(S)
    gamma, coefs, variances = gamma.copy(), coefs.copy(), variances.copy()
    ll_hist = np.full((S, 2), -np.inf)  # the two previous log-likelihoods
    step_hist = np.full(S, np.inf)  # the previous parameter step
    theta_old = None
    resid = y_col - design @ coefs.reshape(S * K, q).T
    for iteration in range(1, max_iter + 1):
        s_act = len(active)
        # E-step at the current parameters of every active start
        if m == 1:
            lp = (gamma[:, :, 0] - _logsumexp_rows(gamma[:, :, 0])[:, None]).reshape(1, s_act * K)
        else:
            eta = (prior_design @ gamma.reshape(s_act * K, m).T).reshape(n, s_act, K)
            lp = (eta - _logsumexp_last(eta)[..., None]).reshape(n, s_act * K)
        flat_var = variances.reshape(s_act * K)
        log_joint = (lp - 0.5 * (_LOG_2PI + np.log(flat_var)) - 0.5 * resid**2 / flat_var).reshape(
            n, s_act, K
        )
        top = _max_last(log_joint)[..., None]
        post = np.exp(log_joint - top)
        total = _sum_last(post)[..., None]
        post /= total
        ll = np.log(total[..., 0]).sum(axis=0) + top[..., 0].sum(axis=0)

        # convergence of each start from its last two steps (Aitken extrapolation)
        theta = _theta(gamma, coefs, variances)
        gain = ll - ll_hist[active, 1]
        if theta_old is not None:
            step = np.max(np.abs(theta - theta_old) / (1 + np.abs(theta)), axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                rate_ll = gain / (ll_hist[active, 1] - ll_hist[active, 0])
                rate_step = step / step_hist[active]
            # a rate needs two finite steps; until then nothing is extrapolated
            rate_ll = np.where(np.isfinite(ll_hist[active, 0]), rate_ll, np.nan)
            rate_step = np.where(np.isfinite(step_hist[active]), rate_step, np.nan)
            with np.errstate(divide="ignore", invalid="ignore"):
                remaining_ll = np.where(
                    (rate_ll >= 0) & (rate_ll < 1), gain * rate_ll / (1 - rate_ll), np.inf
                )
                remaining_step = np.where(rate_step < 1, step * rate_step / (1 - rate_step), np.inf)
            # a change at the round-off of the log-likelihood's sum is no change
            remaining_ll = np.where(np.abs(gain) <= 1e-13 * np.abs(ll), np.abs(gain), remaining_ll)
            done = (remaining_ll < tol) & (remaining_step < param_tol) | (step == 0)
            step_hist[active] = step
        else:
            done = np.zeros(s_act, bool)
        ll_hist[active, 0], ll_hist[active, 1] = ll_hist[active, 1], ll

        # M-step: weighted least squares per segment, ML variances, priors
        weights = post.reshape(n, s_act * K)
        sizes = weights.sum(axis=0)
        gram = gram_of(weights)
        moment = (weights * y_col).T @ design
        new_coefs = np.linalg.solve(
            gram + ridge * np.trace(gram, axis1=1, axis2=2)[:, None, None], moment[..., None]
        )[..., 0]
        new_resid = y_col - design @ new_coefs.T
        raw_var = (weights * new_resid**2).sum(axis=0) / np.maximum(sizes, 1e-300)
        last = iteration == max_iter
        collapsed = ((raw_var <= floor) | (sizes < 1.0)).reshape(s_act, K).any(axis=1) & ~done & (not last)
        if m == 1:
            with np.errstate(divide="ignore"):
                log_w = np.log(sizes.reshape(s_act, K) / n)
            new_gamma = (log_w - log_w[:, :1])[:, :, None]
        else:
            new_gamma = prior_steps(prior_design, post, gamma)

        finished = done | collapsed | last
        if finished.any():
            idx = active[finished]
            out.log_likelihood[idx] = ll[finished]
            out.gamma[idx], out.coefs[idx], out.variances[idx] = (
                gamma[finished],
                coefs[finished],
                variances[finished],
            )
            out.converged[idx] = done[finished]
            out.collapsed[idx] = collapsed[finished]
            out.n_iter[idx] = iteration
        keep = ~finished
        if not keep.any():
            break
        theta_old = theta[keep]
        gamma = new_gamma[keep]
        coefs = new_coefs.reshape(s_act, K, q)[keep]
        variances = np.maximum(raw_var, floor).reshape(s_act, K)[keep]
        resid = new_resid.reshape(n, s_act, K)[:, keep, :].reshape(n, -1)
        active = active[keep]
    return out


def _theta(gamma: np.ndarray, coefs: np.ndarray, variances: np.ndarray) -> np.ndarray:
    """The parameters of each start as one row: coefficients, log SDs, prior logits."""
    S = coefs.shape[0]
    return np.concatenate([coefs.reshape(S, -1), 0.5 * np.log(variances), gamma.reshape(S, -1)], axis=1)


def _logsumexp_rows(a: np.ndarray) -> np.ndarray:
    top = a.max(axis=1)
    return top + np.log(np.exp(a - top[:, None]).sum(axis=1))


def _max_last(a: np.ndarray) -> np.ndarray:
    """``a.max(axis=-1)`` for a short last axis (segments): elementwise over it, twice as fast."""
    top = a[..., 0].copy()
    for k in range(1, a.shape[-1]):
        np.maximum(top, a[..., k], out=top)
    return top


def _sum_last(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=-1)`` for a short last axis, in the same order."""
    total = a[..., 0].copy()
    for k in range(1, a.shape[-1]):
        total += a[..., k]
    return total


def _logsumexp_last(a: np.ndarray) -> np.ndarray:
    top = _max_last(a)
    return top + np.log(_sum_last(np.exp(a - top[..., None])))
