"""Complaint outcomes, repurchase by outcome and the recovery paradox, against base R
(tests/reference/r_complaints.R) and on simulated data with a known answer."""

import numpy as np
import pandas as pd
import pytest

import loyalty_research as lr
from loyalty_research.complaints import (
    OUTCOMES,
    complaint_outcome,
    recovery_paradox,
    repurchase_by_complaint,
    tarp_repurchase,
)

REFERENCE = "tests/reference/"
CHAIN = ["had_problem", "complained", "complaint_resolved", "resolved_quickly"]


@pytest.fixture(scope="module")
def golf():
    return pd.read_csv(REFERENCE + "data/golf_complaints.csv")


@pytest.fixture(scope="module")
def r_numbers():
    return pd.read_csv(REFERENCE + "fixtures/r_complaints_golf.csv").set_index(["case", "term"])


def test_reference_data_are_the_bundled_survey(golf):
    survey = lr.load_golf_survey()
    loyalty = lr.score_constructs(survey, lr.load_codebook())["loyalty"]
    pd.testing.assert_frame_equal(golf[["respondent_id", *CHAIN, "repurchase"]], survey[golf.columns[:-1]])
    np.testing.assert_allclose(golf["loyalty"], loyalty, rtol=1e-15)


def test_outcome_counts_match_r(golf, r_numbers):
    # R works the outcome out from the raw answers with nested ifelse()
    outcome = complaint_outcome(golf)
    assert list(outcome.cat.categories) == list(OUTCOMES) and outcome.cat.ordered
    counts = outcome.value_counts(sort=False)
    assert counts.to_dict() == r_numbers.loc["repurchase", "n_group"].to_dict()


def test_repurchase_shares_and_wilson_intervals_match_r(golf, r_numbers):
    # R: prop.test(sum(x), length(x), correct = FALSE)$conf.int
    table = repurchase_by_complaint(golf).set_index("outcome")
    assert table.index.tolist() == list(OUTCOMES)
    expected = r_numbers.loc["repurchase"]
    assert table["n"].tolist() == expected["n_group"].tolist()
    assert table["n_repurchase"].tolist() == expected["count"].tolist()
    for column, r_column in [("share", "estimate"), ("ci_low", "ci_low"), ("ci_high", "ci_high")]:
        np.testing.assert_allclose(table[column], expected[r_column], rtol=1e-8, atol=1e-12)
    assert table.loc["resolved_quickly", "tarp_loss_over_100"] == 0.82
    assert table.loc["not_complained", "tarp_loss_under_5"] == 0.37
    assert table.loc["no_problem", ["tarp_loss_over_100", "tarp_loss_under_5"]].isna().all()


def test_tarp_constant():
    assert tarp_repurchase().columns.tolist() == ["outcome", "tarp_loss_over_100", "tarp_loss_under_5"]
    assert tarp_repurchase()["outcome"].tolist() == list(OUTCOMES[1:])
    assert tarp_repurchase()["tarp_loss_over_100"].tolist() == [0.09, 0.19, 0.54, 0.82]
    assert tarp_repurchase()["tarp_loss_under_5"].tolist() == [0.37, 0.46, 0.70, 0.95]
    changed = tarp_repurchase()
    changed.loc[0, "tarp_loss_over_100"] = 1.0  # a caller's copy, not the package's figures
    assert tarp_repurchase().loc[0, "tarp_loss_over_100"] == 0.09


@pytest.mark.parametrize("ci", ["wald", "newcombe"])
def test_proportion_comparisons_match_r(golf, r_numbers, ci):
    # R: prop.test(c(x1, x2), c(n1, n2), correct = FALSE) (statistic, p, Wald interval),
    # fisher.test(2 x 2 counts)$p.value, and Newcombe's interval from the two Wilson intervals
    table = recovery_paradox(golf, "repurchase", ci=ci).set_index("comparison")
    expected = r_numbers.loc["paradox_repurchase"]
    got = table.loc[expected.index]
    assert got["n_group"].tolist() == expected["n_group"].tolist()
    assert got["n_reference"].tolist() == expected["n_reference"].tolist()
    assert (got["test"] == "chi-square").all() and (got["df"] == 1).all()
    suffix = "" if ci == "wald" else "_newcombe"
    for column, r_column in [
        ("difference", "estimate"),
        ("statistic", "statistic"),
        ("p_val", "p_val"),
        ("p_fisher", "p_fisher"),
        ("ci_low", "ci_low" + suffix),
        ("ci_high", "ci_high" + suffix),
    ]:
        np.testing.assert_allclose(got[column], expected[r_column], rtol=1e-8, atol=1e-12)


