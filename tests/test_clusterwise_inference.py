"""Segment inference: the number of segments, convergence, tied answers, separation, stability.

Reference numbers come from R (mixtools, flexmix, fpc) through the scripts in
tests/reference/; the size of the segment test is checked on data where it must not reject.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import loyalty_research as lr
from loyalty_research.clusterwise import (
    ClusterwiseRegression,
    CollapsedStartsWarning,
    SeparationWarning,
    _em,
    answer_grid,
    bootstrap_lrt,
    select_n_components,
)
from loyalty_research.simulation_study import simulate_likert_regression

REFERENCE = Path(__file__).parent / "reference"


def reference_case(name):
    """X, y and K of the public data sets of tests/reference/mixtools_convergence.R."""
    if name.startswith("npreg"):
        data = pd.read_csv(REFERENCE / "data" / "npreg.csv")
        return pd.DataFrame({"x": data["x"], "x2": data["x"] ** 2}), data["yn"], int(name[-1])
    if name.startswith("tonedata"):
        data = pd.read_csv(REFERENCE / "data" / "tonedata.csv")
        return data[["stretchratio"]], data["tuned"], 2
    data = pd.read_csv(REFERENCE / "data" / "iris.csv")
    return data[["Sepal.Length"]], data["Sepal.Width"], 3


def two_lines(n=300, seed=0, sd=0.5):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 10, n)
    segment = rng.random(n) < 0.5
    return x[:, None], np.where(segment, 1 + x, 9 - x) + rng.normal(0, sd, n), segment


# --------------------------------------------------------------------------- the EM itself
def test_compiled_and_numpy_em_reach_the_same_fixed_point():
    """The numba kernel and the batched NumPy EM are one algorithm: same steps, same stop."""
    X, y, _ = simulate_likert_regression(300, 1, random_state=1)
    model = ClusterwiseRegression(2, n_init=3, random_state=0).fit(X, y)
    design = np.column_stack([np.ones(len(y)), X.to_numpy()])
    prior_design = np.ones((len(y), 1))
    rng = np.random.default_rng(0)
    args = model._random_starts(design, y, prior_design, rng, 4)
    settings = {"floor": model.floor_, "max_iter": 3000, "tol": 1e-10}
    compiled = _em.run_em(design, y, prior_design, *args, **settings)
    batched = _em.run_em_batched(design, y, prior_design, *args, **settings)
    np.testing.assert_array_equal(compiled.n_iter, batched.n_iter)
    np.testing.assert_array_equal(compiled.converged, batched.converged)
    np.testing.assert_allclose(compiled.log_likelihood, batched.log_likelihood, rtol=1e-12)
    np.testing.assert_allclose(compiled.coefs, batched.coefs, atol=1e-9)


def test_compiled_em_is_the_same_with_and_without_stored_case_products(monkeypatch):
    """Above ``PRODUCTS_LIMIT`` the M-step sums by loops over the cases; both give one path."""
    from loyalty_research.clusterwise import _em_kernel

    X, y, _ = simulate_likert_regression(300, 1, random_state=2)
    model = ClusterwiseRegression(3, n_init=3, random_state=0).fit(X, y)
    design = np.column_stack([np.ones(len(y)), X.to_numpy()])
    prior_design = np.ones((len(y), 1))
    args = model._random_starts(design, y, prior_design, np.random.default_rng(1), 4)
    settings = {"floor": model.floor_, "max_iter": 3000, "tol": 1e-10}
    with_products = _em.run_em(design, y, prior_design, *args, **settings)
    monkeypatch.setattr(_em_kernel, "PRODUCTS_LIMIT", 0)
    with_loops = _em.run_em(design, y, prior_design, *args, **settings)
    np.testing.assert_array_equal(with_products.n_iter, with_loops.n_iter)
    np.testing.assert_allclose(with_products.log_likelihood, with_loops.log_likelihood, rtol=1e-12)
    np.testing.assert_allclose(with_products.coefs, with_loops.coefs, atol=1e-9)


def test_kernel_exp_is_within_one_unit_in_the_last_place():
    from loyalty_research.clusterwise._em_kernel import _exp_shifted

    rng = np.random.default_rng(0)
    x = np.concatenate(
        [-rng.exponential(5, 20_000), -rng.uniform(0, 708, 20_000), [0.0, -0.0, -1e-300, -0.5, -707.99]]
    )
    shift = rng.normal(size=len(x))
    out, total = x + shift, np.ones(len(x))
    exact = np.exp((x + shift) - shift)  # the argument as the kernel forms it
    _exp_shifted(out, shift, np.empty(len(x), np.int64), total)
    relative = np.abs(out - exact) / exact
    assert relative.max() <= np.finfo(float).eps
    np.testing.assert_array_equal(total, 1 + out)  # the running total of the E-step
    # below -708 exp is subnormal (under 3e-308): it counts as 0, as does exp(-inf)
    tail = np.array([-708.5, -745.0, -1e6, -np.inf])
    _exp_shifted(tail, np.zeros(4), np.empty(4, np.int64), np.zeros(4))
    assert np.all(tail == 0.0)


def test_kernel_sum_of_logs_and_small_cholesky():
    from loyalty_research.clusterwise._em_kernel import _solve_positive_definite, _sum_of_logs

    values = 1 + 2 * np.random.default_rng(1).random(1001)  # totals of K = 3 posteriors lie in [1, 3]
    assert _sum_of_logs(values) == pytest.approx(np.log(values).sum(), rel=1e-14)
    rng = np.random.default_rng(2)
    for q in (1, 2, 5, 8):
        a = rng.normal(size=(q + 4, q))
        gram, moment = a.T @ a, rng.normal(size=q)
        out = np.empty(q)
        assert _solve_positive_definite(gram.copy(), moment, out)
        np.testing.assert_allclose(out, np.linalg.solve(gram, moment), rtol=1e-10)
    # not positive definite: refused, so that the kernel falls back to LAPACK
    assert not _solve_positive_definite(np.array([[1.0, 2.0], [2.0, 1.0]]), np.ones(2), np.empty(2))


@pytest.mark.parametrize("n", [40, 2_000])  # drawn without replacement / by rejection
def test_random_subsets_hold_distinct_cases_each_equally_often(n):
    from loyalty_research.clusterwise.estimator import _random_subsets

    subsets = _random_subsets(np.random.default_rng(3), n, 7, 4_000)
    assert subsets.shape == (4_000, 7)
    assert np.all(np.diff(np.sort(subsets, axis=1), axis=1) > 0)
    counts = np.bincount(subsets.ravel(), minlength=n)
    assert stats.chisquare(counts).pvalue > 0.001


def test_compiled_starts_equal_their_numpy_definition():
    """Each case goes to its nearest line; one softened least-squares step per segment."""
    from loyalty_research.clusterwise._em_kernel import nearest_lines, soft_starts

    rng = np.random.default_rng(4)
    n, q, K, S = 200, 3, 3, 5
    design = np.column_stack([np.ones(n), rng.normal(size=(n, q - 1))])
    y = rng.normal(size=n)
    lines = rng.normal(size=(S, K, q))
    labels = nearest_lines(design, y, lines)
    distance = np.abs(y[:, None, None] - np.einsum("iq,skq->isk", design, lines))
    np.testing.assert_array_equal(labels, distance.argmin(axis=2).T)
    log_w, coefs, variances = soft_starts(design, y, labels, K, floor=1e-6)
    for s in range(S):
        for k in range(K):
            w = np.where(labels[s] == k, 0.95, 0.025)
            beta = np.linalg.solve((design * w[:, None]).T @ design, (design * w[:, None]).T @ y)
            np.testing.assert_allclose(coefs[s, k], beta, rtol=1e-8)
            assert variances[s, k] == pytest.approx(np.sum(w * (y - design @ beta) ** 2) / w.sum(), rel=1e-10)
            assert log_w[s, k] == pytest.approx(np.log(w.mean()), rel=1e-12)


@pytest.mark.parametrize("case", ["npreg_k2", "npreg_k3", "tonedata_k2", "iris_k3"])
def test_converged_means_at_the_maximum_mixtools_reaches(case):
    """R: regmixEM(..., epsilon = 1e-14) started at our estimate (mixtools_convergence.R).

    The old relative stopping rule left a coefficient 0.018 from this point on a flat
    likelihood while reporting convergence; now every parameter agrees to 1e-4.
    """
    fixture = pd.read_csv(REFERENCE / "fixtures" / "mixtools_convergence.csv")
    fixture = fixture[fixture["case"] == case]
    X, y, k = reference_case(case)
    model = ClusterwiseRegression(k, n_init=40 if case == "iris_k3" else 20, random_state=0).fit(X, y)
    assert model.converged_
    ours = {}
    for s in range(k):
        for term, value in zip(
            ["intercept", *X.columns], [model.intercept_[s], *model.coef_[s]], strict=True
        ):
            ours[(s + 1, term)] = value
        ours[(s + 1, "sigma")], ours[(s + 1, "prior")] = model.scale_[s], model.weights_[s]
    params = fixture.dropna(subset=["segment"])
    for row in params.itertuples():
        assert ours[(int(row.segment), row.term)] == pytest.approx(row.polished, abs=1e-4), row
    loglik = fixture.loc[fixture["term"] == "loglik", "polished"].item()
    assert model.log_likelihood_ == pytest.approx(loglik, abs=1e-6)


def test_tie_heavy_iris_finds_a_higher_maximum_than_flexmix_and_says_when_starts_collapse():
    """R: stepFlexmix(Sepal.Width ~ Sepal.Length, k = 3, nrep = 20), 5 seeds (flexmix_ties.R)."""
    flexmix = pd.read_csv(REFERENCE / "fixtures" / "flexmix_ties_iris_k3.csv")
    X, y, _ = reference_case("iris_k3")
    with pytest.warns(CollapsedStartsWarning, match="raise n_init"):
        default = ClusterwiseRegression(3, random_state=0).fit(X, y)
    assert not default.degenerate_
    assert default.resolution_ == pytest.approx(0.1)
    # no segment narrower than the rounding error of answers recorded to 0.1 (Sheppard)
    assert default.scale_.min() > 0.1 / np.sqrt(12)
    # with the defaults, at least as high as flexmix's best of five seeds, on every seed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CollapsedStartsWarning)
        found = [ClusterwiseRegression(3, random_state=seed).fit(X, y).log_likelihood_ for seed in range(8)]
    assert min(found) >= flexmix["loglik"].max()
    thorough = ClusterwiseRegression(3, n_init=40, random_state=1).fit(X, y)
    assert thorough.log_likelihood_ == pytest.approx(max(found))
    # flexmix's point is not a maximum of the likelihood: ML EM from it rises into a tie spike
    best = flexmix[flexmix["loglik"] == flexmix["loglik"].max()].sort_values("segment")
    design = np.column_stack([np.ones(len(y)), X.to_numpy()])
    weights = best["prior"].to_numpy()
    fits = _em.run_em(
        design,
        y.to_numpy(),
        np.ones((len(y), 1)),
        np.log(weights / weights[0])[None, :, None],
        best[["intercept", "slope"]].to_numpy()[None],
        best["sigma"].to_numpy()[None] ** 2,
        floor=default.floor_,
        max_iter=5000,
        tol=1e-10,
    )
    assert fits.collapsed[0] and fits.log_likelihood[0] > best["loglik"].iloc[0]


def test_all_collapsed_starts_give_a_warning_never_a_silent_degenerate_fit():
    x = np.repeat(np.arange(1.0, 8.0), 6)
    y = np.clip(x + np.tile([0.0, 0, 0, 1, -1, 0], 7), 1, 7)  # five of six answers on one line
    with pytest.warns(lr.DegenerateSolutionWarning, match="not a valid estimate"):
        model = ClusterwiseRegression(3, n_init=3, max_starts=6, random_state=0).fit(x[:, None], y)
    assert model.degenerate_


def test_answer_grid():
    assert answer_grid([1, 4 / 3, 5 / 3, 7, 7, 2, 1, 1] * 3) == pytest.approx(1 / 3)
    assert answer_grid([1, 4 / 3, 5 / 3, 7]) is None  # no ties: nothing to say it is a grid
    assert answer_grid(np.round(np.random.default_rng(0).uniform(1, 7, 200), 1)) == pytest.approx(0.1)
    assert answer_grid(np.random.default_rng(0).normal(size=200)) is None  # continuous
    with pytest.raises(ValueError, match="resolution must be"):
        ClusterwiseRegression(resolution=-1).fit([[1.0], [2.0], [3.0]], [1.0, 2, 3])


# ------------------------------------------------------------------ how many segments
def test_bootstrap_lrt_statistic_matches_mixtools_and_rejects_one_line_for_npreg():
    """R: regmixEM maximum likelihoods of NPreg, K = 1 and 2 (mixtools_reference.R)."""
    fixture = pd.read_csv(REFERENCE / "fixtures" / "mixtools_lrt.csv")
    expected = fixture[(fixture["case"] == "npreg") & (fixture["k_alt"] == 2)]["statistic"].item()
    X, y, _ = reference_case("npreg_k2")
    result = bootstrap_lrt(X, y, 2, n_boot=19, random_state=0, progress=False)
    assert result.statistic == pytest.approx(expected, abs=1e-5)
    assert result.p_value == pytest.approx(0.05)  # the smallest attainable: power on real segments
    assert result.null == "smoothed" and result.grid_step is None
    assert len(result.null_distribution) == 19 and "K=2 vs 1" in repr(result)


def test_bootstrap_lrt_keeps_its_size_on_one_regression_likert_data():
    """One regression for everybody, loyalty a mean of rounded 1-7 items with a ceiling: the
    test of two segments against one must not reject more than about 5% of the time.

    With 20 data sets and a true size of 5%, five or more rejections have probability 0.003;
    the answer-grid null rejected 20% of 100 such data sets
    (``benchmarks/lrt_size_power.py``).
    """
    p_values = []
    for seed in range(20):
        X, y, _ = simulate_likert_regression(200, 1, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            test = bootstrap_lrt(X, y, 2, n_boot=19, n_init=3, random_state=seed, progress=False)
        p_values.append(test.p_value)
        assert test.null == "smoothed" and test.grid_step == pytest.approx(0.25)
    assert sum(p <= 0.05 for p in p_values) <= 4, p_values


def test_smoothed_null_keeps_the_residual_mean_and_variance():
    """The kernel noise is shrunk back, so smoothed draws have the residuals' variance."""
    from loyalty_research.clusterwise.inference import _NullSampler

    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 400)
    y = 1 + 0.5 * x + rng.gamma(2.0, 1.0, 400)  # skewed errors, no grid
    model = ClusterwiseRegression(1).fit(x[:, None], y)
    fitted = model.intercept_[0] + model.coef_[0, 0] * x
    smoothed = _NullSampler(model, x[:, None], y, None, "smoothed", None)
    errors = np.concatenate([smoothed.draw(rng) - fitted for _ in range(200)])
    assert 0 < smoothed.bandwidth[0] < 0.5
    assert errors.mean() == pytest.approx(0, abs=0.02)
    assert errors.std() == pytest.approx(model.scale_[0], rel=0.02)
    assert stats.skew(errors) > 0.8  # the data's skew (gamma(2): 1.41) is kept, not normalised away


