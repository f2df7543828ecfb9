"""Necessary condition analysis against R's NCA package (tests/reference/r_nca.R), a hand-worked
example, known truth and bad input."""

import numpy as np
import pandas as pd
import pytest

import loyalty_research as lr

REFERENCE = "tests/reference/"
DATA = {
    "example": ("nca_example", "innovation_performance"),
    "likert": ("nca_likert", "loyalty"),
    "tiny": ("nca_tiny", "y"),
}
EXPECTED = pd.read_csv(REFERENCE + "fixtures/r_nca.csv")
CASES = [
    (name, condition) for name, condition in EXPECTED[["data", "condition"]].drop_duplicates().to_numpy()
]


@pytest.mark.parametrize(("name", "condition"), CASES)
def test_ceilings_match_r_nca(name, condition):
    file, outcome = DATA[name]
    data = pd.read_csv(REFERENCE + f"data/{file}.csv")
    ours = lr.necessary_condition(data, condition, outcome, n_permutations=10000, random_state=1)
    expected = EXPECTED[(EXPECTED["data"] == name) & (EXPECTED["condition"] == condition)].set_index(
        "ceiling"
    )
    assert list(ours.index) == ["ce_fdh", "cr_fdh"]
    for column in ["n", "scope", "ceiling_zone", "effect_size", "above", "slope", "intercept"]:
        np.testing.assert_allclose(ours[column], expected[column], rtol=1e-10, err_msg=column)
    for column in ["accuracy", "fit"]:  # NCA prints percentages, the package proportions
        np.testing.assert_allclose(ours[column], expected[column] / 100, rtol=1e-10, err_msg=column)
    # both p values are Monte Carlo estimates (R's also for n = 7, where it draws 5040 permutations
    # with repeats; the package then enumerates all 5040): they agree within their sampling error
    error = np.sqrt(expected["p_val"] * (1 - expected["p_val"]) / 5040)
    assert (np.abs(ours["p_val"] - expected["p_val"]) <= 4 * error + 1e-12).all()


@pytest.mark.parametrize(("name", "condition"), CASES)
@pytest.mark.parametrize("ceiling", ["ce_fdh", "cr_fdh"])
def test_bottleneck_tables_match_r_nca(name, condition, ceiling):
    file, outcome = DATA[name]
    data = pd.read_csv(REFERENCE + f"data/{file}.csv")
    ours = lr.bottleneck_table(data, condition, outcome, ceiling=ceiling)
    expected = pd.read_csv(REFERENCE + "fixtures/r_nca_bottleneck.csv")
    expected = expected[
        (expected["data"] == name) & (expected["ceiling"] == ceiling) & (expected["condition"] == condition)
    ]
    assert ours["outcome_pct"].tolist() == expected["outcome_level"].tolist()
    status = expected["required"].map({"NN": "not necessary"}).fillna("required")
    status[expected["required"].isna()] = "not reached"
    assert ours["status"].tolist() == status.tolist()
    numbers = pd.to_numeric(expected["required"], errors="coerce")
    np.testing.assert_allclose(ours["required"], numbers, atol=5e-4)  # R prints three decimals


def test_a_hand_worked_example():
    # peers (1,1), (2,3), (4,4), (5,6): the empty zone is 1x2 + 3x1 + 4x2 = 13 of the 4x5 scope;
    # least squares through the peers is y = 0.2 + 1.1x, above which lie 10 of the 20 units
    # (24 - 0.8 - 13.2) and the cases (2, 3) and (5, 6)
    cases = pd.DataFrame({"x": [1, 2, 2, 3, 4, 5, 5], "y": [1, 3, 2, 2, 4, 3, 6]})
    table = lr.necessary_condition(cases, "x", "y", n_permutations=0)
    assert table.loc["ce_fdh", "ceiling_zone"] == 13 and table.loc["ce_fdh", "scope"] == 20
    assert table.loc["cr_fdh", ["slope", "intercept"]].tolist() == pytest.approx([1.1, 0.2])
    assert table.loc["cr_fdh", "ceiling_zone"] == pytest.approx(10)
    assert table.loc["cr_fdh", "above"] == 2 and table.loc["cr_fdh", "accuracy"] == pytest.approx(5 / 7)
    assert table["p_val"].isna().all()
    assert lr.ceiling_peers(cases, "x", "y").to_numpy().tolist() == [[1, 1], [2, 3], [4, 4], [5, 6]]
    # with n! <= n_permutations every ordering is used: an exact test
    exact = lr.necessary_condition(cases, "x", "y", n_permutations=5040)
    assert (exact["p_accuracy"] == 0).all()
    again = lr.necessary_condition(cases, "x", "y", n_permutations=5040, random_state=99)
    pd.testing.assert_frame_equal(exact, again)


def test_a_built_in_necessity_is_found_and_independence_is_not():
    rng = np.random.default_rng(5)
    satisfaction = rng.integers(1, 8, 400)
    # loyalty never exceeds satisfaction: satisfaction is necessary, not sufficient
    loyalty = np.minimum(rng.integers(1, 8, 400), satisfaction)
    built = lr.necessary_condition(
        pd.DataFrame({"s": satisfaction, "l": loyalty}), "s", "l", n_permutations=2000, random_state=1
    )
    # the staircase (1,1), (2,2), ..., (7,7) leaves 1 + 2 + ... + 6 = 21 of the 6 x 6 scope empty
    assert built.loc["ce_fdh", "effect_size"] == pytest.approx(21 / 36)
    assert (built["p_val"] < 0.01).all()
    # independent answers: the test rejects about as often as alpha
    p_values = []
    for seed in range(150):
        noise = np.random.default_rng(seed).integers(1, 8, (60, 2))
        table = lr.necessary_condition(
            pd.DataFrame(noise, columns=["s", "l"]), "s", "l", n_permutations=400, random_state=seed
        )
        p_values.append(table.loc["ce_fdh", "p_val"])
    assert 0.01 <= np.mean(np.array(p_values) < 0.05) <= 0.10


def test_bad_input_is_named():
    cases = pd.DataFrame({"x": [1, 2, 3, 4], "y": [2, 1, 4, 3], "flat": [5, 5, 5, 5]})
    with pytest.raises(ValueError, match="'z'"):
        lr.necessary_condition(cases, "z", "y")
    with pytest.raises(ValueError, match="'flat' has one value for everybody"):
        lr.necessary_condition(cases, "flat", "y")
    with pytest.raises(ValueError, match="2 respondents answered both 'x' and 'y'"):
        lr.necessary_condition(cases.assign(y=[1, 2, None, None]), "x", "y")
    with pytest.raises(ValueError, match="n_permutations must be a whole number"):
        lr.necessary_condition(cases, "x", "y", n_permutations=-1)
    with pytest.raises(ValueError, match="ceiling must be one of"):
        lr.bottleneck_table(cases, "x", "y", ceiling="ols")
