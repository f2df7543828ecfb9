"""A minimal EM for Gaussian mixtures of regressions, used only to check that the simulated
survey is recoverable. The package's real engine (clusterwise regression) is tested on its own."""

from __future__ import annotations

import numpy as np


def quick_em(
    X: np.ndarray,
    y: np.ndarray,
    n_components: int,
    n_init: int = 40,
    random_state: int = 0,
    max_iter: int = 500,
) -> tuple[float, np.ndarray]:
    """Best log-likelihood over ``n_init`` starts and the hard segment labels of that fit.

    Each start fits one line to each of ``n_components`` random small subsets and assigns every
    case to the closest line. The variance floor (1% of var(y)) keeps components from
    collapsing onto exact fits of the discrete answers.
    """
    rng = np.random.default_rng(random_state)
    n = len(y)
    design = np.column_stack([np.ones(n), X])
    floor = 1e-2 * np.var(y)
    best_ll, best_labels = -np.inf, np.zeros(n, dtype=int)
    for _ in range(n_init):
        subsets = [rng.choice(n, design.shape[1] + 2, replace=False) for _ in range(n_components)]
        lines = np.array([np.linalg.lstsq(design[idx], y[idx], rcond=None)[0] for idx in subsets])
        resp = np.eye(n_components)[np.abs(y[:, None] - design @ lines.T).argmin(axis=1)] + 1e-3
        resp /= resp.sum(axis=1, keepdims=True)
        ll_old = -np.inf
        for _ in range(max_iter):
            log_dens = np.empty((n, n_components))
            for k in range(n_components):
                root_w = np.sqrt(resp[:, k])
                coef = np.linalg.lstsq(design * root_w[:, None], y * root_w, rcond=None)[0]
                resid = y - design @ coef
                var = max(float((resp[:, k] * resid**2).sum() / resp[:, k].sum()), floor)
                log_dens[:, k] = (
                    np.log(resp[:, k].mean()) - 0.5 * np.log(2 * np.pi * var) - 0.5 * resid**2 / var
                )
            top = log_dens.max(axis=1, keepdims=True)
            ll = float((top[:, 0] + np.log(np.exp(log_dens - top).sum(axis=1))).sum())
            resp = np.exp(log_dens - top)
            resp /= resp.sum(axis=1, keepdims=True)
            if ll - ll_old < 1e-8 * abs(ll):
                break
            ll_old = ll
        if ll > best_ll:
            best_ll, best_labels = ll, resp.argmax(axis=1)
    return best_ll, best_labels