def test_bootstrap_lrt_settings_and_errors():
    X, y, _ = two_lines(120)
    with pytest.raises(ValueError, match="n_components must be an integer of at least 2"):
        bootstrap_lrt(X, y, 1, progress=False)
    with pytest.raises(ValueError, match="null must be"):
        bootstrap_lrt(X, y, 2, null="uniform", progress=False)
    with pytest.raises(ValueError, match="needs an outcome on a grid"):
        bootstrap_lrt(X, y, 2, null="grid", n_boot=2, progress=False)
    gaussian = bootstrap_lrt(X, y, 2, null="gaussian", n_boot=4, n_init=2, random_state=3, progress=False)
    again = bootstrap_lrt(X, y, 2, null="gaussian", n_boot=4, n_init=2, random_state=3, progress=False)
    np.testing.assert_array_equal(gaussian.null_distribution, again.null_distribution)


def test_select_n_components_with_the_lrt_and_a_formula():
    X, y, _ = two_lines(200, seed=4)
    data = pd.DataFrame({"x": X[:, 0], "y": y})
    table = select_n_components(
        "y ~ x", data, range(1, 4), n_boot=9, n_init=3, random_state=0, progress=False
    )
    assert list(table["n_components"]) == [1, 2, 3]
    assert np.isnan(table["lrt_p_val"].iloc[0])
    assert table["lrt_p_val"].iloc[1] == pytest.approx(0.1)  # 2 against 1: the smallest p of 9 draws
    assert table["bic"].idxmin() == 1
    # sequential: 2 against 1 rejects at 0.1 (all that 9 samples allow), 3 against 2 does not ...
    sequential = select_n_components(
        X, y, range(1, 5), n_boot=9, stop_at=0.1, n_init=3, random_state=0, progress=False
    )
    assert sequential["lrt_p_val"].iloc[1] <= 0.1 < sequential["lrt_p_val"].iloc[2]
    assert np.isnan(sequential["lrt_p_val"].iloc[3])  # ... so 4 against 3 is not tested


