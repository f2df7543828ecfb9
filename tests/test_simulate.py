"""The golf-survey simulator: shape, determinism, realism and recoverability of its truth."""

from dataclasses import replace

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
    codebook = lr.load_codebook()
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
    codebook = lr.load_codebook()
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
    coefs = lr.true_segment_coefficients().set_index("segment")
    locked = truth[truth["segment"] == "locked_in"].iloc[0]
    assert locked["coef_satisfaction"] == coefs.loc["locked_in", "coef_satisfaction"] == 0
    sat = coefs.loc["satisfaction_driven"]
    # reduced form: direct effect plus the effect through cognitive trust
    params = lr.GolfSurveyParameters()
    eq = params.loyalty_equation["satisfaction_driven"]
    assert sat["coef_satisfaction"] == pytest.approx(eq["satisfaction"] + eq["trust"] * params.trust_path)


def test_latent_loyalty_follows_the_segment_equations():
    """Within each true segment, OLS of latent loyalty on the latent predictors gives the truth
    (a large sample: the error SDs are as large as in real surveys)."""
    _, truth = lr.simulate_golf_survey(20_000, random_state=11)
    for segment, group in truth.groupby("segment"):
        X = np.column_stack(
            [np.ones(len(group)), group["latent_satisfaction"], group["latent_delivered_value"]]
        )
        y = group["latent_loyalty"].to_numpy()
        coef, *_ = np.linalg.lstsq(X, y, rcond=None)
        sigma2 = np.sum((y - X @ coef) ** 2) / (len(y) - X.shape[1])
        se = np.sqrt(np.diag(sigma2 * np.linalg.inv(X.T @ X)))
        expected = group[["coef_intercept", "coef_satisfaction", "coef_value"]].iloc[0].to_numpy()
        assert (np.abs(coef - expected) < 4 * se).all(), (segment, coef, expected, se)


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


@pytest.mark.parametrize(("label", "n", "seed"), [("bundled", None, None), ("fresh seed", 2000, 99)])
def test_realism_targets_are_met(label, n, seed):
    """The simulated survey meets every published realism target it has a range for
    (``realism.REALISM_TARGETS``), on the bundled file and on fresh draws."""
    if n is None:
        survey, truth = lr.load_golf_survey(), lr.load_golf_truth()
    else:
        survey, truth = lr.simulate_golf_survey(n, random_state=seed)
    table = lr.realism_table(survey, truth, lr.load_codebook())
    missed = table.loc[table["met"].eq(False), ["target", "low", "high", "simulated"]]
    assert missed.empty, f"{label}:\n{missed.to_string()}"
    assert table["met"].notna().sum() >= 19


def test_realism_table_flags_the_old_clean_market():
    """The yardstick can fail: items without response styles or noise are too reliable."""
    params = replace(
        lr.GolfSurveyParameters().without_response_styles(),
        item_loading=dict.fromkeys(lr.GolfSurveyParameters().item_loading, 0.97),
    )
    survey, truth = lr.simulate_golf_survey(800, random_state=1, params=params)
    table = lr.realism_table(survey, truth, lr.load_codebook()).set_index("key")
    assert not table.loc["alpha_max", "met"] and not table.loc["straightliners", "met"]


def test_true_parameter_classifier_is_stored_and_grows_with_separation():
    aris = []
    for separation in (0.0, 1.0, 3.0):
        _, truth = lr.simulate_golf_survey(
            2000, random_state=4, params=replace(lr.GolfSurveyParameters(), separation=separation)
        )
        assert set(truth["bayes_segment"]) <= set(SEGMENTS)
        aris.append(lr.true_parameter_ari(truth))
    # with no separation only the membership logit (traits) tells segments apart
    assert 0 < aris[0] < aris[1] < aris[2] < 1


