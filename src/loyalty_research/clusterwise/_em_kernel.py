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

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from functools import cache

import numba
import numpy as np
from threadpoolctl import ThreadpoolController

_LOG_2PI = float(np.log(2 * np.pi))
# largest number of stored case products (:func:`case_products`) the M-step uses
PRODUCTS_LIMIT = 2_500_000
# reassociated sums vectorise; no assumptions about infinities (a proportion's log may be -inf)
_FAST = {"reassoc", "contract"}


# exp(r) on |r| <= log(2) / 2 by its Taylor series to r^13 / 13!: truncation below 2e-18
_EXP_TAYLOR = tuple(1.0 / float(np.prod(np.arange(1, j + 1))) for j in range(14))
_LOG2E = 1.4426950408889634
# log(2) split so that k * _LN2_HI is exact for |k| < 2^11 (Cody & Waite, 1980)
_LN2_HI = 0.693147180369123816490
_LN2_LO = 1.90821492927058770002e-10
# below this exp(x) is subnormal; it counts as 0 (a posterior under 1e-307)
_EXP_MIN = -708.0


@numba.njit(cache=True, fastmath=_FAST, nogil=True)
def _exp_shifted(x, shift, bits, total):  # pragma: no cover - compiled
    """``x[i] = exp(x[i] - shift[i])`` for ``x[i] <= shift[i]``, to one unit in the last place,
    vectorised, and ``total[i] += x[i]``.

    LLVM calls libm's scalar ``exp`` one element at a time (4 ns each, most of an E-step);
    here the argument is reduced to ``r = x - k log 2`` with ``k`` an integer, ``exp(r)``
    is a polynomial and ``2^k`` is written into the exponent bits, all in SIMD lanes.
    ``bits`` is scratch space of the same length.
    """
    n = x.shape[0]
    scale = bits.view(np.float64)
    c = _EXP_TAYLOR
    for i in range(n):
        d = x[i] - shift[i]
        xi = max(d, _EXP_MIN)
        k = np.floor(xi * _LOG2E + 0.5)
        r = (xi - k * _LN2_HI) - k * _LN2_LO
        p = c[13]
        for j in range(12, -1, -1):  # Horner's rule; a constant trip count, unrolled
            p = p * r + c[j]
        x[i] = p if d >= _EXP_MIN else 0.0
        bits[i] = (np.int64(k) + 1023) << 52
    for i in range(n):
        x[i] *= scale[i]
        total[i] += x[i]


@numba.njit(cache=True, fastmath=_FAST, nogil=True)
def _sum_of_logs(values):  # pragma: no cover - compiled
    """``sum(log(values))`` for values in [1, 1e9]: one log per 32 values, of their product."""
    n = values.shape[0]
    total = 0.0
    for start in range(0, n, 32):
        product = 1.0
        for i in range(start, min(start + 32, n)):
            product *= values[i]
        total += np.log(product)
    return total


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


@numba.njit(cache=True, nogil=True)
def _solve_positive_definite(a, b, out):  # pragma: no cover - compiled
    """``out = a^-1 b`` by Cholesky for a small positive definite ``a`` (overwritten).

    A call into LAPACK costs more than the arithmetic of a 5 x 5 system. Returns False, with
    ``out`` undefined, when a pivot is not positive (``a`` not positive definite in floating
    point despite the ridge).
    """
    q = a.shape[0]
    for j in range(q):
        d = a[j, j]
        for m in range(j):
            d -= a[j, m] * a[j, m]
        if not d > 0.0:
            return False
        d = np.sqrt(d)
        a[j, j] = d
        for i in range(j + 1, q):
            v = a[i, j]
            for m in range(j):
                v -= a[i, m] * a[j, m]
            a[i, j] = v / d
    for i in range(q):
        v = b[i]
        for m in range(i):
            v -= a[i, m] * out[m]
        out[i] = v / a[i, i]
    for i in range(q - 1, -1, -1):
        v = out[i]
        for m in range(i + 1, q):
            v -= a[m, i] * out[m]
        out[i] = v / a[i, i]
    return True


@numba.njit(cache=True, error_model="numpy", fastmath=_FAST, nogil=True)
def _weighted_fit(  # pragma: no cover - compiled
    design_t, y, w, coefs, squared, weighted, fitted, gram, factor, moment
):
    """Weighted least squares of ``y`` with case weights ``w``: :func:`_finish_fit` after
    summing the gram matrix and moments over the cases. ``weighted`` is scratch space (n)."""
    q, n = design_t.shape
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
    return size, _finish_fit(design_t, y, w, size, gram, moment, coefs, squared, fitted, factor)


