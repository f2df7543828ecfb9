"""Compiled EM for mixtures of regressions with constant priors (numba).

At survey sizes an EM step is a few thousand floating-point operations, so a NumPy step is
all call overhead: at n = 300, K = 2 and five starts, 0.37 ms per step against a few
microseconds here (``benchmarks/clusterwise_vs_flexmix.py``). It is the same algorithm as
:func:`loyalty_research.clusterwise._em.run_em` without concomitant variables, step for step:
the same E- and M-steps, ridge, floor, collapse rule and Aitken stopping rule; the tests
check that both reach the same fixed point.

The design is stored transposed (one predictor per row), so every inner loop runs over the
cases and compiles to SIMD instructions; sums may be reassociated (``fastmath`` "reassoc"),
which changes results only at round-off. The kernel releases the GIL, and
:func:`em_constant_priors` runs the starts on ``numba.config.NUMBA_NUM_THREADS`` threads
(joblib's workers set it to their share of the cores), without OpenMP, so it is safe
under fork and threads. During a fit BLAS runs on one thread (:func:`single_threaded_blas`):
its matrices are n x 5, and OpenBLAS's idle threads spin on the cores the starts need
(measured: two threads 1.1x faster than one with them, 1.9x without).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from functools import cache

import numba
import numpy as np
from threadpoolctl import ThreadpoolController

_LOG_2PI = float(np.log(2 * np.pi))
# reassociated sums vectorise; no assumptions about infinities (a proportion's log may be -inf)
_FAST = {"reassoc", "contract"}


@numba.njit(cache=True, fastmath=_FAST, nogil=True)
def _line(design_t, coefs, out):  # pragma: no cover - compiled
    """``out[i] = x_i' coefs`` for every case, vectorised over the cases."""
    q, n = design_t.shape
    for i in range(n):
        out[i] = coefs[0] * design_t[0, i]
    for j in range(1, q):
        c = coefs[j]
        xj = design_t[j]
        for i in range(n):
            out[i] += c * xj[i]


@numba.njit(cache=True, error_model="numpy", fastmath=_FAST, nogil=True)
def _one_start(  # pragma: no cover - compiled
    design_t, y, log_w0, coefs0, var0, floor, max_iter, tol, param_tol
):
    q, n = design_t.shape
    K = log_w0.shape[0]
    n_theta = K * q + 2 * K
    post = np.empty((K, n))
    fitted = np.empty(n)
    weighted = np.empty(n)
    theta = np.empty(n_theta)
    theta_old = np.empty(n_theta)
    gram = np.empty((q, q))
    moment = np.empty(q)
    log_const = np.empty(K)
    half_precision = np.empty(K)
    log_w = log_w0.copy()
    coefs = coefs0.copy()
    var = var0.copy()
    new_coefs = np.empty((K, q))
    new_var = np.empty(K)
    new_log_w = np.empty(K)
    ll_1 = -np.inf
    ll_2 = -np.inf
    step_1 = np.inf
    for iteration in range(1, max_iter + 1):
        # E-step: log joint of case i and segment k in post[k, i], then normalised over k
        norm = -np.inf
        for k in range(K):
            norm = max(norm, log_w[k])
        total_w = 0.0
        for k in range(K):
            total_w += np.exp(log_w[k] - norm)
        norm += np.log(total_w)
        for k in range(K):
            log_const[k] = log_w[k] - norm - 0.5 * (_LOG_2PI + np.log(var[k]))
            half_precision[k] = 0.5 / var[k]
        for k in range(K):
            row = post[k]
            _line(design_t, coefs[k], fitted)
            lc = log_const[k]
            hp = half_precision[k]
            for i in range(n):
                r = y[i] - fitted[i]
                row[i] = lc - hp * r * r
        ll = 0.0
        for i in range(n):
            top = post[0, i]
            for k in range(1, K):
                if post[k, i] > top:
                    top = post[k, i]
            total = 0.0
            for k in range(K):
                e = np.exp(post[k, i] - top)
                post[k, i] = e
                total += e
            inv = 1.0 / total
            for k in range(K):
                post[k, i] *= inv
            ll += np.log(total) + top
        # convergence from the last two steps (Aitken extrapolation)
        t = 0
        for k in range(K):
            for j in range(q):
                theta[t] = coefs[k, j]
                t += 1
        for k in range(K):
            theta[t] = 0.5 * np.log(var[k])
            t += 1
        for k in range(K):
            theta[t] = log_w[k] - log_w[0]
            t += 1
        done = False
        if iteration > 1:
            step = 0.0
            for t in range(n_theta):
                d = abs(theta[t] - theta_old[t]) / (1.0 + abs(theta[t]))
                if d > step:
                    step = d
            gain = ll - ll_1
            remaining_ll = np.inf
            if np.isfinite(ll_2):
                rate = gain / (ll_1 - ll_2)
                if rate >= 0 and rate < 1:
                    remaining_ll = gain * rate / (1 - rate)
            if abs(gain) <= 1e-13 * abs(ll):
                remaining_ll = abs(gain)
            remaining_step = np.inf
            if np.isfinite(step_1):
                rate_step = step / step_1
                if rate_step < 1:
                    remaining_step = step * rate_step / (1 - rate_step)
            done = (remaining_ll < tol and remaining_step < param_tol) or step == 0.0
            step_1 = step
        ll_2 = ll_1
        ll_1 = ll
        for t in range(n_theta):
            theta_old[t] = theta[t]
        if done or iteration == max_iter:
            return ll, log_w, coefs, var, done, False, iteration
        # M-step: weighted least squares per segment, ML variances, proportions
        collapsed = False
        for k in range(K):
            w = post[k]
            size = 0.0
            for i in range(n):
                size += w[i]
            for a in range(q):
                xa = design_t[a]
                for i in range(n):
                    weighted[i] = w[i] * xa[i]
                acc = 0.0
                for i in range(n):
                    acc += weighted[i] * y[i]
                moment[a] = acc
                for b in range(a, q):
                    xb = design_t[b]
                    acc = 0.0
                    for i in range(n):
                        acc += weighted[i] * xb[i]
                    gram[a, b] = acc
                    gram[b, a] = acc
            trace = 0.0
            for a in range(q):
                trace += gram[a, a]
            for a in range(q):
                gram[a, a] += 1e-10 * trace
            new_coefs[k] = np.linalg.solve(gram, moment)
            _line(design_t, new_coefs[k], fitted)
            sse = 0.0
            for i in range(n):
                r = y[i] - fitted[i]
                sse += w[i] * r * r
            raw = sse / max(size, 1e-300)
            if raw <= floor or size < 1.0:
                collapsed = True
            new_var[k] = max(raw, floor)
            new_log_w[k] = np.log(size / n) if size > 0 else -np.inf
        if collapsed:
            return ll, log_w, coefs, var, False, True, iteration
        coefs, new_coefs = new_coefs, coefs
        var, new_var = new_var, var
        log_w, new_log_w = new_log_w, log_w
    return ll_1, log_w, coefs, var, False, False, max_iter


