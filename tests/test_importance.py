"""Importance-performance analysis: quadrants on a constructed case, derived importance
against pingouin's LMG (which reproduces R's relaimpo), stated importance from a codebook."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

import loyalty_research as lr
from loyalty_research.importance import importance_performance


@pytest.fixture(scope="module")
def market():
    # four attributes with known performance levels; satisfaction driven by a and b only
    rng = np.random.default_rng(4)
    n = 1500
    items = pd.DataFrame(
        {
            "a": np.clip(np.round(rng.normal(3.0, 1, n)), 1, 7),  # important, poor
            "b": np.clip(np.round(rng.normal(6.0, 1, n)), 1, 7),  # important, good
            "c": np.clip(np.round(rng.normal(3.0, 1, n)), 1, 7),  # unimportant, poor
            "d": np.clip(np.round(rng.normal(6.0, 1, n)), 1, 7),  # unimportant, good
        }
    )
    items["satisfaction"] = 0.8 * items["a"] + 0.8 * items["b"] + rng.normal(0, 1, n)
    for item, level in zip("abcd", [6.5, 6.4, 2.0, 2.2], strict=True):
        items[f"imp_{item}"] = np.clip(np.round(rng.normal(level, 0.5, n)), 1, 7)
    items["segment"] = np.where(rng.random(n) < 0.5, "x", "y")
    return items


def test_known_quadrants(market):
    stated = {i: f"imp_{i}" for i in "abcd"}
    table = importance_performance(market, list("abcd"), importance=stated, y="satisfaction").set_index(
        "item"
    )
    expected = {"a": "urgent improvement", "b": "keep up", "c": "low priority", "d": "nice-to-have"}
    assert table["quadrant_stated"].to_dict() == expected
    assert table["quadrant_derived"].to_dict() == expected
    assert table.loc["a", "performance"] == pytest.approx(market["a"].mean())
    assert table.loc["a", "performance_se"] == pytest.approx(market["a"].sem())
    assert table.loc["b", "stated_importance"] == pytest.approx(market["imp_b"].mean())


def test_derived_importance_matches_pingouin_lmg(market):
    table = importance_performance(market, list("abcd"), y="satisfaction").set_index("item")
    expected = pg.linear_regression(market[list("abcd")], market["satisfaction"], relimp=True)
    expected = expected.set_index("names")["relimp"]
    for item in "abcd":
        assert table.loc[item, "derived_importance"] == pytest.approx(expected[item], rel=1e-10)
    correlation = importance_performance(market, list("abcd"), y="satisfaction", method="correlation")
    np.testing.assert_allclose(
        correlation["derived_importance"], market[list("abcd")].corrwith(market["satisfaction"]), rtol=1e-12
    )
    assert "quadrant_stated" not in table


def test_groups_have_their_own_centres(market):
    table = importance_performance(market, list("abcd"), y="satisfaction", by="segment")
    assert table["group"].unique().tolist() == ["all", "x", "y"]
    x = table[table["group"] == "x"].set_index("item")
    assert x.loc["a", "performance"] == pytest.approx(market.loc[market["segment"] == "x", "a"].mean())
    assert x.loc["a", "n"] == (market["segment"] == "x").sum()


def test_codebook_supplies_stated_importance():
    survey, codebook = lr.load_golf_survey(), lr.load_codebook()
    items = ["qcourse_greens", "qservice_staff", "qfacil_range"]
    table = importance_performance(survey, items, importance=codebook).set_index("item")
    assert table.loc["qcourse_greens", "stated_importance"] == pytest.approx(
        survey["imp_qcourse_greens"].mean()
    )
    assert set(table["quadrant_stated"]) <= {"urgent improvement", "keep up", "low priority", "nice-to-have"}


def test_bad_input(market):
    with pytest.raises(ValueError, match="stated importance"):
        importance_performance(market, ["a", "b"])
    with pytest.raises(ValueError, match="'nope'"):
        importance_performance(market, ["a", "nope"], y="satisfaction")
    with pytest.raises(ValueError, match="method"):
        importance_performance(market, ["a", "b"], y="satisfaction", method="shapley")
    with pytest.raises(ValueError, match="not performance items"):
        importance_performance(market, ["a"], importance={"b": "imp_b"})
    with pytest.raises(ValueError, match="column 'a' has non-numeric values"):
        importance_performance(market.assign(a="good"), ["a", "b"], y="satisfaction")
    with pytest.raises(ValueError, match="missing groups"):
        importance_performance(market.assign(segment=None), ["a", "b"], y="satisfaction", by="segment")
