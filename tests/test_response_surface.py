"""Polynomial regression and response surface analysis against R (lm, sandwich, RSA;
tests/reference/r_response_surface.R), the a1-a5 formulas, known surfaces and bad input."""

import numpy as np
import pandas as pd
import pytest

import loyalty_research as lr

FIXTURES = "tests/reference/fixtures/"


@pytest.fixture(scope="module")
def mobi():
    raw = pd.read_csv("tests/reference/data/mobi.csv")
    return pd.DataFrame(
        {
            "satisfaction": raw[[f"CUSA{i}" for i in range(1, 4)]].mean(axis=1),
            "quality": raw[[f"PERQ{i}" for i in range(1, 8)]].mean(axis=1),
            "expectation": raw[[f"CUEX{i}" for i in range(1, 4)]].mean(axis=1),
        }
    )


@pytest.mark.parametrize("se_type", ["classical", "hc3"])
def test_mobi_surface_matches_r(mobi, se_type):
    fit = lr.response_surface(
        mobi, "satisfaction", "quality", "expectation", center=5.5, hc3=se_type == "hc3"
    )
    expected = pd.read_csv(FIXTURES + "r_response_surface.csv").query("se_type == @se_type")
    regression, surface = expected.iloc[:6], expected.iloc[6:].set_index("parameter")
    np.testing.assert_allclose(fit.coefficients["coef"], regression["coef"], rtol=1e-10)
    np.testing.assert_allclose(fit.coefficients["se"], regression["se"], rtol=1e-10)
    np.testing.assert_allclose(fit.surface["coef"], surface["coef"], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fit.surface["se"], surface["se"], rtol=1e-10)
    test = pd.read_csv(FIXTURES + "r_response_surface_difference.csv").query("se_type == @se_type").iloc[0]
    for column in ["statistic", "df_num", "df_den", "p_val", "r2", "r2_difference"]:
        assert fit.difference_test.loc[0, column] == pytest.approx(test[column], rel=1e-8), column
    # R's RSA package fits the same polynomial by lavaan: the same a1-a5 (to its convergence)
    rsa = pd.read_csv(FIXTURES + "r_response_surface_rsa.csv").set_index("label")
    np.testing.assert_allclose(fit.surface["coef"], rsa.loc[fit.surface.index, "est"], atol=1e-8)


def test_surface_parameters_are_the_combinations_of_the_coefficients(mobi):
    fit = lr.response_surface(mobi, "satisfaction", "quality", "expectation", center=5.5)
    b1, b2, b3, b4, b5 = fit.coefficients["coef"].to_numpy()[1:]
    assert fit.surface["coef"].to_numpy() == pytest.approx(
        [b1 + b2, b3 + b4 + b5, b1 - b2, b3 - b4 + b5, b3 - b5]
    )
    assert fit.coefficients["term"].tolist() == [
        "intercept",
        "quality",
        "expectation",
        "quality^2",
        "quality*expectation",
        "expectation^2",
    ]


def _surface_data(b, n=4000, seed=1):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(0, 1, n), rng.normal(0, 1, n)
    z = 3 + b[0] * x + b[1] * y + b[2] * x**2 + b[3] * x * y + b[4] * y**2 + rng.normal(0, 0.5, n)
    return pd.DataFrame({"z": z, "x": x, "y": y})


def test_a_known_surface_is_recovered():
    b = [0.4, 0.1, -0.2, 0.3, 0.05]
    fit = lr.response_surface(_surface_data(b), "z", "x", "y", center=0)
    truth = [b[0] + b[1], b[2] + b[3] + b[4], b[0] - b[1], b[2] - b[3] + b[4], b[2] - b[4]]
    assert (np.abs(fit.surface["coef"] - truth) < 4 * fit.surface["se"]).all()
    assert (fit.surface["se"] < 0.03).all()
    assert fit.difference_test.loc[0, "p_val"] < 0.001  # not a difference-score world


def test_a_pure_difference_effect_passes_the_difference_test_at_about_alpha():
    # z depends on x - y only: the constraints hold, so the test rejects about 5% of the time
    p_values = [
        lr.response_surface(
            _surface_data([0.5, -0.5, 0, 0, 0], n=300, seed=s), "z", "x", "y", center=0
        ).difference_test.loc[0, "p_val"]
        for s in range(200)
    ]
    assert 0.02 <= np.mean(np.array(p_values) < 0.05) <= 0.09


def test_bad_input_is_named():
    data = _surface_data([0.5, -0.5, 0, 0, 0], n=50)
    with pytest.raises(ValueError, match="'w'"):
        lr.response_surface(data, "z", "x", "w")
    with pytest.raises(ValueError, match="the same column"):
        lr.response_surface(data, "z", "x", "x")
    with pytest.raises(ValueError, match="collinear"):
        lr.response_surface(data.assign(y=data["x"] + 1), "z", "x", "y")
    with pytest.raises(ValueError, match="too few for six coefficients"):
        lr.response_surface(data.head(8), "z", "x", "y")
