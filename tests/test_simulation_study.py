"""Monte Carlo helpers: data with known truth, the method study, its summaries and its cache."""

import dataclasses
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from statsmodels.stats.proportion import proportion_confint

from loyalty_research import binomial_interval, cli
from loyalty_research import simulation_study as ss
from loyalty_research.simulation_study import (
    CRITERIA,
    FACTORS,
    MethodStudy,
    StudyDesign,
    load_or_run_study,
    method_study,
    noise_study,
    recovery_study,
    simulate_mixture_regression,
    study_findings,
    study_numbers,
    summarise_hit_rates,
    summarise_segment_test,
)

# a design small enough for a test, with every part: factorial, test sub-design, no segments, noise
TINY = replace(
    StudyDesign.tiny(), response_styles=(False, True), outcomes=("items", "latent"), size_replications=2
)


@pytest.fixture(scope="module")
def tiny_study() -> MethodStudy:
    return method_study(TINY, random_state=7, n_jobs=1, progress=False)


# ------------------------------------------------------------------------- binomial intervals
def test_binomial_interval_known_values():
    assert binomial_interval(5, 10) == pytest.approx((0.236593, 0.763407), abs=1e-6)
    assert binomial_interval(0, 10) == pytest.approx((0.0, 0.277533), abs=1e-6)
    assert binomial_interval(10, 10) == pytest.approx((0.722467, 1.0), abs=1e-6)
    assert binomial_interval(0, 10, method="clopper_pearson") == pytest.approx((0.0, 0.308497), abs=1e-6)
    assert binomial_interval(5, 10, method="clopper_pearson") == pytest.approx((0.187086, 0.812914), abs=1e-6)
    # 5 of 100 at 5%: the nominal size sits inside
    low, high = binomial_interval(5, 100)
    assert low < 0.05 < high


@pytest.mark.parametrize(("method", "reference"), [("wilson", "wilson"), ("clopper_pearson", "beta")])
def test_binomial_interval_matches_statsmodels_and_contains_the_rate(method, reference):
    trials = np.array([1, 3, 10, 20, 100, 100, 100, 250])
    successes = np.array([0, 2, 9, 1, 0, 5, 100, 37])
    low, high = binomial_interval(successes, trials, method=method)
    ref_low, ref_high = proportion_confint(successes, trials, alpha=0.05, method=reference)
    np.testing.assert_allclose(low, ref_low, atol=1e-9)
    np.testing.assert_allclose(high, ref_high, atol=1e-9)
    rate = successes / trials
    assert np.all((low >= 0) & (high <= 1) & (low <= rate) & (rate <= high))
    narrow, wide = binomial_interval(37, 250, confidence=0.8), binomial_interval(37, 250, confidence=0.99)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


def test_binomial_interval_edge_cases_and_bad_arguments():
    assert all(np.isnan(binomial_interval(0, 0)))
    assert isinstance(binomial_interval(1, 2)[0], float)
    with pytest.raises(ValueError, match="between 0 and trials"):
        binomial_interval(11, 10)
    with pytest.raises(ValueError, match="between 0 and trials"):
        binomial_interval(-1, 10)
    with pytest.raises(ValueError, match="whole numbers"):
        binomial_interval(1.5, 10)
    with pytest.raises(ValueError, match="method must be"):
        binomial_interval(1, 10, method="wald")
    with pytest.raises(ValueError, match="confidence must lie between 0 and 1"):
        binomial_interval(1, 10, confidence=95)


