"""Retention economics against closed forms, explicit sums and hand calculations.

The reference for the lifetime value is arithmetic: with margin m paid at the end of period t
when the customer is still there (probability r^t) and discounted by (1 + d)^t,

    CLV = sum_{t=1}^{T} m r^t / (1 + d)^t = m q (1 - q^T) / (1 - q),   q = r / (1 + d),

a geometric series; as T -> infinity (q < 1) it tends to m q / (1 - q) = m r / (1 + d - r),
Gupta & Lehmann's (2003) closed form. With margins growing by g per period of tenure the
ratio of successive terms is q (1 + g), and the infinite sum is m r / (1 + d - r (1 + g)).
"""

import numpy as np
import pandas as pd
import pytest

import loyalty_research as lr
from loyalty_research.retention import (
    customer_lifetime_value,
    defection_sensitivity,
    leaky_bucket,
    rfm_scores,
    value_based_types,
)


def explicit_sum(margin, retention, discount, horizon, growth=0.0):
    """The definition, term by term."""
    t = np.arange(1, horizon + 1)
    return float(np.sum(margin * (1 + growth) ** (t - 1) * retention**t / (1 + discount) ** t))


@pytest.mark.parametrize("retention", [0.0, 0.3, 0.6, 0.8, 0.95])
@pytest.mark.parametrize("discount", [0.0, 0.08, 0.25])
def test_closed_form_equals_the_long_explicit_sum(retention, discount):
    # r^2000 is below 1e-44 for r <= 0.95, so the sum to 2000 is the infinite sum to 1e-8
    closed = customer_lifetime_value(250.0, retention, discount=discount)
    assert closed == pytest.approx(explicit_sum(250.0, retention, discount, 2000), rel=1e-8, abs=1e-12)
    assert closed == pytest.approx(250.0 * retention / (1 + discount - retention), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("horizon", [1, 2, 7, 50, 2000])
@pytest.mark.parametrize(
    "retention, discount", [(0.8, 0.1), (1.0, 0.0), (1.0, 0.05), (0.999999, 0.0), (0.9, -0.2)]
)
def test_finite_horizon_equals_the_explicit_sum(horizon, retention, discount):
    # includes q = 1 exactly (retention 1, no discount: every margin is paid), q just below 1,
    # and q > 1 (a negative discount rate), where only a finite horizon makes sense
    got = customer_lifetime_value(40.0, retention, discount=discount, horizon=horizon)
    assert got == pytest.approx(explicit_sum(40.0, retention, discount, horizon), rel=1e-10)


def test_known_values_by_hand():
    # 100 * 0.8 / (1 + 0.1 - 0.8) = 80 / 0.3
    assert customer_lifetime_value(100, 0.8, discount=0.1) == pytest.approx(80 / 0.3, rel=1e-14)
    # two periods: 100 * 0.8 / 1.1 + 100 * 0.64 / 1.21
    assert customer_lifetime_value(100, 0.8, discount=0.1, horizon=2) == pytest.approx(80 / 1.1 + 64 / 1.21)
    # no discounting: the expected number of margins paid, r / (1 - r) = 4
    assert customer_lifetime_value(100, 0.8, discount=0.0) == pytest.approx(400)
    assert customer_lifetime_value(10, 1.0, discount=0.0, horizon=5) == pytest.approx(50)
    assert customer_lifetime_value(100, 0.8, discount=0.1, acquisition_cost=50) == pytest.approx(
        80 / 0.3 - 50
    )
    assert customer_lifetime_value(100, 0.0) == 0.0


def test_vectorised_over_retention():
    scalar = customer_lifetime_value(100, 0.8)
    assert isinstance(scalar, float)
    grid = np.array([[0.5, 0.6], [0.7, 0.8]])
    values = customer_lifetime_value(100, grid)
    assert isinstance(values, np.ndarray) and values.shape == (2, 2)
    np.testing.assert_allclose(values, 100 * grid / (1.1 - grid))
    np.testing.assert_allclose(customer_lifetime_value(100, [0.5, 0.8]), [50 / 0.6, 80 / 0.3])


def test_reichheld_sasser_by_hand():
    table = defection_sensitivity(100, [0.8, 0.9], discount=0.1)
    assert table.columns.tolist() == [
        "retention_before",
        "retention_after",
        "clv_before",
        "clv_after",
        "change_pct",
    ]
    # 0.80 -> 0.85: 100 * 0.85 / 0.25 = 340 against 100 * 0.8 / 0.3 = 266.67, +27.5%
    # 0.90 -> 0.95: 100 * 0.95 / 0.15 = 633.33 against 100 * 0.9 / 0.2 = 450, +40.7%
    np.testing.assert_allclose(table["retention_after"], [0.85, 0.95])
    np.testing.assert_allclose(table["clv_before"], [80 / 0.3, 450])
    np.testing.assert_allclose(table["clv_after"], [340, 95 / 0.15])
    np.testing.assert_allclose(
        table["change_pct"], [100 * (340 / (80 / 0.3) - 1), 100 * ((95 / 0.15) / 450 - 1)]
    )
    assert table["change_pct"].round(1).tolist() == [27.5, 40.7]
    # relative reading: a defection rate of 0.20 cut by 5% of itself is 0.19: 81 / 0.29 against 80 / 0.3
    relative = defection_sensitivity(100, 0.8, discount=0.1, relative=True)
    assert relative.loc[0, "retention_after"] == pytest.approx(0.81)
    assert relative.loc[0, "change_pct"] == pytest.approx(100 * ((81 / 0.29) / (80 / 0.3) - 1))
    assert defection_sensitivity(100, 0.8, reduction=0.0).loc[0, "change_pct"] == 0


def test_growing_margins_by_hand():
    # infinite sum with growth g: m r / (1 + d - r (1 + g)); 0.8 -> 0.85 with g = 5%, d = 10%:
    # 80 / (1.1 - 0.84) = 307.69 against 85 / (1.1 - 0.8925) = 409.64
    growing = defection_sensitivity(100, 0.8, discount=0.1, margin_growth=0.05)
    assert growing.loc[0, "clv_before"] == pytest.approx(80 / (1.1 - 0.84))
    assert growing.loc[0, "clv_after"] == pytest.approx(85 / (1.1 - 0.8925))
    finite = defection_sensitivity(100, 0.8, discount=0.1, horizon=30, margin_growth=0.05)
    assert finite.loc[0, "clv_before"] == pytest.approx(explicit_sum(100, 0.8, 0.1, 30, 0.05), rel=1e-10)
    assert finite.loc[0, "clv_after"] == pytest.approx(explicit_sum(100, 0.85, 0.1, 30, 0.05), rel=1e-10)
    long = defection_sensitivity(100, 0.8, discount=0.1, horizon=2000, margin_growth=0.05)
    np.testing.assert_allclose(long.to_numpy(), growing.to_numpy(), rtol=1e-8)


def test_numbers_quoted_in_the_notes():
    # constant margins, 10% discount: +20% at 60%, +27.5% at 80%, +41% at 90% retention
    flat = defection_sensitivity(100, [0.6, 0.8, 0.9], discount=0.1)["change_pct"]
    assert flat.round(1).tolist() == [20.4, 27.5, 40.7]
    # growing margins at 90% retention: +60% with 5% a year, +111% with 10% a year
    for growth, rise in [(0.05, 59.6), (0.10, 111.1)]:
        table = defection_sensitivity(100, 0.9, discount=0.1, margin_growth=growth)
        assert round(table.loc[0, "change_pct"], 1) == rise


def test_leaky_bucket_follows_its_closed_form_and_reaches_the_steady_state():
    bucket = leaky_bucket(2500, 0.8, 200, 60)
    assert bucket.columns.tolist() == ["period", "start", "lost", "acquired", "end"]
    assert bucket["period"].tolist() == list(range(61))
    assert bucket.loc[0].tolist() == [0, 2500, 0, 0, 2500]
    # by hand, period 1: 2500 - 500 + 200 = 2200; period 2: 2200 - 440 + 200 = 1960
    assert bucket.loc[1, ["lost", "end"]].tolist() == pytest.approx([500, 2200])
    assert bucket.loc[2, "end"] == pytest.approx(1960)
    t = bucket["period"].to_numpy()
    np.testing.assert_allclose(bucket["end"], 2500 * 0.8**t + 200 * (1 - 0.8**t) / 0.2, rtol=1e-12)
    np.testing.assert_allclose(bucket["end"].iloc[:-1].to_numpy(), bucket["start"].iloc[1:].to_numpy())
    # steady state acquired / (1 - retention) = 1000, from above and from below
    assert bucket["end"].iloc[-1] == pytest.approx(200 / 0.2, rel=1e-5)
    assert leaky_bucket(0, 0.8, 200, 100)["end"].iloc[-1] == pytest.approx(1000, rel=1e-9)
    steady = leaky_bucket(1000, 0.8, 200, 5)
    np.testing.assert_allclose(steady["end"], 1000)
    # retention 1: nothing leaks, the base grows by the new customers
    assert leaky_bucket(10, 1.0, 5, 3)["end"].tolist() == [10, 15, 20, 25]


def _customers(seed=3, n=200):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "days": rng.integers(1, 300, n),
            "visits": rng.integers(0, 10, n),
            "spend": rng.gamma(2, 100, n).round(-1),
        },
        index=pd.Index([f"c{i}" for i in range(n)]),
    )