@numba.njit(cache=True, error_model="numpy", fastmath=_FAST, nogil=True)
def _finish_fit(  # pragma: no cover - compiled
    design_t, y, w, size, gram, moment, coefs, squared, fitted, factor
):
    """Solve the weighted normal equations (ridge ``1e-10`` times the trace; ``gram`` changes).

    Writes the coefficients into ``coefs`` and the squared residuals into ``squared`` (the next
    E-step's input) and returns the weighted mean squared residual (the ML variance).
    ``fitted`` (n) and ``factor`` (q x q) are scratch space.
    """
    q, n = design_t.shape
    trace = 0.0
    for a in range(q):
        trace += gram[a, a]
    for a in range(q):
        gram[a, a] += 1e-10 * trace
    factor[:] = gram
    if not _solve_positive_definite(factor, moment, coefs):
        coefs[:] = np.linalg.solve(gram, moment)
    _line(design_t, coefs, fitted)
    sse = 0.0
    for i in range(n):
        r = y[i] - fitted[i]
        squared[i] = r * r
        sse += w[i] * squared[i]
    return sse / max(size, 1e-300)


def case_products(design: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per case (rows): 1, then ``x_a x_b`` for ``a <= b``, then ``x_a y``.

    The M-step's sums for all K segments are then one matrix product, posteriors (K x n) times
    this (n x R), which BLAS does several times faster than q (q + 3) / 2 loops over the cases.
    """
    q = design.shape[1]
    upper = np.triu_indices(q)
    return np.ascontiguousarray(
        np.column_stack([np.ones(len(y)), design[:, upper[0]] * design[:, upper[1]], design * y[:, None]])
    )


@numba.njit(cache=True, fastmath=_FAST, nogil=True)
def _nearest_lines(design_t, y, lines):  # pragma: no cover - compiled
    n = design_t.shape[1]
    S, K, _ = lines.shape
    labels = np.zeros((S, n), np.int64)
    fitted = np.empty(n)
    best = np.empty(n)
    for s in range(S):
        lab = labels[s]
        for k in range(K):
            _line(design_t, lines[s, k], fitted)
            for i in range(n):
                d = abs(y[i] - fitted[i])
                if k == 0 or d < best[i]:
                    best[i] = d
                    lab[i] = k
    return labels


@numba.njit(cache=True, error_model="numpy", fastmath=_FAST, nogil=True)
def _soft_starts(design_t, y, labels, K, floor, own):  # pragma: no cover - compiled
    q, n = design_t.shape
    S = labels.shape[0]
    other = (1.0 - own) / max(K - 1, 1)
    log_w = np.empty((S, K))
    coefs = np.empty((S, K, q))
    var = np.empty((S, K))
    w = np.empty(n)
    squared = np.empty(n)
    weighted = np.empty(n)
    fitted = np.empty(n)
    gram = np.empty((q, q))
    factor = np.empty((q, q))
    moment = np.empty(q)
    for s in range(S):
        lab = labels[s]
        for k in range(K):
            for i in range(n):
                w[i] = own if lab[i] == k else other
            size, raw = _weighted_fit(
                design_t, y, w, coefs[s, k], squared, weighted, fitted, gram, factor, moment
            )
            var[s, k] = max(raw, floor)
            log_w[s, k] = np.log(size / n)
    return log_w, coefs, var


def nearest_lines(design: np.ndarray, y: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Labels (S, n): for each of S sets of K lines (S, K, q), each case's nearest line (first on ties)."""
    return _nearest_lines(
        np.ascontiguousarray(design.T, dtype=float), np.ascontiguousarray(y, dtype=float), lines
    )


START_OWN_WEIGHT = 0.95
"""A soft start's weight on a case's own segment; the other segments share the rest."""


def soft_starts(
    design: np.ndarray, y: np.ndarray, labels: np.ndarray, K: int, floor: float, own: float = START_OWN_WEIGHT
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One M-step from each row of hard labels, softened: weight ``own`` on a case's own segment and
    the rest shared by the others. Returns log proportions (S, K), coefficients (S, K, q) and
    variances (S, K), at least ``floor``."""
    own = 1.0 if K == 1 else own
    return _soft_starts(
        np.ascontiguousarray(design.T, dtype=float),
        np.ascontiguousarray(y, dtype=float),
        np.ascontiguousarray(labels, dtype=np.int64),
        K,
        float(floor),
        float(own),
    )


@numba.njit(cache=True, error_model="numpy", fastmath=_FAST, nogil=True)
def _one_start(  # pragma: no cover - compiled
    design_t, y, products, log_w0, coefs0, var0, floor, max_iter, tol, param_tol
):
    q, n = design_t.shape
    K = log_w0.shape[0]
    use_products = products.shape[0] == n
    sums = np.empty((K, products.shape[1]))
    n_theta = K * q + 2 * K
    post = np.empty((K, n))
    squared = np.empty((K, n))
    top = np.empty(n)
    total = np.empty(n)
    bits = np.empty(n, np.int64)
    fitted = np.empty(n)
    weighted = np.empty(n)
    theta = np.empty(n_theta)
    theta_old = np.empty(n_theta)
    gram = np.empty((q, q))
    factor = np.empty((q, q))
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
        if iteration == 1:
            for k in range(K):
                _line(design_t, coefs[k], fitted)
                row = squared[k]
                for i in range(n):
                    r = y[i] - fitted[i]
                    row[i] = r * r
        # normalised over k, one segment at a time so that every loop runs over the cases; the
        # running maximum over segments is taken as the rows are written
        for k in range(K):
            row = post[k]
            sq = squared[k]
            lc = log_const[k]
            hp = half_precision[k]
            if k == 0:
                for i in range(n):
                    row[i] = lc - hp * sq[i]
                    top[i] = row[i]
            else:
                for i in range(n):
                    row[i] = lc - hp * sq[i]
                    top[i] = max(top[i], row[i])
        total[:] = 0.0
        for k in range(K):
            _exp_shifted(post[k], top, bits, total)
        for i in range(n):
            fitted[i] = 1.0 / total[i]
        for k in range(K):
            row = post[k]
            for i in range(n):
                row[i] *= fitted[i]
        ll = _sum_of_logs(total)
        for i in range(n):
            ll += top[i]
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
        if use_products:
            np.dot(post, products, sums)
        for k in range(K):
            if use_products:
                size = sums[k, 0]
                t = 1
                for a in range(q):
                    for b in range(a, q):
                        gram[a, b] = sums[k, t]
                        gram[b, a] = sums[k, t]
                        t += 1
                for a in range(q):
                    moment[a] = sums[k, t + a]
                raw = _finish_fit(
                    design_t, y, post[k], size, gram, moment, new_coefs[k], squared[k], fitted, factor
                )
            else:
                size, raw = _weighted_fit(
                    design_t, y, post[k], new_coefs[k], squared[k], weighted, fitted, gram, factor, moment
                )
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
    design_t, y, products, log_w0, coefs0, var0, floor, max_iter, tol, param_tol, first, last, out
):  # pragma: no cover
    out_ll, out_log_w, out_coefs, out_var, out_conv, out_coll, out_iter = out
    for s in range(first, last):
        ll, log_w, coefs, var, conv, coll, it = _one_start(
            design_t, y, products, log_w0[s], coefs0[s], var0[s], floor, max_iter, tol, param_tol
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
    q = design_t.shape[0]
    # the products cost (q + 1) (q + 2) / 2 numbers per case: used up to about 20 MB
    products = (
        case_products(design, y) if len(y) * (q + 1) * (q + 2) // 2 <= PRODUCTS_LIMIT else np.empty((0, 1))
    )
    args = (
        design_t,
        y,
        products,
        log_w0,
        coefs0,
        var0,
        float(floor),
        int(max_iter),
        float(tol),
        float(param_tol),
    )
    threads = min(S, numba.config.NUMBA_NUM_THREADS)
    if threads <= 1:
        _starts(*args, 0, S, out)
        return out
    bounds = np.linspace(0, S, threads + 1).astype(int)
    pool = _thread_pool(os.getpid(), threads)
    jobs = [pool.submit(_starts, *args, bounds[t], bounds[t + 1], out) for t in range(threads)]
    for job in jobs:
        job.result()
    return out


@cache
def _thread_pool(pid: int, threads: int) -> ThreadPoolExecutor:
    """One pool per process (a forked worker makes its own) and thread count: starting threads
    costs about a tenth of a fit at 1,000 cases."""
    return ThreadPoolExecutor(threads)


@cache
def _controller() -> ThreadpoolController:
    return ThreadpoolController()


def single_threaded_blas() -> AbstractContextManager:
    """A context in which NumPy's and SciPy's BLAS use one thread."""
    return _controller().limit(limits=1, user_api="blas")
