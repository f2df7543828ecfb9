"""Generated readings: every branch says what its numbers say, on real results and on edge cases."""

import numpy as np
import pandas as pd
import pytest

import loyalty_research as lr
from loyalty_research import readings as rd


def paths(rows):
    return pd.DataFrame(rows, columns=["source", "target", "coef", "ci_low", "ci_high"])


# ---------------------------------------------------------------------------- p values
@pytest.mark.parametrize(
    ("p", "text"),
    [(0.0, "p < 0.001"), (0.00099, "p < 0.001"), (0.05, "p = 0.050"), (np.nan, "p not available")],
)
def test_p_text(p, text):
    assert rd.p_text(p) == text


# ---------------------------------------------------------------------------- measurement
def test_reliability_reading_sorts_scales_into_good_borderline_weak_and_single():
    table = pd.DataFrame(
        {
            "construct": ["A", "B", "C", "D"],
            "alpha": [0.9, 0.75, 0.5, 1.0],
            "rho_c": [0.92, 0.8, 0.6, 1.0],
            "ave": [0.7, 0.45, 0.3, 1.0],
        }
    )
    items = pd.DataFrame(
        {
            "construct": ["A", "A", "B", "B", "C", "C", "C", "D"],
            "item": ["a1", "a2", "b1", "b2", "c1", "c2", "c3", "d1"],
            "loading": [0.9, 0.8, 0.7, 0.6, 0.8, 0.1, 0.7, 1.0],
        }
    )
    text = rd.reliability_reading(table, items)
    assert text.startswith("A meets the usual cut-offs (alpha 0.90, composite reliability 0.92, AVE 0.70).")
    assert "B is reliable (alpha 0.75, composite reliability 0.80) but its items share less than half" in text
    assert "C falls short: alpha 0.50, composite reliability 0.60, AVE 0.30; its weakest item is c2" in text
    assert "D is measured by one item, so its reliability cannot be estimated." in text


def test_reliability_reading_on_the_ecsi_data_names_the_weak_loyalty_item():
    ecsi = lr.fit_ecsi()
    text = rd.reliability_reading(ecsi.reliability, ecsi.loadings, lr.load_ecsi_mobi())
    assert "Loyalty falls short" in text and "its weakest item is CUSL2" in text
    assert "Complaints is measured by one item" in text


# ---------------------------------------------------------------------------- path models
def test_paths_reading_every_branch():
    one = paths([("Q", "S", 0.5, 0.3, 0.7), ("E", "S", 0.05, -0.1, 0.2)])
    assert rd.paths_reading(one, "S").startswith("Into S, only the path from Q (0.50")
    assert "E (0.05, 95% CI -0.10 to 0.20) cannot be told from zero" in rd.paths_reading(one, "S")
    none = paths([("Q", "S", 0.1, -0.1, 0.3)])
    assert rd.paths_reading(none, "S").startswith("No path into S has a 95% interval that excludes zero")
    negative_first = paths([("A", "S", 0.2, 0.1, 0.3), ("B", "S", -0.4, -0.6, -0.2)])
    assert "B (-0.40" in rd.paths_reading(negative_first, "S").split(" and ")[0]  # largest in size first
    untested = paths([("Q", "S", 0.5, np.nan, np.nan)])
    assert "Without bootstrap intervals none is tested" in rd.paths_reading(untested, "S")
    with pytest.raises(ValueError, match="no path leads into 'L'"):
        rd.paths_reading(one, "L")


@pytest.mark.parametrize(
    ("r2", "label"), [(0.7, "substantial"), (0.4, "moderate"), (0.2, "weak"), (0.1, "below")]
)
def test_r_squared_reading_uses_chins_labels(r2, label):
    text = rd.r_squared_reading(pd.DataFrame({"construct": ["L"], "r2": [r2]}), ["L"])
    assert label in text


def test_added_path_reading_reports_a_significant_new_path_and_lost_significance():
    before = paths([("S", "L", 0.3, 0.05, 0.55)])
    after = paths([("S", "L", 0.1, -0.1, 0.3), ("V", "L", 0.4, 0.2, 0.6)])
    text = rd.added_path_reading(before, after, "V", "L", r2_before=0.3, r2_after=0.4)
    assert "a positive direct effect beyond the other drivers" in text
    assert "S's path goes from 0.30 to 0.10 and its interval now includes zero" in text
    assert "L's R-squared rises by 0.100" in text
    with pytest.raises(ValueError, match="no path V -> S"):
        rd.added_path_reading(before, after, "V", "S", r2_before=0.3, r2_after=0.4)


