"""Complaint outcomes, repurchase by outcome and the recovery paradox, against base R
(tests/reference/r_complaints.R) and on data with a known answer."""

import numpy as np
import pandas as pd
import pytest

import loyalty_research as lr
from loyalty_research.complaints import (
    TARP_REPURCHASE,
    complaint_outcome,
    recovery_paradox,
    repurchase_by_complaint,
)

REFERENCE = "tests/reference/"


@pytest.fixture(scope="module")
def golf():
    return pd.read_csv(REFERENCE + "data/golf_complaints.csv")


@pytest.fixture(scope="module")
def r_numbers():
    return pd.read_csv(REFERENCE + "fixtures/r_complaints_golf.csv").set_index(["case", "term"])


def test_outcomes_of_the_bundled_survey(golf):
    outcome = complaint_outcome(lr.load_golf_survey())
    assert outcome.astype(str).tolist() == golf["outcome"].tolist()
    assert list(outcome.cat.categories) == [
        "no_problem",
        "not_complained",
        "unresolved",
        "resolved",
        "resolved_quickly",
    ]


def test_repurchase_shares_and_wilson_intervals_match_r(golf, r_numbers):
    # R: prop.test(sum(x), length(x), correct = FALSE)$conf.int
    table = repurchase_by_complaint(golf).set_index("outcome")
    expected = r_numbers.loc["repurchase"]
    for level, row in expected.iterrows():
        assert table.loc[level, "share"] == pytest.approx(row["estimate"], abs=1e-7)
        assert table.loc[level, "ci_low"] == pytest.approx(row["ci_low"], abs=1e-7)
        assert table.loc[level, "ci_high"] == pytest.approx(row["ci_high"], abs=1e-6)
    assert table.loc["resolved_quickly", "tarp_loss_over_100"] == 0.82
    assert np.isnan(table.loc["no_problem", "tarp_loss_over_100"])
    assert TARP_REPURCHASE["tarp_loss_under_5"].tolist() == [0.37, 0.46, 0.70, 0.95]


@pytest.mark.parametrize(
    "outcome, case", [("repurchase", "paradox_repurchase"), ("loyalty", "paradox_loyalty")]
)
def test_recovery_comparisons_match_r(golf, r_numbers, outcome, case):
    # R: prop.test(c(x1, x2), c(n1, n2), correct = FALSE), fisher.test(); t.test(a, b) (Welch)
    table = recovery_paradox(golf, outcome).set_index("comparison")
    for comparison, row in r_numbers.loc[case].iterrows():
        got = table.loc[comparison]
        assert got["difference"] == pytest.approx(row["estimate"], abs=1e-6)
        assert got["statistic"] == pytest.approx(row["statistic"], rel=1e-5)
        assert got["p_val"] == pytest.approx(row["p_val"], rel=1e-5)
        assert got["ci_low"] == pytest.approx(row["ci_low"], abs=1e-5)
        assert got["ci_high"] == pytest.approx(row["ci_high"], abs=1e-5)
        if case == "paradox_repurchase":
            assert got["p_fisher"] == pytest.approx(row["p_fisher"], rel=1e-6)
    assert table.iloc[0]["verdict"].startswith("no evidence of a paradox")


def _market(n, quick_rate, no_problem_rate, seed):
    rng = np.random.default_rng(seed)
    problem = rng.random(n) < 0.5
    complained = np.where(problem, 1.0, np.nan)
    resolved = np.where(problem, 1.0, np.nan)
    quickly = np.where(problem, (rng.random(n) < 0.5).astype(float), np.nan)
    rate = np.where(~problem, no_problem_rate, np.where(quickly == 1, quick_rate, 0.5))
    return pd.DataFrame(
        {
            "had_problem": problem.astype(float),
            "complained": complained,
            "complaint_resolved": resolved,
            "resolved_quickly": quickly,
            "repurchase": (rng.random(n) < rate).astype(float),
        }
    )


def test_known_truth_paradox_found_and_not_invented():
    found = recovery_paradox(_market(8000, 0.85, 0.70, 1), "repurchase").iloc[0]
    assert found["verdict"].startswith("the paradox holds")
    assert found["difference"] == pytest.approx(0.15, abs=0.03)
    absent = recovery_paradox(_market(8000, 0.70, 0.70, 2), "repurchase")
    assert not absent.iloc[0]["verdict"].startswith("the paradox holds")
    # every complaint of this market was resolved: that comparison cannot be made
    assert absent.iloc[2]["verdict"].startswith("too few customers")
    assert np.isnan(absent.iloc[2]["p_val"])


def test_bad_codings_are_named():
    data = pd.DataFrame(
        {
            "had_problem": [0, 1],
            "complained": [1, 0],
            "complaint_resolved": [np.nan] * 2,
            "resolved_quickly": [np.nan] * 2,
        }
    )
    with pytest.raises(ValueError, match="'complained' is 1 where 'had_problem' is 0 \\(rows \\[0\\]\\)"):
        complaint_outcome(data)
    with pytest.raises(ValueError, match="'had_problem' must hold 0, 1"):
        complaint_outcome(data.assign(had_problem=[2, 1]))
    with pytest.raises(ValueError, match="'nope' not in the data"):
        complaint_outcome(data, quickly="nope")
    golf = lr.load_golf_survey()
    with pytest.raises(ValueError, match="non-numeric values in column 'membership'"):
        recovery_paradox(golf, "membership")


def test_missing_links_leave_the_outcome_missing():
    data = pd.DataFrame(
        {
            "had_problem": [1, np.nan],
            "complained": [np.nan, np.nan],
            "complaint_resolved": [np.nan] * 2,
            "resolved_quickly": [np.nan] * 2,
        }
    )
    assert complaint_outcome(data).isna().all()