# ------------------------------------------------------------------------- the design
def test_settings_meet_the_issue():
    full, quick = StudyDesign.full(), StudyDesign.quick()
    assert full.n_conditions == 3 * 3 * 3 * 2 * 2
    assert full.n_replications >= 100 and full.lrt_replications >= 100 and full.size_replications >= 100
    assert full.noise_replications >= 20 and quick.noise_replications >= 20
    for design in (full, quick):
        assert 1 / (design.n_permutations + 1) <= 0.01  # a permutation p can reach 0.01
        assert 1 / (design.n_boot + 1) <= design.alpha  # the segment test can reject
    assert set(full.outcomes) == {"items", "latent"} and set(full.response_styles) == {False, True}
    assert StudyDesign.from_dict(json.loads(json.dumps(full.to_dict()))) == full
    trial = quick.with_replications(1)
    assert (trial.n_replications, trial.lrt_replications, trial.size_replications, trial.noise_tested) == (
        1,
        1,
        1,
        1,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"n_segments": (2, 5)}, "n_segments must be 2, 3 or 4"),
        ({"n_segments": ()}, "n_segments must name at least one level"),
        ({"separations": (0.5, -1.0)}, "separations must be positive"),
        ({"separations": (1.0, 1.0)}, "has a level twice"),
        ({"outcomes": ("items", "nps")}, "outcomes must be among"),
        ({"response_styles": ("yes",)}, "response_styles must be True or False"),
        ({"sample_sizes": (40,)}, "sample size 40 is too small"),
        ({"n_replications": 0}, "n_replications must be a positive integer"),
        ({"lrt_replications": 300}, "cannot exceed n_replications"),
        ({"lrt_sample_size": 300}, "lrt_sample_size 300 must be one of"),
        ({"lrt_separations": (4.0,)}, "lrt_separations"),
        ({"n_boot": 9}, "can never reject at alpha=0.05: use n_boot >= 19"),
        ({"alpha": 1.5}, "alpha must lie between 0 and 1"),
        ({"noise_tested": 30}, "noise_tested .* cannot exceed noise_replications"),
    ],
)
def test_bad_designs_are_refused_clearly(change, message):
    with pytest.raises(ValueError, match=message):
        StudyDesign(**change)


def test_bad_arguments_to_the_study_are_refused():
    with pytest.raises(ValueError, match="design must be 'quick', 'full' or a StudyDesign"):
        method_study("medium")
    with pytest.raises(TypeError, match="design must be"):
        method_study({"n": 100})
    with pytest.raises(ValueError, match="random_state must be an integer"):
        method_study(TINY, random_state=1.5)
    with pytest.raises(ValueError, match="unknown design fields"):
        StudyDesign.from_dict({"replications": 3})
    with pytest.raises(ValueError, match="cannot group by"):
        summarise_hit_rates(pd.DataFrame({"n_segments": [2], "k_bic": [2]}), by=("n",))
    with pytest.raises(ValueError, match="unknown criteria"):
        summarise_hit_rates(pd.DataFrame({"n_segments": [2], "k_bic": [2]}), by=(), criteria=("hqic",))
    with pytest.raises(ValueError, match="must include 'n_segments'"):
        summarise_segment_test(
            pd.DataFrame({"n": [2], "n_segments": [2], "segment_test_p": [0.1]}), by=("n",)
        )


def test_quick_setting_tasks_are_the_first_of_the_full_setting():
    quick, full = StudyDesign.quick(), StudyDesign.full()
    tasks = quick._tasks()
    counts = pd.DataFrame(tasks).groupby(["part", "lrt"]).size().to_dict()
    assert (
        counts[("factorial", False)] + counts[("factorial", True)]
        == quick.n_conditions * quick.n_replications
    )
    assert counts[("factorial", True)] == 3 * len(quick.lrt_separations) * quick.lrt_replications
    assert counts[("no_segments", True)] == 4 * quick.size_replications
    # the same condition and number: the same data set and fits, whichever setting runs it
    entropy = np.random.SeedSequence(1988).entropy
    task = next(t for t in tasks if t["n"] == 200 and t["n_segments"] == 2 and t["outcome"] == "latent")
    same = next(t for t in full._tasks() if all(t[k] == task[k] for k in (*FACTORS, "replication", "part")))
    quick_row = ss._study_replication(task, quick, entropy)
    assert quick_row == ss._study_replication(same, full, entropy)
    assert quick_row["n_used"] <= 200 and 1 <= quick_row["k_bic"] <= 4


