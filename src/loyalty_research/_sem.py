"""Covariance-structure models by maximum likelihood, with full-information ML for missing answers.

The engine behind :func:`~loyalty_research.confirmatory_factor_analysis`'s ``missing="fiml"``
and the structural models: a model written in lavaan's syntax (``=~`` measured by, ``~``
regressed on, ``~~`` covaries with; ``1*x`` fixes, ``a*x`` labels and so constrains equal) is
laid out as RAM matrices (McArdle & McDonald, 1984) over the observed and latent variables,

.. math:: \\Sigma = F (I - A)^{-1} S (I - A)^{-T} F^T, \\qquad \\mu = F (I - A)^{-1} m,

and fitted by maximising the case-wise normal log-likelihood of every answered value, one term
per missing-data pattern (Arbuckle, 1996). With complete data this is ordinary ML. The model's
chi-square is twice the log-likelihood gap to the saturated model (mean and covariance free,
estimated by EM under missing data) and the baseline model has independent variables, as in
lavaan (Rosseel, 2012), whose conventions the fit indices follow; ``tests/reference/`` holds
lavaan's numbers for the same models.

References
----------
Arbuckle, J. L. (1996). Full information estimation in the presence of incomplete data. In
G. A. Marcoulides & R. E. Schumacker (Eds.), Advanced structural equation modeling (pp.
243-277). Erlbaum.

McArdle, J. J., & McDonald, R. P. (1984). Some algebraic properties of the reticular action
model for moment structures. British Journal of Mathematical and Statistical Psychology, 37,
234-251.

Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
Statistical Software, 48(2), 1-36. https://doi.org/10.18637/jss.v048.i02
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import linalg, optimize, stats

from ._tables import wald_table

__all__ = [
    "SEMFit",
    "Statement",
    "fit_model",
    "fit_row",
    "incremental_indices",
    "parameter_table",
    "parse_model",
]

_OPERATORS = ("=~", "~~", "~")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class Statement:
    """One term of a model: ``lhs op rhs`` with an optional fixed value or label."""

    lhs: str
    op: str
    rhs: str
    fixed: float | None = None
    label: str | None = None
    free: bool = False  # NA*x: free a parameter that would be fixed by default


def parse_model(syntax: str) -> list[Statement]:
    """The statements of a model in lavaan's syntax, one per right-hand-side term.

    Examples
    --------
    >>> [(s.lhs, s.op, s.rhs, s.fixed) for s in parse_model("f =~ 1*x1 + x2")]
    [('f', '=~', 'x1', 1.0), ('f', '=~', 'x2', None)]
    """
    statements = []
    for number, raw in enumerate(re.split(r"[\n;]", syntax), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        op = next((o for o in _OPERATORS if o in line), None)
        if op is None:
            raise ValueError(f"model line {number} ({line!r}) has no operator: use =~, ~ or ~~")
        lhs, rhs = (part.strip() for part in line.split(op, 1))
        if not _NAME.match(lhs):
            raise ValueError(f"model line {number}: {lhs!r} is not a variable name")
        for term in rhs.split("+"):
            term = term.strip()
            modifier, _, name = term.rpartition("*")
            modifier, name = modifier.strip(), name.strip()
            if not _NAME.match(name):
                raise ValueError(f"model line {number}: {term!r} is not a variable name")
            if not modifier:
                statements.append(Statement(lhs, op, name))
            elif modifier == "NA":
                statements.append(Statement(lhs, op, name, free=True))
            elif _NUMBER.match(modifier):
                statements.append(Statement(lhs, op, name, fixed=float(modifier)))
            elif _NAME.match(modifier):
                statements.append(Statement(lhs, op, name, label=modifier))
            else:
                raise ValueError(f"model line {number}: cannot read the modifier {modifier!r} in {term!r}")
    if not statements:
        raise ValueError("the model has no statements")
    return statements


@dataclass
class _Layout:
    """Where each parameter sits in the RAM matrices, and the fixed values."""

    observed: list[str]
    latent: list[str]
    rows: list[dict] = field(default_factory=list)  # the parameter table, lavaan-like
    A: np.ndarray | None = None
    S: np.ndarray | None = None
    m: np.ndarray | None = None

    @property
    def names(self) -> list[str]:
        return self.observed + self.latent


def _layout(statements: list[Statement], data_columns: list[str], std_lv: bool) -> _Layout:
    latent = list(dict.fromkeys(s.lhs for s in statements if s.op == "=~"))
    mentioned = list(dict.fromkeys(n for s in statements for n in (s.lhs, s.rhs)))
    observed = [n for n in mentioned if n not in latent]
    missing = [n for n in observed if n not in data_columns]
    if missing:
        raise ValueError(f"the model names variables that are neither in the data nor latent: {missing}")
    endogenous = {s.lhs for s in statements if s.op == "~"}
    predictors = [s.rhs for s in statements if s.op == "~" and s.rhs not in latent]
    if predictors:
        raise ValueError(
            f"observed predictors in regressions ({sorted(set(predictors))}) are not supported: "
            "measure them by a latent variable (f =~ 1*x) instead"
        )
    layout = _Layout(observed, latent)
    index = {n: i for i, n in enumerate(layout.names)}
    size = len(index)
    layout.A, layout.S, layout.m = np.zeros((size, size)), np.zeros((size, size)), np.zeros(size)
    seen: set[tuple[str, str, str]] = set()

    def add(lhs: str, op: str, rhs: str, *, fixed: float | None, label: str | None) -> None:
        key = (op, *sorted((lhs, rhs))) if op == "~~" else (op, lhs, rhs)
        if key not in seen:  # the user's statement wins over a default for the same parameter
            seen.add(key)
            layout.rows.append({"lhs": lhs, "op": op, "rhs": rhs, "fixed": fixed, "label": label})

    for s in statements:
        if s.op == "=~":
            first = next(t for t in statements if t.op == "=~" and t.lhs == s.lhs) is s
            fixed = s.fixed if s.fixed is not None else (1.0 if first and not std_lv and not s.free else None)
            add(s.lhs, "=~", s.rhs, fixed=fixed, label=s.label)
    for s in statements:
        if s.op == "~":
            add(s.lhs, "~", s.rhs, fixed=s.fixed, label=s.label)
    for s in statements:
        if s.op == "~~":
            add(s.lhs, "~~", s.rhs, fixed=s.fixed, label=s.label)
    for name in observed:
        add(name, "~~", name, fixed=None, label=None)
    for name in latent:
        add(name, "~~", name, fixed=1.0 if std_lv else None, label=None)
    # lavaan's defaults: exogenous factors covary (auto.cov.lv.x), and so do the residuals of
    # factors that are only ever explained, never explaining (auto.cov.y)
    exogenous = [n for n in latent if n not in endogenous]
    explaining = {s.rhs for s in statements if s.op == "~"}
    pure_dependent = [n for n in latent if n in endogenous and n not in explaining]
    for group in (exogenous, pure_dependent):
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                add(a, "~~", b, fixed=None, label=None)
    for name in observed:
        add(name, "~1", "", fixed=None, label=None)
    for name in latent:  # factor means are 0: the intercepts carry the level
        add(name, "~1", "", fixed=0.0, label=None)
    for row in layout.rows:
        lhs, op, rhs = row["lhs"], row["op"], row["rhs"]
        if op == "=~":
            row["where"] = ("A", index[rhs], index[lhs])
        elif op == "~":
            row["where"] = ("A", index[lhs], index[rhs])
        elif op == "~~":
            row["where"] = ("S", index[lhs], index[rhs])
        else:
            row["where"] = ("m", index[lhs], 0)
    return layout


# the kinds of parameter group_equal can hold equal across groups (lavaan's names)
_EQUAL_KINDS = (
    "loadings",
    "intercepts",
    "means",
    "residuals",
    "residual.covariances",
    "lv.variances",
    "lv.covariances",
    "regressions",
)


def _parameter_key(text: str) -> tuple[str, str, str]:
    """``"x1 ~1"`` or ``"f =~ x1"`` as (lhs, op, rhs)."""
    for op in ("=~", "~~", "~1", "~"):
        if op in text:
            lhs, rhs = (part.strip() for part in text.split(op, 1))
            return lhs, op, rhs
    raise ValueError(f"group_partial: cannot read {text!r}; write e.g. 'x1 ~1' or 'visual =~ x2'")


def _kind(row: dict, latent: list[str]) -> str:
    """Which of lavaan's group.equal kinds a parameter row is."""
    op, lhs, rhs = row["op"], row["lhs"], row["rhs"]
    if op == "=~":
        return "loadings"
    if op == "~":
        return "regressions"
    if op == "~1":
        return "means" if lhs in latent else "intercepts"
    if lhs in latent:
        return "lv.variances" if lhs == rhs else "lv.covariances"
    return "residuals" if lhs == rhs else "residual.covariances"


