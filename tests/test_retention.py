"""Retention economics against closed forms and hand calculations."""

import numpy as np
import pandas as pd
import pytest

from loyalty_research.retention import (
    customer_lifetime_value,
    defection_sensitivity,
    leaky_bucket,
    rfm_scores,
    value_based_types,
)


def test_closed_form_equals_the_long_sum():
    # sum_{t>=1} m r^t / (1+d)^t = m r / (1 + d - r) (geometric series)
    rates = np.array([0.3, 0.6, 0.8, 0.95])
    closed = customer_lifetime_value(250.0, rates, discount=0.08)
    long_sum = customer_lifetime_value(250.0, rates, discount=0.08, horizon=2000)
    np.testing.assert_allclose(closed, long_sum, rtol=1e-8)
    assert customer_lifetime_value(100, 0.8, discount=0.1) == pytest.approx(100 * 0.8 / 0.3)
    t = np.arange(1, 4)
    assert customer_lifetime_value(100, 0.8, discount=0.1, horizon=3) == pytest.approx(
        np.sum(100 * (0.8 / 1.1) ** t)
    )
    assert customer_lifetime_value(100, 0.8, discount=0.1, acquisition_cost=50) == pytest.approx(
        100 * 0.8 / 0.3 - 50
    )
    # retention 1 with zero discount and a finite horizon: every margin is paid
    assert customer_lifetime_value(10, 1.0, discount=0.0, horizon=5) == pytest.approx(50)


def test_reichheld_sasser_by_hand():
    table = defection_sensitivity(100, [0.8, 0.9], discount=0.1)
    # 0.80 -> 0.85: 85/0.25 = 340 against 80/0.3 = 266.67 (+27.5%); 0.90 -> 0.95: 475 against 450
    np.testing.assert_allclose(table["clv_after"], [340, 95 / 0.15])
    np.testing.assert_allclose(
        table["change_pct"], [100 * (340 / (80 / 0.3) - 1), 100 * ((95 / 0.15) / 450 - 1)]
    )
    relative = defection_sensitivity(100, 0.8, discount=0.1, relative=True)
    assert relative.loc[0, "retention_after"] == pytest.approx(0.81)
    growing = defection_sensitivity(100, 0.8, discount=0.1, horizon=300, margin_growth=0.05)
    flat = defection_sensitivity(100, 0.8, discount=0.1, horizon=300)
    assert growing.loc[0, "change_pct"] > flat.loc[0, "change_pct"]
    t = np.arange(1, 301)
    assert growing.loc[0, "clv_before"] == pytest.approx(np.sum(100 * 1.05 ** (t - 1) * (0.8 / 1.1) ** t))


def test_leaky_bucket_reaches_its_steady_state():
    bucket = leaky_bucket(0, 0.7, 300, 60)
    assert bucket["end"].iloc[-1] == pytest.approx(300 / 0.3, rel=1e-6)
    assert bucket.loc[0, "lost"] == 0 and bucket.loc[1, "start"] == 300
    np.testing.assert_allclose(bucket["end"].iloc[:-1].to_numpy(), bucket["start"].iloc[1:].to_numpy())


def test_rfm_scores_ignore_row_order_and_handle_ties():
    rng = np.random.default_rng(3)
    customers = pd.DataFrame(
        {
            "days": rng.integers(1, 300, 200),
            "visits": rng.integers(0, 10, 200),
            "spend": rng.gamma(2, 100, 200),
        }
    )
    scores = rfm_scores(customers, "days", "visits", "spend")
    shuffled = rfm_scores(customers.sample(frac=1, random_state=1), "days", "visits", "spend").loc[
        scores.index
    ]
    pd.testing.assert_frame_equal(scores, shuffled)
    for value in customers["visits"].unique():  # equal visits, equal score
        assert scores.loc[customers["visits"] == value, "f_score"].nunique() == 1
    assert scores["r_score"].between(1, 5).all()
    recent = customers["days"].idxmin()
    assert scores.loc[recent, "r_score"] == 5
    assert set(scores["flag"]) <= {"champion", "drifting away", "lost", "regular"}


def test_value_based_types_rules():
    data = pd.DataFrame(
        {"m": [10, 10, 1, 1, 1, 1], "v": [9, 1, 9, 1, 1, 1], "t": [1, 1, 1, 9, 1, 1], "p": [0, 0, 0, 0, 0, 9]}
    )
    assert value_based_types(data, "m", "v", "t").tolist() == [
        "strategic",
        "profit",
        "volume",
        "relationship",
        "other",
        "other",
    ]
    assert value_based_types(data, "m", "v", "t", potential="p").iloc[-1] == "strategic"


def test_bad_input():
    with pytest.raises(ValueError, match="retention"):
        customer_lifetime_value(100, 1.2)
    with pytest.raises(ValueError, match="finite horizon"):
        customer_lifetime_value(100, 1.0)
    with pytest.raises(ValueError, match="horizon"):
        customer_lifetime_value(100, 0.5, horizon=0)
    with pytest.raises(ValueError, match="exceeds 1"):
        defection_sensitivity(100, 0.98, reduction=0.05)
    with pytest.raises(ValueError, match="finite horizon"):
        defection_sensitivity(100, 0.8, margin_growth=0.05)
    with pytest.raises(ValueError, match="recency column 'nope'"):
        rfm_scores(pd.DataFrame({"a": [1]}), "nope", "a", "a")
    with pytest.raises(ValueError, match="rows \\[1\\]"):
        rfm_scores(pd.DataFrame({"a": [1, np.nan]}), "a", "a", "a")
    with pytest.raises(ValueError, match="columns not in the data"):
        value_based_types(pd.DataFrame({"a": [1]}), "a", "b", "a")