def test_welch_comparisons_match_r(golf, r_numbers):
    # R: t.test(a, b) (Welch): statistic, parameter (df), p.value, conf.int
    table = recovery_paradox(golf, "loyalty").set_index("comparison")
    expected = r_numbers.loc["paradox_loyalty"]
    got = table.loc[expected.index]
    assert (got["test"] == "welch_t").all() and got["p_fisher"].isna().all()
    for column, r_column in [
        ("difference", "estimate"),
        ("statistic", "statistic"),
        ("df", "df"),
        ("p_val", "p_val"),
        ("ci_low", "ci_low"),
        ("ci_high", "ci_high"),
    ]:
        np.testing.assert_allclose(got[column], expected[r_column], rtol=1e-8, atol=1e-12)


def test_golf_verdicts(golf, r_numbers):
    """Each verdict says what R's test of that comparison says: its direction, whether it is
    significant at 5%, and the p value of the test used (Fisher's when an expected count is
    below 5)."""
    table = recovery_paradox(golf, "repurchase")
    for row in table.itertuples():
        r = r_numbers.loc[("paradox_repurchase", row.comparison)]
        fisher = row.test.startswith("Fisher")
        p = r["p_fisher"] if fisher else r["p_val"]
        assert f"p = {p:.3f}" in row.verdict
        if p < 0.05:
            higher = "higher" if r["estimate"] > 0 else "lower"
            assert row.verdict.startswith(f"repurchase is significantly {higher} among customers whose")
        else:
            assert row.verdict.startswith("no evidence")


def _market(n, rates, seed, score=False):
    """Customers with a problem (30%), complaint (60% of them), resolution (60%), quick
    resolution (50%), and a repurchase probability (or mean loyalty score) per outcome."""
    rng = np.random.default_rng(seed)
    problem = (rng.random(n) < 0.3).astype(float)
    complained = np.where(problem == 1, (rng.random(n) < 0.6).astype(float), np.nan)
    resolved = np.where(complained == 1, (rng.random(n) < 0.6).astype(float), np.nan)
    quickly = np.where(resolved == 1, (rng.random(n) < 0.5).astype(float), np.nan)
    data = pd.DataFrame(
        {
            "had_problem": problem,
            "complained": complained,
            "complaint_resolved": resolved,
            "resolved_quickly": quickly,
        }
    )
    level = complaint_outcome(data).astype(str).map(rates).to_numpy()
    data["outcome"] = rng.normal(level, 1.0) if score else (rng.random(n) < level).astype(float)
    return data


BASE = {"no_problem": 0.70, "not_complained": 0.2, "unresolved": 0.3, "resolved": 0.55}


def test_known_truth_paradox_found():
    table = recovery_paradox(_market(20000, BASE | {"resolved_quickly": 0.82}, seed=1), "outcome")
    first = table.iloc[0]
    assert first["verdict"].startswith("the paradox holds in these data")
    assert first["ci_low"] < 0.12 < first["ci_high"]
    scores = recovery_paradox(
        _market(4000, {**dict.fromkeys(OUTCOMES, 4.0), "resolved_quickly": 4.5}, seed=2, score=True),
        "outcome",
    )
    assert scores.loc[0, "test"] == "welch_t"
    assert scores.loc[0, "verdict"].startswith("the paradox holds in these data")


def test_known_truth_no_paradox():
    # TARP-like: quick recovery helps, but recovered customers stay below those without a problem
    below = recovery_paradox(_market(20000, BASE | {"resolved_quickly": 0.60}, seed=3), "outcome")
    assert below.loc[0, "verdict"].startswith("no evidence of a paradox: outcome is significantly lower")
    assert below.loc[2, "verdict"].startswith("outcome is significantly higher")
    equal = recovery_paradox(_market(20000, BASE | {"resolved_quickly": 0.70}, seed=4), "outcome")
    assert equal.loc[0, "verdict"].startswith("no evidence of a paradox: no significant difference")


def test_no_paradox_is_rarely_invented():
    # under no paradox (equal rates) a significant "holds" verdict is a one-sided false positive:
    # at most alpha / 2 = 2.5% of samples, up to simulation noise (200 samples of 1000 customers)
    rates = BASE | {"resolved_quickly": 0.70}
    holds = [
        recovery_paradox(_market(1000, rates, seed), "outcome").loc[0, "verdict"].startswith("the paradox")
        for seed in range(200)
    ]
    assert np.mean(holds) < 0.06