def _group_rows(
    layout: _Layout, n_groups: int, group_equal: Sequence[str], group_partial: Sequence[str] = ()
) -> tuple[list[list[dict]], int]:
    """Each group's copy of the parameter rows, ``free`` numbering the parameters (1-based, 0 for
    fixed); rows under a ``group_equal`` kind, or sharing a label, share one parameter, except the
    ``group_partial`` ones (lavaan's ``"x1 ~1"``, ``"visual =~ x2"``)."""
    released = {_parameter_key(text) for text in group_partial}
    unknown = [kind for kind in group_equal if kind not in _EQUAL_KINDS]
    if unknown:
        raise ValueError(f"group_equal: unknown kinds {unknown}; use any of {list(_EQUAL_KINDS)}")
    index: dict[tuple, int] = {}
    groups = []
    for g in range(n_groups):
        rows = [dict(row) for row in layout.rows]
        for k, row in enumerate(rows):
            latent_mean = row["op"] == "~1" and row["lhs"] in layout.latent
            if g > 0 and latent_mean and "intercepts" in group_equal and "means" not in group_equal:
                row["fixed"] = None  # as lavaan: equal intercepts free the later groups' factor means
            if row["fixed"] is not None:
                row["free"] = 0
                continue
            if row["label"]:
                key: tuple = ("label", row["label"])
            elif (
                _kind(row, layout.latent) in group_equal
                and (row["lhs"], row["op"], row["rhs"]) not in released
            ):
                key = ("equal", k)
            else:
                key = (g, k)
            row["free"] = index.setdefault(key, len(index) + 1)
        groups.append(rows)
    return groups, len(index)


@dataclass(frozen=True)
class _Patterns:
    """Summary statistics per missing-data pattern: observed columns, count, mean, covariance."""

    columns: list[np.ndarray]
    counts: np.ndarray
    means: list[np.ndarray]
    covariances: list[np.ndarray]
    n: int


def _patterns(values: np.ndarray) -> _Patterns:
    observed = ~np.isnan(values)
    keep = observed.any(axis=1)
    values, observed = values[keep], observed[keep]
    masks, inverse = np.unique(observed, axis=0, return_inverse=True)
    columns, counts, means, covariances = [], [], [], []
    for k, mask in enumerate(masks):
        rows = values[inverse.ravel() == k][:, mask]
        mean = rows.mean(axis=0)
        centred = rows - mean
        columns.append(np.flatnonzero(mask))
        counts.append(len(rows))
        means.append(mean)
        covariances.append(centred.T @ centred / len(rows))
    return _Patterns(columns, np.array(counts), means, covariances, int(keep.sum()))