def test_rfm_scores_ignore_row_order_and_handle_ties():
    customers = _customers()
    scores = rfm_scores(customers, "days", "visits", "spend")
    assert scores.index.equals(customers.index)
    for seed in range(3):
        shuffled = rfm_scores(customers.sample(frac=1, random_state=seed), "days", "visits", "spend")
        pd.testing.assert_frame_equal(scores, shuffled.loc[scores.index])
    for role, column in [("f_score", "visits"), ("m_score", "spend"), ("r_score", "days")]:
        # equal values get equal scores, and scores never decrease in the value (recency: increase)
        per_value = scores.groupby(customers[column])[role].agg(["min", "max"])
        assert (per_value["min"] == per_value["max"]).all()
        steps = np.diff(per_value["min"].to_numpy())
        assert (steps <= 0).all() if role == "r_score" else (steps >= 0).all()
    assert scores[["r_score", "f_score", "m_score"]].isin(range(1, 6)).all().all()
    assert scores.loc[customers["days"].idxmin(), "r_score"] == 5
    assert scores.loc[customers["days"].idxmax(), "r_score"] == 1
    cell = scores["r_score"].astype(str) + scores["f_score"].astype(str) + scores["m_score"].astype(str)
    assert scores["rfm_cell"].equals(cell)