def test_small_or_constant_groups_give_no_test():
    data = _market(400, BASE | {"resolved_quickly": 0.7}, seed=5)
    quick = complaint_outcome(data) == "resolved_quickly"
    one_quick = data.drop(index=data.index[quick][1:])
    table = recovery_paradox(one_quick, "outcome")
    n_reference = int((complaint_outcome(one_quick) == "no_problem").sum())
    verdict = f"no evidence of a paradox: too few customers to compare (n = 1 and {n_reference})"
    assert table.loc[0, "verdict"] == verdict
    assert table.loc[0, ["difference", "p_val", "ci_low"]].isna().all()
    constant = data.assign(outcome=1.0)
    table = recovery_paradox(constant, "outcome")
    assert table["verdict"].str.contains("does not vary").all() and table["p_val"].isna().all()
    assert (table["p_fisher"] == 1).all()


def test_outcome_logic_every_branch():
    data = pd.DataFrame(
        {
            "had_problem": [0, 1, 1, 1, 1, np.nan, 1, 1, 1, 0],
            "complained": [np.nan, 0, 1, 1, 1, 1, np.nan, 1, 1, 0],
            "complaint_resolved": [np.nan, np.nan, 0, 1, 1, 1, np.nan, np.nan, 1, np.nan],
            "resolved_quickly": [np.nan, np.nan, np.nan, 0, 1, 1, np.nan, np.nan, np.nan, np.nan],
        },
        index=list("abcdefghij"),
    )
    outcome = complaint_outcome(data)
    # f: had_problem missing; g, h, i: an answer the outcome needs is missing; j: 0 where not asked
    expected = [*OUTCOMES, np.nan, np.nan, np.nan, np.nan, "no_problem"]
    assert outcome.tolist() == expected
    assert outcome.index.equals(data.index) and outcome.name == "outcome"


def test_bad_codings_are_named():
    data = pd.DataFrame(
        {"had_problem": [0, 1, 0], "complained": [1, 0, 1], "complaint_resolved": [np.nan] * 3},
        index=[10, 11, 12],
    ).assign(resolved_quickly=np.nan)
    with pytest.raises(ValueError, match=r"'complained' is 1 where 'had_problem' is 0 \(rows \[10, 12\]\)"):
        complaint_outcome(data)
    late = data.assign(had_problem=1, complained=[0, 1, 1], complaint_resolved=[1, 1, 0])
    with pytest.raises(
        ValueError, match=r"'complaint_resolved' is 1 where 'complained' is 0 \(rows \[10\]\)"
    ):
        complaint_outcome(late)
    with pytest.raises(ValueError, match=r"'had_problem' must hold 0, 1 or missing; rows \[10\] do not"):
        complaint_outcome(data.assign(had_problem=[2, 1, 0]))
    with pytest.raises(ValueError, match=r"'had_problem' has non-numeric values \(rows \[11\]\)"):
        complaint_outcome(data.assign(had_problem=[0, "yes", 0]))
    with pytest.raises(ValueError, match="'nope' not in the data"):
        complaint_outcome(data, quickly="nope")
    with pytest.raises(ValueError, match="must be different"):
        complaint_outcome(data, quickly="complained")
    with pytest.raises(TypeError, match="DataFrame"):
        complaint_outcome(data.to_numpy())
    many = pd.DataFrame({"had_problem": [0] * 8, "complained": [1] * 8}).assign(
        complaint_resolved=np.nan, resolved_quickly=np.nan
    )
    with pytest.raises(ValueError, match=r"rows \[0, 1, 2, 3, 4, ...\] \(8 in all\)"):
        complaint_outcome(many)


def test_bad_arguments_are_named(golf):
    with pytest.raises(ValueError, match="'repurchase' must hold 0, 1"):
        repurchase_by_complaint(golf.assign(repurchase=golf["repurchase"] * 2))
    with pytest.raises(ValueError, match="alpha"):
        repurchase_by_complaint(golf, alpha=5)
    with pytest.raises(ValueError, match="ci must be"):
        recovery_paradox(golf, ci="exact")
    with pytest.raises(ValueError, match="'respondent_id' has non-numeric values"):
        recovery_paradox(golf, "respondent_id")
    with pytest.raises(ValueError, match="column 'nope' not in the data"):
        recovery_paradox(golf, "nope")


def test_missing_values_are_left_out_with_a_warning(golf):
    holes = golf.copy()
    holes.loc[[0, 1], "repurchase"] = np.nan
    holes.loc[2, "had_problem"] = np.nan
    with pytest.warns(UserWarning, match="3 of 800 customers"):
        table = repurchase_by_complaint(holes)
    assert table["n"].sum() == 797
    with pytest.warns(UserWarning, match="3 of 800 customers"):
        recovery_paradox(holes)