def _loglik(patterns: _Patterns, sigma: np.ndarray, mu: np.ndarray, *, gradient: bool = False):
    """Case-wise normal log-likelihood; with ``gradient`` also its derivatives in sigma and mu."""
    total = 0.0
    p = len(mu)
    G, g = (np.zeros((p, p)), np.zeros(p)) if gradient else (None, None)
    for cols, n, mean, cov in zip(
        patterns.columns, patterns.counts, patterns.means, patterns.covariances, strict=True
    ):
        s = sigma[np.ix_(cols, cols)]
        try:
            chol = np.linalg.cholesky(s)
        except np.linalg.LinAlgError:
            return (-np.inf, None, None) if gradient else -np.inf
        inv = np.linalg.inv(s)
        d = mean - mu[cols]
        c = cov + np.outer(d, d)
        logdet = 2 * np.log(np.diag(chol)).sum()
        total += -0.5 * n * (len(cols) * np.log(2 * np.pi) + logdet + np.sum(inv * c))
        if gradient:
            G[np.ix_(cols, cols)] += -0.5 * n * (inv - inv @ c @ inv)
            g[cols] += n * inv @ d
    return (total, G, g) if gradient else total


def _saturated(values: np.ndarray, patterns: _Patterns, tol: float = 1e-12, max_iter: int = 10000):
    """ML mean and covariance of incomplete multivariate normal data (EM; Little & Rubin 2002)."""
    mu = np.nanmean(values, axis=0)
    sigma = np.diag(np.nanvar(values, axis=0))
    if len(patterns.counts) == 1 and len(patterns.columns[0]) == values.shape[1]:
        return patterns.means[0], patterns.covariances[0]
    p = len(mu)
    for _ in range(max_iter):
        first = np.zeros(p)
        second = np.zeros((p, p))
        for cols, n, mean, cov in zip(
            patterns.columns, patterns.counts, patterns.means, patterns.covariances, strict=True
        ):
            miss = np.setdiff1d(np.arange(p), cols)
            # expected sufficient statistics of the pattern's rows, from their means and covariance
            x_mean = np.empty(p)
            x_mean[cols] = mean
            outer = np.zeros((p, p))
            outer[np.ix_(cols, cols)] = cov + np.outer(mean, mean)
            if len(miss):
                coef = sigma[np.ix_(miss, cols)] @ np.linalg.inv(sigma[np.ix_(cols, cols)])
                x_mean[miss] = mu[miss] + coef @ (mean - mu[cols])
                resid = sigma[np.ix_(miss, miss)] - coef @ sigma[np.ix_(cols, miss)]
                # E[x_m x_o'] and E[x_m x_m'] averaged over the pattern's rows
                shift = mu[miss] - coef @ mu[cols]
                outer[np.ix_(miss, cols)] = np.outer(shift, mean) + coef @ outer[np.ix_(cols, cols)]
                outer[np.ix_(cols, miss)] = outer[np.ix_(miss, cols)].T
                outer[np.ix_(miss, miss)] = (
                    resid
                    + np.outer(shift, shift)
                    + np.outer(shift, mean) @ coef.T
                    + coef @ np.outer(mean, shift)
                    + coef @ outer[np.ix_(cols, cols)] @ coef.T
                )
            first += n * x_mean
            second += n * outer
        new_mu = first / patterns.n
        new_sigma = second / patterns.n - np.outer(new_mu, new_mu)
        change = max(np.abs(new_mu - mu).max(), np.abs(new_sigma - sigma).max())
        mu, sigma = new_mu, new_sigma
        if change < tol:
            break
    return mu, sigma


@dataclass(frozen=True)
class SEMFit:
    """A fitted model: parameter table, fit measures and each group's implied moments."""

    parameters: pd.DataFrame
    fit: dict[str, float]
    sigmas: list[np.ndarray]
    mus: list[np.ndarray]
    observed: list[str]
    latent: list[str]
    groups: list
    converged: bool
    information: str


def _ram(size: int, rows: list[dict], theta: np.ndarray):
    A, S, m = np.zeros((size, size)), np.zeros((size, size)), np.zeros(size)
    for row in rows:
        _set(A, S, m, row["where"], row["fixed"] if row["free"] == 0 else theta[row["free"] - 1])
    return A, S, m


def _set(A, S, m, where, value) -> None:
    kind, i, j = where
    if kind == "A":
        A[i, j] = value
    elif kind == "S":
        S[i, j] = S[j, i] = value
    else:
        m[i] = value


def _implied(A, S, m, p: int):
    E = np.linalg.inv(np.eye(len(A)) - A)
    full = E @ S @ E.T
    return full[:p, :p], (E @ m)[:p], E, full


def _split(data: pd.DataFrame, observed: list[str], group: str | None, missing: str):
    """Each group's label and answers (rows without any answer, or with a missing one under
    listwise deletion, left out), groups in order of appearance as lavaan orders them."""
    if group is None:
        parts = [(None, data[observed])]
    else:
        if group not in data.columns:
            raise ValueError(f"group column {group!r} is not in the data")
        labelled = data[data[group].notna()]
        parts = [
            (label, labelled.loc[labelled[group] == label, observed]) for label in labelled[group].unique()
        ]
        if len(parts) < 2:
            raise ValueError(
                f"group column {group!r} holds {len(parts)} group: a multigroup model needs two or more"
            )
    out = []
    for label, frame in parts:
        values = frame.to_numpy(dtype=float)
        values = (
            values[~np.isnan(values).any(axis=1)]
            if missing == "listwise"
            else values[~np.isnan(values).all(axis=1)]
        )
        where = "" if group is None else f"group {label!r} of column {group!r}: "
        if len(values) <= len(observed):
            raise ValueError(
                f"{where}{len(values)} usable respondents for {len(observed)} variables: too few"
            )
        constant = [c for c, column in zip(observed, values.T, strict=True) if np.nanstd(column) == 0]
        if constant:
            raise ValueError(
                f"{where}{constant[0]!r} has one value for everybody: it cannot be modelled; drop it"
            )
        out.append((label, values))
    return out