def test_rfm_bins_are_equal_without_ties():
    # ceil(5 * rank / 100): ranks 1-20 score 1, 21-40 score 2, ...
    data = pd.DataFrame({"x": np.arange(100.0)})
    scores = rfm_scores(data, "x", "x", "x")
    assert scores["f_score"].value_counts().tolist() == [20] * 5
    assert scores["f_score"].tolist() == list(np.repeat(np.arange(1, 6), 20))
    assert scores["r_score"].tolist() == list(np.repeat(np.arange(5, 0, -1), 20))
    # seven customers in four bins: ceil(4 * rank / 7) = 1, 2, 2, 3, 3, 4, 4
    seven = rfm_scores(pd.DataFrame({"x": np.arange(7)}), "x", "x", "x", n_bins=4)
    assert seven["m_score"].tolist() == [1, 2, 2, 3, 3, 4, 4]


def test_rfm_flags_follow_the_documented_rules():
    customers = _customers(seed=8, n=500)
    scores = rfm_scores(customers, "days", "visits", "spend")
    r, f, m = scores["r_score"], scores["f_score"], scores["m_score"]
    champion = (r >= 4) & (f >= 4) & (m >= 4)
    drifting = (f >= 4) & (r <= 2)
    lost = (r == 1) & (f <= 2)
    assert not (champion & drifting).any() and not (drifting & lost).any() and not (champion & lost).any()
    expected = np.select([champion, drifting, lost], ["champion", "drifting away", "lost"], "regular")
    assert scores["flag"].tolist() == expected.tolist()
    assert set(scores["flag"]) == {"champion", "drifting away", "lost", "regular"}


def test_value_based_types_rules():
    data = pd.DataFrame(
        {
            "m": [10, 10, 1, 1, 1, 1, 5],
            "v": [9, 1, 9, 1, 1, 1, 5],
            "t": [1, 1, 1, 9, 1, 1, 5],
            "p": [0, 0, 0, 0, 0, 9, 0],
        },
        index=list("abcdefg"),
    )
    types = value_based_types(data, "m", "v", "t")
    # medians are 1 (margin and volume) and 1 (tenure): g is above both medians
    assert types.tolist() == ["strategic", "profit", "volume", "relationship", "other", "other", "strategic"]
    assert types.name == "type" and types.index.equals(data.index)
    with_potential = value_based_types(data, "m", "v", "t", potential="p")
    assert with_potential["f"] == "strategic"
    assert with_potential.drop("f").equals(types.drop("f"))
    # at the median is not above it: with margins 1, 2, 3 only 3 is above the median 2
    ties = pd.DataFrame({"m": [1, 2, 3], "v": [0, 0, 0], "t": [0, 0, 0]})
    assert value_based_types(ties, "m", "v", "t").tolist() == ["other", "other", "profit"]


