"""What a user sees for each class of bad input (issue #12): a clear error or an honest result.

One test per class; each says in its name what the user gets. Classes not listed here are
still open in issue #12.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import loyalty_research as lr
from loyalty_research.clusterwise.estimator import _collinear_columns


def survey_like(n=200, seed=0):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({"satisfaction": rng.normal(5, 1, n), "value": rng.normal(0, 1, n)})
    data["loyalty"] = 1 + 0.5 * data["satisfaction"] + 0.3 * data["value"] + rng.normal(0, 0.5, n)
    return data


# --------------------------------------------------------------- clusterwise model inputs
def test_text_outcome_in_a_formula_is_refused_naming_the_column():
    data = survey_like().assign(loyalty=lambda d: d["loyalty"].round(1).astype(str))
    with pytest.raises(ValueError, match=r"the outcome 'loyalty' holds .* not numbers"):
        lr.fit_clusterwise("loyalty ~ satisfaction + value", data, 2)


def test_perfectly_collinear_predictors_are_refused_naming_the_columns():
    data = survey_like().assign(satisfaction_100=lambda d: d["satisfaction"] * 100 + 3)
    with pytest.raises(
        ValueError, match="perfectly collinear: 'intercept', 'satisfaction', 'satisfaction_100'"
    ):
        lr.fit_clusterwise("loyalty ~ satisfaction + value + satisfaction_100", data, 2)
    with pytest.raises(ValueError, match="perfectly collinear: 'x0', 'x1', 'x2'"):
        X = data[["satisfaction", "value"]].to_numpy()
        lr.ClusterwiseRegression(2).fit(np.column_stack([X, X[:, 0] - X[:, 1]]), data["loyalty"])
    # nearly but not exactly collinear predictors are fitted
    noisy = data.assign(echo=data["satisfaction"] + np.random.default_rng(1).normal(0, 0.01, len(data)))
    lr.fit_clusterwise("loyalty ~ satisfaction + echo", noisy, 2, n_init=2, random_state=0)


def test_collinearity_within_a_segment_is_named_and_gets_no_standard_errors():
    """Among a segment's classified cases a predictor that does not vary is not identified."""
    design = np.column_stack([np.ones(6), [1.0, 2, 3, 4, 5, 6], [0.0, 0, 0, 0, 0, 0]])
    assert _collinear_columns(design, ["intercept", "x", "d"]) == ["d"]
    design[:, 2] = 1.0
    assert _collinear_columns(design, ["intercept", "x", "d"]) == ["intercept", "d"]
    design[:, 2] = design[:, 1] * 2
    assert _collinear_columns(design, ["intercept", "x", "d"]) == ["x", "d"]
    design[:, 2] = [0.0, 1, 0, 1, 1, 0]
    assert _collinear_columns(design, ["intercept", "x", "d"]) == []

    data = survey_like(300)
    model = lr.ClusterwiseRegression(2, n_init=2, random_state=0).fit(
        data[["satisfaction", "value"]], data["loyalty"]
    )
    model.collinear_terms_ = [(2, "value")]  # as _collinear_terms reports it
    table = model.summary(data[["satisfaction", "value"]], data["loyalty"])
    flagged = table[(table["segment"] == 2) & (table["term"] == "value")].iloc[0]
    assert not flagged["identified"] and np.isnan(flagged["se"]) and np.isnan(flagged["p_val"])
    assert table["identified"].sum() == len(table) - 1


def test_too_many_segments_for_the_data_keeps_the_rows_already_fitted():
    data = survey_like(40)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = lr.select_n_components(
            data[["satisfaction", "value"]],
            data["loyalty"],
            range(1, 20),
            n_init=2,
            random_state=0,
            progress=False,
        )
    assert list(table["n_components"]) == list(range(1, 11))  # 4 cases per segment at K = 10
    assert any("needs at least" in str(w.message) for w in caught)
