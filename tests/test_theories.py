"""Mediation against Hayes' Tal_Or example (R) and pingouin, and on data with a known chain."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from loyalty_research.mediation_analysis import mediation

REFERENCE = "tests/reference/"


@pytest.fixture(scope="module")
def tal_or():
    return pd.read_csv(REFERENCE + "data/tal_or.csv")


def reference(model):
    paths = pd.read_csv(REFERENCE + "fixtures/tal_or_mediation_paths.csv")
    return paths[paths["model"] == model].set_index("path")["coef"]


def test_single_mediator_matches_r(tal_or):
    # R: lm() paths of Hayes' model 4; psych::mediate(reaction ~ cond + (pmi), data = Tal_Or)
    table = mediation(
        tal_or, "cond", "pmi", "reaction", n_boot=2000, random_state=1, progress=False
    ).set_index("path")
    expected = reference("single")
    assert table.loc["pmi ~ cond", "coef"] == pytest.approx(expected["a_pmi"], abs=1e-10)
    assert table.loc["reaction ~ pmi", "coef"] == pytest.approx(expected["b_pmi"], abs=1e-10)
    assert table.loc["direct", "coef"] == pytest.approx(expected["direct"], abs=1e-10)
    assert table.loc["total", "coef"] == pytest.approx(expected["total"], abs=1e-10)
    assert table.loc["indirect pmi", "coef"] == pytest.approx(expected["indirect_pmi"], abs=1e-10)
    # psych's percentile interval from 5000 other draws: agreement up to bootstrap noise
    ci = pd.read_csv(REFERENCE + "fixtures/tal_or_mediation_psych_ci.csv").iloc[0]
    assert table.loc["indirect pmi", "ci_low"] == pytest.approx(ci["low"], abs=0.03)
    assert table.loc["indirect pmi", "ci_high"] == pytest.approx(ci["high"], abs=0.04)


def test_parallel_mediators_match_r_and_pingouin(tal_or):
    table = mediation(
        tal_or, "cond", ["pmi", "import"], "reaction", n_boot=2000, random_state=2, progress=False
    ).set_index("path")
    expected = reference("parallel")
    for label, key in [
        ("pmi ~ cond", "a_pmi"),
        ("import ~ cond", "a_import"),
        ("reaction ~ pmi", "b_pmi"),
        ("reaction ~ import", "b_import"),
        ("direct", "direct"),
        ("indirect total", "indirect_total"),
    ]:
        assert table.loc[label, "coef"] == pytest.approx(expected[key], abs=1e-10), label
    # pingouin: mediation_analysis(data, x="cond", m=["pmi", "import"], y="reaction")
    ping = pg.mediation_analysis(
        data=tal_or, x="cond", m=["pmi", "import"], y="reaction", n_boot=2000, seed=3
    )
    ping = ping.set_index("path")
    for ours, theirs in [
        ("indirect pmi", "Indirect pmi"),
        ("indirect import", "Indirect import"),
        ("direct", "Direct"),
        ("total", "Total"),
    ]:
        assert table.loc[ours, "coef"] == pytest.approx(ping.loc[theirs, "coef"], abs=1e-10), ours
        assert table.loc[ours, "ci_low"] == pytest.approx(ping.loc[theirs, "CI2.5"], abs=0.05), ours
        assert table.loc[ours, "ci_high"] == pytest.approx(ping.loc[theirs, "CI97.5"], abs=0.05), ours
    for ours, theirs in [("direct", "Direct"), ("total", "Total"), ("pmi ~ cond", "pmi ~ X")]:
        assert table.loc[ours, "se"] == pytest.approx(ping.loc[theirs, "se"], rel=1e-8), ours


def test_serial_chain_recovers_known_effects():
    rng = np.random.default_rng(7)
    n = 4000
    value = rng.normal(size=n)
    satisfaction = 0.6 * value + rng.normal(size=n)
    trust = 0.5 * satisfaction + 0.2 * value + rng.normal(size=n)
    loyalty = 0.4 * trust + 0.3 * satisfaction + 0.1 * value + rng.normal(size=n)
    data = pd.DataFrame(
        {
            "value": value,
            "satisfaction": satisfaction,
            "trust": trust,
            "loyalty": loyalty,
            "age": rng.normal(size=n),
        }
    )
    table = mediation(
        data,
        "value",
        ["satisfaction", "trust"],
        "loyalty",
        covariates=["age"],
        serial=True,
        n_boot=300,
        random_state=0,
        progress=False,
    ).set_index("path")
    truth = {
        "indirect satisfaction": 0.6 * 0.3,
        "indirect trust": 0.2 * 0.4,
        "indirect satisfaction -> trust": 0.6 * 0.5 * 0.4,
    }
    for label, effect in truth.items():
        assert table.loc[label, "coef"] == pytest.approx(effect, abs=0.04), label
        assert table.loc[label, "ci_low"] < effect < table.loc[label, "ci_high"], label
    indirect = table.loc[
        [p for p in table.index if p.startswith("indirect") and p != "indirect total"], "coef"
    ]
    assert indirect.sum() == pytest.approx(table.loc["indirect total", "coef"])
    assert table.loc["indirect total", "coef"] == pytest.approx(
        table.loc["total", "coef"] - table.loc["direct", "coef"]
    )
    assert "trust ~ satisfaction" in table.index


def test_no_mediation_in_independent_noise():
    rng = np.random.default_rng(11)
    data = pd.DataFrame(rng.normal(size=(300, 3)), columns=["x", "m", "y"])
    table = mediation(data, "x", "m", "y", n_boot=500, random_state=0, progress=False).set_index("path")
    assert table.loc["indirect m", "ci_low"] < 0 < table.loc["indirect m", "ci_high"]


def test_bad_input(tal_or):
    with pytest.raises(ValueError, match="column 'trust' not in the data"):
        mediation(tal_or, "cond", "trust", "reaction")
    with pytest.raises(ValueError, match="must be different columns"):
        mediation(tal_or, "cond", "cond", "reaction")
    non_numeric = r"column 'pmi' has non-numeric values \(rows \[0, 1, 2, 3, 4, \.\.\.\] \(123 in all\)\)"
    with pytest.raises(ValueError, match=non_numeric):
        mediation(tal_or.assign(pmi="high"), "cond", "pmi", "reaction")
    with pytest.raises(ValueError, match="n_boot must be an integer of at least 2"):
        mediation(tal_or, "cond", "pmi", "reaction", n_boot=1)
    with pytest.warns(UserWarning, match="1 of 123 cases with missing values are left out"):
        mediation(
            tal_or.assign(pmi=tal_or["pmi"].where(tal_or.index != 0)),
            "cond",
            "pmi",
            "reaction",
            n_boot=50,
            progress=False,
        )
