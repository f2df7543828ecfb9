"""Reading a segmentation: driver labels, member profiles, within-cluster regressions."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

import loyalty_research as lr
from loyalty_research.segmentation import driver_labels, segment_profiles, within_cluster_regressions


def coefficient_table(rows):
    return pd.DataFrame(rows, columns=["segment", "term", "coef", "p_val"])


def test_driver_labels_name_each_kind_of_segment():
    summary = coefficient_table(
        [
            (1, "intercept", 1.0, 0.0),
            (1, "satisfaction", 0.8, 0.001),
            (1, "delivered_value", 0.0, 0.9),
            (2, "intercept", 3.0, 0.0),
            (2, "satisfaction", 0.02, 0.6),
            (2, "delivered_value", 0.5, 0.0),
            (3, "intercept", 6.9, 0.0),
            (3, "satisfaction", 0.01, 0.7),
            (3, "delivered_value", -0.01, 0.5),
            (4, "intercept", 1.2, 0.0),
            (4, "satisfaction", 0.03, 0.4),
            (4, "delivered_value", 0.0, 0.9),
            (5, "intercept", 2.0, 0.0),
            (5, "satisfaction", 0.4, 0.01),
            (5, "delivered_value", 0.3, 0.02),
        ]
    )
    table = driver_labels(summary, midpoint=4)
    assert table["driver"].tolist() == [
        "satisfaction-driven",
        "value-driven",
        "insensitive, high loyalty (false loyalty)",
        "insensitive, low loyalty (variety seeking)",
        "satisfaction- and value-driven",
    ]
    # a negative significant slope does not make a segment driven by it
    summary.loc[(summary.segment == 1) & (summary.term == "satisfaction"), "coef"] = -0.8
    assert driver_labels(summary, midpoint=4)["driver"][0] == "insensitive, low loyalty (variety seeking)"
    with pytest.raises(ValueError, match=r"terms not in the summary table: \['value'\]"):
        driver_labels(summary, value="value")


def test_driver_labels_name_the_golf_segments_as_built():
    """What the golf simulation was built to contain: labelled from its true (latent-metric)
    coefficients, each segment gets the driver its name says. Whether a method recovers them
    from survey answers is a separate question (notebooks 05 and 08)."""
    truth = lr.true_segment_coefficients()
    rows = []
    for number, row in enumerate(truth.itertuples(), start=1):
        rows.append((number, "intercept", row.coef_intercept, 0.0))
        for term, coef in (("satisfaction", row.coef_satisfaction), ("delivered_value", row.coef_value)):
            rows.append((number, term, coef, 0.0 if coef else 1.0))
    drivers = driver_labels(coefficient_table(rows), midpoint=0)
    assert dict(zip(truth["segment"], drivers["driver"], strict=True)) == {
        "satisfaction_driven": "satisfaction-driven",
        "value_seeker": "satisfaction- and value-driven",
        "locked_in": "insensitive, high loyalty (false loyalty)",
        "variety_seeker": "insensitive, low loyalty (variety seeking)",
    }


def test_segment_profiles_match_pingouin():
    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {
            "segment": np.repeat(["a", "b", "c"], 50),
            "age": np.concatenate([rng.normal(40, 5, 50), rng.normal(45, 5, 50), rng.normal(40, 5, 50)]),
            "member": rng.choice(["yes", "no"], 150),
        }
    )
    data.loc[3, "age"] = np.nan
    table = segment_profiles(data, "segment", numeric=["age"], categorical=["member"])
    assert list(table.columns) == [
        "variable",
        "test",
        "statistic",
        "df",
        "df1",
        "df2",
        "p_val",
        "effect_size",
        "effect",
        "n",
        "min_expected",
    ]
    assert np.isnan(table.loc[0, "min_expected"]) and table.loc[1, "min_expected"] > 5
    # pingouin: anova(data.dropna(), dv="age", between="segment")
    expected = pg.anova(data=data.dropna(), dv="age", between="segment")
    assert table.loc[0, "statistic"] == pytest.approx(expected["F"].iloc[0])
    assert (table.loc[0, "df1"], table.loc[0, "df2"]) == (2, 146) and np.isnan(table.loc[0, "df"])
    assert table.loc[1, "df"] == 2 and np.isnan(table.loc[1, ["df1", "df2"]].astype(float)).all()
    assert table.loc[0, "n"] == 149
    _, _, chi = pg.chi2_independence(data, x="segment", y="member")
    assert table.loc[1, "p_val"] == pytest.approx(chi.loc[chi.test == "pearson", "pval"].iloc[0])
    with pytest.raises(ValueError, match=r"columns not in the data: \['income'\]"):
        segment_profiles(data, "segment", numeric=["income"])


def test_within_cluster_regressions_match_statsmodels():
    rng = np.random.default_rng(1)
    data = pd.DataFrame({"x": rng.normal(size=200), "cluster": np.repeat([1, 2], 100)})
    data["y"] = np.where(data["cluster"] == 1, 2 * data["x"], -data["x"]) + rng.normal(size=200)
    table = within_cluster_regressions("y ~ x", data, "cluster")
    slopes = table[table.term == "x"].set_index("cluster")["coef"]
    assert slopes[1] == pytest.approx(np.polyfit(data.x[:100], data.y[:100], 1)[0])
    assert slopes[2] == pytest.approx(np.polyfit(data.x[100:], data.y[100:], 1)[0])
    assert set(table["term"]) == {"intercept", "x"}
    # HC3 with t inference on the residual df, as R's coeftest(lm, vcovHC(type = "HC3"))
    import statsmodels.formula.api as smf

    first = smf.ols("y ~ x", data=data[:100]).fit(cov_type="HC3", use_t=True)
    row = table.set_index(["cluster", "term"]).loc[(1, "x")]
    assert row["df"] == 98 and row["p_val"] == pytest.approx(first.pvalues["x"], rel=1e-12)
    assert row["ci_low"] == pytest.approx(first.conf_int().loc["x", 0], rel=1e-12)


def test_profiles_need_two_segments():
    data = pd.DataFrame({"segment": [1] * 10, "age": np.arange(10.0)})
    with pytest.raises(ValueError, match="holds one segment"):
        segment_profiles(data, "segment", numeric=["age"])


def test_driver_labels_read_the_level_of_a_sloped_line_at_the_drivers():
    """A segment with a non-significant slope is insensitive, but its intercept is not its
    loyalty: at average satisfaction 5 this line sits at 1 + 0.5 * 5 = 3.5, above the midpoint."""
    summary = coefficient_table(
        [
            (1, "intercept", 1.0, 0.0),
            (1, "satisfaction", 0.5, 0.3),
            (1, "delivered_value", 0.0, 0.9),
            (2, "intercept", 2.0, 0.0),
            (2, "satisfaction", 0.0, 0.9),
            (2, "delivered_value", 0.0, 0.9),
        ]
    )
    without = driver_labels(summary, midpoint=3)
    assert without["driver"].tolist() == ["insensitive, low loyalty (variety seeking)"] * 2
    table = driver_labels(summary, midpoint=3, at={"satisfaction": 5.0, "delivered_value": 0.0})
    assert table["level"].tolist() == [3.5, 2.0]
    assert table["driver"].tolist() == [
        "insensitive, high loyalty (false loyalty)",
        "insensitive, low loyalty (variety seeking)",
    ]
    with pytest.raises(ValueError, match="other than"):
        driver_labels(summary, at={"price": 1.0})
