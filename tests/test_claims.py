"""The claims register and the claim tests: against R (tests/reference/r_claims.R) and SciPy,
known truth, bad input, and every claim in the register run."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats.contingency import relative_risk

import loyalty_research as lr

FIXTURES = "tests/reference/fixtures/"


@pytest.fixture(scope="module")
def golf():
    return pd.read_csv("data/golf_survey.csv")


def test_conditional_shares_match_r(golf):
    data = pd.DataFrame(
        {"satisfied": (golf["sat_overall"] >= 6).astype(float), "switched": 1 - golf["repurchase"]}
    )
    data.loc[golf["sat_overall"].isna(), "satisfied"] = np.nan
    ours = lr.conditional_shares(data, "satisfied", "switched")
    expected = pd.read_csv(FIXTURES + "r_claims_shares.csv")
    assert ours["quantity"].tolist() == expected["quantity"].tolist()
    for column in ["share", "successes", "n", "ci_low", "ci_high"]:
        np.testing.assert_allclose(ours[column], expected[column], rtol=1e-9, err_msg=column)


def test_the_two_conditional_shares_follow_bayes_rule():
    rng = np.random.default_rng(4)
    satisfied = rng.random(5000) < 0.85
    switched = rng.random(5000) < np.where(satisfied, 0.15, 0.6)
    table = lr.conditional_shares(
        pd.DataFrame({"s": satisfied.astype(int), "w": switched.astype(int)}), "s", "w"
    ).set_index("quantity")["share"]
    # P(s | w) = P(w | s) P(s) / P(w), exactly, on the same counts
    assert table["P(s | w)"] == pytest.approx(table["P(w | s)"] * table["P(s)"] / table["P(w)"])
    assert table["P(w | s)"] == pytest.approx(0.15, abs=0.02) and table["P(s | w)"] > 0.5


def test_top_box_ratio_matches_r_and_scipy(golf):
    ours = lr.top_box_ratio(golf, "sat_overall", "repurchase").iloc[0]
    expected = pd.read_csv(FIXTURES + "r_claims_top_box.csv").iloc[0]
    for column in expected.index:
        assert ours[column] == pytest.approx(expected[column], rel=1e-9), column
    assert ours["top"] == 7 and ours["merely"] == "6"
    top, merely = round(ours["share_top"] * ours["n_top"]), round(ours["share_merely"] * ours["n_merely"])
    scipy = relative_risk(top, int(ours["n_top"]), merely, int(ours["n_merely"]))
    interval = scipy.confidence_interval(0.95)
    assert (ours["ratio"], ours["ci_low"], ours["ci_high"]) == pytest.approx(
        (scipy.relative_risk, interval.low, interval.high)
    )


def test_top_box_ratio_recovers_a_built_in_ratio_and_names_bad_input():
    rng = np.random.default_rng(2)
    answers = rng.choice([5, 6, 7], 6000)
    back = rng.random(6000) < np.select([answers == 7, answers == 6], [0.6, 0.1], 0.05)
    table = lr.top_box_ratio(pd.DataFrame({"s": answers, "b": back.astype(int)}), "s", "b").iloc[0]
    assert table["ci_low"] < 6 < table["ci_high"]
    # a scale that starts at 0: the merely satisfied answer may be 0
    zero = lr.top_box_ratio(pd.DataFrame({"s": [0, 0, 1, 1], "b": [0, 1, 1, 1]}), "s", "b", merely=0).iloc[0]
    assert zero["merely"] == "0" and zero["ratio"] == pytest.approx(2.0)
    with pytest.raises(ValueError, match="'b' must be 0/1"):
        lr.top_box_ratio(pd.DataFrame({"s": answers, "b": answers}), "s", "b")
    with pytest.raises(ValueError, match="no respondent gave the merely answer"):
        lr.top_box_ratio(pd.DataFrame({"s": answers, "b": back.astype(int)}), "s", "b", merely=2)


def test_moderation_matches_r(golf):
    data = golf.assign(member=(golf["membership"] == "member").astype(int))
    ours = lr.moderation(data, "loyal_revisit", "sat_overall", "member").set_index("term")
    expected = pd.read_csv(FIXTURES + "r_claims_moderation.csv")
    names = {"sat": "sat_overall", "sat:member": "sat_overall:member"}
    for row in expected.itertuples():
        term = names.get(row.term, row.term)
        assert ours.loc[term, "coef"] == pytest.approx(row.coef, rel=1e-9), term
        assert ours.loc[term, "se"] == pytest.approx(row.se, rel=1e-9), term


def test_moderation_holds_its_size_without_moderation():
    p_values = []
    for seed in range(200):
        rng = np.random.default_rng(seed)
        d = pd.DataFrame({"sat": rng.normal(size=200), "cost": rng.integers(0, 2, 200)})
        d["loyal"] = 0.6 * d["sat"] + 0.3 * d["cost"] + rng.normal(size=200)
        p_values.append(lr.moderation(d, "loyal", "sat", "cost").set_index("term").loc["sat:cost", "p_val"])
    assert 0.02 <= np.mean(np.array(p_values) < 0.05) <= 0.09


def test_every_verdict_branch_is_written():
    from loyalty_research import claims

    def nca(d, p):
        return pd.DataFrame({"effect_size": [d, d / 2], "p_val": [p, p]}, index=["ce_fdh", "cr_fdh"])

    assert claims.necessity_verdict(nca(0.35, 0.001), "s", "l")[0] == "holds"
    assert "large effect" in claims.necessity_verdict(nca(0.35, 0.001), "s", "l")[1]
    assert "no larger than random" in claims.necessity_verdict(nca(0.2, 0.3), "s", "l")[1]
    assert "below 0.1" in claims.necessity_verdict(nca(0.05, 0.001), "s", "l")[1]
    share = pd.Series({"share": 0.3, "ci_low": 0.25, "ci_high": 0.35})
    assert claims.range_verdict(share, 0.65, 0.85, "x")[0] == "does not hold"
    assert "below the claimed" in claims.range_verdict(share, 0.65, 0.85, "x")[1]
    assert "above the claimed" in claims.range_verdict(share, 0.1, 0.2, "x")[1]
    assert claims.range_verdict(share, 0.3, 0.5, "x")[0] == "holds"
    row = pd.Series({"share_top": 0.9, "share_merely": 0.15, "ratio": 6.0, "ci_low": 4.0, "ci_high": 8.0})
    assert claims.top_box_verdict(row) == ("holds", claims.top_box_verdict(row)[1])
    assert "includes the claimed 6" in claims.top_box_verdict(row)[1]
    flat = row.copy()
    flat[["ratio", "ci_low", "ci_high"]] = [1.1, 0.9, 1.3]
    assert (
        claims.top_box_verdict(flat)[0] == "does not hold" and "excludes" in claims.top_box_verdict(flat)[1]
    )

    class Fit:
        def __init__(self, a3, p3, p_diff):
            self.surface = pd.DataFrame({"coef": [a3], "p_val": [p3]}, index=["a3"])
            self.difference_test = pd.DataFrame([{"p_val": p_diff, "r2": 0.6, "r2_difference": 0.1}])

    assert claims.disconfirmation_verdict(Fit(0.7, 0.001, 0.001))[0] == "holds"
    assert "constraints fail" in claims.disconfirmation_verdict(Fit(0.7, 0.001, 0.001))[1]
    assert "alone would do" in claims.disconfirmation_verdict(Fit(0.7, 0.001, 0.4))[1]
    assert claims.disconfirmation_verdict(Fit(0.1, 0.4, 0.4))[0] == "does not hold"

    def moderated(coef, p):
        return pd.DataFrame(
            {
                "term": ["s:c", "slope at c = 0", "slope at c = 1"],
                "coef": [coef, 0.8, 0.8 + coef],
                "p_val": [p, 0.0, 0.0],
            }
        )

    assert "leans less on satisfaction" in claims.moderation_verdict(moderated(-0.3, 0.01), "s", "c")[1]
    assert "costs strengthen" in claims.moderation_verdict(moderated(0.3, 0.01), "s", "c")[1]
    assert "no reliable moderation" in claims.moderation_verdict(moderated(-0.3, 0.4), "s", "c")[1]


def test_the_register_is_complete_and_quotes_its_seeds():
    claims = lr.load_claims()
    assert list(claims.columns) == list(lr.CLAIM_FIELDS)[1:] and claims.index.is_unique
    quoted = claims[claims["seed"] != "none"]
    assert (quoted["seed_line"] > 0).all() and (quoted["seed_text"].str.len() > 10).all()
    # the one claim the seeds do not make is the one the package quoted (Jones & Sasser)
    assert claims.loc["completely_satisfied_six_times", "seed"] == "none"
    assert claims["built_into_golf"].str.match(r"^(yes|no|partly)").all()


@pytest.fixture(scope="module")
def claim_data():
    return lr.claim_data()


@pytest.mark.parametrize("claim", lr.load_claims().index)
def test_every_claim_in_the_register_is_run(claim, claim_data):
    check = lr.check_claim(claim, data=claim_data, n_permutations=200)
    summary = check.summary
    assert len(summary) >= 1 and (summary["claim"] == claim).all()
    assert summary["status"].isin(lr.STATUSES).all()
    assert summary["result"].str.len().gt(20).all()
    testable = not lr.load_claims().loc[claim, "test"].startswith("untestable")
    assert (summary["status"] != "untestable with these data").all() == testable
    if testable:
        assert set(check.details) == set(summary["data"])
    with pytest.raises(ValueError, match="unknown claim 'x'"):
        lr.check_claim("x")
