"""Monte Carlo helpers: data with known truth, recovery and noise studies."""

import numpy as np
import pytest

from loyalty_research.simulation_study import noise_study, recovery_study, simulate_mixture_regression


def test_simulated_mixture_has_its_truth():
    X, y, segment, coefs = simulate_mixture_regression(3000, 3, separation=2.0, error_sd=0.1, random_state=0)
    assert X.shape == (3000, 2) and coefs.shape == (3, 3) and set(segment) == {0, 1, 2}
    design = np.column_stack([np.ones(3000), X])
    for k in range(3):
        fitted = np.linalg.lstsq(design[segment == k], y[segment == k], rcond=None)[0]
        np.testing.assert_allclose(fitted, coefs[k], atol=0.02)
    with pytest.raises(ValueError, match="n_components must be a positive integer"):
        simulate_mixture_regression(10, 0)
    with pytest.raises(ValueError, match="separation and error_sd must be positive"):
        simulate_mixture_regression(10, 2, error_sd=0)


def test_recovery_study_recovers_well_separated_segments():
    table = recovery_study(
        (300,), (2,), (4.0,), (0.5,), n_replications=3, n_init=3, random_state=0, progress=False
    )
    assert list(table.columns) == [
        "n",
        "n_components",
        "separation",
        "error_sd",
        "replication",
        "ari",
        "coef_rmse",
        "k_aic",
        "k_aic3",
        "k_bic",
        "k_caic",
        "k_icl",
    ]
    assert len(table) == 3
    assert table["ari"].min() > 0.8
    assert table["coef_rmse"].max() < 0.2
    assert (table["k_bic"] == 2).all()
    again = recovery_study(
        (300,), (2,), (4.0,), (0.5,), n_replications=3, n_init=3, random_state=0, progress=False
    )
    assert table.equals(again)


def test_noise_study_finds_variance_but_no_significance():
    table = noise_study(
        n=80, n_components=(2,), n_replications=2, n_permutations=9, n_init=2, random_state=0, progress=False
    )
    assert list(table.columns) == ["n_components", "replication", "r_squared", "p_value"]
    assert (table["r_squared"] > 0.3).all()  # the partition alone explains much of pure noise
    assert ((table["p_value"] > 0) & (table["p_value"] <= 1)).all()
