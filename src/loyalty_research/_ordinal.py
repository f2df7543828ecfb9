"""Factor models of ordinal answers: polychoric correlations, their asymptotic covariance and
diagonally weighted least squares with robust errors and the scaled-shifted test (WLSMV).

The three stages follow Muthén (1984) and lavaan (``lav_muthen1984``): each item's thresholds
from its answer shares, each pair's polychoric correlation with the thresholds held fixed, then
the asymptotic covariance of all of them from the casewise scores of both stages (a sandwich whose
bread is block-triangular because the correlations depend on the thresholds). The model is fitted
to the thresholds and correlations by least squares weighted by the inverse of that covariance's
diagonal (DWLS), with the sandwich standard errors and the mean- and variance-adjusted test of
Asparouhov and Muthén (2010), lavaan's ``estimator = "WLSMV"`` with its delta parameterization.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ._sem import (
    SEMFit,
    _group_rows,
    _implied,
    _layout,
    _numeric_jacobian,
    _ram,
    chisq_measures,
    incremental_indices,
    parse_model,
    rmsea_point,
)

__all__ = ["OrdinalStatistics", "bivariate_normal_cdf", "fit_ordinal", "ordinal_statistics"]

_BOUND = 38.0  # beyond this, the normal distribution function is 0 or 1 in double precision


def bivariate_normal_cdf(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    """P(X <= h, Y <= k) for standard normals with correlation rho, by Owen's T function:
    Phi2 = (Phi(h) + Phi(k)) / 2 - T(h, a_h) - T(k, a_k) - beta (Owen, 1956)."""
    h, k = np.broadcast_arrays(np.clip(h, -_BOUND, _BOUND), np.clip(k, -_BOUND, _BOUND))
    root = np.sqrt(1 - rho**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        a_h = np.where(h == 0, np.sign(k - rho * h) * np.inf, (k - rho * h) / (h * root))
        a_k = np.where(k == 0, np.sign(h - rho * k) * np.inf, (h - rho * k) / (k * root))
    beta = np.where((h * k < 0) | ((h * k == 0) & (h + k < 0)), 0.5, 0.0)
    value = (
        0.5 * (special.ndtr(h) + special.ndtr(k)) - special.owens_t(h, a_h) - special.owens_t(k, a_k) - beta
    )
    both_zero = (h == 0) & (k == 0)
    return np.where(both_zero, 0.25 + np.arcsin(rho) / (2 * np.pi), value)


def _cells(cuts_a: np.ndarray, cuts_b: np.ndarray, rho: float) -> np.ndarray:
    """Probabilities of the cells of a two-way table under a bivariate normal with cut points."""
    F = bivariate_normal_cdf(*np.meshgrid(cuts_a, cuts_b, indexing="ij"), rho)
    return np.clip(F[1:, 1:] - F[:-1, 1:] - F[1:, :-1] + F[:-1, :-1], 1e-300, None)


def _pair_correlation(table: np.ndarray, cuts_a: np.ndarray, cuts_b: np.ndarray) -> float:
    """The correlation that maximises the likelihood of a two-way table, thresholds fixed."""

    def minus_loglik(rho: float) -> float:
        return -float(np.sum(table * np.log(_cells(cuts_a, cuts_b, rho))))

    fit = optimize.minimize_scalar(
        minus_loglik, bounds=(-0.999999, 0.999999), method="bounded", options={"xatol": 1e-12}
    )
    return float(fit.x)


def _pair_scores(cuts_a: np.ndarray, cuts_b: np.ndarray, rho: float):
    """Per cell of a two-way table: the score of the bivariate likelihood in rho, and in each
    threshold of either item (d log pi / d parameter)."""
    pi = _cells(cuts_a, cuts_b, rho)
    h, k = np.meshgrid(np.clip(cuts_a, -_BOUND, _BOUND), np.clip(cuts_b, -_BOUND, _BOUND), indexing="ij")
    root = np.sqrt(1 - rho**2)
    density = np.exp(-(h**2 - 2 * rho * h * k + k**2) / (2 * root**2)) / (2 * np.pi * root)
    d_rho = density[1:, 1:] - density[:-1, 1:] - density[1:, :-1] + density[:-1, :-1]

    def threshold_scores(cuts_own, cuts_other, cells: int) -> np.ndarray:
        # d Phi2(t, c) / d t = phi(t) Phi((c - rho t) / root) at each inner cut t of this item
        inner = cuts_own[1:-1][:, None]
        other = np.clip(cuts_other, -_BOUND, _BOUND)[None, :]
        edge = stats.norm.pdf(inner) * special.ndtr((other - rho * inner) / root)
        strip = np.diff(edge, axis=1)  # per inner cut and cell of the other item
        out = np.zeros((len(inner), cells, strip.shape[1]))
        for t in range(len(inner)):
            out[t, t] = strip[t]  # the cut is the upper edge of category t
            out[t, t + 1] = -strip[t]  # and the lower edge of category t + 1
        return out

    d_a = threshold_scores(cuts_a, cuts_b, pi.shape[0])  # (cuts of a, cells of a, cells of b)
    d_b = threshold_scores(cuts_b, cuts_a, pi.shape[1]).transpose(0, 2, 1)
    return d_rho / pi, d_a / pi, d_b / pi


@dataclass(frozen=True)
class OrdinalStatistics:
    """Thresholds and polychoric correlations of complete ordinal answers, with N times the
    asymptotic covariance of (thresholds, correlations) in that order (``gamma``)."""

    items: list[str]
    thresholds: list[np.ndarray]
    correlations: np.ndarray
    pairs: list[tuple[int, int]]  # (row, column) of each correlation, lavaan's order
    gamma: np.ndarray | None
    n: int

    @property
    def vector(self) -> np.ndarray:
        """The statistics the model is fitted to: every threshold, then every correlation."""
        return np.concatenate([*self.thresholds, np.array([self.correlations[i, j] for i, j in self.pairs])])


def ordinal_statistics(data: pd.DataFrame, *, covariance: bool = True) -> OrdinalStatistics:
    """Thresholds, polychoric correlations and (with ``covariance``) their asymptotic covariance
    (Muthén, 1984; lavaan's ``muthen1984``) from complete whole-number answers."""
    values = data.to_numpy(dtype=float)
    n, p = values.shape
    cuts, codes, thresholds, univariate = [], [], [], []
    for column in values.T:
        levels, code = np.unique(column, return_inverse=True)
        counts = np.bincount(code, minlength=len(levels))
        tau = stats.norm.ppf(counts.cumsum()[:-1] / n)
        cut = np.concatenate([[-np.inf], tau, [np.inf]])
        cuts.append(cut)
        codes.append(code)
        thresholds.append(tau)
        # d log P(category) / d tau_t: phi(tau_t) / P at the category's upper edge, minus at its lower
        shares = counts / n
        score = np.zeros((n, len(tau)))
        for t in range(len(tau)):
            score[code == t, t] = stats.norm.pdf(tau[t]) / shares[t]
            score[code == t + 1, t] = -stats.norm.pdf(tau[t]) / shares[t + 1]
        univariate.append(score)
    pairs = [(i, j) for j in range(p) for i in range(j + 1, p)]  # lavaan's vech below the diagonal
    correlations = np.eye(p)
    tables = {}
    for i, j in pairs:
        table = np.zeros((len(cuts[i]) - 1, len(cuts[j]) - 1))
        np.add.at(table, (codes[i], codes[j]), 1)
        tables[i, j] = table
        correlations[i, j] = correlations[j, i] = _pair_correlation(table, cuts[i], cuts[j])
    if not covariance:
        return OrdinalStatistics(list(data.columns), thresholds, correlations, pairs, None, n)
    starts = np.cumsum([0] + [len(t) for t in thresholds])
    n_th, n_cor = starts[-1], len(pairs)
    sc_th = np.column_stack(univariate)
    sc_cor = np.zeros((n, n_cor))
    a21 = np.zeros((n_cor, n_th))
    a22 = np.zeros(n_cor)
    for k, (i, j) in enumerate(pairs):
        table = tables[i, j]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            # only answered cells carry scores; an empty cell's probability may underflow
            d_rho, d_i, d_j = (
                np.where(table > 0, part, 0.0) for part in _pair_scores(cuts[i], cuts[j], correlations[i, j])
            )
        sc_cor[:, k] = d_rho[codes[i], codes[j]]
        a22[k] = np.sum(table * d_rho**2)
        a21[k, starts[i] : starts[i + 1]] = np.einsum("ab,tab->t", table * d_rho, d_i)
        a21[k, starts[j] : starts[j + 1]] = np.einsum("ab,tab->t", table * d_rho, d_j)
    scores = np.column_stack([sc_th, sc_cor])
    inner = scores.T @ scores
    a11_inv = np.zeros((n_th, n_th))
    for i in range(p):  # the univariate information is block-diagonal: one block per item
        block = slice(starts[i], starts[i + 1])
        a11_inv[block, block] = np.linalg.inv(inner[block, block])
    bread = np.zeros((n_th + n_cor, n_th + n_cor))
    bread[:n_th, :n_th] = a11_inv
    bread[n_th:, n_th:] = np.diag(1 / a22)
    bread[n_th:, :n_th] = -(a21 / a22[:, None]) @ a11_inv
    # N times the asymptotic covariance, with lavaan's small-sample factor N / (N - 1)
    gamma = n**2 / (n - 1) * bread @ inner @ bread.T
    return OrdinalStatistics(list(data.columns), thresholds, correlations, pairs, gamma, n)


def fit_ordinal(syntax: str, data: pd.DataFrame) -> SEMFit:
    """A factor model of ordinal items by WLSMV: DWLS on thresholds and polychoric correlations,
    factor variances fixed at 1, lavaan's delta parameterization (each item's latent response has
    variance 1, its residual variance is what the factors leave)."""
    statements = parse_model(syntax)
    layout = _layout(statements, list(data.columns), std_lv=True)
    p, size = len(layout.observed), len(layout.names)
    for row in layout.rows:  # no intercepts; residual variances follow from the unit diagonal
        if row["op"] == "~1" or (
            row["op"] == "~~" and row["lhs"] == row["rhs"] and row["lhs"] in layout.observed
        ):
            row["fixed"] = 0.0
    (rows,), n_par = _group_rows(layout, 1, ())
    if n_par > p * (p - 1) // 2:
        raise ValueError(
            f"the model is not identified: it has {n_par} free loadings and correlations but {p} ordinal "
            f"items give only {p * (p - 1) // 2} polychoric correlations; fix some parameters or add items"
        )
    sample = ordinal_statistics(data[layout.observed])
    n, pairs = sample.n, sample.pairs
    s = sample.vector
    n_th = sum(len(t) for t in sample.thresholds)
    variances = np.diag(sample.gamma)
    if not np.all(np.isfinite(variances) & (variances > 0)):
        raise ValueError(
            "the sampling variances of the thresholds and polychoric correlations are degenerate "
            "(answers too sparse over the categories); merge rare categories or use estimator='mlr'"
        )
    weights = 1 / variances
    correlation_part = s[n_th:]
    root_w = np.sqrt(weights[n_th:])
    where = tuple(np.array(pairs).T)

    def implied(t: np.ndarray) -> np.ndarray:
        sigma = _implied(*_ram(size, rows, t), p)[0]
        return sigma[where]

    theta = np.array([0.5 if row["op"] == "=~" else 0.0 for row in rows if row["free"]])
    solution = optimize.least_squares(
        lambda t: root_w * (correlation_part - implied(t)), theta, xtol=1e-15, ftol=1e-15, gtol=1e-15
    )
    theta = _orient(solution.x, rows, layout.latent)
    # the Jacobian of (thresholds, correlations) in (thresholds, structural parameters)
    delta = np.zeros((len(s), n_th + n_par))
    delta[:n_th, :n_th] = np.eye(n_th)
    delta[n_th:, n_th:] = _numeric_jacobian(implied, theta)
    singular = np.linalg.svd(delta[n_th:, n_th:], compute_uv=False)
    if singular[-1] < 1e-8 * singular[0]:
        raise ValueError(
            "the model is not identified: the polychoric correlations cannot pin down all its parameters "
            "(a factor needs three items, or two with another factor to correlate with)"
        )
    W = np.diag(weights)
    bread = np.linalg.inv(delta.T @ W @ delta)
    cov = bread @ delta.T @ W @ sample.gamma @ W @ delta @ bread / n
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    residual = correlation_part - implied(theta)
    chisq = n * float(np.sum(weights[n_th:] * residual**2))
    df = len(pairs) - n_par
    U = W - W @ delta @ bread @ delta.T @ W
    fit = _wlsmv_measures(chisq, df, U @ sample.gamma, sample.gamma, correlation_part, weights, n)
    sigma = _implied(*_ram(size, rows, theta), p)[0]
    r = sample.correlations - sigma
    np.fill_diagonal(r, 0.0)
    fit["srmr"] = float(np.sqrt(np.mean(r[np.tril_indices(p)] ** 2)))
    table = _parameter_table(layout, rows, theta, se[n_th:], sample, se[:n_th], sigma)
    converged = bool(solution.success)
    return SEMFit(table, fit, [sigma], [np.zeros(p)], layout.observed, layout.latent, [None], converged, "")


def _orient(theta: np.ndarray, rows: list[dict], latent: list[str]) -> np.ndarray:
    """Flip any factor whose loadings are mostly negative (the same fit), as lavaan reports it."""
    theta = theta.copy()
    for factor in latent:
        own = [r["free"] - 1 for r in rows if r["op"] == "=~" and r["lhs"] == factor and r["free"]]
        if own and theta[own].sum() < 0:
            for r in rows:
                if (
                    r["free"]
                    and factor in (r["lhs"], r["rhs"])
                    and r["op"] in ("=~", "~~")
                    and r["lhs"] != r["rhs"]
                ):
                    theta[r["free"] - 1] *= -1
    return theta


def _shifted(chisq: float, df: int, ugamma: np.ndarray) -> tuple[float, float, float]:
    """Asparouhov and Muthén's (2010) scaled and shifted statistic a T + b, its a and b."""
    trace, trace2 = np.trace(ugamma), float(np.sum(ugamma * ugamma.T))
    a = np.sqrt(df / trace2)
    b = df - a * trace
    return a * chisq + b, a, b


def _wlsmv_measures(chisq, df, ugamma, gamma, correlations, weights, n) -> dict[str, float]:
    """lavaan's fit measures for WLSMV: the DWLS statistic, its scaled-shifted version, and the
    indices on both against the independence baseline (thresholds free, correlations zero).
    lavaan divides by N - 1 in the RMSEA of the least-squares estimators."""
    n_th = len(weights) - len(correlations)
    base_chisq = n * float(np.sum(weights[n_th:] * correlations**2))
    base_df = len(correlations)
    # the baseline's U Gamma: the weight on the correlations, nothing on the (free) thresholds
    base_ugamma = np.diag(weights[n_th:]) @ gamma[n_th:, n_th:]
    scaled, a, b = _shifted(chisq, df, ugamma)
    base_scaled, *_ = _shifted(base_chisq, base_df, base_ugamma)
    cfi_scaled, tli_scaled = incremental_indices(scaled, df, base_scaled, base_df)
    npar = n_th + (len(correlations) - df)
    return chisq_measures(npar, chisq, df, base_chisq, base_df, n - 1) | {
        "aic": np.nan,  # least squares: no likelihood
        "bic": np.nan,
        "chisq.scaled": scaled,
        "chisq.scaling.factor": 1 / a,
        "chisq.shift.parameter": b,
        "pvalue.scaled": float(stats.chi2.sf(scaled, df)) if df > 0 else np.nan,
        "cfi.scaled": cfi_scaled,
        "tli.scaled": tli_scaled,
        "rmsea.scaled": rmsea_point(scaled, df, n - 1),
        "ntotal": n,
    }


def _parameter_table(layout, rows, theta, se, sample: OrdinalStatistics, se_th, sigma) -> pd.DataFrame:
    """lavaan's parameter table for the delta parameterization: loadings, factor (co)variances,
    residual (co)variances (the variances fixed at what the factors leave of 1), thresholds."""
    # each item's latent response has variance 1; its residual variance is what the factors leave
    residual = {item: 1 - sigma[k, k] for k, item in enumerate(layout.observed)}
    records = []
    for row in rows:
        lhs, op, rhs, free = row["lhs"], row["op"], row["rhs"], row["free"]
        if op == "~1":
            continue
        est = theta[free - 1] if free else row["fixed"]
        std = est
        if op == "~~" and lhs in residual:
            est = residual[lhs] if lhs == rhs else est
            std = est / np.sqrt(residual[lhs] * residual[rhs]) if lhs != rhs else est
        records.append(
            {
                "lhs": lhs,
                "op": op,
                "rhs": rhs,
                "label": row["label"] or "",
                "free": free,
                "est": float(est),
                "se": float(se[free - 1]) if free else 0.0,
                "std_all": float(std),
            }
        )
    number = len(theta)
    for item, tau in zip(layout.observed, sample.thresholds, strict=True):
        for t, value in enumerate(tau, start=1):
            records.append(
                {
                    "lhs": item,
                    "op": "|",
                    "rhs": f"t{t}",
                    "label": "",
                    "free": number + 1,
                    "est": float(value),
                    "se": float(se_th[number - len(theta)]),
                    "std_all": float(value),
                }
            )
            number += 1
    return pd.DataFrame(records)