@numba.njit(cache=True, error_model="numpy", nogil=True)
def _starts(
    design_t, y, log_w0, coefs0, var0, floor, max_iter, tol, param_tol, first, last, out
):  # pragma: no cover
    out_ll, out_log_w, out_coefs, out_var, out_conv, out_coll, out_iter = out
    for s in range(first, last):
        ll, log_w, coefs, var, conv, coll, it = _one_start(
            design_t, y, log_w0[s], coefs0[s], var0[s], floor, max_iter, tol, param_tol
        )
        out_ll[s] = ll
        out_log_w[s] = log_w
        out_coefs[s] = coefs
        out_var[s] = var
        out_conv[s] = conv
        out_coll[s] = coll
        out_iter[s] = it


def em_constant_priors(design, y, log_w0, coefs0, var0, floor, max_iter, tol, param_tol):
    """EM from each of S starts: log-likelihoods, log proportions, coefficients, variances, flags."""
    S = log_w0.shape[0]
    design_t = np.ascontiguousarray(design.T, dtype=float)
    y = np.ascontiguousarray(y, dtype=float)
    log_w0, coefs0, var0 = (np.ascontiguousarray(a, dtype=float) for a in (log_w0, coefs0, var0))
    out = (
        np.full(S, -np.inf),
        log_w0.copy(),
        coefs0.copy(),
        var0.copy(),
        np.zeros(S, np.bool_),
        np.zeros(S, np.bool_),
        np.zeros(S, np.int64),
    )
    args = (design_t, y, log_w0, coefs0, var0, float(floor), int(max_iter), float(tol), float(param_tol))
    threads = min(S, numba.config.NUMBA_NUM_THREADS)
    if threads <= 1:
        _starts(*args, 0, S, out)
        return out
    bounds = np.linspace(0, S, threads + 1).astype(int)
    with ThreadPoolExecutor(threads) as pool:
        jobs = [pool.submit(_starts, *args, bounds[t], bounds[t + 1], out) for t in range(threads)]
        for job in jobs:
            job.result()
    return out


@cache
def _controller() -> ThreadpoolController:
    return ThreadpoolController()


def single_threaded_blas() -> AbstractContextManager:
    """A context in which NumPy's and SciPy's BLAS use one thread."""
    return _controller().limit(limits=1, user_api="blas")