@pytest.mark.parametrize(
    ("indirect", "direct", "kind"),
    [
        ((0.2, 0.1, 0.3), (0.2, 0.1, 0.3), "complementary mediation"),
        ((0.2, 0.1, 0.3), (-0.2, -0.3, -0.1), "competitive mediation"),
        ((0.2, 0.1, 0.3), (0.0, -0.1, 0.1), "indirect-only mediation"),
        ((0.0, -0.1, 0.1), (0.2, 0.1, 0.3), "direct-only effect"),
        ((0.0, -0.1, 0.1), (0.0, -0.1, 0.1), "no effect of X on Y can be shown"),
    ],
)
def test_mediation_reading_types_every_case(indirect, direct, kind):
    chain = pd.DataFrame(
        [("indirect total", *indirect), ("direct", *direct)], columns=["path", "coef", "ci_low", "ci_high"]
    )
    assert kind in rd.mediation_reading(chain, "X", "M", "Y")


# -------------------------------------------------------------------- satisfaction and loyalty
def simulated(slope, curve=0.0, n=600, seed=0, low_share=0.3):
    rng = np.random.default_rng(seed)
    satisfaction = np.where(rng.random(n) < low_share, rng.integers(1, 3, n), rng.integers(3, 8, n)).astype(
        float
    )
    loyalty = 4 + slope * (satisfaction - 4) + curve * (satisfaction - 4) ** 2 + rng.normal(0, 1, n)
    return pd.DataFrame({"loyalty": loyalty.clip(1, 7), "satisfaction": satisfaction})


def test_shape_reading_straight_and_curved():
    straight = lr.satisfaction_loyalty(simulated(0.6), "loyalty", "satisfaction")
    assert "on average the link is a straight line" in rd.shape_reading(straight)
    curved = lr.satisfaction_loyalty(simulated(0.2, curve=0.25), "loyalty", "satisfaction")
    text = rd.shape_reading(curved, predictor="contentment", outcome="stay intent")
    assert text.startswith("Contentment explains") and "the link is curved" in text


def test_asymmetry_reading_refuses_to_test_with_too_few_dissatisfied():
    with pytest.warns(UserWarning, match="rests on few customers"):
        result = lr.satisfaction_loyalty(simulated(0.6, low_share=0.01, n=300), "loyalty", "satisfaction")
    n_low = int(result.asymmetry.loc[0, "n_low"])
    assert n_low < rd.MIN_GROUP_FOR_ASYMMETRY
    assert "cannot test the asymmetry" in rd.asymmetry_reading(result)


def test_jones_sasser_reading_on_the_bundled_survey():
    scores = lr.score_constructs(lr.load_golf_survey(), lr.load_codebook()).dropna()
    result = lr.satisfaction_loyalty(scores, "loyalty", "satisfaction")
    text = rd.jones_sasser_reading(result)
    top = result.curve.iloc[-1]
    assert text.startswith(f"{top['share_loyal']:.0%} of respondents at the top satisfaction level")
    assert "*" not in text  # plain text, quotable by the paper


# ---------------------------------------------------------------------------- complaints
@pytest.mark.parametrize(
    ("k", "n", "word"), [(92, 215, "far more than"), (1, 200, "fewer than"), (4, 100, "in line")]
)
def test_complaint_share_reading_against_tarp(k, n, word):
    assert word in rd.complaint_share_reading(k, n)


def test_repurchase_ordering_reading_flags_another_order_and_tarp_outside():
    table = pd.DataFrame(
        {
            "outcome": ["not_complained", "unresolved", "resolved", "resolved_quickly"],
            "n": [100, 100, 100, 100],
            "share": [0.3, 0.2, 0.5, 0.9],
            "ci_low": [0.22, 0.13, 0.4, 0.83],
            "ci_high": [0.4, 0.29, 0.6, 0.95],
            "tarp_loss_over_100": [0.09, 0.19, 0.54, 0.82],
        }
    )
    text = rd.repurchase_ordering_reading(table)
    assert text.startswith("The order is not TARP's")
    assert (
        "inside the 95% interval of 2 of 4 outcomes; outside for a problem they kept to themselves (30%"
        in text
    )
    assert "a quickly resolved complaint (90%, 95% CI 83% to 95%, against TARP's 82%)" in text
    assert "intervals are wide" not in text


def test_recovery_paradox_reading_on_the_bundled_survey_and_a_large_sample():
    survey = lr.load_golf_survey()
    text = rd.recovery_paradox_reading(lr.recovery_paradox(survey, "repurchase"))
    assert "80% power only for a difference of about" in text
    large, _ = lr.simulate_golf_survey(20000, random_state=2010)
    paradox = lr.recovery_paradox(large, "repurchase")
    if paradox.loc[0, "p_val"] < 0.05:
        assert "paradox holds for repurchase" in rd.recovery_paradox_reading(paradox)
    else:
        assert "no evidence of a service-recovery paradox" in rd.recovery_paradox_reading(paradox)


