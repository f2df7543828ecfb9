"""The golf-survey simulator: shape, determinism, realism and recoverability of its truth."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import loyalty_research as lr
from loyalty_research.clusterwise import ClusterwiseRegression
from loyalty_research.simulate import GOLF_ITEMS, MEMBERSHIP_TYPES, SEGMENTS


@pytest.fixture(scope="module")
def simulated():
    return lr.simulate_golf_survey(800, random_state=lr.DEFAULT_SEED)


def test_columns_follow_the_codebook(simulated):
    survey, truth = simulated
    codebook = lr.golf_codebook()
    assert list(survey.columns) == list(codebook.columns)
    assert len(survey) == len(truth) == 800
    assert survey["respondent_id"].is_unique
    assert (survey["respondent_id"] == truth["respondent_id"]).all()
    # the simulator's own output passes the survey checks
    lr.validate_survey(survey.loc[~truth["straightliner"].to_numpy()], codebook)


def test_same_seed_same_data_other_seed_other_data():
    a, ta = lr.simulate_golf_survey(200, random_state=7)
    b, tb = lr.simulate_golf_survey(200, random_state=7)
    c, _ = lr.simulate_golf_survey(200, random_state=8)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(ta, tb)
    assert not a.equals(c)


def test_every_construct_has_one_reverse_keyed_item():
    codebook = lr.golf_codebook()
    for construct, items in codebook.constructs.items():
        assert sum(codebook.columns[i].reverse for i in items) == 1, construct
    for name, *_ in GOLF_ITEMS:
        assert codebook.columns[name].label_zh, name
    assert len(codebook.constructs["satisfaction"]) == 3


def test_items_are_ceiling_skewed_7_point_answers(simulated):
    survey, truth = simulated
    answers = survey.loc[
        ~truth["straightliner"].to_numpy(), ["sat_overall", "qcourse_greens", "benefit_product"]
    ]
    values = answers.melt()["value"].dropna()
    assert set(values.unique()) <= set(range(1, 8))
    assert (answers.skew() < 0).all()  # ceiling skew: long tail towards the low answers
    assert answers.median().min() >= 5


def test_four_segments_of_reasonable_size(simulated):
    _, truth = simulated
    shares = truth["segment"].value_counts(normalize=True)
    assert set(shares.index) == set(SEGMENTS)
    assert shares.min() > 0.15


def test_segment_membership_depends_on_observed_traits(simulated):
    survey, truth = simulated
    table = pd.crosstab(survey["membership"], truth["segment"], normalize="index")
    assert table.loc["corporate", "locked_in"] > 0.5
    assert table.loc["package_tourist", "variety_seeker"] > 0.5
    assert set(survey["membership"].cat.categories) == set(MEMBERSHIP_TYPES)


def test_truth_holds_segment_coefficients(simulated):
    _, truth = simulated
    coefs = lr.segment_coefficients().set_index("segment")
    locked = truth[truth["segment"] == "locked_in"].iloc[0]
    assert locked["coef_satisfaction"] == coefs.loc["locked_in", "coef_satisfaction"] == 0
    sat = coefs.loc["satisfaction_driven"]
    # reduced form: direct effect plus the effect through cognitive trust
    params = lr.GolfSurveyParameters()
    eq = params.loyalty_equation["satisfaction_driven"]
    assert sat["coef_satisfaction"] == pytest.approx(eq["satisfaction"] + eq["trust"] * params.trust_path)


def test_latent_loyalty_follows_the_segment_equations(simulated):
    """Within each true segment, OLS of latent loyalty on the latent predictors gives the truth."""
    _, truth = simulated
    for segment, group in truth.groupby("segment"):
        X = np.column_stack(
            [np.ones(len(group)), group["latent_satisfaction"], group["latent_delivered_value"]]
        )
        coef, *_ = np.linalg.lstsq(X, group["latent_loyalty"], rcond=None)
        expected = group[["coef_intercept", "coef_satisfaction", "coef_value"]].iloc[0].to_numpy()
        np.testing.assert_allclose(coef, expected, atol=0.05, err_msg=segment)


def test_complaints_follow_the_tarp_ordering(simulated):
    survey, _ = simulated
    problem = survey[survey["had_problem"] == 1]
    assert survey.loc[survey["had_problem"] == 0, "complained"].isna().all()
    outcome = np.select(
        [problem["resolved_quickly"] == 1, problem["complaint_resolved"] == 1, problem["complained"] == 1],
        ["resolved_quickly", "resolved", "unresolved"],
        default="not_complained",
    )
    rates = problem.groupby(outcome)["repurchase"].mean()
    assert rates["not_complained"] < rates["resolved"] < rates["resolved_quickly"]


def test_non_response_and_straightliners(simulated):
    survey, truth = simulated
    income_missing = survey["income_band"].isna().mean()
    item_missing = survey[[name for name, *_ in GOLF_ITEMS]].isna().mean().mean()
    assert 0.05 < income_missing < 0.25
    assert income_missing > 3 * item_missing > 0
    liners = truth["straightliner"].to_numpy()
    assert 0.01 < liners.mean() < 0.06
    items = survey.loc[liners, [name for name, *_ in GOLF_ITEMS]]
    assert (items.nunique(axis=1) == 1).all()


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="n_respondents"):
        lr.simulate_golf_survey(0)
    with pytest.raises(ValueError, match="n_respondents"):
        lr.simulate_golf_survey(10.5)


@pytest.mark.parametrize("seed", [lr.DEFAULT_SEED, 1, 2])
def test_segments_are_recoverable_by_a_mixture_regression(seed):
    """At n = 800 a 4-segment mixture regression of scored loyalty on scored satisfaction and
    delivered value recovers the true segments with ARI >= 0.6 (issue 2's design target)."""
    survey, truth = lr.simulate_golf_survey(800, random_state=seed)
    scores = lr.score_constructs(survey, lr.golf_codebook())
    data = pd.concat([scores, truth["segment"]], axis=1).dropna(
        subset=["loyalty", "satisfaction", "delivered_value"]
    )
    model = ClusterwiseRegression(4, n_init=10, random_state=0).fit(
        data[["satisfaction", "delivered_value"]], data["loyalty"]
    )
    assert adjusted_rand_score(data["segment"], model.labels_) >= 0.6


def test_permuted_response_does_not_recover_segments():
    """Honesty check of the recovery yardstick: labels found in a permuted response do not
    match the true segments."""
    survey, truth = lr.simulate_golf_survey(800, random_state=3)
    scores = lr.score_constructs(survey, lr.golf_codebook())
    data = pd.concat([scores, truth["segment"]], axis=1).dropna(
        subset=["loyalty", "satisfaction", "delivered_value"]
    )
    shuffled = np.random.default_rng(0).permutation(data["loyalty"].to_numpy())
    model = ClusterwiseRegression(4, n_init=10, random_state=0).fit(
        data[["satisfaction", "delivered_value"]], shuffled
    )
    assert adjusted_rand_score(data["segment"], model.labels_) < 0.1