def test_select_n_components_keeps_the_rows_it_fitted_when_k_is_too_large():
    X, y, _ = two_lines(12, seed=5)
    with pytest.warns(UserWarning, match="K = 5 could not be fitted .* the table stops at K = 4"):
        table = select_n_components(X, y, range(1, 7), n_init=2, random_state=0, progress=False)
    assert list(table["n_components"]) == [1, 2, 3, 4]


def test_permutation_test_rejects_one_regression_so_it_is_no_test_of_segments():
    """One regression, no segments: the permutation test still rejects (any relation does)."""
    X, y, _ = simulate_likert_regression(300, 1, random_state=11)
    result = lr.permutation_test(
        X, y, 4, n_permutations=19, n_init=3, statistic="log_likelihood", random_state=0, progress=False
    )
    assert result.p_value == pytest.approx(0.05)  # the smallest attainable, with no segments at all
    segments = bootstrap_lrt(X, y, 2, n_boot=19, n_init=3, random_state=0, progress=False)
    assert segments.p_value > 0.05


# ------------------------------------------------------------------- separation
def test_separating_concomitant_is_flagged_and_gets_no_z_or_p():
    rng = np.random.default_rng(2)
    X, y, segment = two_lines(400, seed=2, sd=0.4)
    tourist = np.where(segment, 0.0, rng.random(400) < 0.5)  # no tourist in the rising segment
    age = rng.normal(size=400)
    Z = pd.DataFrame({"tourist": tourist, "age": age})
    # separated logits grow without bound, so EM does not converge: a short run shows it as well
    with pytest.warns(SeparationWarning, match="'tourist' \\(segment 2 against 1\\)"):
        model = ClusterwiseRegression(2, n_init=3, max_iter=300, random_state=0).fit(X, y, Z)
    table = model.concomitant_summary(X, y, Z)
    flagged = table.set_index("term").loc["tourist"]
    assert not flagged["identified"] and np.isnan(flagged[["se", "statistic", "p_val"]].astype(float)).all()
    assert table.set_index("term").loc["age", "identified"]
    assert model.separated_terms_ == [(2, "tourist")]