# ------------------------------------------------------------------------- the study
def test_tiny_study_tables(tiny_study):
    table = tiny_study.replications
    assert list(table.columns) == list(ss._REPLICATION_COLUMNS)
    assert len(table) == 2 * 2 * 2 + 2 * 2 * 2  # factorial, then no segments for each styles x outcome
    factorial, empty = tiny_study.factorial, tiny_study.no_segments
    assert factorial["ari_true_k"].notna().all() and empty["ari_true_k"].isna().all()
    assert factorial["ari_true_parameters"].between(-1, 1).all()
    for c in CRITERIA:
        assert table[f"k_{c}"].between(1, table["n_segments"] + TINY.extra_components).all()
    tested = table[table["lrt"]]
    assert len(tested) == 1 + 4 * 2  # one factorial data set in the test cell, all without segments
    assert tested["segment_test_p"].notna().all() and table.loc[~table["lrt"], "k_lrt"].isna().all()
    # p values of the Monte Carlo test lie on its grid
    np.testing.assert_allclose((tested["segment_test_p"] * 20) % 1, 0, atol=1e-9)
    assert (tested["lrt_tests"] >= 1).all()
    noise = tiny_study.noise
    assert list(noise.columns) == ["n_components", "replication", "r_squared", "p_val"]
    assert noise["p_val"].notna().tolist() == [True, False]


def test_tiny_study_summaries(tiny_study):
    ari = tiny_study.recovery()
    assert list(ari.columns) == [
        *FACTORS,
        "classifier",
        "n_replications",
        "ari_mean",
        "ari_ci_low",
        "ari_ci_high",
        "ari_q05",
        "ari_q25",
        "ari_median",
        "ari_q75",
        "ari_q95",
        "ari_relative",
    ]
    assert set(ari["classifier"]) == {"true_parameters", "true_k", *CRITERIA}
    assert (ari["ari_ci_low"] <= ari["ari_mean"]).all() and (ari["ari_mean"] <= ari["ari_ci_high"]).all()
    assert (ari["ari_q05"] <= ari["ari_median"]).all() and (ari["ari_median"] <= ari["ari_q95"]).all()
    reference = ari[ari["classifier"] == "true_parameters"]
    np.testing.assert_allclose(reference["ari_relative"], 1.0)

    hits = tiny_study.hit_rates()
    assert list(hits.columns) == [
        *FACTORS,
        "criterion",
        "n_replications",
        "n_hits",
        "hit_rate",
        "ci_low",
        "ci_high",
        "under_rate",
        "over_rate",
        "mean_k",
    ]
    assert (hits["ci_low"] <= hits["hit_rate"]).all() and (hits["hit_rate"] <= hits["ci_high"]).all()
    assert hits[["ci_low", "ci_high"]].stack().between(0, 1).all()
    np.testing.assert_allclose(hits["hit_rate"] + hits["under_rate"] + hits["over_rate"], 1.0)
    assert set(hits.loc[hits["criterion"] == "lrt", "n_replications"]) == {1}  # only the tested data set
    empty = tiny_study.hit_rates(("outcome",), part="no_segments")
    assert set(empty["criterion"]) == {*CRITERIA, "lrt"} and (empty["n_replications"] == 4).all()
    with pytest.raises(ValueError, match="part must be one of"):
        tiny_study.hit_rates(part="noise")

    test = tiny_study.segment_test()
    assert set(test["test"]) == {"size", "power"}
    assert test.loc[test["test"] == "size", "n_replications"].tolist() == [2, 2, 2, 2]
    assert ((test["ci_low"] <= test["rejection_rate"]) & (test["rejection_rate"] <= test["ci_high"])).all()

    noise = tiny_study.noise_summary()
    assert noise[["n_components", "n_replications", "n_tested", "published_r_squared"]].values.tolist() == [
        [2, 2, 1, 0.65]
    ]
    assert (
        noise["r_squared_ci_low"].iloc[0]
        <= noise["r_squared_mean"].iloc[0]
        <= noise["r_squared_ci_high"].iloc[0]
    )