def test_bad_input_is_named():
    for call, message in [
        (lambda: customer_lifetime_value(100, 1.2), r"retention must lie between 0 and 1, got \[1.2\]"),
        (
            lambda: customer_lifetime_value(100, [0.5, np.nan]),
            r"retention must lie between 0 and 1, got \[nan\]",
        ),
        (lambda: customer_lifetime_value(100, 1.0), "retention 1 needs a finite horizon"),
        (lambda: customer_lifetime_value(100, "high"), "retention must be a number"),
        (lambda: customer_lifetime_value(100, 0.5, horizon=0), "horizon must be a positive integer"),
        (lambda: customer_lifetime_value(100, 0.5, horizon=2.5), "horizon must be a positive integer"),
        (lambda: customer_lifetime_value(100, 0.5, horizon=True), "horizon must be a positive integer"),
        (lambda: customer_lifetime_value(100, 0.5, discount=-1), "discount must be larger than -1"),
        (lambda: customer_lifetime_value(100, 0.9, discount=-0.2), "infinite sum diverges"),
        (lambda: customer_lifetime_value([1, 2], 0.5), "margin must be a single finite number"),
        (lambda: customer_lifetime_value(np.inf, 0.5), "margin must be a single finite number"),
        (
            lambda: customer_lifetime_value(100, 0.5, acquisition_cost=-1),
            "acquisition_cost must not be negative",
        ),
        (lambda: defection_sensitivity(100, 0.98), r"more than the defection rate at retention \[0.98\]"),
        (lambda: defection_sensitivity(100, 0.95), "retention reaches 1 after the change"),
        (lambda: defection_sensitivity(100, 0.8, reduction=-0.05), "reduction must not be negative"),
        (lambda: defection_sensitivity(100, 0.8, reduction=5, relative=True), "at most 1"),
        (lambda: defection_sensitivity(100, 0.8, margin_growth=0.3), "infinite sum diverges"),
        (lambda: defection_sensitivity(100, 0.8, margin_growth=-1), "margin_growth must be larger than -1"),
        (lambda: defection_sensitivity(100, [[0.8]]), "one-dimensional"),
        (lambda: leaky_bucket(100, 1.5, 10, 5), "retention must lie between 0 and 1"),
        (lambda: leaky_bucket(-1, 0.5, 10, 5), "initial_customers must not be negative"),
        (lambda: leaky_bucket(100, 0.5, -10, 5), "acquired_per_period must not be negative"),
        (lambda: leaky_bucket(100, 0.5, 10, -1), "periods must be an integer of at least 0"),
        (
            lambda: rfm_scores(pd.DataFrame({"a": [1]}), "nope", "a", "a"),
            "recency column 'nope' not in the data",
        ),
        (
            lambda: rfm_scores(pd.DataFrame({"a": [1, np.nan]}), "a", "a", "a"),
            r"recency column 'a' has missing values \(rows \[1\]\)",
        ),
        (
            lambda: rfm_scores(pd.DataFrame({"a": [1, 2]}), "a", "a", "a", n_bins=3),
            "n_bins must be an integer of",
        ),
        (
            lambda: rfm_scores(pd.DataFrame({"a": [1, 2]}), "a", "a", "a", n_bins=10),
            "n_bins must be at most 9",
        ),
        (lambda: rfm_scores(pd.DataFrame({"a": []}), "a", "a", "a"), "no rows"),
        (
            lambda: value_based_types(pd.DataFrame({"a": [1]}), "a", "b", "c"),
            r"columns not in the data: \['b', 'c'\]",
        ),
        (lambda: value_based_types(pd.DataFrame({"a": [1], "b": [1]}), "a", "b", "a"), "different columns"),
        (
            lambda: value_based_types(pd.DataFrame({"a": [1, 2], "b": [1, "x"], "c": [1, 2]}), "a", "b", "c"),
            r"column 'b' has non-numeric values \(rows \[1\]\)",
        ),
    ]:
        with pytest.raises(ValueError, match=message):
            call()
    with pytest.raises(TypeError, match="DataFrame"):
        rfm_scores([[1, 2, 3]], "a", "b", "c")


def test_referral_value_matches_a_simulation_of_word_of_mouth():
    # customers stay each year with probability r, tell k people a year while they stay, c of whom
    # become customers worth CLV (+ the acquisition cost they spare) from then on
    margin, r, d, k, c, a = 100.0, 0.8, 0.1, 2.0, 0.15, 50.0
    rng = np.random.default_rng(3)
    n, horizon = 200_000, 80
    alive = np.ones(n, dtype=bool)
    total = np.zeros(n)
    clv = lr.customer_lifetime_value(margin, r, discount=d)
    for t in range(1, horizon + 1):
        alive &= rng.random(n) < r
        converted = rng.binomial(rng.poisson(k, n), c) * alive
        total += converted * (clv + a) / (1 + d) ** t
    expected = lr.referral_value(margin, r, referrals=k, conversion=c, discount=d, acquisition_cost=a)
    assert total.mean() == pytest.approx(expected, rel=0.02)
    assert expected == pytest.approx(k * c * r / (1 + d - r) * (clv + a))


def test_referral_value_names_bad_input():
    with pytest.raises(ValueError, match="conversion is a share"):
        lr.referral_value(100, 0.8, referrals=1, conversion=2)
    with pytest.raises(ValueError, match="referrals must not be negative"):
        lr.referral_value(100, 0.8, referrals=-1, conversion=0.1)