def test_concomitant_without_separation_is_identified():
    data = pd.read_csv(REFERENCE / "data" / "concomitant.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeparationWarning)
        model = ClusterwiseRegression(2, n_init=5, random_state=0).fit(data[["x"]], data["y"], data[["z"]])
    assert model.concomitant_summary(data[["x"]], data["y"], data[["z"]])["identified"].all()


# -------------------------------------------------------------------- stability
def test_segment_stability_of_clear_segments_and_of_noise():
    X, y, _ = two_lines(200, seed=6, sd=0.3)
    data = pd.DataFrame({"x": X[:, 0], "y": y})
    result = lr.fit_clusterwise("y ~ x", data, 2, n_init=3, random_state=0)
    stable = result.segment_stability(n_boot=8, random_state=0, progress=False)
    assert list(stable["segment"]) == [1, 2]
    assert (stable["jaccard_mean"] > 0.9).all() and (stable["verdict"] == "stable").all()
    noise = pd.DataFrame({"x": data["x"], "y": np.random.default_rng(1).normal(size=200)})
    shaky = lr.segment_stability("y ~ x", noise, 3, n_boot=8, n_init=3, random_state=0, progress=False)
    assert shaky["jaccard_mean"].min() < 0.75
    with pytest.raises(ValueError, match="pass data and n_components"):
        lr.segment_stability("y ~ x", noise)
    with pytest.raises(ValueError, match="with a fitted result"):
        lr.segment_stability(result, noise)


def test_permutation_statistic_follows_what_the_fit_maximises():
    """The mixture fit's hard R-squared can be higher on permuted data than on data with a clear
    relation (the mixture splits a permuted outcome into high and low segments), so the default
    statistic is the log-likelihood for EM fits and R-squared only for the hard fit."""
    X, y, _ = simulate_likert_regression(300, 1, random_state=11)
    em = lr.permutation_test(X, y, 2, n_permutations=19, n_init=3, random_state=0, progress=False)
    hard = lr.permutation_test(
        X, y, 2, n_permutations=19, n_init=3, method="spath", random_state=0, progress=False
    )
    assert em.statistic_name == "log_likelihood" and hard.statistic_name == "r_squared"
    assert em.p_value == pytest.approx(0.05) and hard.p_value == pytest.approx(0.05)
    with pytest.raises(ValueError, match="statistic must be"):
        lr.permutation_test(X, y, 2, n_permutations=19, statistic="f", progress=False)