def fit_model(
    syntax: str,
    data: pd.DataFrame,
    *,
    std_lv: bool = False,
    missing: str = "listwise",
    group: str | None = None,
    group_equal: Sequence[str] = (),
    group_partial: Sequence[str] = (),
    estimator: str = "ml",
    _independence: bool = False,
) -> SEMFit:
    """Fit a model in lavaan's syntax by maximum likelihood (FIML with ``missing="fiml"``),
    in one group or, with ``group``, in each group with the ``group_equal`` kinds equal.
    ``estimator="mlr"`` adds Huber-White standard errors and the Yuan-Bentler scaled test."""
    if missing not in ("listwise", "fiml"):
        raise ValueError(f"missing must be 'listwise' or 'fiml', got {missing!r}")
    if estimator not in ("ml", "mlr"):
        raise ValueError(f"estimator must be 'ml' or 'mlr', got {estimator!r}")
    statements = parse_model(syntax)
    layout = _layout(statements, list(data.columns), std_lv)
    p, size = len(layout.observed), len(layout.names)
    groups = _split(data, layout.observed, group, missing)
    rows, n_par = _group_rows(layout, len(groups), group_equal, group_partial)
    moments_per_group = p * (p + 1) // 2 + p
    if n_par > len(groups) * moments_per_group:
        raise ValueError(
            f"the model is not identified: it has {n_par} free parameters but the data give only "
            f"{len(groups) * moments_per_group} means, variances and covariances; fix some parameters "
            "or add indicators (a factor needs three, or two with another factor to correlate with)"
        )
    patterns = [_patterns(values) for _, values in groups]
    n = sum(pattern.n for pattern in patterns)
    theta = _starts(rows, [values for _, values in groups], layout.observed, n_par)

    def objective(t):
        total, gradient = 0.0, np.zeros(n_par)
        for group_rows, pattern in zip(rows, patterns, strict=True):
            A, S, m = _ram(size, group_rows, t)
            sigma, mu, E, _ = _implied(A, S, m, p)
            ll, G, g = _loglik(pattern, sigma, mu, gradient=True)
            if not np.isfinite(ll):
                return np.inf, np.zeros_like(t)
            total += ll
            gradient += _chain(group_rows, n_par, A, S, m, E, G, g, p)
        return -total / n, -gradient / n

    result = optimize.minimize(
        objective, theta, jac=True, method="BFGS", options={"gtol": 1e-9, "maxiter": 20000}
    )
    theta = result.x
    # Newton steps on the analytic gradient polish the optimum to machine precision; one Hessian
    # (central differences of the gradient) serves the steps and, under FIML, the standard errors
    gradient = lambda t: objective(t)[1]  # noqa: E731
    hessian = _numeric_jacobian(gradient, theta)
    hessian = 0.5 * (hessian + hessian.T)
    _check_identified(hessian, rows)
    for _ in range(20):
        step = np.linalg.solve(hessian, gradient(theta))
        theta = theta - step
        if np.abs(step).max() < 1e-12:
            break
    information = "observed" if missing == "fiml" or estimator == "mlr" else "expected"
    # each group's saturated mean and covariance (EM under missing answers), computed once
    saturated = [_saturated(values, pattern) for (_, values), pattern in zip(groups, patterns, strict=True)]
    trace = xx3 = k3 = np.nan
    if estimator == "mlr":  # lavaan's MLR: observed information, sandwich errors, scaled test
        cov, trace, xx3, k3 = _robust(groups, patterns, saturated, size, rows, theta, hessian, p)
    elif information == "observed":
        cov = np.linalg.inv(hessian * n)
    else:
        info = sum(
            _expected_information(size, group_rows, theta, p, pattern.n)
            for group_rows, pattern in zip(rows, patterns, strict=True)
        )
        cov = np.linalg.inv(info)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    # lavaan's defaults: a mean structure with FIML or several groups; none for one group of
    # complete data (the intercepts are then the sample means, not counted, not in SRMR)
    means = missing == "fiml" or len(groups) > 1 or estimator == "mlr"
    moments, tables = [], []
    for number, (group_rows, pattern, (_, values), (sat_mu, sat_sigma)) in enumerate(
        zip(rows, patterns, groups, saturated, strict=True), start=1
    ):
        A, S, m = _ram(size, group_rows, theta)
        sigma, mu, _, full = _implied(A, S, m, p)
        moments.append((values, pattern, sigma, mu, sat_sigma, sat_mu))
        table = _parameter_table(layout, group_rows, theta, se, full)
        tables.append(table.assign(group=number) if len(groups) > 1 else table)
    npar = n_par if means else n_par - p
    fit = _fit_measures(moments, npar, means=means)
    if estimator == "mlr":
        fit |= {"chisq.fimlc": xx3, "fimlc.trace": k3}
        fit |= _scaled_measures(
            fit, trace, data, layout.observed, missing, group, len(groups), baseline=not _independence
        )
    table = pd.concat(tables, ignore_index=True)
    if not means:
        table = table[table["op"] != "~1"].reset_index(drop=True)
    converged = bool(np.abs(objective(theta)[1]).max() < 1e-6)
    return SEMFit(
        table,
        fit,
        [mo[2] for mo in moments],
        [mo[3] for mo in moments],
        layout.observed,
        layout.latent,
        [label for label, _ in groups],
        converged,
        information,
    )