def test_separation_and_number_of_segments():
    flat = lr.true_segment_coefficients(replace(lr.GolfSurveyParameters(), separation=0.0))
    assert flat[["coef_intercept", "coef_satisfaction", "coef_value"]].nunique().eq(1).all()
    wide = lr.true_segment_coefficients(replace(lr.GolfSurveyParameters(), separation=2.0))
    base = lr.true_segment_coefficients()
    spread = (wide["coef_satisfaction"] - wide["coef_satisfaction"].mean()).abs()
    np.testing.assert_allclose(
        spread, 2 * (base["coef_satisfaction"] - base["coef_satisfaction"].mean()).abs()
    )
    _, truth = lr.simulate_golf_survey(
        300, random_state=2, params=replace(lr.GolfSurveyParameters(), n_segments=2)
    )
    assert set(truth["segment"]) == {"satisfaction_driven", "value_seeker"}
    with pytest.raises(ValueError, match="n_segments"):
        lr.true_segment_coefficients(replace(lr.GolfSurveyParameters(), n_segments=5))
    with pytest.raises(ValueError, match="separation"):
        lr.true_segment_coefficients(replace(lr.GolfSurveyParameters(), separation=-1.0))


def test_without_response_styles():
    _, truth = lr.simulate_golf_survey(
        500, random_state=3, params=lr.GolfSurveyParameters().without_response_styles()
    )
    assert not truth["straightliner"].any() and not truth["careless"].any()
    assert (truth["acquiescence"] == 0).all() and (truth["scale_usage"] == 0).all()


def test_mixture_regression_recovers_an_easy_market():
    """Known truth: in a well-separated two-segment market, a mixture regression of latent
    loyalty on the latent drivers recovers the segments nearly as well as the classifier that
    knows every true parameter (its membership model included)."""
    params = replace(lr.GolfSurveyParameters(), separation=6.0, n_segments=2)
    _, truth = lr.simulate_golf_survey(1000, random_state=1, params=params)
    model = ClusterwiseRegression(2, n_init=10, random_state=0).fit(
        truth[["latent_satisfaction", "latent_delivered_value"]], truth["latent_loyalty"]
    )
    best = lr.true_parameter_ari(truth)
    assert 0.75 * best <= adjusted_rand_score(truth["segment"], model.labels_) <= best + 0.05


def test_permuted_response_does_not_recover_segments():
    """Honesty check of the recovery yardstick: labels found in a permuted response do not
    match the true segments."""
    survey, truth = lr.simulate_golf_survey(800, random_state=3)
    scores = lr.score_constructs(survey, lr.load_codebook())
    data = pd.concat([scores, truth["segment"]], axis=1).dropna(
        subset=["loyalty", "satisfaction", "delivered_value"]
    )
    shuffled = np.random.default_rng(0).permutation(data["loyalty"].to_numpy())
    model = ClusterwiseRegression(4, n_init=10, random_state=0).fit(
        data[["satisfaction", "delivered_value"]], shuffled
    )
    assert adjusted_rand_score(data["segment"], model.labels_) < 0.1


def test_the_market_is_data_every_default_from_the_resources():
    """Every default of GolfSurveyParameters, every item and every other column is read from
    resources/ (golf_market.yaml, golf_items.csv), none is written in code."""
    from dataclasses import fields

    from loyalty_research import simulate

    from_items = {"item_loading", "item_difficulty"}
    names = [f.name for f in fields(lr.GolfSurveyParameters)]
    assert list(simulate._MARKET["parameters"]) == [n for n in names if n not in from_items]
    defaults = lr.GolfSurveyParameters()
    assert (
        defaults.item_loading["loyal_pay_more"] == 0.81 and defaults.item_difficulty["loyal_pay_more"] == 0.4
    )
    assert [row["column"] for row in simulate._ITEMS] == list(defaults.item_loading)
    codebook = lr.load_codebook()
    assert [row["column"] for row in simulate._ITEMS] == codebook.items()
    # a changed default cannot leak into the next instance
    with pytest.raises(TypeError):
        defaults.membership_shares["member"] = 1.0
    assert isinstance(defaults.thresholds, tuple) and isinstance(defaults.income_probs["member"], tuple)