def test_study_is_deterministic_whatever_n_jobs(tiny_study):
    again = method_study(TINY, random_state=7, n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(again.replications, tiny_study.replications)
    pd.testing.assert_frame_equal(again.noise, tiny_study.noise)
    smaller = dataclasses.replace(TINY, outcomes=("latent",), lrt_replications=0, size_replications=0,
                                  noise_replications=0, noise_tested=0)  # fmt: skip
    other = method_study(smaller, random_state=8, progress=False)
    same_cells = tiny_study.factorial[tiny_study.factorial["outcome"] == "latent"]
    assert not np.allclose(other.factorial["ari_true_k"], same_cells["ari_true_k"])


def test_cache_round_trip(tiny_study, tmp_path):
    path = tiny_study.save(tmp_path / "study.json")
    loaded = MethodStudy.load(path)
    assert loaded.design == TINY and loaded.random_state == 7 and loaded.setting == "custom"
    assert loaded.is_current()
    pd.testing.assert_frame_equal(loaded.replications, tiny_study.replications, check_exact=False, rtol=1e-9)
    pd.testing.assert_frame_equal(loaded.noise, tiny_study.noise, check_exact=False, rtol=1e-9)
    assert loaded.save(tmp_path / "again.json").read_bytes() == path.read_bytes()
    (tmp_path / "bad.json").write_text('{"format": "something else"}')
    with pytest.raises(ValueError, match="not a method-study file"):
        MethodStudy.load(tmp_path / "bad.json")
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(ValueError, match="not a method-study file"):
        MethodStudy.load(tmp_path / "broken.json")


def test_load_or_run_uses_only_a_current_cache(tiny_study, tmp_path):
    path = tiny_study.save(tmp_path / "study.json")
    cached, source = load_or_run_study(path, design=TINY)
    assert "cached in `study.json`" in source and cached.random_state == 7
    stale = dataclasses.replace(tiny_study, fingerprint="0" * 16).save(tmp_path / "stale.json")
    small = dataclasses.replace(TINY, response_styles=(False,), size_replications=0, noise_replications=0,
                                noise_tested=0, lrt_response_styles=False)  # fmt: skip
    fresh, source = load_or_run_study(stale, design=small, random_state=3, progress=False)
    assert "another version of the simulator" in source and "custom design" in source
    assert fresh.random_state == 3 and len(fresh.replications) == 4


def test_a_smaller_run_reproduces_the_matching_data_sets_of_a_larger_one(tiny_study):
    one = method_study(TINY.with_replications(1), random_state=7, progress=False)
    agreement = ss.compare_studies(one, tiny_study)
    assert agreement["part"].tolist() == ["factorial", "no_segments", "noise"]
    assert (agreement["n_identical"] == agreement["n_data_sets"]).all()
    assert (agreement["n_in_reference"] == agreement["n_data_sets"]).all()
    assert (agreement["max_abs_difference"] == 0).all() and (agreement["differing_columns"] == "").all()
    # a result changed in the reference is found and named
    replications = tiny_study.replications.copy()
    first = replications.index[(replications["part"] == "factorial") & (replications["replication"] == 0)][0]
    replications.loc[first, "ari_true_k"] += 0.01
    tampered = dataclasses.replace(tiny_study, replications=replications)
    agreement = ss.compare_studies(one, tampered).set_index("part")
    assert agreement.loc["factorial", "n_identical"] == agreement.loc["factorial", "n_data_sets"] - 1
    assert agreement.loc["factorial", "differing_columns"] == "ari_true_k"
    assert agreement.loc["factorial", "max_abs_difference"] == pytest.approx(0.01)
    assert agreement.loc["no_segments", "differing_columns"] == ""
    with pytest.raises(ValueError, match="seeds 8 and 7"):
        ss.compare_studies(dataclasses.replace(one, random_state=8), tiny_study)


def test_findings_numbers_and_figures(tiny_study):
    text = study_findings(tiny_study)
    assert set(text) == {"recovery", "factors", "criteria", "segment_test", "noise", "conclusion"}
    assert text["conclusion"].startswith("**Conclusion.**") and "n = 100" in text["conclusion"]
    assert "adjusted Rand index" in text["recovery"] and "Brusco" in text["noise"]
    assert "**Response styles**" in text["factors"] and "**Outcome**" in text["factors"]
    numbers = study_numbers(tiny_study)
    for key in (
        "noise_r2_k2",
        "noise_significant",
        "noise_tests",
        "hit_rate_bic",
        "hit_rate_aic",
        "n_replications",
    ):
        assert key in numbers
    assert numbers["n_replications"] == (2, "{:d}") and numbers["size_items_styles_on_replications"][0] == 2
    assert 0 <= numbers["power_k2_high"][0] <= 1
    for plot in (ss.plot_ari, ss.plot_hit_rates, ss.plot_segment_test, ss.plot_noise):
        fig = plot(tiny_study)
        assert isinstance(fig, Figure)
        labelled = [ax for ax in fig.axes if ax.get_xlabel() and ax.get_ylabel()]
        assert labelled, plot.__name__


def test_verdicts_cover_every_branch():
    assert [ss._steinley(v) for v in (0.95, 0.85, 0.7, 0.3)] == ["excellent", "good", "moderate", "poor"]
    assert ss._verdict(0.1, 0.2, "up", "down", "same") == "up"
    assert ss._verdict(-0.2, -0.1, "up", "down", "same") == "down"
    assert ss._verdict(-0.1, 0.1, "up", "down", "same") == "same"
    assert ss._verdict(np.nan, np.nan, "up", "down", "same").startswith("too few")
    diff, low, high = ss._difference(np.array([0.1, 0.2, 0.3]), np.array([0.5, 0.6, 0.7]))
    assert diff == pytest.approx(0.4) and 0 < low < diff < high


def test_cli_study_writes_a_cache(tiny_study, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(StudyDesign, "quick", classmethod(lambda cls: TINY))
    out = tmp_path / "quick.json"
    assert cli.main(["study", "--output", str(out), "--n-jobs", "1", "--seed", "7", "--quiet"]) == 0
    assert "written to" in capsys.readouterr().out
    written = MethodStudy.load(out)
    assert written.setting == "quick" and written.random_state == 7
    pd.testing.assert_frame_equal(written.replications, tiny_study.replications, check_exact=False, rtol=1e-9)
    with pytest.raises(SystemExit):
        cli.main(["study", "--replications", "0"])


# ------------------------------------------------------------------------- the other studies
def test_simulated_mixture_has_its_truth():
    X, y, segment, coefs = simulate_mixture_regression(3000, 3, separation=2.0, error_sd=0.1, random_state=0)
    assert X.shape == (3000, 2) and coefs.shape == (3, 3) and set(segment) == {0, 1, 2}
    design = np.column_stack([np.ones(3000), X])
    for k in range(3):
        fitted = np.linalg.lstsq(design[segment == k], y[segment == k], rcond=None)[0]
        np.testing.assert_allclose(fitted, coefs[k], atol=0.02)
    with pytest.raises(ValueError, match="n_components must be a positive integer"):
        simulate_mixture_regression(10, 0)
    with pytest.raises(ValueError, match="separation and error_sd must be positive"):
        simulate_mixture_regression(10, 2, error_sd=0)


def test_recovery_study_recovers_well_separated_segments():
    table = recovery_study(
        (300,), (2,), (4.0,), (0.5,), n_replications=3, n_init=3, random_state=0, progress=False
    )
    assert list(table.columns) == [
        "n",
        "n_components",
        "separation",
        "error_sd",
        "replication",
        "ari",
        "coef_rmse",
        "k_aic",
        "k_aic3",
        "k_bic",
        "k_caic",
        "k_icl",
    ]
    assert len(table) == 3
    assert table["ari"].min() > 0.8
    assert table["coef_rmse"].max() < 0.2
    assert (table["k_bic"] == 2).all()
    again = recovery_study(
        (300,), (2,), (4.0,), (0.5,), n_replications=3, n_init=3, random_state=0, progress=False
    )
    assert table.equals(again)


def test_noise_study_finds_variance_and_tests_only_some():
    table = noise_study(
        n=80, n_components=(2,), n_replications=3, n_tested=2, n_permutations=19, n_init=2, random_state=0,
        progress=False,
    )  # fmt: skip
    assert list(table.columns) == ["n_components", "replication", "r_squared", "p_val"]
    assert (table["r_squared"] > 0.3).all()  # the partition alone explains much of pure noise
    tested = table["p_val"].dropna()
    assert len(tested) == 2 and ((tested > 0) & (tested <= 1)).all()
    np.testing.assert_allclose((tested * 20) % 1, 0, atol=1e-9)  # p on the grid of 1 / 20
    # a data set's R-squared does not depend on whether it was also tested
    untested = noise_study(
        n=80, n_components=(2,), n_replications=3, n_tested=0, n_permutations=19, n_init=2, random_state=0,
        progress=False,
    )  # fmt: skip
    np.testing.assert_allclose(untested["r_squared"], table["r_squared"])
    assert untested["p_val"].isna().all()
    with pytest.raises(ValueError, match=r"n_tested \(3\) cannot exceed n_replications"):
        noise_study(n_replications=2, n_tested=3)
    with pytest.raises(ValueError, match="method must be 'spath' or 'em'"):
        noise_study(method="kmeans")