def _chain(rows: list[dict], n_par: int, A, S, m, E, G, g, p) -> np.ndarray:
    """Gradient in the free parameters from the gradient in (sigma, mu)."""
    size = len(A)
    Gf = np.zeros((size, size))
    Gf[:p, :p] = G
    gf = np.zeros(size)
    gf[:p] = g
    dS = E.T @ Gf @ E
    dA = 2 * dS @ S @ E.T + np.outer(E.T @ gf, E @ m)
    dm = E.T @ gf
    out = np.zeros(n_par)
    for row in rows:
        if row["free"] == 0:
            continue
        kind, i, j = row["where"]
        if kind == "A":
            out[row["free"] - 1] += dA[i, j]
        elif kind == "S":
            out[row["free"] - 1] += dS[i, j] + dS[j, i] if i != j else dS[i, i]
        else:
            out[row["free"] - 1] += dm[i]
    return out


def _numeric_jacobian(function, theta: np.ndarray) -> np.ndarray:
    """Central differences of a vector function: one column per parameter."""
    columns = []
    for j in range(len(theta)):
        h = 1e-6 * max(1.0, abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        columns.append((function(up) - function(down)) / (2 * h))
    return np.column_stack(columns)


def _expected_information(size: int, rows: list[dict], theta, p: int, n: int) -> np.ndarray:
    """Fisher information of complete normal data: n [D_s' (S^-1 x S^-1) D_s / 2 + D_m' S^-1 D_m]."""

    def moments(t: np.ndarray) -> np.ndarray:
        sigma, mu, _, _ = _implied(*_ram(size, rows, t), p)
        return np.concatenate([sigma.ravel(), mu])

    derivatives = _numeric_jacobian(moments, theta)
    d_sigma, d_mu = derivatives[: p * p], derivatives[p * p :]
    inv = np.linalg.inv(_implied(*_ram(size, rows, theta), p)[0])
    return n * (0.5 * d_sigma.T @ np.kron(inv, inv) @ d_sigma + d_mu.T @ inv @ d_mu)


def _starts(rows: list[list[dict]], values: list[np.ndarray], observed: list[str], n_par: int) -> np.ndarray:
    theta = np.zeros(n_par)
    seen = set()
    for group_rows, group_values in zip(rows, values, strict=True):
        variances = dict(zip(observed, np.nanvar(group_values, axis=0), strict=True))
        means = dict(zip(observed, np.nanmean(group_values, axis=0), strict=True))
        for row in group_rows:
            k = row["free"] - 1
            if k < 0 or k in seen:
                continue
            seen.add(k)
            if row["op"] == "=~":
                theta[k] = np.sqrt(0.5 * variances[row["rhs"]])
            elif row["op"] == "~~" and row["lhs"] == row["rhs"]:
                theta[k] = 0.5 * variances[row["lhs"]] if row["lhs"] in variances else 0.05
            elif row["op"] == "~1":
                theta[k] = means.get(row["lhs"], 0.0)
    return theta


def _fit_measures(moments: list[tuple], npar: int, *, means: bool) -> dict[str, float]:
    """lavaan's fit measures; with several groups chi-squares add up, RMSEA is multiplied by
    sqrt(G) and SRMR is the groups' average weighted by their size."""
    n_groups = len(moments)
    p = len(moments[0][3])
    n = sum(pattern.n for _, pattern, *_ in moments)
    ll = ll_sat = ll_base = 0.0
    srmr_weighted = 0.0
    for values, pattern, sigma, mu, sat_sigma, sat_mu in moments:
        ll += _loglik(pattern, sigma, mu)
        ll_sat += _loglik(pattern, sat_sigma, sat_mu)
        # baseline: independent variables, each with its own mean and variance (ML over its answers)
        ll_base += _loglik(pattern, np.diag(np.nanvar(values, axis=0)), np.nanmean(values, axis=0))
        # SRMR (Bentler): residual covariances and means over the saturated estimates, standardised
        scale = np.sqrt(np.diag(sat_sigma))
        residual = (sat_sigma - sigma) / np.outer(scale, scale)
        rows, cols = np.triu_indices(p)
        squares = np.concatenate([residual[rows, cols] ** 2, ((sat_mu - mu) / scale) ** 2 if means else []])
        srmr_weighted += pattern.n * np.sqrt(squares.mean())
    chisq = max(2 * (ll_sat - ll), 0.0)
    df = n_groups * (p * (p + 1) // 2 + (p if means else 0)) - npar
    base_chisq = 2 * (ll_sat - ll_base)
    base_df = n_groups * (p * (p + 1) // 2 - p)
    return chisq_measures(npar, chisq, df, base_chisq, base_df, n, n_groups) | {
        "srmr": float(srmr_weighted / n),
        "logl": ll,
        "unrestricted.logl": ll_sat,
        "aic": -2 * ll + 2 * npar,
        "bic": -2 * ll + np.log(n) * npar,
        "ntotal": n,
    }


def chisq_measures(
    npar: int, chisq: float, df: int, base_chisq: float, base_df: int, n: int, n_groups: int = 1
) -> dict[str, float]:
    """The measures built on a model's chi-square and its baseline's: the p value, CFI, TLI and
    RMSEA with its 90% interval (on ``n``; times sqrt(G) with several groups, as lavaan)."""
    cfi, tli = incremental_indices(chisq, df, base_chisq, base_df)
    low, high = (bound * np.sqrt(n_groups) for bound in _rmsea_interval(chisq, df, n))
    return {
        "npar": npar,
        "chisq": chisq,
        "df": df,
        "pvalue": float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan,
        "baseline.chisq": base_chisq,
        "baseline.df": base_df,
        "cfi": cfi,
        "tli": tli,
        "rmsea": rmsea_point(chisq, df, n, n_groups),
        "rmsea.ci.lower": low,
        "rmsea.ci.upper": high,
    }


def rmsea_point(chisq: float, df: int, n: int, n_groups: int = 1) -> float:
    """RMSEA, sqrt(max(chisq - df, 0) / (df n)), times sqrt(G) with several groups (lavaan)."""
    return float(np.sqrt(max(chisq - df, 0.0) / (df * n) * n_groups)) if df > 0 else 0.0


def incremental_indices(chisq: float, df: int, base_chisq: float, base_df: int) -> tuple[float, float]:
    """CFI and TLI of a statistic against the baseline's (Bentler, 1990; Tucker & Lewis, 1973)."""
    denominator = max(chisq - df, base_chisq - base_df, 0.0)
    cfi = 1.0 - max(chisq - df, 0.0) / denominator if denominator > 0 else 1.0
    tli = (base_chisq / base_df - chisq / df) / (base_chisq / base_df - 1) if df > 0 else 1.0
    return cfi, tli


def _rmsea_interval(chisq: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """Noncentrality interval of RMSEA (Browne & Cudeck, 1993), lavaan's 90% default."""
    if df <= 0:
        return np.nan, np.nan

    def bound(prob: float) -> float:
        # the noncentrality at which chisq is the prob quantile
        if stats.chi2.cdf(chisq, df) < prob:
            return 0.0
        lam = optimize.brentq(lambda x: stats.ncx2.cdf(chisq, df, x) - prob, 1e-10, max(10 * chisq, 100))
        return float(np.sqrt(lam / (df * n)))

    tail = (1 - level) / 2
    return bound(1 - tail), bound(tail)


def _parameter_table(layout: _Layout, rows: list[dict], theta, se, full) -> pd.DataFrame:
    sd = np.sqrt(np.diag(full))

    def value(row: dict) -> float:
        return row["fixed"] if row["free"] == 0 else theta[row["free"] - 1]

    variance = {row["lhs"]: value(row) for row in rows if row["op"] == "~~" and row["lhs"] == row["rhs"]}
    index = {n: i for i, n in enumerate(layout.names)}
    records = []
    for row in rows:
        est = value(row)
        error = 0.0 if row["free"] == 0 else se[row["free"] - 1]
        lhs, op, rhs = row["lhs"], row["op"], row["rhs"]
        if op == "=~":
            std = est * sd[index[lhs]] / sd[index[rhs]]
        elif op == "~":
            std = est * sd[index[rhs]] / sd[index[lhs]]
        elif op == "~~" and lhs == rhs:
            std = est / sd[index[lhs]] ** 2  # the unexplained share of the variance
        elif op == "~~":  # as lavaan: a correlation of the (residual) variances the model frees
            product = variance[lhs] * variance[rhs]  # negative in a Heywood case: no correlation
            std = est / np.sqrt(product) if product > 0 else np.nan
        else:
            std = est / sd[index[lhs]]
        records.append(
            {
                "lhs": lhs,
                "op": op,
                "rhs": rhs,
                "label": row["label"] or "",
                "free": row["free"],
                "est": float(est),
                "se": float(error),
                "std_all": float(std),
            }
        )
    return pd.DataFrame(records)


FIT_COLUMNS = {
    "npar": "npar",
    "chisq": "chisq",
    "df": "df",
    "pvalue": "p_val",
    "cfi": "cfi",
    "tli": "tli",
    "rmsea": "rmsea",
    "rmsea.ci.lower": "rmsea_ci_low",
    "rmsea.ci.upper": "rmsea_ci_high",
    "srmr": "srmr",
    "aic": "aic",
    "bic": "bic",
}
"""lavaan's names of the fit measures, and the package's."""


SCALED_COLUMNS = {
    "chisq.scaled": "chisq_scaled",
    "chisq.scaling.factor": "scaling_factor",
    "pvalue.scaled": "p_val_scaled",
    "cfi.scaled": "cfi_scaled",
    "tli.scaled": "tli_scaled",
    "rmsea.scaled": "rmsea_scaled",
    "cfi.robust": "cfi_robust",
    "tli.robust": "tli_robust",
    "rmsea.robust": "rmsea_robust",
}
"""lavaan's names of the MLR (Yuan-Bentler) scaled measures, and the package's."""


ORDINAL_COLUMNS = {
    "chisq.scaled": "chisq_scaled",
    "chisq.scaling.factor": "scaling_factor",
    "chisq.shift.parameter": "shift_parameter",
    "pvalue.scaled": "p_val_scaled",
    "cfi.scaled": "cfi_scaled",
    "tli.scaled": "tli_scaled",
    "rmsea.scaled": "rmsea_scaled",
}
"""lavaan's names of the WLSMV (scaled and shifted) measures, and the package's."""


def fit_row(result: SEMFit, missing: str, estimator: str = "ml") -> pd.DataFrame:
    """The one-row fit table of a result: ``n``, the fit measures (with MLR or the ordinal
    estimator also the scaled ones), ``estimator``, ``missing``."""
    extra = {"mlr": SCALED_COLUMNS, "ordinal": ORDINAL_COLUMNS}.get(estimator, {})
    columns = FIT_COLUMNS | extra
    row = {"n": int(result.fit["ntotal"])} | {new: result.fit[old] for old, new in columns.items()}
    return pd.DataFrame([row]).astype({"npar": int, "df": int}).assign(estimator=estimator, missing=missing)


def parameter_table(result: SEMFit, alpha: float) -> pd.DataFrame:
    """Every parameter in the package's schema: ``lhs``, ``op``, ``rhs``, ``label``, the estimate
    columns (z tests; NaN for fixed parameters) and ``std_all``."""
    estimates = result.parameters
    labels = estimates[["lhs", "op", "rhs", "label"]]
    table = wald_table(labels, estimates["est"].to_numpy(), estimates["se"].to_numpy(), alpha)
    table = table.assign(std_all=estimates["std_all"].to_numpy())
    fixed = estimates["free"].to_numpy() == 0
    table.loc[fixed, ["se", "statistic", "p_val", "ci_low", "ci_high"]] = np.nan
    return table


def _casewise_scores(values: np.ndarray, sigma: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Each case's score in (mu, vec sigma): the gradient of its own log-likelihood over its
    answered values (rows: cases with an answer; columns: p means, then p * p covariances)."""
    p = len(mu)
    observed = ~np.isnan(values)
    values = values[observed.any(axis=1)]
    observed = observed[observed.any(axis=1)]
    scores = np.zeros((len(values), p + p * p))
    masks, inverse = np.unique(observed, axis=0, return_inverse=True)
    for k, mask in enumerate(masks):
        rows = np.flatnonzero(inverse.ravel() == k)
        cols = np.flatnonzero(mask)
        inv = np.linalg.inv(sigma[np.ix_(cols, cols)])
        weighted = (values[np.ix_(rows, cols)] - mu[cols]) @ inv  # (x - mu)' sigma^-1
        scores[np.ix_(rows, cols)] = weighted
        block = 0.5 * (weighted[:, :, None] * weighted[:, None, :] - inv)
        positions = (p + cols[:, None] * p + cols[None, :]).ravel()
        scores[np.ix_(rows, positions)] = block.reshape(len(rows), -1)
    return scores


def _vech(scores: np.ndarray, p: int) -> np.ndarray:
    """Scores in (mu, vec sigma) as scores in (mu, vech sigma): a covariance counts twice."""
    rows, cols = np.triu_indices(p)
    full = scores[:, p:].reshape(len(scores), p, p)
    doubled = np.where(rows == cols, 1.0, 2.0)
    return np.column_stack([scores[:, :p], full[:, rows, cols] * doubled])


def _robust(
    groups: list[tuple],
    patterns: list[_Patterns],
    saturated: list[tuple[np.ndarray, np.ndarray]],
    size: int,
    rows: list[list[dict]],
    theta,
    hessian,
    p: int,
) -> tuple[np.ndarray, float, float, float]:
    """Huber-White standard errors and the Yuan-Bentler (Mplus) trace of U Gamma, as lavaan's MLR,
    and the FIML-corrected statistic and trace the robust indices use under missing data.

    ``hessian`` is the unit observed information of the model (over all groups). With A1 and B1
    each group's unit observed and first-order information of the saturated model at its ML
    estimates, and B0 the group's first-order information of the model, the trace sums
    tr(A1^-1 B1) - f tr(E^-1 B0) over the groups, f a group's share of the respondents (lavaan's
    ``lav_test_yuan_bentler_mplus_trace``); the scaled chi-square is chi-square / (trace / df).
    """
    n = sum(pattern.n for pattern in patterns)
    e_inv = np.linalg.inv(hessian)
    tri = np.triu_indices(p)
    vech_rows = np.concatenate([np.arange(p), p + tri[0] * p + tri[1]])
    b0_total = np.zeros_like(hessian)
    trace, xx3 = 0.0, 0.0
    blocks = []  # per group: share, delta, Wm, Wc, Gamma (lavaan's lav_fit_fiml_corrected, V3)
    for (_, values), pattern, (sat_mu, sat_sigma), group_rows in zip(
        groups, patterns, saturated, rows, strict=True
    ):
        share = pattern.n / n

        def moments(t: np.ndarray, group_rows=group_rows) -> np.ndarray:
            sigma, mu, _, _ = _implied(*_ram(size, group_rows, t), p)
            return np.concatenate([mu, sigma.ravel()])

        sigma, mu, _, _ = _implied(*_ram(size, group_rows, theta), p)
        jacobian = _numeric_jacobian(moments, theta)  # d(mu, vec sigma) / d theta
        case_scores = _casewise_scores(values, sigma, mu) @ jacobian
        b0 = case_scores.T @ case_scores / pattern.n
        b0_total += share * b0
        a1 = _saturated_information(pattern, sat_sigma, sat_mu)
        a1_inv = np.linalg.inv(a1)
        sat_scores = _vech(_casewise_scores(values, sat_sigma, sat_mu), p)
        b1 = sat_scores.T @ sat_scores / pattern.n
        trace += float(np.sum(b1 * a1_inv.T) - share * np.sum(b0 * e_inv.T))
        # the model at its estimates against the EM moments as if they were complete-data ones
        inv = np.linalg.inv(sigma)
        d = sat_mu - mu
        logdet = np.linalg.slogdet(sigma)[1] - np.linalg.slogdet(sat_sigma)[1]
        xx3 += pattern.n * float(logdet + np.sum(inv * sat_sigma) - p + d @ inv @ d)
        complete = _Patterns([np.arange(p)], np.array([pattern.n]), [sat_mu], [sat_sigma], pattern.n)
        wc = _saturated_information(complete, sat_sigma, sat_mu)
        blocks.append((share, jacobian[vech_rows], a1, a1_inv, wc, a1_inv @ b1 @ a1_inv))
    cov = e_inv @ b0_total @ e_inv / n
    # FIML-corrected trace (Zhang & Savalei): U Wm^-1 Wc Wm^-1 U Gamma over the stacked groups,
    # with the model's information built from the saturated one (observed.information = "h1")
    wm = linalg.block_diag(*[f * a1 for f, _, a1, _, _, _ in blocks])
    wm_inv = linalg.block_diag(*[a1_inv / f for f, _, _, a1_inv, _, _ in blocks])
    wc = linalg.block_diag(*[f * wc_g for f, _, _, _, wc_g, _ in blocks])
    gamma = linalg.block_diag(*[g / f for f, _, _, _, _, g in blocks])
    delta = np.vstack([delta_g for _, delta_g, _, _, _, _ in blocks])
    u = wm - wm @ delta @ np.linalg.inv(delta.T @ wm @ delta) @ delta.T @ wm
    k3 = float(np.trace(u @ wm_inv @ wc @ wm_inv @ u @ gamma))
    return cov, trace, xx3, k3


def _scaled_measures(
    fit: dict,
    trace: float,
    data: pd.DataFrame,
    observed: list[str],
    missing: str,
    group: str | None,
    n_groups: int,
    *,
    baseline: bool,
) -> dict:
    """The Yuan-Bentler scaled chi-square and the indices lavaan builds on it (``.scaled``)."""
    df, n = fit["df"], fit["ntotal"]
    factor = trace / df if df > 0 else np.nan
    scaled = fit["chisq"] / factor
    out = {
        "chisq.scaled": scaled,
        "chisq.scaling.factor": factor,
        "pvalue.scaled": float(stats.chi2.sf(scaled, df)) if df > 0 else np.nan,
        # several groups: the one-group formula on the total n times sqrt(G), as lavaan
        "rmsea.scaled": rmsea_point(scaled, df, n, n_groups),
    }
    # robust RMSEA, CFI and TLI (Brosseau-Liard, Savalei & Li, 2012; Brosseau-Liard & Savalei,
    # 2014): the noncentrality T - c df instead of T / c - df; under FIML T and c are the
    # FIML-corrected ones (Zhang & Savalei, 2020), as lavaan computes them
    statistic, robust_factor = (
        (fit["chisq"], factor) if missing == "listwise" else (fit["chisq.fimlc"], fit["fimlc.trace"] / df)
    )
    noncentral = max(statistic - robust_factor * df, 0.0)
    out["rmsea.robust"] = float(np.sqrt(noncentral / (df * n) * n_groups)) if df > 0 else np.nan
    if baseline:  # the independence model, scaled the same way, for CFI and TLI
        syntax = "\n".join(f"{name} ~~ {name}" for name in observed)
        base = fit_model(syntax, data, missing=missing, group=group, estimator="mlr", _independence=True).fit
        base_scaled, base_df = base["chisq.scaled"], base["df"]
        out["baseline.chisq.scaled"] = base_scaled
        out["cfi.scaled"], out["tli.scaled"] = incremental_indices(scaled, df, base_scaled, base_df)
        base_statistic, base_factor = (
            (base["chisq"], base["chisq.scaling.factor"])
            if missing == "listwise"
            else (base["chisq.fimlc"], base["fimlc.trace"] / base_df)
        )
        base_noncentral = max(base_statistic - base_factor * base_df, 0.0)
        robust_denominator = max(noncentral, base_noncentral)
        robust = robust_denominator > 0 and df > 0
        out["cfi.robust"] = 1.0 - noncentral / robust_denominator if robust else np.nan
        out["tli.robust"] = (
            1.0 - (statistic - robust_factor * df) / df / (base_noncentral / base_df) if robust else np.nan
        )
    return out


def _saturated_information(patterns: _Patterns, sigma: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Unit observed information of the saturated normal model in (mu, vech sigma), summed over
    missing-data patterns: minus the Hessian of the log-likelihood over the cases, in closed
    form (with W the inverse covariance of a pattern's answers and d its mean residual:
    -n W, -n ((W d)' x W), -n/2 (W C W x W + W x W C W - W x W), C = S + d d'), divided by n."""
    p = len(mu)
    hessian = np.zeros((p + p * p, p + p * p))
    for cols, n, mean, cov in zip(
        patterns.columns, patterns.counts, patterns.means, patterns.covariances, strict=True
    ):
        W = np.linalg.inv(sigma[np.ix_(cols, cols)])
        d = mean - mu[cols]
        WCW = W @ (cov + np.outer(d, d)) @ W
        vec = (p + cols[:, None] * p + cols[None, :]).ravel()
        hessian[np.ix_(cols, cols)] += -n * W
        cross = -n * np.kron((W @ d)[None, :], W)
        hessian[np.ix_(cols, vec)] += cross
        hessian[np.ix_(vec, cols)] += cross.T
        hessian[np.ix_(vec, vec)] += -0.5 * n * (np.kron(WCW, W) + np.kron(W, WCW) - np.kron(W, W))
    # from vec sigma to vech sigma: the duplication matrix D (vec sigma = D vech sigma)
    rows, cols_ = np.triu_indices(p)
    duplication = np.zeros((p * p, len(rows)))
    duplication[rows * p + cols_, np.arange(len(rows))] = 1.0
    duplication[cols_ * p + rows, np.arange(len(rows))] = 1.0
    transform = np.zeros((p + p * p, p + len(rows)))
    transform[:p, :p] = np.eye(p)
    transform[p:, p:] = duplication
    return -(transform.T @ hessian @ transform) / patterns.n


def _check_identified(hessian: np.ndarray, rows: list[list[dict]]) -> None:
    """A singular information matrix: some combination of parameters leaves the fit unchanged.
    Name the parameter that weighs most in that combination."""
    values, vectors = np.linalg.eigh(hessian)
    if values[0] > 1e-8 * max(abs(values[-1]), 1e-300):
        return
    k = int(np.argmax(np.abs(vectors[:, 0]))) + 1
    row = next(r for group_rows in rows for r in group_rows if r["free"] == k)
    name = f"{row['lhs']} {row['op']} {row['rhs']}".strip()
    raise ValueError(
        f"the model is not identified: the data cannot pin down {name!r} (the information matrix "
        "is singular); fix its scale (a loading at 1 or the factor's variance at 1) or constrain it"
    )