def test_criteria_reading_every_branch():
    agree = rd.criteria_reading({"aic": 2, "bic": 2}, 2, 2, 19, "BIC's choice")
    assert agree.startswith("All two information criteria choose 2 segments.")
    assert "which agrees with BIC's choice of 2" in agree
    choice = {"aic": 6, "aic3": 6, "bic": 2, "caic": 2, "icl": 1}
    split = rd.criteria_reading(choice, 1, 2, 99, "BIC's choice")
    assert split.startswith(
        "The information criteria disagree: AIC and AIC3 choose 6; BIC and CAIC choose 2; ICL chooses 1."
    )
    assert "supports 1 segment (smallest attainable p value 0.01 with 99 bootstrap samples)" in split
    assert split.endswith("which differs from BIC's choice of 2.")
    one = rd.criteria_reading({"bic": 1, "icl": 1}, 1, 1, 19, "the number you fixed")
    all_five = dict.fromkeys(["aic", "aic3", "bic", "caic", "icl"], 1)
    five = rd.criteria_reading(all_five, 1, 1, 19, "BIC's choice")
    assert five.startswith("All five information criteria choose 1 segment.")  # as notebook 05 wrote it
    assert one.startswith("All two information criteria choose 1 segment.")


def test_competing_models_reading_writes_every_branch():
    def table(p_sat, p_val, cfi=0.97):
        return pd.DataFrame(
            {
                "model": ["satisfaction", "value", "combined"],
                "p_val_diff": [p_sat, p_val, float("nan")],
                "cfi": [cfi, cfi, cfi],
                "best_bic": [False, False, True],
            }
        )

    assert rd.competing_models_reading(table(0.001, 0.001)).startswith("Both paths are needed")
    assert rd.competing_models_reading(table(0.4, 0.001)).startswith("The data favour the satisfaction")
    assert rd.competing_models_reading(table(0.001, 0.4)).startswith("The data favour the value-driven")
    assert rd.competing_models_reading(table(0.4, 0.4)).startswith("The models cannot be told apart")
    assert "BIC prefers the combined model" in rd.competing_models_reading(table(0.4, 0.4))
    assert "fits poorly (CFI 0.85)" in rd.competing_models_reading(table(0.4, 0.4, cfi=0.85))


def test_group_paths_reading_writes_every_branch():
    from types import SimpleNamespace

    def result(holds, p_values):
        tests = pd.DataFrame({"lhs": ["L", "S"], "rhs": ["S", "V"], "p_val_diff": p_values})
        paths = pd.DataFrame(
            {
                "group": ["a", "b", "a", "b"],
                "lhs": ["L", "L", "S", "S"],
                "rhs": ["S", "S", "V", "V"],
                "coef": [0.6, 0.1, 0.5, 0.5],
            }
        )
        invariance = pd.DataFrame(
            {"level": ["configural", "metric"], "holds": [True, holds], "delta_cfi": [np.nan, -0.03]}
        )
        return SimpleNamespace(invariance=invariance, tests=tests, paths=paths)

    assert "No path differs significantly" in rd.group_paths_reading(result(True, [0.5, 0.5]), "club")
    text = rd.group_paths_reading(result(True, [0.001, 0.5]), "club")
    assert "The groups differ in L ~ S (p = 0.001): a 0.60, b 0.10. The other path does not differ." in text
    assert rd.group_paths_reading(result(False, [0.5, 0.5]), "club").startswith(
        "Metric invariance does not hold"
    )


def test_invariance_reading_writes_every_branch():
    def table(*holds):
        levels = ["configural", "metric", "scalar"][: len(holds)]
        return pd.DataFrame(
            {"level": levels, "holds": list(holds), "delta_cfi": [np.nan, -0.004, -0.03][: len(holds)]}
        )

    assert "nothing can be compared" in rd.invariance_reading(table(True), "groups")
    assert "even metric invariance fails" in rd.invariance_reading(table(True, False), "groups")
    assert "slopes can be compared." in rd.invariance_reading(table(True, True), "groups")
    assert "both slopes and score levels" in rd.invariance_reading(table(True, True, True), "groups")
    assert "score levels only with care" in rd.invariance_reading(table(True, True, False), "groups")
    robust = table(True, True, False).assign(cfi_robust=[0.95, 0.95, 0.92])  # estimator="mlr"
    assert "(change in robust CFI -0.004) but scalar" in rd.invariance_reading(robust, "groups")


def test_seed_severity_reading_writes_every_branch():
    seed = lr.seed_repurchase()

    def table(share, low, high, n=40):
        return pd.DataFrame(
            {"outcome": ["resolved_quickly"], "n": [n], "share": [share], "ci_low": [low], "ci_high": [high]}
        )

    assert "inside the seed's 52%-95%" in rd.seed_severity_reading(table(0.7, 0.55, 0.82), seed)
    assert "below the seed's" in rd.seed_severity_reading(table(0.3, 0.2, 0.45), seed)
    assert "above the seed's" in rd.seed_severity_reading(table(0.99, 0.96, 1.0), seed)
    assert "Nobody's complaint" in rd.seed_severity_reading(table(np.nan, np.nan, np.nan, n=0), seed)
    assert "severity, which the survey does not record" in rd.seed_severity_reading(
        table(0.7, 0.55, 0.82), seed
    )
